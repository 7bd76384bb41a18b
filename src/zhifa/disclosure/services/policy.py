"""The publicity rules (``DisclosurePolicy``): the row of a decision's sector, else the default
row. System administrators change them (``policy_update``) or give a sector its own rules
(``policy_create``, starting from the default row's values); each change is recorded on the
``disclosure.config`` ledger stream with the values changed (no personal data)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import Sector

from ..events import CONFIG_STREAM, POLICY_CHANGED
from ..masking import clean_terms
from ..models import DisclosurePolicy
from ..periods import MAX_MONTHS, MIN_MONTHS
from ._access import require_sysadmin

BOOL_FIELDS = ("mask_id_numbers", "mask_addresses", "mask_phones", "mask_bank_accounts",
               "mask_health", "mask_third_parties", "mask_person_names", "publish_warnings")
MONTH_FIELDS = ("light_months", "standard_months", "licensing_months", "other_months",
                "min_months")
EDITABLE = (*BOOL_FIELDS, *MONTH_FIELDS, "light_fine_max", "health_terms", "source")
MAX_TERMS = 100
MAX_TERM_LENGTH = 20


def policy_for(sector: Sector | int | None) -> DisclosurePolicy:
    """The rules for decisions of ``sector`` (a ``Sector`` or its id): its own row, else the
    default row (else, should the default row be missing, the model's defaults, unsaved)."""
    sector_id = sector.pk if isinstance(sector, Sector) else sector
    if sector_id is not None:
        row = DisclosurePolicy.objects.filter(sector_id=sector_id).first()
        if row is not None:
            return row
    return DisclosurePolicy.objects.filter(sector__isnull=True).first() or DisclosurePolicy()


def _scope(policy: DisclosurePolicy) -> str:
    return policy.sector.code if policy.sector_id and policy.sector else "default"


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            errors[name] = _("This setting does not exist.")
        elif name in BOOL_FIELDS:
            if not isinstance(value, bool):
                errors[name] = _("Yes or no.")
            else:
                out[name] = value
        elif name in MONTH_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int) or not (
                    MIN_MONTHS <= value <= MAX_MONTHS):
                errors[name] = _("A whole number of months from %(min)d to %(max)d.") % {
                    "min": MIN_MONTHS, "max": MAX_MONTHS}
            else:
                out[name] = value
        elif name == "light_fine_max":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors[name] = _("An amount in fen, zero or more.")
            else:
                out[name] = value
        elif name == "health_terms":
            if not isinstance(value, list | tuple):
                errors[name] = _("A list of words.")
                continue
            terms = clean_terms(value)
            if len(terms) > MAX_TERMS or any(len(t) > MAX_TERM_LENGTH for t in terms):
                errors[name] = _("At most %(n)d words of at most %(len)d characters each.") % {
                    "n": MAX_TERMS, "len": MAX_TERM_LENGTH}
            else:
                out[name] = terms
        elif name == "source":
            text = str(value or "").strip()
            if len(text) > 200:
                errors[name] = _("At most 200 characters.")
            else:
                out[name] = text
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    return out


@transaction.atomic
def policy_update(*, actor: Any, policy: DisclosurePolicy, **changes: Any) -> DisclosurePolicy:
    """Change the rules (system administrators only). Only the values that differ are saved
    and recorded; nothing differing, nothing is recorded."""
    require_sysadmin(actor)
    clean = _clean(changes)
    row = (DisclosurePolicy.objects.select_for_update(of=("self",)).select_related("sector")
           .get(pk=policy.pk))
    changed = {k: v for k, v in clean.items() if getattr(row, k) != v}
    if not changed:
        return row
    for name, value in changed.items():
        setattr(row, name, value)
    row.save(update_fields=[*changed, "updated_at"])
    ledger_append(actor=actor, event=POLICY_CHANGED, stream=CONFIG_STREAM,
                  payload={"policy": str(row.public_id), "scope": _scope(row),
                           "changes": changed})
    return row


@transaction.atomic
def policy_create(*, actor: Any, sector: Sector, **values: Any) -> DisclosurePolicy:
    """Rules of their own for ``sector``: the default row's values, with ``values``."""
    require_sysadmin(actor)
    clean = _clean(values)
    if DisclosurePolicy.objects.filter(sector=sector).exists():
        raise ApplicationError(_("This enforcement category already has its own publicity "
                                 "rules."), code="policy_exists")
    base = DisclosurePolicy.objects.filter(sector__isnull=True).first() or DisclosurePolicy()
    start = {name: getattr(base, name) for name in EDITABLE}
    row = DisclosurePolicy.objects.create(sector=sector, **{**start, **clean})
    ledger_append(actor=actor, event=POLICY_CHANGED, stream=CONFIG_STREAM,
                  payload={"policy": str(row.public_id), "scope": sector.code,
                           "created": True, "changes": {name: getattr(row, name)
                                                       for name in EDITABLE}})
    return row
