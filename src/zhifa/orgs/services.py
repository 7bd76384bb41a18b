"""State changes of the registry. Views, the API, the admin, imports and the demo loader call
these; each runs in one transaction.

The tamper-evident ledger arrives with the cases issue; until then the certificate status
history (``CertificateStatusChange``) is the record of status changes.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
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
    PersonStatus,
    Region,
    RoleKind,
    Sector,
    User,
)
from .permissions import Perm, perms_of


@transaction.atomic
def region_upsert(*, code: str, name: str, parent: Region | None = None) -> Region:
    try:
        code = check_region_code(code)
    except IdentifierError as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    if parent is not None and not _code_under(code, parent.code):
        raise InvalidInput(_("The region code does not lie under its parent's code."),
                           code="region_parent_mismatch")
    path = (parent.path if parent else "/") + code + "/"
    region, _created = Region.objects.update_or_create(
        code=code,
        defaults={"name": name, "parent": parent, "level": region_level(code), "path": path},
    )
    return region


def _code_under(code: str, parent: str) -> bool:
    """GB/T 2260: a city shares its province's first 2 digits, a county its city's first 4;
    a township code (GB/T 10114) starts with its county's 6 digits. Province-administered
    county-level units (e.g. 429004) sit under the province directly."""
    prefix = {"province": 2, "city": 4, "county": 6}.get(region_level(parent))
    return prefix is not None and code != parent and code[:prefix] == parent[:prefix]


@transaction.atomic
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
    name = name.strip()
    if not name:
        raise InvalidInput(_("The person's name is required."), code="name_required")
    role_kinds = sorted(set(role_kinds))
    if not role_kinds:
        raise InvalidInput(_("A person needs at least one role kind."), code="role_required")
    if set(role_kinds) - set(RoleKind.values):
        raise InvalidInput(_("Unknown role kind."), code="role_unknown",
                           detail=sorted(set(role_kinds) - set(RoleKind.values)))
    if bool(legal_qualification_number.strip()) != (legal_qualification_date is not None):
        raise InvalidInput(
            _("The legal professional qualification needs both its number and its date."),
            code="qualification_incomplete",
        )
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
        body=body, department=department, name=name, id_number=id_number, post=post,
        phone=phone, legal_qualification_number=legal_qualification_number.strip(),
        legal_qualification_date=legal_qualification_date,
    )
    PersonRole.objects.bulk_create([PersonRole(person=person, kind=k) for k in role_kinds])
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
    if not issuer.strip():
        raise InvalidInput(_("The issuing authority is required."), code="certificate_issuer")
    kinds = {r.kind for r in person.roles.all()}
    if not kinds & _CERTIFIED_ROLE_KINDS:
        # APL art. 42: penalties are enforced by officers holding enforcement certificates;
        # auxiliary staff hold none and may not act alone.
        raise InvalidInput(_("Only enforcement officers, heads, legal reviewers and supervisors "
                             "can hold an enforcement certificate."),
                           code="certificate_holder_role")
    if person.status != PersonStatus.ACTIVE:
        raise InvalidInput(_("The holder is no longer in post."), code="certificate_holder_left")
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
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        region = person.body.region
        if not all(region.covers(area) for area in areas):
            raise InvalidInput(
                _("A certificate's areas must lie within the body's region."),
                code="certificate_area_outside_body",
            )
    cert = Certificate.objects.create(
        number=number, person=person, issuer=issuer, issue_date=issue_date,
        expiry_date=expiry_date, status=CertificateStatus.VALID,
    )
    cert.areas.set(areas)
    cert.categories.set(categories)
    return cert


_CERTIFIED_ROLE_KINDS = {RoleKind.OFFICER, RoleKind.HEAD, RoleKind.REVIEWER, RoleKind.SUPERVISOR}

_ALLOWED = {
    CertificateStatus.VALID: {CertificateStatus.SUSPENDED, CertificateStatus.REVOKED,
                              CertificateStatus.EXPIRED},
    CertificateStatus.SUSPENDED: {CertificateStatus.VALID, CertificateStatus.REVOKED,
                                  CertificateStatus.EXPIRED},
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
    if effective_date > timezone.localdate():
        raise InvalidInput(_("A status change cannot take effect in the future."),
                           code="certificate_change_future")
    expired_on = cert.expiry_date + dt.timedelta(days=1)
    if to_status == CertificateStatus.EXPIRED and effective_date != expired_on:
        raise InvalidInput(
            _("A certificate expires on the day after its expiry date (%(date)s).")
            % {"date": expired_on.isoformat()},
            code="certificate_expiry_date",
        )
    if to_status in (CertificateStatus.VALID, CertificateStatus.SUSPENDED) and (
        effective_date > cert.expiry_date
    ):
        raise InvalidInput(_("The certificate has expired on that date."),
                           code="certificate_expired")
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


def certificates_expire_due(*, today: dt.date) -> tuple[int, list[str]]:
    """Periodic sweep: mark certificates past their expiry date as expired (``zhifa
    certificates expire``). The validity selector already treats them as expired by date;
    this keeps the status column and the history in step. A certificate whose change is
    refused is reported and skipped, so one bad row never stops the sweep."""
    count, failed = 0, []
    due = Certificate.objects.filter(
        status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED], expiry_date__lt=today
    )
    for cert in due:
        try:
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.EXPIRED,
                effective_date=cert.expiry_date + dt.timedelta(days=1), reason="有效期届满",
            )
        except InvalidInput as exc:
            failed.append(f"{cert.number}: {exc.code}")
            continue
        count += 1
    return count, failed


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
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."), code="name_required")
    if Department.objects.filter(body=body, name=name).exists():
        raise InvalidInput(_("This body already has a department with this name."),
                           code="department_duplicate")
    department = Department.objects.create(body=body, name=name, kind=kind)
    if kind == DepartmentKind.LEGAL_REVIEW and body.legal_review_office_id is None:
        body.legal_review_office = department
        body.save(update_fields=["legal_review_office", "updated_at"])
    return department


# Roles a body administrator may grant within their own body; supervisor only on a
# supervisory body (a justice bureau); system_admin only by a system administrator.
_BODY_GRANTABLE_ROLES = {
    AccountRole.OFFICER, AccountRole.AUXILIARY, AccountRole.REVIEWER, AccountRole.HEAD,
    AccountRole.BODY_ADMIN,
}


@transaction.atomic
def account_create(
    *,
    actor: Any,
    username: str,
    roles: Iterable[str],
    person: Person | None = None,
    password: str | None = None,
    password_hash: str | None = None,
) -> User:
    """A login for a person (or a system administrator without a person).

    Exactly one of ``password`` (hashed here) or ``password_hash`` (an already hashed value,
    e.g. one hash shared by the demo accounts) is given. The ``system_admin`` role also grants
    the Django admin (``is_staff``, ``is_superuser``)."""
    roles = sorted(set(roles))
    unknown = set(roles) - set(AccountRole.values)
    if unknown:
        raise InvalidInput(_("Unknown role."), code="role_unknown", detail=sorted(unknown))
    if not roles:
        raise InvalidInput(_("An account needs at least one role."), code="role_required")
    if (password is None) == (password_hash is None):
        raise InvalidInput(_("Give a password."), code="password_required")
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        if person is None:
            _require_admin(actor)
        else:
            _require_body_scope(actor, person.body)
        grantable = set(_BODY_GRANTABLE_ROLES)
        if person is not None and person.body.is_supervisory:
            grantable.add(AccountRole.SUPERVISOR)
        if set(roles) - grantable:
            raise PermissionDenied(
                _("You cannot grant these roles."), code="role_not_grantable",
                detail=sorted(set(roles) - grantable),
            )
    if person is None and roles != [AccountRole.SYSTEM_ADMIN]:
        raise InvalidInput(_("A staff account must be linked to a person."),
                           code="account_needs_person")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("This username is taken."), code="username_taken")
    is_admin = AccountRole.SYSTEM_ADMIN in roles
    user = User(
        username=username, person=person, roles=roles,
        first_name=person.name if person else "", is_staff=is_admin, is_superuser=is_admin,
    )
    if password_hash is not None:
        user.password = password_hash
    else:
        user.set_password(password)
    user.save()
    return user
