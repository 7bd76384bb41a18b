"""Opening a case: its number, parties, officers, the procedure's first stage and opening
deadlines, and the ledger entry that starts its chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.catalog.models import EnforcementItem, PartyType, RandomInspectionItem
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.core.validators import (
    IdentifierError,
    check_credit_code,
    check_id_number,
    id_number_birth_date,
    mask_id_number,
)
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody, Person, PersonStatus, Region, Sector
from zhifa.orgs.permissions import Perm, perms_of

from ..events import CASE_CREATED, OFFICERS_CHANGED
from ..models import Case, CaseCounter, CaseOfficer, OfficerRole, Party, SourceKind
from ..procedures import procedure_get
from ._access import require_handling, require_not_archived
from .deadlines import deadline_start

PROCEDURE_LETTERS = {"general": "G", "summary": "S", "coercive": "C", "inspection": "I",
                     "licensing": "L"}


@dataclass(frozen=True)
class PartyIn:
    party_type: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    address: str = ""
    phone: str = ""


def _clean_parties(parties: Sequence[PartyIn], today: dt.date) -> list[Party]:
    if not parties:
        raise InvalidInput(_("A case needs at least one party."), code="party_required")
    out, errors = [], {}
    for i, p in enumerate(parties):
        key = f"parties[{i}]"
        if p.party_type not in PartyType.values:
            errors[key] = _("Unknown party type.")
            continue
        name = p.name.strip()
        if not name or len(name) > 200 or "\x00" in name:
            errors[key] = _("Enter the party's name.")
            continue
        party = Party(party_type=p.party_type, name=name,
                      legal_representative=p.legal_representative.strip()[:64],
                      address=p.address.strip()[:256], phone=p.phone.strip()[:32])
        try:
            if p.id_number.strip():
                party.id_number = check_id_number(p.id_number.strip(), today=today)
                party.birth_date = id_number_birth_date(party.id_number)
            if p.credit_code.strip():
                party.credit_code = check_credit_code(p.credit_code.strip())
        except IdentifierError as exc:
            errors[key] = str(exc)
            continue
        if p.party_type == PartyType.ORGANISATION and not party.credit_code:
            errors[key] = _("An organisation is identified by its unified social credit code.")
            continue
        out.append(party)
    if errors:
        raise InvalidInput(_("Please correct the parties."), code="invalid_parties",
                           detail=errors)
    return out


def _next_number(body: EnforcementBody, procedure: str, year: int) -> str:
    letter = PROCEDURE_LETTERS.get(procedure, "X")
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(
        body=body, kind=letter, year=year)
    # get_or_create may not have locked a row it created on SQLite; BEGIN IMMEDIATE holds the
    # write lock for the whole transaction there, and PostgreSQL locks the fresh row.
    CaseCounter.objects.filter(pk=counter.pk).update(last=counter.last + 1)
    return f"{_number_prefix(body)}{letter}{year}{counter.last + 1:05d}"


def _number_prefix(body: EnforcementBody) -> str:
    """The body's short name; short names are not unique, so a body whose short name an
    older body already uses adds the tail of its credit code (case numbers are unique across
    bodies, and the older body's numbers keep their form)."""
    if not body.short_name:
        return body.credit_code[-6:]
    if EnforcementBody.objects.filter(short_name=body.short_name, pk__lt=body.pk).exists():
        return f"{body.short_name}{body.credit_code[-6:]}"
    return body.short_name


def _party_payload(p: Party) -> dict[str, Any]:
    return {"type": p.party_type, "name": p.name,
            "id": mask_id_number(p.id_number) if p.id_number else p.credit_code}


@transaction.atomic
def case_create(
    *,
    actor: Any,
    procedure: str,
    title: str,
    sector: Sector,
    region: Region,
    parties: Sequence[PartyIn],
    officers: Sequence[Person],
    received_on: dt.date | None = None,
    source_kind: str = SourceKind.INSPECTION,
    item: EnforcementItem | None = None,
    summary: str = "",
    body: EnforcementBody | None = None,
    parent: Case | None = None,
    is_demo: bool = False,
    random_item: RandomInspectionItem | None = None,
    draw_seed: str = "",
) -> Case:
    today = timezone.localdate()
    body = body or (actor.person.body if getattr(actor, "person_id", None) else None)
    if body is None:
        raise InvalidInput(_("Choose the enforcement body."), code="body_required")
    require_handling(actor, body)
    proc = procedure_get(procedure, body=body, active_only=True)
    title = title.strip()
    errors: dict[str, str] = {}
    if not title or len(title) > 200 or "\x00" in title:
        errors["title"] = _("Enter a title of at most 200 characters.")
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = _("This date cannot be in the future.")
    if source_kind not in SourceKind.values:
        errors["source_kind"] = _("Select a valid choice.")
    if item is not None and item.body_id != body.pk:
        errors["item"] = _("The enforcement item belongs to another body.")
    if not body.region.covers(region):
        errors["region"] = _("The place of the act lies outside the body's region.")
    officer_list = list(dict.fromkeys(officers))
    if not officer_list:
        errors["officers"] = _("Assign at least one officer.")
    for person in officer_list:
        if person.body_id != body.pk or person.status != PersonStatus.ACTIVE:
            errors["officers"] = _("Officers must be people in post at the case's body.")
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    party_rows = _clean_parties(parties, today)
    me = getattr(actor, "person", None)
    handler = me if me in officer_list else officer_list[0]
    case = Case.objects.create(
        number=_next_number(body, procedure, received_on.year), body=body,
        department=handler.department, procedure=proc.code, stage=proc.initial, title=title,
        summary=summary, item=item, sector=sector, region=region, source_kind=source_kind,
        received_on=received_on, handler=handler, parent=parent, is_demo=is_demo,
        random_item=random_item, draw_seed=draw_seed,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for p in party_rows:
        p.case = case
    Party.objects.bulk_create(party_rows)
    CaseOfficer.objects.bulk_create([
        CaseOfficer(case=case, person=p,
                    role=OfficerRole.LEAD if p == handler else OfficerRole.ASSISTANT)
        for p in officer_list
    ])
    for rule in proc.opening:
        deadline_start(case, proc, rule, received_on)
    with translation.override("zh-hans"):
        procedure_label = str(proc.label)
    ledger_append(actor=actor, event=CASE_CREATED, stream=case.stream, body=body, payload={
        "number": case.number, "procedure": proc.code, "procedure_label": procedure_label,
        "title": title, "stage": case.stage, "received_on": received_on,
        "sector": sector.code, "region": region.code,
        "item": item.code if item else None, "parent": parent.number if parent else None,
        **({"random_item": random_item.code, "draw_seed": draw_seed} if random_item else {}),
        "parties": [_party_payload(p) for p in party_rows],
        "officers": [p.name for p in officer_list], "handler": handler.name,
    })
    return case


def case_open_from(*, actor: Any, parent: Case, procedure: str, on: dt.date,
                   title: str = "") -> Case:
    """A penalty case opened from an inspection: same body, parties, officers and place."""
    parties = [PartyIn(party_type=p.party_type, name=p.name, id_number=p.id_number,
                       credit_code=p.credit_code, legal_representative=p.legal_representative,
                       address=p.address, phone=p.phone) for p in parent.parties.all()]
    return case_create(
        actor=actor, procedure=procedure, title=title or parent.title, sector=parent.sector,
        region=parent.region, parties=parties,
        officers=[o.person for o in parent.officers.select_related("person")],
        received_on=on, source_kind=SourceKind.INSPECTION, item=parent.item,
        summary=parent.summary, body=parent.body, parent=parent, is_demo=parent.is_demo,
    )


@transaction.atomic
def case_officers_set(*, actor: Any, case: Case, officers: Sequence[Person],
                      handler: Person) -> Case:
    require_handling(actor, case.body)
    # the status as it is now, locked: archiving runs in another transaction
    require_not_archived(Case.objects.select_for_update().only("status", "number").get(
        pk=case.pk))
    if actor.person_id != case.handler_id and "head" not in (actor.roles or []) \
            and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        raise PermissionDenied(_("Only the handler or a head can change the case's officers."),
                               code="not_case_handler")
    officer_list = list(dict.fromkeys(officers))
    if handler not in officer_list:
        officer_list.insert(0, handler)
    for person in officer_list:
        if person.body_id != case.body_id or person.status != PersonStatus.ACTIVE:
            raise InvalidInput(_("Officers must be people in post at the case's body."),
                               code="invalid_officers")
    case.officers.all().delete()
    CaseOfficer.objects.bulk_create([
        CaseOfficer(case=case, person=p,
                    role=OfficerRole.LEAD if p == handler else OfficerRole.ASSISTANT)
        for p in officer_list
    ])
    case.handler = handler
    case.save(update_fields=["handler", "updated_at"])
    ledger_append(actor=actor, event=OFFICERS_CHANGED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "handler": handler.name,
                           "officers": [p.name for p in officer_list]})
    return case
