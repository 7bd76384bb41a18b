"""Drafts: prefilled from the case, edited while drafts, every change on the case's stream;
previews; who may draft."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from docx import Document as Docx

from tests import factories as f
from tests.cases.factories import Agency, act, open_case, reported
from tests.documents.factories import complete_fields, decision_draft, draft, refused_unchanged
from tests.evidence.factories import item as evidence_item
from zhifa.core.errors import ApplicationError
from zhifa.documents.events import DOCUMENT_DRAFTED, DOCUMENT_UPDATED
from zhifa.documents.models import Document, DocumentState
from zhifa.documents.services import (
    document_draft,
    document_preview,
    document_update,
    prefill,
    profile_save,
    system_template_ensure,
)
from zhifa.evidence.models import EvidenceItem
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
D = dt.date


def entries(case: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(e.event_code, json.loads(e.payload))
            for e in LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq")]


def state() -> dict[str, Any]:
    return {"documents": list(Document.objects.order_by("id").values()),
            "ledger": LedgerEntry.objects.count()}


def refused(code: str, fn: Any) -> ApplicationError:
    return refused_unchanged(code, fn, state)


def with_item(a: Agency) -> Any:
    return f.item(a.body, basis_text="《中华人民共和国产品质量法》第五十条",
                  reconsideration_body="长沙市芙蓉区人民政府",
                  litigation_court="长沙市芙蓉区人民法院")


def test_a_draft_is_prefilled_from_the_case_item_profile_and_evidence(a: Agency) -> None:
    case = reported(a)
    case.item = with_item(a)
    case.save(update_fields=["item"])
    profile_save(actor=a.u_head, body=a.body, payment_instructions="缴至中国银行芙蓉支行",
                 court="")
    evidence_item(a, case, kind="documentary", title="抽样检验报告", source="湖南省质检院")
    evidence_item(a, case, kind="physical", title="不合格产品样品")  # not adopted
    evidence_item(a, case, kind="inspection_record", title="现场检查笔录")
    EvidenceItem.objects.filter(case=case).exclude(title="不合格产品样品").update(adopted=True)
    assert prefill(case, "penalty_decision") == {
        "违法事实": "经查，当事人销售不合格产品。",
        "证据": "1. 书证：抽样检验报告（湖南省质检院）\n2. 勘验笔录、现场笔录：现场检查笔录",
        "违法依据": "《中华人民共和国产品质量法》第五十条",
        "处罚依据": "《中华人民共和国产品质量法》第五十条",
        "证据采信理由": "", "依据选择理由": "", "裁量理由": "", "处罚内容": "",
        "履行方式和期限": "缴至中国银行芙蓉支行",
        "复议机关": "长沙市芙蓉区人民政府", "复议期限": "六十日",
        "诉讼法院": "长沙市芙蓉区人民法院", "诉讼期限": "六个月",
    }


def test_draft_merges_the_given_values_and_records_them(a: Agency) -> None:
    case = reported(a)
    step = case.steps.get(action="submit_report")
    doc = document_draft(actor=a.u_officer, case=case, doc_type="penalty_decision", step=step,
                         fields={"处罚内容": " 罚款人民币伍仟元整。 ", "裁量理由": "初次违法"})
    assert (doc.state, doc.number, doc.step, doc.created_by) == (
        DocumentState.DRAFT, "", step, a.u_officer)
    assert doc.fields["处罚内容"] == "罚款人民币伍仟元整。"
    assert doc.fields["违法事实"] == "经查，当事人销售不合格产品。"
    code, payload = entries(case)[-1]
    assert code == DOCUMENT_DRAFTED.code
    assert payload == {"document": str(doc.public_id), "case": case.number,
                       "doc_type": "penalty_decision", "title": "行政处罚决定书",
                       "step": step.pk, "fields": doc.fields}
    assert LedgerEntry.objects.get(seq=doc.ledger_seq).event_code == DOCUMENT_DRAFTED.code


def test_update_records_old_and_new_values_and_nothing_when_unchanged(a: Agency) -> None:
    case = reported(a)
    doc = decision_draft(a, case, 裁量理由="初次违法")
    before = LedgerEntry.objects.count()
    doc = document_update(actor=a.u_officer2, document=doc, fields={
        "裁量理由": "初次违法，从轻处罚", "违法事实": doc.fields["违法事实"]})
    assert doc.fields["裁量理由"] == "初次违法，从轻处罚"
    code, payload = entries(case)[-1]
    assert code == DOCUMENT_UPDATED.code
    assert payload == {"document": str(doc.public_id), "case": case.number,
                       "doc_type": "penalty_decision", "title": "行政处罚决定书",
                       "changed": ["裁量理由"],
                       "changes": {"裁量理由": ["初次违法", "初次违法，从轻处罚"]}}
    assert LedgerEntry.objects.count() == before + 1
    document_update(actor=a.u_officer, document=doc, fields={"裁量理由": "初次违法，从轻处罚"})
    assert LedgerEntry.objects.count() == before + 1


def test_refusals_change_nothing(a: Agency) -> None:
    case = reported(a)
    doc = decision_draft(a, case)
    refused("doc_type_unknown", lambda: document_draft(
        actor=a.u_officer, case=case, doc_type="no_such_type"))
    # a type of another procedure
    refused("doc_type_unknown", lambda: document_draft(
        actor=a.u_officer, case=case, doc_type="licensing_decision"))
    err = refused("field_unknown", lambda: document_draft(
        actor=a.u_officer, case=case, doc_type="penalty_decision", fields={"罚金": "1"}))
    assert err.detail == {"fields": ["罚金"]}
    refused("field_unknown", lambda: document_update(
        actor=a.u_officer, document=doc, fields={"案由": "改"}))
    refused("field_too_long", lambda: document_update(
        actor=a.u_officer, document=doc, fields={"裁量理由": "长" * 20001}))
    other = open_case(a, received_on=D(2026, 9, 1))
    refused("step_not_found", lambda: document_draft(
        actor=a.u_officer, case=other, doc_type="penalty_decision",
        step=case.steps.first()))


def test_only_handlers_of_the_body_draft_and_update(a: Agency) -> None:
    case = reported(a)
    doc = decision_draft(a, case)
    for actor, code in ((a.u_other, "case_out_of_scope"),
                        (a.u_supervisor, "missing_handle_cases")):
        refused(code, lambda actor=actor: document_draft(
            actor=actor, case=case, doc_type="penalty_decision"))
        refused(code, lambda actor=actor: document_update(
            actor=actor, document=doc, fields={"裁量理由": "改"}))


def test_an_archived_case_takes_no_draft(a: Agency) -> None:
    case = reported(a)
    doc = decision_draft(a, case)
    type(case).objects.filter(pk=case.pk).update(status="archived")
    refused("case_archived", lambda: document_draft(
        actor=a.u_officer, case=case, doc_type="penalty_decision"))
    refused("case_archived", lambda: document_update(
        actor=a.u_officer, document=doc, fields={"裁量理由": "改"}))


def test_preview_is_numbered_draft_and_shows_the_values(a: Agency) -> None:
    case = reported(a)
    doc = decision_draft(a, case, 裁量理由="当事人初次违法，从轻处罚。")
    system_template_ensure("penalty_decision")  # made on first use (its own entry)
    before = state()
    docx = document_preview(actor=a.u_officer, document=doc, fmt="docx")
    text = "\n".join(p.text for p in Docx(io.BytesIO(docx)).paragraphs)
    assert "草稿" in text
    assert "当事人初次违法，从轻处罚。" in text
    assert "长沙某某贸易有限公司" in text
    pdf = document_preview(actor=a.u_supervisor, document=doc, fmt="pdf")
    assert pdf.startswith(b"%PDF")
    assert state() == before
    refused("document_not_found", lambda: document_preview(
        actor=a.u_other, document=doc, fmt="pdf"))
    refused("format_unknown", lambda: document_preview(
        actor=a.u_officer, document=doc, fmt="odt"))  # type: ignore[arg-type]


def test_drafts_of_a_record_type_and_the_helper(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    act(a, case, "register", acted_on=D(2026, 9, 2), act_date=D(2026, 8, 20),
        grounds="涉嫌销售不合格产品")
    doc = draft(a, case, "registration_approval")
    assert doc.fields == {"立案理由": "涉嫌销售不合格产品", "承办意见": "", "审批意见": ""}
    assert complete_fields("no_penalty_decision")["不予处罚依据"]
