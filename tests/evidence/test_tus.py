"""The tus 1.0 server through HTTP: creation, PATCHes, completion into evidence, resume,
checksums, refusals (every one changes nothing), termination."""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import fcntl
import hashlib
import itertools
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from zhifa.evidence import tus
from zhifa.evidence.models import (
    AvRecord,
    Blob,
    EvidenceFile,
    EvidenceItem,
    ItemState,
    RecordingDevice,
    UploadState,
)
from zhifa.evidence.storage import get_storage
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import Person

from . import test_tus_support
from .factories import PNG_1PX, a_case, item, make_video
from .test_tus_support import (
    OCTETS,
    TUS,
    MiB,
    ShortStream,
    checksum_of,
    counts,
    create,
    evidence_counts,
    files_in,
    head,
    meta_header,
    patch,
    patch_stream,
    path_of,
    png_bytes,
    sm3,
    upload_all,
    upload_of,
)

client = test_tus_support.client  # the fixture: the case officer's logged-in client


def _file_entries(case) -> list[LedgerEntry]:  # type: ignore[no-untyped-def]
    return list(LedgerEntry.objects.filter(stream=case.stream, event_code=5003).order_by("seq"))


# --- Discovery and protocol checks --------------------------------------------------------------
def test_options_advertise_version_extensions_size_and_checksums(client) -> None:
    for url in ("/uploads/", "/uploads/00000000-0000-0000-0000-000000000000"):
        r = client.options(url)
        assert r.status_code == 204
        assert r["Tus-Resumable"] == "1.0.0" and r["Tus-Version"] == "1.0.0"
        assert r["Tus-Extension"] == "creation,checksum,termination,expiration"
        assert r["Tus-Max-Size"] == str(settings.ZHIFA_EVIDENCE_MAX_BYTES)
        assert r["Tus-Checksum-Algorithm"] == "sha1,sha256,md5"


def test_anonymous_gets_401_json_and_nothing_is_created(a) -> None:
    case = a_case(a)
    before = counts()
    r = create(Client(), case, 10)
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    assert counts() == before


def test_wrong_tus_version_is_412(a, client) -> None:
    case = a_case(a)
    before = counts()
    r = client.post("/uploads/", HTTP_UPLOAD_LENGTH="10", HTTP_TUS_RESUMABLE="0.2.2",
                    HTTP_UPLOAD_METADATA=meta_header(case=case.number, kind="electronic"))
    assert r.status_code == 412 and r["Tus-Version"] == "1.0.0"
    assert r.json()["code"] == "tus_version_unsupported"
    assert counts() == before


def test_csrf_token_is_required_for_changes(a) -> None:
    case = a_case(a)
    c = Client(enforce_csrf_checks=True)
    c.force_login(a.u_officer)
    token = "k" * 32  # the secret the cookie would carry
    c.cookies["csrftoken"] = token
    before = counts()
    r = create(c, case, len(PNG_1PX))
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert counts() == before
    url = path_of(c.post("/uploads/", HTTP_UPLOAD_LENGTH=str(len(PNG_1PX)), HTTP_X_CSRFTOKEN=token,
                         HTTP_UPLOAD_METADATA=meta_header(case=case.number, kind="physical"),
                         **TUS))
    r = patch(c, url, PNG_1PX, 0)
    assert r.status_code == 403 and upload_of(url).offset == 0
    r = patch(c, url, PNG_1PX, 0, HTTP_X_CSRFTOKEN=token)
    assert r.status_code == 204 and r["Upload-Offset"] == str(len(PNG_1PX))


# --- The whole path ------------------------------------------------------------------------------
def test_create_patch_in_chunks_and_complete_into_evidence(a, client) -> None:
    case = a_case(a)
    data = png_bytes(3 * MiB + 12345)
    before_ledger = LedgerEntry.objects.count()
    r = create(client, case, len(data), filename="现场照片.png", kind="physical",
               title="现场照片", source="当事人仓库", place="长沙市芙蓉区某路1号",
               collected_at="2026-09-02T10:30:00")
    assert r.status_code == 201 and r["Tus-Resumable"] == "1.0.0"
    assert r["Location"].startswith("http://testserver/uploads/")
    expires = email.utils.parsedate_to_datetime(r["Upload-Expires"])
    assert dt.timedelta(hours=71) < expires - timezone.now() <= dt.timedelta(hours=72)
    url = path_of(r)
    upload = upload_of(url)
    assert (upload.length, upload.offset, upload.state) == (len(data), 0, UploadState.OPEN)
    assert upload.filename == "现场照片.png" and upload.metadata["case"] == case.number
    part = Path(settings.ZHIFA_UPLOAD_DIR) / f"{upload.public_id}.part"
    assert part.is_file() and part.stat().st_size == 0

    cuts = [0, 5000, 1_500_000, 2 * MiB + 7, len(data)]
    for i, (start, end) in enumerate(itertools.pairwise(cuts)):
        chunk = data[start:end]
        r = patch(client, url, chunk, start,
                  checksum=checksum_of(chunk, ("sha256", "md5", "sha1", "sha256")[i]))
        assert r.status_code == 204, r.content
        assert r["Upload-Offset"] == str(end)
        if end < len(data):
            assert "Zhifa-File" not in r and r["Upload-Expires"]
            assert head(client, url)["Upload-Offset"] == str(end)
            assert part.stat().st_size == end
            assert EvidenceFile.objects.count() == 0

    f = EvidenceFile.objects.get()
    assert r["Zhifa-File"] == str(f.public_id) and r["Zhifa-Item"] == str(f.item.public_id)
    assert r["Zhifa-Sha256"] == hashlib.sha256(data).hexdigest() == f.blob.sha256
    assert r["Zhifa-Sm3"] == sm3(data) == f.blob.sm3
    assert (f.size, f.mime, f.filename, f.uploaded_by) == (len(data), "image/png",
                                                            "现场照片.png", a.u_officer)
    it = f.item
    assert (it.kind, it.title, it.source, it.place) == ("physical", "现场照片", "当事人仓库",
                                                        "长沙市芙蓉区某路1号")
    assert it.collected_at == dt.datetime(2026, 9, 2, 2, 30, tzinfo=dt.UTC)
    with get_storage().open(f.blob.key) as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == f.blob.sha256
    entries = _file_entries(case)
    assert [e.seq for e in entries] == [f.ledger_seq]
    payload = json.loads(entries[0].payload)
    assert (payload["sha256"], payload["sm3"], payload["size"]) == (
        f.blob.sha256, f.blob.sm3, len(data))
    # item created (5001) + file uploaded (5003): nothing else
    assert LedgerEntry.objects.count() == before_ledger + 2
    upload.refresh_from_db()
    assert (upload.state, upload.offset, upload.file) == (UploadState.COMPLETE, len(data), f)
    assert not part.exists() and files_in(settings.ZHIFA_UPLOAD_DIR) == []

    r = head(client, url)
    assert r.status_code == 200
    assert (r["Upload-Offset"], r["Upload-Length"]) == (str(len(data)), str(len(data)))
    assert (r["Zhifa-File"], r["Zhifa-Sha256"], r["Zhifa-Sm3"]) == (
        str(f.public_id), f.blob.sha256, f.blob.sm3)
    assert r["Cache-Control"] == "no-store"
    # the last PATCH again (its answer was lost): the same answer, nothing new
    before = counts()
    r = patch(client, url, b"", len(data))
    assert r.status_code == 204 and r["Zhifa-File"] == str(f.public_id)
    assert counts() == before


def test_a_file_added_to_an_existing_item_and_metadata_echoed(a, client) -> None:
    case = a_case(a)
    it = item(a, case, kind="documentary", title="进货单")
    url = path_of(create(client, case.public_id.hex, len(PNG_1PX), item=str(it.public_id),
                         filename="C:\\扫描\\进货单.png"))
    r = head(client, url)
    assert r["Upload-Offset"] == "0" and r["Upload-Length"] == str(len(PNG_1PX))
    echoed = dict(pair.split(" ") for pair in r["Upload-Metadata"].split(","))
    assert base64.b64decode(echoed["filename"]).decode() == "进货单.png"
    assert base64.b64decode(echoed["item"]).decode() == str(it.public_id)
    items = EvidenceItem.objects.count()
    assert patch(client, url, PNG_1PX, 0).status_code == 204
    f = EvidenceFile.objects.get()
    assert f.item == it and f.filename == "进货单.png" and EvidenceItem.objects.count() == items


def test_the_same_bytes_uploaded_twice_are_stored_once(a, client) -> None:
    case = a_case(a)
    data = png_bytes(MiB + 99)
    upload_all(client, case, data, chunk=700_000, filename="a.png")
    upload_all(client, case, data, chunk=MiB, filename="b.png")
    files = list(EvidenceFile.objects.order_by("id"))
    assert [f.filename for f in files] == ["a.png", "b.png"]
    assert files[0].blob_id == files[1].blob_id and Blob.objects.count() == 1
    assert len(files_in(settings.ZHIFA_EVIDENCE_DIR)) == 1
    payloads = [json.loads(e.payload) for e in _file_entries(case)]
    assert [p["stored_new"] for p in payloads] == [True, False]
    assert {p["sha256"] for p in payloads} == {hashlib.sha256(data).hexdigest()}


def test_video_upload_gets_its_av_record_and_metadata(a, client, tmp_path) -> None:
    case = a_case(a)
    device = RecordingDevice.objects.create(body=a.body, kind="body_camera", serial="BC-0042")
    data = make_video(tmp_path / "v.mp4").read_bytes()
    url, _r = upload_all(client, case, data, chunk=64 * 1024, filename="v.mp4",
                        kind="audio_visual", device="BC-0042", officer=str(a.officer.public_id),
                        started_at="2026-09-02T09:00:00", ended_at="2026-09-02T09:00:02+08:00",
                        latitude="28.19", longitude="112.98")
    f = EvidenceFile.objects.get()
    assert f.mime == "video/mp4" and f.is_video
    record = AvRecord.objects.get(file=f)
    assert record.file_id == f.pk
    meta = upload_of(url).metadata
    assert (meta["device"], meta["officer"], meta["started_at"]) == (
        "BC-0042", str(a.officer.public_id), "2026-09-02T09:00:00")
    assert device.pk  # registered in the case's body: accepted at creation


# --- Resume ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("error", [None, ConnectionResetError("peer gone")])
def test_an_interrupted_patch_keeps_what_arrived_and_resumes(a, client, error) -> None:
    case = a_case(a)
    data = png_bytes(2 * MiB + 500)
    url = path_of(create(client, case, len(data)))
    got = 1_234_567
    stream = ShortStream(data[:got], error)
    r = patch_stream(client, url, stream, 0, claimed=len(data))
    assert r.status_code == 204 and r["Upload-Offset"] == str(got)
    assert max(stream.reads) <= MiB  # read in chunks, never all at once
    assert head(client, url)["Upload-Offset"] == str(got)
    assert EvidenceFile.objects.count() == 0
    r = patch(client, url, data[got:], got)
    assert r.status_code == 204 and r["Upload-Offset"] == str(len(data))
    f = EvidenceFile.objects.get()
    assert f.blob.sha256 == hashlib.sha256(data).hexdigest() and f.blob.sm3 == sm3(data)


def test_resume_in_another_process_rebuilds_the_hash_state(a, client) -> None:
    case = a_case(a)
    data = png_bytes(3 * MiB)
    url = path_of(create(client, case, len(data)))
    assert patch(client, url, data[:MiB + 3], 0).status_code == 204
    tus._hashers.clear()  # as if the next PATCH reached another worker
    assert patch(client, url, data[MiB + 3:2 * MiB], MiB + 3).status_code == 204
    tus._hashers.clear()
    r = patch(client, url, data[2 * MiB:], 2 * MiB)
    assert r["Zhifa-Sha256"] == hashlib.sha256(data).hexdigest() and r["Zhifa-Sm3"] == sm3(data)


def test_bytes_written_but_never_committed_are_cut_off(a, client) -> None:
    case = a_case(a)
    data = png_bytes(200_000)
    url = path_of(create(client, case, len(data)))
    patch(client, url, data[:100_000], 0)
    part = Path(settings.ZHIFA_UPLOAD_DIR) / f"{upload_of(url).public_id}.part"
    with open(part, "ab") as fh:  # a crash after writing, before the offset moved
        fh.write(b"garbage" * 1000)
    r = patch(client, url, data[100_000:], 100_000)
    assert r.status_code == 204
    assert EvidenceFile.objects.get().blob.sha256 == hashlib.sha256(data).hexdigest()


def test_bytes_lost_on_disk_move_the_offset_back(a, client) -> None:
    case = a_case(a)
    data = png_bytes(300_000)
    url = path_of(create(client, case, len(data)))
    patch(client, url, data[:200_000], 0)
    part = Path(settings.ZHIFA_UPLOAD_DIR) / f"{upload_of(url).public_id}.part"
    os.truncate(part, 150_000)
    r = patch(client, url, data[200_000:], 200_000)
    assert r.status_code == 409 and r.json()["code"] == "offset_mismatch"
    assert r["Upload-Offset"] == "150000" and head(client, url)["Upload-Offset"] == "150000"
    assert patch(client, url, data[150_000:], 150_000).status_code == 204
    assert EvidenceFile.objects.get().blob.sha256 == hashlib.sha256(data).hexdigest()


# --- Refusals: each changes nothing --------------------------------------------------------------
def test_wrong_checksum_is_460_and_nothing_moves(a, client) -> None:
    case = a_case(a)
    data = png_bytes(2 * MiB)
    url = path_of(create(client, case, len(data)))
    assert patch(client, url, data[:MiB], 0).status_code == 204
    part = Path(settings.ZHIFA_UPLOAD_DIR) / f"{upload_of(url).public_id}.part"
    before = counts()
    bad = checksum_of(data[MiB:] + b"x")
    r = patch(client, url, data[MiB:], MiB, checksum=bad)
    assert r.status_code == 460 and r.json()["code"] == "checksum_mismatch"
    assert upload_of(url).offset == MiB and part.stat().st_size == MiB
    assert head(client, url)["Upload-Offset"] == str(MiB)
    assert counts() == before
    # the hash state rolled back too: the right chunk now gives the right hashes
    r = patch(client, url, data[MiB:], MiB, checksum=checksum_of(data[MiB:], "sha1"))
    assert r.status_code == 204
    assert r["Zhifa-Sha256"] == hashlib.sha256(data).hexdigest() and r["Zhifa-Sm3"] == sm3(data)


@pytest.mark.parametrize(("header", "code"), [
    ("crc32 AAAA", "checksum_algorithm_unsupported"),
    ("sha256 not-base64!", "invalid_checksum"),
    ("md5 " + base64.b64encode(b"short").decode(), "invalid_checksum"),
])
def test_malformed_checksum_header_is_400(a, client, header, code) -> None:
    case = a_case(a)
    url = path_of(create(client, case, len(PNG_1PX)))
    before = counts()
    r = patch(client, url, PNG_1PX, 0, checksum=header)
    assert r.status_code == 400 and r.json()["code"] == code
    assert counts() == before and upload_of(url).offset == 0


def test_an_incomplete_chunk_with_a_checksum_is_discarded(a, client) -> None:
    case = a_case(a)
    data = png_bytes(MiB)
    url = path_of(create(client, case, len(data)))
    r = patch_stream(client, url, ShortStream(data[:300_000]), 0, claimed=len(data),
                     HTTP_UPLOAD_CHECKSUM=checksum_of(data))
    assert r.status_code == 400 and r.json()["code"] == "body_incomplete"
    assert upload_of(url).offset == 0
    assert (Path(settings.ZHIFA_UPLOAD_DIR) / f"{upload_of(url).public_id}.part").stat().st_size \
        == 0


def test_oversize_is_refused_at_creation_and_during_patch(a, client, settings) -> None:
    case = a_case(a)
    settings.ZHIFA_EVIDENCE_MAX_BYTES = 1000
    before = counts()
    r = create(client, case, 1001)
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert r.json()["detail"] == {"max": 1000}
    assert counts() == before
    url = path_of(create(client, case, len(PNG_1PX)))
    before = counts()
    r = patch(client, url, PNG_1PX + b"extra", 0)
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert counts() == before and upload_of(url).offset == 0


ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(9000)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(300)
UNKNOWN = bytes(range(256)) * 40


@pytest.mark.parametrize(("data", "detected"), [
    (ELF, "application/x-executable"), (PE, "application/x-msdownload"),
    (ZIP, "application/zip"), (UNKNOWN, ""),
])
def test_disallowed_content_is_refused_with_a_message_and_deleted(a, client, data,
                                                                  detected) -> None:
    case = a_case(a)
    url = path_of(create(client, case, len(data), filename="harmless.mp4", filetype="video/mp4"))
    upload = upload_of(url)
    before = evidence_counts()
    r = patch(client, url, data, 0)
    assert r.status_code == 415
    body = r.json()
    assert body["code"] == "type_not_allowed" and body["detail"] == {"detected": detected}
    assert "harmless.mp4" in body["message"]
    assert evidence_counts() == before
    upload.refresh_from_db()
    assert (upload.state, upload.error_code, upload.offset) == (UploadState.REFUSED,
                                                                "type_not_allowed", 0)
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == []
    for r in (head(client, url), patch(client, url, data, 0)):
        assert r.status_code == 410 and r["Zhifa-Error"] == "upload_refused"


def test_content_is_judged_once_the_first_8_kib_are_in_even_across_patches(a, client) -> None:
    case = a_case(a)
    url = path_of(create(client, case, len(ELF) + MiB))
    assert patch(client, url, ELF[:100], 0).status_code == 204  # not enough to judge yet
    stream = ShortStream(ELF[100:] + bytes(MiB))
    r = patch_stream(client, url, stream, 100, claimed=len(ELF) - 100 + MiB)
    assert r.status_code == 415 and r.json()["detail"] == {"detected": "application/x-executable"}
    # refused on the first 8 KiB; the view then reads and drops the rest of the body in 1 MiB
    # pieces (the development server would otherwise read it in one piece), writing nothing
    assert stream.pos == len(ELF) - 100 + MiB
    assert upload_of(url).state == UploadState.REFUSED and EvidenceFile.objects.count() == 0
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == []


def test_a_shell_script_is_text_and_accepted_as_such(a, client) -> None:
    case = a_case(a)
    script = b"#!/bin/sh\necho '\xe7\x8e\xb0\xe5\x9c\xba\xe8\xae\xb0\xe5\xbd\x95'\nrm -rf /tmp/x\n"
    upload_all(client, case, script, filename="run.sh", kind="electronic")
    f = EvidenceFile.objects.get()
    assert f.mime == "text/plain" and f.size == len(script)


def test_a_case_of_another_body_is_not_found_and_nothing_is_created(a) -> None:
    case = a_case(a)
    c = Client()
    c.force_login(a.u_other)
    before = counts()
    r = create(c, case, 10)
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    r = create(c, "no-such-case", 10)
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    assert counts() == before


def test_another_users_upload_is_not_found_and_unchanged(a, client) -> None:
    case = a_case(a)
    data = png_bytes(20_000)
    url = path_of(create(client, case, len(data)))
    patch(client, url, data[:10_000], 0)
    for user in (a.u_officer2, a.u_other, a.u_head):
        c = Client()
        c.force_login(user)
        before = counts()
        for r in (head(c, url), patch(c, url, data[10_000:], 10_000),
                  c.delete(url, **TUS)):
            assert r.status_code == 404 and r["Zhifa-Error"] == "upload_not_found"
        assert counts() == before
    upload = upload_of(url)
    assert (upload.state, upload.offset) == (UploadState.OPEN, 10_000)


def test_a_supervisor_who_only_watches_is_refused_403(a) -> None:
    case = a_case(a)
    c = Client()
    c.force_login(a.u_supervisor)
    before = counts()
    r = create(c, case, 10)
    assert r.status_code == 403 and r.json()["code"] == "missing_handle_cases"
    assert counts() == before


def test_an_archived_case_refuses_uploads_409(a, client) -> None:
    case = a_case(a)
    data = png_bytes(20_000)
    url = path_of(create(client, case, len(data)))
    patch(client, url, data[:10_000], 0)
    case.status = "archived"
    case.save(update_fields=["status"])
    before = counts()
    r = create(client, case, 10)
    assert r.status_code == 409 and r.json()["code"] == "case_archived"
    r = patch(client, url, data[10_000:], 10_000)
    assert r.status_code == 409 and r.json()["code"] == "case_archived"
    assert counts() == before and upload_of(url).offset == 10_000


def test_an_archive_between_last_byte_and_completion_refuses_the_upload(a, client,
                                                                        monkeypatch) -> None:
    """The case is archived while the last PATCH streams: completion refuses, nothing
    partial becomes evidence, the upload is refused for good."""
    case = a_case(a)
    data = png_bytes(50_000)
    url = path_of(create(client, case, len(data)))
    real = tus._hasher_at

    def archive_then_hash(upload, offset, fh):  # type: ignore[no-untyped-def]
        if offset == len(data):
            type(case).objects.filter(pk=case.pk).update(status="archived")
        return real(upload, offset, fh)

    monkeypatch.setattr(tus, "_hasher_at", archive_then_hash)
    patch(client, url, data[:20_000], 0)
    before = evidence_counts()
    r = patch(client, url, data[20_000:], 20_000)
    assert r.status_code == 409 and r.json()["code"] == "case_archived"
    assert evidence_counts() == before
    upload = upload_of(url)
    assert (upload.state, upload.error_code) == (UploadState.REFUSED, "case_archived")
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == [] and files_in(settings.ZHIFA_EVIDENCE_DIR) \
        == []


def test_a_cancel_between_last_byte_and_completion_wins(a, client, monkeypatch) -> None:
    case = a_case(a)
    data = png_bytes(40_000)
    url = path_of(create(client, case, len(data)))
    real = tus._hasher_at

    def cancel_then_hash(upload, offset, fh):  # type: ignore[no-untyped-def]
        if offset == len(data):
            tus.upload_terminate(actor=a.u_officer, upload=upload_of(url))
        return real(upload, offset, fh)

    monkeypatch.setattr(tus, "_hasher_at", cancel_then_hash)
    before = evidence_counts()
    r = patch(client, url, data, 0)
    assert r.status_code == 410 and r.json()["code"] == "upload_terminated"
    assert evidence_counts() == before and upload_of(url).state == UploadState.TERMINATED
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == [] and files_in(settings.ZHIFA_EVIDENCE_DIR) \
        == []


def test_a_withdrawn_item_refuses_the_completion(a, client) -> None:
    case = a_case(a)
    it = item(a, case, kind="documentary", title="询问笔录")
    url = path_of(create(client, case, len(PNG_1PX), item=str(it.public_id)))
    EvidenceItem.objects.filter(pk=it.pk).update(state=ItemState.WITHDRAWN)
    before = evidence_counts()
    r = patch(client, url, PNG_1PX, 0)
    assert r.status_code == 409 and r.json()["code"] == "item_withdrawn"
    assert evidence_counts() == before and upload_of(url).state == UploadState.REFUSED


def test_an_unexpected_failure_at_completion_leaves_the_upload_open_for_a_retry(
        a, client, monkeypatch) -> None:
    case = a_case(a)
    data = png_bytes(30_000)
    url = path_of(create(client, case, len(data)))
    real = tus.evidence_file_create
    calls = []

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            real(**kwargs)  # stored, then the transaction fails
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(tus, "evidence_file_create", flaky)
    before = evidence_counts()
    c = Client(raise_request_exception=False)
    c.force_login(a.u_officer)
    r = patch(c, url, data, 0)
    assert r.status_code == 500
    assert evidence_counts() == before
    upload = upload_of(url)
    assert (upload.state, upload.offset) == (UploadState.OPEN, len(data))
    assert head(client, url)["Upload-Offset"] == str(len(data))
    assert "Zhifa-File" not in head(client, url)
    # an empty PATCH at the end retries the completion
    r = patch(client, url, b"", len(data))
    assert r.status_code == 204 and r["Zhifa-Sha256"] == hashlib.sha256(data).hexdigest()
    assert EvidenceFile.objects.count() == 1 and Blob.objects.count() == 1
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == []


def test_offset_mismatch_is_409_with_the_current_offset(a, client) -> None:
    case = a_case(a)
    data = png_bytes(30_000)
    url = path_of(create(client, case, len(data)))
    patch(client, url, data[:10_000], 0)
    before = counts()
    for wrong in (0, 9_999, 10_001):
        r = patch(client, url, data[wrong:], wrong)
        assert r.status_code == 409 and r.json()["code"] == "offset_mismatch"
        assert r.json()["detail"] == {"offset": 10_000} and r["Upload-Offset"] == "10000"
    assert counts() == before and upload_of(url).offset == 10_000


def test_a_second_writer_is_turned_away_while_the_first_holds_the_upload(a, client) -> None:
    case = a_case(a)
    data = png_bytes(30_000)
    url = path_of(create(client, case, len(data)))
    part = Path(settings.ZHIFA_UPLOAD_DIR) / f"{upload_of(url).public_id}.part"
    with open(part, "r+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        r = patch(client, url, data, 0)
        assert r.status_code == 409 and r.json()["code"] == "offset_mismatch"
        assert part.stat().st_size == 0 and upload_of(url).offset == 0
    assert patch(client, url, data, 0).status_code == 204


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({"content_type": "application/octet-stream"}, 415, "unsupported_content_type"),
    ({"HTTP_UPLOAD_OFFSET": "-1"}, 400, "invalid_offset"),
    ({"HTTP_UPLOAD_OFFSET": "abc"}, 400, "invalid_offset"),
    ({"HTTP_TRANSFER_ENCODING": "chunked"}, 411, "length_required"),
])
def test_malformed_patch_is_refused(a, client, headers, status, code) -> None:
    case = a_case(a)
    url = path_of(create(client, case, len(PNG_1PX)))
    before = counts()
    args = {"content_type": OCTETS, "HTTP_UPLOAD_OFFSET": "0", **TUS, **headers}
    r = client.generic("PATCH", url, data=PNG_1PX, **args)
    assert r.status_code == status and r.json()["code"] == code
    assert counts() == before and upload_of(url).offset == 0


@pytest.mark.parametrize(("meta", "length", "status", "code"), [
    ({"kind": "electronic"}, "10", 400, "metadata_case_required"),
    ({"case": "$CASE"}, "10", 400, "metadata_item_or_kind_required"),
    ({"case": "$CASE", "kind": "hearsay"}, "10", 400, "invalid_evidence_kind"),
    ({"case": "$CASE", "item": "00000000-0000-0000-0000-000000000000"}, "10", 400,
     "item_not_found"),
    ({"case": "$CASE", "item": "$OTHER_ITEM"}, "10", 400, "item_not_found"),
    ({"case": "$CASE", "kind": "audio_visual", "device": "NO-SUCH"}, "10", 400,
     "device_not_found"),
    ({"case": "$CASE", "kind": "audio_visual", "officer": "$OTHER_PERSON"}, "10", 400,
     "officer_not_found"),
    ({"case": "$CASE", "kind": "audio_visual", "started_at": "yesterday"}, "10", 400,
     "invalid_datetime"),
    ({"case": "$CASE", "kind": "audio_visual", "started_at": "2026-09-02T10:00:00",
      "ended_at": "2026-09-02T09:00:00"}, "10", 400, "invalid_time_range"),
    ({"case": "$CASE", "kind": "audio_visual", "latitude": "28.1"}, "10", 400,
     "invalid_coordinates"),
    ({"case": "$CASE", "kind": "audio_visual", "latitude": "95", "longitude": "112"}, "10",
     400, "invalid_coordinates"),
    ({"case": "$CASE", "kind": "physical", "step": "999999"}, "10", 400, "step_not_in_case"),
    ({"case": "$CASE", "kind": "physical", "source": "x" * 201}, "10", 400,
     "metadata_too_long"),
    ({"case": "$CASE", "kind": "physical", "title": "a\x00b"}, "10", 400, "invalid_metadata"),
    ({"case": "$CASE", "kind": "physical"}, "0", 400, "upload_empty"),
    ({"case": "$CASE", "kind": "physical"}, "ten", 400, "invalid_length"),
    ({"case": "$CASE", "kind": "physical"}, None, 400, "invalid_length"),
])
def test_bad_creation_requests_are_refused_before_any_byte(a, client, meta, length, status,
                                                           code) -> None:
    case = a_case(a)
    other_case = a_case(a)
    other_item = item(a, other_case)
    other_person = Person.objects.exclude(body=a.body).first()
    subst = {"$CASE": case.number, "$OTHER_ITEM": str(other_item.public_id),
             "$OTHER_PERSON": str(other_person.public_id)}
    values = {k: subst.get(v, v) for k, v in meta.items()}
    before = counts()
    extra = {} if length is None else {"HTTP_UPLOAD_LENGTH": length}
    r = client.post("/uploads/", HTTP_UPLOAD_METADATA=meta_header(**values), **extra, **TUS)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    assert counts() == before and files_in(settings.ZHIFA_UPLOAD_DIR) == []


def test_malformed_metadata_header_is_400(a, client) -> None:
    before = counts()
    for header in ("case not-base64!", "case YQ==,case YQ==", "case YQ== extra"):
        r = client.post("/uploads/", HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=header, **TUS)
        assert r.status_code == 400 and r.json()["code"] == "invalid_metadata"
    assert counts() == before


def test_no_room_on_disk_is_507_before_any_byte(a, client, monkeypatch) -> None:
    case = a_case(a)
    monkeypatch.setattr(tus.shutil, "disk_usage",
                        lambda path: SimpleNamespace(total=1000, used=900, free=100))
    before = counts()
    r = create(client, case, 101)
    assert r.status_code == 507 and r.json()["code"] == "insufficient_storage"
    assert counts() == before


def test_get_and_unknown_methods_are_405(a, client) -> None:
    case = a_case(a)
    url = path_of(create(client, case, len(PNG_1PX)))
    r = client.get(url, **TUS)
    assert r.status_code == 405 and "PATCH" in r["Allow"]
    assert client.get("/uploads/", **TUS).status_code == 405


def test_method_override_lets_a_post_patch(a, client) -> None:
    case = a_case(a)
    url = path_of(create(client, case, len(PNG_1PX)))
    r = client.post(url, data=PNG_1PX, content_type=OCTETS, HTTP_UPLOAD_OFFSET="0",
                    HTTP_X_HTTP_METHOD_OVERRIDE="PATCH", **TUS)
    assert r.status_code == 204 and r["Zhifa-File"]


# --- Termination ----------------------------------------------------------------------------------
def test_terminate_deletes_the_bytes_and_later_requests_are_410(a, client) -> None:
    case = a_case(a)
    data = png_bytes(20_000)
    url = path_of(create(client, case, len(data)))
    patch(client, url, data[:10_000], 0)
    before = evidence_counts()
    r = client.delete(url, **TUS)
    assert r.status_code == 204 and r["Tus-Resumable"] == "1.0.0"
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == []
    assert upload_of(url).state == UploadState.TERMINATED
    for r in (head(client, url), patch(client, url, data[10_000:], 10_000),
              client.delete(url, **TUS)):
        assert r.status_code == 410 and r["Zhifa-Error"] == "upload_terminated"
    assert evidence_counts() == before and files_in(settings.ZHIFA_UPLOAD_DIR) == []


def test_a_complete_upload_cannot_be_terminated(a, client) -> None:
    case = a_case(a)
    url, _r = upload_all(client, case, PNG_1PX)
    before = counts()
    r = client.delete(url, **TUS)
    assert r.status_code == 409 and r.json()["code"] == "upload_complete"
    assert counts() == before and upload_of(url).state == UploadState.COMPLETE
    f = EvidenceFile.objects.get()
    assert get_storage().exists(f.blob.key)


def test_patch_answers_carry_a_sliding_expiry(a, client) -> None:
    case = a_case(a)
    data = png_bytes(20_000)
    url = path_of(create(client, case, len(data)))
    old = timezone.now() + dt.timedelta(hours=1)
    type(upload_of(url)).objects.filter(pk=upload_of(url).pk).update(expires_at=old)
    r = patch(client, url, data[:10_000], 0)
    expires = email.utils.parsedate_to_datetime(r["Upload-Expires"])
    assert expires - timezone.now() > dt.timedelta(hours=71)
    assert abs(upload_of(url).expires_at - expires) < dt.timedelta(seconds=1)
