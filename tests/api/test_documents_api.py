"""The documents API as the people who use it: the types of a procedure, drafting a prior
notice, changing it, previewing, issuing (number, verification code, frozen files), download,
voiding, recording its service, and the public verification by code. Exact answers for the
successes; each refusal with its code and nothing changed."""

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from tests.cases.factories import Agency, agency, reported
from zhifa.api.common import today
from zhifa.cases.models import Case, CaseStep
from zhifa.documents.models import Document
from zhifa.documents.services import system_template_ensure
from zhifa.ledger.models import LedgerEntry

from .documents_helpers import API, client, iso, send, state, type_name, zh

FACTS = "经查，当事人销售不合格产品。"
STATEMENT = "收到本告知书之日起三个工作日"
NO_HEARING = "本案不属于依法应当告知听证权利的情形。"
BASIS = "《中华人民共和国产品质量法》第四十九条"
PROPOSED = "罚款人民币伍仟元整"
PARTY = "长沙某某贸易有限公司"


@dataclass
class World:
    a: Agency
    case: Case


@pytest.fixture
def w(db: None) -> World:
    a = agency()
    return World(a=a, case=reported(a))


def draft(w: World, **fields: str) -> Document:
    response = send(client(w.a.u_officer), "POST", f"/cases/{w.case.number}/documents",
                    {"doc_type": "prior_notice", "fields": fields})
    assert response.status_code == 201, response.json()
    return Document.objects.get(public_id=response.json()["public_id"])


def issued(w: World) -> tuple[Document, dict[str, Any]]:
    doc = draft(w, 处罚依据=BASIS, 拟处罚内容=PROPOSED)
    response = send(client(w.a.u_officer), "POST", f"/documents/{doc.public_id}/issue", {})
    assert response.status_code == 200, response.json()
    doc.refresh_from_db()
    return doc, response.json()


def draft_json(w: World, doc: Document, **changes: Any) -> dict[str, Any]:
    return {
        "public_id": str(doc.public_id),
        "case": {"public_id": str(w.case.public_id), "number": w.case.number},
        "doc_type": "prior_notice", "type_name": type_name("prior_notice"),
        "title": "行政处罚事先告知书", "stage": "decision", "state": "draft", "number": "",
        "verify_code": "", "verify_url": "",
        "fields": {"违法事实": FACTS, "处罚依据": "", "拟处罚内容": "", "陈述申辩期限": STATEMENT,
                   "听证权利": NO_HEARING},
        "step": None, "template": None, "issued_on": None, "issued_at": None,
        "issued_by": None, "docx": None, "pdf": None, "missing": [], "voided_at": None,
        "voided_by": None, "void_reason": "", "created_at": iso(doc.created_at),
        "created_by": "李明", "ledger_seq": doc.ledger_seq, "services": [], **changes,
    }


def payload_of(seq: int | None) -> dict[str, Any]:
    entry = LedgerEntry.objects.get(seq=seq)
    return {"event_code": entry.event_code, **json.loads(entry.payload)}


# --- document types ----------------------------------------------------------------------------

def test_types_of_a_procedure_in_case_file_order(w: World) -> None:
    data = client(w.a.u_officer).get(f"{API}/document-types?procedure=general").json()
    assert [t["code"] for t in data] == [
        "case_source", "registration_approval", "on_site_record", "questioning_record",
        "preservation_notice", "correction_order", "investigation_report",
        "legal_review_opinion", "collective_discussion_record", "prior_notice",
        "hearing_notice", "hearing_record", "penalty_decision", "no_penalty_decision",
        "e_service_consent", "service_receipt", "reminder", "execution_decision",
        "court_enforcement_application", "closing_report"]
    notice = next(t for t in data if t["code"] == "prior_notice")
    assert notice == {
        "code": "prior_notice", "name": type_name("prior_notice"), "title": "行政处罚事先告知书",
        "number_word": "罚告", "stage": "decision", "stage_label": zh("Decision"),
        "procedures": ["general"], "actions": ["serve_notice"],
        "fields": [
            {"name": "违法事实", "label": zh("Facts found"), "kind": "textarea",
             "required": True, "prefill": "step:submit_report.facts", "help": ""},
            {"name": "处罚依据", "label": zh("Legal basis of the penalty"), "kind": "text",
             "required": True, "prefill": "item:basis_text", "help": ""},
            {"name": "拟处罚内容", "label": zh("Proposed penalty"), "kind": "textarea",
             "required": True, "prefill": "", "help": ""},
            {"name": "陈述申辩期限", "label": zh("Statement and defence within"),
             "kind": "text", "required": True, "prefill": "profile:statement_period",
             "help": ""},
            {"name": "听证权利", "label": zh("Right to a hearing"), "kind": "textarea",
             "required": True, "prefill": "case:hearing_right_text",
             "help": zh("Whether the party may ask for a hearing, and within how long (5 "
                        "working days from receipt).")}],
        "elements": [
            {"label": zh("The party's name and identity"), "placeholders": ["当事人", "证件号码"],
             "source": "行政处罚法第五十九条"},
            {"label": zh("Facts, basis and proposed penalty"),
             "placeholders": ["违法事实", "处罚依据", "拟处罚内容"],
             "source": "行政处罚法第四十四条"},
            {"label": zh("The right to state and defend, and its period"),
             "placeholders": ["陈述申辩期限"], "source": "行政处罚法第四十四条、第四十五条"},
            {"label": zh("The right to a hearing"), "placeholders": ["听证权利"],
             "source": "行政处罚法第四十四条、第六十三条、第六十四条"}],
        "reasons": False, "serial": False, "serves": "serve_notice", "issue_after": None,
        "source": "行政处罚法第四十四条",
        "placeholders": notice["placeholders"],
    }
    assert notice["placeholders"][:3] == ["文书名称", "文号", "机关名称"]
    assert notice["placeholders"][-5:] == ["违法事实", "处罚依据", "拟处罚内容", "陈述申辩期限",
                                           "听证权利"]
    decision = next(t for t in data if t["code"] == "penalty_decision")
    assert (decision["reasons"], decision["issue_after"], decision["serves"]) == (
        True, "decide", "serve_decision")
    everything = client(w.a.u_officer).get(f"{API}/document-types").json()
    assert len(everything) == 27  # with the two legal review types (issue 6)
    assert client(w.a.u_officer).get(f"{API}/document-types?procedure=nothing").json() == []


# --- drafting ----------------------------------------------------------------------------------

def test_draft_prefilled_from_the_case(w: World) -> None:
    doc = draft(w)
    data = client(w.a.u_officer2).get(f"{API}/documents/{doc.public_id}").json()
    assert data == draft_json(w, doc, missing=[
        {"label": zh("Facts, basis and proposed penalty"),
         "placeholders": ["处罚依据", "拟处罚内容"], "source": "行政处罚法第四十四条"}])
    entry = payload_of(doc.ledger_seq)
    assert (entry["event_code"], entry["doc_type"], entry["fields"]["违法事实"]) == (
        6001, "prior_notice", FACTS)
    listed = client(w.a.u_officer).get(f"{API}/cases/{w.case.public_id}/documents").json()
    assert listed == [data]


def test_draft_with_values_and_step(w: World) -> None:
    step = CaseStep.objects.get(case=w.case, action="submit_report")
    response = send(client(w.a.u_officer), "POST", f"/cases/{w.case.number}/documents",
                    {"doc_type": "prior_notice", "step": step.ledger_seq,
                     "fields": {"处罚依据": BASIS, "拟处罚内容": PROPOSED}})
    assert response.status_code == 201, response.json()
    doc = Document.objects.get(public_id=response.json()["public_id"])
    assert response.json() == draft_json(
        w, doc, fields={"违法事实": FACTS, "处罚依据": BASIS, "拟处罚内容": PROPOSED,
                        "陈述申辩期限": STATEMENT, "听证权利": NO_HEARING},
        step={"ledger_seq": step.ledger_seq, "action": "submit_report", "label": step.label,
              "acted_on": step.acted_on.isoformat()})


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"doc_type": "acceptance_notice"}, 400, "doc_type_unknown"),  # a licensing type
    ({"doc_type": "no_such_type"}, 400, "doc_type_unknown"),
    ({"doc_type": "prior_notice", "fields": {"罚金": "1"}}, 400, "field_unknown"),
    ({"doc_type": "prior_notice", "step": 999_999}, 400, "invalid_fields"),
    ({"fields": {}}, 422, "invalid_payload"),
    ({"doc_type": "prior_notice", "fields": {"违法事实": 5}}, 422, "invalid_payload"),
])
def test_draft_refusals_change_nothing(w: World, payload, status, code) -> None:
    before = state()
    response = send(client(w.a.u_officer), "POST", f"/cases/{w.case.number}/documents",
                    payload)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


def test_update_a_draft(w: World) -> None:
    doc = draft(w)
    c = client(w.a.u_officer)
    response = send(c, "PATCH", f"/documents/{doc.public_id}",
                    {"fields": {"处罚依据": BASIS, "拟处罚内容": PROPOSED}})
    assert response.status_code == 200, response.json()
    assert response.json() == draft_json(
        w, doc, fields={"违法事实": FACTS, "处罚依据": BASIS, "拟处罚内容": PROPOSED,
                        "陈述申辩期限": STATEMENT, "听证权利": NO_HEARING})
    entry = LedgerEntry.objects.filter(stream=w.case.stream, event_code=6002).get()
    assert json.loads(entry.payload)["changes"] == {"处罚依据": ["", BASIS],
                                                    "拟处罚内容": ["", PROPOSED]}
    before = state()  # the same values again: no entry
    assert send(c, "PATCH", f"/documents/{doc.public_id}",
                {"fields": {"处罚依据": BASIS}}).status_code == 200
    assert state() == before
    response = send(c, "PATCH", f"/documents/{doc.public_id}", {"fields": {"罚金": "1"}})
    assert (response.status_code, response.json()["code"]) == (400, "field_unknown")
    response = send(c, "PATCH", f"/documents/{doc.public_id}", {"values": {}})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_payload")
    assert state() == before


def test_preview_of_a_draft_records_nothing(w: World) -> None:
    doc = draft(w, 处罚依据=BASIS, 拟处罚内容=PROPOSED)
    system_template_ensure("prior_notice")  # the platform's default, made on first use
    c = client(w.a.u_officer)
    before = state()
    pdf = c.get(f"{API}/documents/{doc.public_id}/preview")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    docx = c.get(f"{API}/documents/{doc.public_id}/preview?format=docx")
    assert docx.status_code == 200
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    assert docx.content.startswith(b"PK")
    assert "attachment" in docx["Content-Disposition"]
    response = c.get(f"{API}/documents/{doc.public_id}/preview?format=odt")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_payload")
    assert state() == before


# --- issue, download, void ---------------------------------------------------------------------

def test_issue_numbers_freezes_and_records(w: World) -> None:
    doc, data = issued(w)
    year = today().year
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", data["verify_code"])
    code = data["verify_code"].replace("-", "")
    assert doc.verify_code == code
    template = doc.template
    assert template is not None and doc.docx is not None and doc.pdf is not None
    assert data == draft_json(
        w, doc, state="issued", number=f"芙蓉市监罚告〔{year}〕1号",
        verify_code=data["verify_code"],
        verify_url=f"{settings.ZHIFA_PUBLIC_BASE_URL.rstrip('/')}/v/{code}",
        fields={"违法事实": FACTS, "处罚依据": BASIS, "拟处罚内容": PROPOSED,
                "陈述申辩期限": STATEMENT, "听证权利": NO_HEARING},
        template={"public_id": str(template.public_id), "version": template.version,
                  "scope": "system", "name": template.name},
        issued_on=today().isoformat(), issued_at=iso(doc.issued_at), issued_by="李明",
        docx={"sha256": doc.docx.sha256, "sm3": doc.docx.sm3, "size": doc.docx.size},
        pdf={"sha256": doc.pdf.sha256, "sm3": doc.pdf.sm3, "size": doc.pdf.size})
    entry = LedgerEntry.objects.filter(stream=w.case.stream, event_code=6003).get()
    payload = json.loads(entry.payload)
    assert (payload["number"], payload["pdf"]["sha256"], payload["docx"]["sm3"]) == (
        data["number"], doc.pdf.sha256, doc.docx.sm3)
    # the files downloaded are the ones whose hashes were recorded
    c = client(w.a.u_officer2)
    for fmt, blob in (("pdf", doc.pdf), ("docx", doc.docx)):
        response = c.get(f"{API}/documents/{doc.public_id}/file?format={fmt}")
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == blob.sha256
        assert response["Content-Length"] == str(blob.size)
        assert "filename*=utf-8''" in response["Content-Disposition"]
        # every download is on the case's ledger, with the file's hashes
        entry = LedgerEntry.objects.filter(stream=w.case.stream).order_by("-seq").first()
        assert entry is not None and entry.event_code == 6014
        assert (entry.actor_name, json.loads(entry.payload)["format"],
                json.loads(entry.payload)["sha256"]) == ("张伟", fmt, blob.sha256)
    # issued: frozen
    before = state()
    for method, url, payload_in in (
        ("PATCH", f"/documents/{doc.public_id}", {"fields": {"听证权利": "有"}}),
        ("POST", f"/documents/{doc.public_id}/issue", {}),
    ):
        response = send(client(w.a.u_officer), method, url, payload_in)
        assert (response.status_code, response.json()["code"]) == (409, "document_frozen")
    assert state() == before


def test_an_incomplete_draft_is_not_issued(w: World) -> None:
    doc = draft(w)
    before = state()
    response = send(client(w.a.u_officer), "POST", f"/documents/{doc.public_id}/issue", {})
    body = response.json()
    assert (response.status_code, body["code"]) == (409, "document_elements_missing")
    assert "处罚依据" in body["message"] or zh("Facts, basis and proposed penalty") in body[
        "message"]
    assert state() == before


def test_a_decision_waits_for_its_step(w: World) -> None:
    from tests.documents.factories import decision_draft

    doc = decision_draft(w.a, w.case)
    before = state()
    response = send(client(w.a.u_officer), "POST", f"/documents/{doc.public_id}/issue", {})
    assert (response.status_code, response.json()["code"]) == (409, "document_not_ready")
    assert state() == before


def test_download_of_a_draft_is_refused(w: World) -> None:
    doc = draft(w)
    before = state()
    response = client(w.a.u_officer).get(f"{API}/documents/{doc.public_id}/file")
    assert (response.status_code, response.json()["code"]) == (409, "document_not_issued")
    assert state() == before


def test_void_a_draft_and_an_issued_document(w: World) -> None:
    doc = draft(w)
    c = client(w.a.u_officer)
    before = state()
    response = send(c, "POST", f"/documents/{doc.public_id}/void", {"reason": " "})
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    assert state() == before
    response = send(c, "POST", f"/documents/{doc.public_id}/void", {"reason": "重复起草"})
    assert response.status_code == 200, response.json()
    doc.refresh_from_db()
    assert response.json() == draft_json(w, doc, state="voided", voided_at=iso(doc.voided_at),
                                         voided_by="李明", void_reason="重复起草")
    assert LedgerEntry.objects.filter(stream=w.case.stream, event_code=6004).count() == 1
    response = send(c, "POST", f"/documents/{doc.public_id}/void", {"reason": "再次"})
    assert response.status_code == 409

    notice, data = issued(w)
    before = state()
    response = send(c, "POST", f"/documents/{notice.public_id}/void", {"reason": "送达前发现错误"})
    assert (response.status_code, response.json()["code"]) == (403, "void_needs_head")
    assert state() == before
    response = send(client(w.a.u_head), "POST", f"/documents/{notice.public_id}/void",
                    {"reason": "送达前发现错误"})
    assert response.status_code == 200, response.json()
    out = response.json()
    assert (out["state"], out["number"], out["void_reason"], out["voided_by"]) == (
        "voided", data["number"], "送达前发现错误", "王芳")


# --- service -----------------------------------------------------------------------------------

def test_record_and_list_the_service(w: World) -> None:
    doc, _data = issued(w)
    served = today().isoformat()
    response = send(client(w.a.u_officer2), "POST", f"/documents/{doc.public_id}/services", {
        "method": "direct", "recipient": "陈某", "recipient_relation": "法定代表人",
        "served_on": served, "place": "当事人经营场所"})
    assert response.status_code == 201, response.json()
    record = doc.services.get()
    assert record.case_step is not None
    step = record.case_step
    expected = {
        "public_id": str(record.public_id), "method": "direct",
        "method_label": zh("Direct service"), "state": "served", "recipient": "陈某",
        "recipient_relation": "法定代表人", "place": "当事人经营场所", "served_on": served,
        "announced_on": None, "announcement_medium": "", "witness": "", "refusal_note": "",
        "tracking_number": "", "electronic_address": "", "consent_on": None,
        "consent_document": None, "confirmed_at": None, "proof": None, "note": "",
        "case_step": {"ledger_seq": step.ledger_seq, "action": "serve_notice",
                      "label": step.label, "acted_on": served},
        "recorded_at": iso(record.created_at), "recorded_by": "张伟",
        "ledger_seq": record.ledger_seq,
    }
    assert response.json() == expected
    assert payload_of(record.ledger_seq)["event_code"] == 6005
    c = client(w.a.u_supervisor)
    assert c.get(f"{API}/documents/{doc.public_id}/services").json() == [expected]
    assert c.get(f"{API}/documents/{doc.public_id}").json()["services"] == [expected]


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"method": "pigeon", "recipient": "陈某"}, 422, "invalid_payload"),
    ({"method": "direct"}, 422, "invalid_payload"),
    ({"method": "direct", "recipient": "陈某", "served_on": "2099-01-01"}, 400,
     "service_date_future"),
    ({"method": "left", "recipient": "陈某", "served_on": "2026-11-01",
      "proof": "00000000-0000-0000-0000-000000000000"}, 400, "invalid_fields"),
    ({"method": "electronic", "recipient": "陈某", "served_on": "2026-11-01",
      "consent_document": "00000000-0000-0000-0000-000000000000"}, 400, "invalid_fields"),
])
def test_service_refusals_change_nothing(w: World, payload, status, code) -> None:
    doc, _data = issued(w)
    before = state()
    response = send(client(w.a.u_officer), "POST", f"/documents/{doc.public_id}/services",
                    payload)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


def test_a_draft_cannot_be_served(w: World) -> None:
    doc = draft(w)
    before = state()
    response = send(client(w.a.u_officer), "POST", f"/documents/{doc.public_id}/services",
                    {"method": "direct", "recipient": "陈某", "served_on": "2026-11-01"})
    assert (response.status_code, response.json()["code"]) == (409, "document_not_issued")
    assert state() == before


# --- public verification -----------------------------------------------------------------------

def test_verify_by_code_without_login(w: World) -> None:
    doc, data = issued(w)
    assert doc.pdf is not None and doc.docx is not None
    anonymous = client(None)
    url = f"{API}/public/documents/verify/{doc.verify_code}"
    response = anonymous.get(url)
    assert response.status_code == 200, response.content
    expected = {
        "verify_code": data["verify_code"], "doc_type": "prior_notice",
        "type_name": type_name("prior_notice"), "title": "行政处罚事先告知书",
        "number": data["number"], "agency": "芙蓉区市场监督管理局",
        "issued_on": today().isoformat(), "state": "issued", "voided_on": None,
        "docx": data["docx"], "pdf": data["pdf"], "match": None, "matched": None,
    }
    assert response.json() == expected
    # the hash of a file someone was given
    assert anonymous.get(f"{url}?sha256={doc.pdf.sha256}").json() == {
        **expected, "match": True, "matched": "pdf"}
    assert anonymous.get(f"{url}?sha256={doc.docx.sha256.upper()}").json() == {
        **expected, "match": True, "matched": "docx"}
    assert anonymous.get(f"{url}?sha256={'0' * 64}").json() == {
        **expected, "match": False, "matched": None}
    response = anonymous.get(f"{url}?sha256=xyz")
    assert (response.status_code, response.json()["code"]) == (422, "invalid_payload")
    # as printed: with dashes
    assert anonymous.get(f"{API}/public/documents/verify/{data['verify_code']}").json() == \
        expected
    # nothing about the party, the officers, the case or the content
    text = response.content.decode() + anonymous.get(url).content.decode()
    for secret in (PARTY, "陈某", "李明", "张伟", w.case.number, FACTS, BASIS,
                   *(p.identifier for p in w.case.parties.all())):
        assert secret not in text, secret


def test_verify_an_unknown_code_or_a_voided_document(w: World) -> None:
    anonymous = client(None)
    response = anonymous.get(f"{API}/public/documents/verify/ABCD-EFGH-JKMN")
    assert (response.status_code, response.json()["code"]) == (404, "document_not_found")
    doc, _data = issued(w)
    send(client(w.a.u_head), "POST", f"/documents/{doc.public_id}/void", {"reason": "错误"})
    data = anonymous.get(f"{API}/public/documents/verify/{doc.verify_code}").json()
    assert (data["state"], data["voided_on"]) == ("voided", today().isoformat())
    # a draft has no code and cannot be found by one
    draft(w)
    assert anonymous.get(f"{API}/public/documents/verify/").status_code == 404


def test_verify_is_in_the_openapi_document_without_security(w: World) -> None:
    from zhifa.api.root import api

    schema = api.get_openapi_schema()
    op = schema["paths"]["/api/v1/public/documents/verify/{code}"]["get"]
    assert op["operationId"] == "document_verify"
    assert "security" not in op or op["security"] == []


def test_the_list_reads_a_fixed_number_of_queries(w: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client(w.a.u_officer)
    url = f"{API}/cases/{w.case.number}/documents"
    issued(w)
    with CaptureQueriesContext(connection) as one:
        assert len(c.get(url).json()) == 1
    doc, _data = issued(w)
    send(c, "POST", f"/documents/{doc.public_id}/services",
         {"method": "direct", "recipient": "陈某", "served_on": today().isoformat()})
    draft(w)
    with CaptureQueriesContext(connection) as three:
        data = c.get(url).json()
    assert [len(d["services"]) for d in data] == [0, 1, 0]
    assert len(three.captured_queries) == len(one.captured_queries)
