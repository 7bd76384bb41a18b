"""The annual enforcement statistics report (行政执法统计年报): the figures of a constructed year
of cases, computed exactly; the entered figures' validation; who may compute, enter and
publish (a refusal changes nothing, the ledger included); the digest and the late mark; the
missing-report alert from 1 February, once (never ahead of the clock); figures computed
before the year ended are refused at publication.

Helpers used by the portal and staff page tests too: ``clerk``, ``draft_report``,
``published_report``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests import factories as f
from tests.cases.factories import (
    Agency,
    act,
    agency,
    company_party,
    general_to_notice,
    open_case,
    person_party,
    reported,
)
from tests.disclosure.factories import publication_row
from tests.documents.factories import decided, decision_draft
from zhifa.cases.models import Case, CaseStatus, CaseStep
from zhifa.core.errors import ApplicationError
from zhifa.disclosure.events import (
    REPORT_COMPUTED,
    REPORT_ENTERED,
    REPORT_MISSING,
    REPORT_PUBLISHED,
    REPORTS_STREAM,
)
from zhifa.disclosure.models import AnnualReport, ReportAlert, ReportState, State
from zhifa.disclosure.reports.layout import SECTIONS, empty_figures
from zhifa.disclosure.services import reports as reports_module
from zhifa.disclosure.services.reports import (
    report_compute,
    report_content,
    report_deadline,
    report_enter,
    report_is_late,
    report_is_stale,
    report_publish,
    reports_alert,
    year_end,
)
from zhifa.ledger.canonical import canonical_json
from zhifa.ledger.merkle import hasher
from zhifa.ledger.models import LedgerEntry, LedgerHead
from zhifa.orgs.models import AccountRole, BodyStatus, EnforcementBody, User
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionReason,
    DiscussionState,
    RequestState,
    ReviewRequest,
    ReviewRound,
    RoundState,
)

pytestmark = pytest.mark.django_db

D = dt.date
YEAR = 2025
ENTERED = {"reconsiderations": 3, "reconsiderations_changed": 1, "suits": 2, "suits_lost": 0}


# --- Helpers (also used by the portal and staff page tests) -----------------------------------
def clerk(body: EnforcementBody, name: str = "孙红") -> User:
    """A publicity clerk of ``body``."""
    return f.user(f.person(body, name), roles=(AccountRole.PUBLICITY_CLERK,))


def draft_report(a: Agency, *, body: EnforcementBody | None = None, year: int = YEAR,
                 actor: User | None = None, entered: dict[str, int] | None = None,
                 notes: str = "") -> AnnualReport:
    body = body or a.body
    actor = actor or clerk(body)
    report = report_compute(actor=actor, body=body, year=year)
    if entered is not None:
        report = report_enter(actor=actor, report=report, entered=entered, notes=notes)
    return report


def published_report(a: Agency, *, body: EnforcementBody | None = None, year: int = YEAR,
                     on: dt.date | None = None, notes: str = "") -> AnnualReport:
    body = body or a.body
    actor = clerk(body, "钱芳")
    report = draft_report(a, body=body, year=year, actor=actor, entered=ENTERED, notes=notes)
    return report_publish(actor=actor, report=report, today=on or D(year + 1, 1, 20))


def ledger(event: Any) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        event_code=event.code, stream=REPORTS_STREAM).order_by("seq")]


def state() -> dict[str, Any]:
    """What a refused call must leave as it was."""
    return {"reports": list(AnnualReport.objects.order_by("id").values()),
            "alerts": list(ReportAlert.objects.order_by("id").values()),
            "ledger": LedgerEntry.objects.count()}


def refused(code: str, fn: Any) -> ApplicationError:
    before = state()
    with pytest.raises(ApplicationError) as info:
        fn()
    assert info.value.code == code, (info.value.code, info.value.message, info.value.detail)
    assert state() == before
    return info.value


def algorithm() -> str:
    return LedgerHead.objects.get(pk=1).algorithm


# --- A constructed year -----------------------------------------------------------------------
def _direct(a: Agency, procedure: str, *, received: dt.date, **values: Any) -> Case:
    """A case opened through the services whose decision columns are then set directly (for
    results whose walk is not the subject here)."""
    case = open_case(a, procedure, received_on=received)
    Case.objects.filter(pk=case.pk).update(**values)
    case.refresh_from_db()
    return case


def constructed_year(a: Agency) -> dict[str, Case]:
    """Cases of the agency's body around 2025, decided through the services where the walk is
    short, and reviews, hearings, discussions and publications as rows."""
    c: dict[str, Case] = {}
    # general procedure: a fine; a warning, fine and confiscation; no penalty; a transfer
    c["fine"] = general_to_notice(a, received=D(2025, 3, 3), fine="5000")
    decided(a, c["fine"], on=D(2025, 4, 1), fine="5000", reasons="事实清楚")
    c["mixed"] = reported(a, received=D(2025, 5, 5), kinds=["warning", "fine", "confiscate_gains"],
                          fine="2000", confiscation="300.50")
    act(a, c["mixed"], "serve_notice", acted_on=D(2025, 5, 26), served_on=D(2025, 5, 26),
        method="direct")
    decided(a, c["mixed"], on=D(2025, 6, 10), fine="2000", confiscation="300.50",
            kinds=["warning", "fine", "confiscate_gains"], reasons="事实清楚")
    c["none"] = reported(a, received=D(2025, 7, 1), kinds=[], fine="")
    decision_draft(a, c["none"], "no_penalty")
    act(a, c["none"], "decide", acted_on=D(2025, 7, 25), outcome="no_penalty",
        no_penalty_reason="first_offence", reasons="初次违法且危害后果轻微并及时改正")
    c["transfer"] = _direct(a, "general", received=D(2025, 8, 4), outcome="transfer",
                            decided_on=D(2025, 8, 28))
    # summary procedure: a warning and a fine of 50 yuan
    c["summary"] = open_case(a, "summary", received_on=D(2025, 8, 1),
                             parties=[person_party()])
    act(a, c["summary"], "decide_on_spot", acted_on=D(2025, 8, 1), act_date=D(2025, 8, 1),
        facts="占道经营", kinds=["warning", "fine"], fine="50", serial="HN-0001")
    # licensing: granted; denied; not accepted (closed without the closing step)
    c["granted"] = open_case(a, "licensing", received_on=D(2025, 9, 1),
                             parties=[company_party()], title="食品经营许可申请")
    act(a, c["granted"], "accept", acted_on=D(2025, 9, 2))
    act(a, c["granted"], "grant", acted_on=D(2025, 9, 20), licence_number="JY143010200001",
        valid_until=D(2030, 9, 19))
    c["denied"] = _direct(a, "licensing", received=D(2025, 9, 15), outcome="denied",
                          decided_on=D(2025, 10, 10))
    c["not_accepted"] = open_case(a, "licensing", received_on=D(2025, 11, 1),
                                  parties=[company_party()], title="食品经营许可申请")
    act(a, c["not_accepted"], "refuse_acceptance", acted_on=D(2025, 11, 3),
        reason="不属于本机关职权范围")
    # an inspection ordering a correction
    c["inspection"] = open_case(a, "inspection", received_on=D(2025, 10, 1))
    act(a, c["inspection"], "start_inspection", acted_on=D(2025, 10, 2), place="某超市",
        findings="检查")
    act(a, c["inspection"], "conclude", acted_on=D(2025, 10, 3), result="order_to_correct",
        conclusion="责令改正", correct_by=D(2025, 11, 3))
    # a coercive measure handled and closed in the year; a generic decision closed after it
    c["coercive"] = _direct(a, "coercive", received=D(2025, 11, 10), outcome="measure_handled",
                            decided_on=D(2025, 11, 15), closed_on=D(2025, 12, 20),
                            status=CaseStatus.CLOSED)
    c["generic"] = _direct(a, "generic", received=D(2025, 11, 20), outcome="decided",
                           decided_on=D(2025, 12, 1), closed_on=D(2026, 1, 5),
                           status=CaseStatus.CLOSED)
    # outside the year: decided the day before it (closed in it), the day after it, received
    # after it; and another body's decision in the year
    c["before"] = _direct(a, "general", received=D(2024, 10, 1), outcome="penalty",
                          final_kinds=["fine"], final_fine=10_000, decided_on=D(2024, 12, 31),
                          closed_on=D(2025, 2, 1), status=CaseStatus.CLOSED)
    c["after"] = _direct(a, "general", received=D(2025, 12, 15), outcome="penalty",
                         final_kinds=["fine"], final_fine=20_000, decided_on=D(2026, 1, 1))
    c["next_year"] = _direct(a, "general", received=D(2026, 1, 10))
    c["other_body"] = _direct(a, "general", received=D(2025, 3, 1), body=a.other_body,
                              outcome="penalty", final_kinds=["fine"], final_fine=99_900,
                              decided_on=D(2025, 4, 1))

    # legal review: rounds submitted in 2025 (two cases), one in 2026; two passed in 2025
    r1 = ReviewRequest.objects.create(case=c["fine"], body=a.body, state=RequestState.PASSED,
                                      current_round=2, passed_on=D(2025, 3, 28))
    ReviewRound.objects.create(request=r1, number=1, state=RoundState.DECIDED,
                               submitted_on=D(2025, 3, 20))
    ReviewRound.objects.create(request=r1, number=2, state=RoundState.DECIDED,
                               submitted_on=D(2025, 3, 25))
    r2 = ReviewRequest.objects.create(case=c["mixed"], body=a.body,
                                      state=RequestState.DISCUSSED, current_round=2,
                                      passed_on=D(2025, 1, 20))
    ReviewRound.objects.create(request=r2, number=1, state=RoundState.DECIDED,
                               submitted_on=D(2024, 12, 15))
    ReviewRound.objects.create(request=r2, number=2, state=RoundState.DECIDED,
                               submitted_on=D(2025, 1, 10))
    r3 = ReviewRequest.objects.create(case=c["after"], body=a.body,
                                      state=RequestState.SUBMITTED, current_round=1)
    ReviewRound.objects.create(request=r3, number=1, state=RoundState.SUBMITTED,
                               submitted_on=D(2026, 1, 2))
    # hearings: one held in 2025, one in 2024
    for case, day in ((c["mixed"], D(2025, 5, 30)), (c["before"], D(2024, 11, 20))):
        CaseStep.objects.create(case=case, action="hold_hearing", label="举行听证", acted_on=day)
    # collective discussions: held in 2025; held in 2026; pending
    for case, held, st in ((c["mixed"], D(2025, 1, 15), DiscussionState.HELD),
                           (c["after"], D(2026, 1, 3), DiscussionState.HELD),
                           (c["fine"], None, DiscussionState.PENDING)):
        CollectiveDiscussion.objects.create(case=case, reason=DiscussionReason.CONTESTED,
                                            state=st, held_on=held)
    # publications: on time, late, on time and withdrawn in 2026; published in 2024 and
    # withdrawn in 2025; a draft; another body's
    def pub(case: Case, *, published: dt.date | None, due: dt.date, st: str = State.PUBLISHED,
            withdrawn: dt.date | None = None, body: EnforcementBody | None = None) -> None:
        row = publication_row(a, case=case, state=st, decision_date=case.decided_on or due,
                              published_on=published, body=body)
        type(row).objects.filter(pk=row.pk).update(due_on=due, withdrawn_on=withdrawn)

    pub(c["fine"], published=D(2025, 4, 5), due=D(2025, 4, 10))
    pub(c["mixed"], published=D(2025, 6, 20), due=D(2025, 6, 19))
    pub(c["generic"], published=D(2025, 12, 30), due=D(2026, 1, 5), st=State.WITHDRAWN,
        withdrawn=D(2026, 1, 10))
    pub(c["before"], published=D(2024, 11, 1), due=D(2024, 11, 5), st=State.WITHDRAWN,
        withdrawn=D(2025, 2, 1))
    pub(c["granted"], published=None, due=D(2025, 9, 29), st=State.DRAFT)
    pub(c["other_body"], published=D(2025, 4, 3), due=D(2025, 4, 10), body=a.other_body)
    return c


def expected_2025() -> dict[str, Any]:
    out = empty_figures(YEAR)
    out["cases"] = {"received": 12, "decided": 10, "open_at_year_end": 10}
    out["by_category"] = {"penalty_general": 4, "penalty_summary": 1, "licensing": 2,
                          "coercive": 1, "inspection": 1, "other": 1}
    out["by_result"].update(penalty=3, no_penalty=1, transfer=1, granted=1, denied=1,
                            order_to_correct=1, measure_handled=1, decided=1)
    out["penalty_kinds"].update(fine=3, warning=2, confiscate_gains=1)
    out["amounts"] = {"fines": 500_000 + 200_000 + 5_000, "confiscations": 30_050}
    out["licensing"] = {"granted": 1, "denied": 1, "not_accepted": 1}
    out["procedure"] = {"review_requests": 2, "review_rounds": 3, "review_passed": 2,
                        "hearings": 1, "discussions": 1}
    out["publications"] = {"published": 3, "on_time": 2, "late": 1, "withdrawn": 1}
    return out


@pytest.fixture
def a() -> Agency:
    return agency()


# --- Compute ----------------------------------------------------------------------------------
def test_the_figures_of_a_constructed_year_are_exact(a: Agency) -> None:
    constructed_year(a)
    actor = clerk(a.body)
    report = report_compute(actor=actor, body=a.body, year=YEAR)
    assert report.figures == expected_2025()
    assert (report.state, report.year, report.entered, report.body_id) == (
        ReportState.DRAFT, YEAR, {}, a.body.pk)
    # every row of every computed section is present, and nothing else
    for section in SECTIONS:
        if not section.entered:
            assert list(report.figures[section.key]) == [r.key for r in section.rows]
    # the other body's year holds its one decision
    other = report_compute(actor=clerk(a.other_body, "吴兰"), body=a.other_body, year=YEAR)
    assert other.figures["cases"] == {"received": 1, "decided": 1, "open_at_year_end": 1}
    assert other.figures["amounts"] == {"fines": 99_900, "confiscations": 0}
    assert other.figures["publications"] == {"published": 1, "on_time": 1, "late": 0,
                                             "withdrawn": 0}


def test_computing_again_updates_the_draft_and_keeps_what_was_entered(a: Agency) -> None:
    actor = clerk(a.body)
    report = report_compute(actor=actor, body=a.body, year=YEAR)
    assert report.figures == empty_figures(YEAR)
    report_enter(actor=actor, report=report, entered=ENTERED, notes="复议数据来自复议机关。")
    _direct(a, "general", received=D(2025, 6, 1), outcome="penalty", final_kinds=["warning"],
            decided_on=D(2025, 6, 2))
    again = report_compute(actor=actor, body=a.body, year=YEAR)
    assert again.pk == report.pk and AnnualReport.objects.count() == 1
    assert again.figures["by_result"]["penalty"] == 1
    assert again.figures["penalty_kinds"]["warning"] == 1
    again.refresh_from_db()
    assert (again.entered, again.notes) == (ENTERED, "复议数据来自复议机关。")
    entries = ledger(REPORT_COMPUTED)
    assert len(entries) == 2
    digest = hasher(algorithm()).digest(canonical_json(
        {"entered": ENTERED, "figures": again.figures}).encode()).hex()
    assert entries[1] == {"report": str(report.public_id), "body": str(a.body.public_id),
                          "year": YEAR, "content_digest": digest, "algorithm": algorithm()}
    assert entries[0]["content_digest"] != digest


def test_compute_refusals_change_nothing(a: Agency) -> None:
    report = report_compute(actor=clerk(a.body), body=a.body, year=YEAR)
    refused("missing_publish", lambda: report_compute(actor=a.u_officer, body=a.body,
                                                      year=YEAR))
    refused("missing_publish", lambda: report_compute(actor=a.u_supervisor, body=a.body,
                                                      year=YEAR))
    refused("body_not_found", lambda: report_compute(actor=clerk(a.other_body, "吴兰"),
                                                     body=a.body, year=YEAR))
    actor = clerk(a.body, "钱芳")
    for year in (1999, D.today().year + 5, "二〇二五", None, True):
        exc = refused("invalid_year", lambda y=year: report_compute(actor=actor, body=a.body,
                                                                    year=y))
        assert set(exc.detail) == {"year"}
    report_enter(actor=actor, report=report, entered=ENTERED)
    report_publish(actor=actor, report=report, today=D(2026, 1, 10))
    refused("report_published", lambda: report_compute(actor=actor, body=a.body, year=YEAR))


def test_head_and_system_administrator_may_compute(a: Agency) -> None:
    assert report_compute(actor=a.u_head, body=a.body, year=YEAR).year == YEAR
    assert report_compute(actor=a.u_sysadmin, body=a.other_body, year=2024).year == 2024


# --- Enter ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("entered", "fields"), [
    ({**ENTERED, "suits": -1}, {"suits"}),
    ({**ENTERED, "reconsiderations": "3"}, {"reconsiderations"}),
    ({**ENTERED, "reconsiderations": 2.5}, {"reconsiderations"}),
    ({**ENTERED, "suits": True}, {"suits"}),
    ({**ENTERED, "suits": 1_000_001}, {"suits"}),
    ({**ENTERED, "suits": None}, {"suits"}),
    ({k: v for k, v in ENTERED.items() if k != "suits_lost"}, {"suits_lost"}),
    ({**ENTERED, "reconsiderations_changed": 4}, {"reconsiderations_changed"}),
    ({**ENTERED, "suits": 0, "suits_lost": 1}, {"suits_lost"}),
    ({**ENTERED, "appeals": 1}, {"appeals"}),
    ([3, 1, 2, 0], set()),
])
def test_entered_figures_are_validated(a: Agency, entered: Any, fields: set[str]) -> None:
    actor = clerk(a.body)
    report = report_compute(actor=actor, body=a.body, year=YEAR)
    exc = refused("invalid_fields", lambda: report_enter(actor=actor, report=report,
                                                         entered=entered, notes="说明"))
    assert set(exc.detail) == fields


def test_entered_figures_are_saved_with_the_notes(a: Agency) -> None:
    actor = clerk(a.body)
    report = report_compute(actor=actor, body=a.body, year=YEAR)
    zero = dict.fromkeys(ENTERED, 0)
    report_enter(actor=actor, report=report, entered=zero, notes="  本年度无复议、诉讼案件。 ")
    report.refresh_from_db()
    assert (report.entered, report.notes) == (zero, "本年度无复议、诉讼案件。")
    refused("invalid_fields", lambda: report_enter(actor=actor, report=report,
                                                   entered=zero, notes="长" * 2001))
    refused("missing_publish", lambda: report_enter(actor=a.u_officer, report=report,
                                                    entered=ENTERED))
    refused("report_not_found", lambda: report_enter(actor=clerk(a.other_body, "吴兰"),
                                                     report=report, entered=ENTERED))


def test_notes_lose_the_characters_xml_forbids(a: Agency) -> None:
    """A note pasted from another program may hold control characters: they are dropped
    (tabs and line ends kept), in the row and in the ledger entry."""
    actor = clerk(a.body)
    report = report_compute(actor=actor, body=a.body, year=YEAR)
    report_enter(actor=actor, report=report, entered=ENTERED,
                 notes="=复议\x0b数据\x00来自\x1f复议机关\ufffe。\n第二行\t完")
    report.refresh_from_db()
    assert report.notes == "=复议数据来自复议机关。\n第二行\t完"
    (payload,) = [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        event_code=REPORT_ENTERED.code)]
    assert payload["notes"] == "=复议数据来自复议机关。\n第二行\t完"


# --- Publish ----------------------------------------------------------------------------------
def test_publishing_freezes_the_figures_and_records_the_digest(a: Agency) -> None:
    constructed_year(a)
    actor = clerk(a.body)
    report = draft_report(a, actor=actor, entered=ENTERED)
    published = report_publish(actor=actor, report=report, today=D(2026, 1, 31))
    published.refresh_from_db()
    content = {"entered": ENTERED, "figures": expected_2025()}
    assert report_content(published) == content
    digest = hasher(algorithm()).digest(canonical_json(content).encode()).hex()
    assert (published.state, published.published_on, published.published_by_id,
            published.content_digest) == (ReportState.PUBLISHED, D(2026, 1, 31), actor.pk,
                                          digest)
    assert not report_is_late(published)
    (payload,) = ledger(REPORT_PUBLISHED)
    assert payload == {"report": str(report.public_id), "body": str(a.body.public_id),
                       "year": YEAR, "content_digest": digest, "algorithm": algorithm(),
                       "published_on": "2026-01-31", "deadline": "2026-01-31",
                       "late": False}
    entry = LedgerEntry.objects.get(seq=published.ledger_seq)
    assert (entry.event_code, entry.body_id, entry.actor_id) == (
        REPORT_PUBLISHED.code, a.body.pk, actor.pk)
    # frozen: neither computed nor entered again
    refused("report_published", lambda: report_compute(actor=actor, body=a.body, year=YEAR))
    refused("report_published", lambda: report_enter(actor=actor, report=published,
                                                     entered=ENTERED))
    refused("report_published", lambda: report_publish(actor=actor, report=published,
                                                       today=D(2026, 2, 1)))


def test_publishing_after_31_january_is_allowed_and_marked_late(a: Agency) -> None:
    report = published_report(a, on=D(2026, 2, 1))
    assert report_deadline(YEAR) == D(2026, 1, 31)
    assert report_is_late(report)
    (payload,) = ledger(REPORT_PUBLISHED)
    assert (payload["late"], payload["published_on"]) == (True, "2026-02-01")


def test_figures_computed_before_the_year_ended_are_refused(a: Agency) -> None:
    """The year ends at midnight Beijing time (16:00 UTC on 31 December): figures computed
    before then lack the rest of the year and must be computed again."""
    actor = clerk(a.body)
    report = draft_report(a, actor=actor, entered=ENTERED)
    beijing = ZoneInfo("Asia/Shanghai")
    assert year_end(YEAR) == dt.datetime(2026, 1, 1, tzinfo=beijing)
    last_second = dt.datetime(2025, 12, 31, 15, 59, 59, tzinfo=dt.UTC)  # 23:59:59 Beijing
    AnnualReport.objects.filter(pk=report.pk).update(computed_at=last_second)
    report.refresh_from_db()
    assert report_is_stale(report)
    exc = refused("report_stale", lambda: report_publish(actor=actor, report=report,
                                                         today=D(2026, 1, 10)))
    assert exc.status == 409
    AnnualReport.objects.filter(pk=report.pk).update(computed_at=None)
    report.refresh_from_db()
    refused("report_stale", lambda: report_publish(actor=actor, report=report,
                                                   today=D(2026, 1, 10)))
    # 00:00 Beijing on 1 January (still 31 December in UTC) is after the year
    AnnualReport.objects.filter(pk=report.pk).update(
        computed_at=dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC))
    report.refresh_from_db()
    assert not report_is_stale(report)
    assert report_publish(actor=actor, report=report,
                          today=D(2026, 1, 10)).state == ReportState.PUBLISHED
    report.refresh_from_db()
    assert not report_is_stale(report)  # a published report is never stale


def test_computing_again_makes_a_stale_report_publishable(a: Agency) -> None:
    actor = clerk(a.body)
    report = draft_report(a, actor=actor, entered=ENTERED)
    AnnualReport.objects.filter(pk=report.pk).update(
        computed_at=dt.datetime(2025, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    report.refresh_from_db()
    refused("report_stale", lambda: report_publish(actor=actor, report=report,
                                                   today=D(2026, 1, 10)))
    report = report_compute(actor=actor, body=a.body, year=YEAR)
    assert not report_is_stale(report)
    assert report_publish(actor=actor, report=report,
                          today=D(2026, 1, 10)).state == ReportState.PUBLISHED


def test_publish_refusals_change_nothing(a: Agency) -> None:
    actor = clerk(a.body)
    report = draft_report(a, actor=actor)
    refused("missing_publish", lambda: report_publish(actor=a.u_officer, report=report,
                                                      today=D(2026, 1, 10)))
    refused("missing_publish", lambda: report_publish(actor=a.u_supervisor, report=report,
                                                      today=D(2026, 1, 10)))
    refused("report_not_found", lambda: report_publish(actor=clerk(a.other_body, "吴兰"),
                                                       report=report, today=D(2026, 1, 10)))
    refused("report_entered_missing", lambda: report_publish(actor=actor, report=report,
                                                             today=D(2026, 1, 10)))
    report_enter(actor=actor, report=report, entered=ENTERED)
    refused("report_year_not_ended", lambda: report_publish(actor=actor, report=report,
                                                            today=D(2025, 12, 31)))
    # an account whose body is suspended holds no permission at all
    EnforcementBody.objects.filter(pk=a.body.pk).update(status=BodyStatus.SUSPENDED)
    refused("missing_publish", lambda: report_publish(actor=User.objects.get(pk=actor.pk),
                                                      report=report, today=D(2026, 1, 10)))
    assert AnnualReport.objects.get().state == ReportState.DRAFT


def test_a_head_and_a_system_administrator_may_publish(a: Agency) -> None:
    report = draft_report(a, entered=ENTERED)
    assert report_publish(actor=a.u_head, report=report, today=D(2026, 1, 5)).published_by_id \
        == a.u_head.pk
    other = draft_report(a, body=a.other_body, entered=ENTERED,
                         actor=clerk(a.other_body, "吴兰"))
    assert report_publish(actor=a.u_sysadmin, report=other,
                          today=D(2026, 1, 5)).state == ReportState.PUBLISHED


# --- Alert ------------------------------------------------------------------------------------
def test_no_alert_before_1_february(a: Agency) -> None:
    before = state()
    assert reports_alert(today=D(2026, 1, 31)) == 0
    assert reports_alert(today=D(2026, 1, 1)) == 0
    assert state() == before


def test_the_missing_report_alert_is_recorded_once_per_body(a: Agency, monkeypatch: Any
                                                           ) -> None:
    monkeypatch.setattr(reports_module, "local_today", lambda: D(2027, 3, 1))
    published_report(a)  # the body's 2025 report is published
    draft = draft_report(a, body=a.other_body, actor=clerk(a.other_body, "吴兰"))
    dissolved = f.body(a.regions["county"], a.market, name="已撤销的局",
                       status=BodyStatus.DISSOLVED)
    bureau = EnforcementBody.objects.get(name="长沙市司法局")
    assert reports_alert(today=D(2026, 2, 1)) == 2  # the other body and the justice bureau
    alerts = {(r.body_id, r.year, r.recorded_on) for r in ReportAlert.objects.all()}
    assert alerts == {(a.other_body.pk, YEAR, D(2026, 2, 1)), (bureau.pk, YEAR, D(2026, 2, 1))}
    payloads = ledger(REPORT_MISSING)
    assert sorted(payloads, key=lambda p: p["body"]) == sorted([
        {"body": str(b.public_id), "year": YEAR, "deadline": "2026-01-31",
         "recorded_on": "2026-02-01"} for b in (a.other_body, bureau)],
        key=lambda p: p["body"])
    for alert in ReportAlert.objects.all():
        entry = LedgerEntry.objects.get(seq=alert.ledger_seq)
        assert (entry.event_code, entry.body_id) == (REPORT_MISSING.code, alert.body_id)
    draft.refresh_from_db()
    assert draft.alerted_on == D(2026, 2, 1)
    assert not ReportAlert.objects.filter(body=dissolved).exists()
    # once: a later sweep, even after the draft is published late, records nothing more
    before = state()
    assert reports_alert(today=D(2026, 2, 2)) == 0
    assert reports_alert(today=D(2026, 12, 31)) == 0
    assert state() == before
    # the next year's sweep is about 2026
    assert reports_alert(today=D(2027, 3, 1)) == 3
    assert set(ReportAlert.objects.filter(year=2026).values_list("body_id", flat=True)) == {
        a.body.pk, a.other_body.pk, bureau.pk}


def test_the_alert_never_runs_ahead_of_the_clock(a: Agency, monkeypatch: Any) -> None:
    """``today`` later than today is today: on 31 January nothing is missing yet, whatever
    day is asked for."""
    monkeypatch.setattr(reports_module, "local_today", lambda: D(2026, 1, 31))
    before = state()
    assert reports_alert(today=D(2026, 2, 1)) == 0
    assert reports_alert(today=D(2027, 3, 1)) == 0
    assert reports_alert() == 0
    assert state() == before
    # the clock reaches 1 February: the default day and a later one are that day
    monkeypatch.setattr(reports_module, "local_today", lambda: D(2026, 2, 1))
    assert reports_alert(today=D(2027, 3, 1)) == 3
    assert set(ReportAlert.objects.values_list("year", "recorded_on")) == {
        (YEAR, D(2026, 2, 1))}
    assert reports_alert() == 0
