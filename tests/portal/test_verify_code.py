"""The public verification page ``/v/<code>`` (a portal page since issue 7; the address the
QR codes already printed hold): no login; type, number, agency, date, state (voided shown
loudly with its date, never the free-text reason), the hashes of the files as issued; a
received file (uploaded or its SHA-256 pasted) matches the record or not; no party data; the
code as printed or typed any other way; an unknown code is a 404 page; nothing is recorded;
an upload larger than the issued files is refused without being kept. The page is cacheable
and cookieless; the check's POST writes nothing, needs no CSRF token and is never cached."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.cases.factories import Agency, agency, general_to_notice
from tests.documents.factories import decided, issued
from zhifa.documents.models import Document
from zhifa.documents.services import document_void, read_bytes
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def a() -> Agency:
    return agency()


@pytest.fixture
def doc(a: Agency) -> Document:
    case = general_to_notice(a)
    case.parties.update(address="长沙市芙蓉区某路1号")  # a decision prints it
    draft = decided(a, case, on=dt.date(2026, 9, 29), reasons="证据确凿，依法处罚")
    return issued(a, draft, issued_on=dt.date(2026, 9, 30))


def printed(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def text(response: Any) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_page_shows_the_record_without_login_and_without_party_data(client: Client,
                                                                       doc) -> None:
    before = LedgerEntry.objects.count()
    response = client.get(f"/v/{printed(doc.verify_code)}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert not response.cookies
    page = text(response)
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "name=\"viewport\"" in html
    for value in ("行政处罚决定书", doc.number, "芙蓉区市场监督管理局", "2026-09-30",
                  printed(doc.verify_code), doc.pdf.sha256, doc.pdf.sm3, doc.docx.sha256,
                  doc.docx.sm3):
        assert value in page, value
    assert 'data-state="issued"' in html and "verify-voided" not in html
    assert "csrfmiddlewaretoken" not in html
    assert '<nav class="portal-nav"' in html  # the portal's page
    # no party data, no case data beyond the agency
    party = doc.case.parties.get()
    for secret in (party.name, party.identifier, "陈某", doc.case.number, doc.case.title,
                   "经查"):
        assert secret not in page, secret
    assert LedgerEntry.objects.count() == before


@pytest.mark.parametrize("form", ["plain", "lower", "lookalike", "slash"])
def test_the_code_is_accepted_as_typed(client: Client, doc, form: str) -> None:
    code = doc.verify_code
    typed = {"plain": code, "lower": printed(code).lower(),
             "lookalike": code.replace("1", "I").replace("0", "O"),
             "slash": printed(code) + "/"}[form]
    response = client.get(f"/v/{typed}")
    assert response.status_code == 200, typed
    assert doc.number in text(response)


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "X", "0" * 200])
def test_an_unknown_code_is_a_404_page(client: Client, doc, code: str) -> None:
    response = client.get(f"/v/{code}")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-result="unknown"' in html and '<html lang="zh-Hans">' in html
    assert doc.number not in html


def test_a_draft_has_no_page(client: Client, a) -> None:
    case = general_to_notice(a)
    draft = decided(a, case, on=dt.date(2026, 9, 29), reasons="证据确凿，依法处罚")
    Document.objects.filter(pk=draft.pk).update(verify_code="ABCDEFGHJKMN")
    assert client.get("/v/ABCD-EFGH-JKMN").status_code == 404


def test_a_voided_document_says_so_loudly(client: Client, a, doc) -> None:
    document_void(actor=a.u_head, document=doc, reason="当事人名称错误，已重新作出")
    response = client.get(f"/v/{printed(doc.verify_code)}")
    assert response.status_code == 200
    html = response.content.decode()
    alert = html.split('class="verify-voided"')[1].split("</div>")[0]
    assert 'data-state="voided"' in alert
    doc.refresh_from_db()
    assert doc.voided_at is not None
    voided_on = timezone.localtime(doc.voided_at).date().isoformat()
    assert 'id="verify-voided-on">' in alert and voided_on in alert
    # the reason is free text an officer wrote (it may name the party): never shown here
    page = text(response)
    for secret in ("当事人名称错误", "已重新作出", doc.void_reason):
        assert secret not in page, secret
    assert doc.number in page


def test_a_pasted_hash_matches_or_not(client: Client, doc) -> None:
    url = f"/v/{doc.verify_code}"
    before = LedgerEntry.objects.count()
    pdf = client.post(url, {"sha256": doc.pdf.sha256.upper()})
    assert pdf.status_code == 200
    assert pdf["Cache-Control"] == "no-store" and not pdf.cookies
    assert 'data-result="match"' in pdf.content.decode()
    docx = client.post(url, {"sha256": f"  {doc.docx.sha256}  "})
    assert 'data-result="match"' in docx.content.decode()
    other = client.post(url, {"sha256": hashlib.sha256(b"other").hexdigest()})
    assert 'data-result="no-match"' in other.content.decode()
    assert LedgerEntry.objects.count() == before


def test_an_uploaded_file_matches_or_not(client: Client, doc) -> None:
    url = f"/v/{doc.verify_code}"
    data = read_bytes(doc.pdf)
    same = client.post(url, {"file": SimpleUploadedFile("决定书.pdf", data)})
    html = same.content.decode()
    assert 'data-result="match"' in html and doc.pdf.sm3 in html
    # one byte changed, the size kept (a larger file is refused before it is hashed)
    changed = client.post(url, {"file": SimpleUploadedFile(
        "决定书.pdf", data[:-1] + bytes([data[-1] ^ 1]))})
    assert 'data-result="no-match"' in changed.content.decode()


def test_a_bad_check_is_refused_as_typed(client: Client, doc) -> None:
    url = f"/v/{doc.verify_code}"
    bad = client.post(url, {"sha256": "abc123"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'value="abc123"' in html and 'class="field-error"' in html
    assert "data-result" not in html
    empty = client.post(url, {})
    assert empty.status_code == 400
    assert 'class="notice notice-bad form-error"' in empty.content.decode()


def test_an_upload_larger_than_the_issued_files_is_refused_unkept(client: Client, doc,
                                                                  monkeypatch: Any) -> None:
    """The limit is the larger of the two issued files: one byte more is refused with a form
    error, and Django's own handlers (memory, temporary file) never receive more than the
    limit — the rest of the file is dropped as it arrives."""
    from django.core.files import uploadhandler

    limit = max(doc.pdf.size, doc.docx.size)
    received: list[int] = []
    for handler in (uploadhandler.MemoryFileUploadHandler,
                    uploadhandler.TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self: Any, raw_data: bytes, start: int, original: Any = original) -> Any:
            received.append(len(raw_data))
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    url = f"/v/{doc.verify_code}"
    before = LedgerEntry.objects.count()
    for size in (limit + 1, 20 * limit):
        received.clear()
        response = client.post(url, {"file": SimpleUploadedFile("大文件.pdf", b"x" * size)})
        assert response.status_code == 400, size
        html = response.content.decode()
        assert "data-result" not in html
        errors = re.findall(r'<p class="field-error" role="alert">(.*?)</p>', html)
        assert len(errors) == 1 and "该文件大于执法主体签发的文件" in unescape(errors[0]), errors
        assert 0 < sum(received) <= limit
    # at the limit: hashed and compared (no match: it is not the file)
    at_limit = client.post(url, {"file": SimpleUploadedFile("决定书.pdf", b"x" * limit)})
    assert at_limit.status_code == 200
    assert 'data-result="no-match"' in at_limit.content.decode()
    assert LedgerEntry.objects.count() == before


def test_the_size_limit_is_checked_by_the_form_too(doc) -> None:
    """Whatever the handlers: the form refuses a file over its limit, and says why when the
    view's handler dropped one."""
    from zhifa.portal.views.verify import FileCheckForm as VerifyForm

    big = VerifyForm({}, {"file": SimpleUploadedFile("a.pdf", b"x" * 11)}, max_bytes=10)
    assert not big.is_valid() and big.errors["file"][0].startswith("该文件大于")
    assert big.has_error("file", code="file_too_large")
    dropped = VerifyForm({}, {}, max_bytes=10, refused_upload=True)
    assert not dropped.is_valid() and dropped.has_error("file", code="file_too_large")
    fits = VerifyForm({}, {"file": SimpleUploadedFile("a.pdf", b"x" * 10)}, max_bytes=10)
    assert fits.is_valid()


def test_the_check_needs_no_csrf_token_and_sets_no_cookie(doc) -> None:
    """The check writes nothing: the page carries no CSRF token (it is cached and
    cookieless) and a post without one is answered."""
    strict = Client(enforce_csrf_checks=True)
    url = f"/v/{doc.verify_code}"
    page = strict.get(url)
    assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies
    before = LedgerEntry.objects.count()
    ok = strict.post(url, {"sha256": doc.pdf.sha256})
    assert ok.status_code == 200 and 'data-result="match"' in ok.content.decode()
    assert not ok.cookies and ok["Cache-Control"] == "no-store"
    assert LedgerEntry.objects.count() == before


def test_the_staff_page_still_links_the_code(doc) -> None:
    from django.urls import reverse

    assert reverse("document_verify", args=[doc.verify_code]) == f"/v/{doc.verify_code}"
