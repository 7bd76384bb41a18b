"""State changes of the registry. Views, the API, the admin, imports and the demo loader call
these; each runs in one transaction.

The tamper-evident ledger arrives with the cases issue; until then the certificate status
history (``CertificateStatusChange``) is the record of status changes.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.core.validators import (
    IdentifierError,
    check_credit_code,
    check_id_number,
    check_region_code,
    region_level,
)

from .models import (
    AccountRole,
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    Department,
    DepartmentKind,
    EnforcementBody,
    Person,
    PersonRole,
    Region,
    Sector,
    User,
)
from .permissions import Perm, perms_of


def region_upsert(*, code: str, name: str, parent: Region | None = None) -> Region:
    try:
        code = check_region_code(code)
    except IdentifierError as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    path = (parent.path if parent else "/") + code + "/"
    region, _created = Region.objects.update_or_create(
        code=code,
        defaults={"name": name, "parent": parent, "level": region_level(code), "path": path},
    )
    return region


def sector_ensure(*, code: str, name: str, sort_order: int = 0) -> Sector:
    """The sector with this code, created if missing; an existing row is kept unchanged
    (administrators may have renamed it)."""
    sector, _created = Sector.objects.get_or_create(
        code=code, defaults={"name": name, "sort_order": sort_order}
    )
    return sector


def _require_body_scope(actor: Any, body: EnforcementBody) -> None:
    """Managers act on their own body only; system administrators on any body."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if Perm.MANAGE_PEOPLE not in perms or actor.person.body_id != body.pk:
        raise PermissionDenied(
            _("You can only manage the people of your own enforcement body."),
            code="body_out_of_scope",
        )


@transaction.atomic
def person_create(
    *,
    actor: Any,
    body: EnforcementBody,
    name: str,
    id_number: str,
    role_kinds: Iterable[str],
    department: Department | None = None,
    post: str = "",
    phone: str = "",
    legal_qualification_number: str = "",
    legal_qualification_date: dt.date | None = None,
) -> Person:
    if actor is not None:
        _require_body_scope(actor, body)
    try:
        id_number = check_id_number(id_number)
    except IdentifierError as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    if Person.objects.filter(id_number=id_number).exists():
        raise InvalidInput(_("A person with this ID number already exists."),
                           code="person_duplicate")
    if department is not None and department.body_id != body.pk:
        raise InvalidInput(_("The department belongs to another body."),
                           code="department_other_body")
    person = Person.objects.create(
        body=body, department=department, name=name.strip(), id_number=id_number, post=post,
        phone=phone, legal_qualification_number=legal_qualification_number,
        legal_qualification_date=legal_qualification_date,
    )
    PersonRole.objects.bulk_create(
        [PersonRole(person=person, kind=k) for k in sorted(set(role_kinds))]
    )
    return person


@transaction.atomic
def certificate_issue(
    *,
    actor: Any,
    person: Person,
    number: str,
    issuer: str,
    areas: Iterable[Region],
    categories: Iterable[Sector],
    issue_date: dt.date,
    expiry_date: dt.date,
) -> Certificate:
    if actor is not None:
        _require_body_scope(actor, person.body)
    number = number.strip()
    if not number:
        raise InvalidInput(_("The certificate number is required."), code="certificate_number")
    if Certificate.objects.filter(number=number).exists():
        raise InvalidInput(_("A certificate with this number already exists."),
                           code="certificate_duplicate")
    if expiry_date < issue_date:
        raise InvalidInput(_("The expiry date is before the issue date."),
                           code="certificate_dates")
    areas, categories = list(areas), list(categories)
    if not areas or not categories:
        raise InvalidInput(_("A certificate needs at least one area and one category."),
                           code="certificate_scope")
    cert = Certificate.objects.create(
        number=number, person=person, issuer=issuer, issue_date=issue_date,
        expiry_date=expiry_date, status=CertificateStatus.VALID,
    )
    cert.areas.set(areas)
    cert.categories.set(categories)
    return cert


_ALLOWED = {
    CertificateStatus.VALID: {CertificateStatus.SUSPENDED, CertificateStatus.REVOKED,
                              CertificateStatus.EXPIRED},
    CertificateStatus.SUSPENDED: {CertificateStatus.VALID, CertificateStatus.REVOKED},
    CertificateStatus.EXPIRED: {CertificateStatus.REVOKED},
    CertificateStatus.REVOKED: set(),
}


@transaction.atomic
def certificate_status_change(
    *,
    actor: Any,
    certificate: Certificate,
    to_status: str,
    effective_date: dt.date,
    reason: str,
) -> CertificateStatusChange:
    """Suspend (暂扣), restore, revoke (注销) or mark expired, with a reason and the date from
    which it applies; the history answers "valid on date D" for later guards."""
    if actor is not None:
        _require_body_scope(actor, certificate.person.body)
    if to_status not in CertificateStatus.values:
        raise InvalidInput(_("Unknown certificate status."), code="certificate_status_unknown",
                           detail=to_status)
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if to_status not in _ALLOWED.get(cert.status, set()):  # type: ignore[call-overload]
        raise InvalidInput(
            _("A certificate cannot go from %(from)s to %(to)s.")
            % {"from": CertificateStatus(cert.status).label,
               "to": CertificateStatus(to_status).label},
            code="certificate_status_transition",
        )
    if not reason.strip():
        raise InvalidInput(_("A reason is required."), code="reason_required")
    if effective_date < cert.issue_date:
        raise InvalidInput(_("The change cannot take effect before the issue date."),
                           code="certificate_dates")
    last = cert.status_changes.order_by("-effective_date").first()
    if last is not None and effective_date < last.effective_date:
        # The history is read by effective date to answer "valid on date D"; a change dated
        # before the latest one would rewrite that answer for days already recorded.
        raise InvalidInput(
            _("The change cannot take effect before the latest recorded change (%(date)s).")
            % {"date": last.effective_date.isoformat()},
            code="certificate_change_backdated",
        )
    change = CertificateStatusChange.objects.create(
        certificate=cert, from_status=cert.status, to_status=to_status,
        effective_date=effective_date, reason=reason.strip(),
        actor=actor if actor is not None and actor.pk else None,
    )
    cert.status = to_status
    cert.save(update_fields=["status", "updated_at"])
    certificate.status = to_status
    return change


def certificates_expire_due(*, today: dt.date) -> int:
    """Periodic sweep: mark certificates past their expiry date as expired (``zhifa
    certificates expire``). The validity selector already treats them as expired by date;
    this keeps the status column and the history in step."""
    count = 0
    for cert in Certificate.objects.filter(status=CertificateStatus.VALID, expiry_date__lt=today):
        certificate_status_change(
            actor=None, certificate=cert, to_status=CertificateStatus.EXPIRED,
            effective_date=cert.expiry_date + dt.timedelta(days=1), reason="有效期届满",
        )
        count += 1
    return count


def _require_admin(actor: Any) -> None:
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        raise PermissionDenied(_("Only system administrators can do this."),
                               code="missing_administer_system")


@transaction.atomic
def body_create(
    *,
    actor: Any,
    name: str,
    credit_code: str,
    kind: str,
    level: str,
    region: Region,
    sector: Sector,
    short_name: str = "",
    supervising_body: EnforcementBody | None = None,
    is_supervisory: bool = False,
    address: str = "",
    phone: str = "",
    is_demo: bool = False,
) -> EnforcementBody:
    _require_admin(actor)
    try:
        credit_code = check_credit_code(credit_code)
    except IdentifierError as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    if EnforcementBody.objects.filter(credit_code=credit_code).exists():
        raise InvalidInput(_("A body with this unified social credit code already exists."),
                           code="body_duplicate")
    return EnforcementBody.objects.create(
        name=name.strip(), short_name=short_name, credit_code=credit_code, kind=kind,
        level=level, region=region, sector=sector, supervising_body=supervising_body,
        is_supervisory=is_supervisory, address=address, phone=phone, is_demo=is_demo,
    )


@transaction.atomic
def department_create(
    *, actor: Any, body: EnforcementBody, name: str, kind: str = DepartmentKind.HANDLING
) -> Department:
    if actor is not None:
        _require_body_scope(actor, body)
    department = Department.objects.create(body=body, name=name.strip(), kind=kind)
    if kind == DepartmentKind.LEGAL_REVIEW and body.legal_review_office_id is None:
        body.legal_review_office = department
        body.save(update_fields=["legal_review_office", "updated_at"])
    return department


@transaction.atomic
def account_create(
    *,
    actor: Any,
    username: str,
    password: str,
    roles: Iterable[str],
    person: Person | None = None,
) -> User:
    """A login for a person (or a system administrator without a person)."""
    roles = sorted(set(roles))
    unknown = set(roles) - set(AccountRole.values)
    if unknown:
        raise InvalidInput(_("Unknown role."), code="role_unknown", detail=sorted(unknown))
    if actor is not None:
        if person is None:
            _require_admin(actor)
        else:
            _require_body_scope(actor, person.body)
    if person is None and roles != [AccountRole.SYSTEM_ADMIN]:
        raise InvalidInput(_("A staff account must be linked to a person."),
                           code="account_needs_person")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("This username is taken."), code="username_taken")
    return User.objects.create_user(
        username=username, password=password, person=person, roles=roles,
        first_name=person.name if person else "",
    )
