"""The register of recording devices: who may keep it, what it refuses, what it records."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from zhifa.core.errors import ApplicationError
from zhifa.evidence.models import RecordingDevice
from zhifa.evidence.services.devices import device_save
from zhifa.ledger.models import LedgerEntry

DEVICE_SAVED = 5016


def state() -> tuple[list[dict[str, Any]], int]:
    return list(RecordingDevice.objects.order_by("id").values()), LedgerEntry.objects.count()


def camera(a: Any, serial: str = "BC-0001", actor: Any = None, **kwargs: Any) -> RecordingDevice:
    kwargs.setdefault("kind", "body_camera")
    kwargs.setdefault("reviewed_on", dt.date(2026, 1, 5))
    return device_save(actor=actor or a.u_head, body=a.body, serial=serial, **kwargs)


def test_head_registers_a_device_on_the_config_stream(a) -> None:
    d = camera(a, model_name="DSJ-V9", holder=a.officer, review_note="市监技审〔2026〕1号")
    assert (d.body, d.serial, d.kind, d.holder, d.status) == (
        a.body, "BC-0001", "body_camera", a.officer, "active")
    [entry] = LedgerEntry.objects.filter(stream="evidence.config", event_code=DEVICE_SAVED)
    payload = json.loads(entry.payload)
    assert payload["serial"] == "BC-0001" and payload["created"] is True
    assert payload["holder"] == "李明" and payload["reviewed_on"] == "2026-01-05"
    assert entry.body_id == a.body.pk and entry.actor_id == a.u_head.pk


def test_change_records_what_changed_and_an_unchanged_save_records_nothing(a) -> None:
    d = camera(a)
    same = camera(a, device=d)
    assert same.pk == d.pk
    assert LedgerEntry.objects.filter(event_code=DEVICE_SAVED).count() == 1
    changed = camera(a, device=d, status="retired", location="一号执法车")
    assert (changed.status, changed.location) == ("retired", "一号执法车")
    last = LedgerEntry.objects.filter(event_code=DEVICE_SAVED).order_by("-seq").first()
    assert json.loads(last.payload)["changed"] == ["location", "status"]


@pytest.mark.parametrize("kwargs,code", [
    ({"serial": "  "}, "serial_required"),
    ({"kind": "drone"}, "invalid_device_kind"),
    ({"status": "lost"}, "invalid_device_status"),
    ({"reviewed_on": "tomorrow"}, "review_date_future"),
    ({"clock_checked_on": "tomorrow"}, "clock_check_future"),
    ({"holder": "other"}, "holder_out_of_body"),
    ({"serial": "BC-0001"}, "serial_taken"),
])
def test_invalid_devices_are_refused_and_nothing_changes(a, kwargs, code) -> None:
    camera(a)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    values = {k: (tomorrow if v == "tomorrow" else a.u_other.person if v == "other" else v)
              for k, v in kwargs.items()}
    values.setdefault("serial", "BC-0002")
    before = state()
    with pytest.raises(ApplicationError) as err:
        camera(a, **values)
    assert err.value.code == code
    assert state() == before


def test_serial_unique_per_body_only(a) -> None:
    camera(a)
    from tests import factories as f
    from zhifa.orgs.models import AccountRole

    other_head = f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.HEAD,))
    d = device_save(actor=other_head, body=a.other_body, serial="BC-0001", kind="camera")
    assert d.body == a.other_body


def test_renaming_onto_a_taken_serial_is_refused(a) -> None:
    camera(a, serial="BC-0001")
    d = camera(a, serial="BC-0002")
    before = state()
    with pytest.raises(ApplicationError) as err:
        camera(a, serial="BC-0001", device=d)
    assert err.value.code == "serial_taken" and state() == before


@pytest.mark.parametrize("who,code", [
    ("u_officer", "missing_manage_recording"),
    ("u_supervisor", "missing_manage_recording"),
    ("u_other", "missing_manage_recording"),
])
def test_only_managers_of_the_body_register_devices(a, who, code) -> None:
    before = state()
    with pytest.raises(ApplicationError) as err:
        camera(a, actor=getattr(a, who))
    assert (err.value.code, err.value.status) == (code, 403)
    assert state() == before


def test_head_of_another_body_cannot_touch_this_register(a) -> None:
    from tests import factories as f
    from zhifa.orgs.models import AccountRole

    d = camera(a)
    other_head = f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.HEAD,))
    before = state()
    with pytest.raises(ApplicationError) as err:
        device_save(actor=other_head, body=a.body, serial="X-1", kind="camera")
    assert err.value.code == "body_out_of_scope"
    with pytest.raises(ApplicationError) as err:
        device_save(actor=other_head, body=a.other_body, serial="X-1", kind="camera", device=d)
    assert err.value.code == "device_body_fixed"
    assert state() == before


def test_system_administrator_may_register_for_any_body(a) -> None:
    d = device_save(actor=a.u_sysadmin, body=a.other_body, serial="FX-1", kind="fixed_monitor",
                    location="荷塘区执法大厅")
    assert d.body == a.other_body
    entry = LedgerEntry.objects.get(event_code=DEVICE_SAVED)
    assert entry.body_id == a.other_body.pk
