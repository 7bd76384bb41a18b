"""Enforcement items (执法事项, the power list), scoped by the body's registry scope."""

import datetime as dt
import uuid
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhifa.catalog.models import EnforcementItem, ItemCategory, LegalityReviewStatus, ProcedureType
from zhifa.catalog.selectors import item_get_for_user, visible_items
from zhifa.core.filters import filter_given
from zhifa.core.models import VersionedQuerySet
from zhifa.orgs.permissions import Perm, require_perm

from .common import DENIED, DENIED_OR_MISSING, BodyRefOut, DepartmentRefOut, paginated
from .laws import ArticleRefOut

router = Router(tags=["items"])


class ItemListIn(Schema):
    body: uuid.UUID | None = None
    category: ItemCategory | None = None
    procedure_type: ProcedureType | None = None
    in_force_on: dt.date | None = None
    publishable: bool | None = None
    q: str | None = None  # part of the name, or the code


class ItemOut(Schema):
    public_id: uuid.UUID
    code: str
    version: int
    name: str
    category: str
    procedure_type: str
    body: BodyRefOut
    effective_from: dt.date
    effective_to: dt.date | None
    legality_review_status: str
    is_publishable: bool


class ItemDetailOut(ItemOut):
    legal_basis: list[ArticleRefOut]
    basis_text: str
    accepting_office: DepartmentRefOut | None
    deciding_office: DepartmentRefOut | None
    time_limit: int | None
    time_limit_unit: str
    reconsideration_body: str
    reconsideration_days: int
    litigation_court: str
    litigation_months: int
    legality_reviewed_on: dt.date | None
    legality_review_note: str

    @staticmethod
    def resolve_legal_basis(obj: EnforcementItem) -> list[Any]:
        return list(
            obj.legal_basis.select_related("version", "version__law").order_by(
                "version__law__title", "number"
            )
        )


def items_filtered(user: Any, filters: ItemListIn) -> QuerySet[EnforcementItem]:
    # A total order, so that pages neither repeat nor skip rows.
    qs = filter_given(
        visible_items(user).order_by("body__name", "code", "-version", "pk"),
        body__public_id=filters.body, category=filters.category,
        procedure_type=filters.procedure_type,
    )
    if filters.in_force_on:
        qs = cast(VersionedQuerySet, qs).in_force_on(filters.in_force_on)
    if filters.publishable is not None:
        # Same rule as ``EnforcementItem.is_publishable`` (118号: legality review recorded).
        publishable = Q(legality_review_status=LegalityReviewStatus.PASSED,
                        legality_reviewed_on__isnull=False)
        qs = qs.filter(publishable) if filters.publishable else qs.exclude(publishable)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(code__icontains=term))
    return qs


@router.get("/items", response={200: list[ItemOut], **DENIED}, operation_id="visible_items",
            summary="List enforcement items (power list)")
@paginated
def items_list(request: HttpRequest, filters: Query[ItemListIn]) -> Any:
    require_perm(request.user, Perm.VIEW_CATALOG)
    return items_filtered(request.user, filters)


@router.get("/items/{public_id}", response={200: ItemDetailOut, **DENIED_OR_MISSING},
            operation_id="item_get_for_user",
            summary="One enforcement item with its legal basis")
def item_detail(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_CATALOG)
    return item_get_for_user(user=request.user, public_id=public_id)
