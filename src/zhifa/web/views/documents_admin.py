"""The document settings of an enforcement body: its templates (``/documents/templates/``)
and its numbers, form serials and profile (``/documents/settings/``).

Templates: for every document type, the versions by scope (the platform's system default,
the province's common format filed with the provincial justice department, the body's own),
each with its state, filing (备案), time in force and uploader; uploading a DOCX (refused with
the template's problems listed), filing, activating, retiring, downloading a version; and the
placeholders a template of the type may use. Settings: the body's pattern of numbers per
type with the next number and a live example of a pattern being typed, its books of
pre-numbered forms (used / voided / free) and voiding a spoiled form, and the document
profile (address, remedy channels, payment instructions) that prefills drafts.

Who may change what is the services' rule (``documents.services._access.may_manage``); the
pages show each form only to those it would accept. A system administrator, who belongs to
no body, chooses the body (``?body=<public id>``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from zhifa.core.errors import ApplicationError, NotFound
from zhifa.documents import doctypes
from zhifa.documents.doctypes import DocType
from zhifa.documents.models import (
    DocumentTemplate,
    SerialBook,
    SerialState,
    TemplateScope,
    TemplateState,
)
from zhifa.documents.selectors import templates_visible
from zhifa.documents.services import (
    number_pattern,
    number_peek,
    pattern_save,
    profile_get,
    profile_save,
    serial_book_register,
    serial_void,
    template_activate,
    template_file,
    template_retire,
    template_upload,
)
from zhifa.documents.services._access import may_manage
from zhifa.documents.services.numbering import number_example, numbered, pattern_problems
from zhifa.documents.services.templates import province_of
from zhifa.evidence.http import blob_response
from zhifa.orgs.models import EnforcementBody, Region
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies

from ..document_forms import (
    FilingForm,
    PatternForm,
    ProfileForm,
    RetireForm,
    SerialBookForm,
    SerialVoidForm,
    TemplateUploadForm,
    profile_initial,
    refuse,
)
from .common import render_page, staff_view

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Feedback:
    form: Any
    error: str = ""


@dataclass
class VersionRow:
    t: DocumentTemplate
    owner: str
    may_manage: bool
    filing: Feedback | None = None
    retire: Feedback | None = None


@dataclass
class TypeTemplates:
    t: DocType
    name: str
    versions: list[VersionRow]
    effective: DocumentTemplate | None  # in force for the body, or None: the system default
    placeholders: list[tuple[str, str]] = field(default_factory=list)


# --- The body a page is about -----------------------------------------------------------------
def own_body(user: Any) -> EnforcementBody | None:
    return user.person.body if getattr(user, "person_id", None) else None


def page_body(request: HttpRequest) -> EnforcementBody | None:
    """The user's own body; for a system administrator (no body), the one chosen with
    ``body`` (GET or POST), or None when none is chosen."""
    body = own_body(request.user)
    if body is not None:
        return body
    key = request.POST.get("body") or request.GET.get("body") or ""
    if not key:
        return None
    try:
        return visible_bodies(request.user).get(public_id=key)
    except (EnforcementBody.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _with_body(url: str, request: HttpRequest, body: EnforcementBody | None) -> str:
    if body is not None and own_body(request.user) is None:
        return f"{url}?body={body.public_id}"
    return url


def _body_choices(request: HttpRequest) -> list[EnforcementBody]:
    if own_body(request.user) is not None:
        return []
    return list(visible_bodies(request.user).order_by("name"))


# --- Templates --------------------------------------------------------------------------------
def _scopes(user: Any, body: EnforcementBody | None) -> list[str]:
    """The scopes the user may upload to."""
    scopes = []
    if (body is not None and may_manage(user, body)) or Perm.ADMINISTER_SYSTEM in perms_of(user):
        scopes.append(TemplateScope.BODY.value)
    if Perm.ADMINISTER_SYSTEM in perms_of(user):
        scopes += [TemplateScope.PROVINCE.value, TemplateScope.SYSTEM.value]
    return scopes


def _province_of(body: EnforcementBody | None) -> Region | None:
    return province_of(body.region) if body is not None else None


def _owner(t: DocumentTemplate) -> str:
    if t.scope == TemplateScope.BODY and t.body is not None:
        return t.body.name
    if t.scope == TemplateScope.PROVINCE and t.region is not None:
        return t.region.name
    return str(TemplateScope.SYSTEM.label)


def _may_manage_template(user: Any, t: DocumentTemplate) -> bool:
    return may_manage(user, t.body if t.scope == TemplateScope.BODY else None)


def templates_page(request: HttpRequest, *, upload: TemplateUploadForm | None = None,
                   feedback: dict[tuple[int, str], Feedback] | None = None,
                   status: int = 200) -> HttpResponse:
    user = request.user
    body = page_body(request)
    province = _province_of(body)
    rows = list(templates_visible(user).select_related("body", "region", "uploaded_by__person",
                                                      "blob"))
    given = feedback or {}
    by_type: dict[str, list[VersionRow]] = {}
    for t in rows:
        row = VersionRow(t=t, owner=_owner(t), may_manage=_may_manage_template(user, t))
        row.filing = given.get((t.pk, "file")) or Feedback(
            FilingForm(auto_id=f"file-{t.public_id}-%s"))
        row.retire = given.get((t.pk, "retire")) or Feedback(
            RetireForm(auto_id=f"retire-{t.public_id}-%s"))
        by_type.setdefault(t.doc_type, []).append(row)
    scope_order = {"body": 0, "province": 1, "system": 2}
    types: list[TypeTemplates] = []
    for dt_ in sorted(doctypes.TYPES, key=lambda x: (doctypes.STAGES.index(x.stage), x.order)):
        versions = sorted(by_type.get(dt_.code, []),
                          key=lambda r: (scope_order.get(r.t.scope, 3), r.owner, -r.t.version))
        in_force = [r.t for r in versions if r.t.state == TemplateState.IN_FORCE]
        # what the body's new documents of the type use: its own, its province's, the system's
        effective = (next((t for t in in_force if t.scope == TemplateScope.BODY
                           and body is not None and t.body_id == body.pk), None)
                     or next((t for t in in_force if t.scope == TemplateScope.PROVINCE
                              and province is not None and t.region_id == province.pk), None)
                     or next((t for t in in_force if t.scope == TemplateScope.SYSTEM), None))
        labels = {**doctypes.COMMON, **{f.name: f.label for f in dt_.fields}}
        types.append(TypeTemplates(
            t=dt_, name=doctypes.type_name(dt_.code), versions=versions, effective=effective,
            placeholders=[(p, str(labels.get(p, ""))) for p in doctypes.placeholders(dt_)]))
    scopes = _scopes(user, body)
    bodies = _body_choices(request)
    if upload is None and scopes:
        upload = TemplateUploadForm(scopes=scopes, bodies=bodies or None, auto_id="upload-%s",
                                    initial={"body": str(body.public_id) if body else "",
                                             "region": province.code if province else ""})
    context = {"types": types, "body": body, "upload": upload, "bodies": bodies,
               "may_upload": bool(scopes), "status_labels": dict(TemplateState.choices)}
    return render_page(request, "web/documents/templates.html", context, status=status)


@require_safe
@staff_view(Perm.VIEW_CATALOG)
def document_templates(request: HttpRequest) -> HttpResponse:
    return templates_page(request)


def _to_templates(request: HttpRequest, anchor: str = "") -> HttpResponse:
    url = _with_body(reverse("web:document_templates"), request, page_body(request))
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _template(public_id: Any, user: Any) -> DocumentTemplate:
    t = templates_visible(user).filter(public_id=public_id).first()
    if t is None:
        raise Http404
    return t


@require_POST
@staff_view(Perm.VIEW_CATALOG)
def template_upload_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    body = page_body(request)
    scopes = _scopes(user, body)
    if not scopes:
        raise PermissionDenied
    bodies = _body_choices(request)
    form = TemplateUploadForm(request.POST, request.FILES, scopes=scopes, bodies=bodies or None,
                              auto_id="upload-%s")
    if not form.is_valid():
        return templates_page(request, upload=form, status=400)
    data = form.cleaned_data
    scope = data["scope"]
    target = body
    if "body" in form.fields and data.get("body"):
        target = next((b for b in bodies if str(b.public_id) == data["body"]), None)
    region = None
    if scope == TemplateScope.PROVINCE:
        region = Region.objects.filter(code=data.get("region") or "").first()
        if region is None:
            form.add_error("region", _("Choose the province."))
            return templates_page(request, upload=form, status=400)
    if scope == TemplateScope.BODY and target is None:
        form.add_error("body" if "body" in form.fields else None,
                       _("Choose the enforcement body."))
        return templates_page(request, upload=form, status=400)
    try:
        t = template_upload(actor=user, doc_type=data["doc_type"], scope=scope,
                            data=data["file"].read(), name=data["name"],
                            body=target if scope == TemplateScope.BODY else None,
                            region=region, note=data.get("note", ""))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        refuse(form, exc)
        return templates_page(request, upload=form, status=exc.status)
    messages.success(request, _("Version %(version)s of the template was uploaded. File it and "
                                "put it in force when it is ready.") % {"version": t.version})
    return _to_templates(request, f"template-{t.public_id}")


@require_POST
@staff_view(Perm.VIEW_CATALOG)
def template_file_view(request: HttpRequest, template_id: Any) -> HttpResponse:
    t = _template(template_id, request.user)
    form = FilingForm(request.POST, auto_id=f"file-{t.public_id}-%s")
    if not form.is_valid():
        return templates_page(request, feedback={(t.pk, "file"): Feedback(form)}, status=400)
    try:
        template_file(actor=request.user, template=t, **form.cleaned_data)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        refuse(form, exc)
        return templates_page(request, feedback={(t.pk, "file"): Feedback(form)},
                              status=exc.status)
    messages.success(request, _("The filing was recorded."))
    return _to_templates(request, f"template-{t.public_id}")


@require_POST
@staff_view(Perm.VIEW_CATALOG)
def template_activate_view(request: HttpRequest, template_id: Any) -> HttpResponse:
    t = _template(template_id, request.user)
    try:
        template_activate(actor=request.user, template=t)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _to_templates(request, f"template-{t.public_id}")
    messages.success(request, _("Version %(version)s is now in force.") % {"version": t.version})
    return _to_templates(request, f"template-{t.public_id}")


@require_POST
@staff_view(Perm.VIEW_CATALOG)
def template_retire_view(request: HttpRequest, template_id: Any) -> HttpResponse:
    t = _template(template_id, request.user)
    form = RetireForm(request.POST, auto_id=f"retire-{t.public_id}-%s")
    if not form.is_valid():
        return templates_page(request, feedback={(t.pk, "retire"): Feedback(form)}, status=400)
    try:
        template_retire(actor=request.user, template=t, reason=form.cleaned_data["reason"])
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        return templates_page(request, status=exc.status,
                              feedback={(t.pk, "retire"): Feedback(form, exc.message)})
    messages.success(request, _("Version %(version)s was retired.") % {"version": t.version})
    return _to_templates(request, f"template-{t.public_id}")


@require_safe
@staff_view(Perm.VIEW_CATALOG)
def template_download(request: HttpRequest, template_id: Any) -> HttpResponse:
    t = _template(template_id, request.user)
    response = blob_response(request, blob=t.blob, content_type=DOCX, download=True,
                             filename=f"{doctypes.doctype(t.doc_type).title}-v{t.version}.docx")
    return cast(HttpResponse, response)


# --- Numbers, serials, profile ----------------------------------------------------------------
@dataclass
class PatternRow:
    t: DocType
    name: str
    pattern: str
    next_number: str
    form: PatternForm
    example: str = ""
    problems: list[str] = field(default_factory=list)


@dataclass
class BookRow:
    book: SerialBook
    size: int
    used: int
    voided: int

    @property
    def free(self) -> int:
        return self.size - self.used - self.voided


def settings_page(request: HttpRequest, *, pattern: tuple[str, PatternForm] | None = None,
                  book_form: SerialBookForm | None = None,
                  void_form: SerialVoidForm | None = None,
                  profile_form: ProfileForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    body = page_body(request)
    context: dict[str, Any] = {"body": body, "bodies": _body_choices(request)}
    if body is None:
        return render_page(request, "web/documents/settings.html", context, status=status)
    if not may_manage(user, body):
        raise Http404
    year = timezone.localdate().year
    rows: list[PatternRow] = []
    for t in doctypes.TYPES:
        if not numbered(t.code):
            continue
        current = number_pattern(body, t.code)
        if pattern is not None and pattern[0] == t.code:
            form = pattern[1]
            typed = str(form.data.get(form.add_prefix("pattern"), "")).strip()
        else:
            form, typed = PatternForm(initial={"pattern": current}, prefix=t.code), current
        problems = pattern_problems(typed)
        rows.append(PatternRow(t=t, name=doctypes.type_name(t.code), pattern=current,
                               next_number=number_peek(body, t.code, year), form=form,
                               example="" if problems else number_example(body, t.code, typed),
                               problems=[] if form.errors else problems))
    books = (SerialBook.objects.filter(body=body).select_related("holder")
             .annotate(n_used=Count("uses", filter=Q(uses__state=SerialState.USED)),
                       n_voided=Count("uses", filter=Q(uses__state=SerialState.VOIDED)))
             .order_by("prefix", "first"))
    context.update({
        "patterns": rows, "year": year,
        "books": [BookRow(book=b, size=b.last - b.first + 1, used=b.n_used,
                          voided=b.n_voided) for b in books],
        "book_form": book_form or SerialBookForm(body=body, auto_id="book-%s",
                                                 initial={"width": 8,
                                                          "received_on": timezone.localdate()}),
        "void_form": void_form or SerialVoidForm(auto_id="serial-void-%s"),
        "profile_form": profile_form or ProfileForm(initial=profile_initial(profile_get(body)),
                                                    auto_id="profile-%s"),
        "body_query": f"?body={body.public_id}" if own_body(user) is None else "",
    })
    return render_page(request, "web/documents/settings.html", context, status=status)


@require_safe
@staff_view(Perm.MANAGE_DOCUMENTS)
def document_settings(request: HttpRequest) -> HttpResponse:
    return settings_page(request)


def _settings_body(request: HttpRequest) -> EnforcementBody:
    body = page_body(request)
    if body is None or not may_manage(request.user, body):
        raise Http404
    return body


def _to_settings(request: HttpRequest, body: EnforcementBody, anchor: str) -> HttpResponse:
    return redirect(_with_body(reverse("web:document_settings"), request, body) + f"#{anchor}")


@require_POST
@staff_view(Perm.MANAGE_DOCUMENTS)
def pattern_save_view(request: HttpRequest, doc_type: str) -> HttpResponse:
    body = _settings_body(request)
    if doc_type not in doctypes.BY_CODE or not numbered(doc_type):
        raise Http404
    form = PatternForm(request.POST, prefix=doc_type)
    if not form.is_valid():
        return settings_page(request, pattern=(doc_type, form), status=400)
    try:
        pattern_save(actor=request.user, body=body, doc_type=doc_type,
                     pattern=form.cleaned_data["pattern"])
    except ApplicationError as exc:
        refuse(form, exc)
        return settings_page(request, pattern=(doc_type, form), status=exc.status)
    messages.success(request, _("The number pattern of “%(title)s” was saved.")
                     % {"title": doctypes.doctype(doc_type).title})
    return _to_settings(request, body, f"pattern-{doc_type}")


@require_POST
@staff_view(Perm.MANAGE_DOCUMENTS)
def pattern_example_view(request: HttpRequest, doc_type: str) -> HttpResponse:
    """The number a typed pattern gives (HTMX, as the pattern is typed); writes nothing."""
    body = _settings_body(request)
    if doc_type not in doctypes.BY_CODE or not numbered(doc_type):
        raise Http404
    text = (request.POST.get(f"{doc_type}-pattern") or "").strip()
    problems = pattern_problems(text)
    example = "" if problems else number_example(body, doc_type, text)
    return render_page(request, "web/documents/_pattern_example.html",
                       {"code": doc_type, "example": example, "problems": problems})


@require_POST
@staff_view(Perm.MANAGE_DOCUMENTS)
def serial_book_register_view(request: HttpRequest) -> HttpResponse:
    body = _settings_body(request)
    form = SerialBookForm(request.POST, body=body, auto_id="book-%s")
    if not form.is_valid():
        return settings_page(request, book_form=form, status=400)
    try:
        book = serial_book_register(actor=request.user, body=body, **form.service_fields())
    except ApplicationError as exc:
        refuse(form, exc)
        return settings_page(request, book_form=form, status=exc.status)
    messages.success(request, _("The book of forms %(book)s was registered.") % {"book": book})
    return _to_settings(request, body, "serial-books")


@require_POST
@staff_view(Perm.MANAGE_DOCUMENTS)
def serial_void_view(request: HttpRequest) -> HttpResponse:
    body = _settings_body(request)
    form = SerialVoidForm(request.POST, auto_id="serial-void-%s")
    if not form.is_valid():
        return settings_page(request, void_form=form, status=400)
    try:
        use = serial_void(actor=request.user, body=body, **form.cleaned_data)
    except ApplicationError as exc:
        refuse(form, exc)
        return settings_page(request, void_form=form, status=exc.status)
    messages.success(request, _("Form %(serial)s was voided.") % {"serial": use.serial})
    return _to_settings(request, body, "serial-books")


@require_POST
@staff_view(Perm.MANAGE_DOCUMENTS)
def profile_save_view(request: HttpRequest) -> HttpResponse:
    body = _settings_body(request)
    form = ProfileForm(request.POST, auto_id="profile-%s")
    if not form.is_valid():
        return settings_page(request, profile_form=form, status=400)
    try:
        profile_save(actor=request.user, body=body, **form.cleaned_data)
    except ApplicationError as exc:
        refuse(form, exc)
        return settings_page(request, profile_form=form, status=exc.status)
    messages.success(request, _("The document profile was saved."))
    return _to_settings(request, body, "profile")


urlpatterns: list[URLPattern] = [
    path("documents/templates/", document_templates, name="document_templates"),
    path("documents/templates/upload/", template_upload_view, name="document_template_upload"),
    path("documents/templates/<uuid:template_id>/file/", template_file_view,
         name="document_template_file"),
    path("documents/templates/<uuid:template_id>/activate/", template_activate_view,
         name="document_template_activate"),
    path("documents/templates/<uuid:template_id>/retire/", template_retire_view,
         name="document_template_retire"),
    path("documents/templates/<uuid:template_id>/download/", template_download,
         name="document_template_download"),
    path("documents/settings/", document_settings, name="document_settings"),
    path("documents/settings/patterns/<slug:doc_type>/", pattern_save_view,
         name="document_pattern_save"),
    path("documents/settings/patterns/<slug:doc_type>/example/", pattern_example_view,
         name="document_pattern_example"),
    path("documents/settings/serials/", serial_book_register_view,
         name="document_serial_book_register"),
    path("documents/settings/serials/void/", serial_void_view, name="document_serial_void"),
    path("documents/settings/profile/", profile_save_view, name="document_profile_save"),
]
