"""Reads of evidence, always scoped: a case's evidence is seen by whoever sees the case
(``cases.selectors.visible_cases``); anything outside that scope is "not found", never
"forbidden". The list of a case's evidence costs the same few queries however many items and
files it has (items, files with their blobs and audio/video records, collectors)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from zhifa.cases.models import Case
from zhifa.cases.selectors import visible_cases
from zhifa.core.errors import NotFound
from zhifa.orgs.models import Person

from .models import EvidenceFile, EvidenceItem

# What a file row shows: its bytes (hashes), who uploaded it, its audio/video record with the
# device, the officer and the poster frame.
FILE_RELATED = ("blob", "uploaded_by__person", "av__device", "av__officer", "av__poster")


def _uuid(value: Any, *, code: str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message, code=code) from None


def visible_items(user: Any) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(case__in=visible_cases(user))


def visible_files(user: Any) -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.filter(case__in=visible_cases(user))


def files_of(qs: QuerySet[EvidenceFile]) -> QuerySet[EvidenceFile]:
    """Files with everything their rows show, in upload order."""
    return qs.select_related("item", *FILE_RELATED).order_by("id")


def evidence_for_case(user: Any, case: Case) -> list[EvidenceItem]:
    """The case's items in evidence-number order, each with ``files`` (upload order, with
    blob and audio/video record), ``collectors`` (by name) and ``step``. Four queries,
    whatever the number of items and files; a case out of the user's scope is not found."""
    items = (visible_items(user).filter(case=case)
             .select_related("step", "created_by__person")
             .prefetch_related(
                 Prefetch("files", queryset=EvidenceFile.objects.select_related(*FILE_RELATED)
                          .order_by("id")),
                 Prefetch("collectors", queryset=Person.objects.order_by("name", "id")))
             .order_by("seq"))
    result = list(items)
    if not result and not visible_cases(user).filter(pk=case.pk).exists():
        raise NotFound(_("Case not found."), code="case_not_found")
    return result


def evidence_files_for_case(user: Any, case: Case) -> QuerySet[EvidenceFile]:
    """Every file of the case (any item, withdrawn ones too) in upload order."""
    return files_of(visible_files(user).filter(case=case))


def item_get_for_user(*, user: Any, public_id: Any) -> EvidenceItem:
    message = _("Evidence item not found.")
    pid = _uuid(public_id, code="item_not_found", message=message)
    row = (visible_items(user).select_related("case", "case__body", "step",
                                              "created_by__person")
           .prefetch_related(Prefetch("collectors",
                                      queryset=Person.objects.order_by("name", "id")))
           .filter(public_id=pid).first())
    if row is None:
        raise NotFound(message, code="item_not_found")
    return row


evidence_item_get_for_user = item_get_for_user  # the API's operation id (catalogue items
# have ``item_get_for_user``)


def file_get_for_user(*, user: Any, public_id: Any) -> EvidenceFile:
    message = _("Evidence file not found.")
    pid = _uuid(public_id, code="file_not_found", message=message)
    row = (visible_files(user).select_related("case", "case__body", "item", "retention_class",
                                              *FILE_RELATED)
           .filter(public_id=pid).first())
    if row is None:
        raise NotFound(message, code="file_not_found")
    return row
