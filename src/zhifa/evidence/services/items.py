"""Evidence items: recorded with their kind, source, collectors, time and place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStep
from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import Person

from ..events import FILE_ATTACHED, ITEM_CREATED, ITEM_UPDATED
from ..models import EvidenceFile, EvidenceItem, EvidenceKind, ItemState
from ._access import require_evidence_change


def _coordinate(value: Any, limit: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError:
        raise InvalidInput(_("%(field)s must be a number.") % {"field": field},
                           code="invalid_coordinates") from None
    if not -limit <= number <= limit:
        raise InvalidInput(_("%(field)s must be between -%(limit)s and %(limit)s.")
                           % {"field": field, "limit": limit}, code="invalid_coordinates")
    return number


def coordinates(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    lat = _coordinate(latitude, 90, _("Latitude"))
    lon = _coordinate(longitude, 180, _("Longitude"))
    if (lat is None) != (lon is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."),
                           code="invalid_coordinates")
    return lat, lon


def _payload(item: EvidenceItem, collectors: list[Person]) -> dict[str, Any]:
    return {
        "case": item.case.number, "item": str(item.public_id), "seq": item.seq,
        "kind": item.kind, "title": item.title, "source": item.source,
        "collected_at": item.collected_at.isoformat() if item.collected_at else None,
        "place": item.place,
        "coordinates": ([str(item.latitude), str(item.longitude)]
                        if item.latitude is not None else None),
        "step": item.step.pk if item.step else None,
        "collectors": [p.name for p in collectors],
    }


@transaction.atomic
def evidence_item_create(
    *, actor: Any, case: Case, kind: str, title: str, description: str = "",
    source: str = "", collected_at: dt.datetime | None = None, place: str = "",
    latitude: Any = None, longitude: Any = None, step: CaseStep | None = None,
    collectors: Iterable[Person] = (), meta: dict[str, Any] | None = None,
) -> EvidenceItem:
    require_evidence_change(actor, case)
    if kind not in EvidenceKind.values:
        raise InvalidInput(_("Unknown kind of evidence: %(kind)s.") % {"kind": kind},
                           code="invalid_evidence_kind")
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Give the evidence a name."), code="evidence_title_required")
    if step is not None and step.case_id != case.pk:
        raise InvalidInput(_("That step belongs to another case."), code="step_not_in_case")
    people = list(collectors)
    for person in people:
        if person.body_id != case.body_id:
            raise InvalidInput(_("%(name)s is not an officer of this case's enforcement body.")
                               % {"name": person.name}, code="collector_out_of_body")
    lat, lon = coordinates(latitude, longitude)
    # the case row is the lock that keeps evidence numbers gapless under concurrent adds
    locked = Case.objects.select_for_update().get(pk=case.pk)
    seq = (EvidenceItem.objects.filter(case=locked).aggregate(m=Max("seq"))["m"] or 0) + 1
    item = EvidenceItem.objects.create(
        case=locked, seq=seq, kind=kind, title=title[:200], description=description,
        source=source, collected_at=collected_at, place=place, latitude=lat, longitude=lon,
        step=step, created_by=actor, meta=meta or {})
    if people:
        item.collectors.set(people)
    ledger_append(actor=actor, event=ITEM_CREATED, stream=locked.stream, body=locked.body,
                  payload=_payload(item, people))
    return item


# --- changes after the fact --------------------------------------------------------------

UPDATABLE = ("kind", "title", "description", "source", "collected_at", "place", "latitude",
             "longitude", "step", "collectors")


def _shown(name: str, value: Any) -> Any:
    """A field's value as the ledger keeps it (JSON, readable without the database)."""
    if value is None:
        return None
    if name == "collected_at":
        return value.isoformat()
    if name in ("latitude", "longitude"):
        return str(value)
    if name == "step":
        return {"id": value.pk, "label": value.label, "acted_on": value.acted_on.isoformat()}
    if name == "collectors":
        return [p.name for p in value]
    return value


def _lock(item: EvidenceItem) -> EvidenceItem:
    """The item as stored now, locked for this transaction (two edits never interleave)."""
    return (EvidenceItem.objects.select_for_update(of=("self",))
            .select_related("case", "case__body", "step").get(pk=item.pk))


def _require_active(item: EvidenceItem) -> None:
    if item.state == ItemState.WITHDRAWN:
        raise ApplicationError(_("Evidence %(seq)s has been withdrawn: it can no longer be "
                                 "changed.") % {"seq": item.seq}, code="item_withdrawn")


@transaction.atomic
def evidence_item_update(*, actor: Any, item: EvidenceItem, **fields: Any) -> EvidenceItem:
    """Change the given fields of an item (any of ``UPDATABLE``; coordinates are given as a
    pair). The ledger entry lists each changed field as ``[old, new]``; giving the values the
    item already has changes nothing and records nothing."""
    require_evidence_change(actor, item.case)
    unknown = sorted(set(fields) - set(UPDATABLE))
    if unknown:
        raise InvalidInput(_("These details of evidence cannot be changed: %(fields)s.")
                           % {"fields": ", ".join(unknown)}, code="invalid_fields")
    current = _lock(item)
    _require_active(current)
    case = current.case
    new: dict[str, Any] = {}
    if "kind" in fields:
        if fields["kind"] not in EvidenceKind.values:
            raise InvalidInput(_("Unknown kind of evidence: %(kind)s.") % {"kind": fields["kind"]},
                               code="invalid_evidence_kind")
        new["kind"] = fields["kind"]
    if "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            raise InvalidInput(_("Give the evidence a name."), code="evidence_title_required")
        new["title"] = title[:200]
    if "description" in fields:
        new["description"] = fields["description"] or ""
    for name in ("source", "place"):
        if name in fields:
            new[name] = (fields[name] or "").strip()[:200]
    if "collected_at" in fields:
        new["collected_at"] = fields["collected_at"]
    if "latitude" in fields or "longitude" in fields:
        lat = fields.get("latitude", current.latitude)
        lon = fields.get("longitude", current.longitude)
        new["latitude"], new["longitude"] = coordinates(lat, lon)
    if "step" in fields:
        step = fields["step"]
        if step is not None and step.case_id != case.pk:
            raise InvalidInput(_("That step belongs to another case."), code="step_not_in_case")
        new["step"] = step
    collectors: list[Person] | None = None
    if "collectors" in fields:
        collectors = list(fields["collectors"] or ())
        for person in collectors:
            if person.body_id != case.body_id:
                raise InvalidInput(
                    _("%(name)s is not an officer of this case's enforcement body.")
                    % {"name": person.name}, code="collector_out_of_body")
    changes: dict[str, list[Any]] = {}
    for name, value in new.items():
        old = getattr(current, name)
        if name == "step":
            if (old.pk if old else None) != (value.pk if value else None):
                changes[name] = [_shown(name, old), _shown(name, value)]
        elif old != value:
            changes[name] = [_shown(name, old), _shown(name, value)]
    if collectors is not None:
        before = list(current.collectors.order_by("name", "id"))
        if {p.pk for p in before} != {p.pk for p in collectors}:
            changes["collectors"] = [_shown("collectors", before),
                                     _shown("collectors", sorted(collectors,
                                                                 key=lambda p: (p.name, p.pk)))]
    if not changes:
        return current
    for name, value in new.items():
        setattr(current, name, value)
    current.save(update_fields=[*new, "updated_at"])
    if "collectors" in changes and collectors is not None:
        current.collectors.set(collectors)
    ledger_append(actor=actor, event=ITEM_UPDATED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "item": str(current.public_id),
                           "seq": current.seq, "title": current.title, "changes": changes})
    return current


@transaction.atomic
def evidence_item_withdraw(*, actor: Any, item: EvidenceItem, reason: str) -> EvidenceItem:
    """Take an item out of the case file, with the reason. Nothing is deleted: its files stay
    with their hashes and custody record, and the item is shown as withdrawn."""
    require_evidence_change(actor, item.case)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for withdrawing this evidence."),
                           code="reason_required", detail={"reason": _("Required.")})
    current = _lock(item)
    _require_active(current)
    case = current.case
    current.state, current.state_reason = ItemState.WITHDRAWN, reason
    current.save(update_fields=["state", "state_reason", "updated_at"])
    ledger_append(actor=actor, event=ITEM_UPDATED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "item": str(current.public_id),
                           "seq": current.seq, "title": current.title,
                           "changes": {"state": [ItemState.ACTIVE.value,
                                                 ItemState.WITHDRAWN.value]},
                           "reason": reason})
    return current


@transaction.atomic
def evidence_file_attach(*, actor: Any, file: EvidenceFile, item: EvidenceItem) -> EvidenceFile:
    """Move a file to another item of the same case (a clip filed under the wrong item)."""
    require_evidence_change(actor, file.case)
    if item.case_id != file.case_id:
        raise InvalidInput(_("A file can only be attached to evidence of its own case."),
                           code="item_not_in_case")
    target = _lock(item)
    _require_active(target)
    current = (EvidenceFile.objects.select_for_update(of=("self",))
               .select_related("item", "blob").get(pk=file.pk))
    if current.item_id == target.pk:
        raise ApplicationError(_("The file already belongs to evidence %(seq)s.")
                               % {"seq": target.seq}, code="file_already_in_item")
    source = current.item
    current.item = target
    current.save(update_fields=["item", "updated_at"])
    case = target.case
    ledger_append(actor=actor, event=FILE_ATTACHED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "file": str(current.public_id),
                           "filename": current.filename, "sha256": current.blob.sha256,
                           "from_item": str(source.public_id), "from_seq": source.seq,
                           "item": str(target.public_id), "seq": target.seq,
                           "title": target.title})
    return current
