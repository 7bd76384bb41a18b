"""Regions, sectors, bodies and departments. Each change writes its ledger entry
(``orgs.events``) in the same transaction; a call that changes nothing writes none."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.core.validators import (
    IdentifierError,
    check_credit_code,
    check_region_code,
    region_level,
)

from .. import events
from ..models import (
    BodyKind,
    BodyLevel,
    BodyStatus,
    Department,
    DepartmentKind,
    EnforcementBody,
    Region,
    Sector,
)
from ._ledger import body_facts, changes, record, region_facts
from ._scope import require_admin, require_body_scope


# --- Regions and sectors ----------------------------------------------------------------------
@transaction.atomic
def region_upsert(
    *, code: str, name: str, parent: Region | None = None, actor: Any = None
) -> Region:
    """The region with this code, created or brought up to date. ``actor=None`` is the
    system itself (seeding, the demo loader); an account must be a system administrator."""
    require_admin(actor)
    try:
        code = check_region_code(code)
    except IdentifierError as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    if parent is not None and not _code_under(code, parent.code):
        raise InvalidInput(_("The region code does not lie under its parent's code."),
                           code="region_parent_mismatch")
    fields = {"name": name, "parent": parent, "level": region_level(code),
              "path": (parent.path if parent else "/") + code + "/"}
    region = Region.objects.select_for_update().filter(code=code).first()
    if region is None:
        region = Region.objects.create(code=code, **fields)
        record(actor=actor, event=events.REGION_CREATED,
               payload={"code": code, **region_facts(region)})
        return region
    before = region_facts(region)
    for key, value in fields.items():
        setattr(region, key, value)
    changed = changes(before, region_facts(region))
    if changed:
        region.save()
        record(actor=actor, event=events.REGION_UPDATED,
               payload={"code": code, "name": region.name, "changes": changed})
    return region


def _code_under(code: str, parent: str) -> bool:
    """GB/T 2260: a city shares its province's first 2 digits, a county its city's first 4;
    a township code (GB/T 10114) starts with its county's 6 digits. Province-administered
    county-level units (e.g. 429004) sit under the province directly."""
    prefix = {"province": 2, "city": 4, "county": 6}.get(region_level(parent))
    return prefix is not None and code != parent and code[:prefix] == parent[:prefix]


@transaction.atomic
def sector_ensure(*, code: str, name: str, sort_order: int = 0, actor: Any = None) -> Sector:
    """The sector with this code, created if missing; an existing row is kept unchanged
    (administrators may have renamed it)."""
    require_admin(actor)
    sector, created = Sector.objects.get_or_create(
        code=code, defaults={"name": name, "sort_order": sort_order}
    )
    if created:
        record(actor=actor, event=events.SECTOR_CREATED,
               payload={"code": code, "name": name, "sort_order": sort_order})
    return sector


@transaction.atomic
def sector_update(*, actor: Any, sector: Sector, name: str, sort_order: int) -> Sector:
    """Rename a sector or move it in the lists; its code, which imports and bodies refer
    to, stays."""
    require_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."), code="name_required")
    if sort_order < 0:
        raise InvalidInput(_("A number or amount cannot be negative."), code="value_negative",
                           detail="sort_order")
    sector = Sector.objects.select_for_update().get(pk=sector.pk)
    changed = changes({"name": sector.name, "sort_order": sector.sort_order},
                      {"name": name, "sort_order": sort_order})
    if changed:
        sector.name, sector.sort_order = name, sort_order
        sector.save(update_fields=["name", "sort_order", "updated_at"])
        record(actor=actor, event=events.SECTOR_UPDATED,
               payload={"code": sector.code, "name": name, "changes": changed})
    return sector


# --- Enforcement bodies -----------------------------------------------------------------------
def _clean_credit_code(credit_code: str, *, exclude: int = 0) -> str:
    try:
        credit_code = check_credit_code(credit_code)
    except IdentifierError as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    if EnforcementBody.objects.filter(credit_code=credit_code).exclude(pk=exclude).exists():
        raise InvalidInput(_("A body with this unified social credit code already exists."),
                           code="body_duplicate")
    return credit_code


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
    credit_code = _clean_credit_code(credit_code)
    body = EnforcementBody.objects.create(
        name=name.strip(), short_name=short_name, credit_code=credit_code, kind=kind,
        level=level, region=region, sector=sector, supervising_body=supervising_body,
        is_supervisory=is_supervisory, address=address, phone=phone, is_demo=is_demo,
    )
    record(actor=actor, event=events.BODY_CREATED, body=body,
           payload={"body": body.public_id, **body_facts(body), "is_demo": is_demo})
    return body


BODY_FIELDS = frozenset({
    "name", "short_name", "credit_code", "kind", "level", "region", "sector",
    "supervising_body", "legal_review_office", "is_supervisory", "address", "phone", "status",
})
_BODY_CHOICES = {"kind": BodyKind, "level": BodyLevel, "status": BodyStatus}


@transaction.atomic
def body_update(*, actor: Any, body: EnforcementBody, **fields: Any) -> EnforcementBody:
    """Change a body's particulars (``BODY_FIELDS``; system administrators). Suspending or
    dissolving a body (``status``) takes the permissions of its staff accounts away
    (``orgs.permissions``)."""
    require_admin(actor)
    unknown = set(fields) - BODY_FIELDS
    if unknown:
        raise TypeError(f"body_update() got unknown fields: {sorted(unknown)}")
    body = EnforcementBody.objects.select_for_update().get(pk=body.pk)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
        if not fields["name"]:
            raise InvalidInput(_("A name is required."), code="name_required")
    if "credit_code" in fields:
        fields["credit_code"] = _clean_credit_code(fields["credit_code"], exclude=body.pk)
    for key, choices in _BODY_CHOICES.items():
        if key in fields and fields[key] not in choices.values:
            raise InvalidInput(_("Unknown value."), code=f"{key}_unknown", detail=fields[key])
    if fields.get("supervising_body") is not None and fields["supervising_body"].pk == body.pk:
        raise InvalidInput(_("A body cannot supervise itself."), code="body_supervises_itself")
    office = fields.get("legal_review_office")
    if office is not None and office.body_id != body.pk:
        raise InvalidInput(_("The department belongs to another body."),
                           code="department_other_body")
    before = body_facts(body)
    for key, value in fields.items():
        setattr(body, key, value)
    changed = changes(before, body_facts(body))
    if changed:
        body.save()
        record(actor=actor, event=events.BODY_UPDATED, body=body,
               payload={"body": body.public_id, "name": body.name,
                        "credit_code": body.credit_code, "changes": changed})
    return body


# --- Departments ------------------------------------------------------------------------------
def _clean_department_name(body: EnforcementBody, name: str, *, exclude: int = 0
                           ) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."), code="name_required")
    if Department.objects.filter(body=body, name=name).exclude(pk=exclude).exists():
        raise InvalidInput(_("This body already has a department with this name."),
                           code="department_duplicate")
    return name


def _require_department_kind(kind: str) -> None:
    if kind not in DepartmentKind.values:
        raise InvalidInput(_("Unknown value."), code="kind_unknown", detail=kind)


@transaction.atomic
def department_create(
    *, actor: Any, body: EnforcementBody, name: str, kind: str = DepartmentKind.HANDLING
) -> Department:
    """A department; the body's first legal review office becomes its ``legal_review_office``
    (where legal reviews go)."""
    if actor is not None:
        require_body_scope(actor, body)
    name = _clean_department_name(body, name)
    _require_department_kind(kind)
    department = Department.objects.create(body=body, name=name, kind=kind)
    is_office = kind == DepartmentKind.LEGAL_REVIEW and body.legal_review_office_id is None
    if is_office:
        body.legal_review_office = department
        body.save(update_fields=["legal_review_office", "updated_at"])
    record(actor=actor, event=events.DEPARTMENT_CREATED, body=body,
           payload={"department": department.public_id, "name": name, "kind": kind,
                    "legal_review_office": is_office})
    return department


@transaction.atomic
def department_update(
    *, actor: Any, department: Department, name: str | None = None, kind: str | None = None
) -> Department:
    """Rename a department or change its kind. A legal review office that stops being one
    is no longer the body's ``legal_review_office``; a body without one takes a department
    that becomes one (as ``department_create`` does)."""
    department = Department.objects.select_for_update(of=("self",)).select_related("body").get(
        pk=department.pk)
    body = department.body
    if actor is not None:
        require_body_scope(actor, body)
    new_name = department.name if name is None else _clean_department_name(
        body, name, exclude=department.pk)
    new_kind = department.kind if kind is None else kind
    _require_department_kind(new_kind)
    was_office = body.legal_review_office_id == department.pk
    if was_office and new_kind != DepartmentKind.LEGAL_REVIEW:
        is_office = False
    elif (new_kind == DepartmentKind.LEGAL_REVIEW != department.kind
          and body.legal_review_office_id is None):
        is_office = True
    else:
        is_office = was_office
    changed = changes(
        {"name": department.name, "kind": department.kind, "legal_review_office": was_office},
        {"name": new_name, "kind": new_kind, "legal_review_office": is_office},
    )
    if not changed:
        return department
    department.name, department.kind = new_name, new_kind
    department.save(update_fields=["name", "kind", "updated_at"])
    if is_office != was_office:
        body.legal_review_office = department if is_office else None
        body.save(update_fields=["legal_review_office", "updated_at"])
    record(actor=actor, event=events.DEPARTMENT_UPDATED, body=body,
           payload={"department": department.public_id, "name": new_name,
                    "changes": changed})
    return department
