"""The documents tab of a case (执法文书): ``/cases/<id>/documents/``.

The types the case's procedure uses, grouped by the stage of the case file they belong to,
each with its documents: drafts (edit, preview, issue), issued documents (number, template
version, date, verification code, downloads, service) and voided ones (the number stays,
with the reason). Drafting shows every drafted value with its label and help, the three
written reasons first and prominently for a decision, and the checklist of the statutory
elements computed from the values as they are typed (HTMX, ``document_check``).

Everyone who sees the case sees its documents; the forms are shown to those whose service
would accept them (handling rights in the case's body, case not archived; voiding an issued
document: a head). Each POST calls one service of ``zhifa.documents.services``; a refusal
draws the page again with the form as it was sent and the service's message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from zhifa.cases.models import Case
from zhifa.cases.selectors import case_get_for_user
from zhifa.cases.services._access import may_handle
from zhifa.core.errors import ApplicationError, NotFound
from zhifa.documents import doctypes
from zhifa.documents.doctypes import DocType
from zhifa.documents.models import Document, DocumentState
from zhifa.documents.selectors import document_get, documents_for_case
from zhifa.documents.services import (
    computed,
    document_download_record,
    document_draft,
    document_issue,
    document_preview,
    document_update,
    document_void,
    missing,
    prefill,
    service_record,
)
from zhifa.documents.services._access import may_void_issued
from zhifa.documents.services.checks import decision_lock
from zhifa.documents.services.context import code_display
from zhifa.documents.services.drafts import require_draft
from zhifa.evidence.http import blob_response
from zhifa.evidence.models import BlobState, EvidenceFile, FileState
from zhifa.orgs.permissions import Perm

from ..document_forms import DraftForm, IssueForm, ServiceForm, VoidForm, refuse
from .common import found, render_page, staff_view

FORMATS = {"pdf": "application/pdf",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass
class Feedback:
    """A refused form of one document, kept to be drawn again as it was sent."""

    form: Any
    error: str = ""


@dataclass
class Check:
    """One statutory element of the checklist (or a required field outside the elements):
    present or not, with the placeholders that are empty."""

    label: str
    source: str
    ok: bool
    empty: tuple[str, ...] = ()


@dataclass
class DocRow:
    doc: Document
    code: str
    checks: list[Check] = field(default_factory=list)
    issue: Feedback | None = None
    void: Feedback | None = None
    service: Feedback | None = None
    services: list[Any] = field(default_factory=list)
    alert: str = ""
    locked: str = ""  # a decision draft locked for approval ("pending") or after it ("decided")

    @property
    def missing(self) -> list[str]:
        return [c.label for c in self.checks if not c.ok]


@dataclass
class TypeRow:
    t: DocType
    name: str
    docs: list[DocRow]


@dataclass
class StageGroup:
    code: str
    label: str
    types: list[TypeRow]


# --- Shared helpers ---------------------------------------------------------------------------
def may_change(user: Any, case: Case) -> bool:
    return may_handle(user, case.body) and case.status != "archived"


def _case(request: HttpRequest, public_id: Any) -> Case:
    return found(case_get_for_user, user=request.user, key=public_id)


def _doc(request: HttpRequest, case: Case, doc_id: Any) -> Document:
    doc = found(document_get, actor=request.user, public_id=doc_id)
    if doc.case_id != case.pk:
        raise Http404
    return doc


def _type(code: str) -> DocType:
    try:
        return doctypes.doctype(code)
    except KeyError:
        raise Http404 from None


def types_of(case: Case) -> list[DocType]:
    """The types the case's procedure uses (an agency's own procedure: the generic set)."""
    return doctypes.types_for(case.procedure) or doctypes.types_for("generic")


def _to_page(case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("web:documents_case", kwargs={"public_id": case.public_id})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def checklist(case: Case, t: DocType, values: dict[str, str],
              document: Document | None = None) -> list[Check]:
    """The statutory elements of the type, each present or not, for ``values`` (the drafted
    values) together with what the case itself prints (party, agency; the date as of today,
    the day it would be issued); then the required fields outside the elements that are
    still empty."""
    doc = document or Document(case=case, doc_type=t.code, fields=values)
    printed = computed(case, doc, number="", verify_code="", issued_on=timezone.localdate())
    lacking = {str(e.label): e for e in missing(t.code, {**printed, **values})}
    checks = []
    for e in t.elements:
        gap = lacking.pop(str(e.label), None)
        checks.append(Check(label=str(e.label), source=e.source, ok=gap is None,
                            empty=gap.placeholders if gap is not None else ()))
    checks += [Check(label=label, source="", ok=False, empty=e.placeholders)
               for label, e in lacking.items()]
    return checks


def _proofs(case: Case) -> list[tuple[str, str]]:
    return [(str(f.public_id), f"{f.item.seq}. {f.filename}")
            for f in EvidenceFile.objects.filter(case=case, state=FileState.ACTIVE)
            .select_related("item").order_by("item__seq", "id")]


def _consents(docs: list[Document]) -> list[tuple[str, str]]:
    return [(str(d.public_id), f"{d.number or doctypes.doctype(d.doc_type).title}"
             f"（{d.issued_on:%Y-%m-%d}）")
            for d in docs if d.doc_type == "e_service_consent"
            and d.state == DocumentState.ISSUED and d.issued_on]


def service_form(case: Case, docs: list[Document], doc: Document,
                 data: Any = None) -> ServiceForm:
    form = ServiceForm(data, proofs=_proofs(case), consents=_consents(docs),
                       auto_id=f"service-{doc.public_id}-%s")
    files = EvidenceFile.objects.filter(case=case, state=FileState.ACTIVE)
    form.proof_objects = {str(f.public_id): f for f in files}
    form.consent_objects = {str(d.public_id): d for d in docs
                            if d.doc_type == "e_service_consent"}
    return form


# --- The tab ----------------------------------------------------------------------------------
def documents_page(request: HttpRequest, case: Case, *,
                   feedback: dict[tuple[int, str], Feedback] | None = None,
                   status: int = 200) -> HttpResponse:
    user = request.user
    docs = list(documents_for_case(user, case))
    change = may_change(user, case)
    void_issued = change and may_void_issued(user, case.body)
    given = feedback or {}
    by_type: dict[str, list[DocRow]] = {}
    for d in docs:
        row = DocRow(doc=d, code=code_display(d.verify_code),
                     services=list(d.services.all()) if d.state != DocumentState.DRAFT else [])
        t = doctypes.BY_CODE.get(d.doc_type)
        if t is not None and d.state == DocumentState.DRAFT:
            row.checks = checklist(case, t, dict(d.fields or {}), d)
            row.locked = decision_lock(d) or ""
        key = d.pk
        row.issue = given.get((key, "issue")) or Feedback(
            IssueForm(auto_id=f"issue-{d.public_id}-%s"))
        row.void = given.get((key, "void")) or Feedback(
            VoidForm(auto_id=f"void-{d.public_id}-%s"))
        if d.state == DocumentState.ISSUED:
            row.service = given.get((key, "service")) or Feedback(service_form(case, docs, d))
        # a refusal whose form the page does not draw for this user is said at the top
        drawn = {"issue": change and d.state == DocumentState.DRAFT,
                 "void": (change and d.state == DocumentState.DRAFT)
                 or (void_issued and d.state == DocumentState.ISSUED),
                 "service": change and d.state == DocumentState.ISSUED}
        row.alert = next((f.error for (pk, kind), f in given.items()
                          if pk == key and f.error and not drawn[kind]), "")
        by_type.setdefault(d.doc_type, []).append(row)
    types = types_of(case)
    # a document of a type the procedure no longer lists still shows, in its own stage
    types += [doctypes.BY_CODE[c] for c in by_type
              if c in doctypes.BY_CODE and doctypes.BY_CODE[c] not in types]
    groups: list[StageGroup] = []
    for stage in doctypes.STAGES:
        rows = [TypeRow(t=t, name=doctypes.type_name(t.code), docs=by_type.get(t.code, []))
                for t in types if t.stage == stage]
        if rows:
            groups.append(StageGroup(code=stage, label=str(doctypes.STAGE_LABELS[stage]),
                                     types=sorted(rows, key=lambda r: r.t.order)))
    context = {
        "case": case, "tab": "documents", "groups": groups, "may_change": change,
        "may_void_issued": void_issued, "document_count": len(docs),
        "issued_count": sum(1 for d in docs if d.state == DocumentState.ISSUED),
    }
    return render_page(request, "web/documents/case.html", context, status=status)


@require_safe
@staff_view(Perm.VIEW_CASES)
def documents_case(request: HttpRequest, public_id: Any) -> HttpResponse:
    return documents_page(request, _case(request, public_id))


# --- Drafting ---------------------------------------------------------------------------------
def _draft_page(request: HttpRequest, case: Case, t: DocType, form: DraftForm, *,
                doc: Document | None = None, values: dict[str, str] | None = None,
                status: int = 200) -> HttpResponse:
    current = values if values is not None else (
        form.raw_values() if form.is_bound else {n: str(form.initial.get(n, ""))
                                                 for n in form.fields})
    context = {
        "case": case, "tab": "documents", "t": t, "type_name": doctypes.type_name(t.code),
        "form": form, "doc": doc, "checks": checklist(case, t, current, doc),
        "check_url": reverse("web:document_check", kwargs={"public_id": case.public_id,
                                                           "doc_type": t.code}),
    }
    return render_page(request, "web/documents/draft.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(Perm.HANDLE_CASES)
def document_new(request: HttpRequest, public_id: Any, doc_type: str) -> HttpResponse:
    case = _case(request, public_id)
    t = _type(doc_type)
    if t not in types_of(case):
        raise Http404
    if not may_change(request.user, case):
        return _to_page(case)
    if request.method != "POST":
        form = DraftForm(initial=prefill(case, t.code), doc_type=t, auto_id="draft-%s")
        return _draft_page(request, case, t, form)
    form = DraftForm(request.POST, doc_type=t, auto_id="draft-%s")
    if not form.is_valid():
        return _draft_page(request, case, t, form, status=400)
    try:
        doc = document_draft(actor=request.user, case=case, doc_type=t.code,
                             fields=form.values())
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        refuse(form, exc)
        return _draft_page(request, case, t, form, status=exc.status)
    messages.success(request, _("The draft of “%(title)s” was saved.") % {"title": t.title})
    return _to_page(case, f"doc-{doc.public_id}")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(Perm.HANDLE_CASES)
def document_edit(request: HttpRequest, public_id: Any, doc_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    doc = _doc(request, case, doc_id)
    t = _type(doc.doc_type)
    if not may_change(request.user, case) or (doc.state != DocumentState.DRAFT
                                              and request.method != "POST"):
        return _to_page(case, f"doc-{doc.public_id}")  # the tab says why (issued, archived)
    if request.method != "POST":
        form = DraftForm(initial=dict(doc.fields or {}), doc_type=t, auto_id="draft-%s")
        return _draft_page(request, case, t, form, doc=doc)
    form = DraftForm(request.POST, doc_type=t, auto_id="draft-%s")
    if doc.state != DocumentState.DRAFT:
        # issued or voided since the form was opened (by a colleague, in another tab): the
        # form comes back with what was typed, which would otherwise be lost, and why it
        # cannot be saved (the service's own refusal, ``document_frozen``)
        form.is_valid()
        try:
            require_draft(doc)
        except ApplicationError as exc:
            refuse(form, exc)
            return _draft_page(request, case, t, form, doc=doc, status=exc.status)
    if not form.is_valid():
        return _draft_page(request, case, t, form, doc=doc, status=400)
    try:
        document_update(actor=request.user, document=doc, fields=form.values())
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        refuse(form, exc)
        return _draft_page(request, case, t, form, doc=doc, status=exc.status)
    messages.success(request, _("The draft of “%(title)s” was saved.") % {"title": t.title})
    return _to_page(case, f"doc-{doc.public_id}")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def document_check(request: HttpRequest, public_id: Any, doc_type: str) -> HttpResponse:
    """The element checklist for the values being typed (HTMX); writes nothing."""
    case = _case(request, public_id)
    t = _type(doc_type)
    form = DraftForm(request.POST, doc_type=t)
    checks = checklist(case, t, form.raw_values())
    return render_page(request, "web/documents/_checklist.html", {"checks": checks, "t": t})


# --- Preview and download ---------------------------------------------------------------------
@require_safe
@staff_view(Perm.VIEW_CASES)
def document_preview_view(request: HttpRequest, public_id: Any, doc_id: Any,
                          fmt: str) -> HttpResponse:
    case = _case(request, public_id)
    doc = _doc(request, case, doc_id)
    if fmt not in FORMATS:
        raise Http404
    try:
        data = document_preview(actor=request.user, document=doc,
                                fmt=cast(Literal["pdf", "docx"], fmt))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _to_page(case, f"doc-{doc.public_id}")
    response = HttpResponse(data, content_type=FORMATS[fmt])
    title = doctypes.BY_CODE[doc.doc_type].title if doc.doc_type in doctypes.BY_CODE else ""
    disposition = content_disposition_header(fmt == "docx", f"{_('Draft')}-{title}.{fmt}")
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@staff_view(Perm.VIEW_CASES)
def document_download_view(request: HttpRequest, public_id: Any, doc_id: Any,
                           fmt: str) -> HttpResponse:
    """The stored DOCX or PDF of an issued (or voided) document, as it was issued; every
    download is recorded on the case's ledger."""
    case = _case(request, public_id)
    doc = _doc(request, case, doc_id)
    blob = doc.pdf if fmt == "pdf" else doc.docx if fmt == "docx" else None
    if blob is None or blob.state != BlobState.PRESENT:
        raise Http404
    title = doctypes.BY_CODE[doc.doc_type].title if doc.doc_type in doctypes.BY_CODE else ""
    if request.method == "GET" and request.headers.get("Range", "bytes=0-").startswith(
            "bytes=0-"):
        # a whole read (not the continuation of a ranged one) is a download on the record
        document_download_record(actor=request.user, document=doc,
                                 fmt=cast(Literal["pdf", "docx"], fmt))
    response = blob_response(request, blob=blob, content_type=FORMATS[fmt],
                             filename=f"{title}{doc.number}.{fmt}", download=True)
    return cast(HttpResponse, response)


# --- Issue, void, service ---------------------------------------------------------------------
@require_POST
@staff_view(Perm.HANDLE_CASES)
def document_issue_view(request: HttpRequest, public_id: Any, doc_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    doc = _doc(request, case, doc_id)
    form = IssueForm(request.POST, auto_id=f"issue-{doc.public_id}-%s")
    if not form.is_valid():
        return documents_page(request, case, feedback={(doc.pk, "issue"): Feedback(form)},
                              status=400)
    try:
        issued = document_issue(actor=request.user, document=doc,
                                issued_on=form.cleaned_data.get("issued_on"))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        case.refresh_from_db()
        return documents_page(request, case, status=exc.status,
                              feedback={(doc.pk, "issue"): Feedback(form, exc.message)})
    messages.success(request, _("“%(title)s” was issued as %(number)s.")
                     % {"title": doctypes.BY_CODE[issued.doc_type].title,
                        "number": issued.number})
    return _to_page(case, f"doc-{doc.public_id}")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def document_void_view(request: HttpRequest, public_id: Any, doc_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    doc = _doc(request, case, doc_id)
    form = VoidForm(request.POST, auto_id=f"void-{doc.public_id}-%s")
    if not form.is_valid():
        return documents_page(request, case, feedback={(doc.pk, "void"): Feedback(form)},
                              status=400)
    try:
        document_void(actor=request.user, document=doc, reason=form.cleaned_data["reason"])
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        return documents_page(request, case, status=exc.status,
                              feedback={(doc.pk, "void"): Feedback(form, exc.message)})
    messages.success(request, _("The document was voided."))
    return _to_page(case, f"doc-{doc.public_id}")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def document_service_view(request: HttpRequest, public_id: Any, doc_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    doc = _doc(request, case, doc_id)
    docs = list(documents_for_case(request.user, case))
    form = service_form(case, docs, doc, request.POST)
    if not form.is_valid():
        return documents_page(request, case, status=400,
                              feedback={(doc.pk, "service"): Feedback(form)})
    try:
        service_record(actor=request.user, document=doc, **form.service_fields())
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        refuse(form, exc)
        return documents_page(request, case, status=exc.status,
                              feedback={(doc.pk, "service"): Feedback(form)})
    messages.success(request, _("The service of the document was recorded."))
    return _to_page(case, f"doc-{doc.public_id}")


urlpatterns: list[URLPattern] = [
    path("cases/<uuid:public_id>/documents/", documents_case, name="documents_case"),
    path("cases/<uuid:public_id>/documents/new/<slug:doc_type>/", document_new,
         name="document_new"),
    path("cases/<uuid:public_id>/documents/check/<slug:doc_type>/", document_check,
         name="document_check"),
    path("cases/<uuid:public_id>/documents/<uuid:doc_id>/edit/", document_edit,
         name="document_edit"),
    path("cases/<uuid:public_id>/documents/<uuid:doc_id>/preview.<slug:fmt>",
         document_preview_view, name="document_preview"),
    path("cases/<uuid:public_id>/documents/<uuid:doc_id>/download.<slug:fmt>",
         document_download_view, name="document_download"),
    path("cases/<uuid:public_id>/documents/<uuid:doc_id>/issue/", document_issue_view,
         name="document_issue"),
    path("cases/<uuid:public_id>/documents/<uuid:doc_id>/void/", document_void_view,
         name="document_void"),
    path("cases/<uuid:public_id>/documents/<uuid:doc_id>/service/", document_service_view,
         name="document_service"),
]
