"""The import/export page: templates to download, the upload form with its report, exports.
Views parse and authorise; ``services`` does the work."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.core.errors import PermissionDenied

from .forms import ImportForm
from .kinds import KINDS
from .services import max_bytes, transfer_export, transfer_import, transfer_template
from .tabular import CONTENT_TYPES, FORMATS


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    importable = [k for k in KINDS.values() if k.can_import(user)]
    exportable = [k for k in KINDS.values() if k.can_export(user)]
    if not importable and not exportable:
        raise DjangoPermissionDenied
    report = None
    form = ImportForm(kinds=importable)
    if request.method == "POST":
        requested = KINDS.get(request.POST.get("kind", ""))
        if not importable or (requested is not None and requested not in importable):
            raise DjangoPermissionDenied
        form = ImportForm(request.POST, request.FILES, kinds=importable)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = transfer_import(
                    actor=user, kind=form.cleaned_data["kind"], file_name=upload.name or "",
                    source=upload, dry_run=form.cleaned_data["dry_run"],
                )
            except PermissionDenied:
                raise DjangoPermissionDenied from None
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "report_kind": KINDS[report.kind] if report else None,
        "importable": importable,
        "exportable": exportable,
        "formats": FORMATS,
        "max_megabytes": f"{max_bytes() / (1024 * 1024):g}",
    }
    return render(request, "transfer/index.html", context)


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A template is for those who may import the kind (its reference sheets list the
    registry's regions and sectors and the catalogue's laws)."""
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    if not KINDS[kind].can_import(request.user):
        raise DjangoPermissionDenied
    return _download(transfer_template(kind=kind, fmt=fmt), fmt, f"zhifa-{kind}-template")


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
    return _download(content, fmt, f"zhifa-{kind}-{stamp}")
