"""The permission matrix of the documents API: each endpoint as anonymous (401), another
body's officer (404), the supervisor (reads yes, changes 403), a body administrator without
case permissions (403), the case's officer and the system administrator. Every refusal leaves
the documents, the settings and the ledger as they were; an archived case refuses changes."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tests import factories as f
from tests.cases.factories import Agency, agency, reported
from tests.documents.factories import complete_fields
from zhifa.cases.models import Case
from zhifa.documents.models import Document
from zhifa.documents.services import document_draft, document_issue, system_template_ensure
from zhifa.orgs.models import AccountRole

from .documents_helpers import client, send, state


@dataclass
class World:
    a: Agency
    case: Case
    draft: Document  # a complete prior notice, not issued
    _issued: list[Document] = field(default_factory=list)

    @property
    def issued(self) -> Document:
        """An issued prior notice, made when an endpoint first needs it (rendering costs)."""
        if not self._issued:
            doc = document_draft(actor=self.a.u_officer, case=self.case, doc_type="prior_notice",
                                 fields=complete_fields("prior_notice"))
            self._issued.append(document_issue(actor=self.a.u_officer, document=doc))
        return self._issued[0]


@pytest.fixture
def w(db: None) -> World:
    a = agency()
    case = reported(a)
    doc = document_draft(actor=a.u_officer, case=case, doc_type="prior_notice",
                         fields=complete_fields("prior_notice"))
    system_template_ensure("prior_notice")  # made on first use: here, before any snapshot
    return World(a=a, case=case, draft=doc)


@dataclass(frozen=True)
class Endpoint:
    operation_id: str
    method: str
    url: Callable[[World], str]
    payload: Callable[[World], Any] = lambda w: None
    other_body: tuple[int, str | None] = (404, "document_not_found")
    watcher: tuple[int, str | None] = (200, None)  # the supervisor
    right: int = 200
    case_work: bool = True  # False: open to whoever works with documents (types)
    records: bool = False  # a read that is recorded on the ledger (a download)


def _doc(w: World) -> str:
    return f"/documents/{w.draft.public_id}"


def _issued(w: World) -> str:
    return f"/documents/{w.issued.public_id}"


CHANGE = (403, "missing_handle_cases")
ENDPOINTS = [
    Endpoint("document_types_for", "GET", lambda w: "/document-types?procedure=general",
             other_body=(200, None), case_work=False),
    Endpoint("documents_for_case", "GET", lambda w: f"/cases/{w.case.public_id}/documents",
             other_body=(404, "case_not_found")),
    Endpoint("document_get", "GET", _doc),
    Endpoint("document_preview", "GET", lambda w: _doc(w) + "/preview"),
    Endpoint("document_download", "GET", lambda w: _issued(w) + "/file?format=docx",
             records=True),
    Endpoint("services_for_document", "GET", lambda w: _issued(w) + "/services"),
    Endpoint("document_draft", "POST", lambda w: f"/cases/{w.case.number}/documents",
             lambda w: {"doc_type": "investigation_report"},
             other_body=(404, "case_not_found"), watcher=CHANGE, right=201),
    Endpoint("document_update", "PATCH", _doc, lambda w: {"fields": {"听证权利": "有权要求听证"}},
             watcher=CHANGE),
    Endpoint("document_issue", "POST", lambda w: _doc(w) + "/issue", lambda w: {},
             watcher=CHANGE),
    Endpoint("document_void", "POST", lambda w: _doc(w) + "/void",
             lambda w: {"reason": "重复起草"}, watcher=CHANGE),
    Endpoint("service_record", "POST", lambda w: _issued(w) + "/services",
             lambda w: {"method": "direct", "recipient": "陈某",
                        "served_on": w.issued.issued_on.isoformat()},
             watcher=CHANGE, right=201),
]
IDS = [e.operation_id for e in ENDPOINTS]


def ask(w: World, user: Any, e: Endpoint) -> Any:
    url = e.url(w)  # made before the snapshot of the caller
    return send(client(user), e.method, url, e.payload(w))


def prepared(w: World, e: Endpoint) -> dict[str, Any]:
    """The state before the request, once the endpoint's documents exist."""
    e.url(w)
    e.payload(w)
    return state()


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_anonymous_is_not_authenticated(w: World, e: Endpoint) -> None:
    before = prepared(w, e)
    response = ask(w, None, e)
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_other_body_does_not_find_it(w: World, e: Endpoint) -> None:
    before = prepared(w, e)
    response = ask(w, w.a.u_other, e)
    assert response.status_code == e.other_body[0]
    if e.other_body[1] is not None:
        assert response.json()["code"] == e.other_body[1]
    assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_the_supervisor_watches(w: World, e: Endpoint) -> None:
    before = prepared(w, e)
    response = ask(w, w.a.u_supervisor, e)
    assert response.status_code == e.watcher[0]
    if e.watcher[1] is not None:
        assert response.json()["code"] == e.watcher[1]
    if e.records:  # the download is on the case's ledger, nothing else changed
        assert state() == {**before, "ledger": before["ledger"] + 1}
    elif e.method == "GET" or e.watcher[0] >= 400:
        assert state() == before


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("who", ["u_officer", "u_sysadmin"])
def test_the_officer_and_the_system_administrator_may(w: World, e: Endpoint,
                                                      who: str) -> None:
    response = ask(w, getattr(w.a, who), e)
    assert response.status_code == e.right, response.content[:500]


def test_a_body_admin_without_case_permissions_is_refused(w: World) -> None:
    admin = f.user(f.person(w.a.body, "孙丽", roles=()), roles=(AccountRole.BODY_ADMIN,))
    for e in ENDPOINTS:
        before = prepared(w, e)
        response = ask(w, admin, e)
        if not e.case_work:
            assert response.status_code == 200
            continue
        expected = "missing_view_cases" if e.method == "GET" else "missing_handle_cases"
        assert (response.status_code, response.json()["code"]) == (403, expected), e
        assert state() == before


def test_an_officer_of_the_other_body_cannot_use_a_case_number_or_id(w: World) -> None:
    c = client(w.a.u_other)
    before = state()
    for url in (f"/cases/{w.case.number}/documents", f"/cases/{w.case.public_id}/documents"):
        response = send(c, "POST", url, {"doc_type": "prior_notice"})
        assert (response.status_code, response.json()["code"]) == (404, "case_not_found")
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        response = send(c, "GET", f"/documents/{bad}")
        assert (response.status_code, response.json()["code"]) == (404, "document_not_found")
    assert state() == before


def test_an_archived_case_refuses_changes(w: World) -> None:
    issued = w.issued
    Case.objects.filter(pk=w.case.pk).update(status="archived")
    c = client(w.a.u_officer)
    before = state()
    for method, url, payload in (
        ("POST", f"/cases/{w.case.number}/documents", {"doc_type": "investigation_report"}),
        ("PATCH", f"/documents/{w.draft.public_id}", {"fields": {"听证权利": "有"}}),
        ("POST", f"/documents/{w.draft.public_id}/issue", {}),
        ("POST", f"/documents/{w.draft.public_id}/void", {"reason": "x"}),
        ("POST", f"/documents/{issued.public_id}/services",
         {"method": "direct", "recipient": "陈某", "served_on": issued.issued_on.isoformat()}),
    ):
        response = send(c, method, url, payload)
        assert (response.status_code, response.json()["code"]) == (409, "case_archived"), url
    assert state() == before
    assert send(c, "GET", f"/documents/{issued.public_id}").status_code == 200


def test_csrf_is_required_for_changes(w: World) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.a.u_officer)
    before = state()
    response = send(c, "POST", f"/documents/{w.draft.public_id}/void", {"reason": "x"})
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert state() == before


def test_the_public_verification_needs_no_login_and_changes_nothing(w: World) -> None:
    issued = w.issued
    before = state()
    for user in (None, w.a.u_other):
        response = send(client(user), "GET", f"/public/documents/verify/{issued.verify_code}")
        assert response.status_code == 200
    assert state() == before


def test_every_documents_operation_is_in_a_matrix() -> None:
    from zhifa.api.root import api

    from .test_documents_admin_api import ENDPOINTS as ADMIN

    ops = {op["operationId"] for path in api.get_openapi_schema()["paths"].values()
           for op in path.values() if "documents" in op.get("tags", [])}
    assert ops == ({e.operation_id for e in ENDPOINTS} | {e.operation_id for e in ADMIN}
                   | {"document_verify", "template_upload"})
