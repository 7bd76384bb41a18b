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

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from zhifa.core.errors import ApplicationError, NotFound, PermissionDenied

from .http import blob_response
from .models import EvidenceFile, FileState
from .services.custody import (
    ShareGone,
    share_open_recorded,
    share_opened_recently,
    share_resolve,
    share_status,
)


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
    if download and request.method == "HEAD" and not resolved.share.allow_download:
        raise PermissionDenied(_("This share does not allow downloading."),
                               code="share_download_not_allowed")
    client = request.META.get("REMOTE_ADDR", "") or ""

    def record(content_range: str | None) -> None:
        # a download, a read from the first byte, or a read no recorded open covers: an
        # open, recorded (and the share checked again, download permission included)
        from_start = content_range is None or content_range.startswith("bytes 0-")
        if download or from_start or not share_opened_recently(
                share=resolved.share, file=f, client=client):
            share_open_recorded(token=token, file=file_id, download=download, client=client,
                                byte_range=content_range)

    return blob_response(request, blob=f.blob, content_type=f.mime or "application/octet-stream",
                         filename=f.filename, download=download, on_send=record)


def is_viewable(f: EvidenceFile) -> bool:
    return f.state == FileState.ACTIVE and (f.is_video or f.is_audio or f.is_image)


urlpatterns = [
    path("s/<str:token>/", share_page, name="share_page"),
    path("s/<str:token>/files/<uuid:file_id>/", share_file, name="share_file"),
    path("s/<str:token>/files/<uuid:file_id>/content", share_file_content,
         name="share_file_content"),
]
