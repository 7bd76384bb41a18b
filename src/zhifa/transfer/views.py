"""The import/export page: templates to download, the upload form with its report, exports.
Views parse and authorise; ``services`` does the work."""

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.core.errors import InvalidInput, PermissionDenied

from . import staging
from .forms import ImportForm
from .kinds import KINDS
from .report import ImportReport
from .services import (
    error_report_xlsx,
    max_bytes,
    transfer_export,
    transfer_import,
    transfer_import_staged,
    transfer_template,
)
from .tabular import CONTENT_TYPES, FORMATS, XLSX


def _download(content: bytes, content_type: str, name: str, ascii_name: str) -> HttpResponse:
    """A download named in Chinese (RFC 6266 ``filename*``) with an ASCII fallback."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["Cache-Control"] = "no-store"
    return response


def _kinds(user: Any) -> tuple[list[Any], list[Any]]:
    importable = [k for k in KINDS.values() if k.can_import(user)]
    exportable = [k for k in KINDS.values() if k.can_export(user)]
    if not importable and not exportable:
        raise DjangoPermissionDenied
    return importable, exportable


def _page(request: HttpRequest, *, form: ImportForm, importable: list[Any],
          exportable: list[Any], report: ImportReport | None = None,
          confirm_token: str = "", report_token: str = "",
          staged_error: str = "") -> HttpResponse:
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "report_kind": KINDS[report.kind] if report else None,
        "confirm_token": confirm_token,
        "report_token": report_token,
        "staged_error": staged_error,
        "importable": importable,
        "exportable": exportable,
        "formats": FORMATS,
        "max_megabytes": f"{max_bytes() / (1024 * 1024):g}",
    }
    return render(request, "transfer/index.html", context)


def _after_import(request: HttpRequest, report: ImportReport, data: bytes | None
                  ) -> tuple[str, str]:
    """Tokens for the page: "confirm import" after a clean validation, and the error report
    after a failed one."""
    confirm_token = report_token = ""
    if report.ok and report.dry_run and data is not None:
        confirm_token = staging.stage(actor=request.user, kind=report.kind,
                                      purpose=staging.UPLOAD, file_name=report.file_name,
                                      data=data)
    elif not report.ok:
        report_token = staging.stage(actor=request.user, kind=report.kind,
                                     purpose=staging.REPORT, file_name=report.file_name,
                                     data=error_report_xlsx(report))
    return confirm_token, report_token


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    importable, exportable = _kinds(user)
    report = None
    confirm_token = report_token = ""
    form = ImportForm(kinds=importable)
    if request.method == "POST":
        requested = KINDS.get(request.POST.get("kind", ""))
        if not importable or (requested is not None and requested not in importable):
            raise DjangoPermissionDenied
        form = ImportForm(request.POST, request.FILES, kinds=importable)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(max_bytes() + 1)
            try:
                report = transfer_import(
                    actor=user, kind=form.cleaned_data["kind"], file_name=upload.name or "",
                    source=data, dry_run=form.cleaned_data["dry_run"],
                )
            except PermissionDenied:
                raise DjangoPermissionDenied from None
            confirm_token, report_token = _after_import(request, report, data)
    return _page(request, form=form, importable=importable, exportable=exportable,
                 report=report, confirm_token=confirm_token, report_token=report_token)


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Import the file validated a moment ago, without choosing it again."""
    importable, exportable = _kinds(request.user)
    if not importable:
        raise DjangoPermissionDenied
    form = ImportForm(kinds=importable)
    try:
        report = transfer_import_staged(actor=request.user,
                                        token=request.POST.get("token", ""))
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    except InvalidInput as exc:
        return _page(request, form=form, importable=importable, exportable=exportable,
                     staged_error=exc.message)
    _confirm, report_token = _after_import(request, report, None)
    return _page(request, form=form, importable=importable, exportable=exportable,
                 report=report, report_token=report_token)


@login_required
@require_GET
def error_report(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = staging.find(actor=request.user, token=token, purpose=staging.REPORT)
        content = staging.read(found)
    except InvalidInput:
        raise Http404 from None
    stem = found.file_name.rsplit(".", 1)[0] or "import"
    return _download(content, CONTENT_TYPES[XLSX],
                     _("Error report %(file)s.xlsx") % {"file": stem},
                     "zhifa-import-errors.xlsx")


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A template is for those who may import the kind (its reference sheets list the
    registry's regions and sectors and the catalogue's laws)."""
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    if not KINDS[kind].can_import(request.user):
        raise DjangoPermissionDenied
    name = _("%(kind)s import template") % {"kind": KINDS[kind].title}
    return _download(transfer_template(kind=kind, fmt=fmt), CONTENT_TYPES[fmt],
                     f"{name}.{fmt}", f"zhifa-{kind}-template.{fmt}")


@login_required
@require_GET
def export_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    try:
        content = transfer_export(actor=request.user, kind=kind, fmt=fmt)
    except PermissionDenied:
        raise DjangoPermissionDenied from None
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = _("%(kind)s export %(date)s") % {"kind": KINDS[kind].title, "date": stamp}
    return _download(content, CONTENT_TYPES[fmt], f"{name}.{fmt}",
                     f"zhifa-{kind}-{stamp}.{fmt}")
