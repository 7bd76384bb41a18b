"""Whether a case's decision needs legal review, and exactly which rule says so.

Pure reads: ``evaluate`` looks at the case (its proposal, or the decision being made), its
parties, whether a hearing was held, and the body's review catalogue in force (目录清单), and
returns every reason that applies. Sources:

- statutory (APL art. 58 §1): (1) a major public interest; (2) a party's or a third party's
  major rights, after a hearing; (3) difficult and complex, several legal relationships;
  (4) other cases the law requires. (1), (3) and (4) need judgement: the officer states them
  in the investigation report (fields ``major``, ``several_relations``, ``law_requires``),
  and the reason names who did (``stated_by``); (2) is known from the case (a hearing was
  held: its ``hold_hearing`` step, which a new investigation report does not undo).
- the catalogue: amount thresholds per party type (inclusive 含本数 or exclusive 不含本数;
  the confiscated value counted where the catalogue says so; an individual business uses the
  natural-person threshold when it has none of its own) and category triggers (licence
  revocation, stop production or business, closure, practice restriction, qualification
  lowering, a hearing held, a mitigated penalty, a penalty below or above the benchmark tier,
  every general-procedure penalty, a licensing refusal). Which of them concern a case follows
  from its procedure's category (``review_scope``), so that an agency's own procedure of the
  penalty or licensing category is measured like the built-in one.
- voluntary: the officer sent the case to review although no rule required it.

A reason is ``{"code", "kind", "params"}``; ``label`` renders it in the active language.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhifa.catalog.models import (
    AmountUnit,
    BenchmarkTier,
    Comparator,
    DiscretionBenchmark,
    PartyType,
    ReviewCatalogue,
    ReviewThreshold,
    ReviewTrigger,
    Tier,
)

STATUTORY = {
    # code: (label msgid, source)
    "public_interest": (gettext_noop("Involves a major public interest"),
                        "行政处罚法第五十八条第一款第一项"),
    "hearing_held": (gettext_noop("Concerns major rights and a hearing was held"),
                     "行政处罚法第五十八条第一款第二项"),
    "several_relations": (
        gettext_noop("Difficult and complex, involving several legal relationships"),
        "行政处罚法第五十八条第一款第三项"),
    "by_law": (gettext_noop("Required by law or regulation: %(law)s"),
               "行政处罚法第五十八条第一款第四项"),
}
KIND_TRIGGERS: dict[str, str] = {
    ReviewTrigger.REVOKE_LICENCE: "revoke_licence",
    ReviewTrigger.STOP_PRODUCTION: "stop_production",
    ReviewTrigger.CLOSURE: "closure",
    ReviewTrigger.RESTRICT_PRACTICE: "restrict_practice",
    ReviewTrigger.LOWER_QUALIFICATION: "lower_qualification",
}
# the statutory triggers the officer states in the investigation report (judgement)
STATED = ("public_interest", "several_relations", "by_law")
# the decisions the catalogue's triggers concern (``review_scope``): those of a procedure of
# the penalty category but the summary procedure (decided on the spot, below any catalogue's
# amounts: APL art. 51), and those of a procedure of the licensing category
SCOPE_PENALTY, SCOPE_LICENSING = "penalty", "licensing"
SUMMARY_PROCEDURE = "summary"
# the case step that records a hearing held (its date: the step's ``acted_on``)
HEARING_STEP = "hold_hearing"
# decision outcomes as the basis names them
PENALTY, NO_PENALTY, TRANSFER, DENY, GRANT = "penalty", "no_penalty", "transfer", "deny", "grant"


@dataclass(frozen=True)
class Basis:
    """What the determination looked at."""

    procedure: str
    outcome: str                     # penalty | no_penalty | transfer | deny | grant | ""
    kinds: tuple[str, ...]
    fine: int                        # fen
    confiscation: int                # fen
    party_types: tuple[str, ...]
    hearing_held: bool
    public_interest: bool
    several_relations: bool
    law_requires: str
    benchmark: str
    tier: str
    voluntary: bool
    day: str

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Determination:
    required: bool
    reasons: tuple[dict[str, Any], ...]
    basis: Basis
    catalogue: ReviewCatalogue | None = None
    notes: tuple[str, ...] = field(default=())  # e.g. an unknown benchmark code
    hearing_on: dt.date | None = None  # the day of the case's latest hearing it counted

    @property
    def fingerprint(self) -> str:
        """The result: the reasons (each catalogue reason names its catalogue's version). A
        new catalogue version that changes no reason does not change the result, nor does
        another officer stating the same judgement in a new report (``stated_by``)."""
        reasons = [{**r, "params": {k: v for k, v in r.get("params", {}).items()
                                    if k != "stated_by"}} for r in self.reasons]
        raw = json.dumps(reasons, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()

    def labels(self) -> list[str]:
        return [label(r) for r in self.reasons]


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def label(reason: Mapping[str, Any]) -> str:
    """The reason in the active language, with its source."""
    code, kind, p = reason["code"], reason["kind"], reason.get("params", {})
    if kind == "statutory":
        msgid, _source = STATUTORY[code]
        text = _(msgid) % p if "%(" in msgid else _(msgid)
        if p.get("stated_by"):
            text += _(" (stated by %(who)s in the investigation report)") % {
                "who": p["stated_by"]}
        return text
    if kind == "threshold":
        return (_("%(what)s %(amount)s yuan: %(party)s threshold of the catalogue "
                  "%(comparator)s %(threshold)s yuan") % {
            "what": _threshold_what(p),
            "amount": yuan(p["amount"]), "party": str(PartyType(p["party_type"]).label),
            "comparator": str(Comparator(p["comparator"]).label),
            "threshold": yuan(p["threshold"])})
    if kind == "category":
        text = str(ReviewTrigger(code).label)
        if code in (ReviewTrigger.BELOW_BENCHMARK, ReviewTrigger.ABOVE_BENCHMARK):
            text += _benchmark_range(p)
        return text
    if kind == "voluntary":
        return _("Sent to review voluntarily by the handler")
    return code


def _threshold_what(p: Mapping[str, Any]) -> str:
    """What the amount measured against a threshold is made of."""
    confiscation = int(p.get("confiscation") or 0)
    if not confiscation:
        return _("Fine")
    return _("Fine and confiscation") if p["amount"] > confiscation else _("Confiscation")


def _benchmark_range(p: Mapping[str, Any]) -> str:
    values = {"fine": yuan(p["fine"]),
              "low": yuan(p["min"]) if p.get("min") is not None else "",
              "high": yuan(p["max"]) if p.get("max") is not None else ""}
    if values["low"] and values["high"]:
        return _(" (fine %(fine)s yuan, tier %(low)s–%(high)s yuan)") % values
    if values["low"]:
        return _(" (fine %(fine)s yuan, tier from %(low)s yuan)") % values
    return _(" (fine %(fine)s yuan, tier up to %(high)s yuan)") % values


def source(reason: Mapping[str, Any], catalogue_title: str = "") -> str:
    if reason["kind"] == "statutory":
        return STATUTORY[reason["code"]][1]
    if reason["kind"] in ("threshold", "category"):
        p = reason.get("params", {})
        return f"{p.get('catalogue_title') or catalogue_title}（{_('version')} {p.get('version')}）"
    return ""


def catalogue_for(body: Any, day: dt.date) -> ReviewCatalogue | None:
    """The body's review catalogue in force on ``day`` (the highest version if several)."""
    return (ReviewCatalogue.objects.in_force_on(day).filter(body=body)
            .prefetch_related("thresholds", "category_triggers")
            .order_by("-version").first())


def catalogue_among(rows: Iterable[ReviewCatalogue], body_id: int,
                    day: dt.date) -> ReviewCatalogue | None:
    """``catalogue_for`` among catalogues already read (their thresholds and triggers
    prefetched): for evaluating many cases at once."""
    return max((c for c in rows if c.body_id == body_id and c.in_force_on(day)),
               key=lambda c: c.version, default=None)


def review_scope(case: Any, procedure: Any = None) -> str:
    """Which catalogue triggers concern the case's decisions, by its procedure's category:
    ``SCOPE_PENALTY``, ``SCOPE_LICENSING`` or "" (none; the statutory triggers still
    apply). ``procedure``: the case's procedure when already read."""
    from zhifa.cases.procedures import BUILTIN, procedure_get

    if procedure is None:
        builtin = case.procedure in BUILTIN
        procedure = procedure_get(case.procedure, body=None if builtin else case.body)
    category = procedure.category
    if category == SCOPE_PENALTY and case.procedure != SUMMARY_PROCEDURE:
        return SCOPE_PENALTY
    if category == SCOPE_LICENSING:
        return SCOPE_LICENSING
    return ""


def stated_by(case: Any) -> str:
    """Who stated the judgement triggers: the person who took the case's latest
    ``submit_report`` step (its steps prefetched are used as they are)."""
    if getattr(case, "pk", None) is None:
        return ""  # a case not opened yet (the demo loader asks about one)
    if "steps" in getattr(case, "_prefetched_objects_cache", {}):
        reports = [s for s in case.steps.all() if s.action == "submit_report"]
        return max(reports, key=lambda s: s.pk).actor_name if reports else ""
    from zhifa.cases.models import CaseStep

    name = (CaseStep.objects.filter(case_id=case.pk, action="submit_report")
            .order_by("-id").values_list("actor_name", flat=True).first())
    return name or ""


def hearing_held_on(case: Any) -> dt.date | None:
    """The day of the case's latest hearing, or None when none was held: the later of its
    latest ``hold_hearing`` step and ``case.hearing_held_on``. A new investigation report (and
    a new prior notice) clears the case's field, for the party's rights start again, but the
    hearing was held: the decision still follows it, and needs a review after it (APL art. 58
    §1(2)). The case's steps prefetched are used as they are; otherwise one query."""
    held = getattr(case, "hearing_held_on", None)
    if getattr(case, "pk", None) is None:
        return held  # a case not opened yet (the demo loader asks about one)
    if "steps" in getattr(case, "_prefetched_objects_cache", {}):
        step_day = max((s.acted_on for s in case.steps.all() if s.action == HEARING_STEP),
                       default=None)
    else:
        from zhifa.cases.models import CaseStep

        step_day = (CaseStep.objects.filter(case_id=case.pk, action=HEARING_STEP)
                    .order_by("-acted_on").values_list("acted_on", flat=True).first())
    return max((d for d in (held, step_day) if d is not None), default=None)


def _amount(value: Any) -> int:
    if value in (None, ""):
        return 0
    return int(value)


def basis_for(case: Any, *, action: str = "", decision: Mapping[str, Any] | None = None,
              voluntary: bool = False, day: dt.date | None = None,
              scope: str | None = None) -> Basis:
    """The decision the determination is about: the one being made (``decision``: the
    deciding step's data) or else the proposal of the investigation report. A licensing
    decision is a grant when its step is ``grant``, otherwise a refusal (as the
    ``licence_decide`` effect records it). Whether a hearing was held: ``hearing_held_on``."""
    return _basis(case, hearing_held_on(case), action=action, decision=decision,
                  voluntary=voluntary, day=day, scope=scope)


def _basis(case: Any, heard: dt.date | None, *, action: str,
           decision: Mapping[str, Any] | None, voluntary: bool, day: dt.date | None,
           scope: str | None) -> Basis:
    """``basis_for`` with the day of the case's latest hearing already known (``heard``)."""
    scope = review_scope(case) if scope is None else scope
    report = (case.data or {}).get("submit_report", {}) or {}
    parties = tuple(sorted({p.party_type for p in case.parties.all()}))
    if decision is not None and scope == SCOPE_LICENSING:
        outcome = GRANT if action == "grant" else DENY
        kinds: tuple[str, ...] = ()
        fine = confiscation = 0
    elif decision is not None and "outcome" in decision:
        outcome = str(decision.get("outcome") or "")
        kinds = tuple(sorted(decision.get("kinds") or []))
        fine, confiscation = _amount(decision.get("fine")), _amount(decision.get("confiscation"))
    else:
        kinds = tuple(sorted(case.proposed_kinds or []))
        fine, confiscation = _amount(case.proposed_fine), _amount(case.proposed_confiscation)
        if scope == SCOPE_LICENSING:
            outcome = ""
        else:
            outcome = PENALTY if kinds else (NO_PENALTY if report else "")
    return Basis(
        procedure=case.procedure, outcome=outcome, kinds=kinds, fine=fine,
        confiscation=confiscation, party_types=parties,
        hearing_held=heard is not None,
        public_interest=bool(case.is_major),
        several_relations=bool(report.get("several_relations")),
        law_requires=str(report.get("law_requires") or "").strip(),
        benchmark=str(report.get("benchmark") or "").strip(),
        tier=str(report.get("tier") or ""), voluntary=voluntary,
        day=(day or timezone.localdate()).isoformat())


def threshold_for(catalogue: ReviewCatalogue, party_type: str) -> ReviewThreshold | None:
    rows = {t.party_type: t for t in catalogue.thresholds.all()}
    if party_type in rows:
        return rows[party_type]
    if party_type == PartyType.INDIVIDUAL_BUSINESS:
        return rows.get(PartyType.NATURAL_PERSON)
    return None


def _benchmark(case: Any, code: str, day: dt.date) -> DiscretionBenchmark | None:
    """The benchmark ``code`` in force on ``day`` for the case's region (the most specific
    region on its path)."""
    codes = [c for c in case.region.path.strip("/").split("/") if c]
    rows = list(DiscretionBenchmark.objects.in_force_on(day)
                .filter(code=code, region__code__in=codes).select_related("region"))
    if not rows:
        return None
    return max(rows, key=lambda b: codes.index(b.region.code))


def _category_hit(code: str, b: Basis, penalty: bool, case: Any, day: dt.date,
                  notes: list[str]) -> dict[str, Any] | None:
    """The parameters of a category trigger that applies, or None."""
    simple: dict[str, bool] = {
        ReviewTrigger.ALL_GENERAL_PROCEDURE: penalty,
        ReviewTrigger.HEARING_HELD: b.hearing_held,
        ReviewTrigger.MITIGATED: penalty and b.tier == Tier.MITIGATED,
        ReviewTrigger.LICENSING_REFUSAL: b.outcome == DENY,
    }
    if code in KIND_TRIGGERS:
        return {} if penalty and KIND_TRIGGERS[code] in b.kinds else None
    if code in simple:
        return {} if simple[code] else None
    if code not in (ReviewTrigger.BELOW_BENCHMARK, ReviewTrigger.ABOVE_BENCHMARK):
        return None  # coercive-measure triggers: not a decision this gate sees
    if not (penalty and b.benchmark and b.tier and "fine" in b.kinds):
        return None
    bench = _benchmark(case, b.benchmark, day)
    if bench is None:
        notes.append(_("No discretion benchmark %(code)s is in force here: compare the fine "
                       "with the benchmark by hand.") % {"code": b.benchmark})
        return None
    row: BenchmarkTier | None = bench.tiers.filter(tier=b.tier).first()
    if row is None:
        notes.append(_("Benchmark %(code)s has no tier “%(tier)s”: compare the fine with the "
                       "benchmark by hand.")
                     % {"code": b.benchmark, "tier": Tier(b.tier).label})
        return None
    if bench.amount_unit != AmountUnit.YUAN:
        notes.append(_("Benchmark %(code)s is not in fixed amounts: compare the fine with "
                       "the tier by hand.") % {"code": b.benchmark})
        return None
    params = {"fine": b.fine, "min": row.min_value, "max": row.max_value}
    if code == ReviewTrigger.BELOW_BENCHMARK:
        below = row.min_value is not None and b.fine < row.min_value
        return params if below else None
    above = row.max_value is not None and b.fine > row.max_value
    return params if above else None


def evaluate(case: Any, *, action: str = "", decision: Mapping[str, Any] | None = None,
             voluntary: bool = False, day: dt.date | None = None,
             catalogues: Iterable[ReviewCatalogue] | None = None,
             procedure: Any = None) -> Determination:
    """Every reason that requires review of the decision (see ``basis_for``) on ``day``
    (default today). To evaluate many cases without a query each: ``catalogues``, the
    body's catalogues already read (see ``catalogue_among``); ``procedure``, the case's."""
    day = day or timezone.localdate()
    scope = review_scope(case, procedure)
    heard = hearing_held_on(case)
    b = _basis(case, heard, action=action, decision=decision, voluntary=voluntary, day=day,
               scope=scope)
    reasons: list[dict[str, Any]] = []
    notes: list[str] = []
    who: list[str] = []

    def add(code: str, kind: str, **params: Any) -> None:
        if code in STATED:
            if not who:
                who.append(stated_by(case))
            params["stated_by"] = who[0]
        reasons.append({"code": code, "kind": kind, "params": params})

    deciding = b.outcome in (PENALTY, NO_PENALTY, DENY) or (
        b.outcome == "" and scope == SCOPE_PENALTY)
    if b.public_interest:
        add("public_interest", "statutory")
    if b.hearing_held:
        add("hearing_held", "statutory")
    if b.several_relations:
        add("several_relations", "statutory")
    if b.law_requires:
        add("by_law", "statutory", law=b.law_requires)
    catalogue = (catalogue_for(case.body, day) if catalogues is None
                 else catalogue_among(catalogues, case.body_id, day))
    if catalogue is not None and deciding:
        meta = {"catalogue": catalogue.code, "version": catalogue.version,
                "catalogue_title": catalogue.title}
        penalty = b.outcome == PENALTY and scope == SCOPE_PENALTY
        if penalty:
            seen: set[str] = set()
            for party_type in b.party_types:
                t = threshold_for(catalogue, party_type)
                if t is None or t.party_type in seen:
                    continue
                confiscation = b.confiscation if t.counts_confiscation else 0
                amount = b.fine + confiscation
                if amount and t.is_met(amount):
                    seen.add(t.party_type)
                    add(f"threshold:{party_type}", "threshold", party_type=party_type,
                        amount=amount, confiscation=confiscation, threshold=t.amount_fen,
                        comparator=t.comparator, counts_confiscation=t.counts_confiscation,
                        **meta)
        for trig in sorted(catalogue.category_triggers.all(), key=lambda t: t.trigger):
            hit = _category_hit(trig.trigger, b, penalty, case, day, notes)
            if hit is not None:
                add(trig.trigger, "category", **hit, **meta)
    if voluntary:
        add("voluntary", "voluntary")
    return Determination(required=bool(reasons), reasons=tuple(reasons), basis=b,
                         catalogue=catalogue, notes=tuple(dict.fromkeys(notes)),
                         hearing_on=heard)
