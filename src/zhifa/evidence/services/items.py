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
from zhifa.core.errors import InvalidInput
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import Person

from ..events import ITEM_CREATED
from ..models import EvidenceItem, EvidenceKind
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
