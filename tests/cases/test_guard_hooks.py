"""Legal review (APL art. 58), collective discussion (APL art. 57), the reviewer who is not
a handler, and the two hooks later parts of the platform fill."""

import datetime as dt
from typing import Any

import pytest
from django.utils.translation import gettext as _

from zhifa.cases import hooks
from zhifa.cases.guards import GuardContext, Refusal
from zhifa.cases.procedures.other import ACL18_STEPS

from .factories import Agency, act, open_case, refused, reported

pytestmark = pytest.mark.django_db

D = dt.date
NOTICE = {"acted_on": D(2026, 9, 22), "served_on": D(2026, 9, 22), "method": "direct"}
REVIEW_SOURCE = "行政处罚法第五十八条；国办发〔2018〕118号"
REVIEW_MESSAGE = "本案属于重大执法决定，应当经法制审核通过后方可作出决定。"


REVIEW_DAY = D(2026, 9, 21)


def review(a: Agency, case: Any, outcome: str, on: D = REVIEW_DAY) -> Any:
    act(a, case, "submit_legal_review", acted_on=on)
    return act(a, case, "record_review_opinion", actor=a.u_reviewer, acted_on=on,
               outcome=outcome, opinion="事实清楚，证据确凿")


def test_a_major_case_needs_a_passed_legal_review(a: Agency) -> None:
    case = reported(a, major=True)
    assert case.is_major is True
    exc = refused(a, case, "serve_notice", "legal_review_missing", **NOTICE)
    assert exc.message == f"{REVIEW_MESSAGE}（{REVIEW_SOURCE}）"
    assert exc.detail == [{"code": "legal_review_missing", "message": REVIEW_MESSAGE,
                           "source": REVIEW_SOURCE}]
    review(a, case, "agree")
    assert (case.stage, case.review_passed_on) == ("reported", D(2026, 9, 21))
    act(a, case, "serve_notice", **NOTICE)
    assert case.stage == "notified"


def test_a_review_that_asks_for_more_sends_the_case_back(a: Agency) -> None:
    case = reported(a, major=True)
    review(a, case, "supplement")
    assert (case.stage, case.review_passed_on) == ("investigating", None)
    act(a, case, "submit_report", acted_on=D(2026, 9, 21), facts="补充调查后查明……",
        kinds=["fine"], fine="5000", major=True)
    refused(a, case, "serve_notice", "legal_review_missing", **NOTICE)


def test_a_new_report_needs_a_new_review(a: Agency) -> None:
    case = reported(a, major=True)
    review(a, case, "agree")
    act(a, case, "submit_report", acted_on=D(2026, 9, 21), facts="修改后的报告",
        kinds=["fine"], fine="4000", major=True)
    assert case.review_passed_on is None
    refused(a, case, "serve_notice", "legal_review_missing", **NOTICE)


def test_a_major_decision_without_review_is_refused(a: Agency) -> None:
    case = reported(a, kinds=[], fine="", major=True)
    exc = refused(a, case, "decide", "legal_review_missing", acted_on=D(2026, 9, 22),
                  outcome="no_penalty", no_penalty_reason="minor", reasons="轻微")
    assert exc.detail[0]["source"] == REVIEW_SOURCE


def test_only_a_reviewer_records_the_opinion(a: Agency) -> None:
    case = reported(a, major=True)
    act(a, case, "submit_legal_review", acted_on=D(2026, 9, 21))
    exc = refused(a, case, "record_review_opinion", "action_role", acted_on=D(2026, 9, 21),
                  outcome="agree", opinion="同意")
    assert exc.status == 403


def test_the_reviewer_may_not_be_a_handler(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1), officers=[a.officer, a.reviewer])
    act(a, case, "register", acted_on=D(2026, 9, 2), act_date=D(2026, 8, 22), grounds="涉嫌")
    act(a, case, "start_investigation", acted_on=D(2026, 9, 3))
    act(a, case, "submit_report", acted_on=D(2026, 9, 20), facts="经查", kinds=["fine"],
        fine="5000", major=True)
    act(a, case, "submit_legal_review", acted_on=D(2026, 9, 21))
    exc = refused(a, case, "record_review_opinion", "reviewer_is_handler",
                  actor=a.u_reviewer, acted_on=D(2026, 9, 21), outcome="agree", opinion="同意")
    assert exc.detail == [{"code": "reviewer_is_handler",
                           "message": "法制审核人员不得是本案的承办人员。",
                           "source": REVIEW_SOURCE}]


def test_the_legal_review_hook_can_be_replaced_and_restored(a: Agency) -> None:
    seen: list[tuple[str, str]] = []

    def catalogue_gate(ctx: GuardContext) -> list[Refusal]:
        seen.append((ctx.case.number, ctx.action.code))
        return [Refusal("review_catalogue", "按法制审核目录清单，本案须经法制审核。",
                        "湖南省重大行政执法决定法制审核办法")]

    case = reported(a)  # not marked major: the default hook lets it through
    hooks.register("legal_review_passed", catalogue_gate)
    exc = refused(a, case, "serve_notice", "review_catalogue", **NOTICE)
    assert exc.message == (
        "按法制审核目录清单，本案须经法制审核。（湖南省重大行政执法决定法制审核办法）")
    assert seen == [(case.number, "serve_notice")]
    hooks.reset("legal_review_passed")
    act(a, case, "serve_notice", **NOTICE)
    assert case.stage == "notified"


def test_only_the_known_hooks_can_be_registered() -> None:
    with pytest.raises(KeyError):
        hooks.register("evidence_complete", lambda ctx: [])


def test_a_complex_case_needs_a_collective_discussion(a: Agency) -> None:
    case = reported(a, complex=True)
    exc = refused(a, case, "serve_notice", "collective_discussion_missing", **NOTICE)
    message = "情节复杂或者重大违法行为的案件，应当在作出决定前由行政机关负责人集体讨论决定。"
    assert exc.detail == [{"code": "collective_discussion_missing", "message": message,
                           "source": "行政处罚法第五十七条第二款"}]
    # only a head records it
    refused(a, case, "collective_discussion", "action_role", acted_on=D(2026, 9, 21),
            attendees="王芳等", conclusion="同意处罚")
    act(a, case, "collective_discussion", actor=a.u_head, acted_on=D(2026, 9, 21),
        attendees="王芳、李明、张伟", conclusion="同意拟处罚意见")
    assert case.discussed_on == D(2026, 9, 21)
    act(a, case, "serve_notice", **NOTICE)
    assert case.stage == "notified"


# --- audio/video -------------------------------------------------------------------------------

ONSITE = {"onsite_from": "2026-09-02T09:30", "onsite_until": "2026-09-02T10:40"}


def measure(**over: Any) -> dict[str, Any]:
    return {"acted_on": D(2026, 9, 2), "measure": "seize", "items": "不合格产品20件",
            "place": "长沙市芙蓉区某路1号仓库", "steps": [s for s, _l in ACL18_STEPS], **over}


def test_a_seizure_without_its_on_site_interval_is_refused(a: Agency) -> None:
    """Without the evidence app the default hook checks what the case alone can tell: a step
    recorded in full states when it started and ended on site (the recordings must cover
    that; tests/evidence/test_coverage*.py test the recordings)."""
    case = open_case(a, "coercive", received_on=D(2026, 9, 1))
    exc = refused(a, case, "apply_measure", "av_interval_missing", **measure())
    message = _("“%(matter)s” must be recorded on audio and video in full: enter when the "
                "on-site step started and ended, which the recordings must cover.") % {
        "matter": "查封、扣押财产"}
    assert exc.detail == [{"code": "av_interval_missing", "message": message,
                           "source": "国办发〔2018〕118号"}]
    refused(a, case, "apply_measure", "invalid_fields",
            **measure(onsite_from="2026-09-02T09:30"))
    act(a, case, "apply_measure", **measure(**ONSITE))
    assert case.stage == "in_force"
    step = case.steps.get()
    assert (step.data["onsite_from"], step.data["onsite_until"]) == (
        "2026-09-02T09:30:00+08:00", "2026-09-02T10:40:00+08:00")


def test_the_av_hook_can_be_replaced_and_restored(a: Agency) -> None:
    def evidence_present(ctx: GuardContext) -> list[Refusal]:
        return []  # e.g. the evidence app found the recording

    hooks.register("av_recorded", evidence_present)
    case = open_case(a, "coercive", received_on=D(2026, 9, 1))
    act(a, case, "apply_measure", **measure())
    assert case.stage == "in_force"
    hooks.reset("av_recorded")
    other = open_case(a, "coercive", received_on=D(2026, 9, 1))
    refused(a, other, "apply_measure", "av_interval_missing", **measure())


def test_every_on_site_step_must_be_ticked(a: Agency) -> None:
    case = open_case(a, "coercive", received_on=D(2026, 9, 1))
    steps = [s for s, _l in ACL18_STEPS if s != "other"]
    exc = refused(a, case, "apply_measure", "invalid_fields",
                  **measure(**ONSITE, steps=steps))
    assert exc.detail == {"steps": (
        "每一步骤都必须履行并勾选：法律、法规规定的其他程序（行政强制法第十八条第十项）")}
