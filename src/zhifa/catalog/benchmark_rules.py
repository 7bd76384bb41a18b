"""What makes the tiers of a discretion benchmark consistent. ``benchmark_create`` applies these
rules; the admin and the importer report the same codes.

Sources: 国办发〔2022〕27号 (tiers stay within the statutory type and range, one tier for each
circumstance, so that an official's choice is predictable); 行政处罚法 (APL) art. 32 (减轻:
below the statutory minimum) and art. 33 (不予处罚).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput

from .models import PenaltyKind, Tier


@dataclass
class TierIn:
    tier: str
    conditions: str
    min_value: int | None = None
    max_value: int | None = None
    penalty_kinds: list[str] = field(default_factory=list)
    other_measures: str = ""


_ORDER = list(Tier.values)  # no_penalty, mitigated, lighter, ordinary, heavier


def _bounds(t: TierIn) -> tuple[float, float]:
    """The tier's range with a missing bound open (a tier "above 50,000" has no maximum)."""
    low = float("-inf") if t.min_value is None else t.min_value
    high = float("inf") if t.max_value is None else t.max_value
    return low, high


def check_tiers(
    tiers: Sequence[TierIn], *, statutory_min: int | None, statutory_max: int | None
) -> None:
    """Raise ``InvalidInput`` for the first rule the tiers break; ``detail`` names the tier."""
    if not tiers:
        raise InvalidInput(_("A benchmark needs at least one tier."), code="benchmark_no_tiers")
    names = [t.tier for t in tiers]
    if len(names) != len(set(names)):
        raise InvalidInput(_("A tier appears twice."), code="benchmark_tier_duplicate")
    unknown = sorted(set(names) - set(_ORDER))
    if unknown:
        raise InvalidInput(_("Unknown tier."), code="benchmark_tier_unknown", detail=unknown[0])
    for t in tiers:
        if set(t.penalty_kinds) - set(PenaltyKind.values):
            # APL art. 9 lists the kinds of administrative penalty.
            raise InvalidInput(_("Unknown kind of penalty."), code="penalty_kind_unknown",
                               detail=t.tier)
    if statutory_min is not None and statutory_max is not None and statutory_min > statutory_max:
        raise InvalidInput(_("The statutory minimum is above the maximum."),
                           code="benchmark_range")
    for t in tiers:
        low, high = t.min_value, t.max_value
        if (low is not None and low < 0) or (high is not None and high < 0):
            raise InvalidInput(_("A number or amount cannot be negative."),
                               code="value_negative", detail=t.tier)
        if low is not None and high is not None and low > high:
            raise InvalidInput(_("A tier's minimum is above its maximum."),
                               code="benchmark_tier_range", detail=t.tier)
        if t.tier == Tier.MITIGATED:
            # APL art. 32: mitigation (减轻) imposes less than the statutory minimum.
            if statutory_min is not None and (low is not None or high is not None) and (
                high is None or high >= statutory_min
            ):
                raise InvalidInput(
                    _("A mitigated tier's maximum must be below the statutory minimum."),
                    code="benchmark_mitigated_range", detail=t.tier,
                )
        elif t.tier != Tier.NO_PENALTY:
            if statutory_min is not None and low is not None and low < statutory_min:
                raise InvalidInput(_("A tier lies below the statutory minimum."),
                                   code="benchmark_tier_outside", detail=t.tier)
            if statutory_max is not None and high is not None and high > statutory_max:
                raise InvalidInput(_("A tier lies above the statutory maximum."),
                                   code="benchmark_tier_outside", detail=t.tier)
    # Consecutive tiers with amounts, in the order of severity, must climb without touching:
    # a fine of exactly the shared endpoint would fit two tiers, and the choice between them
    # is what the benchmark exists to settle.
    with_amounts = sorted(
        (t for t in tiers if t.min_value is not None or t.max_value is not None),
        key=lambda t: _ORDER.index(t.tier),
    )
    for lower, higher in pairwise(with_amounts):
        _lower_low, lower_high = _bounds(lower)
        higher_low, _higher_high = _bounds(higher)
        # Inverted: a bound of the more severe tier below the same bound of the lighter one
        # (an open bound is compared in the overlap test only).
        if (higher.min_value is not None and lower.min_value is not None
                and higher.min_value < lower.min_value) or (
                higher.max_value is not None and lower.max_value is not None
                and higher.max_value < lower.max_value):
            raise InvalidInput(
                _("The tier “%(tier)s” lies below the less severe tier “%(lower)s”.")
                % {"tier": Tier(higher.tier).label, "lower": Tier(lower.tier).label},
                code="benchmark_tier_order", detail=higher.tier,
            )
        if higher_low <= lower_high:
            raise InvalidInput(
                _("The tiers “%(lower)s” and “%(tier)s” overlap; a tier must start above the "
                  "maximum of the tier before it.")
                % {"tier": Tier(higher.tier).label, "lower": Tier(lower.tier).label},
                code="benchmark_tier_overlap", detail=higher.tier,
            )
