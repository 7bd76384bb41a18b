"""``/portal/verify/``: a document's short code (to its ``/v/`` page), the SHA-256 of a file or
the file itself (which issued documents have it), and a published record's digest; no party
data ever; nothing recorded; GET answers cacheable and cookieless, the upload's answer never
cached; an upload larger than any issued file is refused unkept."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.cases.factories import Agency, agency, general_to_notice
from tests.disclosure.factories import publication_row
from tests.documents.factories import decided, issued
from tests.portal.publications_helpers import (  # noqa: F401 - the fixture
    SECRETS,
    _ledger_keys,
    assert_public_headers,
    page_text,
    published_row,
)
from zhifa.disclosure.models import Publication, State, WithdrawalKind
from zhifa.documents.models import Document
from zhifa.documents.services import document_void, read_bytes
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
URL = "/portal/verify/"


@pytest.fixture
def a() -> Agency:
    return agency()


@pytest.fixture
def doc(a: Agency) -> Document:
    case = general_to_notice(a)
    decision = decided(a, case, on=dt.date(2026, 9, 29), reasons="证据确凿，依法处罚")
    return issued(a, decision, issued_on=dt.date(2026, 9, 30))


def test_the_page_without_login(client: Client, a: Agency) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert_public_headers(response)
    html = response.content.decode()
    for name in ('name="code"', 'name="sha256"', 'name="digest"', 'name="file"',
                 'enctype="multipart/form-data"'):
        assert name in html, name
    assert "csrfmiddlewaretoken" not in html
    for field in ("verify-code", "verify-sha256", "verify-digest"):
        assert f'<label class="grow" for="{field}">' in html


@pytest.mark.parametrize("typed", ["abcd-efgh-jkmn", " ABCD EFGH JKMN "])
def test_a_code_goes_to_its_page(client: Client, doc: Document, typed: str) -> None:
    Document.objects.filter(pk=doc.pk).update(verify_code="ABCDEFGHJKMN")
    response = client.get(URL, {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == "/v/ABCDEFGHJKMN"
    assert not response.cookies
    assert client.get(response["Location"]).status_code == 200


def test_an_empty_or_absurd_code_is_said_so(client: Client, a: Agency) -> None:
    for typed in ("", "——", "A" * 80):
        response = client.get(URL, {"code": typed})
        assert response.status_code == 400, typed
        assert 'id="verify-code-error"' in response.content.decode()


def test_a_file_hash_finds_the_document(client: Client, a: Agency, doc: Document) -> None:
    before = LedgerEntry.objects.count()
    response = client.get(URL, {"sha256": doc.pdf.sha256.upper()})
    assert response.status_code == 200
    assert_public_headers(response)
    html = response.content.decode()
    assert 'data-result="documents"' in html
    listing = html.split('id="verify-documents"')[1].split("</ul>")[0]
    assert doc.number in listing and a.body.name in listing and "2026-09-30" in listing
    assert f'href="/v/{doc.verify_code}"' in listing and 'data-file="pdf"' in listing
    docx = client.get(URL, {"sha256": doc.docx.sha256}).content.decode()
    assert 'data-file="docx"' in docx
    # no party or case data
    party = doc.case.parties.get()
    for secret in (party.name, party.identifier, doc.case.number, doc.case.title, "经查"):
        assert secret not in page_text(response), secret
    assert LedgerEntry.objects.count() == before


def test_an_unknown_or_bad_hash(client: Client, doc: Document) -> None:
    other = client.get(URL, {"sha256": hashlib.sha256(b"other").hexdigest()})
    assert other.status_code == 200 and 'data-result="no-document"' in \
        other.content.decode()
    bad = client.get(URL, {"sha256": "abc"})
    assert bad.status_code == 400 and 'id="verify-sha256-error"' in bad.content.decode()


def test_a_draft_s_file_is_not_found(client: Client, a: Agency, doc: Document) -> None:
    Document.objects.filter(pk=doc.pk).update(state="draft")
    response = client.get(URL, {"sha256": doc.pdf.sha256})
    assert 'data-result="no-document"' in response.content.decode()
    assert doc.number not in response.content.decode()


def test_a_voided_document_says_so(client: Client, a: Agency, doc: Document) -> None:
    document_void(actor=a.u_head, document=doc, reason="当事人名称错误")
    html = client.get(URL, {"sha256": doc.pdf.sha256}).content.decode()
    assert 'data-state="voided"' in html
    assert timezone.localtime(Document.objects.get(pk=doc.pk).voided_at).date().isoformat() \
        in html
    assert "当事人名称错误" not in html


def test_an_uploaded_file_finds_its_document(client: Client, doc: Document) -> None:
    data = read_bytes(doc.pdf)
    before = LedgerEntry.objects.count()
    response = client.post(URL, {"file": SimpleUploadedFile("决定书.pdf", data)})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" and not response.cookies
    html = response.content.decode()
    assert 'data-result="documents"' in html and doc.number in html
    assert f'<span class="mono" id="verify-uploaded-sha256">{doc.pdf.sha256}</span>' in html
    changed = client.post(URL, {"file": SimpleUploadedFile(
        "决定书.pdf", data[:-1] + bytes([data[-1] ^ 1]))})
    assert 'data-result="no-document"' in changed.content.decode()
    assert LedgerEntry.objects.count() == before


def test_the_upload_needs_no_csrf_token(doc: Document) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(URL, {"file": SimpleUploadedFile("a.pdf", read_bytes(doc.pdf))})
    assert response.status_code == 200 and 'data-result="documents"' in \
        response.content.decode()


def test_an_upload_larger_than_every_issued_file_is_refused_unkept(
        client: Client, doc: Document, monkeypatch: Any) -> None:
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
    for size in (limit + 1, 20 * limit):
        received.clear()
        response = client.post(URL, {"file": SimpleUploadedFile("大.pdf", b"x" * size)})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'data-result="' not in html and 'class="field-error"' in html
        assert 0 < sum(received) <= limit
    empty = client.post(URL, {})
    assert empty.status_code == 400 and "form-error" in empty.content.decode()


def test_a_digest_finds_the_public_record(client: Client, a: Agency) -> None:
    pub = published_row(a)
    response = client.get(URL, {"digest": pub.content_digest.upper()})
    assert response.status_code == 200
    assert_public_headers(response)
    html = response.content.decode()
    listing = html.split('id="verify-publications"')[1].split("</ul>")[0]
    assert f'href="/portal/publications/{pub.public_id}/"' in listing
    assert pub.decision_number in listing and 'data-result="publication"' in listing
    for secret in SECRETS:
        assert secret not in html


def test_a_digest_of_a_withdrawn_record_says_so(client: Client, a: Agency) -> None:
    pub = published_row(a)
    Publication.objects.filter(pk=pub.pk).update(
        state=State.WITHDRAWN, withdrawal_kind=WithdrawalKind.VOID, withdrawal_reason="无效",
        withdrawn_on=timezone.localdate())
    html = client.get(URL, {"digest": pub.content_digest}).content.decode()
    assert 'data-result="withdrawn"' in html and 'data-result="publication"' not in html
    assert pub.title not in html


@pytest.mark.parametrize("state", [State.DRAFT, State.WITHHELD, State.CANCELLED])
def test_a_digest_of_a_record_never_public_finds_nothing(client: Client, a: Agency,
                                                         state: str) -> None:
    pub = publication_row(a, state=state)
    Publication.objects.filter(pk=pub.pk).update(content_digest="cd" * 32)
    html = client.get(URL, {"digest": "cd" * 32}).content.decode()
    assert 'data-result="no-publication"' in html and pub.decision_number not in html
    bad = client.get(URL, {"digest": "xyz"})
    assert bad.status_code == 400 and 'id="verify-digest-error"' in bad.content.decode()
