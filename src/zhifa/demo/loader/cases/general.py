"""Recipes of the general penalty procedure: one per picture the demo shows, from a case
just received to one archived after a hearing, with every stage, the legal review, the
collective discussion, the outcomes (penalty, no penalty, transfer) and execution (payment,
instalments, reminder, court enforcement)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...data.cases.violations import DECLINE_REASONS
from .content import Facts
from .steps import DAY, Aim, Clock, Recipe, Step

P = "general"


def _yuan(value: int) -> str:
    return str(value) if value else ""


def _register(f: Facts, on: dt.date) -> dict[str, Any]:
    if f.inspection is not None:  # a case opened by an inspection
        grounds = f"检查发现{f.party_name}{f.inspection.case_phrase}，依法应予立案调查。"
    else:
        grounds = f"{f.summary.removesuffix('。')}，涉嫌违法，依法应予立案调查。"
    return {"act_date": f.act_date, "grounds": grounds,
            "limitation_override": f.limitation_override}


def _investigate(n: int) -> Step:
    return Step("record_investigation", 3 if n == 0 else 6, lambda f, on: {
        "kind": f.investigation[n][0], "summary": f.investigation[n][1]})


def _report(f: Facts, on: dt.date) -> dict[str, Any]:
    evidence = f.violation.evidence if f.violation else "现场检查笔录、询问笔录"
    return {"facts": f"经查，{f.summary}以上事实有{evidence}等证据证实。", "kinds": f.kinds,
            "fine": _yuan(f.fine),
            "confiscation": _yuan(f.confiscation), "major": f.major, "complex": f.complex}


def _decide(f: Facts, on: dt.date) -> dict[str, Any]:
    return {"outcome": "penalty", "kinds": f.kinds, "fine": _yuan(f.final_fine),
            "confiscation": _yuan(f.confiscation),
            "reasons": "违法事实清楚，证据确凿，适用法律正确，依据裁量基准作出处罚。"}


def _hearing_gap(clock: Clock, prev: dt.date) -> dt.date:
    return clock.hearing_day(prev)


def _after_defence(clock: Clock, notice: dt.date) -> dt.date:
    """The first working day after the statement and hearing-request periods (APL arts. 45,
    64) that started with the prior notice."""
    last = max(clock.due("apl_statement_3", notice), clock.due("apl_hearing_request_5", notice))
    return clock.workday(last + DAY)


def _after_review_period(clock: Clock, submitted: dt.date) -> dt.date:
    """The second working day after the legal review's time limit (7 working days) that
    started with the submission."""
    return clock.workday(clock.workday(clock.due("review_7", submitted) + DAY) + DAY)


def _after_payment_period(clock: Clock, served: dt.date) -> dt.date:
    return clock.workday(clock.due("apl_payment_15", served) + DAY)


def _after_reminder(clock: Clock, reminded: dt.date) -> dt.date:
    return clock.workday(clock.due("acl_reminder_10", reminded) + DAY)


REGISTER = Step("register", 2, _register)
DECLINE = Step("decline", 3, lambda f, on: {"reason": DECLINE_REASONS[len(f.title) % 2]})
START = Step("start_investigation", 1)
INVESTIGATE = _investigate(0)
INVESTIGATE_MORE = _investigate(1)
PRESERVE = Step("preserve_evidence", 1, lambda f, on: {"items": f.items})
PRESERVED = Step("decide_preservation", 4, {
    "handling": "经检验，先行登记保存的物品与案件事实相符，依法予以扣押，作为定案证据。"})
SUSPEND = Step("suspend", 2, {"kind": "testing",
                              "reason": "涉案产品送检，检验期间中止案件调查。"})
RESUME = Step("resume", 12)
REPORT = Step("submit_report", 16, _report)
# The legal review (行政处罚法第五十八条) is taken through the reviews services (``reviews``):
# the handler submits the package, a head assigns the body's legal reviewer, who gives a
# finding on each review point and an opinion; the handler may contest it, and the heads'
# collective discussion then decides.
TO_REVIEW = Step("submit_legal_review", 1)
RESUBMIT = Step("submit_legal_review", 1, {
    "changes": "已按法制审核意见补充调取当事人销售记录，重新核定违法所得，调查终结报告已修改。"})
ASSIGN = Step("assign_reviewer", 0, by="head")
EXTEND_REVIEW = Step("extend_review", 3, {
    "reason": "本案涉及多项违法事实和较多证据材料，需调阅同类案件裁量情况，申请延长审核期限。"},
    by="reviewer")
REVIEW_OK = Step("record_review_opinion", 4, {
    "outcome": "agree",
    "opinion": "主体适格，事实清楚，证据确凿，定性准确，程序合法，处罚适当，同意。"},
    by="reviewer")
REVIEW_MORE = Step("record_review_opinion", 4, {
    "outcome": "supplement",
    "opinion": "违法所得计算依据不足，请补充调取当事人销售记录后再行报送。",
    "problems": {"facts": "违法所得仅有当事人陈述，缺少销售记录等书证印证。"}},
    by="reviewer")
# the one opinion given after the time limit (the office's on-time figure is not 100 %)
REVIEW_MORE_LATE = Step(
    "record_review_opinion", _after_review_period, REVIEW_MORE.data, by="reviewer",
    late="审核期间审核人员被抽调参加上级机关组织的专项执法检查，未及时申请延长审核期限，"
         "审核意见延后出具，已报经本机关负责人同意。")
REVIEW_CHANGES = Step("record_review_opinion", 4, {
    "outcome": "agree_with_changes",
    "opinion": "事实清楚，证据确凿，适用法律正确，但罚款数额偏重，建议修改后作出决定。",
    "changes_required": "当事人系初次违法且积极配合调查，建议在裁量基准较轻档次内确定罚款数额，"
                        "并在决定书裁量理由中说明。",
    "problems": {"appropriate": "当事人有主动配合调查、及时改正等情节，拟处罚款数额未予考虑。"}},
    by="reviewer")
REVIEW_REFUSE = Step("record_review_opinion", 4, {
    "outcome": "do_not_decide",
    "opinion": "现有证据不足以证明当事人的违法行为持续时间和涉及范围，不同意按拟处理意见作出决定。",
    "problems": {"facts": "违法行为持续时间仅有举报人陈述，缺少其他证据印证。",
                 "appropriate": "在违法情节未查清的情况下按较重情形处罚，裁量依据不足。"}},
    by="reviewer")
CONTEST = Step("contest_review", 2, {
    "grounds": "办案机构认为，现场检查笔录、询问笔录和现场照片相互印证，足以认定违法情节，"
               "拟处罚意见符合裁量基准，不同意法制审核意见，提请集体讨论决定。"})
DISCUSS = Step("collective_discussion", 2, {
    "conclusion": "proposal",
    "conclusion_text": "经集体讨论，同意办案机构的处理意见。"}, by="head")
DISCUSS_CONTESTED = Step("collective_discussion", 3, {
    "conclusion": "proposal",
    "conclusion_text": "经集体讨论，认为本案证据能够相互印证，违法情节清楚，"
                       "同意办案机构的处理意见，按拟处罚意见作出决定。"}, by="head")
NOTICE = Step("serve_notice", 2, lambda f, on: {"served_on": on, "method": "direct"})
WAIVE = Step("waive_defence", 1, {"proof": "当事人书面声明放弃陈述、申辩和听证权利"})
DEFENCE = Step("record_defence", 2, {
    "statement": "当事人称系初次违法，已积极整改，请求从轻处罚。",
    "assessment": "当事人提出的事实和理由经复核属实，在裁量基准幅度内予以考虑。"})
REQUEST = Step("request_hearing", 2, lambda f, on: {"requested_on": on})
SCHEDULE = Step("schedule_hearing", 1, lambda f, on: {
    "hearing_on": f.clock.hearing_day(on), "place": "本机关听证室"})
HOLD = Step("hold_hearing", _hearing_gap, lambda f, on: {
    "presiding": f.presiding, "record": "听证会依法公开举行，当事人进行了陈述、申辩和质证。"})
DECIDE = Step("decide", 1, _decide)
NO_PENALTY = Step("decide", _after_defence, lambda f, on: {
    "outcome": "no_penalty", "no_penalty_reason": "first_offence",
    "reasons": "当事人初次违法且危害后果轻微并及时改正，依法不予行政处罚。"})
TRANSFER = Step("decide", _after_defence, lambda f, on: {
    "outcome": "transfer",
    "reasons": "当事人的行为涉嫌犯罪，依法移送公安机关，并抄送同级人民检察院。"})
SERVE = Step("serve_decision", 2, lambda f, on: {"served_on": on, "method": "direct"})
PAY = Step("record_payment", 6, lambda f, on: {
    "amount": str(f.final_fine), "receipt": f"FS{on:%Y%m%d}{len(f.title):04d}"})
PAY_PART = Step("record_payment", 6, lambda f, on: {
    "amount": str(f.final_fine // 3), "receipt": f"FS{on:%Y%m%d}{len(f.title):04d}"})
DEFER = Step("grant_deferral", 5, lambda f, on: {
    "kind": "instalments", "until": on + dt.timedelta(days=30),
    "reason": "当事人经营困难，申请分期缴纳罚款，提供了相关证明材料。"})
REMIND = Step("send_reminder", _after_payment_period, lambda f, on: {"served_on": on})
COURT = Step("apply_court_enforcement", _after_reminder, lambda f, on: {"court": f.court})
CLOSE = Step("close", 3, {"summary": "行政处罚决定已执行完毕，案件材料齐全，予以结案。"})
CLOSE_COURT = Step("close", 3, {"summary": "已依法申请人民法院强制执行，予以结案。"})
CLOSE_OTHER = Step("close", 3, {"summary": "决定已送达，无需执行，予以结案。"})
ARCHIVE = Step("archive", 5, lambda f, on: {"archive_number": f.archive_number})

# APL art. 58 §1(2): after a hearing the decision needs a legal review again
AFTER_HEARING = Step("submit_legal_review", 1, {
    "changes": "当事人申请听证，听证会已依法举行；现报送听证笔录和听证后的处理意见。"})
REVIEW_AFTER_HEARING = (AFTER_HEARING, ASSIGN, Step("record_review_opinion", 4, {
    "outcome": "agree",
    "opinion": "听证程序合法，当事人陈述、申辩意见已充分听取，同意按调查终结报告作出决定。"},
    by="reviewer"))

INVESTIGATION = (REGISTER, START, INVESTIGATE)
REPORTED = (*INVESTIGATION, REPORT)
IN_REVIEW = (*REPORTED, TO_REVIEW, ASSIGN)
REVIEWED = (*IN_REVIEW, REVIEW_OK)
DECIDED = (*REPORTED, NOTICE, WAIVE, DECIDE)
SERVED = (*DECIDED, SERVE)
PAID = (*SERVED, PAY)
REMINDED = (*SERVED, REMIND)


def _hearing_today(clock: Clock, dates: list[dt.date]) -> bool:
    """The hearing is set for today or the last working days (the record is still to be
    made); placing takes the latest day that fits."""
    return clock.hearing_day(dates[-1]) <= clock.today


def _r(name: str, steps: tuple[Step, ...], idle: int = 0, aim: Aim | None = None,
       needs: tuple[str, ...] = (), **kw: Any) -> Recipe:
    return Recipe(name=name, procedure=P, steps=steps, idle=idle, aim=aim,
                  needs=frozenset(needs), **kw)


FINE = ("fine",)
RECIPES: dict[str, Recipe] = {r.name: r for r in [
    _r("g_source", (), idle=1, spread=3),
    _r("g_source_pending", (Step("register", 1, _register, pending=0),)),
    _r("g_register_resubmitted", (Step("register", 1, _register, pending=0,
                                       rejected="立案依据不充分，请补充举报人提供的证据后再报。"),)),
    _r("g_declined", (Step("decline", 3, DECLINE.data),), idle=20, spread=60),
    _r("g_registered", (REGISTER,), idle=2, spread=3),
    _r("g_investigating", INVESTIGATION, idle=8, spread=12),
    _r("g_investigating_more", (*INVESTIGATION, INVESTIGATE_MORE), idle=20, spread=20),
    _r("g_due90", (*INVESTIGATION, INVESTIGATE_MORE),
       aim=Aim("apl_decision_90", "register", 1, 6)),
    _r("g_over90", (*INVESTIGATION, INVESTIGATE_MORE),
       aim=Aim("apl_decision_90", "register", -25, -3)),
    _r("g_preserve_due", (REGISTER, START, PRESERVE),
       aim=Aim("apl_preservation_7", "preserve_evidence", 0, 5)),
    _r("g_preserve_pending", (REGISTER, START, Step("preserve_evidence", 1, PRESERVE.data,
                                                    pending=0))),
    _r("g_preserved", (REGISTER, START, PRESERVE, PRESERVED, INVESTIGATE), idle=8, spread=10),
    _r("g_suspended", (*INVESTIGATION, SUSPEND), idle=15, spread=20),
    _r("g_resumed", (REGISTER, START, SUSPEND, RESUME, INVESTIGATE), idle=5, spread=10),
    _r("g_reported", REPORTED, idle=3, spread=5),
    _r("g_reported_complex", REPORTED, idle=2, needs=("complex",)),
    _r("g_review_unassigned", (*REPORTED, TO_REVIEW), idle=0, needs=("major", "review")),
    _r("g_review_due", IN_REVIEW, aim=Aim("review_7", "submit_legal_review", 0, 5),
       needs=("major", "review")),
    _r("g_review_extended", (*IN_REVIEW, EXTEND_REVIEW),
       aim=Aim("review_7", "submit_legal_review", 0, 2), needs=("major", "review")),
    _r("g_review_over", IN_REVIEW, aim=Aim("review_7", "submit_legal_review", -10, -1),
       needs=("major", "review")),
    _r("g_review_supplement", (*IN_REVIEW, REVIEW_MORE_LATE), idle=6,
       needs=("major", "review")),
    _r("g_review_changes", (*IN_REVIEW, REVIEW_CHANGES), idle=2, needs=("major", "review")),
    _r("g_review_contested", (*IN_REVIEW, REVIEW_REFUSE, CONTEST), idle=1,
       needs=("major", "review")),
    _r("g_review_twice", (*IN_REVIEW, REVIEW_MORE, INVESTIGATE_MORE, REPORT, RESUBMIT, ASSIGN,
                          REVIEW_OK), idle=2, needs=("major", "review")),
    _r("g_review_discussed", (*IN_REVIEW, REVIEW_CHANGES, CONTEST, DISCUSS_CONTESTED), idle=2,
       needs=("major", "review")),
    _r("g_reviewed", REVIEWED, idle=1, needs=("major", "review"), spread=3),
    _r("g_discussed", (*REVIEWED, DISCUSS), idle=2, needs=("major", "review", "complex")),
    _r("g_notified", (*REPORTED, NOTICE), aim=Aim("apl_statement_3", "serve_notice", 0, 4)),
    _r("g_defence", (*REPORTED, NOTICE, DEFENCE), idle=1, spread=1),
    _r("g_decide_pending", (*REPORTED, NOTICE, WAIVE,
                            Step("decide", 1, _decide, pending=0))),
    _r("g_decide_pending_head", (*REPORTED, NOTICE, WAIVE,
                                 Step("decide", 1, _decide, pending=1))),
    _r("g_hearing_requested", (*REPORTED, NOTICE, REQUEST), idle=2,
       needs=("hearing", "fine")),
    _r("g_hearing_scheduled", (*REPORTED, NOTICE, REQUEST, SCHEDULE),
       check=_hearing_today, needs=("hearing", "fine")),
    _r("g_hearing_held", (*REVIEWED, NOTICE, REQUEST, SCHEDULE, HOLD), idle=3,
       needs=("hearing", "major", "review", "fine", "reduced")),
    _r("g_hearing_review", (*REVIEWED, NOTICE, REQUEST, SCHEDULE, HOLD, AFTER_HEARING, ASSIGN),
       idle=1, needs=("hearing", "major", "review", "fine", "reduced"), spread=2),
    _r("g_decided_due", DECIDED, aim=Aim("apl_service_7", "decide", 0, 5)),
    _r("g_decided_over", DECIDED, aim=Aim("apl_service_7", "decide", -8, -1)),
    _r("g_served_due", SERVED, aim=Aim("apl_payment_15", "serve_decision", 0, 6), needs=FINE),
    _r("g_served_over", SERVED, aim=Aim("apl_payment_15", "serve_decision", -20, -2),
       needs=FINE),
    _r("g_partial", (*SERVED, PAY_PART), idle=5, needs=FINE, spread=15),
    _r("g_instalments", (*SERVED, DEFER, PAY_PART), idle=28, needs=FINE),
    _r("g_reminder", REMINDED, aim=Aim("acl_reminder_10", "send_reminder", 0, 6), needs=FINE),
    _r("g_court_pending", (*REMINDED, Step("apply_court_enforcement", _after_reminder, COURT.data,
                                           pending=0)), needs=FINE),
    _r("g_court", (*REMINDED, COURT), idle=10, needs=FINE, spread=40),
    _r("g_close_pending", (*PAID, Step("close", 3, CLOSE.data, pending=0)), needs=FINE),
    _r("g_closed", (*PAID, CLOSE), idle=4, needs=FINE, spread=40),
    _r("g_closed_court", (*REMINDED, COURT, CLOSE_COURT), idle=6, needs=FINE, spread=60),
    _r("g_archived", (*PAID, CLOSE, ARCHIVE), idle=10, needs=FINE, spread=300),
    _r("g_archived_major", (REGISTER, START, PRESERVE, PRESERVED, INVESTIGATE, REPORT,
                            TO_REVIEW, ASSIGN, REVIEW_OK, DISCUSS, NOTICE, REQUEST, SCHEDULE,
                            HOLD, *REVIEW_AFTER_HEARING, DECIDE, SERVE, PAY, CLOSE, ARCHIVE),
       idle=20,
       needs=("hearing", "major", "review", "complex", "fine", "reduced"), spread=200),
    _r("g_warning_closed", (*DECIDED, SERVE, CLOSE_OTHER), idle=6, needs=("warning",), spread=60),
    _r("g_no_penalty", (*REPORTED, NOTICE, DEFENCE, NO_PENALTY, SERVE, CLOSE_OTHER, ARCHIVE),
       idle=15, spread=250),
    _r("g_no_penalty_closed", (*REPORTED, NOTICE, DEFENCE, NO_PENALTY, SERVE, CLOSE_OTHER),
       idle=5, spread=40),
    _r("g_transfer", (*REVIEWED, NOTICE, DEFENCE, TRANSFER, SERVE, CLOSE_OTHER), idle=8,
       needs=("transfer", "major", "review"), spread=60),
    _r("g_minor", (*DECIDED, SERVE, CLOSE_OTHER), idle=12, needs=("minor", "warning"), spread=40),
    _r("g_limitation", INVESTIGATION, idle=6, needs=("limitation",), spread=10),
]}
