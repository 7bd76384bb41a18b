"""Serving stored bytes over HTTP with single byte ranges (RFC 9110 §14), streamed from the
storage in chunks: browsers seek in a video by asking for ranges, download managers resume
with them. Used by the file viewer (``web.views.evidence_media``) and usable by share pages.

- no ``Range`` (or one this server does not serve: several ranges, another unit, bad
  syntax, an ``If-Range`` that no longer matches): 200 with the whole file;
- ``bytes=a-b``, ``bytes=a-``, ``bytes=-n``: 206 with ``Content-Range: bytes a-b/size``;
- a range that starts past the end (or ``-0``, or any range of an empty file): 416 with
  ``Content-Range: bytes */size``.
Every answer says ``Accept-Ranges: bytes``, carries the SHA-256 as its ``ETag`` and is
``Cache-Control: private`` (evidence never sits in a shared cache). And every answer is
``X-Content-Type-Options: nosniff`` with ``Content-Security-Policy: sandbox …``
(``EVIDENCE_CSP``, which the share pages send too): a file opened in the browser — a PDF, a
text that looks like HTML, an SVG — is shown, never run, so it cannot script the app's origin.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from .models import Blob
from .storage import storage_named

# evidence is shown, never run: no script, no form, no plugin, whatever the content
# Browsers refuse to show a PDF under ``sandbox`` (their viewer counts as a plugin); a PDF is
# not run as a page of this origin anyway, so it goes without the policy.
PDF = "application/pdf"
EVIDENCE_CSP = ("sandbox; default-src 'none'; media-src 'self'; img-src 'self'; "
                "style-src 'unsafe-inline'")

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.ASCII | re.IGNORECASE)


class Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range to send, or None for the whole file. Raises
    ``Unsatisfiable`` for a range that selects nothing of ``size`` bytes."""
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # not a valid range: ignored, as RFC 9110 says
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


def etag_of(blob: Blob) -> str:
    return f'"{blob.sha256}"'


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def blob_response(
    request: HttpRequest, *, blob: Blob, content_type: str, filename: str = "",
    download: bool = False, on_send: Callable[[str | None], Any] | None = None,
) -> HttpResponseBase:
    """The blob's bytes for ``request`` (GET or HEAD). ``on_send(content_range)`` runs just
    before a GET's bytes (all, or a range) are sent — for a custody entry; it does not run
    for HEAD, 304 or 416 answers."""
    size = blob.size
    etag = etag_of(blob)
    common = {"Accept-Ranges": "bytes", "ETag": etag, "Cache-Control": "private",
              "X-Content-Type-Options": "nosniff"}
    if content_type != PDF:
        common["Content-Security-Policy"] = EVIDENCE_CSP

    def finish(response: HttpResponseBase) -> HttpResponseBase:
        for name, value in common.items():
            response[name] = value
        return response

    if not download and _matches(request.headers.get("If-None-Match", ""), etag):
        return finish(HttpResponse(status=304))
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header and if_range and if_range.strip() != etag:
        header = None  # the client's copy is of other bytes: send them all again
    try:
        byte_range = parse_range(header, size)
    except Unsatisfiable:
        refused = finish(HttpResponse(status=416))
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    start, end = byte_range if byte_range is not None else (0, size - 1)
    status = 206 if byte_range is not None else 200
    content_range = f"bytes {start}-{end}/{size}" if byte_range is not None else None
    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=content_type)
    else:
        if on_send is not None:
            on_send(content_range)
        storage = storage_named(blob.storage)
        chunks = (storage.iter_range(blob.key, start, end) if byte_range is not None
                  else storage.iter_range(blob.key))
        response = StreamingHttpResponse(chunks, status=status, content_type=content_type)
    response["Content-Length"] = str(end - start + 1 if size else 0)
    if content_range:
        response["Content-Range"] = content_range
    disposition = content_disposition_header(download, filename or blob.sha256)
    if disposition and (filename or download):
        response["Content-Disposition"] = disposition
    return finish(response)
