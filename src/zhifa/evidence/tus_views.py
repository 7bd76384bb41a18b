"""The tus 1.0 endpoint: ``/uploads/`` (creation) and ``/uploads/<id>`` (HEAD, PATCH, DELETE),
``OPTIONS`` on both. The views parse and check the protocol's headers and call the services
in ``tus.py``; errors are ``{"code", "message"[, "detail"]}`` with the tus status (and the code
in a ``Zhifa-Error`` header, since a HEAD answer has no body).

Authentication is the session; POST, PATCH and DELETE need the CSRF token in the
``X-CSRFToken`` header, checked here rather than by the middleware so that a failure is
answered in JSON like every other error. ``X-HTTP-Method-Override`` on a POST is honoured (tus
clients use it where PATCH or DELETE are blocked).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from zhifa.core.errors import ApplicationError

from .models import Upload, UploadState
from .tus import (
    CHECKSUM_ALGORITHMS,
    completed_headers,
    metadata_decode,
    metadata_encode,
    upload_append,
    upload_create,
    upload_get_for_user,
    upload_gone,
    upload_terminate,
)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
PATCH_CONTENT_TYPE = "application/offset+octet-stream"


def _base(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, code: str, message: str, detail: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status,
                            content_type="application/json")
    response["Zhifa-Error"] = code
    if status == 412:
        response["Tus-Version"] = TUS_VERSION
    if status == 409 and isinstance(detail, dict) and "offset" in detail:
        response["Upload-Offset"] = str(detail["offset"])
    return _base(response)


def _from_exc(exc: ApplicationError) -> HttpResponse:
    return _error(exc.status, exc.code, exc.message, exc.detail)


class _JsonCsrf(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        return _error(403, "csrf_failed",
                      _("The request did not carry a valid CSRF token (X-CSRFToken header); "
                        "reload the page and try again."), {"reason": reason})


def _csrf_failure(request: HttpRequest) -> HttpResponse | None:
    def never_called(_request: HttpRequest) -> HttpResponse:
        raise AssertionError("not a middleware chain")

    # the view callback only matters for its csrf_exempt flag: pass one without it
    result: HttpResponse | None = _JsonCsrf(never_called).process_view(
        request, never_called, (), {})
    return result


def _options() -> HttpResponse:
    response = _base(HttpResponse(status=204))
    response["Tus-Version"] = TUS_VERSION
    response["Tus-Extension"] = TUS_EXTENSIONS
    response["Tus-Max-Size"] = str(settings.ZHIFA_EVIDENCE_MAX_BYTES)
    response["Tus-Checksum-Algorithm"] = ",".join(CHECKSUM_ALGORITHMS)
    return response


def _method(request: HttpRequest) -> str:
    method = request.method or "GET"
    override = request.headers.get("X-HTTP-Method-Override", "").upper()
    if method == "POST" and override in ("PATCH", "DELETE"):
        return override
    return method


def _preflight(request: HttpRequest, method: str) -> HttpResponse | None:
    """Anonymous → 401; wrong protocol version → 412; missing CSRF token → 403."""
    if not request.user.is_authenticated:
        return _error(401, "not_authenticated", _("Please log in first."))
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _error(412, "tus_version_unsupported",
                      _("This server speaks tus %(version)s only (Tus-Resumable header).")
                      % {"version": TUS_VERSION})
    if method not in ("HEAD", "GET", "OPTIONS"):
        return _csrf_failure(request)
    return None


def _not_allowed(allowed: str) -> HttpResponse:
    response = _error(405, "method_not_allowed", _("Method not allowed."),
                      {"allowed": allowed.split(", ")})
    response["Allow"] = allowed
    return response


def _int_header(request: HttpRequest, name: str) -> int | None:
    raw = request.headers.get(name)
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw.strip())


def _upload_url(request: HttpRequest, upload: Upload) -> str:
    return request.build_absolute_uri(
        reverse("web:tus_upload", kwargs={"public_id": upload.public_id}))


def _progress_headers(response: HttpResponse, upload: Upload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    if upload.state == UploadState.OPEN:
        response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    for name, value in completed_headers(upload).items():
        response[name] = value
    return response


@csrf_exempt
def tus_create(request: HttpRequest) -> HttpResponse:
    method = _method(request)
    if method == "OPTIONS":
        return _options()
    if method != "POST":
        return _not_allowed("POST, OPTIONS")
    refused = _preflight(request, method)
    if refused is not None:
        return refused
    length = _int_header(request, "Upload-Length")
    if length is None:
        if "Upload-Defer-Length" in request.headers:
            return _error(400, "defer_length_unsupported",
                          _("Give the file's length (Upload-Length): deferred lengths are "
                            "not supported."))
        return _error(400, "invalid_length",
                      _("Upload-Length must be a whole number of bytes."))
    try:
        metadata = metadata_decode(request.headers.get("Upload-Metadata", ""))
        upload = upload_create(actor=request.user, case_key=metadata.get("case", ""),
                               length=length, metadata=metadata)
    except ApplicationError as exc:
        return _from_exc(exc)
    response = _base(HttpResponse(status=201))
    response["Location"] = _upload_url(request, upload)
    response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    return response


def _drain(request: HttpRequest) -> None:
    """Read and drop what is left of a refused PATCH's body, 1 MiB at a time. Left unread,
    the development server would read it in one piece to keep the connection usable — a
    refused multi-gigabyte PATCH would then fill the memory."""
    try:
        while request.read(1024 * 1024):
            pass
    except OSError:  # the client has gone: nothing left to drain
        pass


@csrf_exempt
def tus_upload(request: HttpRequest, public_id: Any) -> HttpResponse:
    response = _tus_upload(request, public_id)
    if response.status_code >= 400 and _method(request) == "PATCH":
        _drain(request)
    return response


def _tus_upload(request: HttpRequest, public_id: Any) -> HttpResponse:
    method = _method(request)
    if method == "OPTIONS":
        return _options()
    if method not in ("HEAD", "PATCH", "DELETE"):
        return _not_allowed("HEAD, PATCH, DELETE, OPTIONS")
    refused = _preflight(request, method)
    if refused is not None:
        return refused
    if method == "HEAD":
        try:
            response = _head(upload_get_for_user(user=request.user, public_id=public_id))
        except ApplicationError as exc:
            response = _from_exc(exc)
        response.content = b""  # a HEAD answer has headers only (the code: Zhifa-Error)
        return response
    try:
        upload = upload_get_for_user(user=request.user, public_id=public_id)
        if method == "DELETE":
            upload_terminate(actor=request.user, upload=upload)
            return _base(HttpResponse(status=204))
        return _patch(request, upload)
    except ApplicationError as exc:
        return _from_exc(exc)


def _head(upload: Upload) -> HttpResponse:
    if upload.state not in (UploadState.OPEN, UploadState.COMPLETE) or (
            upload.state == UploadState.OPEN and upload.expires_at <= timezone.now()):
        raise upload_gone(upload)
    response = _progress_headers(_base(HttpResponse(status=200)), upload)
    response["Upload-Length"] = str(upload.length)
    if upload.metadata:
        response["Upload-Metadata"] = metadata_encode(upload.metadata)
    return response


def _patch(request: HttpRequest, upload: Upload) -> HttpResponse:
    content_type = request.content_type or ""
    if content_type != PATCH_CONTENT_TYPE:
        return _error(415, "unsupported_content_type",
                      _("A PATCH must be sent as %(type)s.") % {"type": PATCH_CONTENT_TYPE})
    if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return _error(411, "length_required",
                      _("Send each PATCH with a Content-Length (no chunked encoding)."))
    offset = _int_header(request, "Upload-Offset")
    if offset is None:
        return _error(400, "invalid_offset",
                      _("Upload-Offset must be a whole number of bytes."))
    raw_length = request.META.get("CONTENT_LENGTH") or "0"
    content_length = int(raw_length) if raw_length.isdigit() else -1
    upload = upload_append(actor=request.user, upload=upload, offset=offset, stream=request,
                           content_length=content_length,
                           checksum=request.headers.get("Upload-Checksum"))
    return _progress_headers(_base(HttpResponse(status=204)), upload)


urlpatterns = [
    path("uploads/", tus_create, name="tus_create"),
    path("uploads/<uuid:public_id>", tus_upload, name="tus_upload"),
]
