"""Reads of documents and document settings, always scoped: a case's documents are seen by
whoever sees the case (``cases.selectors.visible_cases``); out of scope is "not found".
The public verify page reads a document by its verify code only once it is issued (or was
voided, which the page shows)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhifa.cases.models import Case
from zhifa.cases.selectors import visible_cases
from zhifa.core.errors import NotFound
from zhifa.orgs.permissions import perms_of
from zhifa.orgs.selectors import visible_bodies

from .models import (
    Document,
    DocumentState,
    DocumentTemplate,
    NumberPattern,
    SerialBook,
    SerialUse,
    ServiceRecord,
    TemplateScope,
)
from .services.issue import CODE_ALPHABET, CODE_LENGTH, normalize_code


def _documents() -> QuerySet[Document]:
    return Document.objects.select_related("case", "case__body", "template", "docx", "pdf",
                                           "issued_by", "voided_by", "created_by")


def documents_for_case(actor: Any, case: Case) -> QuerySet[Document]:
    """The case's documents, oldest first (404 when the actor does not see the case)."""
    if not visible_cases(actor).filter(pk=case.pk).exists():
        raise NotFound(_("Case not found."), code="case_not_found")
    return _documents().filter(case_id=case.pk).order_by("created_at", "id")


def document_get(actor: Any, public_id: Any) -> Document:
    """By public id, among the documents of the cases the actor sees."""
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Document not found."), code="document_not_found") from None
    doc = _documents().filter(public_id=pid, case__in=visible_cases(actor)).first()
    if doc is None:
        raise NotFound(_("Document not found."), code="document_not_found")
    return doc


def services_for_document(actor: Any, document: Document) -> QuerySet[ServiceRecord]:
    doc = document_get(actor, document.public_id)
    return ServiceRecord.objects.filter(document=doc).select_related(
        "recorded_by", "proof", "consent_document").order_by("created_at", "id")


def templates_visible(actor: Any) -> QuerySet[DocumentTemplate]:
    """System and province templates (formats, not secrets) and the templates of the bodies
    the actor sees; nothing for an account without staff permissions."""
    if not perms_of(actor):
        return DocumentTemplate.objects.none()
    return (DocumentTemplate.objects.select_related("blob", "body", "region", "uploaded_by")
            .filter(Q(scope__in=[TemplateScope.SYSTEM, TemplateScope.PROVINCE])
                    | Q(scope=TemplateScope.BODY, body__in=visible_bodies(actor))))


def template_get(actor: Any, public_id: Any) -> DocumentTemplate:
    try:
        pid = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound(_("Template not found."), code="template_not_found") from None
    t = templates_visible(actor).filter(public_id=pid).first()
    if t is None:
        raise NotFound(_("Template not found."), code="template_not_found")
    return t


def patterns_visible(actor: Any) -> QuerySet[NumberPattern]:
    return NumberPattern.objects.select_related("body").filter(body__in=visible_bodies(actor))


def serial_books_visible(actor: Any) -> QuerySet[SerialBook]:
    return SerialBook.objects.select_related("body", "holder").filter(
        body__in=visible_bodies(actor)).order_by("prefix", "first")


def serial_uses_visible(actor: Any) -> QuerySet[SerialUse]:
    return SerialUse.objects.select_related("book", "case", "by").filter(
        book__body__in=visible_bodies(actor)).order_by("serial")


def document_by_code(code: str) -> Document | None:
    """The issued or voided document with this verify code (as printed, with or without
    dashes; any case), or None. For the public verify page: no scope."""
    text = normalize_code(code)
    if len(text) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in text):
        return None
    return (Document.objects.select_related("case__body", "docx", "pdf", "template")
            .filter(verify_code=text, state__in=[DocumentState.ISSUED, DocumentState.VOIDED])
            .first())
