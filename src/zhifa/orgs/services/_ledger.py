"""What the registry services write to the ledger: the facts of a row as payload values, and
the difference between two such snapshots. Payload conventions are in ``orgs.events``."""

from collections.abc import Mapping
from typing import Any

from zhifa.core.validators import mask_id_number
from zhifa.ledger.events import EventType
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.services import ledger_append

from ..events import ORGS_STREAM
from ..models import Certificate, EnforcementBody, Person, Region, Sector, User


def record(
    *, actor: Any, event: EventType, payload: Mapping[str, Any],
    body: EnforcementBody | None = None, stream: str = ORGS_STREAM,
) -> LedgerEntry:
    """Append the entry in the caller's transaction. ``actor=None`` (the system) and an
    unsaved user are recorded without an actor."""
    who = actor if isinstance(actor, User) and actor.pk is not None else None
    return ledger_append(actor=who, event=event, payload=payload, stream=stream, body=body)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value differs."""
    return {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}


def mask_phone(value: str) -> str:
    """A personal phone number keeps its last four digits: ``*******5678``."""
    value = value.strip()
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def region_facts(region: Region) -> dict[str, Any]:
    return {"name": region.name, "level": region.level,
            "parent": region.parent.code if region.parent_id else None}  # type: ignore[union-attr]


def body_facts(body: EnforcementBody) -> dict[str, Any]:
    supervising = body.supervising_body if body.supervising_body_id else None
    office = body.legal_review_office if body.legal_review_office_id else None
    return {
        "name": body.name, "short_name": body.short_name, "credit_code": body.credit_code,
        "kind": body.kind, "level": body.level, "region": body.region.code,
        "sector": body.sector.code,
        "supervising_body": supervising.credit_code if supervising is not None else None,
        "legal_review_office": office.name if office is not None else None,
        "is_supervisory": body.is_supervisory, "address": body.address, "phone": body.phone,
        "status": body.status,
    }


def person_facts(person: Person, role_kinds: list[str]) -> dict[str, Any]:
    department = person.department if person.department_id else None
    return {
        "name": person.name, "id_number": mask_id_number(person.id_number),
        "body": person.body.credit_code,
        "department": department.name if department is not None else None,
        "post": person.post, "phone": mask_phone(person.phone), "role_kinds": role_kinds,
        "legal_qualification_number": person.legal_qualification_number,
        "legal_qualification_date": person.legal_qualification_date,
    }


def person_ref(person: Person) -> dict[str, Any]:
    """How entries about a person name them."""
    return {"person": person.public_id, "name": person.name,
            "id_number": mask_id_number(person.id_number)}


def certificate_facts(cert: Certificate, areas: list[Region],
                      categories: list[Sector]) -> dict[str, Any]:
    return {
        "number": cert.number, "issuer": cert.issuer, "issue_date": cert.issue_date,
        "expiry_date": cert.expiry_date, "areas": sorted(a.code for a in areas),
        "categories": sorted(c.code for c in categories),
    }


def certificate_ref(cert: Certificate) -> dict[str, Any]:
    person = cert.person
    return {"certificate": cert.public_id, "number": cert.number, "holder": person.name,
            "person": person.public_id}
