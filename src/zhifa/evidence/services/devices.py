"""Recording devices (执法记录仪、摄像机、固定监控设备): the register each body keeps of the
equipment that records its enforcement. APL art. 41 requires electronic monitoring equipment to
pass a legal and technical review before use; the review date is recorded here, and a device
without one is flagged wherever its recordings are shown (uploads are never refused for it:
the footage is evidence whatever the state of the register)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody, Person
from zhifa.orgs.permissions import Perm, perms_of

from ..events import DEVICE_SAVED
from ..models import DeviceKind, DeviceStatus, RecordingDevice

CONFIG_STREAM = "evidence.config"

DEVICE_FIELDS = frozenset({"serial", "kind", "model_name", "holder", "location", "reviewed_on",
                           "review_note", "clock_checked_on", "status"})


def may_manage_recording(actor: Any, body: EnforcementBody) -> bool:
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return Perm.MANAGE_RECORDING in perms and actor.person.body_id == body.pk


def require_recording_management(actor: Any, body: EnforcementBody) -> None:
    """Heads and body administrators keep their own body's register; system administrators
    any body's; supervisors only read."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if Perm.MANAGE_RECORDING not in perms:
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_manage_recording")
    if actor.person.body_id != body.pk:
        raise PermissionDenied(_("You can only manage the recording devices of your own "
                                 "enforcement body."), code="body_out_of_scope")


def _not_future(day: dt.date | None, label: str, code: str) -> None:
    if day is not None and day > timezone.localdate():
        raise InvalidInput(_("%(field)s cannot be in the future.") % {"field": label},
                           code=code)


def device_payload(device: RecordingDevice, *, created: bool,
                   changed: list[str]) -> dict[str, Any]:
    return {
        "device": str(device.public_id), "serial": device.serial, "kind": device.kind,
        "model_name": device.model_name,
        "holder": device.holder.name if device.holder else None,
        "holder_id": str(device.holder.public_id) if device.holder else None,
        "location": device.location,
        "reviewed_on": device.reviewed_on.isoformat() if device.reviewed_on else None,
        "review_note": device.review_note,
        "clock_checked_on": (device.clock_checked_on.isoformat()
                             if device.clock_checked_on else None),
        "status": device.status, "created": created, "changed": changed,
    }


@transaction.atomic
def device_save(
    *, actor: Any, body: EnforcementBody, serial: str, kind: str, model_name: str = "",
    holder: Person | None = None, location: str = "", reviewed_on: dt.date | None = None,
    review_note: str = "", clock_checked_on: dt.date | None = None,
    status: str = DeviceStatus.ACTIVE, device: RecordingDevice | None = None,
) -> RecordingDevice:
    """Register a device (``device`` None) or change one. Every field is given each time
    (a form's whole state); an unchanged save records nothing."""
    require_recording_management(actor, body)
    if device is not None and device.body_id != body.pk:
        raise InvalidInput(_("A device stays with the enforcement body that registered it."),
                           code="device_body_fixed")
    serial = (serial or "").strip()
    if not serial:
        raise InvalidInput(_("Give the device's serial number."), code="serial_required")
    if kind not in DeviceKind.values:
        raise InvalidInput(_("Unknown kind of device: %(kind)s.") % {"kind": kind},
                           code="invalid_device_kind")
    if status not in DeviceStatus.values:
        raise InvalidInput(_("Unknown device status: %(status)s.") % {"status": status},
                           code="invalid_device_status")
    if holder is not None and holder.body_id != body.pk:
        raise InvalidInput(_("%(name)s is not a member of this enforcement body.")
                           % {"name": holder.name}, code="holder_out_of_body")
    _not_future(reviewed_on, _("The review date"), "review_date_future")
    _not_future(clock_checked_on, _("The clock check date"), "clock_check_future")
    taken = RecordingDevice.objects.filter(body=body, serial=serial)
    if device is not None:
        taken = taken.exclude(pk=device.pk)
    if taken.exists():
        raise InvalidInput(_("This body already has a device with serial number %(serial)s.")
                           % {"serial": serial}, code="serial_taken")
    values: dict[str, Any] = {
        "serial": serial[:64], "kind": kind, "model_name": (model_name or "").strip()[:128],
        "holder": holder, "location": (location or "").strip()[:200],
        "reviewed_on": reviewed_on, "review_note": (review_note or "").strip()[:200],
        "clock_checked_on": clock_checked_on, "status": status,
    }
    created = device is None
    if device is None:
        try:
            with transaction.atomic():
                device = RecordingDevice.objects.create(body=body, **values)
        except IntegrityError:  # the same serial registered at the same moment
            raise InvalidInput(_("This body already has a device with serial number "
                                 "%(serial)s.") % {"serial": serial},
                               code="serial_taken") from None
        changed = sorted(values)
    else:
        device = RecordingDevice.objects.select_for_update().get(pk=device.pk)
        changed = sorted(name for name, value in values.items()
                         if getattr(device, name) != value)
        if not changed:
            return device
        for name in changed:
            setattr(device, name, values[name])
        device.save(update_fields=[*changed, "updated_at"])
    ledger_append(actor=actor, event=DEVICE_SAVED, stream=CONFIG_STREAM, body=body,
                  payload=device_payload(device, created=created, changed=changed))
    return device
