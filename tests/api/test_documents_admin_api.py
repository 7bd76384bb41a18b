"""The documents settings API: template versions and their filing, number patterns, books of
pre-numbered forms, the document profile. Each change as the right role with the exact
answer and its ledger entry; each refusal with its code and nothing changed; and the
permission matrix (anonymous, another body's head, the supervisor, an officer, a head and a
body administrator)."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests import factories as f
from tests.cases.factories import Agency
from zhifa.api.common import today
from zhifa.documents.events import CONFIG_STREAM
from zhifa.documents.models import (
    DocumentProfile,
    DocumentTemplate,
    NumberPattern,
    SerialBook,
    SerialUse,
)
from zhifa.documents.render.defaults import default_template
from zhifa.documents.services import serial_book_register, template_upload
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, RoleKind, User

from .documents_helpers import API, body_ref, client, iso, send, state, type_name


@dataclass
class World:
    a: Agency
    u_admin: User  # the body's administrator: manages documents, no cases
    u_other_head: User  # a head of the other body
    template: Any  # the body's own 事先告知书, uploaded, not in force
    book: SerialBook


@pytest.fixture
def w(a: Agency) -> World:
    admin = f.user(f.person(a.body, "孙丽", roles=()), roles=(AccountRole.BODY_ADMIN,))
    other_head = f.user(f.person(a.other_body, "吴刚", roles=(RoleKind.HEAD,)),
                        roles=(AccountRole.HEAD,))
    template = template_upload(actor=a.u_head, doc_type="prior_notice", scope="body",
                               data=default_template("prior_notice"), name="芙蓉区事先告知书",
                               body=a.body)
    book = serial_book_register(actor=a.u_head, body=a.body, first=1, last=100,
                                received_on=dt.date(2026, 9, 1), prefix="HN")
    return World(a=a, u_admin=admin, u_other_head=other_head, template=template, book=book)


@pytest.fixture
def a(db: None) -> Agency:
    from tests.cases.factories import agency

    return agency()


def last_config_entry() -> dict[str, Any]:
    entry = LedgerEntry.objects.filter(stream=CONFIG_STREAM).order_by("-seq").first()
    assert entry is not None
    return {"event_code": entry.event_code, "payload": json.loads(entry.payload),
            "seq": entry.seq}


def template_json(t: DocumentTemplate, **changes: Any) -> dict[str, Any]:
    t = DocumentTemplate.objects.select_related("blob", "body", "region").get(pk=t.pk)
    out = {
        "public_id": str(t.public_id), "doc_type": t.doc_type,
        "type_name": type_name(t.doc_type),
        "scope": t.scope, "body": body_ref(t.body) if t.body is not None else None,
        "region": ({"code": t.region.code, "name": t.region.name, "level": t.region.level}
                   if t.region is not None else None),
        "version": t.version, "name": t.name, "state": t.state,
        "placeholders": t.placeholders,
        "docx": {"sha256": t.blob.sha256, "sm3": t.blob.sm3, "size": t.blob.size},
        "filing_number": t.filing_number, "filed_with": t.filed_with,
        "filed_on": t.filed_on.isoformat() if t.filed_on else None,
        "in_force_from": iso(t.in_force_from), "retired_at": iso(t.retired_at), "note": t.note,
        "uploaded_at": iso(t.created_at), "uploaded_by": "王芳" if t.uploaded_by_id else None,
        "ledger_seq": t.ledger_seq,
    }
    out.update(changes)
    return out


# --- templates ---------------------------------------------------------------------------------

def test_templates_list_and_filters(w: World) -> None:
    c = client(w.a.u_officer)
    data = c.get(f"{API}/document-templates?doc_type=prior_notice&scope=body").json()
    assert data == {"count": 1, "items": [template_json(w.template)]}
    assert data["items"][0]["state"] == "draft"
    assert "当事人" in data["items"][0]["placeholders"]
    assert c.get(f"{API}/document-templates?scope=province").json() == {"count": 0,
                                                                          "items": []}
    # another body's head does not see this body's versions
    other = client(w.u_other_head).get(f"{API}/document-templates?scope=body").json()
    assert other == {"count": 0, "items": []}


def upload(c: Client, data: bytes, **fields: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"doc_type": "prior_notice", "scope": "body", "name": "新版告知书", **fields,
            "file": SimpleUploadedFile("t.docx", data)}
    return c.post(f"{API}/document-templates", form)


def test_upload_a_body_version(w: World) -> None:
    response = upload(client(w.a.u_head), default_template("prior_notice"), note="第二版")
    assert response.status_code == 201, response.json()
    made = DocumentTemplate.objects.get(public_id=response.json()["public_id"])
    assert response.json() == template_json(made)
    assert (made.version, made.state, made.body_id, made.note, made.name) == (
        2, "draft", w.a.body.pk, "第二版", "新版告知书")
    entry = last_config_entry()
    assert (entry["event_code"], entry["payload"]["version"], entry["seq"]) == (
        6007, 2, made.ledger_seq)


@pytest.mark.parametrize(("data", "fields", "status", "code"), [
    (b"not a docx", {}, 400, "template_not_docx"),
    (None, {"doc_type": "no_such_type"}, 400, "doc_type_unknown"),
    (None, {"scope": "galaxy"}, 422, "invalid_payload"),
    (None, {"scope": "province", "region": "430000"}, 403, "missing_administer_system"),
    (None, {"scope": "province"}, 400, "template_owner_missing"),
    (None, {"scope": "system"}, 403, "missing_administer_system"),
])
def test_upload_refusals_change_nothing(w: World, data, fields, status, code) -> None:
    before = state()
    response = upload(client(w.a.u_head), data or default_template("prior_notice"), **fields)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


def test_upload_without_the_statutory_placeholders_is_invalid(w: World) -> None:
    before = state()
    # the summary decision's default lacks every element of a prior notice but the party's
    response = upload(client(w.a.u_head), default_template("closing_report"))
    assert (response.status_code, response.json()["code"]) == (400, "template_invalid")
    assert response.json()["detail"]["problems"]
    assert state() == before


def test_upload_a_province_version_as_system_administrator(w: World) -> None:
    response = upload(client(w.a.u_sysadmin), default_template("prior_notice"),
                      scope="province", region="430000", name="湖南省通用格式")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["scope"], data["body"], data["region"], data["version"]) == (
        "province", None, {"code": "430000", "name": "湖南省", "level": "province"}, 1)
    before = state()
    response = upload(client(w.a.u_sysadmin), default_template("prior_notice"),
                      scope="province", region="999999")
    assert (response.status_code, response.json()["code"]) == (404, "region_not_found")
    assert state() == before


def test_too_large_a_template(w: World, settings) -> None:
    settings.ZHIFA_TEMPLATE_MAX_BYTES = 100
    before = state()
    response = upload(client(w.a.u_head), default_template("prior_notice"))
    assert (response.status_code, response.json()["code"]) == (400, "template_too_large")
    assert state() == before


def test_filing_activate_retire_and_download(w: World) -> None:
    c = client(w.u_admin)
    url = f"/document-templates/{w.template.public_id}"
    response = send(c, "POST", url + "/filing", {
        "filing_number": "湘司备〔2026〕12号", "filed_with": "湖南省司法厅",
        "filed_on": "2026-10-08"})
    assert response.status_code == 200, response.json()
    w.template.refresh_from_db()
    assert response.json() == template_json(w.template)
    assert (w.template.filing_number, w.template.filed_on, w.template.state) == (
        "湘司备〔2026〕12号", dt.date(2026, 10, 8), "draft")
    response = send(c, "POST", url + "/activate")
    assert response.status_code == 200
    w.template.refresh_from_db()
    assert response.json() == template_json(w.template)
    assert response.json()["state"] == "in_force" and response.json()["in_force_from"]
    before = state()
    response = send(c, "POST", url + "/activate")
    assert (response.status_code, response.json()["code"]) == (409, "template_in_force")
    response = send(c, "POST", url + "/retire", {"reason": " "})
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    assert state() == before
    response = send(c, "POST", url + "/retire", {"reason": "格式调整"})
    assert response.status_code == 200
    assert response.json()["state"] == "retired"
    assert last_config_entry()["payload"]["reason"] == "格式调整"
    download = c.get(f"{API}{url}/docx")
    assert download.status_code == 200
    assert download["Content-Type"] == ("application/vnd.openxmlformats-officedocument."
                                        "wordprocessingml.document")
    assert b"".join(download.streaming_content) == default_template("prior_notice")
    assert "prior_notice-v1.docx" in download["Content-Disposition"]


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"filing_number": " ", "filed_with": "湖南省司法厅", "filed_on": "2026-10-08"}, 400,
     "filing_incomplete"),
    ({"filing_number": "x", "filed_with": "湖南省司法厅", "filed_on": "2099-01-01"}, 400,
     "filing_date_future"),
    ({"filing_number": "x", "filed_with": "湖南省司法厅"}, 422, "invalid_payload"),
])
def test_filing_refusals_change_nothing(w: World, payload, status, code) -> None:
    before = state()
    response = send(client(w.a.u_head), "POST",
                    f"/document-templates/{w.template.public_id}/filing", payload)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


def test_unknown_template_is_not_found(w: World) -> None:
    c = client(w.a.u_head)
    for url in ("/document-templates/not-an-id/activate",
                "/document-templates/00000000-0000-0000-0000-000000000000/activate"):
        response = send(c, "POST", url)
        assert (response.status_code, response.json()["code"]) == (404, "template_not_found")


# --- number patterns ---------------------------------------------------------------------------

def test_patterns_list_and_save(w: World) -> None:
    year = today().year
    url = f"/bodies/{w.a.body.public_id}/document-number-patterns"
    data = client(w.a.u_officer).get(API + url).json()
    by_type = {row["doc_type"]: row for row in data}
    assert "summary_decision" not in by_type and "on_site_record" not in by_type
    assert by_type["penalty_decision"] == {
        "doc_type": "penalty_decision", "type_name": type_name("penalty_decision"),
        "number_word": "罚",
        "pattern": "{机关简称}{字}〔{年}〕{序号}号", "custom": False,
        "next_number": f"芙蓉市监罚〔{year}〕1号"}
    response = send(client(w.a.u_head), "PUT", url + "/penalty_decision",
                    {"pattern": "{机关简称}罚字〔{年}〕第{序号:03d}号"})
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "doc_type": "penalty_decision", "type_name": type_name("penalty_decision"),
        "number_word": "罚",
        "pattern": "{机关简称}罚字〔{年}〕第{序号:03d}号", "custom": True,
        "next_number": f"芙蓉市监罚字〔{year}〕第001号"}
    row = NumberPattern.objects.get(body=w.a.body, doc_type="penalty_decision")
    entry = last_config_entry()
    assert (entry["event_code"], entry["seq"], entry["payload"]["pattern"]) == (
        6009, row.ledger_seq, "{机关简称}罚字〔{年}〕第{序号:03d}号")
    again = {r["doc_type"]: r for r in client(w.a.u_officer).get(API + url).json()}
    assert again["penalty_decision"]["custom"] is True
    assert again["no_penalty_decision"]["custom"] is False


@pytest.mark.parametrize(("doc_type", "payload", "status", "code"), [
    ("penalty_decision", {"pattern": "{机关简称}罚〔{年}〕号"}, 400, "pattern_invalid"),
    ("penalty_decision", {"pattern": "{机关}{序号}"}, 400, "pattern_invalid"),
    ("on_site_record", {"pattern": "{序号}"}, 400, "pattern_invalid"),
    ("no_such_type", {"pattern": "{序号}"}, 400, "doc_type_unknown"),
    ("penalty_decision", {}, 422, "invalid_payload"),
])
def test_pattern_refusals_change_nothing(w: World, doc_type, payload, status, code) -> None:
    before = state()
    response = send(client(w.a.u_head), "PUT",
                    f"/bodies/{w.a.body.public_id}/document-number-patterns/{doc_type}",
                    payload)
    assert (response.status_code, response.json()["code"]) == (status, code)
    if code == "pattern_invalid":
        assert response.json()["detail"]["problems"]
    assert state() == before


# --- serial books ------------------------------------------------------------------------------

def book_json(book: SerialBook, **changes: Any) -> dict[str, Any]:
    return {"public_id": str(book.public_id), "body": body_ref(book.body),
            "doc_type": "summary_decision", "prefix": book.prefix, "first": book.first,
            "last": book.last, "width": book.width, "first_serial": book.serial(book.first),
            "last_serial": book.serial(book.last), "holder": None,
            "received_on": book.received_on.isoformat(), "note": book.note, "used": 0,
            "voided": 0, "ledger_seq": book.ledger_seq, **changes}


def test_serial_books_register_list_and_void(w: World) -> None:
    url = f"/bodies/{w.a.body.public_id}/document-serial-books"
    assert client(w.a.u_officer).get(API + url).json() == [book_json(w.book)]
    response = send(client(w.u_admin), "POST", url, {
        "first": 101, "last": 150, "received_on": "2026-10-01", "prefix": "HN",
        "holder": str(w.a.officer.public_id), "note": "第二本"})
    assert response.status_code == 201, response.json()
    book = SerialBook.objects.get(public_id=response.json()["public_id"])
    assert response.json() == book_json(book, holder={
        "public_id": str(w.a.officer.public_id), "name": "李明"})
    assert (book.first, book.last, book.note, last_config_entry()["event_code"]) == (
        101, 150, "第二本", 6010)

    response = send(client(w.a.u_head), "POST",
                    f"/bodies/{w.a.body.public_id}/document-serials/void",
                    {"serial": "HN00000007", "reason": "填写错误，作废"})
    assert response.status_code == 201, response.json()
    use = SerialUse.objects.get(serial="HN00000007")
    assert response.json() == {
        "serial": "HN00000007", "state": "voided", "book": str(w.book.public_id),
        "case": None, "reason": "填写错误，作废", "at": iso(use.at), "by": "王芳",
        "ledger_seq": use.ledger_seq}
    assert last_config_entry()["event_code"] == 6011
    listed = client(w.a.u_officer).get(API + url).json()
    assert [(b["first"], b["voided"], b["used"]) for b in listed] == [(1, 1, 0), (101, 0, 0)]


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"first": 50, "last": 120, "received_on": "2026-10-01", "prefix": "HN"}, 409,
     "serial_book_overlap"),
    ({"first": 300, "last": 200, "received_on": "2026-10-01"}, 400, "invalid_fields"),
    ({"first": 1, "last": 2, "received_on": "2099-10-01", "prefix": "X"}, 400,
     "invalid_fields"),
    ({"first": 1, "last": 2, "received_on": "2026-10-01", "prefix": "X",
      "holder": "00000000-0000-0000-0000-000000000000"}, 400, "invalid_fields"),
    ({"first": 1, "received_on": "2026-10-01"}, 422, "invalid_payload"),
])
def test_serial_book_refusals_change_nothing(w: World, payload, status, code) -> None:
    before = state()
    response = send(client(w.a.u_head), "POST",
                    f"/bodies/{w.a.body.public_id}/document-serial-books", payload)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"serial": "HN00000500", "reason": "作废"}, 409, "serial_unknown"),
    ({"serial": "HN00000001", "reason": " "}, 400, "reason_required"),
    ({"serial": "HN00000001"}, 422, "invalid_payload"),
])
def test_serial_void_refusals_change_nothing(w: World, payload, status, code) -> None:
    before = state()
    response = send(client(w.a.u_head), "POST",
                    f"/bodies/{w.a.body.public_id}/document-serials/void", payload)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state() == before


def test_a_serial_is_voided_once(w: World) -> None:
    c = client(w.a.u_head)
    url = f"/bodies/{w.a.body.public_id}/document-serials/void"
    assert send(c, "POST", url, {"serial": "HN00000002", "reason": "污损"}).status_code == 201
    before = state()
    response = send(c, "POST", url, {"serial": "HN00000002", "reason": "再次"})
    assert (response.status_code, response.json()["code"]) == (409, "serial_used")
    assert state() == before


# --- profile -----------------------------------------------------------------------------------

PROFILE_DEFAULTS = {
    "reconsideration_body": "", "reconsideration_period": "六十日", "court": "",
    "litigation_period": "六个月", "statement_period": "收到本告知书之日起三个工作日",
    "payment_instructions": "",
}


def test_profile_defaults_then_saved(w: World) -> None:
    url = f"/bodies/{w.a.body.public_id}/document-profile"
    body = w.a.body
    assert client(w.a.u_officer).get(API + url).json() == {
        "body": body_ref(body), "saved": False, "address": body.address, "phone": body.phone,
        **PROFILE_DEFAULTS, "ledger_seq": None}
    response = send(client(w.u_admin), "PUT", url, {
        "address": "长沙市芙蓉区五一大道1号", "phone": "0731-84000000",
        "reconsideration_body": "长沙市芙蓉区人民政府", "court": "长沙市芙蓉区人民法院"})
    assert response.status_code == 200, response.json()
    row = DocumentProfile.objects.get(body=body)
    assert response.json() == {
        "body": body_ref(body), "saved": True, "address": "长沙市芙蓉区五一大道1号",
        "phone": "0731-84000000", **PROFILE_DEFAULTS,
        "reconsideration_body": "长沙市芙蓉区人民政府", "court": "长沙市芙蓉区人民法院",
        "ledger_seq": row.ledger_seq}
    entry = last_config_entry()
    assert (entry["event_code"], entry["seq"]) == (6013, row.ledger_seq)
    assert entry["payload"]["changes"]["court"] == ["", "长沙市芙蓉区人民法院"]
    # only the fields sent change; null clears one
    response = send(client(w.a.u_head), "PUT", url, {"phone": None})
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["court"]) == ("", "长沙市芙蓉区人民法院")


def test_profile_refusals_change_nothing(w: World) -> None:
    url = f"/bodies/{w.a.body.public_id}/document-profile"
    before = state()
    response = send(client(w.a.u_head), "PUT", url, {"phone": "1" * 65})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_payload")
    response = send(client(w.a.u_head), "PUT", url, {"court": 5})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_payload")
    assert state() == before


# --- the permission matrix ---------------------------------------------------------------------

@dataclass(frozen=True)
class Endpoint:
    operation_id: str
    method: str
    url: Callable[[World], str]
    payload: Callable[[World], Any] = lambda w: None
    other_body: tuple[int, str] = (404, "body_not_found")
    read: bool = False  # officers and the supervisor may
    right: int = 200


def _body(w: World) -> str:
    return f"/bodies/{w.a.body.public_id}"


def _tpl(w: World) -> str:
    return f"/document-templates/{w.template.public_id}"


ENDPOINTS = [
    Endpoint("templates_visible", "GET", lambda w: "/document-templates?scope=body",
             other_body=(200, ""), read=True),
    Endpoint("template_file", "POST", lambda w: _tpl(w) + "/filing",
             lambda w: {"filing_number": "备2026-1", "filed_with": "湖南省司法厅",
                        "filed_on": "2026-10-08"}, other_body=(404, "template_not_found")),
    Endpoint("template_activate", "POST", lambda w: _tpl(w) + "/activate",
             other_body=(404, "template_not_found")),
    Endpoint("template_retire", "POST", lambda w: _tpl(w) + "/retire",
             lambda w: {"reason": "停用"}, other_body=(404, "template_not_found")),
    Endpoint("template_download", "GET", lambda w: _tpl(w) + "/docx",
             other_body=(404, "template_not_found"), read=True),
    Endpoint("number_pattern", "GET", lambda w: _body(w) + "/document-number-patterns",
             read=True),
    Endpoint("pattern_save", "PUT",
             lambda w: _body(w) + "/document-number-patterns/penalty_decision",
             lambda w: {"pattern": "{机关简称}罚〔{年}〕{序号}号"}),
    Endpoint("serial_books_visible", "GET", lambda w: _body(w) + "/document-serial-books",
             read=True),
    Endpoint("serial_book_register", "POST", lambda w: _body(w) + "/document-serial-books",
             lambda w: {"first": 500, "last": 600, "received_on": "2026-10-01",
                        "prefix": "HN"}, right=201),
    Endpoint("serial_void", "POST", lambda w: _body(w) + "/document-serials/void",
             lambda w: {"serial": "HN00000003", "reason": "污损"}, right=201),
    Endpoint("profile_get", "GET", lambda w: _body(w) + "/document-profile", read=True),
    Endpoint("profile_save", "PUT", lambda w: _body(w) + "/document-profile",
             lambda w: {"phone": "0731-84000001"}),
]
IDS = [e.operation_id for e in ENDPOINTS]


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_anonymous_is_not_authenticated(w: World, e: Endpoint) -> None:
    before = state()
    response = send(client(None), e.method, e.url(w), e.payload(w))
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_other_body_does_not_find_it(w: World, e: Endpoint) -> None:
    before = state()
    response = send(client(w.u_other_head), e.method, e.url(w), e.payload(w))
    if e.other_body[0] == 200:  # a list: the other body's rows only
        assert response.json()["count"] == 0
    else:
        assert (response.status_code, response.json()["code"]) == e.other_body
    assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("who", ["u_supervisor", "u_officer"])
def test_supervisor_and_officer_read_only(w: World, e: Endpoint, who: str) -> None:
    before = state()
    response = send(client(getattr(w.a, who)), e.method, e.url(w), e.payload(w))
    if e.read:
        assert response.status_code == 200
    else:
        assert (response.status_code, response.json()["code"]) == (
            403, "missing_manage_documents")
    assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("who", ["head", "admin"])
def test_heads_and_body_administrators_may(w: World, e: Endpoint, who: str) -> None:
    user = w.a.u_head if who == "head" else w.u_admin
    response = send(client(user), e.method, e.url(w), e.payload(w))
    assert response.status_code == (e.right if not e.read else 200), response.content


def test_upload_permissions(w: World) -> None:
    data = default_template("prior_notice")
    body = {"body": str(w.a.body.public_id)}
    cases = [(None, 401, "not_authenticated"), (w.u_other_head, 404, "body_not_found"),
             (w.a.u_supervisor, 403, "missing_manage_documents"),
             (w.a.u_officer, 403, "missing_manage_documents")]
    for user, status, code in cases:
        before = state()
        response = upload(client(user), data, **body)
        assert (response.status_code, response.json()["code"]) == (status, code), user
        assert state() == before
    for user in (w.a.u_head, w.u_admin, w.a.u_sysadmin):
        response = upload(client(user), data, **body)
        assert response.status_code == 201, response.json()
    assert list(DocumentTemplate.objects.filter(body=w.a.body).order_by("version")
                .values_list("version", flat=True)) == [1, 2, 3, 4]


def test_a_user_without_roles_is_refused(w: World) -> None:
    nobody = f.user(f.person(w.a.body, "无权限", roles=()), roles=())
    before = state()
    for e in ENDPOINTS:
        response = send(client(nobody), e.method, e.url(w), e.payload(w))
        expected = "missing_view_cases" if e.read else "missing_manage_documents"
        assert (response.status_code, response.json()["code"]) == (403, expected), e
    assert state() == before


def test_csrf_is_required_for_changes(w: World) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.a.u_head)
    before = state()
    response = send(c, "PUT", f"/bodies/{w.a.body.public_id}/document-profile",
                    {"phone": "1"})
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert state() == before
