"""The case-file archive tab of a case: ``/cases/<id>/archive/``.

What the page shows: whether the case is archived (number, date, who, retention, the stored
package's hashes, the checkpoint it was sealed with) and the offline verification of the
stored package; for a closed case not yet archived, what the package will hold (index, files
embedded or referenced by hash) and the button that archives it (POST, handling rights).
The download (``/cases/<id>/archive/package``) streams the stored package and is recorded in
the ledger as an export."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhifa.cases.models import Case, CaseStatus
from zhifa.cases.selectors import case_get_for_user
from zhifa.cases.services._access import may_handle
from zhifa.core.errors import ApplicationError, NotFound
from zhifa.evidence.archive.build import archive_create, archive_package
from zhifa.evidence.archive.contents import RETENTION_LABELS
from zhifa.evidence.archive.selectors import (
    archive_for_case,
    archive_preview,
    archive_verify_stored,
)
from zhifa.evidence.storage import storage_named
from zhifa.orgs.permissions import Perm

from .common import found, render_page, staff_view

# The stored package is verified on every page view up to this size; a larger one on
# request (?verify=1), since the check reads the whole package.
VERIFY_INLINE_MAX_BYTES = 64 * 1024 * 1024

PROBLEM_TEXT = {
    "zip_structure": gettext_lazy("The ZIP structure differs from the form it was written in"),
    "member_missing": gettext_lazy("A member is missing"),
    "member_extra": gettext_lazy("A member that the manifest does not list"),
    "member_duplicate": gettext_lazy("A member name appears twice"),
    "member_corrupt": gettext_lazy("A member's data cannot be read"),
    "member_crc": gettext_lazy("A member's checksum does not match its content"),
    "member_size": gettext_lazy("A member's size does not match its header"),
    "member_hash": gettext_lazy("A member's SHA-256 or SM3 differ from the manifest"),
    "member_invalid": gettext_lazy("A member cannot be read as what it should be"),
    "member_not_canonical": gettext_lazy("A ledger member was rewritten"),
    "manifest_invalid": gettext_lazy("The manifest is inconsistent"),
    "manifest_hash": gettext_lazy("The manifest differs from the one recorded in the ledger"),
    "entry_invalid": gettext_lazy("A ledger entry cannot be read"),
    "entry_leaf": gettext_lazy("A ledger entry was altered"),
    "entry_chain": gettext_lazy("The case's hash chain is broken"),
    "entry_sequence": gettext_lazy("Ledger entries are missing or out of order"),
    "entry_proof": gettext_lazy("An inclusion proof does not lead to the signed checkpoint"),
    "checkpoint_invalid": gettext_lazy("The checkpoint cannot be read"),
    "signature_invalid": gettext_lazy("The checkpoint's signature is not valid"),
    "key_untrusted": gettext_lazy("The checkpoint was signed with a key this installation "
                                  "does not hold"),
    "archive_entry_missing": gettext_lazy("The ledger does not end with the archiving entry"),
    "archive_entry_mismatch": gettext_lazy("The archiving entry names another archive"),
}


def _page(request: HttpRequest, case: Case, *, error: str = "", status: int = 200
          ) -> HttpResponse:
    user = request.user
    archive = archive_for_case(case)
    handles = may_handle(user, case.body)
    backfill = archive is None and case.status == CaseStatus.ARCHIVED
    context: dict[str, Any] = {
        "case": case, "tab": "archive", "archive": archive, "error": error,
        "can_archive": handles and archive is None and (
            case.status == CaseStatus.CLOSED or backfill),
        "backfill": backfill, "open": case.status in (CaseStatus.OPEN, CaseStatus.SUSPENDED),
    }
    if archive is None:
        context["preview"] = archive_preview(case)
        context["retention_label"] = RETENTION_LABELS.get(context["preview"].retention, "")
    else:
        context["retention_label"] = RETENTION_LABELS.get(archive.retention, archive.retention)
        context["package_url"] = reverse("web:archive_download",
                                         kwargs={"public_id": case.public_id})
        verify_now = (archive.package.size <= VERIFY_INLINE_MAX_BYTES
                      or request.GET.get("verify") == "1")
        context["verify_deferred"] = not verify_now
        if verify_now:
            report = archive_verify_stored(archive)
            context["report"] = report
            context["problems"] = [(p, PROBLEM_TEXT.get(p.code, p.code))
                                   for p in report.problems]
    context["embed_max"] = settings.ZHIFA_ARCHIVE_EMBED_MAX_BYTES
    return render_page(request, "web/evidence/archive/case.html", context, status=status)


@staff_view(Perm.VIEW_CASES)
def archive_case(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = found(case_get_for_user, user=request.user, key=public_id)
    if request.method == "POST":
        try:
            archive = archive_create(actor=request.user, case=case)
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            case.refresh_from_db()
            return _page(request, case, error=exc.message, status=exc.status)
        messages.success(request, _("The case file was archived as %(number)s.")
                         % {"number": archive.number})
        return redirect("web:archive_case", public_id=case.public_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return _page(request, case)


@staff_view(Perm.VIEW_CASES)
def archive_download(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = found(case_get_for_user, user=request.user, key=public_id)
    try:
        archive = archive_package(actor=request.user, case=case, via="web")
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        return _page(request, case, error=exc.message, status=exc.status)
    blob = archive.package
    response = StreamingHttpResponse(storage_named(blob.storage).iter_range(blob.key),
                                     content_type="application/zip")
    response["Content-Length"] = str(blob.size)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{archive.number}.zip")
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)  # staff_view is typed for plain responses


urlpatterns = [
    path("cases/<uuid:public_id>/archive/", archive_case, name="archive_case"),
    path("cases/<uuid:public_id>/archive/package", archive_download, name="archive_download"),
]
