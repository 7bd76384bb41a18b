"""Retention: which class a file falls in and until when its bytes are kept.

Resolution (most specific first, only classes in use): the case's body with the case's
enforcement item → the body with the case's category (sector) → the body with the case's
procedure → the body's default (no criterion) → the same four for the installation's classes
(body empty) → the built-in default of ``DEFAULT_MONTHS``. Among classes of the same rank the
longest retention wins (permanent first), then the oldest class. A class chosen by hand for a
file (``file_retention_set``) stays the file's class; every other file is resolved again each
time its retention is recomputed.

Until when: the retention period runs from the day the case was closed (``Case.closed_on``);
a closed case without a recorded closing day (an old or imported one) counts from the day the
file was uploaded, which is never later than the closing. While a case is open or suspended
``retain_until`` stays empty: nothing of an open case expires. A file of an item used as
evidence for the decision (采信, ``EvidenceItem.adopted``), a file of a class without months
and a file that a case-file package references by its hashes instead of holding it
(``retention_keep_referenced``) are kept permanently.

Every change of a file's retention is a ``RETENTION_CHANGED`` entry on the case's stream,
in the transaction of the change.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStatus
from zhifa.catalog.models import EnforcementItem
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody, Sector
from zhifa.orgs.permissions import Perm, perms_of

from .events import ITEM_UPDATED, RETENTION_CHANGED, RETENTION_CLASS_SAVED
from .models import EvidenceFile, EvidenceItem, FileState, RetentionClass

# The statutory floor for audio/video and other evidence not used in a decision (国办发〔2018〕
# 118号 and the agencies' rules based on it: at least six months).
MIN_MONTHS = 6
DEFAULT_MONTHS = 6
CONFIG_STREAM = "evidence.config"
CLOSED_STATUSES = (CaseStatus.CLOSED, CaseStatus.ARCHIVED)
MANUAL_KEY = "retention_manual"  # EvidenceFile.meta: the class was chosen by hand
# EvidenceFile.meta: the number of the case-file package that references the file by its
# hashes (its original kept in the agency's store): kept permanently from then on
ARCHIVED_KEY = "retention_archived"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months; the 31st of a shorter month is its last day."""
    years, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, index + 1
    return day.replace(year=year, month=month,
                       day=min(day.day, calendar.monthrange(year, month)[1]))


def _zh(value: Any) -> str:
    with translation.override("zh-hans"):
        return str(value)


# --- Resolution -----------------------------------------------------------------------------
def _rank(cls: RetentionClass, case: Case) -> int | None:
    """How specific a class is for the case (3 item, 2 sector, 1 procedure, 0 default), or
    None when one of its criteria does not fit the case."""
    if cls.item_id is not None and cls.item_id != case.item_id:
        return None
    if cls.sector_id is not None and cls.sector_id != case.sector_id:
        return None
    if cls.procedure and cls.procedure != case.procedure:
        return None
    if cls.item_id is not None:
        return 3
    if cls.sector_id is not None:
        return 2
    return 1 if cls.procedure else 0


def resolve_class(case: Case) -> RetentionClass | None:
    """The retention class of the case's files (None: the built-in default)."""
    best: tuple[Any, ...] | None = None
    chosen: RetentionClass | None = None
    for cls in RetentionClass.objects.filter(
            Q(body=case.body_id) | Q(body__isnull=True), active=True).order_by("id"):
        rank = _rank(cls, case)
        if rank is None:
            continue
        months = float("inf") if cls.months is None else cls.months
        key = (cls.body_id is not None, rank, months, -cls.pk)
        if best is None or key > best:
            best, chosen = key, cls
    return chosen


@dataclass(frozen=True)
class Retention:
    retention_class: RetentionClass | None
    months: int | None  # None: permanent
    permanent: bool
    retain_until: dt.date | None


def retention_for(f: EvidenceFile, *, case: Case | None = None, item: EvidenceItem | None = None,
                  resolved: RetentionClass | bool | None = False) -> Retention:
    """What the file's retention should be now. ``resolved`` (a class or None) saves the
    lookup when many files of one case are done together."""
    case = case or f.case
    item = item or f.item
    if f.meta.get(MANUAL_KEY) and f.retention_class_id is not None:
        cls: RetentionClass | None = f.retention_class
    elif resolved is not False:
        cls = resolved  # type: ignore[assignment]
    else:
        cls = resolve_class(case)
    months = DEFAULT_MONTHS if cls is None else cls.months
    permanent = item.adopted or months is None or bool(f.meta.get(ARCHIVED_KEY))
    until = None
    if not permanent and case.status in CLOSED_STATUSES:
        base = case.closed_on or timezone.localdate(f.created_at)
        until = add_months(base, months or 0)
    return Retention(retention_class=cls, months=None if permanent else months,
                     permanent=permanent, retain_until=until)


def retention_label(f: EvidenceFile) -> str:
    """In the active language: permanent / kept until D / counted from the case's closing."""
    if f.state == FileState.DISPOSED:
        return _("Disposed of")
    if f.permanent:
        return _("Kept permanently")
    if f.retain_until is not None:
        return _("Kept until %(day)s") % {"day": f.retain_until.isoformat()}
    months = f.retention_class.months if f.retention_class is not None else DEFAULT_MONTHS
    return _("%(months)s months from the closing of the case") % {"months": months}


def assign_default_retention(f: EvidenceFile) -> None:
    """Set ``retention_class`` / ``retain_until`` / ``permanent`` of a new file (not saved
    here: the caller saves, and its FILE_UPLOADED entry records the file). Until the case is
    closed nothing can expire."""
    r = retention_for(f)
    f.retention_class = r.retention_class
    f.permanent = r.permanent
    f.retain_until = r.retain_until


def _payload(f: EvidenceFile, case: Case, reason: str, before: dict[str, Any]) -> dict[str, Any]:
    cls = f.retention_class
    return {
        "case": case.number, "file": str(f.public_id), "filename": f.filename,
        "class": cls.code if cls is not None else None,
        "class_name": cls.name if cls is not None else None,
        "months": None if f.permanent else (cls.months if cls is not None else DEFAULT_MONTHS),
        "permanent": f.permanent,
        "retain_until": f.retain_until.isoformat() if f.retain_until else None,
        "retention": _zh(retention_label(f)), "reason": reason, "before": before,
    }


def _state(f: EvidenceFile) -> dict[str, Any]:
    cls = f.retention_class
    return {"class": cls.code if cls is not None else None,
            "permanent": f.permanent,
            "retain_until": f.retain_until.isoformat() if f.retain_until else None}


def _apply(*, actor: Any, f: EvidenceFile, case: Case, item: EvidenceItem, reason: str,
           resolved: RetentionClass | bool | None = False,
           before: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> bool:
    """Recompute one file and record the change; False when nothing changed. ``before``:
    the file's retention as it was, when the caller has already changed its class."""
    r = retention_for(f, case=case, item=item, resolved=resolved)
    new_class_id = r.retention_class.pk if r.retention_class is not None else None
    if before is None and (f.retention_class_id, f.permanent, f.retain_until) == (
            new_class_id, r.permanent, r.retain_until):
        return False
    before = before if before is not None else _state(f)
    f.retention_class, f.permanent, f.retain_until = (r.retention_class, r.permanent,
                                                      r.retain_until)
    f.save(update_fields=["retention_class", "permanent", "retain_until", "meta",
                          "updated_at"])
    ledger_append(actor=actor, event=RETENTION_CHANGED, stream=case.stream, body=case.body,
                  payload={**_payload(f, case, reason, before), **(extra or {})})
    return True


def _recompute(*, actor: Any, case: Case, files: Iterable[EvidenceFile], reason: str) -> int:
    resolved = resolve_class(case)
    changed = 0
    for f in files:
        if f.state != FileState.ACTIVE:
            continue
        changed += _apply(actor=actor, f=f, case=case, item=f.item, reason=reason,
                          resolved=resolved)
    return changed


@transaction.atomic
def retention_recompute(case: Case, *, actor: Any = None, reason: str = "case_status") -> int:
    """Recompute the retention of every active file of ``case`` (call it in the transaction
    that closes, reopens or archives the case); returns how many files changed, each with its
    RETENTION_CHANGED entry."""
    files = (EvidenceFile.objects.select_for_update(of=("self",))
             .filter(case=case, state=FileState.ACTIVE)
             .select_related("item", "retention_class").order_by("id"))
    return _recompute(actor=actor, case=case, files=list(files), reason=reason)


def retention_keep_referenced(*, actor: Any, case: Case, number: str,
                              files: Iterable[EvidenceFile]) -> int:
    """Keep permanently the active ``files`` of ``case`` that its case-file package
    ``number`` references by their hashes instead of holding them: the package says their
    originals are kept in the agency's store, so retention must never dispose of them. Each
    file newly so marked gets a ``RETENTION_CHANGED`` entry (reason
    ``archived_by_reference``, with the package's number), even one already permanent for
    another reason (adoption can be undone, this cannot). Called inside the archiving
    transaction; returns how many files were marked."""
    ids = [f.pk for f in files]
    if not ids:
        return 0
    locked = (EvidenceFile.objects.select_for_update(of=("self",))
              .filter(case=case, pk__in=ids, state=FileState.ACTIVE)
              .select_related("item", "retention_class").order_by("id"))
    resolved = resolve_class(case)
    marked = 0
    for f in locked:
        if f.meta.get(ARCHIVED_KEY):
            continue
        before = _state(f)
        f.meta = {**f.meta, ARCHIVED_KEY: number or True}
        _apply(actor=actor, f=f, case=case, item=f.item, resolved=resolved, before=before,
               reason="archived_by_reference", extra={"archive": number})
        marked += 1
    return marked


# --- Services -------------------------------------------------------------------------------
def _require_manage(actor: Any, body: EnforcementBody | None) -> None:
    """Retention classes and a file's class: MANAGE_RECORDING in one's own body; the
    installation's classes (no body) are for system administrators."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if body is None:
        raise PermissionDenied(_("Only system administrators set the installation's "
                                 "retention classes."), code="missing_administer_system")
    if Perm.MANAGE_RECORDING not in perms:
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_manage_recording")
    if actor.person.body_id != body.pk:
        raise PermissionDenied(_("You can only manage the retention of your own enforcement "
                                 "body."), code="retention_out_of_scope")


def retention_class_validate(*, body: EnforcementBody | None, code: str, name: str,
                             months: int | None, procedure: str = "",
                             retention_class: RetentionClass | None = None) -> dict[str, str]:
    """Field errors of a class (empty when valid); the admin form shows them as they are."""
    errors: dict[str, str] = {}
    if not (code or "").strip():
        errors["code"] = _("Give the class a code.")
    if not (name or "").strip():
        errors["name"] = _("Give the class a name.")
    if months is not None and months < MIN_MONTHS:
        errors["months"] = _(
            "Files are kept at least %(min)s months; leave the months empty to keep them "
            "permanently.") % {"min": MIN_MONTHS}
    if procedure:
        from zhifa.cases.procedures import procedure_get

        try:
            procedure_get(procedure, body=body)
        except (ApplicationError, LookupError, KeyError):
            errors["procedure"] = _("Unknown procedure: %(code)s.") % {"code": procedure}
    taken = RetentionClass.objects.filter(body=body, code=(code or "").strip())
    if retention_class is not None:
        taken = taken.exclude(pk=retention_class.pk)
    if code and taken.exists():
        errors["code"] = _("This body already has a retention class with this code.")
    return errors


@transaction.atomic
def retention_class_save(
    *, actor: Any, body: EnforcementBody | None, code: str, name: str, months: int | None,
    item: EnforcementItem | None = None, sector: Sector | None = None, procedure: str = "",
    source: str = "", active: bool = True, retention_class: RetentionClass | None = None,
) -> RetentionClass:
    """Create a class, or change ``retention_class`` (its body stays). A change of months is
    applied to the files of that class at once (each with its RETENTION_CHANGED entry)."""
    if retention_class is not None:
        body = retention_class.body
    _require_manage(actor, body)
    errors = retention_class_validate(body=body, code=code, name=name, months=months,
                                      procedure=procedure, retention_class=retention_class)
    if errors:
        code_ = "retention_too_short" if "months" in errors else "invalid_fields"
        raise InvalidInput(errors.get("months") or _("Please correct the highlighted fields."),
                           code=code_, detail=errors)
    created = retention_class is None
    cls = retention_class or RetentionClass(body=body)
    old_months = None if created else RetentionClass.objects.get(pk=cls.pk).months
    cls.code, cls.name, cls.months = code.strip(), name.strip(), months
    cls.item, cls.sector, cls.procedure = item, sector, procedure
    cls.source, cls.active = source, active
    cls.save()
    ledger_append(actor=actor, event=RETENTION_CLASS_SAVED, stream=CONFIG_STREAM, body=body,
                  payload={
                      "class": str(cls.public_id), "code": cls.code, "name": cls.name,
                      "body": body.name if body is not None else None,
                      "item": item.code if item is not None else None,
                      "sector": sector.code if sector is not None else None,
                      "procedure": procedure, "months": months, "source": source,
                      "active": active, "created": created})
    if not created and old_months != months:
        files = (EvidenceFile.objects.select_for_update(of=("self",))
                 .filter(retention_class=cls, state=FileState.ACTIVE)
                 .select_related("case", "case__body", "item", "retention_class")
                 .order_by("case_id", "id"))
        by_case: dict[int, list[EvidenceFile]] = {}
        for f in files:
            by_case.setdefault(f.case_id, []).append(f)
        for group in by_case.values():
            case = group[0].case
            for f in group:
                _apply(actor=actor, f=f, case=case, item=f.item, reason="class_changed",
                       resolved=cls)
    return cls


@transaction.atomic
def evidence_item_adopt(*, actor: Any, item: EvidenceItem, adopted: bool) -> EvidenceItem:
    """Mark an item as used (or no longer used) as evidence for the decision (采信): its files
    become permanent (or return to their class). Needs the right to change the case's
    evidence (an archived case is read-only)."""
    from .services._access import require_evidence_change

    case = item.case
    require_evidence_change(actor, case)
    locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    if locked.adopted == adopted:
        item.adopted = adopted
        return item
    locked.adopted = adopted
    locked.save(update_fields=["adopted", "updated_at"])
    item.adopted = adopted
    ledger_append(actor=actor, event=ITEM_UPDATED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "item": str(locked.public_id),
                           "seq": locked.seq, "title": locked.title, "adopted": adopted,
                           "change": "adopted" if adopted else "not_adopted"})
    files = (EvidenceFile.objects.select_for_update(of=("self",))
             .filter(item=locked, state=FileState.ACTIVE)
             .select_related("retention_class").order_by("id"))
    resolved = resolve_class(case)
    for f in files:
        _apply(actor=actor, f=f, case=case, item=locked, resolved=resolved,
               reason="adopted" if adopted else "not_adopted")
    return item


@transaction.atomic
def file_retention_set(*, actor: Any, file: EvidenceFile,
                       retention_class: RetentionClass | None) -> EvidenceFile:
    """Put one file in a class chosen by hand (None: back to the resolved class). The class
    must be in use and belong to the case's body or to the installation. Allowed on archived
    cases: retention is custody of the bytes, not a change of the case file."""
    case = file.case
    _require_manage(actor, case.body)
    f = (EvidenceFile.objects.select_for_update(of=("self",))
         .select_related("item", "retention_class").get(pk=file.pk))
    if f.state != FileState.ACTIVE:
        raise ApplicationError(_("This file has been disposed of."), code="file_disposed")
    if retention_class is not None and (
            not retention_class.active
            or retention_class.body_id not in (None, case.body_id)):
        raise NotFound(_("Retention class not found."), code="retention_class_not_found")
    manual = retention_class is not None
    if manual == bool(f.meta.get(MANUAL_KEY)) and (
            not manual or f.retention_class_id == retention_class.pk):  # type: ignore[union-attr]
        return f
    before = _state(f)
    if manual:
        f.meta = {**f.meta, MANUAL_KEY: True}
        f.retention_class = retention_class
    else:
        f.meta = {k: v for k, v in f.meta.items() if k != MANUAL_KEY}
    _apply(actor=actor, f=f, case=case, item=f.item, before=before,
           reason="set_by_hand" if manual else "class_resolved")
    return f
