"""Legal guards: named checks that run inside ``case_act`` before an action changes anything.

Each guard returns the reasons it refuses (empty when the action may go ahead). A reason
names its legal source, and the message is shown to the officer as it is. A non-blocking
reason is a warning recorded with the step (e.g. a minor party: APL art. 30).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from zhifa.catalog.models import PartyType
from zhifa.core.money import fen_to_yuan
from zhifa.orgs.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    PersonRole,
    Region,
    RoleKind,
)
from zhifa.orgs.selectors import VALIDITY_REASON_TEXT, certificate_validity

from . import hooks
from .models import Case, CaseDeadline, CaseOfficer, DeadlineState

if TYPE_CHECKING:
    from .procedures import Action, Procedure


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    source: str
    blocking: bool = True
    detail: Any = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message,
                               "source": self.source}
        if not self.blocking:
            out["warning"] = True
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass
class GuardContext:
    case: Case
    actor: Any
    procedure: Procedure
    action: Action
    data: dict[str, Any]
    on: dt.date  # the date of the step
    today: dt.date
    cache: dict[str, Any] = field(default_factory=dict)

    def running(self, rule: str) -> CaseDeadline | None:
        return next((d for d in self.deadlines() if d.rule_code == rule
                     and d.state == DeadlineState.RUNNING), None)

    def deadlines(self) -> list[CaseDeadline]:
        if "deadlines" not in self.cache:
            self.cache["deadlines"] = list(self.case.deadlines.all())
        return self.cache["deadlines"]

    def parties(self) -> list[Any]:
        if "parties" not in self.cache:
            self.cache["parties"] = list(self.case.parties.all())
        return self.cache["parties"]

    def on_case(self, person_id: int) -> bool:
        return person_on_case(self.case, person_id, self.cache)


def person_on_case(case: Case, person_id: int, cache: dict[str, Any]) -> bool:
    """Whether the person is one of the case's officers, asked once per action: the role
    check and the guards share the answer through the context's cache (``case_act`` hands
    the same dict to both, and fills it for the acting person when it locks the case)."""
    known = cache.setdefault("on_case", {})
    if person_id not in known:
        known[person_id] = CaseOfficer.objects.filter(case_id=case.pk,
                                                      person_id=person_id).exists()
    return bool(known[person_id])


Guard = Callable[[GuardContext], list[Refusal]]
GUARDS: dict[str, Guard] = {}


def guard(name: str) -> Callable[[Guard], Guard]:
    def register(fn: Guard) -> Guard:
        GUARDS[name] = fn
        return fn
    return register


# -- officers --------------------------------------------------------------------------

def _certified_count_sql() -> str:
    """One statement counting the case's officers who count for the officer guards: not
    auxiliary-only (a person with no role kinds counts, as in ``_certified_officers``) and
    holding a certificate that was valid on the day for the case's region and sector.

    Validity is ``Certificate.status_on`` and ``certificate_validity`` written in SQL: within
    the issue and expiry dates (both inclusive), the latest status change effective on or
    before the day (by date, then id) is "valid" or there is none, an area whose path is a
    prefix of the case region's path (``Region.covers``: ``str.startswith``, compared with
    ``substr`` so that LIKE's wildcards and SQLite's case folding play no part), and the
    case's sector among the categories. The case's region and sector are read from the
    locked case row's ids, so the guard needs neither loaded. Built from the models' table
    names so that a renamed table cannot leave it behind."""
    q = connection.ops.quote_name
    officer, role, cert = (q(m._meta.db_table) for m in (CaseOfficer, PersonRole, Certificate))
    change, region = q(CertificateStatusChange._meta.db_table), q(Region._meta.db_table)
    areas = q(Certificate.areas.through._meta.db_table)
    categories = q(Certificate.categories.through._meta.db_table)
    return (
        f"SELECT COUNT(*) FROM {officer} o WHERE o.case_id = %(case)s"
        f" AND (NOT EXISTS (SELECT 1 FROM {role} r WHERE r.person_id = o.person_id)"
        f" OR EXISTS (SELECT 1 FROM {role} r WHERE r.person_id = o.person_id"
        f" AND r.kind <> %(auxiliary)s))"
        f" AND EXISTS (SELECT 1 FROM {cert} c WHERE c.person_id = o.person_id"
        f" AND c.issue_date <= %(day)s AND c.expiry_date >= %(day)s"
        f" AND EXISTS (SELECT 1 FROM {categories} k"
        f" WHERE k.certificate_id = c.id AND k.sector_id = %(sector)s)"
        f" AND EXISTS (SELECT 1 FROM {areas} a JOIN {region} g ON g.id = a.region_id"
        f" WHERE a.certificate_id = c.id"
        f" AND substr((SELECT p.path FROM {region} p WHERE p.id = %(region)s), 1,"
        f" length(g.path)) = g.path)"
        f" AND COALESCE((SELECT s.to_status FROM {change} s WHERE s.certificate_id = c.id"
        f" AND s.effective_date <= %(day)s ORDER BY s.effective_date DESC, s.id DESC"
        f" LIMIT 1), %(valid)s) = %(valid)s)"
    )


_CERTIFIED_SQL: dict[str, str] = {}


def certified_officer_count(case: Case, day: dt.date) -> int:
    """How many of the case's officers count for the officer guards on ``day``: the same
    answer as ``len(_certified_officers(ctx)[0])``, in one statement. The guards use it to
    let an action through; a refusal is explained by the detailed check."""
    sql = _CERTIFIED_SQL.get(connection.vendor)
    if sql is None:
        sql = _CERTIFIED_SQL[connection.vendor] = _certified_count_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, {
            "case": case.pk, "auxiliary": RoleKind.AUXILIARY.value,
            "day": connection.ops.adapt_datefield_value(day), "sector": case.sector_id,
            "region": case.region_id, "valid": CertificateStatus.VALID.value})
        row = cursor.fetchone()
    return int(row[0])


def _certified_officers(ctx: GuardContext) -> tuple[list[str], list[dict[str, Any]]]:
    """Names of the case's officers whose certificate was valid for the case's area and
    category on the step's date, and why the others were not."""
    case = ctx.case
    officers = list(case.officers.select_related("person").prefetch_related(
        "person__roles",
        Prefetch("person__certificates", queryset=Certificate.objects.prefetch_related(
            "areas", "categories",
            Prefetch("status_changes", queryset=CertificateStatusChange.objects.order_by(
                "effective_date", "id")),
        )),
    ))
    valid: list[str] = []
    problems: list[dict[str, Any]] = []
    for officer in officers:
        person = officer.person
        kinds = {r.kind for r in person.roles.all()}
        if kinds and kinds <= {RoleKind.AUXILIARY}:
            problems.append({"person": person.name, "reasons": [
                str(_("Auxiliary staff hold no enforcement certificate."))]})
            continue
        reasons: list[str] = []
        ok = False
        for cert in person.certificates.all():
            v = certificate_validity(cert, day=ctx.on, region=case.region, sector=case.sector)
            if v.valid:
                ok = True
                break
            reasons.extend(str(VALIDITY_REASON_TEXT[r]) for r in v.reasons)
        if ok:
            valid.append(person.name)
        else:
            problems.append({"person": person.name,
                             "reasons": reasons or [str(_("No enforcement certificate."))]})
    return valid, problems


@guard("two_certified_officers")
def two_certified_officers(ctx: GuardContext) -> list[Refusal]:
    if certified_officer_count(ctx.case, ctx.on) >= 2:
        return []
    valid, problems = _certified_officers(ctx)
    if len(valid) >= 2:
        return []
    return [Refusal(
        "two_certified_officers",
        _("At least two enforcement officers holding certificates valid for %(region)s and "
          "%(sector)s on %(day)s must take part; valid: %(count)d.") % {
            "region": ctx.case.region.name, "sector": ctx.case.sector.name,
            "day": ctx.on.isoformat(), "count": len(valid)},
        "行政处罚法第四十二条、第五十五条；行政强制法第十八条",
        detail=problems,
    )]


@guard("summary_officers")
def summary_officers(ctx: GuardContext) -> list[Refusal]:
    """APL art. 42: at least two officers "unless a law provides otherwise" — e.g. the Road
    Traffic Safety Law lets one traffic officer decide on the spot. Sectors where a law allows
    one officer are configured (``ZHIFA_SUMMARY_SINGLE_OFFICER_SECTORS``)."""
    single = set(getattr(settings, "ZHIFA_SUMMARY_SINGLE_OFFICER_SECTORS", ()) or ())
    if ctx.case.sector.code in single:
        return one_certified_officer(ctx)
    return two_certified_officers(ctx)


@guard("one_certified_officer")
def one_certified_officer(ctx: GuardContext) -> list[Refusal]:
    if certified_officer_count(ctx.case, ctx.on) >= 1:
        return []
    valid, problems = _certified_officers(ctx)
    if valid:
        return []
    return [Refusal(
        "one_certified_officer",
        _("An on-the-spot decision needs an officer holding a certificate valid for %(region)s "
          "and %(sector)s on %(day)s.") % {
            "region": ctx.case.region.name, "sector": ctx.case.sector.name,
            "day": ctx.on.isoformat()},
        "行政处罚法第五十二条",
        detail=problems,
    )]


def actor_is_auxiliary(actor: Any) -> bool:
    """An account acting only as auxiliary staff, or whose person is only auxiliary."""
    roles = set(getattr(actor, "roles", None) or [])
    if roles and roles <= {"auxiliary"}:
        return True
    person = getattr(actor, "person", None)
    if person is not None:
        kinds = {r.kind for r in person.roles.all()}
        if kinds and kinds <= {RoleKind.AUXILIARY}:
            return True
    return False


def not_auxiliary(actor: Any) -> list[Refusal]:
    if not actor_is_auxiliary(actor):
        return []
    return [Refusal("auxiliary_cannot_decide",
                    _("Auxiliary staff may not make or sign enforcement decisions."),
                    "行政处罚法第四十二条")]


@guard("reviewer_not_handler")
def reviewer_not_handler(ctx: GuardContext) -> list[Refusal]:
    person_id = getattr(ctx.actor, "person_id", None)
    if person_id is not None and ctx.on_case(person_id):
        return [Refusal("reviewer_is_handler",
                        _("The legal reviewer may not be one of the case's handlers."),
                        "行政处罚法第五十八条；国办发〔2018〕118号")]
    return []


# -- registration ---------------------------------------------------------------------

@guard("limitation")
def limitation(ctx: GuardContext) -> list[Refusal]:
    from zhifa.workdays.calendar import rule_get

    act_date = ctx.data.get("act_date") or ctx.case.act_date
    if act_date is None:
        return []
    rule = "apl_limitation_5y" if ctx.data.get("serious_harm") else "apl_limitation_2y"
    # the years come from the rule table; the limitation is substantive, so its end is not
    # moved to a working day (CPL art. 85 is about procedural periods)
    years = rule_get(rule).n
    end = _add_years(act_date, years)
    discovered = ctx.case.received_on
    if discovered <= end or ctx.data.get("limitation_override"):
        return []
    return [Refusal(
        "limitation_expired",
        _("The act of %(act)s was discovered on %(found)s, after the %(years)d-year limitation "
          "period ended on %(due)s: no penalty may be imposed. Record a reason to register "
          "anyway (e.g. a continuing act).") % {
            "act": act_date.isoformat(), "found": discovered.isoformat(), "years": years,
            "due": end.isoformat()},
        "行政处罚法第三十六条",
    )]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# -- summary procedure ----------------------------------------------------------------

DEFAULT_SUMMARY_LIMITS = {  # fen; APL art. 51: 200 yuan citizens, 3,000 yuan organisations
    PartyType.NATURAL_PERSON: 20_000,
    PartyType.INDIVIDUAL_BUSINESS: 20_000,
    PartyType.ORGANISATION: 300_000,
}


def summary_limits() -> dict[str, int]:
    return {**DEFAULT_SUMMARY_LIMITS, **getattr(settings, "ZHIFA_SUMMARY_LIMITS", {})}


@guard("summary_thresholds")
def summary_thresholds(ctx: GuardContext) -> list[Refusal]:
    kinds = set(ctx.data.get("kinds") or [])
    fine = ctx.data.get("fine") or 0
    out: list[Refusal] = []
    if kinds - {"warning", "fine"}:
        out.append(Refusal("summary_kind",
                           _("The summary procedure only allows a warning or a fine."),
                           "行政处罚法第五十一条"))
    if "fine" in kinds and not fine:
        out.append(Refusal("summary_fine_missing", _("Enter the amount of the fine."),
                           "行政处罚法第五十一条"))
    if fine and "fine" not in kinds:
        out.append(Refusal("summary_fine_kind", _("A fine was entered but not selected."),
                           "行政处罚法第五十一条"))
    limits = summary_limits()
    for party in ctx.parties():
        limit = limits.get(party.party_type, limits[PartyType.ORGANISATION])
        if fine > limit:
            out.append(Refusal(
                "summary_over_threshold",
                _("A fine of %(fine)s yuan on %(party)s is above the summary-procedure limit of "
                  "%(limit)s yuan: use the general procedure.") % {
                    "fine": fen_to_yuan(fine), "party": party.name,
                    "limit": fen_to_yuan(limit)},
                "行政处罚法第五十一条"))
    if ctx.data.get("paid_on_spot") and fine > 10_000:
        out.append(Refusal(
            "on_spot_collection_over_100",
            _("Fines above 100 yuan are collected on the spot only where paying later would be "
              "hard to enforce (e.g. remote areas): state why in the record."),
            "行政处罚法第六十八条", blocking=False))
    return out


# -- age of the party -----------------------------------------------------------------

def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _imposes_penalty(ctx: GuardContext) -> bool:
    if ctx.action.code == "decide":
        return ctx.data.get("outcome") == "penalty"
    if ctx.action.code == "serve_notice":
        return bool(ctx.case.proposed_kinds)
    return True


@guard("party_age")
def party_age(ctx: GuardContext) -> list[Refusal]:
    act_date = ctx.data.get("act_date") or ctx.case.act_date or ctx.case.received_on
    out: list[Refusal] = []
    for party in ctx.parties():
        if party.party_type != PartyType.NATURAL_PERSON or party.birth_date is None:
            continue
        age = _age_on(party.birth_date, act_date)
        if age < 14:
            if _imposes_penalty(ctx):
                out.append(Refusal(
                    "party_under_14",
                    _("%(party)s was %(age)d on the date of the act: no administrative penalty "
                      "for a person under 14; the guardian is ordered to discipline.") % {
                        "party": party.name, "age": age},
                    "行政处罚法第三十条"))
        elif age < 18:
            out.append(Refusal(
                "party_minor",
                _("%(party)s was %(age)d on the date of the act: the penalty must be lighter or "
                  "mitigated.") % {"party": party.name, "age": age},
                "行政处罚法第三十条", blocking=False))
    return out


# -- notice, defence, hearing ---------------------------------------------------------

@guard("defence_period_over")
def defence_period_over(ctx: GuardContext) -> list[Refusal]:
    if not _imposes_penalty(ctx):
        return []  # the prior notice and the defence precede a penalty (APL art. 44)
    case = ctx.case
    if case.notice_served_on is None:
        return [Refusal("prior_notice_missing",
                        _("The prior notice of the proposed penalty has not been served."),
                        "行政处罚法第四十四条、第六十二条")]
    if case.defence_waived:
        return []
    out = []
    for rule in ("apl_statement_3", "apl_hearing_request_5"):
        d = ctx.running(rule)
        if d is not None and ctx.on <= d.due:
            out.append(Refusal(
                "defence_period_running",
                _("The party may still make statements, defend itself or request a hearing "
                  "until %(due)s; decide after that date or record a written waiver.") % {
                    "due": d.due.isoformat()},
                "行政处罚法第四十五条、第六十二条、第六十四条"))
            break
    return out


@guard("hearing_right")
def hearing_right(ctx: GuardContext) -> list[Refusal]:
    if ctx.case.hearing_right:
        return []
    return [Refusal("no_hearing_right",
                    _("The proposed penalty does not give the party a right to a hearing."),
                    "行政处罚法第六十三条")]


@guard("hearing_request_in_time")
def hearing_request_in_time(ctx: GuardContext) -> list[Refusal]:
    d = ctx.running("apl_hearing_request_5")
    requested = ctx.data.get("requested_on") or ctx.on
    if d is None or requested <= d.due:
        return []
    return [Refusal(
        "hearing_request_late",
        _("The hearing was requested on %(on)s, after the period that ended on %(due)s.") % {
            "on": requested.isoformat(), "due": d.due.isoformat()},
        "行政处罚法第六十四条")]


@guard("hearing_notice_period")
def hearing_notice_period(ctx: GuardContext) -> list[Refusal]:
    from zhifa.workdays.calendar import deadline_for
    from zhifa.workdays.models import period_text

    hearing_on = ctx.data.get("hearing_on")
    if hearing_on is None:
        return []
    notice = deadline_for(rule="apl_hearing_notice_7", start=ctx.on)
    if hearing_on >= notice.due:
        return []
    return [Refusal(
        "hearing_notice_short",
        _("The party must be notified %(period)s before the hearing: the hearing can be held "
          "on %(earliest)s at the earliest.") % {
            "period": period_text(notice.n, notice.unit), "earliest": notice.due.isoformat()},
        notice.source or "行政处罚法第六十四条")]


@guard("hearing_scheduled")
def hearing_scheduled(ctx: GuardContext) -> list[Refusal]:
    if ctx.case.hearing_on is None:
        return [Refusal("hearing_not_notified", _("The hearing has not been notified."),
                        "行政处罚法第六十四条")]
    if ctx.on < ctx.case.hearing_on:
        return [Refusal("hearing_not_yet",
                        _("The hearing is set for %(day)s.") % {
                            "day": ctx.case.hearing_on.isoformat()},
                        "行政处罚法第六十四条")]
    return []


@guard("hearing_held_if_requested")
def hearing_held_if_requested(ctx: GuardContext) -> list[Refusal]:
    case = ctx.case
    if not _imposes_penalty(ctx):
        return []  # the hearing is on the proposed penalty (APL art. 63)
    if case.hearing_requested_on and not case.hearing_held_on:
        return [Refusal("hearing_not_held",
                        _("The party requested a hearing: hold it before deciding."),
                        "行政处罚法第六十三条、第六十五条")]
    return []


@guard("penalty_not_increased")
def penalty_not_increased(ctx: GuardContext) -> list[Refusal]:
    if ctx.data.get("outcome") != "penalty":
        return []
    case = ctx.case
    out: list[Refusal] = []
    added = set(ctx.data.get("kinds") or []) - set(case.proposed_kinds or [])
    if added:
        out.append(Refusal("penalty_kind_added",
                           _("The decision adds penalties that were not in the prior notice."),
                           "行政处罚法第四十四条、第四十五条"))
    for name, proposed in (("fine", case.proposed_fine), ("confiscation",
                                                          case.proposed_confiscation)):
        final = ctx.data.get(name) or 0
        if final > (proposed or 0):
            out.append(Refusal(
                "penalty_increased",
                _("The decided %(what)s of %(final)s yuan is above the %(proposed)s yuan "
                  "proposed in the prior notice; the penalty may not be increased because the "
                  "party defended itself. Serve a new prior notice instead.") % {
                    "what": _("fine") if name == "fine" else _("confiscation"),
                    "final": fen_to_yuan(final), "proposed": fen_to_yuan(proposed or 0)},
                "行政处罚法第四十五条"))
    return out


@guard("legal_review_passed")
def legal_review_passed(ctx: GuardContext) -> list[Refusal]:
    return hooks.run("legal_review_passed", ctx)


@guard("review_step")
def review_step(ctx: GuardContext) -> list[Refusal]:
    """The legal-review steps: once the reviews app is installed, only its services take
    them (with the review package, the structured opinion and the discussion record)."""
    return hooks.run("review_step", ctx)


@guard("collective_if_complex")
def collective_if_complex(ctx: GuardContext) -> list[Refusal]:
    if ctx.case.is_complex and ctx.case.discussed_on is None:
        return [Refusal("collective_discussion_missing",
                        _("A complex or major case must be discussed collectively by the "
                          "agency's leaders before the decision."),
                        "行政处罚法第五十七条第二款")]
    return []


@guard("freezing_measure")
def freezing_measure(ctx: GuardContext) -> list[Refusal]:
    if ctx.case.flags.get("measure") == "freeze":
        return []
    return [Refusal("not_a_freezing", _("Only a freezing of deposits has a freezing decision to "
                                        "deliver."), "行政强制法第三十一条")]


@guard("witness_if_absent")
def witness_if_absent(ctx: GuardContext) -> list[Refusal]:
    if ctx.data.get("party_absent") and not ctx.data.get("witness_signed"):
        return [Refusal("witness_missing",
                        _("The party was absent: a witness must be present and sign the on-site "
                          "record."), "行政强制法第十八条第九项")]
    return []


@guard("av_recorded")
def av_recorded(ctx: GuardContext) -> list[Refusal]:
    return hooks.run("av_recorded", ctx)


@guard("decision_document")
def decision_document(ctx: GuardContext) -> list[Refusal]:
    # the draft decision document is complete: APL art. 59's elements and, for a
    # general-procedure decision, the three written reasons (湖南省行政程序规定)
    return hooks.run("decision_document", ctx)


# -- execution ------------------------------------------------------------------------

@guard("reminder_period_over")
def reminder_period_over(ctx: GuardContext) -> list[Refusal]:
    # a later reminder restarts the period: judge by the one still running
    d = ctx.running("acl_reminder_10")
    if ctx.case.reminder_served_on is None or d is None:
        return [Refusal("reminder_missing",
                        _("A reminder (催告书) must be served before applying to the court."),
                        "行政强制法第五十四条")]
    if ctx.on <= d.due:
        return [Refusal("reminder_period_running",
                        _("The party has until %(due)s after the reminder to perform.") % {
                            "due": d.due.isoformat()},
                        "行政强制法第五十四条")]
    return []


@guard("execution_reminder_over")
def execution_reminder_over(ctx: GuardContext) -> list[Refusal]:
    """The agency's own coercive execution: a reminder first, then the party's period to
    perform (ACL arts. 35–37); forced demolition also needs an announcement ordering the
    party to demolish within a time limit (ACL art. 44)."""
    out: list[Refusal] = []
    d = ctx.running("acl_reminder_10")
    if ctx.case.reminder_served_on is None or d is None:
        out.append(Refusal("reminder_missing",
                           _("A reminder (催告书) must be served before coercive execution."),
                           "行政强制法第三十五条、第三十七条"))
    elif ctx.on <= d.due:
        out.append(Refusal("reminder_period_running",
                           _("The party has until %(due)s after the reminder to perform.") % {
                               "due": d.due.isoformat()},
                           "行政强制法第三十七条"))
    if ctx.data.get("kind") == "demolition" and not ctx.data.get("announced_on"):
        out.append(Refusal("demolition_not_announced",
                           _("Forced demolition needs a prior announcement ordering the party "
                             "to demolish within a time limit: enter its date."),
                           "行政强制法第四十四条"))
    return out


@guard("execution_complete")
def execution_complete(ctx: GuardContext) -> list[Refusal]:
    case = ctx.case
    owed = (case.final_fine or 0) if case.outcome == "penalty" else 0
    if owed and case.paid < owed and case.court_applied_on is None:
        return [Refusal(
            "execution_incomplete",
            _("%(paid)s of %(owed)s yuan has been paid and no court enforcement was applied "
              "for: the case cannot be closed yet.") % {
                "paid": fen_to_yuan(case.paid), "owed": fen_to_yuan(owed)},
            "行政处罚法第六十七条、第七十二条；行政强制法第五十三条")]
    return []


@guard("licence_granted")
def licence_granted(ctx: GuardContext) -> list[Refusal]:
    if ctx.case.outcome != "granted":
        return [Refusal("licence_not_granted",
                        _("A certificate is only issued for a granted licence."),
                        "行政许可法第三十九条")]
    return []


# -- dates ----------------------------------------------------------------------------

# Dates that are not the step's own: ahead (a hearing date, a deferral's new final date, …)
# or about the facts (the date of the act, before the case began).
FORWARD_DATES = {"hearing_on", "until", "valid_until", "correct_by", "act_date", "announced_on"}


def dates_in_order(ctx: GuardContext) -> list[Refusal]:
    """A step may be recorded after the fact (a paper record entered later), but never dated
    before the case was received or before the previous step: otherwise back-dating a
    service would shorten the party's statement and hearing periods (APL arts. 44, 45, 64).
    The ledger keeps both the date entered and the moment it was recorded."""
    floor = ctx.case.received_on
    steps = ctx.case.steps.all()
    if "floor_before" in ctx.cache:
        # an approval performs the step asked for earlier: steps recorded while it waited
        # do not move its floor (otherwise a pending request could never be approved)
        steps = steps.filter(recorded_at__lt=ctx.cache["floor_before"])
    last = steps.order_by("-id").values_list("acted_on", flat=True).first()
    if last is not None and last > floor:
        floor = last
    # moments (on-site times) are checked against the step's own date by ``cases.fields``
    early = sorted(name for name, value in ctx.data.items()
                   if isinstance(value, dt.date) and not isinstance(value, dt.datetime)
                   and name not in FORWARD_DATES and value < floor)
    if not early:
        return []
    return [Refusal(
        "date_before_previous_step",
        _("A step cannot be dated before %(day)s, the date of the case's previous step (or of "
          "its receipt).") % {"day": floor.isoformat()},
        "国办发〔2018〕118号", detail={"fields": early})]
