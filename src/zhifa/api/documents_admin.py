"""The settings behind documents: template versions (system default, a province's filed common
format, a body's own) and their filing (备案), a body's number patterns (文号), its books of
pre-numbered forms (summary decisions) and its document profile.

Changes go through ``zhifa.documents.services`` and need ``manage_documents`` (heads and body
administrators of the body; system administrators everywhere): province and system templates
need ``administer_system``. Each writes its ledger entry on the ``documents.config`` stream;
a refusal changes nothing. Reads are open to those who work with documents (``view_cases``
or ``manage_documents``) within their scope; a body or template outside it is 404.

Error codes: 403 ``missing_manage_documents``, ``missing_administer_system``,
``missing_view_cases``, ``body_out_of_scope``; 404 ``body_not_found``, ``template_not_found``,
``region_not_found``; 400 ``invalid_fields`` (detail: field -> message), ``template_invalid``
(detail: the problems), ``template_not_docx``, ``template_syntax``, ``template_too_large``,
``template_owner_missing``, ``doc_type_unknown``, ``pattern_invalid`` (detail: the problems),
``filing_incomplete``, ``filing_date_future``, ``field_unknown``, ``reason_required``; 409
``template_in_force``, ``template_retired``, ``serial_book_overlap``, ``serial_unknown``,
``serial_used``; 410 ``template_file_missing``; 422 ``invalid_payload``.
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.documents import doctypes
from zhifa.documents.models import (
    DocumentProfile,
    DocumentTemplate,
    NumberPattern,
    SerialBook,
    SerialState,
    SerialUse,
    TemplateScope,
)
from zhifa.documents.selectors import serial_books_visible, template_get, templates_visible
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
from zhifa.evidence.models import BlobState
from zhifa.evidence.storage import storage_named
from zhifa.ledger.services import actor_label
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of, require_perm
from zhifa.orgs.selectors import body_get_for_user, region_get_by_code, visible_people

from .common import DENIED, DENIED_OR_MISSING, REJECTED, ErrorOut, paginated, today
from .documents import MIME
from .documents_schemas import (
    NumberPatternOut,
    PatternIn,
    ProfileIn,
    ProfileOut,
    SerialBookIn,
    SerialBookOut,
    SerialUseOut,
    SerialVoidIn,
    TemplateFilingIn,
    TemplateListIn,
    TemplateOut,
    TemplateRetireIn,
)

router = Router(tags=["documents"])


def _require_read(user: Any) -> None:
    if not perms_of(user) & {Perm.VIEW_CASES, Perm.MANAGE_DOCUMENTS}:
        require_perm(user, Perm.VIEW_CASES)


def _body_ref(body: EnforcementBody) -> dict[str, Any]:
    return {"public_id": body.public_id, "name": body.name}


# -- templates ------------------------------------------------------------------------------

def _templates(user: Any) -> QuerySet[DocumentTemplate]:
    return templates_visible(user).select_related("uploaded_by__person")


@router.get("/document-templates", response={200: list[TemplateOut], **DENIED},
            operation_id="templates_visible",
            summary="Template versions in scope: the system's, the province's, the body's",
            description="By type, scope and newest version first.")
@paginated
def templates_list(request: HttpRequest, filters: Query[TemplateListIn]) -> Any:
    _require_read(request.user)
    qs = _templates(request.user)
    if filters.doc_type:
        qs = qs.filter(doc_type=filters.doc_type)
    if filters.scope:
        qs = qs.filter(scope=filters.scope)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return qs.order_by("doc_type", "scope", "-version", "id")


class TemplateUploadIn(Schema):
    doc_type: str
    scope: TemplateScope
    name: str
    body: str | None = None  # public id; scope body (default: the user's body)
    region: str | None = None  # region code of the province; scope province
    note: str = ""


@router.post("/document-templates",
             response={201: TemplateOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="template_upload",
             summary="Upload a new template version (multipart: `file` and the fields)",
             description="A DOCX with the type's placeholders (`{{ 当事人 }}`…). It is "
                         "checked before it is kept: unknown placeholders and missing "
                         "statutory elements are refused as template_invalid with the "
                         "problems in `detail`. The version is the owner's next; it is not "
                         "in force until activated. Scope `body` (the user's body unless "
                         "`body` names another in scope), `province` (`region`: the "
                         "province's code) or `system`.")
def template_upload_post(request: HttpRequest, payload: Form[TemplateUploadIn],
                         file: File[UploadedFile]) -> Any:
    user = request.user
    require_perm(user, Perm.MANAGE_DOCUMENTS)
    body = region = None
    if payload.scope == TemplateScope.BODY:
        if payload.body:
            body = body_get_for_user(user=user, public_id=payload.body)
        elif getattr(user, "person_id", None):
            body = user.person.body  # type: ignore[union-attr]
    elif payload.scope == TemplateScope.PROVINCE and payload.region:
        region = region_get_by_code(code=payload.region)
    limit = settings.ZHIFA_TEMPLATE_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise InvalidInput(_("The template is larger than %(mb)s MB.")
                           % {"mb": limit // 1024 ** 2}, code="template_too_large")
    data = file.read()
    template = template_upload(actor=user, doc_type=payload.doc_type, scope=payload.scope,
                               data=data, name=payload.name, body=body, region=region,
                               note=payload.note)
    return Status(201, template_get(user, template.public_id))


@router.post("/document-templates/{public_id}/filing",
             response={200: TemplateOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="template_file",
             summary="Record the filing (备案) of a template version",
             description="The filing number, the office it was filed with (a province's "
                         "common format: the provincial justice department) and the date.")
def template_filing_post(request: HttpRequest, public_id: str,
                         payload: TemplateFilingIn) -> Any:
    require_perm(request.user, Perm.MANAGE_DOCUMENTS)
    template = template_get(request.user, public_id)
    template_file(actor=request.user, template=template, filing_number=payload.filing_number,
                  filed_with=payload.filed_with, filed_on=payload.filed_on)
    return template_get(request.user, public_id)


@router.post("/document-templates/{public_id}/activate",
             response={200: TemplateOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="template_activate",
             summary="Put a template version in force",
             description="The owner's version in force until now is retired; documents "
                         "drafted from now on use this one, those already made keep theirs.")
def template_activate_post(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.MANAGE_DOCUMENTS)
    template = template_get(request.user, public_id)
    template_activate(actor=request.user, template=template)
    return template_get(request.user, public_id)


@router.post("/document-templates/{public_id}/retire",
             response={200: TemplateOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="template_retire", summary="Retire a template version")
def template_retire_post(request: HttpRequest, public_id: str,
                         payload: TemplateRetireIn) -> Any:
    require_perm(request.user, Perm.MANAGE_DOCUMENTS)
    template = template_get(request.user, public_id)
    template_retire(actor=request.user, template=template, reason=payload.reason)
    return template_get(request.user, public_id)


@router.get("/document-templates/{public_id}/docx",
            response={200: None, **DENIED_OR_MISSING, 410: ErrorOut},
            operation_id="template_download", summary="Download a template version (DOCX)")
def template_download(request: HttpRequest, public_id: str) -> Any:
    _require_read(request.user)
    template = template_get(request.user, public_id)
    blob = template.blob
    if blob.state != BlobState.PRESENT:
        raise ApplicationError(_("The stored file is no longer available."),
                               code="template_file_missing", status=410)
    response = StreamingHttpResponse(storage_named(blob.storage).iter_range(blob.key),
                                     content_type=MIME["docx"])
    response["Content-Length"] = str(blob.size)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{template.doc_type}-v{template.version}.docx")
    return response


# -- number patterns ------------------------------------------------------------------------

def _numbered_types() -> list[doctypes.DocType]:
    return [t for t in doctypes.TYPES if t.number_word is not None and not t.serial]


def pattern_out(body: EnforcementBody, t: doctypes.DocType,
                custom: set[str]) -> dict[str, Any]:
    return {"doc_type": t.code, "type_name": doctypes.type_name(t.code),
            "number_word": t.number_word, "pattern": number_pattern(body, t.code),
            "custom": t.code in custom,
            "next_number": number_peek(body, t.code, today().year)}


def _custom(body: EnforcementBody) -> set[str]:
    return set(NumberPattern.objects.filter(body=body).values_list("doc_type", flat=True))


@router.get("/bodies/{public_id}/document-number-patterns",
            response={200: list[NumberPatternOut], **DENIED_OR_MISSING},
            operation_id="number_pattern",
            summary="The body's number pattern (文号) of each numbered document type",
            description="With the number the next document of the type would get this "
                        "year (not reserved).")
def patterns_list(request: HttpRequest, public_id: str) -> Any:
    _require_read(request.user)
    body = body_get_for_user(user=request.user, public_id=public_id)
    custom = _custom(body)
    return [pattern_out(body, t, custom) for t in _numbered_types()]


@router.put("/bodies/{public_id}/document-number-patterns/{doc_type}",
            response={200: NumberPatternOut, **DENIED_OR_MISSING, **REJECTED},
            operation_id="pattern_save", summary="Set the body's number pattern of a type",
            description="E.g. `{机关简称}{字}〔{年}〕{序号}号`. 400 pattern_invalid (no "
                        "{序号}, an unknown field or format), doc_type_unknown.")
def pattern_put(request: HttpRequest, public_id: str, doc_type: str, payload: PatternIn) -> Any:
    require_perm(request.user, Perm.MANAGE_DOCUMENTS)
    body = body_get_for_user(user=request.user, public_id=public_id)
    pattern_save(actor=request.user, body=body, doc_type=doc_type, pattern=payload.pattern)
    return pattern_out(body, doctypes.doctype(doc_type), _custom(body))


# -- serial books ---------------------------------------------------------------------------

def serial_book_out(book: SerialBook) -> dict[str, Any]:
    counts = {state: 0 for state in SerialState.values}
    for state in book.uses.values_list("state", flat=True):
        counts[state] += 1
    holder = book.holder
    return {
        "public_id": book.public_id, "body": _body_ref(book.body), "doc_type": book.doc_type,
        "prefix": book.prefix, "first": book.first, "last": book.last, "width": book.width,
        "first_serial": book.serial(book.first), "last_serial": book.serial(book.last),
        "holder": ({"public_id": holder.public_id, "name": holder.name}
                   if holder is not None else None),
        "received_on": book.received_on, "note": book.note,
        "used": counts[SerialState.USED], "voided": counts[SerialState.VOIDED],
        "ledger_seq": book.ledger_seq,
    }


@router.get("/bodies/{public_id}/document-serial-books",
            response={200: list[SerialBookOut], **DENIED_OR_MISSING},
            operation_id="serial_books_visible",
            summary="The body's books of pre-numbered forms, with the serials used and voided")
def serial_books_list(request: HttpRequest, public_id: str) -> Any:
    _require_read(request.user)
    body = body_get_for_user(user=request.user, public_id=public_id)
    books = serial_books_visible(request.user).filter(body=body).order_by("prefix", "first",
                                                                          "id")
    return [serial_book_out(b) for b in books]


@router.post("/bodies/{public_id}/document-serial-books",
             response={201: SerialBookOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="serial_book_register",
             summary="Register a book of pre-numbered forms received by the body",
             description="Serials `prefix` + first…last, zero-padded to `width` digits; no "
                         "overlap with another book of the same prefix (409 "
                         "serial_book_overlap).")
def serial_book_post(request: HttpRequest, public_id: str, payload: SerialBookIn) -> Any:
    require_perm(request.user, Perm.MANAGE_DOCUMENTS)
    body = body_get_for_user(user=request.user, public_id=public_id)
    holder = None
    if payload.holder is not None:
        holder = visible_people(request.user).filter(public_id=payload.holder).first()
        if holder is None:
            raise InvalidInput(_("Please correct the highlighted fields."),
                               code="invalid_fields", detail={"holder": _("Unknown person.")})
    book = serial_book_register(
        actor=request.user, body=body, first=payload.first, last=payload.last,
        received_on=payload.received_on, prefix=payload.prefix, width=payload.width,
        holder=holder, note=payload.note)
    return Status(201, serial_book_out(
        SerialBook.objects.select_related("body", "holder").get(pk=book.pk)))


def serial_use_out(use: SerialUse) -> dict[str, Any]:
    case = use.case
    return {"serial": use.serial, "state": use.state, "book": use.book.public_id,
            "case": ({"public_id": case.public_id, "number": case.number}
                     if case is not None else None),
            "reason": use.reason, "at": use.at,
            "by": actor_label(use.by) if use.by is not None else None,
            "ledger_seq": use.ledger_seq}


@router.post("/bodies/{public_id}/document-serials/void",
             response={201: SerialUseOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="serial_void",
             summary="Void a spoiled form: its serial is never used",
             description="400 serial_unknown (in no book of the body), reason_required; 409 "
                         "serial_used (already used or voided).")
def serial_void_post(request: HttpRequest, public_id: str, payload: SerialVoidIn) -> Any:
    require_perm(request.user, Perm.MANAGE_DOCUMENTS)
    body = body_get_for_user(user=request.user, public_id=public_id)
    use = serial_void(actor=request.user, body=body, serial=payload.serial,
                      reason=payload.reason)
    return Status(201, serial_use_out(
        SerialUse.objects.select_related("book", "case", "by__person").get(pk=use.pk)))


# -- profile --------------------------------------------------------------------------------

PROFILE_FIELDS = ("address", "phone", "reconsideration_body", "reconsideration_period",
                  "court", "litigation_period", "statement_period", "payment_instructions")


def profile_out(body: EnforcementBody, profile: DocumentProfile) -> dict[str, Any]:
    return {"body": _body_ref(body), "saved": profile.pk is not None,
            **{name: getattr(profile, name) for name in PROFILE_FIELDS},
            "ledger_seq": profile.ledger_seq}


@router.get("/bodies/{public_id}/document-profile",
            response={200: ProfileOut, **DENIED_OR_MISSING},
            operation_id="profile_get",
            summary="What the body's documents print besides the case",
            description="Address, phone, remedy channels and periods, payment instructions: "
                        "they prefill new drafts. The defaults until saved (`saved`: false).")
def profile_detail(request: HttpRequest, public_id: str) -> Any:
    _require_read(request.user)
    body = body_get_for_user(user=request.user, public_id=public_id)
    return profile_out(body, profile_get(body))


@router.put("/bodies/{public_id}/document-profile",
            response={200: ProfileOut, **DENIED_OR_MISSING, **REJECTED},
            operation_id="profile_save", summary="Save the body's document profile",
            description="The fields sent replace the stored ones; the others stay.")
def profile_put(request: HttpRequest, public_id: str, payload: ProfileIn) -> Any:
    require_perm(request.user, Perm.MANAGE_DOCUMENTS)
    body = body_get_for_user(user=request.user, public_id=public_id)
    fields = payload.dict(exclude_unset=True)
    profile = profile_save(actor=request.user, body=body, **fields)
    return profile_out(body, profile)

