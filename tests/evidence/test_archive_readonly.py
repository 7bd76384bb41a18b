"""Once archived, a case is read-only: procedure steps, approvals, officers and evidence are
all refused with ``case_archived``, and nothing changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.cases.factories import Agency, act, open_case, snapshot
from tests.evidence.archive_helpers import closed_inspection
from tests.evidence.factories import PNG_1PX, item, stored
from zhifa.cases.models import ApprovalRequest, ApprovalStatus, Case
from zhifa.cases.services import approval_decide, approval_withdraw, case_act, case_officers_set
from zhifa.core.errors import ApplicationError
from zhifa.evidence.archive.build import archive_create
from zhifa.evidence.models import Blob, EvidenceFile, EvidenceItem
from zhifa.evidence.services.items import (
    evidence_file_attach,
    evidence_item_update,
    evidence_item_withdraw,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")


def state(case: Case) -> dict[str, Any]:
    return {**snapshot(case),
            "items": list(EvidenceItem.objects.filter(case=case).order_by("id").values()),
            "files": list(EvidenceFile.objects.filter(case=case).order_by("id").values()),
            "blobs": Blob.objects.count()}


def read_only(case: Case, call: Any) -> None:
    before = state(case)
    with pytest.raises(ApplicationError) as exc:
        call()
    assert (exc.value.code, exc.value.status) == ("case_archived", 409), exc.value.message
    assert case.number in exc.value.message
    assert state(case) == before


@pytest.fixture
def archived(a: Agency) -> Case:
    case = closed_inspection(a)
    archive_create(actor=a.u_officer, case=case)
    return Case.objects.get(pk=case.pk)


def test_no_procedure_step(a: Agency, archived: Case) -> None:
    for action, data in (("close", {"acted_on": "2026-11-20", "summary": "再次结案"}),
                         ("archive", {"acted_on": "2026-11-20", "archive_number": "X-1"}),
                         ("start_inspection", {"acted_on": "2026-11-20", "place": "某处",
                                               "findings": "补充检查"})):
        for actor in (a.u_officer, a.u_head, a.u_sysadmin):
            read_only(archived, lambda actor=actor, action=action, data=data: case_act(
                actor=actor, case=archived, action=action, data=data))


def test_no_change_of_officers(a: Agency, archived: Case) -> None:
    read_only(archived, lambda: case_officers_set(
        actor=a.u_head, case=archived, officers=[a.officer], handler=a.officer))
    # a stale copy of the case, read before it was archived, does not get through either
    stale = Case.objects.get(pk=archived.pk)
    stale.status = "closed"
    read_only(archived, lambda: case_officers_set(
        actor=a.u_officer, case=stale, officers=[a.officer, a.officer2], handler=a.officer2))


def test_no_approval_decided_or_withdrawn(a: Agency) -> None:
    case = open_case(a, "generic", received_on=D(2026, 9, 1), title="行政确认")
    act(a, case, "start", acted_on=D(2026, 9, 2))
    # a request left pending when the case was closed
    pending = case_act(actor=a.u_officer, case=case, action="suspend",
                       data={"acted_on": "2026-09-03", "kind": "suspension",
                             "reason": "等待材料"}).approval
    assert pending is not None
    act(a, case, "decide", acted_on=D(2026, 9, 4), decision="予以确认")
    act(a, case, "close", acted_on=D(2026, 9, 5), summary="办结")
    archive_create(actor=a.u_officer, case=case)
    case.refresh_from_db()
    request = ApprovalRequest.objects.get(pk=pending.pk)
    assert request.status == ApprovalStatus.PENDING
    read_only(case, lambda: approval_decide(actor=a.u_head, request=request, approve=True))
    read_only(case, lambda: approval_decide(actor=a.u_head, request=request, approve=False,
                                            comment="不同意"))
    read_only(case, lambda: approval_withdraw(actor=a.u_officer, request=request))


def test_no_evidence_change(a: Agency, archived: Case) -> None:
    it = EvidenceItem.objects.get(case=archived)
    file = EvidenceFile.objects.filter(case=archived).first()
    assert file is not None
    read_only(archived, lambda: item(a, archived, title="补充证据"))
    read_only(archived, lambda: stored(a, it, PNG_1PX + b"\0", "补充.png"))
    read_only(archived, lambda: evidence_item_update(actor=a.u_officer, item=it, title="改名"))
    read_only(archived, lambda: evidence_item_withdraw(actor=a.u_officer, item=it,
                                                       reason="撤回"))
    read_only(archived, lambda: evidence_file_attach(actor=a.u_officer, file=file, item=it))
