"""People of the bodies: registering, correcting their particulars, leaving and returning.
Each change writes its ledger entry (``orgs.events``) in the same transaction."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.core.validators import IdentifierError, check_id_number

from .. import events
from ..models import Department, EnforcementBody, Person, PersonRole, PersonStatus, RoleKind
from ._ledger import changes, person_facts, person_ref, record
from ._scope import require_body_scope


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(_("The person's name is required."), code="name_required")
    return name


def _clean_role_kinds(role_kinds: Iterable[str]) -> list[str]:
    cleaned = sorted(set(role_kinds))
    if not cleaned:
        raise InvalidInput(_("A person needs at least one role kind."), code="role_required")
    if set(cleaned) - set(RoleKind.values):
        raise InvalidInput(_("Unknown role kind."), code="role_unknown",
                           detail=sorted(set(cleaned) - set(RoleKind.values)))
    return cleaned


def _require_qualification(number: str, date: dt.date | None) -> None:
    if bool(number.strip()) != (date is not None):
        raise InvalidInput(
            _("The legal professional qualification needs both its number and its date."),
            code="qualification_incomplete",
        )


def _clean_id_number(id_number: str, *, exclude: int = 0) -> str:
    try:
        id_number = check_id_number(id_number)
    except IdentifierError as exc:
        raise InvalidInput(exc.message, code=exc.code) from None
    if Person.objects.filter(id_number=id_number).exclude(pk=exclude).exists():
        raise InvalidInput(_("A person with this ID number already exists."),
                           code="person_duplicate")
    return id_number


def _require_department_of(department: Department | None, body: EnforcementBody) -> None:
    if department is not None and department.body_id != body.pk:
        raise InvalidInput(_("The department belongs to another body."),
                           code="department_other_body")


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
    name = _clean_name(name)
    kinds = _clean_role_kinds(role_kinds)
    _require_qualification(legal_qualification_number, legal_qualification_date)
    id_number = _clean_id_number(id_number)
    _require_department_of(department, body)
    person = Person.objects.create(
        body=body, department=department, name=name, id_number=id_number, post=post,
        phone=phone, legal_qualification_number=legal_qualification_number.strip(),
        legal_qualification_date=legal_qualification_date,
    )
    PersonRole.objects.bulk_create([PersonRole(person=person, kind=k) for k in kinds])
    record(actor=actor, event=events.PERSON_CREATED, body=body,
           payload={"person": person.public_id, **person_facts(person, kinds)})
    return person


PERSON_FIELDS = frozenset({
    "body", "department", "name", "id_number", "post", "phone", "legal_qualification_number",
    "legal_qualification_date", "role_kinds",
})


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    """Correct a person's particulars (``PERSON_FIELDS``), their role kinds, or move them to
    another body (the actor must manage both). Leaving is ``person_set_status``."""
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"person_update() got unknown fields: {sorted(unknown)}")
    person = Person.objects.select_for_update(of=("self",)).select_related(
        "body", "department").get(pk=person.pk)
    new_body = fields.get("body", person.body)
    if actor is not None:
        require_body_scope(actor, person.body)
        if new_body.pk != person.body_id:
            require_body_scope(actor, new_body)
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
    old_kinds = person.role_kinds()
    kinds = _clean_role_kinds(fields.pop("role_kinds")) if "role_kinds" in fields else old_kinds
    if "id_number" in fields:
        fields["id_number"] = _clean_id_number(fields["id_number"], exclude=person.pk)
    if "legal_qualification_number" in fields:
        fields["legal_qualification_number"] = fields["legal_qualification_number"].strip()
    if "body" in fields and "department" not in fields and (
        person.department_id is not None and new_body.pk != person.body_id
    ):
        fields["department"] = None  # the old body's department does not come along
    before = person_facts(person, old_kinds)
    for key, value in fields.items():
        setattr(person, key, value)
    _require_qualification(person.legal_qualification_number,
                           person.legal_qualification_date)
    _require_department_of(person.department, new_body)
    changed = changes(before, person_facts(person, kinds))
    if not changed:
        return person
    person.save()
    if kinds != old_kinds:
        person.roles.exclude(kind__in=kinds).delete()
        PersonRole.objects.bulk_create(
            [PersonRole(person=person, kind=k) for k in kinds if k not in old_kinds])
    record(actor=actor, event=events.PERSON_UPDATED, body=new_body,
           payload={**person_ref(person), "changes": changed})
    return person


@transaction.atomic
def person_set_status(*, actor: Any, person: Person, status: str) -> Person:
    """A person leaves the body (离岗) or is back in post. Someone who has left holds no
    permission (``orgs.permissions``), gets no new account or certificate."""
    if status not in PersonStatus.values:
        raise InvalidInput(_("Unknown value."), code="status_unknown", detail=status)
    person = Person.objects.select_for_update(of=("self",)).select_related("body").get(
        pk=person.pk)
    if actor is not None:
        require_body_scope(actor, person.body)
    if person.status == status:
        return person
    person.status = status
    person.save(update_fields=["status", "updated_at"])
    event = events.PERSON_LEFT if status == PersonStatus.LEFT else events.PERSON_RETURNED
    record(actor=actor, event=event, body=person.body, payload=person_ref(person))
    return person
