"""Issuing a document (签发): number, verify code, DOCX and PDF, frozen for good.

``document_issue`` works in two phases, like the archive package (``evidence.archive.build``),
so that rendering (DOCX, then PDF through WeasyPrint) does not hold the database's locks:

1. *before the transaction* (reads only; the system default template may be created in its
   own small transaction): the checks below; the template in force for the body; the number
   the document will most likely get (``numbering.number_peek``, or the form serial); a new
   verify code; the values as printed; DOCX and PDF rendered.
2. *one transaction*: the case row and the document row locked and everything checked again;
   the number taken (the counter row locked: gapless, never given twice) or the serial
   recorded as used; the values read again. If the number, the template or any printed value
   changed meanwhile (another issue took the number, the case changed …) the files are
   rendered again: outside the transaction (it is rolled back, the number given back, and
   phase 1 runs again) up to ``ATTEMPTS`` times, inside it on the last attempt. Then both
   files are stored as blobs, the document is frozen and the
   ``DOCUMENT_ISSUED`` entry records both files' SHA-256 and SM3.

A refusal or an error in either phase leaves the document a draft, with no number used (the
counter rolls back), no entry and no serial used.

Checks: handling rights in the case's body, the case not archived, the document a draft,
the type's ``issue_after`` step taken (a decision is issued once the decision is made:
``document_not_ready``), the date of the document not in the future nor before that step,
the three reasons of a general-procedure decision (``decision_reasons_missing``) and every
statutory element and required field (``document_elements_missing``).

``document_void`` voids a draft (handling rights) or an issued document (a head of the body
or a system administrator); a voided document keeps its number, which is never given again.
A document served on the party is not voided (``document_served``): the case's service step
and its periods rest on it. Voiding an issued summary decision voids its form's serial too.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStep
from zhifa.cases.procedures import procedure_get
from zhifa.cases.services._access import require_handling, require_not_archived
from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.ledger.services import ledger_append

from .. import doctypes
from ..doctypes import Element
from ..events import DOCUMENT_ISSUED, DOCUMENT_VOIDED
from ..hooks import run_issue_checks, run_issued_listeners, run_voided_listeners
from ..models import Document, DocumentState, DocumentTemplate, ServiceRecord, ServiceState
from ._access import require_document_change, require_void_issued
from .checks import describe, elements_detail, missing, require_as_decided, split_reasons
from .context import frozen, render_context, template_label
from .drafts import locked_document
from .numbering import number_peek, number_take, numbered
from .serials import serial_use, serial_use_void
from .storage import DOCX_MIME, PDF_MIME, read_bytes, store_bytes
from .templates import template_for

# Crockford's base32 without I, L, O, U: no letters read as digits, no accidental words
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
SERIAL_KEY = "serial"
_READ_AS = str.maketrans("ILO", "110")


def new_verify_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Document.objects.filter(verify_code=code).exists():
            return code


def normalize_code(code: str) -> str:
    """A code as typed (any case, dashes, spaces; I/L read as 1, O as 0) in its stored form."""
    text = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return text.translate(_READ_AS)


# --- checks -----------------------------------------------------------------------------------

def _after_step(case: Case, t: doctypes.DocType) -> CaseStep | None:
    """The latest step after which the type may be issued (None: not yet)."""
    if t.issue_after is None:
        return None
    action, conditions = t.issue_after
    actions = doctypes.ISSUE_AFTER_ANY.get(t.code, (action,))
    for step in CaseStep.objects.filter(case=case, action__in=actions).order_by("-id"):
        if all(str(step.data.get(k, "")) in allowed for k, allowed in conditions.items()):
            return step
    raise ApplicationError(
        _("%(title)s can be issued only after the step “%(step)s”.")
        % {"title": t.title, "step": _action_label(case, action)}, code="document_not_ready",
        detail={"after": list(actions), "conditions": {k: list(v)
                                                       for k, v in conditions.items()}})


def _action_label(case: Case, action: str) -> str:
    try:
        act = procedure_get(case.procedure, body=case.body).action(action)
    except ApplicationError:  # an unknown procedure: the code is shown
        act = None
    return str(act.label) if act is not None else action


def _check_ready(case: Case, doc: Document,
                 issued_on: dt.date | None) -> tuple[dt.date, CaseStep | None]:
    """Refusals that need no rendering; the date of the document and the step it is issued
    after."""
    from .drafts import require_draft, require_type_for_case

    require_draft(doc)
    t = require_type_for_case(case, doc.doc_type)
    step = _after_step(case, t)
    if step is not None:
        # the decision issued is the decision made (approved) on this text
        require_as_decided(doc, step)
    run_issue_checks(case, doc.doc_type, step)
    today = timezone.localdate()
    day = issued_on or today
    if day > today:
        raise InvalidInput(_("The date of the document cannot be in the future."),
                           code="issued_on_future")
    earliest = step.acted_on if step is not None else case.received_on
    if day < earliest:
        raise InvalidInput(_("The date of the document cannot be before %(day)s.")
                           % {"day": earliest.isoformat()}, code="issued_on_too_early")
    return day, step


# fields required only after some steps: a licensing denial states its reasons in writing
# (行政许可法第三十八条第二款)
REQUIRED_AFTER: dict[tuple[str, str], tuple[str, ...]] = {
    ("licensing_decision", "deny"): ("不予许可理由",),
}


def _check_content(doc: Document, values: dict[str, Any], step: CaseStep | None) -> None:
    t = doctypes.doctype(doc.doc_type)
    reasons, others = split_reasons(missing(doc.doc_type, values))
    labels = {f.name: f.label for f in t.fields}
    for name in REQUIRED_AFTER.get((doc.doc_type, step.action if step else ""), ()):
        if not str(values.get(name) or "").strip():
            others.append(Element(labels.get(name, name), (name,), "行政许可法第三十八条第二款"))
    if reasons:
        raise ApplicationError(
            _("The %(title)s must state its reasons: %(reasons)s.")
            % {"title": t.title, "reasons": "、".join(reasons)},
            code="decision_reasons_missing",
            detail={"reasons": reasons, "elements": elements_detail(others)})
    if others:
        raise ApplicationError(
            _("The %(title)s lacks statutory elements: %(elements)s.")
            % {"title": t.title, "elements": describe(others)},
            code="document_elements_missing", detail={"elements": elements_detail(others)})


# --- rendering --------------------------------------------------------------------------------

@dataclass
class _Rendered:
    number: str
    template_id: int
    values: dict[str, Any]  # as printed, without the QR image
    docx: bytes
    pdf: bytes


def _serial_of(case: Case) -> str:
    step = CaseStep.objects.filter(case=case, action="decide_on_spot").order_by("-id").first()
    serial = (step.data.get("serial") if step is not None else None) or case.flags.get("serial")
    return str(serial or "").strip()


def _values(case: Case, doc: Document, template: DocumentTemplate | None, *, number: str,
            code: str, day: dt.date) -> dict[str, Any]:
    shown = copy.copy(doc)
    shown.template = template
    return render_context(case, shown, number=number, verify_code=code, issued_on=day)


def _with_template(values: dict[str, Any], template: DocumentTemplate) -> dict[str, Any]:
    """The values with the template's version (the only value that depends on it)."""
    return {**values, "模板版本": template_label(template)}


def _render(doc: Document, template: DocumentTemplate, values: dict[str, Any],
            number: str) -> _Rendered:
    from ..render.engine import docx_to_pdf, render_docx

    t = doctypes.doctype(doc.doc_type)
    docx = render_docx(read_bytes(template.blob), values)
    pdf = docx_to_pdf(docx, title=f"{t.title} {number}".strip())
    return _Rendered(number=number, template_id=template.pk, values=frozen(values), docx=docx,
                     pdf=pdf)


def _guess_number(case: Case, doc: Document, day: dt.date) -> str:
    t = doctypes.doctype(doc.doc_type)
    if t.serial:
        return _serial_of(case)
    if numbered(doc.doc_type):
        return number_peek(case.body, doc.doc_type, day.year)
    return ""


def _take_number(actor: Any, case: Case, doc: Document,
                 day: dt.date) -> tuple[str, str, int | None]:
    t = doctypes.doctype(doc.doc_type)
    if t.serial:
        serial = _serial_of(case)
        serial_use(actor=actor, case=case, serial=serial)
        return SERIAL_KEY, serial, None
    if numbered(doc.doc_type):
        return number_take(case.body, doc.doc_type, day.year)
    return "", "", None


def _digests(blob: Any) -> dict[str, Any]:
    return {"sha256": blob.sha256, "sm3": blob.sm3, "size": blob.size}


def document_issue(*, actor: Any, document: Document,
                   issued_on: dt.date | None = None) -> Document:
    """Issue a draft: number (文号 or form serial), verify code, DOCX and PDF stored, frozen,
    ``DOCUMENT_ISSUED`` on the case's stream. See the module's docstring."""
    for attempt in range(1, ATTEMPTS + 1):
        # phase 1: read, check, render (no lock held)
        doc = Document.objects.select_related("case", "case__body", "case__item").get(
            pk=document.pk)
        case = doc.case
        require_handling(actor, case.body)
        require_not_archived(case)
        day, step = _check_ready(case, doc, issued_on)
        number = _guess_number(case, doc, day)
        code = new_verify_code()
        values = _values(case, doc, None, number=number, code=code, day=day)
        _check_content(doc, values, step)
        # only now: the system default is made on its first use (its own transaction)
        template = template_for(body=case.body, doc_type=doc.doc_type)
        draft = _render(doc, template, _with_template(values, template), number)
        # phase 2: check again, take the number, store, freeze
        try:
            with transaction.atomic():
                return _finish(actor, doc, issued_on=issued_on, code=code, draft=draft,
                               last=attempt == ATTEMPTS)
        except _Stale:
            # another issue took the number meanwhile (or the case changed): the
            # transaction is rolled back, the number given back, and the document is
            # rendered again outside the lock
            continue
    raise AssertionError("unreachable: the last attempt renders inside the transaction")


# Attempts before rendering inside the transaction: when several officers of one body issue
# at once, the one whose expected number was taken renders again *outside* the write
# transaction (which holds the counter row, and on SQLite the whole database) and retries;
# only the last attempt renders inside it.
ATTEMPTS = 4


class _Stale(Exception):
    """Phase 2 found that what phase 1 rendered no longer holds."""


def _finish(actor: Any, document: Document, *, issued_on: dt.date | None, code: str,
            draft: _Rendered, last: bool = True) -> Document:
    case = require_document_change(actor, document.case)
    doc = locked_document(document)
    day, step = _check_ready(case, doc, issued_on)
    template = template_for(body=case.body, doc_type=doc.doc_type)
    key, number, seq = _take_number(actor, case, doc, day)
    if Document.objects.filter(verify_code=code).exists():
        code = new_verify_code()
    values = _values(case, doc, template, number=number, code=code, day=day)
    _check_content(doc, values, step)
    rendered = draft
    if (number, template.pk, frozen(values)) != (draft.number, draft.template_id,
                                                 draft.values):
        if not last:
            raise _Stale
        rendered = _render(doc, template, values, number)  # changed since phase 1
    docx, pdf = store_bytes(rendered.docx, DOCX_MIME), store_bytes(rendered.pdf, PDF_MIME)
    t = doctypes.doctype(doc.doc_type)
    doc.state, doc.template = DocumentState.ISSUED, template
    doc.number, doc.number_key, doc.number_seq = number, key, seq
    doc.number_year = day.year if key else None
    doc.verify_code, doc.context = code, rendered.values
    doc.docx, doc.pdf = docx, pdf
    doc.issued_on, doc.issued_at, doc.issued_by = day, timezone.now(), actor
    entry = ledger_append(actor=actor, event=DOCUMENT_ISSUED, stream=case.stream,
                          body=case.body, payload={
                              "document": str(doc.public_id), "case": case.number,
                              "doc_type": doc.doc_type, "title": t.title, "number": number,
                              "verify_code": code,
                              "template": {"id": str(template.public_id),
                                           "version": template.version,
                                           "scope": template.scope,
                                           "sha256": template.blob.sha256},
                              "docx": _digests(docx), "pdf": _digests(pdf),
                              "issued_on": day.isoformat()})
    doc.ledger_seq = entry.seq
    doc.save()
    run_issued_listeners(doc)
    return doc


@transaction.atomic
def document_void(*, actor: Any, document: Document, reason: str) -> Document:
    """Void a draft or an issued document (see the module's docstring for who may). The
    number stays on the voided document and is never given again."""
    case = require_document_change(actor, document.case)
    doc = locked_document(document)
    reason = (reason or "").strip()
    if doc.state == DocumentState.VOIDED:
        raise ApplicationError(_("This document has already been voided."),
                               code="document_voided")
    if doc.state == DocumentState.ISSUED:
        require_void_issued(actor, case.body)
    if not reason:
        raise InvalidInput(_("Give the reason for voiding the document."),
                           code="reason_required")
    if ServiceRecord.objects.filter(document=doc, state=ServiceState.SERVED).exists():
        # the case's service step and the periods that run from it rest on this document (an
        # announcement not yet deemed served has recorded no step: the sweep skips it once
        # the document is voided)
        raise ApplicationError(
            _("%(title)s %(number)s has been served on the party: it cannot be voided. A "
              "decision served is changed through the case (reconsideration or revocation).")
            % {"title": doctypes.doctype(doc.doc_type).title, "number": doc.number},
            code="document_served")
    was = doc.state
    doc.state, doc.voided_at, doc.voided_by, doc.void_reason = (
        DocumentState.VOIDED, timezone.now(), actor, reason)
    doc.save(update_fields=["state", "voided_at", "voided_by", "void_reason", "updated_at"])
    t = doctypes.doctype(doc.doc_type)
    ledger_append(actor=actor, event=DOCUMENT_VOIDED, stream=case.stream, body=case.body,
                  payload={"document": str(doc.public_id), "case": case.number,
                           "doc_type": doc.doc_type, "title": t.title, "number": doc.number,
                           "reason": reason, "was": was})
    run_voided_listeners(doc)
    if was == DocumentState.ISSUED and t.serial and doc.number_key == SERIAL_KEY:
        # the pre-numbered form it was printed on is spoiled with it
        serial_use_void(actor=actor, case=case, serial=doc.number, reason=reason,
                        document=doc)
    return doc
