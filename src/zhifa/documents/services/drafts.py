"""Drafting a document: its values start from the case (``context.prefill``) and are edited
by the officer while it is a draft; every change is on the case's ledger stream with the old
and new values. An issued or voided document is frozen (``document_frozen``).

A draft decision document is locked (``decision_draft_locked``) while its deciding step waits
for approval and once the decision is made on it: the text the head approves is the text
issued (``checks.decision_lock``)."""

from __future__ import annotations

import copy
from typing import Any, Literal

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStep
from zhifa.cases.selectors import visible_cases
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound
from zhifa.ledger.services import ledger_append

from .. import doctypes
from ..events import DOCUMENT_DRAFTED, DOCUMENT_UPDATED
from ..models import Document, DocumentState
from ._access import require_document_change
from .checks import require_may_draft, require_unlocked
from .context import DRAFT_NUMBER, render_context
from .storage import read_bytes
from .templates import require_type, template_for

FIELD_MAX = 20000


def require_type_for_case(case: Case, doc_type: str) -> doctypes.DocType:
    """The type, if the case's procedure uses it (``doc_type_unknown`` otherwise)."""
    try:
        t = doctypes.doctype(doc_type)
    except KeyError:
        t = None
    if t is None or case.procedure not in t.procedures:
        raise InvalidInput(
            _("The procedure of case %(number)s does not use the document type “%(type)s”.")
            % {"number": case.number, "type": doc_type}, code="doc_type_unknown")
    return t


def clean_fields(doc_type: str, fields: dict[str, Any] | None) -> dict[str, str]:
    """Drafted values as text; refused ``field_unknown`` for names the type does not have."""
    fields = dict(fields or {})
    names = {f.name for f in doctypes.doctype(doc_type).fields}
    unknown = sorted(set(fields) - names)
    if unknown:
        raise InvalidInput(_("The document has no fields named %(names)s.")
                           % {"names": "、".join(unknown)}, code="field_unknown",
                           detail={"fields": unknown})
    out: dict[str, str] = {}
    too_long: list[str] = []
    for name, value in fields.items():
        text = "" if value is None else str(value).replace("\r\n", "\n").strip()
        if len(text) > FIELD_MAX:
            too_long.append(name)
        out[name] = text
    if too_long:
        raise InvalidInput(_("These fields are longer than %(n)s characters: %(names)s")
                           % {"n": FIELD_MAX, "names": "、".join(too_long)},
                           code="field_too_long", detail={"fields": too_long})
    return out


def _payload(doc: Document, case: Case, **extra: Any) -> dict[str, Any]:
    t = doctypes.doctype(doc.doc_type)
    return {"document": str(doc.public_id), "case": case.number, "doc_type": doc.doc_type,
            "title": t.title, **extra}


@transaction.atomic
def document_draft(*, actor: Any, case: Case, doc_type: str, step: CaseStep | None = None,
                   fields: dict[str, Any] | None = None) -> Document:
    """A new draft of ``doc_type`` for ``case``: the prefilled values, then ``fields``."""
    require_type(doc_type)
    case = require_document_change(actor, case)
    require_type_for_case(case, doc_type)
    require_may_draft(case.pk, doc_type)
    given = clean_fields(doc_type, fields)
    if step is not None and step.case_id != case.pk:
        raise NotFound(_("The case has no such step."), code="step_not_found")
    from .context import prefill

    values = {**prefill(case, doc_type), **given}
    doc = Document.objects.create(case=case, doc_type=doc_type, step=step, fields=values,
                                  created_by=actor, is_demo=case.is_demo)
    entry = ledger_append(actor=actor, event=DOCUMENT_DRAFTED, stream=case.stream,
                          body=case.body, payload=_payload(
                              doc, case, step=step.pk if step is not None else None,
                              fields=values))
    doc.ledger_seq = entry.seq
    doc.save(update_fields=["ledger_seq"])
    return doc


def locked_document(document: Document) -> Document:
    return (Document.objects.select_for_update(of=("self",))
            .select_related("case", "template").get(pk=document.pk))


def require_draft(doc: Document) -> None:
    if doc.state != DocumentState.DRAFT:
        raise ApplicationError(
            _("%(title)s %(number)s has been issued or voided: it can no longer be changed.")
            % {"title": doctypes.doctype(doc.doc_type).title, "number": doc.number},
            code="document_frozen")


@transaction.atomic
def document_update(*, actor: Any, document: Document, fields: dict[str, Any]) -> Document:
    """Change drafted values (only those named). An entry records each change, old → new;
    nothing is recorded when nothing changed."""
    case = require_document_change(actor, document.case)
    doc = locked_document(document)
    require_draft(doc)
    require_unlocked(doc)
    given = clean_fields(doc.doc_type, fields)
    changes = {name: [doc.fields.get(name, ""), value] for name, value in given.items()
               if doc.fields.get(name, "") != value}
    if not changes:
        return doc
    doc.fields = {**doc.fields, **given}
    doc.save(update_fields=["fields", "updated_at"])
    ledger_append(actor=actor, event=DOCUMENT_UPDATED, stream=case.stream, body=case.body,
                  payload=_payload(doc, case, changed=sorted(changes), changes=changes))
    return doc


def require_visible(actor: Any, document: Document) -> Document:
    """The document with its case, if the actor sees the case (404 otherwise)."""
    doc = (Document.objects.select_related("case", "case__body", "case__item", "template",
                                           "template__blob", "docx", "pdf")
           .filter(pk=document.pk, case__in=visible_cases(actor)).first())
    if doc is None:
        raise NotFound(_("Document not found."), code="document_not_found")
    return doc


def document_preview(*, actor: Any, document: Document,
                     fmt: Literal["pdf", "docx"] = "pdf") -> bytes:
    """The document as it would print now, numbered 草稿 and without a verify code (an
    issued or voided one: its stored file, whose reading is recorded on the case's ledger
    as a download is: ``downloads.document_download_record``)."""
    if fmt not in ("pdf", "docx"):
        raise InvalidInput(_("Unknown format “%(fmt)s”: pdf or docx.") % {"fmt": fmt},
                           code="format_unknown")
    doc = require_visible(actor, document)
    if doc.state != DocumentState.DRAFT:
        blob = doc.pdf if fmt == "pdf" else doc.docx
        if blob is None:
            raise NotFound(_("The document has no stored file."), code="document_file_missing")
        data = read_bytes(blob)
        from .downloads import document_download_record

        document_download_record(actor=actor, document=doc, fmt=fmt)
        return data
    from ..render.engine import docx_to_pdf, render_docx

    case = doc.case
    t = doctypes.doctype(doc.doc_type)
    shown = copy.copy(doc)
    shown.template = template_for(body=case.body, doc_type=doc.doc_type)
    number = DRAFT_NUMBER if t.number_word is not None or t.serial else ""
    values = render_context(case, shown, number=number, verify_code="", issued_on=None)
    assert shown.template is not None
    docx = render_docx(read_bytes(shown.template.blob), values)
    if fmt == "docx":
        return docx
    return docx_to_pdf(docx, title=f"{t.title}（{DRAFT_NUMBER}）")
