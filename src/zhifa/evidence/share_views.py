"""What the recipient of a share opens, without logging in: ``/s/<token>/`` lists the shared
files of the case with their hashes; each can be viewed (video and audio play, images show)
or, if the share allows it, downloaded; content is streamed with HTTP range requests.

An unknown token is 404 and records nothing; an expired or revoked share, or a shared file
that has been disposed of, is 410 with a page saying so. Opens are recorded on the ledger
(``custody.share_open``): every GET with ``?download=1`` (whatever its range), every GET that
reads a file from its first byte, and a view's GET that starts later when no open of that
file by that share from that client address was recorded in the last ten minutes. The
continuation ranges of a recorded playback are not (see ``services.custody``).

The token is in the URL, so these pages are never cached, never indexed, and send no
Referer to anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from zhifa.core.errors import ApplicationError, NotFound, PermissionDenied

from .http import EVIDENCE_CSP, PDF
from .models import EvidenceFile, FileState
from .services.custody import (
    ShareGone,
    share_open_recorded,
    share_opened_recently,
    share_resolve,
    share_status,
)
from .storage import storage_named

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
UNSATISFIABLE = "unsatisfiable"


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``(start, end)`` (inclusive) of a single ``Range: bytes=…`` header, ``None`` to send
    the whole file (no header, several ranges, or a header that does not parse: RFC 9110
    lets a server ignore those), or ``UNSATISFIABLE``."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if m is None:
        return None
    first, last = m.group(1), m.group(2)
    if not first and not last:
        return None
    if not first:  # the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            return UNSATISFIABLE
        return max(0, size - n), size - 1
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if last and int(last) < start:
        return None
    if start >= size:
        return UNSATISFIABLE
    return start, end


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _gone(request: HttpRequest, exc: ApplicationError) -> HttpResponseBase:
    return _private(render(request, "evidence/share/gone.html",
                           {"message": exc.message, "code": exc.code}, status=exc.status))


def _answers(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Refusals of the share services as pages: 404, 410 (expired, revoked, disposed), 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return _private(view(request, *args, **kwargs))
        except (NotFound, ShareGone, PermissionDenied) as exc:
            return _gone(request, exc)

    return wrapper


@require_safe
@_answers
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    share = share_resolve(token=token).share
    files = list(share.files.select_related("blob", "item").order_by("item__seq", "id"))
    return render(request, "evidence/share/page.html", {
        "share": share, "case": share.case, "files": files, "token": token,
        "status": share_status(share)})


@require_safe
@_answers
def share_file(request: HttpRequest, token: str, file_id: Any) -> HttpResponse:
    """A page with the player or the image; what it plays is the open that is recorded."""
    opened = share_resolve(token=token, file=file_id)
    return render(request, "evidence/share/file.html", {
        "share": opened.share, "case": opened.share.case, "f": opened.file, "token": token})


@require_safe
@_answers
def share_file_content(request: HttpRequest, token: str, file_id: Any) -> HttpResponseBase:
    download = request.GET.get("download") == "1"
    resolved = share_resolve(token=token, file=file_id)
    f = resolved.file
    assert f is not None
    wanted = parse_range(request.headers.get("Range"), f.size)
    if wanted == UNSATISFIABLE:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{f.size}"
        return response
    start, end = wanted if isinstance(wanted, tuple) else (0, f.size - 1)
    client = request.META.get("REMOTE_ADDR", "") or ""
    if request.method == "GET" and (
            download or start == 0
            or not share_opened_recently(share=resolved.share, file=f, client=client)):
        # a download, a read from the first byte, or a read no recorded open covers: an open,
        # recorded (and the share checked again)
        byte_range = f"bytes {start}-{end}/{f.size}" if isinstance(wanted, tuple) else None
        f = share_open_recorded(token=token, file=file_id, download=download, client=client,
                                byte_range=byte_range).file
        assert f is not None
    elif download:
        share = share_resolve(token=token).share
        if not share.allow_download:
            raise PermissionDenied(_("This share does not allow downloading."),
                                   code="share_download_not_allowed")
    return content_response(request, f, start, end, partial=isinstance(wanted, tuple),
                            download=download)


def content_response(request: HttpRequest, f: EvidenceFile, start: int, end: int, *,
                     partial: bool, download: bool) -> HttpResponseBase:
    length = max(0, end - start + 1)
    response: HttpResponseBase
    if request.method == "HEAD":
        response = HttpResponse(
            status=206 if partial else 200)
    else:
        blob = f.blob
        response = StreamingHttpResponse(
            storage_named(blob.storage).iter_range(blob.key, start, end) if length else iter(()),
            status=206 if partial else 200)
    response["Content-Type"] = f.mime or "application/octet-stream"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if partial:
        response["Content-Range"] = f"bytes {start}-{end}/{f.size}"
    disposition = content_disposition_header(download, f.filename)
    if disposition:
        response["Content-Disposition"] = disposition
    # evidence is shown, never run: no script, no form, no plugin, whatever the content
    if f.mime != PDF:
        response["Content-Security-Policy"] = EVIDENCE_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


def is_viewable(f: EvidenceFile) -> bool:
    return f.state == FileState.ACTIVE and (f.is_video or f.is_audio or f.is_image)


urlpatterns = [
    path("s/<str:token>/", share_page, name="share_page"),
    path("s/<str:token>/files/<uuid:file_id>/", share_file, name="share_file"),
    path("s/<str:token>/files/<uuid:file_id>/content", share_file_content,
         name="share_file_content"),
]
