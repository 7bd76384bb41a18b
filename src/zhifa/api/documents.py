"""Enforcement documents (执法文书) of a case: drafting, preview, issue with a number (文号) or
form serial and a verification code, voiding, download, and the record of their service
(送达); the catalogue of document types; the public verification of an issued document.

Every change goes through its service (``zhifa.documents.services``), which checks the
actor's handling rights in the case's body and writes the ledger entry in the same
transaction; a refusal changes nothing. Reads are scoped like the case (``visible_cases``):
a document of a case outside the user's scope is 404 ``document_not_found``.

Error codes: 401 ``not_authenticated``; 403 ``missing_view_cases``, ``missing_handle_cases``,
``case_out_of_scope``, ``void_needs_head`` (an issued document is voided by a head of the
body); 404 ``case_not_found``, ``document_not_found``; 400 ``doc_type_unknown`` (not a type
of the case's procedure), ``field_unknown``, ``field_too_long``, ``invalid_fields`` (detail:
field -> message), ``issued_on_future``, ``issued_on_too_early``, ``reason_required`` and
the ``service_*`` rules of ``service_record`` (detail: field -> message); 409
``document_frozen``, ``document_not_ready`` (the case step it follows is missing),
``document_elements_missing``, ``decision_reasons_missing``, ``document_not_issued``,
``document_voided``, ``case_archived``, ``serial_unknown``, ``serial_used``; 410
``document_file_missing``; 422 ``invalid_payload``.

The public ``GET /public/documents/verify/{code}`` needs no login and tells only what the
printed verification code already promises: the type, number, agency, date and state and the
hashes of the files; never the party or the content.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from zhifa.cases.models import Case, CaseStep
from zhifa.cases.selectors import case_get_for_user, visible_cases
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound
from zhifa.documents import doctypes
from zhifa.documents.models import Document, DocumentState, ServiceRecord
from zhifa.documents.selectors import (
    document_by_code,
    document_get,
    documents_for_case,
    services_for_document,
)
from zhifa.documents.services import (
    document_download_record,
    document_draft,
    document_issue,
    document_preview,
    document_update,
    document_void,
    service_record,
)
from zhifa.documents.services.checks import drafted_names, elements_detail, missing
from zhifa.documents.services.context import code_display, verify_url
from zhifa.evidence.models import Blob, BlobState, EvidenceFile
from zhifa.evidence.selectors import file_get_for_user
from zhifa.evidence.storage import storage_named
from zhifa.ledger.services import actor_label
from zhifa.orgs.permissions import Perm, perms_of, require_perm

from .common import DENIED, DENIED_OR_MISSING, REJECTED, ErrorOut
from .documents_schemas import (
    FORMAT_DOC,
    DocTypeListIn,
    DocTypeOut,
    DocumentOut,
    DocumentUpdateIn,
    DraftIn,
    Format,
    IssueIn,
    ServiceIn,
    ServiceOut,
    VerifyOut,
    VoidIn,
)

router = Router(tags=["documents"])

MIME = {"pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
SHA256_PATTERN = r"^\s*[0-9A-Fa-f]{64}\s*$"


# -- shaping --------------------------------------------------------------------------------

def _hashes(blob: Blob | None) -> dict[str, Any] | None:
    return None if blob is None else {"sha256": blob.sha256, "sm3": blob.sm3, "size": blob.size}


def _step(step: CaseStep | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {"ledger_seq": step.ledger_seq, "action": step.action, "label": step.label,
            "acted_on": step.acted_on}


def _label(user: Any) -> str | None:
    return actor_label(user) if user is not None else None


def service_out(s: ServiceRecord) -> dict[str, Any]:
    return {
        "public_id": s.public_id, "method": s.method, "method_label": s.get_method_display(),
        "state": s.state, "recipient": s.recipient, "recipient_relation": s.recipient_relation,
        "place": s.place, "served_on": s.served_on, "announced_on": s.announced_on,
        "announcement_medium": s.announcement_medium, "witness": s.witness,
        "refusal_note": s.refusal_note, "tracking_number": s.tracking_number,
        "electronic_address": s.electronic_address, "consent_on": s.consent_on,
        "consent_document": (s.consent_document.public_id
                             if s.consent_document is not None else None),
        "confirmed_at": s.confirmed_at,
        "proof": s.proof.public_id if s.proof is not None else None,
        "note": s.note, "case_step": _step(s.case_step), "recorded_at": s.created_at,
        "recorded_by": actor_label(s.recorded_by), "ledger_seq": s.ledger_seq,
    }


def _missing(doc: Document) -> list[dict[str, Any]]:
    """A draft's statutory elements (and required fields) whose drafted values are still
    empty; the computed values (party, agency, number, date) are known at issue."""
    if doc.state != DocumentState.DRAFT:
        return []
    return elements_detail(missing(doc.doc_type, doc.fields or {},
                                   only=drafted_names(doc.doc_type)))


def document_out(doc: Document,
                 services: list[ServiceRecord] | None = None) -> dict[str, Any]:
    t = doctypes.BY_CODE.get(doc.doc_type)
    template = doc.template
    return {
        "public_id": doc.public_id,
        "case": {"public_id": doc.case.public_id, "number": doc.case.number},
        "doc_type": doc.doc_type, "type_name": doctypes.type_name(doc.doc_type),
        "title": t.title if t is not None else doc.doc_type,
        "stage": t.stage if t is not None else "",
        "state": doc.state, "number": doc.number,
        "verify_code": code_display(doc.verify_code),
        "verify_url": verify_url(doc.verify_code),
        "fields": dict(doc.fields or {}), "step": _step(doc.step),
        "template": ({"public_id": template.public_id, "version": template.version,
                      "scope": template.scope, "name": template.name}
                     if template is not None else None),
        "issued_on": doc.issued_on, "issued_at": doc.issued_at,
        "issued_by": _label(doc.issued_by),
        "docx": _hashes(doc.docx), "pdf": _hashes(doc.pdf), "missing": _missing(doc),
        "voided_at": doc.voided_at, "voided_by": _label(doc.voided_by),
        "void_reason": doc.void_reason, "created_at": doc.created_at,
        "created_by": actor_label(doc.created_by), "ledger_seq": doc.ledger_seq,
        "services": [service_out(s) for s in (
            services if services is not None else _services(doc.pk))],
    }


def _services(*documents: int) -> QuerySet[ServiceRecord]:
    return (ServiceRecord.objects.filter(document_id__in=documents)
            .select_related("consent_document", "proof", "case_step", "recorded_by__person")
            .order_by("created_at", "id"))


def _with_people(docs: QuerySet[Document]) -> QuerySet[Document]:
    return docs.select_related("step", "created_by__person", "issued_by__person",
                               "voided_by__person")


def _answer(user: Any, doc: Document) -> dict[str, Any]:
    """The document as stored now."""
    return document_out(document_get(user, doc.public_id))


def _file_response(data: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=MIME[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.{fmt}")
    return response


def _filename(doc: Document) -> str:
    t = doctypes.BY_CODE.get(doc.doc_type)
    title = t.title if t is not None else doc.doc_type
    return f"{title}-{doc.number}" if doc.number else title


# -- document types -------------------------------------------------------------------------

def _type_out(t: doctypes.DocType) -> dict[str, Any]:
    return {
        "code": t.code, "name": doctypes.type_name(t.code), "title": t.title,
        "number_word": t.number_word, "stage": t.stage,
        "stage_label": str(doctypes.STAGE_LABELS.get(t.stage, t.stage)),
        "procedures": list(t.procedures), "actions": list(t.actions),
        "fields": [{"name": f.name, "label": str(f.label), "kind": f.kind,
                    "required": f.required, "prefill": f.prefill, "help": str(f.help)}
                   for f in t.fields],
        "elements": [{"label": str(e.label), "placeholders": list(e.placeholders),
                      "source": e.source} for e in t.elements],
        "reasons": t.reasons, "serial": t.serial, "serves": t.serves,
        "issue_after": t.issue_after[0] if t.issue_after is not None else None,
        "source": t.source, "placeholders": doctypes.placeholders(t),
    }


def _require_documents_access(user: Any) -> None:
    """Reading documents and their types: case workers, supervisors, document managers."""
    if not perms_of(user) & {Perm.VIEW_CASES, Perm.MANAGE_DOCUMENTS}:
        require_perm(user, Perm.VIEW_CASES)


@router.get("/document-types", response={200: list[DocTypeOut], **DENIED},
            operation_id="document_types_for",
            summary="The document types, with their fields, elements and placeholders",
            description="With `procedure`, the types its cases use in case-file order; "
                        "otherwise every type. Field and element labels follow the user's "
                        "language; placeholders and titles are Chinese.")
def document_types(request: HttpRequest, filters: Query[DocTypeListIn]) -> Any:
    _require_documents_access(request.user)
    types = (doctypes.types_for(filters.procedure) if filters.procedure
             else list(doctypes.TYPES))
    return [_type_out(t) for t in types]


# -- documents of a case --------------------------------------------------------------------

@router.get("/cases/{key}/documents", response={200: list[DocumentOut], **DENIED_OR_MISSING},
            operation_id="documents_for_case", summary="A case's documents",
            description="Drafts, issued and voided documents in the order they were drafted, "
                        "each with its service records. `key` is the case's public id or "
                        "number.")
def documents_list(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    case = case_get_for_user(user=request.user, key=key)
    docs = list(_with_people(documents_for_case(request.user, case)))
    services: dict[int, list[ServiceRecord]] = {d.pk: [] for d in docs}
    for record in _services(*services):
        services[record.document_id].append(record)
    return [document_out(d, services[d.pk]) for d in docs]


def _step_of(case: Case, seq: int | None) -> CaseStep | None:
    if seq is None:
        return None
    step = CaseStep.objects.filter(case=case, ledger_seq=seq).first()
    if step is None:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail={"step": _("This case has no step with that ledger entry.")})
    return step


@router.post("/cases/{key}/documents",
             response={201: DocumentOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="document_draft", summary="Draft a document of the case",
             description="The drafted values start from what the case already holds "
                         "(`prefill` of each field) with `fields` over them. 400 "
                         "doc_type_unknown (not a type of the case's procedure), "
                         "field_unknown, invalid_fields; 409 case_archived.")
def document_draft_post(request: HttpRequest, key: str, payload: DraftIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    case = case_get_for_user(user=request.user, key=key)
    step = _step_of(case, payload.step)
    doc = document_draft(actor=request.user, case=case, doc_type=payload.doc_type, step=step,
                         fields=payload.fields)
    return Status(201, _answer(request.user, doc))


# -- one document ---------------------------------------------------------------------------

@router.get("/documents/{public_id}", response={200: DocumentOut, **DENIED_OR_MISSING},
            operation_id="document_get", summary="One document with its service records")
def document_detail(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    return document_out(document_get(request.user, public_id))


@router.patch("/documents/{public_id}",
              response={200: DocumentOut, **DENIED_OR_MISSING, **REJECTED},
              operation_id="document_update", summary="Change a draft's values",
              description="Only the values sent change; the ledger entry names each changed "
                          "field with its old and new value. 400 field_unknown; 409 "
                          "document_frozen (issued or voided), case_archived.")
def document_patch(request: HttpRequest, public_id: str, payload: DocumentUpdateIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    doc = document_get(request.user, public_id)
    document_update(actor=request.user, document=doc, fields=payload.fields)
    return _answer(request.user, doc)


@router.get("/documents/{public_id}/preview",
            response={200: None, **DENIED_OR_MISSING, **REJECTED},
            operation_id="document_preview",
            summary="Render the document as it would print (PDF or DOCX)",
            description="A draft renders with 草稿 in place of the number and is not "
                        f"recorded; format: {FORMAT_DOC}.")
def document_preview_get(request: HttpRequest, public_id: str, format: Format = "pdf") -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    doc = document_get(request.user, public_id)
    data = document_preview(actor=request.user, document=doc, fmt=format)
    return _file_response(data, format, _filename(doc))


@router.post("/documents/{public_id}/issue",
             response={200: DocumentOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="document_issue",
             summary="Issue the document: number, verification code, frozen PDF and DOCX",
             description="Checks the statutory elements (and the three reasons of a "
                         "decision), takes the next number of the body's pattern (a summary "
                         "decision: the serial of its form) and records DOCUMENT_ISSUED with "
                         "both files' SHA-256 and SM3. 409 document_frozen, "
                         "document_not_ready (the case step it follows is missing), "
                         "document_elements_missing, decision_reasons_missing, "
                         "case_archived, serial_unknown, serial_used.")
def document_issue_post(request: HttpRequest, public_id: str, payload: IssueIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    doc = document_get(request.user, public_id)
    document_issue(actor=request.user, document=doc, issued_on=payload.issued_on)
    return _answer(request.user, doc)


@router.post("/documents/{public_id}/void",
             response={200: DocumentOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="document_void", summary="Void a draft or an issued document",
             description="The number stays recorded as voided and is never given again. "
                         "400 reason_required; 409 document_voided, case_archived.")
def document_void_post(request: HttpRequest, public_id: str, payload: VoidIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    doc = document_get(request.user, public_id)
    document_void(actor=request.user, document=doc, reason=payload.reason)
    return _answer(request.user, doc)


@router.get("/documents/{public_id}/file",
            response={200: None, **DENIED_OR_MISSING, 409: ErrorOut, 410: ErrorOut},
            operation_id="document_download",
            summary="Download the issued document's frozen PDF or DOCX",
            description="The bytes whose hashes the ledger recorded at issue; format: "
                        f"{FORMAT_DOC}. Every download is recorded on the case's ledger "
                        "(DOCUMENT_DOWNLOADED, with the file's hashes). 409 "
                        "document_not_issued (a draft: use the preview).")
def document_file(request: HttpRequest, public_id: str, format: Format = "pdf") -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    doc = document_get(request.user, public_id)
    blob = doc.pdf if format == "pdf" else doc.docx
    if blob is None:
        raise ApplicationError(_("The document has not been issued yet."),
                               code="document_not_issued")
    if blob.state != BlobState.PRESENT:
        raise ApplicationError(_("The stored file is no longer available."),
                               code="document_file_missing", status=410)
    document_download_record(actor=request.user, document=doc, fmt=format)
    response = StreamingHttpResponse(storage_named(blob.storage).iter_range(blob.key),
                                     content_type=MIME[format])
    response["Content-Length"] = str(blob.size)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{_filename(doc)}.{format}")
    return response


# -- service --------------------------------------------------------------------------------

@router.get("/documents/{public_id}/services",
            response={200: list[ServiceOut], **DENIED_OR_MISSING},
            operation_id="services_for_document", summary="The document's service records")
def services_list(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    doc = document_get(request.user, public_id)
    return [service_out(s) for s in services_for_document(request.user, doc)]


def _service_references(user: Any, fields: dict[str, Any]) -> dict[str, Any]:
    """``consent_document`` and ``proof`` (public ids) as rows in the user's scope; unknown
    ones are field errors (400 ``invalid_fields``); the service checks that they belong to
    the document's case. A time without an offset is Beijing time."""
    errors: dict[str, str] = {}
    at = fields.get("confirmed_at")
    if at is not None and timezone.is_naive(at):
        fields["confirmed_at"] = timezone.make_aware(at)
    if fields.get("consent_document") is not None:
        consent = (Document.objects.filter(case__in=visible_cases(user),
                                           public_id=fields["consent_document"]).first())
        if consent is None:
            errors["consent_document"] = _("Unknown document.")
        fields["consent_document"] = consent
    if fields.get("proof") is not None:
        proof: EvidenceFile | None
        try:
            proof = file_get_for_user(user=user, public_id=fields["proof"])
        except NotFound:
            proof = None
        if proof is None:
            errors["proof"] = _("Unknown evidence file.")
        fields["proof"] = proof
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    return fields


@router.post("/documents/{public_id}/services",
             response={201: ServiceOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="service_record", summary="Record the service of an issued document",
             description="The rules of the method (CPL arts. 87–95): direct (recipient, date), "
                         "left at the residence (witness or proof, and what happened), by "
                         "post (the return receipt's date, tracking number), electronic "
                         "(consent, confirmed receipt), by announcement (deemed served "
                         "after the announcement period: state `pending` until then). When "
                         "the type's service is a case step, that step is recorded with the "
                         "date of service. 409 document_not_issued, document_voided.")
def service_record_post(request: HttpRequest, public_id: str, payload: ServiceIn) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    doc = document_get(request.user, public_id)
    fields = _service_references(request.user, payload.dict())
    record = service_record(actor=request.user, document=doc, **fields)
    return Status(201, service_out(_services(doc.pk).get(pk=record.pk)))


# -- public verification --------------------------------------------------------------------

@router.get("/public/documents/verify/{code}", auth=None,
            response={200: VerifyOut, 404: ErrorOut, 422: ErrorOut},
            operation_id="document_verify",
            summary="Verify an issued document by its code (no login)",
            description="The code printed on the document (dashes and case do not matter). "
                        "With `sha256` (64 hex digits: the hash of a file someone was given), "
                        "`match` tells whether it is this document's PDF or DOCX. Nothing "
                        "about the party or the content is shown. 404 document_not_found.")
def document_verify(request: HttpRequest, code: str,
                    sha256: str | None = Query(None, pattern=SHA256_PATTERN)) -> Any:
    doc = document_by_code(code)
    if doc is None:
        raise NotFound(_("No issued document has this verification code."),
                       code="document_not_found")
    t = doctypes.BY_CODE.get(doc.doc_type)
    match: bool | None = None
    matched: str | None = None
    if sha256 is not None:
        given = sha256.strip().lower()
        for fmt, blob in (("pdf", doc.pdf), ("docx", doc.docx)):
            if blob is not None and blob.sha256 == given:
                matched = fmt
        match = matched is not None
    voided_on = timezone.localdate(doc.voided_at) if doc.voided_at is not None else None
    return {
        "verify_code": code_display(doc.verify_code), "doc_type": doc.doc_type,
        "type_name": doctypes.type_name(doc.doc_type),
        "title": t.title if t is not None else doc.doc_type, "number": doc.number,
        "agency": doc.case.body.name, "issued_on": doc.issued_on, "state": doc.state,
        "voided_on": voided_on, "docx": _hashes(doc.docx), "pdf": _hashes(doc.pdf),
        "match": match, "matched": matched,
    }

