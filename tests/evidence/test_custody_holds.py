"""Holds: placed and released with a reason by those who handle the case (archived cases
too), each on the ledger; refusals change nothing."""

import pytest

from zhifa.core.errors import ApplicationError
from zhifa.evidence.events import HOLD_PLACED, HOLD_RELEASED
from zhifa.evidence.models import LegalHold
from zhifa.evidence.services.holds import active_holds, hold_place, hold_reasons, hold_release

from .custody_factories import case_with_files, entries, snapshot


def test_place_and_release_are_recorded(a) -> None:
    case, _files = case_with_files(a)
    assert hold_reasons(case) == []
    hold = hold_place(actor=a.u_officer, case=case, kind="litigation",
                      reason="当事人提起行政诉讼（2026）湘0102行初1号")
    assert active_holds(case) == [hold] and len(hold_reasons(case)) == 1
    (placed,) = entries(case.stream, HOLD_PLACED.code)
    assert placed == {"case": case.number, "hold": str(hold.public_id), "kind": "litigation",
                      "reason": "当事人提起行政诉讼（2026）湘0102行初1号"}
    released = hold_release(actor=a.u_head, hold=hold, reason="判决已生效")
    assert released.released_by == a.u_head and released.release_reason == "判决已生效"
    assert active_holds(case) == [] and hold_reasons(case) == []
    (payload,) = entries(case.stream, HOLD_RELEASED.code)
    assert payload["reason"] == "判决已生效" and payload["hold"] == str(hold.public_id)


def test_an_open_case_is_held_implicitly(a) -> None:
    case, _files = case_with_files(a, closed=False)
    assert len(hold_reasons(case)) == 1
    assert LegalHold.objects.count() == 0


def test_archived_case_can_be_held(a) -> None:
    case, _files = case_with_files(a)
    case.status = "archived"
    case.save(update_fields=["status"])
    hold = hold_place(actor=a.u_officer, case=case, kind="reconsideration", reason="申请复议")
    assert hold.case == case


@pytest.mark.parametrize(("actor", "kind", "reason", "code"), [
    ("u_other", "litigation", "诉讼", "case_out_of_scope"),
    ("u_supervisor", "litigation", "诉讼", "missing_handle_cases"),
    ("u_officer", "feud", "诉讼", "invalid_hold_kind"),
    ("u_officer", "litigation", "   ", "hold_reason_required"),
])
def test_place_refused_changes_nothing(a, actor, kind, reason, code) -> None:
    case, _files = case_with_files(a)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        hold_place(actor=getattr(a, actor), case=case, kind=kind, reason=reason)
    assert err.value.code == code
    assert snapshot() == before


def test_release_refused_changes_nothing(a) -> None:
    case, _files = case_with_files(a)
    hold = hold_place(actor=a.u_officer, case=case, kind="complaint", reason="信访")
    before = snapshot()
    for actor, reason, code in [(a.u_other, "结束", "case_out_of_scope"),
                                (a.u_officer, "", "hold_reason_required")]:
        with pytest.raises(ApplicationError) as err:
            hold_release(actor=actor, hold=hold, reason=reason)
        assert err.value.code == code
    assert snapshot() == before
    hold_release(actor=a.u_officer, hold=hold, reason="信访已办结")
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        hold_release(actor=a.u_officer, hold=hold, reason="再次")
    assert err.value.code == "hold_released"
    assert snapshot() == before
