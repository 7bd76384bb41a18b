"""Reads of the registry, always scoped by the user's organisation and role.

- system administrators see everything;
- supervisors see the bodies whose region lies under their own body's region;
- everyone else sees their own body only.
Nothing is found by guessing an id outside that scope: lookups raise ``NotFound``.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from zhifa.core.errors import NotFound

from .models import (
    NOT_YET_ISSUED,
    AccountRole,
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    EnforcementBody,
    Person,
    Region,
    Sector,
    User,
)
from .permissions import Perm, perms_of


def visible_bodies(user: Any) -> QuerySet[EnforcementBody]:
    perms = perms_of(user)
    qs = EnforcementBody.objects.select_related("region", "sector")
    if Perm.ADMINISTER_SYSTEM in perms:
        return qs
    if Perm.VIEW_REGISTRY not in perms:
        return qs.none()
    body = user.person.body
    if Perm.SUPERVISE in perms:
        return qs.filter(Q(region__path__startswith=body.region.path) | Q(pk=body.pk))
    return qs.filter(pk=body.pk)


def visible_regions(user: Any) -> QuerySet[Region]:
    """Regions are public reference data: every account with registry or catalogue access
    sees all of them."""
    perms = perms_of(user)
    if not perms & {Perm.VIEW_REGISTRY, Perm.VIEW_CATALOG, Perm.ADMINISTER_SYSTEM}:
        return Region.objects.none()
    return Region.objects.all()


def visible_sectors(user: Any) -> QuerySet[Sector]:
    perms = perms_of(user)
    if not perms & {Perm.VIEW_REGISTRY, Perm.VIEW_CATALOG, Perm.ADMINISTER_SYSTEM}:
        return Sector.objects.none()
    return Sector.objects.all()


def region_get_by_code(*, code: str) -> Region:
    try:
        return Region.objects.get(code=code.strip())
    except Region.DoesNotExist:
        raise NotFound(_("Region not found."), code="region_not_found") from None


def sector_get_by_code(*, code: str) -> Sector:
    try:
        return Sector.objects.get(code=code.strip())
    except Sector.DoesNotExist:
        raise NotFound(_("Sector not found."), code="sector_not_found") from None


def _parse_uuid(value: Any, *, code: str = "not_found") -> uuid.UUID:
    """A malformed id is "not found" like any other id outside the user's scope."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(_("Not found."), code=code) from None


def body_get_for_user(*, user: Any, public_id: Any) -> EnforcementBody:
    try:
        return visible_bodies(user).get(
            public_id=_parse_uuid(public_id, code="body_not_found")
        )
    except EnforcementBody.DoesNotExist:
        raise NotFound(_("Enforcement body not found."), code="body_not_found") from None


def visible_people(user: Any) -> QuerySet[Person]:
    return (
        Person.objects.filter(body__in=visible_bodies(user))
        .select_related("body", "department")
        .prefetch_related("roles")
    )


def person_get_for_user(*, user: Any, public_id: Any) -> Person:
    try:
        return visible_people(user).get(
            public_id=_parse_uuid(public_id, code="person_not_found")
        )
    except Person.DoesNotExist:
        raise NotFound(_("Person not found."), code="person_not_found") from None


def _account_bodies(user: Any) -> QuerySet[EnforcementBody]:
    """The bodies whose people's logins ``user`` manages: every body for system
    administrators, the user's own body for body administrators (``MANAGE_PEOPLE``). A
    supervisor who also administers a bureau manages the bureau's logins only, as the account
    services allow, so that every account listed can also be managed."""
    perms = perms_of(user)
    if Perm.ADMINISTER_SYSTEM in perms:
        return visible_bodies(user)
    if Perm.MANAGE_PEOPLE not in perms:
        return EnforcementBody.objects.none()
    return visible_bodies(user).filter(pk=user.person.body_id)


# A role inside the JSON list of an account's roles, matched on its JSON text: works alike on
# SQLite and PostgreSQL (the JSON ``contains`` lookup does not exist on SQLite). The quotes
# make the match exact, no role name being part of another.
def _role_lookup(role: str) -> dict[str, str]:
    return {"roles__icontains": f'"{role}"'}


def visible_accounts(user: Any) -> QuerySet[User]:
    """The logins ``user`` may see and manage: those of people in the bodies they manage;
    system administrators also see the accounts without a person (system administrators).
    Body administrators never see a system administrator's account, even one linked to a
    person of their body."""
    perms = perms_of(user)
    qs = User.objects.select_related("person", "person__body", "person__department")
    if Perm.ADMINISTER_SYSTEM in perms:
        return qs
    if Perm.MANAGE_PEOPLE not in perms:
        return qs.none()
    return (
        qs.filter(person__body__in=_account_bodies(user))
        .exclude(is_superuser=True)
        .exclude(**_role_lookup(AccountRole.SYSTEM_ADMIN))
    )


def accounts_with_role(qs: QuerySet[User], role: str) -> QuerySet[User]:
    return qs.filter(**_role_lookup(role))


def account_get_for_user(*, user: Any, public_id: Any) -> User:
    """The login of the person ``public_id`` (accounts are addressed by their person)."""
    try:
        return visible_accounts(user).get(
            person__public_id=_parse_uuid(public_id, code="account_not_found")
        )
    except User.DoesNotExist:
        raise NotFound(_("Not found."), code="account_not_found") from None


def account_person_get_for_user(*, user: Any, public_id: Any) -> Person:
    """A person whose login ``user`` may create or manage; anyone else is "not found"."""
    try:
        return visible_people(user).filter(body__in=_account_bodies(user)).get(
            public_id=_parse_uuid(public_id, code="person_not_found")
        )
    except Person.DoesNotExist:
        raise NotFound(_("Person not found."), code="person_not_found") from None


def person_id_number_for(user: Any, person: Person) -> str:
    """Full ID number for authorised administrators of the person's body, masked otherwise."""
    perms = perms_of(user)
    if Perm.ADMINISTER_SYSTEM in perms or (
        Perm.VIEW_FULL_ID_NUMBER in perms and user.person.body_id == person.body_id
    ):
        return person.id_number
    return person.id_number_masked


def visible_certificates(user: Any) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(person__body__in=visible_bodies(user))
        .select_related("person", "person__body")
        .prefetch_related(
            "areas",
            "categories",
            Prefetch("status_changes", queryset=CertificateStatusChange.objects.order_by("id")),
        )
    )


def certificate_get_for_user(*, user: Any, public_id: Any) -> Certificate:
    try:
        return visible_certificates(user).get(
            public_id=_parse_uuid(public_id, code="certificate_not_found")
        )
    except Certificate.DoesNotExist:
        raise NotFound(_("Certificate not found."), code="certificate_not_found") from None


def certificate_find_by_number(*, user: Any, number: str) -> Certificate:
    try:
        return visible_certificates(user).get(number=number.strip())
    except Certificate.DoesNotExist:
        raise NotFound(_("Certificate not found."), code="certificate_not_found") from None


def with_status_on(qs: QuerySet[Certificate], day: dt.date) -> QuerySet[Certificate]:
    """Annotate ``status_on_day``: ``Certificate.status_on(day)`` computed in the database,
    so lists can filter and count by the status on a day (one correlated subquery)."""
    latest = (
        CertificateStatusChange.objects.filter(certificate=OuterRef("pk"), effective_date__lte=day)
        .order_by("-effective_date", "-id")
        .values("to_status")[:1]
    )
    return qs.annotate(
        status_on_day=Case(
            When(expiry_date__lt=day, then=Value(CertificateStatus.EXPIRED.value)),
            When(issue_date__gt=day, then=Value(NOT_YET_ISSUED)),
            default=Coalesce(Subquery(latest), Value(CertificateStatus.VALID.value)),
            output_field=CharField(),
        )
    )


def valid_on(qs: QuerySet[Certificate], day: dt.date) -> QuerySet[Certificate]:
    annotated = with_status_on(qs, day)
    return annotated.filter(status_on_day=CertificateStatus.VALID)  # type: ignore[misc]


@dataclass
class Validity:
    valid: bool
    status: str
    reasons: list[str] = field(default_factory=list)  # stable codes, empty when valid


def certificate_validity(
    certificate: Certificate,
    *,
    day: dt.date,
    region: Region | None = None,
    sector: Sector | None = None,
) -> Validity:
    """Was this certificate valid for this area and category on this date?

    APL arts. 42 and 55 require enforcement by officers holding enforcement certificates;
    the certificate must be in force on the day (issued, not yet expired, not suspended or
    revoked as of that day), cover the region where the act takes place, and the category.
    """
    reasons: list[str] = []
    status = certificate.status_on(day)
    if status == NOT_YET_ISSUED:
        reasons.append("not_yet_issued")
    elif status == CertificateStatus.EXPIRED:
        reasons.append("expired")
    elif status == CertificateStatus.SUSPENDED:
        reasons.append("suspended")
    elif status == CertificateStatus.REVOKED:
        reasons.append("revoked")
    if region is not None and not any(area.covers(region) for area in certificate.areas.all()):
        reasons.append("area_not_covered")
    if sector is not None and not any(c.pk == sector.pk for c in certificate.categories.all()):
        reasons.append("category_not_covered")
    return Validity(valid=not reasons, status=status, reasons=reasons)


VALIDITY_REASON_TEXT = {
    "not_yet_issued": _("The certificate had not been issued on that date."),
    "expired": _("The certificate had expired on that date."),
    "suspended": _("The certificate was suspended on that date."),
    "revoked": _("The certificate was revoked on that date."),
    "area_not_covered": _("The certificate's enforcement areas do not include that region."),
    "category_not_covered": _("The certificate's categories do not include that category."),
}
