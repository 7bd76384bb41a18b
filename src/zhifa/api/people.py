"""People of the enforcement bodies, scoped by ``visible_people``.

The ID number is shown in full only to authorised administrators of the person's body
(``person_id_number_for``) and masked for everyone else.
"""

import datetime as dt
import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhifa.core.filters import filter_given
from zhifa.orgs.models import Person, PersonStatus, RoleKind
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import (
    person_get_for_user,
    person_id_number_for,
    visible_people,
    with_status_on,
)

from .certificates import STATUS_DOC, STATUS_TODAY_DOC, status_today_of
from .common import DENIED, DENIED_OR_MISSING, BodyRefOut, DepartmentRefOut, paginated
from .common import today as local_today

router = Router(tags=["people"])


class PersonListIn(Schema):
    body: uuid.UUID | None = None
    department: uuid.UUID | None = None
    role_kind: RoleKind | None = None
    status: PersonStatus | None = None
    has_qualification: bool | None = None
    q: str | None = None  # part of the name


class QualificationOut(Schema):
    """法律职业资格: number and date; both null when the person holds none."""

    number: str | None
    date: dt.date | None


def _request_user(context: Any) -> Any:
    return context["request"].user


class PersonOut(Schema):
    public_id: uuid.UUID
    name: str
    id_number: str
    body: BodyRefOut
    department: DepartmentRefOut | None
    post: str
    status: str
    role_kinds: list[str]
    legal_qualification: QualificationOut

    @staticmethod
    def resolve_id_number(obj: Person, context: Any) -> str:
        return person_id_number_for(_request_user(context), obj)

    @staticmethod
    def resolve_role_kinds(obj: Person) -> list[str]:
        return obj.role_kinds()

    @staticmethod
    def resolve_legal_qualification(obj: Person) -> dict[str, Any]:
        return {"number": obj.legal_qualification_number or None,
                "date": obj.legal_qualification_date}


class PersonCertificateOut(Schema):
    public_id: uuid.UUID
    number: str
    status: str = Field(description=STATUS_DOC)
    status_today: str = Field(description=STATUS_TODAY_DOC)
    issue_date: dt.date
    expiry_date: dt.date

    @staticmethod
    def resolve_status_today(obj: Any) -> str:
        return status_today_of(obj)


class PersonDetailOut(PersonOut):
    phone: str
    certificates: list[PersonCertificateOut]

    @staticmethod
    def resolve_certificates(obj: Person) -> list[Any]:
        return list(with_status_on(obj.certificates.order_by("number"), local_today()))


def people_filtered(user: Any, filters: PersonListIn) -> QuerySet[Person]:
    # A total order, so that pages neither repeat nor skip rows.
    qs = filter_given(
        visible_people(user).order_by("body__name", "name", "pk"),
        body__public_id=filters.body, department__public_id=filters.department,
        # (person, kind) is unique, so the join yields one row per person.
        roles__kind=filters.role_kind, status=filters.status,
    )
    if filters.has_qualification is not None:
        no_qualification = Q(legal_qualification_number="")
        qs = qs.exclude(no_qualification) if filters.has_qualification else qs.filter(
            no_qualification
        )
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    return qs


@router.get("/people", response={200: list[PersonOut], **DENIED}, operation_id="visible_people",
            summary="List people in scope (ID numbers masked unless authorised)")
@paginated
def people_list(request: HttpRequest, filters: Query[PersonListIn]) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return people_filtered(request.user, filters)


@router.get("/people/{public_id}", response={200: PersonDetailOut, **DENIED_OR_MISSING},
            operation_id="person_get_for_user",
            summary="One person with certificates")
def person_detail(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return person_get_for_user(user=request.user, public_id=public_id)
