"""The documents' part of a case file (案卷): every document issued on the case goes into its
archive package as the PDF that was issued, in the part of the case file its type belongs to
(``DocType.stage``; within a part by the type's ``order``), listed in the index (卷内目录) with
its number. A voided document is listed as voided, without its file: its number stays on
record and is never given again.

Registered with ``zhifa.evidence.archive.contributors`` by ``DocumentsConfig.ready``: the
evidence app builds the package and must not import this app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zhifa.evidence.archive.contributors import Contribution

from .doctypes import BY_CODE
from .models import Document, DocumentState

if TYPE_CHECKING:
    from zhifa.cases.models import Case


def case_file_documents(case: Case) -> list[Contribution]:
    """The case's issued and voided-after-issue documents, in the order they were issued."""
    rows: list[Contribution] = []
    documents = (Document.objects.filter(case=case, issued_at__isnull=False,
                                         state__in=(DocumentState.ISSUED, DocumentState.VOIDED))
                 .select_related("pdf").order_by("issued_at", "id"))
    for doc in documents:
        t = BY_CODE.get(doc.doc_type)
        title = t.title if t is not None else str(doc.context.get("文书名称") or doc.doc_type)
        voided = doc.state == DocumentState.VOIDED
        rows.append(Contribution(
            key=f"document:{doc.public_id}", title=title,
            stage=t.stage if t is not None else "decision", date=doc.issued_on,
            number=doc.number, filename=f"{title}{doc.number}.pdf",
            blob=None if voided else doc.pdf, step_id=doc.step_id,
            order=t.order if t is not None else 0, state=doc.state,
            note=f"已作废：{doc.void_reason}" if voided else ""))
    return rows
