"""The S3 store against a local S3-protocol server (moto_server): tus uploads land in the
bucket under their SHA-256, the same bytes once, multipart for large files, ranged reads in
chunks, delete; ``evidence_file_create`` with S3 configured."""

from __future__ import annotations

import hashlib
import json
import urllib.request
import uuid

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from django.conf import settings

from zhifa.evidence.models import Blob, EvidenceFile
from zhifa.evidence.s3 import S3Storage
from zhifa.evidence.storage import key_for, storage_named
from zhifa.ledger.models import LedgerEntry

from . import test_tus_support
from .factories import PNG_1PX, a_case, item, stored
from .s3server import s3, s3_endpoint  # noqa: F401  (fixtures)
from .test_tus_support import (
    MiB,
    counts,
    create,
    files_in,
    patch,
    path_of,
    png_bytes,
    sm3,
    upload_all,
    upload_of,
)

client = test_tus_support.client  # the fixture: the case officer's logged-in client


def _keys(storage: S3Storage) -> list[str]:
    listed = storage.client.list_objects_v2(Bucket=storage.bucket)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def _body(storage: S3Storage, key: str) -> bytes:
    return b"".join(storage.iter_range(key))


def test_a_tus_upload_lands_in_the_bucket_under_its_sha256(a, client, s3) -> None:  # noqa: F811
    case = a_case(a)
    data = png_bytes(2 * MiB + 77)
    url, r = upload_all(client, case, data, chunk=MiB, filename="scene.png", kind="physical")
    sha = hashlib.sha256(data).hexdigest()
    assert r["Zhifa-Sha256"] == sha and r["Zhifa-Sm3"] == sm3(data)
    key = f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"
    assert _keys(s3) == [key]
    assert _body(s3, key) == data and s3.size(key) == len(data)
    blob = Blob.objects.get()
    assert (blob.storage, blob.key, blob.sha256, blob.sm3) == ("s3", key, sha, sm3(data))
    f = EvidenceFile.objects.get()
    assert f.blob == blob and upload_of(url).file == f
    payload = json.loads(LedgerEntry.objects.get(event_code=5003).payload)
    assert (payload["storage"], payload["sha256"]) == ("s3", sha)
    # nothing left on local disk: neither the partial file nor a local copy
    assert files_in(settings.ZHIFA_UPLOAD_DIR) == [] and files_in(settings.ZHIFA_EVIDENCE_DIR) \
        == []


def test_the_same_bytes_are_one_object(a, client, s3) -> None:  # noqa: F811
    case = a_case(a)
    data = png_bytes(300_000, seed=7)
    upload_all(client, case, data, chunk=100_000, filename="a.png")
    key = key_for(hashlib.sha256(data).hexdigest())
    first = s3.client.head_object(Bucket=s3.bucket, Key=key)["LastModified"]
    upload_all(client, case, data, chunk=300_000, filename="b.png")
    assert _keys(s3) == [key]
    assert s3.client.head_object(Bucket=s3.bucket, Key=key)["LastModified"] == first
    assert EvidenceFile.objects.count() == 2 and Blob.objects.count() == 1


def test_a_refused_upload_puts_nothing_in_the_bucket(a, client, s3) -> None:  # noqa: F811
    case = a_case(a)
    data = b"\x7fELF\x02\x01\x01\x00" + bytes(20_000)
    url = path_of(create(client, case, len(data)))
    before = counts()
    r = patch(client, url, data, 0)
    assert r.status_code == 415 and r.json()["code"] == "type_not_allowed"
    assert _keys(s3) == []
    after = counts()
    assert after == before


def test_evidence_file_create_with_s3_configured(a, s3) -> None:  # noqa: F811
    case = a_case(a)
    f = stored(a, item(a, case, kind="physical"), PNG_1PX, "p.png")
    assert f.blob.storage == "s3" and _keys(s3) == [f.blob.key]
    assert _body(s3, f.blob.key) == PNG_1PX
    assert storage_named(f.blob.storage) is s3
    # a blob remembers its backend: the local store is still there for older files
    assert storage_named("local").name == "local"


def test_large_files_go_up_in_parts_and_come_back_in_ranges(s3, tmp_path) -> None:  # noqa: F811
    parts = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB,
                           max_concurrency=2)
    storage = S3Storage(s3.client, s3.bucket, transfer=parts)
    data = png_bytes(12 * MiB + 5, seed=3)
    local = tmp_path / "big.part"
    local.write_bytes(data)
    key = key_for(hashlib.sha256(data).hexdigest())
    storage.put_file(key, local, move=True)
    assert not local.exists()
    etag = storage.client.head_object(Bucket=storage.bucket, Key=key)["ETag"]
    assert etag.strip('"').endswith("-3")  # three parts: a multipart upload
    assert storage.size(key) == len(data)

    chunks = list(storage.iter_range(key, chunk=MiB))
    assert b"".join(chunks) == data
    assert max(len(c) for c in chunks) <= MiB and len(chunks) >= 13
    assert b"".join(storage.iter_range(key, 10, 19)) == data[10:20]
    assert b"".join(storage.iter_range(key, 6 * MiB, None, chunk=4096)) == data[6 * MiB:]
    assert b"".join(storage.iter_range(key, len(data) - 1, len(data) + 100)) == data[-1:]
    assert b"".join(storage.iter_range(key, len(data) + 10)) == b""
    assert b"".join(storage.iter_range(key, 20, 10)) == b""
    with storage.open(key) as fh:
        assert fh.read(8) == data[:8]


def test_put_is_a_no_op_for_an_existing_key_and_delete_removes(s3, tmp_path) -> None:  # noqa: F811
    path = tmp_path / "x"
    path.write_bytes(b"hello evidence")
    key = key_for(hashlib.sha256(b"hello evidence").hexdigest())
    assert not s3.exists(key)
    s3.put_file(key, path)
    assert path.exists() and s3.exists(key)
    path.write_bytes(b"other bytes")  # same address → not sent again
    s3.put_file(key, path, move=True)
    assert not path.exists() and _body(s3, key) == b"hello evidence"
    s3.delete(key)
    assert not s3.exists(key) and _keys(s3) == []
    with pytest.raises(ClientError):
        s3.size(key)


def test_an_empty_object_reads_as_nothing(s3, tmp_path) -> None:  # noqa: F811
    path = tmp_path / "empty"
    path.write_bytes(b"")
    key = key_for(hashlib.sha256(b"").hexdigest())
    s3.put_file(key, path)
    assert s3.size(key) == 0 and _body(s3, key) == b""


def test_presigned_url_serves_ranges(s3, tmp_path) -> None:  # noqa: F811
    data = png_bytes(100_000, seed=9)
    path = tmp_path / "p"
    path.write_bytes(data)
    key = key_for(hashlib.sha256(data).hexdigest())
    s3.put_file(key, path)
    request = urllib.request.Request(s3.presigned_url(key, expires=60),
                                     headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206 and response.read() == data[100:200]


def test_the_bucket_is_created_only_when_asked(s3_endpoint, settings,  # noqa: F811
                                               monkeypatch) -> None:
    bucket = f"zhifa-absent-{uuid.uuid4().hex[:10]}"
    settings.ZHIFA_S3 = {"endpoint_url": s3_endpoint, "bucket": bucket, "access_key": "testing",
                         "secret_key": "testing", "region": "us-east-1"}
    raw = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")

    def bucket_exists() -> bool:
        try:
            raw.head_bucket(Bucket=bucket)
        except ClientError:
            return False
        return True

    monkeypatch.delenv("ZHIFA_S3_CREATE_BUCKET", raising=False)
    S3Storage.from_settings()
    assert not bucket_exists()
    monkeypatch.setenv("ZHIFA_S3_CREATE_BUCKET", "true")
    storage = S3Storage.from_settings()
    assert bucket_exists() and storage.bucket == bucket
    S3Storage.from_settings()  # already there: fine
    settings.ZHIFA_S3 = {**settings.ZHIFA_S3, "create_bucket": False}
    assert S3Storage.from_settings().bucket == bucket


def test_a_local_path_is_not_offered_for_s3(s3) -> None:  # noqa: F811
    """probe.py reads a local path when the store has one; S3 offers a presigned URL."""
    assert not callable(getattr(s3, "path", None))
    assert callable(getattr(s3, "presigned_url", None))
