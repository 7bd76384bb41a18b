"""Regions, sectors, bodies, departments and people."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.core.validators import (
    IdentifierError,
    check_credit_code,
    check_id_number,
    check_region_code,
    region_level,
)

from ..models import (
    Department,
    DepartmentKind,
    EnforcementBody,
    Person,
    PersonRole,
    Region,
    RoleKind,
    Sector,
)
from ._scope import require_admin, require_body_scope


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
        require_body_scope(actor, body)
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
    require_admin(actor)
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
        require_body_scope(actor, body)
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
