"""The ``av_recorded`` guard with the evidence app's hook: sealing up, impoundment and forced
demolition cannot be completed unless the case's recordings cover the time on site; a refusal
names the uncovered times and changes nothing."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from tests.cases.factories import Agency, act, refused
from zhifa.cases import hooks
from zhifa.cases.models import ApprovalStatus, CaseStep
from zhifa.cases.services import approval_decide, case_act
from zhifa.core.errors import ApplicationError
from zhifa.evidence import coverage
from zhifa.evidence.models import AvRecord, EvidenceFile, FileState, ProbeState
from zhifa.evidence.probe import probe_file
from zhifa.evidence.services.items import evidence_item_withdraw
from zhifa.evidence.services.matters import recorded_matter_save

from .coverage_helpers import (
    DEMOLITION_DAY,
    at,
    coercive,
    demolition,
    measure,
    onsite,
    recording,
    reminded,
)

pytestmark = pytest.mark.django_db

SOURCE = "国办发〔2018〕118号"


@pytest.fixture(autouse=True)
def _coverage_hook() -> Iterator[None]:
    """The hook as the evidence app installs it (the conftest restores the default after)."""
    hooks.register("av_recorded", coverage.av_recorded)
    with translation.override("en"):
        yield


def test_the_evidence_app_installs_its_hook() -> None:
    hooks.reset("av_recorded")
    from zhifa.evidence.hooks import register_case_hooks

    register_case_hooks()
    assert hooks._hooks["av_recorded"] is coverage.av_recorded


def test_a_seizure_with_no_recording_is_refused_and_changes_nothing(a: Agency) -> None:
    case = coercive(a)
    recording(a, case, at("08:00"), at("09:30"))  # ends as the step starts: covers nothing
    exc = refused(a, case, "apply_measure", "av_missing", **measure())
    message = ("“查封、扣押财产” must be recorded on audio and video in full, but no recording "
               "of this case covers the time on site (09:30:00–10:40:00).")
    source = "国办发〔2018〕118号；行政强制法第十八条"  # the seeded default line's source
    assert exc.detail == [{
        "code": "av_missing", "message": message, "source": source,
        "detail": {"matter": "查封、扣押财产",
                   "interval": ["2026-09-02T09:30:00+08:00", "2026-09-02T10:40:00+08:00"],
                   "uncovered": [["2026-09-02T09:30:00+08:00", "2026-09-02T10:40:00+08:00"]],
                   "tolerance_seconds": 0}}]
    assert exc.message == f"{message}（{source}）"
    assert (case.stage, case.steps.count()) == ("proposed", 0)


def test_a_recording_covering_the_time_on_site_lets_the_seizure_through(a: Agency) -> None:
    case = coercive(a)
    recording(a, case, at("09:28"), at("10:45"))
    result = act(a, case, "apply_measure", **measure())
    assert (case.stage, result.step.action, result.step.warnings) == (
        "in_force", "apply_measure", [])
    assert result.step.data["onsite_from"] == "2026-09-02T09:30:00+08:00"


def test_touching_recordings_cover_together(a: Agency) -> None:
    case = coercive(a)
    recording(a, case, at("09:30"), at("10:00"))
    recording(a, case, at("10:00"), at("10:40"))
    act(a, case, "apply_measure", **measure(kind="seal"))
    assert case.stage == "in_force"


def test_a_gap_is_named_and_closing_it_lets_the_step_through(a: Agency) -> None:
    case = coercive(a)
    recording(a, case, at("09:25"), at("10:00"))
    recording(a, case, at("10:05:30"), at("10:30"))
    exc = refused(a, case, "apply_measure", "av_not_covering", **measure())
    assert exc.detail[0]["message"] == (
        "“查封、扣押财产” must be recorded on audio and video in full, but the recordings of "
        "this case leave 10:00:00–10:05:30、10:30:00–10:40:00 of the time on site "
        "(09:30:00–10:40:00) uncovered.")
    assert exc.detail[0]["detail"]["uncovered"] == [
        ["2026-09-02T10:00:00+08:00", "2026-09-02T10:05:30+08:00"],
        ["2026-09-02T10:30:00+08:00", "2026-09-02T10:40:00+08:00"]]
    # a second camera's recording fills both gaps
    recording(a, case, at("09:59"), at("10:41"), title="第二台执法记录仪视频")
    act(a, case, "apply_measure", **measure())
    assert case.stage == "in_force"


def test_gaps_within_the_tolerance_are_allowed(a: Agency, settings: Any) -> None:
    case = coercive(a)
    recording(a, case, at("09:30"), at("10:00"))
    recording(a, case, at("10:00:10"), at("10:40"))
    settings.ZHIFA_AV_GAP_TOLERANCE_SECONDS = 9
    exc = refused(a, case, "apply_measure", "av_not_covering", **measure())
    assert exc.detail[0]["detail"]["uncovered"] == [
        ["2026-09-02T10:00:00+08:00", "2026-09-02T10:00:10+08:00"]]
    assert exc.detail[0]["detail"]["tolerance_seconds"] == 9
    settings.ZHIFA_AV_GAP_TOLERANCE_SECONDS = 10
    act(a, case, "apply_measure", **measure())
    assert case.stage == "in_force"


def test_recordings_of_another_case_do_not_count(a: Agency) -> None:
    case, other = coercive(a), coercive(a)
    recording(a, other, at("09:00"), at("11:00"))
    refused(a, case, "apply_measure", "av_missing", **measure())


def test_a_withdrawn_or_disposed_recording_does_not_count(a: Agency) -> None:
    case = coercive(a)
    f = recording(a, case, at("09:00"), at("11:00"))
    evidence_item_withdraw(actor=a.u_officer, item=f.item, reason="误传到本案")
    refused(a, case, "apply_measure", "av_missing", **measure())
    g = recording(a, case, at("09:00"), at("11:00"))
    # the bytes of an expired file were disposed of (H4's disposal keeps only the tombstone)
    EvidenceFile.objects.filter(pk=g.pk).update(state=FileState.DISPOSED)
    refused(a, case, "apply_measure", "av_missing", **measure())


def test_a_recording_counts_once_its_end_is_known(a: Agency) -> None:
    case = coercive(a)
    f = recording(a, case, at("09:30:00"), None)  # the uploader gave only the start
    assert AvRecord.objects.get(file=f).probe_state == ProbeState.PENDING
    step = measure(**onsite("09:30:00", "09:30:03"))
    exc = refused(a, case, "apply_measure", "av_missing", **step)
    assert exc.detail[0]["message"].endswith(
        "1 recording(s) of this case have no known start or end yet (being analysed, or the "
        "times were not entered).")
    probe_file(f.pk)  # the background analysis finds the 3-second length
    record = AvRecord.objects.get(file=f)
    assert (record.probe_state, record.duration_ms) == (ProbeState.DONE, 3000)
    act(a, case, "apply_measure", **step)
    assert case.stage == "in_force"
    other = coercive(a)
    recording(a, other, None, at("10:40"))  # no start: covers nothing
    refused(a, other, "apply_measure", "av_missing", **measure())


def test_a_step_recorded_in_full_needs_its_time_on_site(a: Agency) -> None:
    case = coercive(a)
    recording(a, case, at("09:00"), at("11:00"))
    exc = refused(a, case, "apply_measure", "av_interval_missing",
                  **measure(onsite_from=None, onsite_until=None))
    assert exc.detail == [{
        "code": "av_interval_missing", "source": SOURCE,
        "message": "“查封、扣押财产” must be recorded on audio and video in full: enter when the "
                   "on-site step started and ended, which the recordings must cover."}]


@pytest.mark.parametrize(("over", "errors"), [
    (onsite("10:40", "09:30"), {"onsite_until": "The on-site step must end after it started."}),
    ({"onsite_from": "2026-09-02T09:30", "onsite_until": None},
     {"onsite_until": "Enter both when the on-site step started and when it ended."}),
    (onsite("09:30", "10:40", day=dt.date(2026, 9, 1)),
     {"onsite_from": "The on-site step must start on the date of the step (2026-09-02)."}),
    ({"onsite_from": "2026-09-02T09:30", "onsite_until": "2026-09-03T09:31"},
     {"onsite_until": "An on-site step lasts at most 24 hours: record a longer operation as "
                      "several steps."}),
    ({"onsite_from": "2026-09-02", "onsite_until": "later"},
     {"onsite_from": "Enter a date and time such as 2026-03-01 09:30.",
      "onsite_until": "Enter a date and time such as 2026-03-01 09:30."}),
    ({"acted_on": "2099-01-01", "onsite_from": "2099-01-01T09:30",
      "onsite_until": "2099-01-01T10:30"},
     {"acted_on": "A step cannot be recorded in the future.",
      "onsite_from": "This time cannot be in the future.",
      "onsite_until": "This time cannot be in the future."}),
])
def test_the_time_on_site_is_checked(a: Agency, over: dict[str, Any],
                                     errors: dict[str, str]) -> None:
    case = coercive(a)
    recording(a, case, at("09:00"), at("11:00"))
    exc = refused(a, case, "apply_measure", "invalid_fields", **measure(**over))
    assert exc.detail == errors


def test_a_step_past_midnight_may_end_the_next_day(a: Agency) -> None:
    case = coercive(a)
    recording(a, case, at("23:00"), at("00:45", day=dt.date(2026, 9, 3)))
    act(a, case, "apply_measure", **measure(onsite_from="2026-09-02T23:10",
                                            onsite_until="2026-09-03T00:40"))
    assert case.stage == "in_force"


def test_freezing_deposits_needs_no_recording(a: Agency) -> None:
    case = coercive(a)
    act(a, case, "apply_measure", **measure(kind="freeze", onsite_from=None,
                                            onsite_until=None))
    assert case.stage == "in_force"


def test_the_last_approval_checks_the_recordings_again(a: Agency) -> None:
    case = coercive(a)
    f = recording(a, case, at("09:00"), at("11:00"))
    request = case_act(actor=a.u_officer, case=case, action="apply_measure",
                       data={k: (v.isoformat() if hasattr(v, "isoformat") else v)
                             for k, v in measure().items()}).approval
    assert request is not None and request.status == ApprovalStatus.PENDING
    evidence_item_withdraw(actor=a.u_officer, item=f.item, reason="误传到本案")
    with pytest.raises(ApplicationError) as exc:
        approval_decide(actor=a.u_head, request=request, approve=True)
    assert exc.value.code == "av_missing"
    request.refresh_from_db()
    assert (request.status, CaseStep.objects.filter(case=case).count()) == (
        ApprovalStatus.PENDING, 0)


# --- forced demolition --------------------------------------------------------------------------

def test_forced_demolition_is_recorded_in_full(a: Agency) -> None:
    case = reminded(a)
    exc = refused(a, case, "direct_execution", "av_missing", **demolition())
    assert exc.detail[0]["message"] == (
        "“强制拆除” must be recorded on audio and video in full, but no recording of this case "
        "covers the time on site (09:00:00–12:00:00).")
    recording(a, case, at("08:55", DEMOLITION_DAY), at("12:10", DEMOLITION_DAY))
    result = act(a, case, "direct_execution", **demolition())
    assert (case.stage, result.step.action, result.step.data["kind"]) == (
        "executing", "direct_execution", "demolition")


def test_coercive_execution_follows_the_reminder_and_demolition_an_announcement(
        a: Agency) -> None:
    from .coverage_helpers import served

    case = served(a)
    recording(a, case, at("08:00", DEMOLITION_DAY), at("13:00", DEMOLITION_DAY))
    act(a, case, "record_payment", acted_on=dt.date(2026, 10, 9),
        amount="1000", receipt="R1")
    exc = refused(a, case, "direct_execution", "reminder_missing", **demolition())
    assert exc.detail[0]["message"] == (
        "A reminder (催告书) must be served before coercive execution.")
    act(a, case, "send_reminder", acted_on=dt.date(2026, 10, 20),
        served_on=dt.date(2026, 10, 20))
    refused(a, case, "direct_execution", "reminder_period_running",
            **demolition(acted_on=dt.date(2026, 11, 3),
                         **onsite("09:00", "12:00", dt.date(2026, 11, 3))))
    exc = refused(a, case, "direct_execution", "demolition_not_announced",
                  **demolition(announced_on=None))
    assert exc.detail[0]["source"] == "行政强制法第四十四条"
    act(a, case, "direct_execution", **demolition())


def test_other_direct_execution_is_recorded_as_circumstances_require(a: Agency) -> None:
    """The default list has it as needed: never refused, a warning when the recordings
    leave part of the time on site uncovered."""
    from zhifa.evidence.services.matters import ensure_default_matters

    ensure_default_matters()
    case = reminded(a)
    result = act(a, case, "direct_execution", **demolition(kind="other", announced_on=None))
    assert result.step.warnings == [{
        "code": "av_as_needed_uncovered",
        "source": "国办发〔2018〕118号；行政强制法第三十七条", "warning": True,
        "message": "“其他行政强制执行” is recorded as circumstances require: no recording of this "
                   "case covers the time on site (09:00:00–12:00:00).",
        "detail": {"matter": "其他行政强制执行",
                   "interval": ["2026-11-04T09:00:00+08:00", "2026-11-04T12:00:00+08:00"],
                   "uncovered": [["2026-11-04T09:00:00+08:00", "2026-11-04T12:00:00+08:00"]],
                   "tolerance_seconds": 0}}]
    assert case.flags.get("av_as_needed_uncovered") is True
    # part of it recorded: the warning names the gap
    recording(a, case, at("09:00", DEMOLITION_DAY), at("11:00", DEMOLITION_DAY))
    result = act(a, case, "direct_execution", **demolition(kind="other", announced_on=None))
    assert result.step.warnings[0]["message"] == (
        "“其他行政强制执行” is recorded as circumstances require: the recordings of this case "
        "leave 11:00:00–12:00:00 of the time on site (09:00:00–12:00:00) uncovered.")


# --- the lists decide the rest --------------------------------------------------------------------

def test_a_bodys_own_line_requires_more_than_the_law(a: Agency) -> None:
    """The body records freezing in full too; another body's cases are not affected."""
    recorded_matter_save(actor=a.u_head, body=a.body, matter="冻结存款", procedure="coercive",
                         action="apply_measure", when={"measure": ["freeze"]},
                         requirement="mandatory")
    freeze = measure(kind="freeze")
    case = coercive(a)
    exc = refused(a, case, "apply_measure", "av_missing", **freeze)
    assert exc.detail[0]["message"].startswith("“冻结存款” must be recorded")
    # sealing up stays in full (the statutory floor), though the body's line replaced the
    # installation's lines for this step
    refused(a, case, "apply_measure", "av_missing", **measure(kind="seal"))
    recording(a, case, at("09:30"), at("10:40"))
    act(a, case, "apply_measure", **freeze)
    assert case.stage == "in_force"


def test_an_as_needed_line_never_refuses(a: Agency) -> None:
    recorded_matter_save(actor=a.u_head, body=a.body, matter="冻结存款", procedure="coercive",
                         action="apply_measure", when={"measure": ["freeze"]},
                         requirement="as_needed")
    case = coercive(a)
    result = act(a, case, "apply_measure", **measure(kind="freeze"))
    assert [w["code"] for w in result.step.warnings] == ["av_as_needed_uncovered"]
    # without an on-site time there is nothing to compare: no warning either
    case2 = coercive(a)
    result = act(a, case2, "apply_measure", **measure(kind="freeze", onsite_from=None,
                                                     onsite_until=None))
    assert (case2.stage, result.step.warnings) == ("in_force", [])
    # covered: no warning
    case3 = coercive(a)
    recording(a, case3, at("09:30"), at("10:40"))
    result = act(a, case3, "apply_measure", **measure(kind="freeze"))
    assert result.step.warnings == []


# --- the case page's form -------------------------------------------------------------------------

def test_the_case_page_takes_the_time_on_site(a: Agency) -> None:
    from django.test import Client
    from django.urls import reverse

    from zhifa.cases.models import ApprovalRequest

    case = coercive(a)
    c = Client()
    c.force_login(a.u_officer)
    html = c.get(reverse("web:case_detail", kwargs={"public_id": case.public_id})).content.decode()
    form = html[html.index('id="action-apply_measure"'):]
    assert ('<input type="datetime-local" name="onsite_from" id="act-apply_measure-onsite_from" '
            'value="">') in form
    assert 'type="datetime-local" name="onsite_until"' in form
    url = reverse("web:case_action", kwargs={"public_id": case.public_id,
                                             "action": "apply_measure"})
    post = {k: v for k, v in measure().items() if k != "acted_on"}
    post["acted_on"] = "2026-09-02"
    # no recording yet: refused, the times typed are kept
    response = c.post(url, post)
    assert response.status_code == 409
    block = response.content.decode()
    assert 'data-code="av_missing"' in block
    assert 'name="onsite_from" id="act-apply_measure-onsite_from" value="2026-09-02T09:30"' in block
    recording(a, case, at("09:30"), at("10:40"))
    assert c.post(url, post).status_code == 302
    request = ApprovalRequest.objects.get(case=case)
    assert (request.data["onsite_from"], request.data["onsite_until"]) == (
        "2026-09-02T09:30", "2026-09-02T10:40")
