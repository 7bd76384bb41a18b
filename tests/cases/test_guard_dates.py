"""Steps may be entered late but never dated before the previous step (APL arts. 44, 45, 64:
back-dating a service would shorten the party's periods)."""

import datetime as dt

import pytest

from .factories import Agency, act, refused, reported

pytestmark = pytest.mark.django_db

D = dt.date


def test_a_service_cannot_be_dated_before_the_previous_step(a: Agency) -> None:
    case = reported(a)  # the report is dated 2026-09-21
    last = case.steps.order_by("-id").first()
    assert last is not None
    err = refused(a, case, "serve_notice", "date_before_previous_step",
                  acted_on=last.acted_on, served_on=last.acted_on - dt.timedelta(days=1),
                  method="direct")
    assert err.detail[0]["detail"] == {"fields": ["served_on"]}
    assert err.detail[0]["source"] == "国办发〔2018〕118号"
    assert f"不得早于{last.acted_on.isoformat()}" in err.message
    # the same day as the previous step is fine
    act(a, case, "serve_notice", acted_on=last.acted_on, served_on=last.acted_on,
        method="direct")
    assert case.stage == "notified"


def test_a_step_cannot_be_dated_before_the_case_was_received(a: Agency) -> None:
    from .factories import open_case

    case = open_case(a, received_on=D(2026, 9, 1))
    err = refused(a, case, "register", "date_before_previous_step",
                  acted_on=D(2026, 8, 31), act_date=D(2026, 8, 20), grounds="涉嫌违法")
    assert err.detail[0]["detail"] == {"fields": ["acted_on"]}


def test_a_step_recorded_while_a_request_waits_does_not_block_its_approval(a: Agency) -> None:
    from zhifa.cases.services import approval_decide, case_act

    from .factories import general_to_notice

    case = general_to_notice(a)  # notice served 2026-09-22
    result = case_act(actor=a.u_officer, case=case, action="decide",
                      data={"acted_on": "2026-10-09", "outcome": "penalty", "kinds": ["fine"],
                            "fine": "5000", "reasons": "证据确凿"})
    assert result.approval is not None
    # the party's statement is recorded later, dated after the requested decision
    act(a, case, "record_defence", acted_on=D(2026, 10, 12), statement="无异议",
        assessment="无新的事实")
    decided = approval_decide(actor=a.u_head, request=result.approval, approve=True)
    assert decided.step is not None and decided.step.acted_on == D(2026, 10, 9)
    case.refresh_from_db()
    assert case.stage == "decided"
