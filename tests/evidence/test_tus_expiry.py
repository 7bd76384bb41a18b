"""Expiration: unfinished uploads past their expiry lose their bytes and answer 410; the
sweep leaves live uploads alone and removes stray partial files."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import uuid
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from zhifa.core import tasks
from zhifa.evidence.models import Upload, UploadState
from zhifa.evidence.tus import uploads_expire

from . import test_tus_support
from .factories import a_case
from .test_tus_support import (
    TUS,
    create,
    evidence_counts,
    files_in,
    head,
    patch,
    path_of,
    png_bytes,
    upload_all,
    upload_of,
)

client = test_tus_support.client  # the fixture: the case officer's logged-in client


def _part(url: str) -> Path:
    return Path(settings.ZHIFA_UPLOAD_DIR) / f"{upload_of(url).public_id}.part"


def _age(path: Path, hours: float) -> None:
    then = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


def test_expired_uploads_lose_their_bytes_and_answer_410(a, client) -> None:
    case = a_case(a)
    data = png_bytes(30_000)
    old_url = path_of(create(client, case, len(data)))
    patch(client, old_url, data[:10_000], 0)
    fresh_url = path_of(create(client, case, len(data)))
    patch(client, fresh_url, data[:5_000], 0)
    done_url, _r = upload_all(client, case, data[:2_000])
    Upload.objects.filter(pk=upload_of(old_url).pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1))
    before = evidence_counts()

    assert uploads_expire() == 1

    old = upload_of(old_url)
    assert (old.state, old.offset) == (UploadState.EXPIRED, 10_000)
    assert not _part(old_url).exists()
    assert _part(fresh_url).stat().st_size == 5_000
    assert upload_of(fresh_url).state == UploadState.OPEN
    assert upload_of(done_url).state == UploadState.COMPLETE
    assert evidence_counts() == before
    for r in (head(client, old_url), patch(client, old_url, data[10_000:], 10_000),
              client.delete(old_url, **TUS)):
        assert r.status_code == 410 and r["Zhifa-Error"] == "upload_expired"
    assert uploads_expire() == 0  # nothing left to do: running again is harmless


def test_an_upload_past_its_expiry_is_410_even_before_the_sweep(a, client) -> None:
    case = a_case(a)
    data = png_bytes(20_000)
    url = path_of(create(client, case, len(data)))
    patch(client, url, data[:10_000], 0)
    Upload.objects.filter(pk=upload_of(url).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    before = evidence_counts()
    r = patch(client, url, data[10_000:], 10_000)
    assert r.status_code == 410 and r.json()["code"] == "upload_expired"
    assert head(client, url).status_code == 410
    assert upload_of(url).offset == 10_000 and evidence_counts() == before


def test_the_sweep_leaves_an_upload_being_written_alone(a, client) -> None:
    case = a_case(a)
    url = path_of(create(client, case, 100))
    Upload.objects.filter(pk=upload_of(url).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    with open(_part(url), "r+b") as writer:  # a PATCH holds the upload
        fcntl.flock(writer.fileno(), fcntl.LOCK_EX)
        assert uploads_expire() == 0
        assert upload_of(url).state == UploadState.OPEN and _part(url).exists()
    assert uploads_expire() == 1 and upload_of(url).state == UploadState.EXPIRED


def test_the_sweep_removes_stray_partial_files_only_when_old(a, client) -> None:
    case = a_case(a)
    live_url = path_of(create(client, case, 100))
    _age(_part(live_url), 5)  # old, but its upload is open: kept
    directory = Path(settings.ZHIFA_UPLOAD_DIR)
    stray_old = directory / f"{uuid.uuid4()}.part"
    stray_new = directory / f"{uuid.uuid4()}.part"
    stage_old = directory / f"{upload_of(live_url).public_id}.stage"
    unrelated = directory / "README"
    for path in (stray_old, stray_new, stage_old, unrelated):
        path.write_bytes(b"x")
    _age(stray_old, 2)
    _age(stage_old, 2)
    _age(unrelated, 2)
    stray_stage = directory / f"{uuid.uuid4()}.stage"
    stray_stage.write_bytes(b"x")
    _age(stray_stage, 2)
    assert uploads_expire() == 0
    # an open upload's files stay, even old ones (a stage link may be in use right now)
    assert files_in(directory) == sorted([_part(live_url).name, stage_old.name,
                                          stray_new.name, "README"])


def test_command_and_task(a, client) -> None:
    case = a_case(a)
    url = path_of(create(client, case, 100))
    Upload.objects.filter(pk=upload_of(url).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    out = StringIO()
    call_command("evidence", "expire-uploads", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"expired": 1}
    out = StringIO()
    call_command("evidence", "expire-uploads", stdout=out)
    assert out.getvalue().strip() == "已清除 0 个过期的上传任务。"
    url2 = path_of(create(client, case, 100))
    Upload.objects.filter(pk=upload_of(url2).pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.run("evidence.expire_uploads") == 1
    assert upload_of(url2).state == UploadState.EXPIRED


def test_expiry_at_a_given_time(a, client) -> None:
    case = a_case(a)
    url = path_of(create(client, case, 100))
    expires = upload_of(url).expires_at
    assert uploads_expire(now=expires - dt.timedelta(seconds=1)) == 0
    assert uploads_expire(now=expires) == 1
    assert not _part(url).exists()
