"""Recipes of the summary procedure, coercive measures, inspections, licensing and the
generic procedure; all recipes by name in ``RECIPES``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...data.cases.other import (
    DENIAL,
    EXTENSION,
    EXTENSION_REASON,
    HANDLING,
    PAUSE_REASONS,
    REFUSAL,
    TESTING_REASONS,
)
from .content import Facts
from .general import INVESTIGATE as G_INVESTIGATE
from .general import RECIPES as GENERAL
from .general import REGISTER, START
from .recordings import onsite_times
from .steps import Aim, Recipe, Step

# ACL art. 18 items (1)–(8) and (10); item (9), the witness when the party is absent, is
# recorded by the fields ``party_absent`` and ``witness_signed``
ACL18 = ["approval", "two_officers", "certificates", "notify_party", "inform", "hear",
         "record", "signatures", "other"]


def _r(name: str, procedure: str, steps: tuple[Step, ...], idle: int = 0,
       aim: Aim | None = None, needs: tuple[str, ...] = (), spread: int = 0) -> Recipe:
    return Recipe(name=name, procedure=procedure, steps=steps, idle=idle, aim=aim,
                  needs=frozenset(needs), spread=spread)


ARCHIVE = Step("archive", 5, lambda f, on: {"archive_number": f.archive_number})


def _close(text: str, gap: int = 3) -> Step:
    return Step("close", gap, {"summary": text})


# --- summary procedure ----------------------------------------------------------------
def _on_spot(paid: bool) -> Step:
    def data(f: Facts, on: dt.date) -> dict[str, Any]:
        v = f.violation
        assert v is not None
        return {"act_date": on, "facts": v.facts.format(party=f.party_name),
                "kinds": f.kinds, "fine": str(f.fine) if f.fine else "", "serial": f.serial,
                "paid_on_spot": paid and bool(f.fine)}
    return Step("decide_on_spot", 0, data)


S_PAY = Step("record_payment", 5, lambda f, on: {
    "amount": str(f.fine), "receipt": f"JY{on:%Y%m%d}{f.serial[-4:]}"})
S_FILE = Step("file_with_agency", 1)
S_CLOSE = _close("当场处罚决定已履行，予以结案。", 2)
SUMMARY = "summary"
SUMMARY_RECIPES = [
    _r("s_on_site", SUMMARY, (), needs=("summary",)),
    _r("s_unpaid", SUMMARY, (_on_spot(False),), idle=3, needs=("summary", "fine"), spread=2),
    _r("s_paid", SUMMARY, (_on_spot(True),), idle=1, needs=("summary",), spread=2),
    _r("s_filed", SUMMARY, (_on_spot(True), S_FILE), idle=4, needs=("summary",), spread=10),
    _r("s_paid_later", SUMMARY, (_on_spot(False), S_PAY, S_FILE), idle=2,
       needs=("summary", "fine"), spread=5),
    _r("s_closed", SUMMARY, (_on_spot(True), S_FILE, S_CLOSE), idle=8, needs=("summary",),
       spread=90),
    _r("s_archived", SUMMARY, (_on_spot(True), S_FILE, S_CLOSE, ARCHIVE), idle=20,
       needs=("summary",), spread=320),
    _r("s_minor", SUMMARY, (_on_spot(False), S_FILE, S_CLOSE), idle=5,
       needs=("summary", "minor", "warning"), spread=60),
]

# --- coercive measures ----------------------------------------------------------------
C = "coercive"
# sealing up and impoundment state their time on site; the walker uploads the body-camera
# recording that covers it first (see recordings.py)
APPLY = Step("apply_measure", 1, lambda f, on: {
    "measure": f.measure, "items": f.items, "place": f.place, "steps": ACL18,
    "party_absent": f.party_absent, "witness_signed": f.party_absent,
    **onsite_times(f.place + f.items, on)})
TEST = Step("start_testing", 2, {"reason": TESTING_REASONS[0]})
TESTED = Step("end_testing", 9)
EXTEND = Step("extend_measure", 24, lambda f, on: {"days": f.extension_days,
                                                   "reason": EXTENSION_REASON})


def _handle(kind: str, gap: int = 6) -> Step:
    return Step("handle", gap, {"handling": kind, "reason": HANDLING[kind]})


COERCIVE_RECIPES = [
    _r("c_proposed", C, ()),
    _r("c_pending", C, (Step("apply_measure", 0, APPLY.data, pending=0),)),
    _r("c_due", C, (APPLY,), aim=Aim("acl_seizure_30", "apply_measure", 0, 6)),
    _r("c_over", C, (APPLY,), aim=Aim("acl_seizure_30", "apply_measure", -9, -1)),
    _r("c_testing", C, (APPLY, TEST), idle=10),
    _r("c_tested", C, (APPLY, TEST, TESTED), idle=4, spread=3),
    _r("c_extend_pending", C, (APPLY, Step("extend_measure", 24, EXTEND.data, pending=0))),
    _r("c_extended", C, (APPLY, EXTEND), idle=8, spread=5),
    _r("c_handled", C, (APPLY, _handle("release", 12)), idle=3, spread=20),
    _r("c_closed", C, (APPLY, TEST, TESTED, _handle("confiscate", 3),
                       _close("涉案财物已依法处理，予以结案。")), idle=6, spread=60),
    _r("c_archived", C, (APPLY, _handle("destroy", 15), _close("涉案财物已依法处理，予以结案。"),
                         ARCHIVE), idle=15, spread=250),
]

# --- inspections ----------------------------------------------------------------------
INSP = "inspection"
INSPECT = Step("start_inspection", 1, lambda f, on: {
    "place": f.place, "findings": f.inspection.findings_ok if f.inspection else ""})
INSPECT_PROBLEM = Step("start_inspection", 1, lambda f, on: {
    "place": f.place, "findings": f.inspection.findings_problem if f.inspection else ""})
NO_FINDING = Step("conclude", 1, lambda f, on: {
    "result": "no_finding", "conclusion": "未发现违法违规问题，检查结果依法公示。"})
ORDER = Step("conclude", 1, lambda f, on: {
    "result": "order_to_correct",
    "conclusion": f"责令{f.party_name}{f.inspection.order if f.inspection else '限期改正'}。",
    "correct_by": on + dt.timedelta(days=15)})
OPEN_CASE = Step("conclude", 1, lambda f, on: {
    "result": "case", "conclusion": "发现涉嫌违法行为，依法移交立案查处。"})
I_CLOSE = _close("检查结论已告知被检查对象并依法公示，予以办结。")
INSPECTION_RECIPES = [
    _r("i_planned", INSP, (), spread=3),
    _r("i_inspecting", INSP, (INSPECT,), idle=2, spread=3),
    _r("i_no_finding", INSP, (INSPECT, NO_FINDING), idle=3, spread=60),
    _r("i_order", INSP, (INSPECT_PROBLEM, ORDER), idle=16, spread=40),
    _r("i_case", INSP, (INSPECT_PROBLEM, OPEN_CASE), idle=2, spread=10),
    _r("i_case_registered", INSP, (INSPECT_PROBLEM, OPEN_CASE, *(
        Step(s.action, s.gap, s.data, child=True) for s in (REGISTER, START, G_INVESTIGATE))),
       idle=5, spread=8),
    _r("i_closed", INSP, (INSPECT, NO_FINDING, I_CLOSE), idle=5, spread=120),
    _r("i_archived", INSP, (INSPECT_PROBLEM, ORDER, Step("close", 16, I_CLOSE.data), ARCHIVE),
       idle=10, spread=300),
]

# --- licensing ------------------------------------------------------------------------
L = "licensing"
ACCEPT = Step("accept", 2)
MATERIALS = Step("request_materials", 2, lambda f, on: {"missing": f.missing})
SUPPLIED = Step("materials_supplied", 6)
REFUSE = Step("refuse_acceptance", 2, {"reason": REFUSAL})
PAUSE_EXPERT = Step("start_pause", 5, {"kind": "expert", "reason": PAUSE_REASONS["expert"]})
PAUSE_TEST = Step("start_pause", 4, {"kind": "testing", "reason": PAUSE_REASONS["testing"]})
PAUSE_END = Step("end_pause", 8)
L_EXTEND = Step("extend_decision", 16, {"reason": EXTENSION})
GRANT = Step("grant", 10, lambda f, on: {"licence_number": f.licence_number})
DENY = Step("deny", 12, {"reason": DENIAL})
ISSUE = Step("issue_certificate", 3)
L_CLOSE = _close("许可决定已送达，予以办结。")
LICENSING_RECIPES = [
    _r("l_applied_due", L, (), aim=Aim("all_acceptance_5", "", 0, 4)),
    _r("l_applied_over", L, (), aim=Aim("all_acceptance_5", "", -6, -1)),
    _r("l_materials", L, (MATERIALS,), idle=4, spread=5),
    _r("l_resupplied", L, (MATERIALS, SUPPLIED), aim=Aim("all_acceptance_5",
                                                         "materials_supplied", 0, 4)),
    _r("l_not_accepted", L, (REFUSE,), idle=6, spread=90),
    _r("l_reviewing_due", L, (ACCEPT,), aim=Aim("all_decision_20", "accept", 0, 5)),
    _r("l_reviewing_over", L, (ACCEPT,), aim=Aim("all_decision_20", "accept", -5, -1)),
    _r("l_paused", L, (ACCEPT, PAUSE_EXPERT), idle=6, spread=5),
    _r("l_pause_ended", L, (ACCEPT, PAUSE_TEST, PAUSE_END), idle=3),
    _r("l_extended", L, (ACCEPT, L_EXTEND), idle=5, spread=3),
    _r("l_grant_pending", L, (ACCEPT, Step("grant", 10, GRANT.data, pending=0))),
    _r("l_granted_due", L, (ACCEPT, GRANT), aim=Aim("all_certificate_10", "grant", 0, 6)),
    _r("l_denied", L, (ACCEPT, DENY), idle=5, spread=5),
    _r("l_certified", L, (ACCEPT, GRANT, ISSUE), idle=3, spread=10),
    _r("l_closed", L, (ACCEPT, DENY, L_CLOSE), idle=8, spread=120),
    _r("l_archived", L, (MATERIALS, SUPPLIED, ACCEPT, L_EXTEND, GRANT, ISSUE, L_CLOSE, ARCHIVE),
       idle=20, spread=300),
]

# --- generic procedure ----------------------------------------------------------------
X = "generic"
X_START = Step("start", 1)
X_STEP = Step("record_step", 2, lambda f, on: {"summary": f.steps_text[0]})
X_SUSPEND = Step("suspend", 2, {"kind": "suspension",
                                "reason": "申请人申请暂缓办理，补充相关资料。"})
X_DECIDE = Step("decide", 3, lambda f, on: {"decision": f.decision_text})
X_CLOSE = _close("事项已办理完毕，予以办结。")
GENERIC_RECIPES = [
    _r("x_opened", X, (), idle=1, spread=2),
    _r("x_handling", X, (X_START, X_STEP), idle=3, spread=5),
    _r("x_suspended", X, (X_START, X_SUSPEND), idle=5, spread=10),
    _r("x_decide_pending", X, (X_START, X_STEP, Step("decide", 3, X_DECIDE.data, pending=0))),
    _r("x_decided", X, (X_START, X_STEP, X_DECIDE), idle=2, spread=3),
    _r("x_closed", X, (X_START, X_STEP, X_DECIDE, X_CLOSE), idle=5, spread=60),
    _r("x_archived", X, (X_START, X_DECIDE, X_CLOSE, ARCHIVE), idle=12, spread=250),
]

RECIPES: dict[str, Recipe] = {
    **GENERAL,
    **{r.name: r for r in (*SUMMARY_RECIPES, *COERCIVE_RECIPES, *INSPECTION_RECIPES,
                           *LICENSING_RECIPES, *GENERIC_RECIPES)},
}
