"""The file viewer and its bytes, and the register of recording devices.

- ``/evidence/files/<id>/``: the file's page — player (video, audio), the image inline, a link
  for other documents; hashes; the audio/video record with its form; the file's custody
  entries. Each opening is a ``FILE_VIEWED`` ledger entry.
- ``/evidence/files/<id>/content``: the bytes, with HTTP ranges (``evidence.http``). A GET
  that reads from byte 0 (no ``Range``, or ``bytes=0-…``; or a ``304`` that lets the browser
  show its copy) is a ``FILE_VIEWED`` entry with ``"via": "content"``, once per user and file
  in ten minutes (``services.media.evidence_file_view_content``): the player, the image, the
  "open in the browser" link and a script alike. ``?download=1`` sends the bytes as an
  attachment and is always a ``FILE_DOWNLOADED`` entry. The ranged reads later in the file
  (playback, seeking) record nothing: they continue a read that was recorded.
- ``/evidence/files/<id>/poster``: the poster frame of a video.
- ``/evidence/devices/`` …: the devices of the bodies in scope (supervisors read them);
  heads and body administrators keep their own body's.

Whoever does not see the case gets 404 — and nothing is written to the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from zhifa.cases.services._access import may_handle
from zhifa.core.errors import ApplicationError
from zhifa.core.filters import filter_given
from zhifa.evidence.av_selectors import (
    device_get_for_user,
    file_custody_entries,
    file_tombstone,
    record_warnings,
    visible_devices,
)
from zhifa.evidence.http import blob_response
from zhifa.evidence.models import (
    AvRecord,
    BlobState,
    EvidenceFile,
    FileState,
    ProbeState,
    RecordingDevice,
)
from zhifa.evidence.probe import PROBE_ERRORS, duration_label
from zhifa.evidence.selectors import file_get_for_user, visible_files
from zhifa.evidence.services._access import require_writable
from zhifa.evidence.services.av import av_record_save
from zhifa.evidence.services.devices import device_save, may_manage_recording
from zhifa.evidence.services.media import (
    evidence_file_download,
    evidence_file_view,
    evidence_file_view_content,
)
from zhifa.evidence.storage import storage_named
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies

from ..av_forms import (
    DEVICE_ERROR_FIELDS,
    RECORD_ERROR_FIELDS,
    AvRecordForm,
    DeviceFilterForm,
    DeviceForm,
    show_error,
)
from .cases_page import ENTRY_STATUS_TEXT
from .common import found, paginate, render_page, staff_view


# --- The file viewer ------------------------------------------------------------------------
def media_kind(f: EvidenceFile) -> str:
    if f.is_video:
        return "video"
    if f.is_audio:
        return "audio"
    if f.is_image:
        return "image"
    if f.mime == "application/pdf":
        return "pdf"
    if f.mime.startswith("text/"):
        return "text"
    return "other"


def may_change_record(user: Any, f: EvidenceFile) -> bool:
    if f.state != FileState.ACTIVE or not may_handle(user, f.case.body):
        return False
    try:
        require_writable(f.case)
    except ApplicationError:
        return False
    return True


@dataclass(frozen=True)
class ProbeView:
    state: str
    label: str
    reason: str
    detail: str


def probe_view(record: AvRecord) -> ProbeView:
    reason = ""
    if record.probe_state == ProbeState.FAILED:
        code = str(record.probe.get("error", ""))
        reason = str(PROBE_ERRORS.get(code, code))
    return ProbeView(state=record.probe_state, label=record.get_probe_state_display(),
                     reason=reason, detail=str(record.probe.get("detail", "")))


def _file_context(request: HttpRequest, f: EvidenceFile,
                  form: AvRecordForm | None) -> dict[str, Any]:
    record: AvRecord | None = getattr(f, "av", None)
    editable = may_change_record(request.user, f)
    if record is not None and form is None and editable:
        form = AvRecordForm(record=record, body_id=f.case.body_id)
    problems = record.probe.get("metadata_problems", {}) if record is not None else {}
    return {
        "file": f, "case": f.case, "item": f.item, "blob": f.blob, "tab": "items",
        "kind": media_kind(f), "record": record,
        "probe": probe_view(record) if record is not None else None,
        "duration": duration_label(record.duration_ms) if record is not None else "",
        "warnings": record_warnings(record), "metadata_problems": problems,
        "form": form if editable else None,
        "disposed": f.state == FileState.DISPOSED or f.blob.state == BlobState.DELETED,
        "tombstone": file_tombstone(f) if f.state == FileState.DISPOSED else None,
        "entries": file_custody_entries(f), "entry_status_text": ENTRY_STATUS_TEXT,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(Perm.VIEW_CASES)
def evidence_file(request: HttpRequest, public_id: Any) -> HttpResponse:
    f = found(file_get_for_user, user=request.user, public_id=public_id)
    form = None
    if request.method == "POST":
        record = getattr(f, "av", None)
        if record is None or not may_change_record(request.user, f):
            raise PermissionDenied
        form = AvRecordForm(request.POST, record=record, body_id=f.case.body_id)
        if form.is_valid():
            try:
                av_record_save(actor=request.user, record=record, **form.values())
            except ApplicationError as exc:
                show_error(form, exc, RECORD_ERROR_FIELDS)
            else:
                messages.success(request, _("The recording details were saved."))
                return redirect("web:evidence_file", public_id=f.public_id)
        f = found(file_get_for_user, user=request.user, public_id=public_id)
        status = 400
    else:
        status = 200
        if request.method == "GET":
            evidence_file_view(actor=request.user, file=f)
    return render_page(request, "web/evidence/media/file.html",
                       _file_context(request, f, form), status=status)


def _gone(request: HttpRequest, f: EvidenceFile) -> HttpResponse:
    return render_page(request, "web/evidence/media/gone.html",
                       {"file": f, "blob": f.blob, "case": f.case,
                        "tombstone": file_tombstone(f)}, status=410)


ContentView = Callable[..., HttpResponseBase]


def signed_in(view: ContentView) -> ContentView:
    """The bytes views: anonymous users go to the login page; for everyone else the file's
    selector decides (out of scope, or without case access at all: 404)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@signed_in
def evidence_file_content(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    f = found(file_get_for_user, user=request.user, public_id=public_id)
    if f.state == FileState.DISPOSED or f.blob.state == BlobState.DELETED:
        return _gone(request, f)
    if not storage_named(f.blob.storage).exists(f.blob.key):
        raise Http404
    download = request.GET.get("download") == "1"

    def record(content_range: str | None) -> None:
        if download:
            evidence_file_download(actor=request.user, file=f, byte_range=content_range)
        elif content_range is None or content_range.startswith("bytes 0-"):
            # the whole file, or a range from its first byte: someone opens it
            evidence_file_view_content(actor=request.user, file=f)

    response = blob_response(request, blob=f.blob, content_type=f.mime, filename=f.filename,
                             download=download, on_send=record)
    if request.method == "GET" and response.status_code == 304:
        record(None)  # the browser shows the copy it kept: a view all the same
    return response


@require_safe
@signed_in
def evidence_file_poster(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    f = found(file_get_for_user, user=request.user, public_id=public_id)
    record: AvRecord | None = getattr(f, "av", None)
    poster = record.poster if record is not None else None
    if f.state == FileState.DISPOSED or poster is None or poster.state != BlobState.PRESENT:
        raise Http404
    return blob_response(request, blob=poster, content_type="image/jpeg")


# --- Recording devices ----------------------------------------------------------------------
def _own_body(user: Any) -> EnforcementBody | None:
    return user.person.body if getattr(user, "person_id", None) else None


def may_register(user: Any) -> bool:
    perms = perms_of(user)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    body = _own_body(user)
    return body is not None and may_manage_recording(user, body)


def devices_filtered(user: Any, form: DeviceFilterForm) -> QuerySet[RecordingDevice]:
    f = form.filters()
    qs = visible_devices(user)
    if "q" in f:
        qs = qs.filter(Q(serial__icontains=f["q"]) | Q(model_name__icontains=f["q"]))
    qs = filter_given(qs, body__public_id=f.get("body"), kind=f.get("kind"),
                      status=f.get("status"))
    if f.get("review") == "missing":
        qs = qs.filter(reviewed_on__isnull=True)
    elif f.get("review") == "done":
        qs = qs.filter(reviewed_on__isnull=False)
    return qs.order_by("body__name", "serial", "id")


@require_safe
@staff_view(Perm.VIEW_REGISTRY)
def device_list(request: HttpRequest) -> HttpResponse:
    bodies = visible_bodies(request.user)
    form = DeviceFilterForm(request.GET or None, user=request.user, bodies=bodies)
    page = paginate(request, devices_filtered(request.user, form))
    context = {
        "form": form, "page": page, "rows": page.object_list,
        "results_template": "web/evidence/media/_device_results.html",
        "show_body": "body" in form.fields, "may_register": may_register(request.user),
    }
    return render_page(request, "web/evidence/media/devices.html", context,
                       partials={"results": "web/evidence/media/_device_results.html"})


def _device_form(request: HttpRequest, device: RecordingDevice | None) -> DeviceForm:
    user = request.user
    body = device.body if device is not None else _own_body(user)
    bodies = list(visible_bodies(user).order_by("name")) if body is None else [body]
    data = request.POST if request.method == "POST" else None
    return DeviceForm(data, bodies=bodies, body=body, device=device)


def _device_save(request: HttpRequest, form: DeviceForm,
                 device: RecordingDevice | None) -> RecordingDevice | None:
    if not form.is_valid():
        return None
    try:
        return device_save(actor=request.user, body=form.chosen_body(), device=device,
                           **form.values())
    except ApplicationError as exc:
        show_error(form, exc, DEVICE_ERROR_FIELDS)
        return None


DEVICE_RECORDS_SHOWN = 20


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(Perm.VIEW_REGISTRY)
def device_new(request: HttpRequest) -> HttpResponse:
    if not may_register(request.user):
        raise PermissionDenied
    form = _device_form(request, None)
    if request.method == "POST":
        device = _device_save(request, form, None)
        if device is not None:
            messages.success(request, _("The device was registered."))
            return redirect("web:device_edit", public_id=device.public_id)
    return render_page(request, "web/evidence/media/device.html",
                       {"device": None, "form": form, "records": []},
                       status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view(Perm.VIEW_REGISTRY)
def device_edit(request: HttpRequest, public_id: Any) -> HttpResponse:
    device = found(device_get_for_user, user=request.user, public_id=public_id)
    editable = may_manage_recording(request.user, device.body)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    form = _device_form(request, device) if editable else None
    if request.method == "POST" and form is not None:
        saved = _device_save(request, form, device)
        if saved is not None:
            messages.success(request, _("The device was saved."))
            return redirect("web:device_edit", public_id=device.public_id)
    # the recordings made with it, among the files this user may see
    records = list(visible_files(request.user).filter(av__device=device)
                   .select_related("case", "av").order_by("-id")[:DEVICE_RECORDS_SHOWN])
    return render_page(request, "web/evidence/media/device.html",
                       {"device": device, "form": form, "records": records},
                       status=400 if form is not None and form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("evidence/files/<uuid:public_id>/", evidence_file, name="evidence_file"),
    path("evidence/files/<uuid:public_id>/content", evidence_file_content,
         name="evidence_file_content"),
    path("evidence/files/<uuid:public_id>/poster", evidence_file_poster,
         name="evidence_file_poster"),
    path("evidence/devices/", device_list, name="device_list"),
    path("evidence/devices/new/", device_new, name="device_new"),
    path("evidence/devices/<uuid:public_id>/", device_edit, name="device_edit"),
]
