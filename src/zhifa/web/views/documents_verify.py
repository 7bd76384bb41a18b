"""The public verification page of an issued document: ``/v/<code>`` (the address the QR code
on the printed document holds; no login).

Whoever holds a printed or electronic document — the party, a court, a bank, a colleague at
another agency — checks that the agency issued it: type, number, agency, date, whether it
was voided (shown loudly, with the date but not the reason: officers write the reason
freely and may name the party in it), and the SHA-256 and SM3 of the PDF and the DOCX as
issued. A received file can be uploaded (hashed here as it streams in, not stored) or its
SHA-256 pasted, and the page says whether it is the file the agency recorded. The page shows
no party data: the code on the paper is not a key to its contents.

The endpoint is anonymous, so an upload is bounded: a file larger than the larger of the two
files issued cannot match, and once it passes that size the rest of it is skipped as it
arrives — neither kept in memory nor written to a temporary file — and the form says so.

The code is accepted as printed (XXXX-XXXX-XXXX) or typed without dashes, in any case, and
with the letters Crockford's base32 reads as digits (I, L → 1; O → 0: ``document_by_code``).
An unknown code is a 404 page that says so. Nothing is recorded: the page is public."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from zhifa.documents import doctypes
from zhifa.documents.models import Document, DocumentState
from zhifa.documents.selectors import document_by_code
from zhifa.documents.services.context import code_display
from zhifa.evidence.hashing import hash_chunks

from ..document_forms import VerifyForm


@dataclass
class Check:
    sha256: str
    matches: str  # "pdf", "docx" or "" (no match)
    sm3: str = ""
    size: int | None = None


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unknown(request: HttpRequest, code: str) -> HttpResponse:
    return _public(render(request, "web/documents/verify_unknown.html",
                          {"code": code}, status=404))


def _check(doc: Document, form: VerifyForm) -> Check:
    upload = form.cleaned_data.get("file")
    if upload:
        # chunk by chunk from memory or the temporary file: never read whole
        digests = hash_chunks(upload.chunks())
        sha256, sm3, size = digests.sha256, digests.sm3, digests.size
    else:
        sha256, sm3, size = form.cleaned_data["sha256"], "", None
    matches = ""
    if doc.pdf is not None and sha256 == doc.pdf.sha256:
        matches = "pdf"
    elif doc.docx is not None and sha256 == doc.docx.sha256:
        matches = "docx"
    return Check(sha256=sha256, sm3=sm3, size=size, matches=matches)


class SizeLimitHandler(FileUploadHandler):
    """The first upload handler of a verify POST: passes a file's bytes on to Django's usual
    handlers (memory, then a temporary file) until the file passes ``limit`` bytes, then skips
    the rest of it (Django reads it off the connection and drops it) and remembers that it
    did, for the form to say why."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.skipped = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.skipped = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers make the file


def upload_limit(doc: Document) -> int:
    """The largest file that can match: the larger of the issued PDF and DOCX."""
    return max((blob.size for blob in (doc.pdf, doc.docx) if blob is not None), default=0)


@csrf_exempt  # checked by ``_verify`` once the size limit is in place (see below)
@require_http_methods(["GET", "HEAD", "POST"])
def document_verify(request: HttpRequest, code: str) -> HttpResponse:
    doc = document_by_code(code) if len(code) <= 64 else None
    if doc is None or doc.state not in (DocumentState.ISSUED, DocumentState.VOIDED):
        return _unknown(request, code)
    limiter = SizeLimitHandler(request, upload_limit(doc))
    if request.method == "POST":
        # before the body is parsed: the CSRF middleware would parse it (reading
        # request.POST) with the default handlers only, hence csrf_exempt here and
        # csrf_protect on the inner view
        request.upload_handlers.insert(0, limiter)
    return _verify(request, doc, code, limiter)


@csrf_protect
def _verify(request: HttpRequest, doc: Document, code: str,
            limiter: SizeLimitHandler) -> HttpResponse:
    check: Check | None = None
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES, max_bytes=limiter.limit,
                          refused_upload=limiter.skipped)
        if form.is_valid():
            check = _check(doc, form)
        else:
            status = 400
    else:
        form = VerifyForm(max_bytes=limiter.limit)
    t = doctypes.BY_CODE.get(doc.doc_type)
    context: dict[str, Any] = {
        "doc": doc, "title": t.title if t else doc.doc_type,
        "type_name": doctypes.type_name(doc.doc_type),
        "agency": doc.case.body.name, "code": code_display(doc.verify_code),
        "voided": doc.state == DocumentState.VOIDED, "form": form, "check": check,
    }
    return _public(render(request, "web/documents/verify.html", context, status=status))


urlpatterns: list[URLPattern] = [
    path("v/<str:code>", document_verify, name="document_verify"),
    path("v/<str:code>/", document_verify),
]
