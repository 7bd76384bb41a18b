"""Over a real socket (Django's live server): a connection dropped in the middle of a PATCH
keeps the bytes that arrived, and the upload resumes from there to a complete file."""

from __future__ import annotations

import hashlib
import http.client
import socket
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client

from zhifa.evidence.models import EvidenceFile, UploadState

from .factories import a_case
from .test_tus_support import MiB, meta_header, png_bytes, sm3, upload_of

TOKEN = "t" * 32


def _headers(cookie: str, **more: str) -> dict[str, str]:
    return {"Cookie": f"sessionid={cookie}; csrftoken={TOKEN}", "X-CSRFToken": TOKEN,
            "Tus-Resumable": "1.0.0", **more}


def _request(base: str, method: str, path: str, headers: dict[str, str],
             body: bytes = b"") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=30)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_keeps_what_arrived_and_the_upload_resumes(a, live_server) -> None:
    case = a_case(a)
    client = Client()
    client.force_login(a.u_officer)
    cookie = client.cookies["sessionid"].value
    data = png_bytes(3 * MiB + 4321)
    r = _request(live_server.url, "POST", "/uploads/", _headers(
        cookie, **{"Upload-Length": str(len(data)),
                   "Upload-Metadata": meta_header(case=case.number, kind="physical",
                                                  filename="scene.png")}))
    assert r.status == 201, r.status
    path = urlsplit(r.getheader("Location")).path

    # send the headers and part of the body, then drop the connection
    sent = 2 * MiB + 100
    host, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
    head = "".join(f"{k}: {v}\r\n" for k, v in _headers(
        cookie, **{"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream",
                   "Content-Length": str(len(data))}).items())
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(f"PATCH {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}\r\n".encode())
        sock.sendall(data[:sent])
        sock.shutdown(socket.SHUT_WR)  # the client's side ends: the server reads EOF

    # the server notices the end of its body on its own thread: ask until it has committed
    deadline = time.monotonic() + 30
    offset = -1
    while offset != sent and time.monotonic() < deadline:
        r = _request(live_server.url, "HEAD", path, _headers(cookie))
        offset = int(r.getheader("Upload-Offset") or -1)
        if offset != sent:
            time.sleep(0.05)
    assert offset == sent
    assert EvidenceFile.objects.count() == 0

    r = _request(live_server.url, "PATCH", path, _headers(
        cookie, **{"Upload-Offset": str(sent),
                   "Content-Type": "application/offset+octet-stream"}), data[sent:])
    assert r.status == 204 and r.getheader("Upload-Offset") == str(len(data))
    assert r.getheader("Zhifa-Sha256") == hashlib.sha256(data).hexdigest()
    assert r.getheader("Zhifa-Sm3") == sm3(data)
    f = EvidenceFile.objects.get()
    assert str(f.public_id) == r.getheader("Zhifa-File") and f.size == len(data)
    assert upload_of(path).state == UploadState.COMPLETE
