"""Background tasks: inline after commit (never on rollback), or sent to Celery after commit;
the Celery app knows every zhifa task and schedules the periodic sweeps. No broker needed:
sending is captured, running is Celery's eager ``apply``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from zhifa.core import tasks
from zhifa.evidence.models import AvRecord, ProbeState

from .factories import a_case, item, make_video, stored

calls: list[dict[str, Any]] = []


@tasks.task("tests.h3_record")
def _record(**kwargs: Any) -> str:
    calls.append(kwargs)
    return "ran"


@tasks.task("tests.h3_boom")
def _boom(**kwargs: Any) -> None:
    calls.append({"boom": True})
    raise RuntimeError("task failed")


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    calls.clear()


def test_celery_app_has_every_registered_task_and_the_beat_schedule() -> None:
    from zhifa.celery_app import BEAT_SCHEDULE, app, register_all

    register_all()  # the tasks of this module were registered after the app was imported
    names = set(tasks.registered())
    assert {"evidence.probe", "evidence.scrub", "evidence.expire_uploads",
            "documents.serve_due", "reviews.alerts", "disclosure.alerts"} <= names
    assert names <= set(app.tasks)
    assert {e["task"] for e in BEAT_SCHEDULE.values()} == {"evidence.scrub",
                                                           "evidence.expire_uploads",
                                                           "documents.serve_due",
                                                           "reviews.alerts",
                                                           "disclosure.alerts"}
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in names
    assert app.conf.beat_schedule == BEAT_SCHEDULE
    scrub = BEAT_SCHEDULE["evidence.scrub"]["schedule"]
    hourly = BEAT_SCHEDULE["evidence.expire_uploads"]["schedule"]
    assert len(scrub.hour) == 1 and len(scrub.minute) == 1  # once a day
    assert len(hourly.hour) == 24 and len(hourly.minute) == 1  # once an hour
    assert app.conf.task_serializer == "json"


def test_celery_task_forwards_to_the_zhifa_task() -> None:
    from zhifa.celery_app import app, register_all

    register_all()
    result = app.tasks["tests.h3_record"].apply(kwargs={"case_id": 7})
    assert result.get() == "ran" and calls == [{"case_id": 7}]


def test_probe_runs_through_celery(a, tmp_path) -> None:
    from zhifa.celery_app import app

    f = stored(a, item(a, a_case(a)), make_video(tmp_path / "v.mp4").read_bytes(), "v.mp4")
    assert AvRecord.objects.get(file=f).probe_state == ProbeState.PENDING
    app.tasks["evidence.probe"].apply(kwargs={"file_id": f.pk}).get()
    record = AvRecord.objects.get(file=f)
    assert record.probe_state == ProbeState.DONE and record.duration_ms


@pytest.mark.django_db(transaction=True)
def test_inline_task_runs_after_commit_and_never_after_rollback(settings) -> None:
    settings.ZHIFA_TASKS = "inline"
    with transaction.atomic():
        tasks.enqueue("tests.h3_record", n=1)
        assert calls == []  # not before the commit
    assert calls == [{"n": 1}]
    with pytest.raises(ValueError), transaction.atomic():
        tasks.enqueue("tests.h3_record", n=2)
        raise ValueError("rolled back")
    assert calls == [{"n": 1}]
    tasks.enqueue("tests.h3_record", n=3)  # outside a transaction: at once
    assert calls == [{"n": 1}, {"n": 3}]


@pytest.mark.django_db(transaction=True)
def test_failing_inline_task_does_not_break_the_committed_request(settings, caplog) -> None:
    settings.ZHIFA_TASKS = "inline"
    with transaction.atomic():
        tasks.enqueue("tests.h3_boom")
    assert calls == [{"boom": True}]
    assert "background task tests.h3_boom failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_celery_mode_sends_after_commit_only(settings, monkeypatch) -> None:
    from zhifa.celery_app import app

    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(app, "send_task", lambda name, kwargs: sent.append((name, kwargs)))
    settings.ZHIFA_TASKS = "celery"
    with transaction.atomic():
        tasks.enqueue("tests.h3_record", n=1)
        assert sent == []
    assert sent == [("tests.h3_record", {"n": 1})] and calls == []
    with pytest.raises(ValueError), transaction.atomic():
        tasks.enqueue("tests.h3_record", n=2)
        raise ValueError("rolled back")
    assert sent == [("tests.h3_record", {"n": 1})]


def test_unknown_task_is_refused_at_once() -> None:
    with pytest.raises(KeyError):
        tasks.enqueue("tests.no_such_task")
