"""Checking what the platform issued and published, for anyone (no login, nothing recorded).

``/v/<code>`` — the address the QR code on a printed document holds (the code is accepted as
printed, XXXX-XXXX-XXXX, or typed any other way: ``document_by_code``): type, number, agency,
date, whether it was voided (shown loudly, with the date but never the reason: officers write
it freely and may name the party), and the SHA-256 and SM3 of the PDF and the DOCX as issued.
A received file can be uploaded (hashed as it streams in, never kept) or its SHA-256 pasted,
and the page says whether it is a file the agency recorded. The page shows no party data: the
code on the paper is not a key to its contents. An unknown code is a 404 page saying so.

``/portal/verify/`` — the same without a code: a code typed in (to its ``/v/`` page), the
SHA-256 of a file or the file itself (which issued documents have it), and the digest of a
published record (``content_digest``, as its integrity proof shows it).

Uploads are bounded: a file larger than the largest file that could match (the document's
two files; on the portal page, every issued file) cannot match, so once it passes that size
the rest of it is skipped as it arrives, neither kept in memory nor written to a temporary
file, and the form says so. The upload POST writes nothing, so it is exempt from CSRF (the
pages stay cookieless and cacheable; the POST's own answer is never cached)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django import forms
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from zhifa.disclosure.models import Publication
from zhifa.disclosure.selectors import public_publications, public_withdrawals
from zhifa.documents import doctypes
from zhifa.documents.models import Document, DocumentState
from zhifa.documents.selectors import document_by_code
from zhifa.documents.services.context import code_display
from zhifa.documents.services.issue import normalize_code
from zhifa.evidence.hashing import hash_chunks

from ..http import finish, public_page

MAX_CODE = 64
HEX = frozenset("0123456789abcdef")
VISIBLE = (DocumentState.ISSUED, DocumentState.VOIDED)


def clean_hex(raw: str) -> str | None:
    """A 64-hex-digit digest as pasted (spaces, any case), or None when it is not one."""
    value = "".join(raw.split()).lower()
    if len(value) != 64 or not set(value) <= HEX:
        return None
    return value


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


class FileCheckForm(forms.Form):
    """A received file or its pasted SHA-256. ``max_bytes``: the largest file that could
    match; ``refused_upload``: the view's upload handler skipped a file that passed that size
    (it then never reaches ``files``)."""

    file = forms.FileField(label=gettext_lazy("The file you received (PDF or DOCX)"),
                           required=False)
    sha256 = forms.CharField(label=gettext_lazy("Or paste its SHA-256"), max_length=100,
                             required=False,
                             widget=forms.TextInput(attrs={"autocomplete": "off",
                                                           "spellcheck": "false",
                                                           "inputmode": "latin"}))

    def __init__(self, *args: Any, max_bytes: int, refused_upload: bool = False,
                 with_hash: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.refused_upload = refused_upload
        if not with_hash:
            del self.fields["sha256"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if self.refused_upload or (upload and upload.size > self.max_bytes):
            raise forms.ValidationError(
                _("The file is larger than the files the enforcement body issued (at most "
                  "%(size)s), so it cannot be one of them."),
                code="file_too_large", params={"size": filesizeformat(self.max_bytes)})
        return upload

    def clean_sha256(self) -> str:
        raw = self.cleaned_data.get("sha256", "")
        if not "".join(raw.split()):
            return ""
        value = clean_hex(raw)
        if value is None:
            raise forms.ValidationError(_("A SHA-256 is 64 hexadecimal characters."),
                                        code="bad_sha256")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("file") and not data.get("sha256"):
            if "sha256" in self.fields:
                raise forms.ValidationError(_("Choose a file or paste a SHA-256."),
                                            code="nothing")
            raise forms.ValidationError(_("Choose a file."), code="nothing")
        return data


@dataclass
class Check:
    sha256: str
    sm3: str = ""
    size: int | None = None


def _digests(form: FileCheckForm) -> Check:
    upload = form.cleaned_data.get("file")
    if upload:
        # chunk by chunk from memory or the temporary file: never read whole
        digests = hash_chunks(upload.chunks())
        return Check(sha256=digests.sha256, sm3=digests.sm3, size=digests.size)
    return Check(sha256=form.cleaned_data["sha256"])


def _no_index(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def document_title(doc: Document) -> str:
    t = doctypes.BY_CODE.get(doc.doc_type)
    return t.title if t else doc.doc_type


# --- /v/<code> ----------------------------------------------------------------------------
def upload_limit(doc: Document) -> int:
    """The largest file that can match: the larger of the issued PDF and DOCX."""
    return max((blob.size for blob in (doc.pdf, doc.docx) if blob is not None), default=0)


@csrf_exempt  # writes nothing; the upload limit must be in place before the body is parsed
@require_http_methods(["GET", "HEAD", "POST"])
def document_code(request: HttpRequest, code: str) -> HttpResponse:
    doc = document_by_code(code) if len(code) <= MAX_CODE else None
    if doc is None or doc.state not in VISIBLE:
        return _no_index(finish(render(request, "portal/verify/unknown.html", {"code": code},
                                       status=404)))
    limiter = SizeLimitHandler(request, upload_limit(doc))
    check: Check | None = None
    matches = ""
    status = 200
    if request.method == "POST":
        request.upload_handlers.insert(0, limiter)  # before anything reads the body
        form = FileCheckForm(request.POST, request.FILES, max_bytes=limiter.limit,
                             refused_upload=limiter.skipped)
        if form.is_valid():
            check = _digests(form)
            if doc.pdf is not None and check.sha256 == doc.pdf.sha256:
                matches = "pdf"
            elif doc.docx is not None and check.sha256 == doc.docx.sha256:
                matches = "docx"
        else:
            status = 400
    else:
        form = FileCheckForm(max_bytes=limiter.limit)
    response = _document_page(request, doc, form, check, matches, status)
    if request.method == "POST":
        return _no_index(finish(response, cache=False))
    return _no_index(finish(response))


def _document_page(request: HttpRequest, doc: Document, form: FileCheckForm,
                   check: Check | None, matches: str, status: int) -> HttpResponse:
    context: dict[str, Any] = {
        "doc": doc, "title": document_title(doc), "type_name": doctypes.type_name(doc.doc_type),
        "agency": doc.case.body.name, "code": code_display(doc.verify_code),
        "voided": doc.state == DocumentState.VOIDED, "form": form, "check": check,
        "matches": matches,
    }
    return render(request, "portal/verify/document.html", context, status=status)


# --- /portal/verify/ ----------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentHit:
    title: str
    number: str
    agency: str
    issued_on: Any
    voided: bool
    voided_on: Any
    file: str  # "pdf" | "docx"
    url: str


def documents_with_file(sha256: str) -> list[DocumentHit]:
    """Issued (or voided) documents whose PDF or DOCX has this SHA-256."""
    hits = []
    for file in ("pdf", "docx"):
        docs = (Document.objects.filter(state__in=VISIBLE, **{f"{file}__sha256": sha256})
                .select_related("case__body").order_by("issued_on", "id"))
        for doc in docs:
            hits.append(DocumentHit(
                title=document_title(doc), number=doc.number, agency=doc.case.body.name,
                issued_on=doc.issued_on, voided=doc.state == DocumentState.VOIDED,
                voided_on=doc.voided_at, file=file, url=f"/v/{doc.verify_code}"))
    return hits


def publications_with_digest(digest: str) -> tuple[list[Publication], list[Publication]]:
    """Public records, and withdrawn ones, whose published record has this digest."""
    public = list(public_publications().filter(content_digest=digest).order_by("-id")[:10])
    withdrawn = list(public_withdrawals().filter(content_digest=digest).order_by("-id")[:10])
    return public, withdrawn


def largest_issued_file() -> int:
    sizes = Document.objects.filter(state__in=VISIBLE).aggregate(pdf=Max("pdf__size"),
                                                                 docx=Max("docx__size"))
    return max(sizes["pdf"] or 0, sizes["docx"] or 0)


@csrf_exempt  # writes nothing; the upload limit must be in place before the body is parsed
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return verify_page(request)
    limiter = SizeLimitHandler(request, largest_issued_file())
    request.upload_handlers.insert(0, limiter)  # before anything reads the body
    form = FileCheckForm(request.POST, request.FILES, max_bytes=limiter.limit,
                         refused_upload=limiter.skipped, with_hash=False)
    context = _empty_context()
    status = 200
    if form.is_valid():
        check = _digests(form)
        context.update(check=check, documents=documents_with_file(check.sha256))
    else:
        status = 400
    context["form"] = form
    response = render(request, "portal/verify/index.html", context, status=status)
    return finish(response, cache=False)


def _empty_context() -> dict[str, Any]:
    return {"code": "", "sha256": "", "digest": "", "errors": {}, "documents": None,
            "publications": None, "withdrawn": None, "check": None}


@public_page
def verify_page(request: HttpRequest) -> HttpResponse:
    """The GET forms: a code (to its page), a file's SHA-256, a record's digest."""
    context = _empty_context()
    get = request.GET
    errors: dict[str, str] = {}
    if "code" in get:
        text = normalize_code(get["code"])
        context["code"] = get["code"][:MAX_CODE]
        if not text:
            errors["code"] = _("Enter the verification code printed on the document.")
        elif len(text) > MAX_CODE:
            errors["code"] = _("A verification code has twelve letters and digits.")
        else:
            return HttpResponseRedirect(f"/v/{quote(text)}")
    if "sha256" in get:
        context["sha256"] = get["sha256"][:100]
        value = clean_hex(get["sha256"])
        if value is None:
            errors["sha256"] = _("A SHA-256 is 64 hexadecimal characters.")
        else:
            context["documents"] = documents_with_file(value)
            context["sha256"] = value
    if "digest" in get:
        context["digest"] = get["digest"][:100]
        value = clean_hex(get["digest"])
        if value is None:
            errors["digest"] = _("A digest is 64 hexadecimal characters.")
        else:
            context["publications"], context["withdrawn"] = publications_with_digest(value)
            context["digest"] = value
    context["errors"] = errors
    context["form"] = FileCheckForm(max_bytes=0, with_hash=False)  # the POST sets the limit
    return render(request, "portal/verify/index.html", context,
                  status=400 if errors else 200)
