"""Evidence items after they are recorded: editing (the ledger keeps each change as old →
new), withdrawing with a reason (files stay), moving a file to another item of the same case;
and the scoped reads with a constant number of queries."""

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import registered
from zhifa.cases.models import CaseStep
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from zhifa.evidence.models import EvidenceFile, EvidenceItem, ItemState
from zhifa.evidence.selectors import (
    evidence_files_for_case,
    evidence_for_case,
    file_get_for_user,
    item_get_for_user,
)
from zhifa.evidence.services.items import (
    evidence_file_attach,
    evidence_item_update,
    evidence_item_withdraw,
)
from zhifa.ledger.models import LedgerEntry

from .factories import PNG_1PX, a_case, item, stored


def entries(case: Any, code: int) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        stream=case.stream, event_code=code).order_by("seq")]


def state(case: Any) -> dict[str, Any]:
    """Every row an item change may touch, and the ledger size."""
    return {
        "items": list(EvidenceItem.objects.filter(case=case).order_by("id").values()),
        "collectors": sorted(EvidenceItem.collectors.through.objects.values_list(
            "evidenceitem_id", "person_id")),
        "files": list(EvidenceFile.objects.filter(case=case).order_by("id").values()),
        "ledger": LedgerEntry.objects.count(),
    }


# --- update ------------------------------------------------------------------------------

def test_update_records_each_changed_field_old_and_new(a) -> None:
    case = registered(a)
    step = CaseStep.objects.get(case=case, action="register")
    it = item(a, case, kind="documentary", title="进货单", source="当事人提供", place="仓库")
    at = timezone.make_aware(dt.datetime(2026, 9, 3, 10, 30))
    updated = evidence_item_update(
        actor=a.u_officer2, item=it, kind="physical", title=" 不合格产品 ", source="当事人提供",
        collected_at=at, latitude="28.1941", longitude=112.9823, step=step,
        collectors=[a.officer2, a.officer], description="三箱")
    it.refresh_from_db()
    assert (it.kind, it.title, it.collected_at, it.latitude, it.longitude, it.step_id,
            it.description) == ("physical", "不合格产品", at, Decimal("28.194100"),
                                Decimal("112.982300"), step.pk, "三箱")
    assert updated.pk == it.pk
    assert sorted(p.name for p in it.collectors.all()) == ["张伟", "李明"]
    [payload] = entries(case, 5002)
    assert payload == {
        "case": case.number, "item": str(it.public_id), "seq": 1, "title": "不合格产品",
        "changes": {
            "kind": ["documentary", "physical"],
            "title": ["进货单", "不合格产品"],
            "description": ["", "三箱"],
            "collected_at": [None, at.isoformat()],
            "latitude": [None, "28.194100"],
            "longitude": [None, "112.982300"],
            "step": [None, {"id": step.pk, "label": step.label,
                            "acted_on": step.acted_on.isoformat()}],
            "collectors": [[], ["张伟", "李明"]],
        },
    }
    entry = LedgerEntry.objects.get(stream=case.stream, event_code=5002)
    assert entry.actor_name == "张伟"


def test_update_with_the_same_values_records_nothing(a) -> None:
    case = a_case(a)
    it = item(a, case, title="进货单", collectors=[a.officer])
    before = state(case)
    evidence_item_update(actor=a.u_officer, item=it, title="进货单", collectors=[a.officer],
                         kind="audio_visual", latitude=None, longitude=None)
    assert state(case) == before


def test_clearing_coordinates_and_step(a) -> None:
    case = registered(a)
    step = CaseStep.objects.get(case=case, action="register")
    it = item(a, case, latitude="28.1", longitude="112.9", step=step)
    evidence_item_update(actor=a.u_officer, item=it, latitude=None, longitude=None, step=None)
    it.refresh_from_db()
    assert (it.latitude, it.longitude, it.step_id) == (None, None, None)
    [payload] = entries(case, 5002)
    assert payload["changes"]["latitude"] == ["28.100000", None]
    assert payload["changes"]["step"][1] is None


@pytest.mark.parametrize(("fields", "code", "exc"), [
    ({"kind": "rumour"}, "invalid_evidence_kind", InvalidInput),
    ({"title": "  "}, "evidence_title_required", InvalidInput),
    ({"latitude": "91", "longitude": "10"}, "invalid_coordinates", InvalidInput),
    ({"latitude": "28"}, "invalid_coordinates", InvalidInput),  # longitude missing
    ({"latitude": "abc", "longitude": "1"}, "invalid_coordinates", InvalidInput),
    ({"owner": "x"}, "invalid_fields", InvalidInput),
    ({"adopted": True}, "invalid_fields", InvalidInput),  # retention's business, not this
])
def test_update_refusals_change_nothing(a, fields, code, exc) -> None:
    case = a_case(a)
    it = item(a, case)
    before = state(case)
    with pytest.raises(exc) as err:
        evidence_item_update(actor=a.u_officer, item=it, **fields)
    assert err.value.code == code
    assert state(case) == before


def test_update_refuses_a_step_of_another_case_and_an_outside_collector(a) -> None:
    case, other = registered(a), registered(a)
    it = item(a, case)
    outsider = f.person(a.other_body, "孙某")
    before = state(case)
    with pytest.raises(InvalidInput) as err:
        evidence_item_update(actor=a.u_officer, item=it,
                             step=CaseStep.objects.filter(case=other).first())
    assert err.value.code == "step_not_in_case"
    with pytest.raises(InvalidInput) as err:
        evidence_item_update(actor=a.u_officer, item=it, collectors=[a.officer, outsider])
    assert err.value.code == "collector_out_of_body"
    assert state(case) == before


@pytest.mark.parametrize(("who", "code"), [
    ("u_other", "case_out_of_scope"), ("u_supervisor", "missing_handle_cases")])
def test_update_by_someone_who_may_not_change_the_case(a, who, code) -> None:
    case = a_case(a)
    it = item(a, case)
    before = state(case)
    with pytest.raises(PermissionDenied) as err:
        evidence_item_update(actor=getattr(a, who), item=it, title="改名")
    assert err.value.code == code
    assert state(case) == before


def test_archived_case_refuses_every_change(a) -> None:
    case = a_case(a)
    it = item(a, case)
    other = item(a, case, title="第二项")
    fl = stored(a, it, PNG_1PX)
    case.status = "archived"
    case.save(update_fields=["status"])
    it.case.status = other.case.status = fl.case.status = "archived"
    before = state(case)
    for call in (lambda: evidence_item_update(actor=a.u_officer, item=it, title="改名"),
                 lambda: evidence_item_withdraw(actor=a.u_officer, item=it, reason="错误"),
                 lambda: evidence_file_attach(actor=a.u_officer, file=fl, item=other)):
        with pytest.raises(ApplicationError) as err:
            call()
        assert err.value.code == "case_archived"
    assert state(case) == before


def test_system_administrator_may_repair(a) -> None:
    case = a_case(a)
    it = item(a, case)
    evidence_item_update(actor=a.u_sysadmin, item=it, title="更正后的名称")
    it.refresh_from_db()
    assert it.title == "更正后的名称"


# --- withdraw ----------------------------------------------------------------------------

def test_withdraw_keeps_the_files_and_records_the_reason(a) -> None:
    case = a_case(a)
    it = item(a, case)
    fl = stored(a, it, PNG_1PX)
    evidence_item_withdraw(actor=a.u_officer, item=it, reason="  与本案无关  ")
    it.refresh_from_db()
    assert (it.state, it.state_reason) == (ItemState.WITHDRAWN, "与本案无关")
    fl.refresh_from_db()
    assert (fl.item_id, fl.state) == (it.pk, "active")
    [payload] = entries(case, 5002)
    assert payload == {"case": case.number, "item": str(it.public_id), "seq": 1,
                       "title": it.title, "changes": {"state": ["active", "withdrawn"]},
                       "reason": "与本案无关"}
    # a withdrawn item is not edited, withdrawn again, or given files
    other = item(a, case, title="另一项")
    f2 = stored(a, other, PNG_1PX, "b.png")
    before = state(case)
    for call in (lambda: evidence_item_update(actor=a.u_officer, item=it, title="x"),
                 lambda: evidence_item_withdraw(actor=a.u_officer, item=it, reason="再次"),
                 lambda: evidence_file_attach(actor=a.u_officer, file=f2, item=it)):
        with pytest.raises(ApplicationError) as err:
            call()
        assert err.value.code == "item_withdrawn"
    assert state(case) == before


def test_withdraw_needs_a_reason_and_permission(a) -> None:
    case = a_case(a)
    it = item(a, case)
    before = state(case)
    with pytest.raises(InvalidInput) as err:
        evidence_item_withdraw(actor=a.u_officer, item=it, reason=" \n ")
    assert err.value.code == "reason_required"
    with pytest.raises(PermissionDenied) as err:
        evidence_item_withdraw(actor=a.u_supervisor, item=it, reason="无关")
    assert err.value.code == "missing_handle_cases"
    with pytest.raises(PermissionDenied) as err:
        evidence_item_withdraw(actor=a.u_other, item=it, reason="无关")
    assert err.value.code == "case_out_of_scope"
    assert state(case) == before


# --- attach ------------------------------------------------------------------------------

def test_attach_moves_a_file_to_another_item_of_the_case(a) -> None:
    case = a_case(a)
    first, second = item(a, case, title="现场录像"), item(a, case, title="询问录像")
    fl = stored(a, first, PNG_1PX, "clip.png")
    moved = evidence_file_attach(actor=a.u_officer, file=fl, item=second)
    fl.refresh_from_db()
    assert fl.item_id == second.pk == moved.item_id
    [payload] = entries(case, 5021)
    assert payload == {"case": case.number, "file": str(fl.public_id), "filename": "clip.png",
                       "sha256": fl.blob.sha256, "from_item": str(first.public_id),
                       "from_seq": 1, "item": str(second.public_id), "seq": 2,
                       "title": "询问录像"}
    before = state(case)
    with pytest.raises(ApplicationError) as err:
        evidence_file_attach(actor=a.u_officer, file=fl, item=second)
    assert err.value.code == "file_already_in_item"
    assert state(case) == before


def test_attach_refuses_another_case_and_other_people(a) -> None:
    case, other_case = a_case(a), a_case(a)
    it = item(a, case)
    elsewhere = item(a, other_case, title="他案证据")
    fl = stored(a, it, PNG_1PX)
    other_item = item(a, case, title="第二项")
    before = (state(case), state(other_case))
    with pytest.raises(InvalidInput) as err:
        evidence_file_attach(actor=a.u_officer, file=fl, item=elsewhere)
    assert err.value.code == "item_not_in_case"
    for actor, code in ((a.u_supervisor, "missing_handle_cases"),
                        (a.u_other, "case_out_of_scope")):
        with pytest.raises(PermissionDenied) as err:
            evidence_file_attach(actor=actor, file=fl, item=other_item)
        assert err.value.code == code
    assert (state(case), state(other_case)) == before


# --- selectors ---------------------------------------------------------------------------

def test_reads_are_scoped_to_who_sees_the_case(a) -> None:
    case = a_case(a)
    it = item(a, case)
    fl = stored(a, it, PNG_1PX)
    for user in (a.u_officer, a.u_head, a.u_supervisor, a.u_sysadmin):
        assert [i.pk for i in evidence_for_case(user, case)] == [it.pk]
        assert item_get_for_user(user=user, public_id=it.public_id) == it
        assert file_get_for_user(user=user, public_id=str(fl.public_id)) == fl
        assert list(evidence_files_for_case(user, case)) == [fl]
    with pytest.raises(NotFound) as err:
        evidence_for_case(a.u_other, case)
    assert err.value.code == "case_not_found"
    with pytest.raises(NotFound) as err:
        item_get_for_user(user=a.u_other, public_id=it.public_id)
    assert err.value.code == "item_not_found"
    with pytest.raises(NotFound) as err:
        file_get_for_user(user=a.u_other, public_id=fl.public_id)
    assert err.value.code == "file_not_found"
    assert list(evidence_files_for_case(a.u_other, case)) == []
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            item_get_for_user(user=a.u_officer, public_id=bad)
        with pytest.raises(NotFound):
            file_get_for_user(user=a.u_officer, public_id=bad)


def test_an_empty_case_in_scope_has_no_evidence(a) -> None:
    case = a_case(a)
    assert evidence_for_case(a.u_officer, case) == []
    with pytest.raises(NotFound):
        evidence_for_case(a.u_other, case)


def _count_queries(user: Any, case: Any) -> tuple[int, list[EvidenceItem]]:
    user = type(user).objects.get(pk=user.pk)  # no cached person/body from the factories
    with CaptureQueriesContext(connection) as ctx:
        items = evidence_for_case(user, case)
        for it in items:
            _ = (it.step, it.created_by, [p.name for p in it.collectors.all()])
            for fl in it.files.all():
                av = getattr(fl, "av", None)
                _ = (fl.blob.sha256, fl.uploaded_by, fl.item.seq,
                     av and (av.device, av.officer, av.poster))
    return len(ctx.captured_queries), items


def test_evidence_list_costs_the_same_queries_for_1_and_20_items(a, tmp_path) -> None:
    from .factories import make_video

    video = make_video(tmp_path / "v.mp4", seconds=1).read_bytes()
    one, many = a_case(a), a_case(a)
    it = item(a, one, collectors=[a.officer])
    stored(a, it, PNG_1PX)
    stored(a, it, video, "v.mp4", metadata={})
    for n in range(20):
        it = item(a, many, title=f"证据{n}", collectors=[a.officer, a.officer2])
        stored(a, it, PNG_1PX + bytes([n]), f"p{n}.png")
        stored(a, it, video, f"v{n}.mp4", metadata={})
    small, items_small = _count_queries(a.u_officer, one)
    large, items_large = _count_queries(a.u_officer, many)
    assert (len(items_small), len(items_large)) == (1, 20)
    assert sum(len(i.files.all()) for i in items_large) == 40
    assert small == large <= 5, (small, large)
