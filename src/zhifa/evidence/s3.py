"""Evidence bytes in any S3-compatible object store (MinIO, Ceph RGW, a cloud's S3, …).

Same layout as the local store: the key is ``sha256/ab/cd/<sha256>``, so the same bytes are
stored once and an object's name is its proof of content. Streaming both ways:

- ``put_file`` sends a finished local file with boto3's managed transfer (``upload_file``):
  above ``multipart_threshold`` it is a multipart upload of ``multipart_chunksize`` parts, a
  few in flight at a time, read from the file as they go (memory ≈ chunk size × concurrency,
  whatever the file size). The object appears only when the upload completes, never partial.
- ``iter_range`` is a ``GetObject`` with a ``Range`` header, its body read in chunks
  (``iter_chunks``): playback and downloads never hold a whole object.

Configuration (``settings.ZHIFA_S3``, from the environment: ``ZHIFA_S3_ENDPOINT_URL``,
``ZHIFA_S3_BUCKET``, ``ZHIFA_S3_ACCESS_KEY``, ``ZHIFA_S3_SECRET_KEY``, ``ZHIFA_S3_REGION``).
The bucket is expected to exist: operators create it with their retention policy (object lock,
versioning, replication). ``from_settings()`` creates it only when ``create_bucket`` is true
in ``ZHIFA_S3`` or the environment variable ``ZHIFA_S3_CREATE_BUCKET`` is true (development,
tests), so a typo in the bucket name fails loudly instead of filling a new, unprotected
bucket.

Checksums: requests carry the classic Content-MD5 / no trailing CRC checksums unless the
operation requires them (``when_required``), because several S3-compatible servers still
refuse the newer flexible checksums; integrity of the content is what the SHA-256 key and the
scrub (``zhifa evidence verify``) prove anyway.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings

from .storage import CHUNK

MiB = 1024 * 1024
DEFAULT_TRANSFER = TransferConfig(multipart_threshold=16 * MiB, multipart_chunksize=16 * MiB,
                                  max_concurrency=4, use_threads=True)
_TRUE = {"1", "true", "yes", "on"}


def _missing(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 or error.get("Code") in {"404", "NoSuchKey", "NotFound",
                                                   "NoSuchBucket"}


class S3Storage:
    name = "s3"

    def __init__(self, client: Any, bucket: str, *,
                 transfer: TransferConfig = DEFAULT_TRANSFER) -> None:
        self.client = client
        self.bucket = bucket
        self.transfer = transfer

    @classmethod
    def from_settings(cls, *, transfer: TransferConfig = DEFAULT_TRANSFER) -> S3Storage:
        conf: dict[str, Any] = dict(settings.ZHIFA_S3)
        endpoint = conf.get("endpoint_url") or None
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint, region_name=conf.get("region") or "us-east-1",
            aws_access_key_id=conf.get("access_key") or None,
            aws_secret_access_key=conf.get("secret_key") or None,
            config=Config(
                signature_version="s3v4",
                # self-hosted stores are addressed by path (no wildcard DNS needed)
                s3={"addressing_style": "path" if endpoint else "auto"},
                retries={"max_attempts": 5, "mode": "standard"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ))
        storage = cls(client, conf.get("bucket") or "zhifa-evidence", transfer=transfer)
        create = conf.get("create_bucket")
        if create is None:
            create = os.environ.get("ZHIFA_S3_CREATE_BUCKET", "").strip().lower() in _TRUE
        if create:
            storage.ensure_bucket(region=conf.get("region") or "us-east-1")
        return storage

    def ensure_bucket(self, *, region: str = "us-east-1") -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if not _missing(exc):
                raise
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self.client.create_bucket(**kwargs)
        except ClientError as exc:  # created meanwhile by another process
            if exc.response.get("Error", {}).get("Code") not in {"BucketAlreadyOwnedByYou",
                                                                  "BucketAlreadyExists"}:
                raise

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def put_file(self, key: str, path: Path, *, move: bool = False) -> None:
        """Store the finished local file under ``key``: a no-op when the object exists (same
        address, same bytes); with ``move`` the local file is removed afterwards."""
        if not self.exists(key):
            self.client.upload_file(str(path), self.bucket, key, Config=self.transfer,
                                    ExtraArgs={"ContentType": "application/octet-stream"})
        if move:
            Path(path).unlink(missing_ok=True)

    def open(self, key: str) -> BinaryIO:
        """The object's body as a stream (``read(n)``); close it when done."""
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        return cast(BinaryIO, body)

    def iter_range(self, key: str, start: int = 0, end: int | None = None,
                   chunk: int = CHUNK) -> Iterator[bytes]:
        """Bytes ``start`` … ``end`` (inclusive; ``None``: to the end), in chunks."""
        if end is not None and end < start:
            return
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if start or end is not None:
            kwargs["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            body = self.client.get_object(**kwargs)["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidRange":
                return  # starts past the end: nothing to send
            raise
        try:
            yield from body.iter_chunks(chunk_size=chunk)
        finally:
            body.close()

    def size(self, key: str) -> int:
        return int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def presigned_url(self, key: str, expires: int = 3600) -> str:
        """A time-limited GET URL (for ffprobe/ffmpeg, which read over HTTP with ranges)."""
        return str(self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires))
