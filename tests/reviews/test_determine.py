"""The case's determination is kept current (``services.determine``): evaluated again after
the steps that change the proposal or the hearing, stored, and a ``review.determined``
entry on the case's stream for each change of the result; none when nothing changed, none
for a first "not required"."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import translation

from tests import factories as f
from tests.cases.factories import act, company_party, open_case, registered
from zhifa.cases import hooks
from zhifa.cases.models import Case, SourceKind
from zhifa.catalog.models import PartyType
from zhifa.catalog.services import ThresholdIn, review_catalogue_create
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.events import REVIEW_DETERMINED
from zhifa.reviews.models import RequestState, ReviewDetermination, ReviewRequest
from zhifa.reviews.services.determine import (
    current_determination,
    reasons_text,
    review_determine,
)
from zhifa.reviews.triggers import evaluate

from .factories import ReviewAgency

pytestmark = pytest.mark.django_db

D = dt.date
FACTS = "经查，当事人销售不合格产品。"
VOLUNTARY = {"code": "voluntary", "kind": "voluntary", "params": {}}


def entries(case: Case) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        stream=case.stream, event_code=REVIEW_DETERMINED.code).order_by("stream_seq")]


def investigating(a: ReviewAgency) -> Case:
    case = registered(a)
    act(a, case, "start_investigation", acted_on=D(2026, 9, 3))
    return case


def report(a: ReviewAgency, case: Case, on: dt.date = dt.date(2026, 9, 21), *,
           fine: str = "5000", actor: Any = None, **fields: Any) -> None:
    act(a, case, "submit_report", actor=actor, acted_on=on, facts=FACTS, kinds=["fine"],
        fine=fine, **fields)


def test_a_first_not_required_is_stored_without_an_entry(a: ReviewAgency) -> None:
    case = investigating(a)
    row = ReviewDetermination.objects.get(case=case)  # evaluated when registered
    assert (row.required, row.reasons, row.catalogue) == (False, [], None)
    report(a, case)
    row.refresh_from_db()
    assert (row.required, row.reasons, row.basis["outcome"], row.basis["fine"]) == (
        False, [], "penalty", 500_000)
    assert entries(case) == []


def test_a_report_that_requires_review_is_recorded_once(a: ReviewAgency) -> None:
    case = investigating(a)
    report(a, case, major=True)
    det = evaluate(case)
    with translation.override("zh-hans"):
        text = reasons_text(det)
    assert text == f"{det.labels()[0]}（行政处罚法第五十八条第一款第一项）"
    [payload] = entries(case)
    reason = {"code": "public_interest", "kind": "statutory", "params": {"stated_by": "李明"}}
    assert payload == {
        "case": case.number, "required": True, "required_label": payload["required_label"],
        "reasons": [reason], "reasons_text": text, "catalogue": None,
        "basis": payload["basis"]}
    assert payload["required_label"]
    assert (payload["basis"]["public_interest"], payload["basis"]["fine"]) == (True, 500_000)
    entry = LedgerEntry.objects.get(stream=case.stream, event_code=REVIEW_DETERMINED.code)
    assert (entry.actor_id, entry.body_id) == (a.u_officer.pk, a.body.pk)
    row = ReviewDetermination.objects.get(case=case)
    assert (row.required, row.reasons, row.fingerprint) == (True, [reason], det.fingerprint)
    # the same report again (another day): the result is unchanged, nothing recorded
    report(a, case, D(2026, 9, 22), major=True)
    assert len(entries(case)) == 1
    # the same judgement stated by another officer: the result is unchanged, the row names him
    report(a, case, D(2026, 9, 23), major=True, actor=a.u_officer2)
    assert len(entries(case)) == 1
    row.refresh_from_db()
    assert (row.reasons, row.fingerprint) == (
        [{**reason, "params": {"stated_by": "张伟"}}], det.fingerprint)


def test_each_change_of_the_result_is_one_entry(a: ReviewAgency) -> None:
    review_catalogue_create(actor=None, body=a.body, title="目录清单", effective_from=D(2024, 1, 1),
                            thresholds=[ThresholdIn(PartyType.ORGANISATION, 1_000_000, "gte")],
                            triggers=["revoke_licence"])
    case = investigating(a)
    report(a, case, fine="9999.99")
    assert entries(case) == []
    report(a, case, D(2026, 9, 22), fine="10000")
    report(a, case, D(2026, 9, 23), fine="10000")  # unchanged
    report(a, case, D(2026, 9, 24), fine="12000")  # the amount the reason states changed
    report(a, case, D(2026, 9, 25), fine="12000", major=True)
    report(a, case, D(2026, 9, 26), fine="9000")
    got = [(p["required"], [r["code"] for r in p["reasons"]],
            [r["params"].get("amount") for r in p["reasons"]]) for p in entries(case)]
    assert got == [
        (True, ["threshold:organisation"], [1_000_000]),
        (True, ["threshold:organisation"], [1_200_000]),
        (True, ["public_interest", "threshold:organisation"], [None, 1_200_000]),
        (False, [], []),
    ]
    last = entries(case)[-1]
    assert (last["reasons_text"], last["catalogue"]) == ("—", ["review-catalogue", 1])
    assert ReviewDetermination.objects.get(case=case).required is False


def test_a_hearing_held_changes_the_determination(a: ReviewAgency) -> None:
    f.hearing_threshold(a.regions["province"], PartyType.ORGANISATION, 2_000_000)
    case = investigating(a)
    report(a, case, fine="30000")
    act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
        method="direct")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    act(a, case, "schedule_hearing", acted_on=D(2026, 9, 24), hearing_on=D(2026, 10, 12),
        place="第一会议室")
    assert entries(case) == []
    act(a, case, "hold_hearing", acted_on=D(2026, 10, 12), presiding="赵敏", record="陈述")
    [payload] = entries(case)
    assert (payload["required"], payload["reasons"]) == (
        True, [{"code": "hearing_held", "kind": "statutory", "params": {}}])
    # a new report does not undo the hearing held (APL art. 58 §1(2)): nothing changes
    report(a, case, D(2026, 10, 13), fine="30000")
    assert case.hearing_held_on is None
    assert [p["required"] for p in entries(case)] == [True]
    row = ReviewDetermination.objects.get(case=case)
    assert (row.required, row.reasons) == (
        True, [{"code": "hearing_held", "kind": "statutory", "params": {}}])


def test_a_new_catalogue_version_that_changes_no_reason_is_no_entry(a: ReviewAgency) -> None:
    first = review_catalogue_create(
        actor=None, body=a.body, title="目录清单", effective_from=D(2024, 1, 1),
        thresholds=[ThresholdIn(PartyType.ORGANISATION, 1_000_000, "gte")], triggers=[])
    case = investigating(a)
    report(a, case, major=True)
    assert ReviewDetermination.objects.get(case=case).catalogue == first
    second = review_catalogue_create(
        actor=None, body=a.body, title="目录清单", effective_from=D(2025, 1, 1),
        thresholds=[ThresholdIn(PartyType.ORGANISATION, 2_000_000, "gte")], triggers=[])
    before = LedgerEntry.objects.count()
    row, det = review_determine(case=case, actor=a.u_officer)
    assert (row.catalogue, det.catalogue, det.required) == (second, second, True)
    assert ReviewDetermination.objects.get(case=case).catalogue == second
    assert LedgerEntry.objects.count() == before
    assert len(entries(case)) == 1


def test_review_determine_on_demand(a: ReviewAgency) -> None:
    """A case reported while no listener ran (e.g. before the reviews app): the first
    evaluation that requires review is recorded; a second changes nothing."""
    listener = hooks._step_listeners.pop("reviews")
    try:
        case = investigating(a)
        report(a, case, major=True)
    finally:
        hooks._step_listeners["reviews"] = listener
    assert not ReviewDetermination.objects.filter(case=case).exists()
    row, det = review_determine(case=case, actor=a.u_head)
    assert (row.required, det.required, len(entries(case))) == (True, True, 1)
    assert LedgerEntry.objects.get(stream=case.stream,
                                   event_code=REVIEW_DETERMINED.code).actor_id == a.u_head.pk
    review_determine(case=case, actor=a.u_head)
    assert len(entries(case)) == 1


def test_a_voluntary_request_counts_once_sent(a: ReviewAgency) -> None:
    case = investigating(a)
    report(a, case)
    request = ReviewRequest.objects.create(case=case, body=case.body, voluntary=True,
                                           state=RequestState.DRAFT)
    row, _det = review_determine(case=case, actor=a.u_officer)
    assert (row.required, entries(case)) == (False, [])
    ReviewRequest.objects.filter(pk=request.pk).update(state=RequestState.SUBMITTED)
    row, _det = review_determine(case=case, actor=a.u_officer)
    assert row.reasons == [{"code": "voluntary", "kind": "voluntary", "params": {}}]
    assert [p["required"] for p in entries(case)] == [True]


def test_the_current_determination_counts_a_voluntary_request_once_sent(
        a: ReviewAgency) -> None:
    """As the gate counts it: a voluntary package being prepared or withdrawn is no reason."""
    case = investigating(a)
    report(a, case)
    assert current_determination(case).reasons == ()
    request = ReviewRequest.objects.create(case=case, body=case.body, voluntary=True,
                                           state=RequestState.DRAFT)
    for state, reasons in ((RequestState.DRAFT, ()), (RequestState.WITHDRAWN, ()),
                           (RequestState.SUBMITTED, (VOLUNTARY,)),
                           (RequestState.PASSED, (VOLUNTARY,))):
        ReviewRequest.objects.filter(pk=request.pk).update(state=state)
        assert current_determination(case).reasons == reasons, state
    stored, det = review_determine(case=case, actor=a.u_officer)
    assert stored.reasons == list(det.reasons) == [VOLUNTARY]


def test_the_current_determination_of_a_licensing_case_is_about_a_refusal(
        a: ReviewAgency) -> None:
    """A review of a licensing case concerns the refusal (as the submission asks): a
    catalogue that lists licensing refusals requires it, shown and stored alike."""
    review_catalogue_create(actor=None, body=a.body, title="目录清单",
                            effective_from=D(2024, 1, 1), thresholds=[],
                            triggers=["licensing_refusal"])
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company_party()],
                     source_kind=SourceKind.APPLICATION, title="食品经营许可申请")
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    det = current_determination(case)
    assert [r["code"] for r in det.reasons] == ["licensing_refusal"]
    row = ReviewDetermination.objects.get(case=case)
    assert (row.required, row.reasons) == (True, list(det.reasons))
    assert [p["reasons"][0]["code"] for p in entries(case)] == ["licensing_refusal"]


def test_a_licensing_case_is_evaluated_when_accepted(a: ReviewAgency) -> None:
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company_party()],
                     source_kind=SourceKind.APPLICATION, title="食品经营许可申请")
    assert not ReviewDetermination.objects.filter(case=case).exists()
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    row = ReviewDetermination.objects.get(case=case)
    assert (row.required, row.basis["procedure"], entries(case)) == (False, "licensing", [])
