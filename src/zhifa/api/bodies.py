"""Enforcement bodies (执法主体) and their departments, scoped by ``visible_bodies``."""

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhifa.core.filters import filter_given
from zhifa.orgs.models import (
    BodyKind,
    BodyLevel,
    BodyStatus,
    Department,
    EnforcementBody,
)
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import body_get_for_user, visible_bodies

from .common import (
    DENIED,
    DENIED_OR_MISSING,
    BodyRefOut,
    DepartmentRefOut,
    RegionRefOut,
    SectorRefOut,
    paginated,
)

router = Router(tags=["bodies"])


class BodyListIn(Schema):
    region: str | None = None  # region code: bodies in that region or under it
    sector: str | None = None  # sector code
    kind: BodyKind | None = None
    level: BodyLevel | None = None
    status: BodyStatus | None = None
    q: str | None = None  # part of the name, or the credit code


class BodyOut(Schema):
    public_id: uuid.UUID
    name: str
    short_name: str
    credit_code: str
    kind: str
    level: str
    status: str
    is_supervisory: bool
    region: RegionRefOut
    sector: SectorRefOut


class BodyDetailOut(BodyOut):
    address: str
    phone: str
    supervising_body: BodyRefOut | None
    legal_review_office: DepartmentRefOut | None


class DepartmentOut(Schema):
    public_id: uuid.UUID
    name: str
    kind: str
    body: BodyRefOut


def bodies_filtered(user: Any, filters: BodyListIn) -> QuerySet[EnforcementBody]:
    # A total order, so that pages neither repeat nor skip rows.
    qs = visible_bodies(user).order_by("region__code", "name", "pk")
    if filters.region:
        # ``path`` holds every ancestor's code, so this is the region's whole subtree.
        qs = qs.filter(region__path__contains=f"/{filters.region.strip()}/")
    qs = filter_given(qs, sector__code=filters.sector, kind=filters.kind, level=filters.level,
                      status=filters.status)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(short_name__icontains=term)
                       | Q(credit_code=term.upper()))
    return qs


@router.get("/bodies", response={200: list[BodyOut], **DENIED}, operation_id="visible_bodies",
            summary="List enforcement bodies in scope")
@paginated
def bodies_list(request: HttpRequest, filters: Query[BodyListIn]) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return bodies_filtered(request.user, filters)


@router.get("/bodies/{public_id}", response={200: BodyDetailOut, **DENIED_OR_MISSING},
            operation_id="body_get_for_user",
            summary="One enforcement body")
def body_detail(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return body_get_for_user(user=request.user, public_id=public_id)


def body_departments(*, user: Any, public_id: str) -> QuerySet[Department]:
    body = body_get_for_user(user=user, public_id=public_id)
    return Department.objects.filter(body=body).select_related("body").order_by("name")


@router.get("/bodies/{public_id}/departments",
            response={200: list[DepartmentOut], **DENIED_OR_MISSING},
            operation_id="body_departments",
            summary="A body's departments")
def departments_list(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return body_departments(user=request.user, public_id=public_id)
