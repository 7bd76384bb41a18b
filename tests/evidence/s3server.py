"""A local S3-protocol server for the S3 tests: moto's ``moto_server`` (moto[server]) started
as a subprocess on a free loopback port, once per test session.

Test modules import the fixtures explicitly::

    from .s3server import s3_endpoint, s3  # noqa: F401

``s3_endpoint`` is the server's URL; ``s3`` configures the evidence store for one test to a
bucket of its own on that server (``ZHIFA_EVIDENCE_STORAGE=s3``) and yields the storage.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from zhifa.evidence.s3 import S3Storage
from zhifa.evidence.storage import get_storage, reset_storage_cache

STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = Path(sys.executable).with_name("moto_server")
    if not exe.exists():
        pytest.fail(f"{exe} is missing: install moto[server] (requirements)")
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(exe), "-H", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        # waiting for another process to listen: there is nothing to block on but the port
        while not _answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"moto_server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def s3(s3_endpoint: str, settings) -> Iterator[S3Storage]:  # type: ignore[no-untyped-def]
    """The evidence store on a fresh bucket of the local S3 server, for one test."""
    settings.ZHIFA_EVIDENCE_STORAGE = "s3"
    settings.ZHIFA_S3 = {
        "endpoint_url": s3_endpoint, "bucket": f"zhifa-test-{uuid.uuid4().hex[:12]}",
        "access_key": "testing", "secret_key": "testing", "region": "us-east-1",
        "create_bucket": True,
    }
    reset_storage_cache()
    storage = get_storage()
    assert isinstance(storage, S3Storage)
    yield storage
    reset_storage_cache()
