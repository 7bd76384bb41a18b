"""Enforcement certificates (执法证): lookup, validity on a date, status changes."""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhifa.core.filters import filter_given
from zhifa.orgs.models import NOT_YET_ISSUED, Certificate, CertificateStatus
from zhifa.orgs.permissions import Perm, require_perm
from zhifa.orgs.selectors import (
    VALIDITY_REASON_TEXT,
    certificate_find_by_number,
    certificate_get_for_user,
    certificate_validity,
    region_get_by_code,
    sector_get_by_code,
    visible_certificates,
    with_status_on,
)
from zhifa.orgs.services import certificate_status_change

from .common import (
    DENIED,
    DENIED_OR_MISSING,
    REJECTED,
    BodyRefOut,
    RegionRefOut,
    SectorRefOut,
    paginated,
)
from .common import today as local_today

router = Router(tags=["certificates"])


class StatusToday(StrEnum):
    """A certificate's status on a given day (``Certificate.status_on``): a stored status, or
    ``not_yet_issued`` before the issue date."""

    VALID = CertificateStatus.VALID.value
    SUSPENDED = CertificateStatus.SUSPENDED.value
    REVOKED = CertificateStatus.REVOKED.value
    EXPIRED = CertificateStatus.EXPIRED.value
    NOT_YET_ISSUED = NOT_YET_ISSUED


class RequestableStatus(StrEnum):
    """The statuses a client may ask for. ``expired`` is not one of them: expiry follows from
    the expiry date and is recorded by the nightly sweep (``zhifa certificates expire``)."""

    VALID = CertificateStatus.VALID.value
    SUSPENDED = CertificateStatus.SUSPENDED.value
    REVOKED = CertificateStatus.REVOKED.value


STATUS_DOC = ("The stored status column. Expiry by date is recorded by the nightly sweep, so "
              "until it runs this can still say valid or suspended for an expired certificate.")
STATUS_TODAY_DOC = ("The status in force today, from the expiry date and the status history; "
                    "not_yet_issued before the issue date. Use this to decide whether the "
                    "holder may act today.")


def status_today_of(certificate: Certificate) -> str:
    """``status_on_day`` when the list annotated it (``with_status_on``), else computed from
    the prefetched history."""
    annotated = getattr(certificate, "status_on_day", None)
    return annotated if annotated is not None else certificate.status_on(local_today())


class CertificateListIn(Schema):
    body: uuid.UUID | None = None
    person: uuid.UUID | None = None
    status: StatusToday | None = Field(None, description="Status today (status_today).")
    category: str | None = None  # sector code
    area: str | None = None  # region code, exactly as listed on the certificate
    q: str | None = None  # part of the number or of the holder's name


class HolderOut(Schema):
    public_id: uuid.UUID
    name: str


class CertificateOut(Schema):
    public_id: uuid.UUID
    number: str
    holder: HolderOut
    body: BodyRefOut
    issuer: str
    issue_date: dt.date
    expiry_date: dt.date
    status: str = Field(description=STATUS_DOC)
    status_today: str = Field(description=STATUS_TODAY_DOC)
    areas: list[RegionRefOut]
    categories: list[SectorRefOut]

    @staticmethod
    def resolve_status_today(obj: Certificate) -> str:
        return status_today_of(obj)

    @staticmethod
    def resolve_holder(obj: Certificate) -> Any:
        return obj.person

    @staticmethod
    def resolve_body(obj: Certificate) -> Any:
        return obj.person.body

    @staticmethod
    def resolve_areas(obj: Certificate) -> list[Any]:
        return list(obj.areas.all())

    @staticmethod
    def resolve_categories(obj: Certificate) -> list[Any]:
        return list(obj.categories.all())


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    effective_date: dt.date
    reason: str
    recorded_at: dt.datetime

    @staticmethod
    def resolve_recorded_at(obj: Any) -> dt.datetime:
        return obj.created_at


class CertificateDetailOut(CertificateOut):
    history: list[StatusChangeOut]

    @staticmethod
    def resolve_history(obj: Certificate) -> list[Any]:
        # The selector prefetches the history; sort in Python to keep that prefetch.
        return sorted(obj.status_changes.all(), key=lambda c: (c.effective_date, c.pk))


class ValidityIn(Schema):
    date: dt.date | None = None  # default: today
    region: str | None = None  # region code where the act takes place
    sector: str | None = None  # sector code of the enforcement category


class ValidityReasonOut(Schema):
    code: str
    message: str


class ValidityOut(Schema):
    certificate: uuid.UUID
    number: str
    date: dt.date
    region: str | None
    sector: str | None
    valid: bool
    status: str
    reasons: list[ValidityReasonOut]


class StatusChangeIn(Schema):
    to_status: RequestableStatus
    effective_date: dt.date
    reason: str


def certificates_filtered(user: Any, filters: CertificateListIn) -> QuerySet[Certificate]:
    qs = filter_given(
        # ``number`` is unique: a stable page order.
        with_status_on(visible_certificates(user), local_today()).order_by("number"),
        person__body__public_id=filters.body, person__public_id=filters.person,
        status_on_day=filters.status,
        # One certificate lists an area or a category at most once: no duplicate rows.
        categories__code=filters.category, areas__code=filters.area,
    )
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(number__icontains=term) | Q(person__name__icontains=term))
    return qs


@router.get("/certificates", response={200: list[CertificateOut], **DENIED},
            operation_id="visible_certificates",
            summary="List enforcement certificates in scope",
            description="The status filter reads the status today (status_today), not the "
                        "stored status column.")
@paginated
def certificates_list(request: HttpRequest, filters: Query[CertificateListIn]) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return certificates_filtered(request.user, filters)


@router.get("/certificates/by-number/{number}",
            response={200: CertificateDetailOut, **DENIED_OR_MISSING},
            operation_id="certificate_find_by_number",
            summary="Look up a certificate by its number")
def certificate_by_number(request: HttpRequest, number: str) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return certificate_find_by_number(user=request.user, number=number)


@router.get("/certificates/{public_id}",
            response={200: CertificateDetailOut, **DENIED_OR_MISSING},
            operation_id="certificate_get_for_user",
            summary="One certificate with its status history")
def certificate_detail(request: HttpRequest, public_id: str) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    return certificate_get_for_user(user=request.user, public_id=public_id)


@router.get("/certificates/{public_id}/validity",
            response={200: ValidityOut, **DENIED_OR_MISSING},
            operation_id="certificate_validity",
            summary="Was the certificate valid for an area and category on a date")
def certificate_validity_on(request: HttpRequest, public_id: str,
                            params: Query[ValidityIn]) -> Any:
    require_perm(request.user, Perm.VIEW_REGISTRY)
    certificate = certificate_get_for_user(user=request.user, public_id=public_id)
    region = region_get_by_code(code=params.region) if params.region else None
    sector = sector_get_by_code(code=params.sector) if params.sector else None
    day = params.date or local_today()
    validity = certificate_validity(certificate, day=day, region=region, sector=sector)
    return {
        "certificate": certificate.public_id,
        "number": certificate.number,
        "date": day,
        "region": region.code if region else None,
        "sector": sector.code if sector else None,
        "valid": validity.valid,
        "status": validity.status,
        "reasons": [{"code": code, "message": str(VALIDITY_REASON_TEXT[code])}
                    for code in validity.reasons],
    }


@router.post("/certificates/{public_id}/status",
             response={200: CertificateDetailOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="certificate_status_change",
             summary="Change a certificate's status (suspend, restore, revoke)",
             description="Expiry is not requested here: the nightly sweep (zhifa certificates "
                         "expire) records it from the expiry date; to_status=expired is 422.")
def certificate_status_post(request: HttpRequest, public_id: str, payload: StatusChangeIn) -> Any:
    require_perm(request.user, Perm.MANAGE_PEOPLE)
    certificate = certificate_get_for_user(user=request.user, public_id=public_id)
    certificate_status_change(
        actor=request.user, certificate=certificate, to_status=payload.to_status.value,
        effective_date=payload.effective_date, reason=payload.reason,
    )
    return certificate_get_for_user(user=request.user, public_id=public_id)
