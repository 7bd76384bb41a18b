"""The case-file archive (案卷): archive a closed case, read its archive, download its
package, and verify the stored package.

``POST /cases/{key}/archive`` calls ``archive_create``: the archive number, the case's
``archive`` step, the package (cover, index, steps record, evidence, back note, manifest,
ledger entries with inclusion proofs and the signed checkpoint), its ledger entry; the case
is read-only afterwards. One transaction: a refusal changes nothing. The package can be
checked anywhere without the database (``zhifa archive verify PACKAGE``).

Error codes: 403 ``missing_handle_cases``, ``case_out_of_scope``, ``action_role``; 404
``case_not_found``, ``archive_not_found``; 409 ``case_not_closed``, ``archive_exists``,
``archive_not_available``, ``evidence_file_damaged`` and the archive step's guard refusals;
410 ``archive_package_missing``.
"""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from zhifa.cases.selectors import case_get_for_user
from zhifa.core.errors import NotFound
from zhifa.evidence.archive.build import archive_create, archive_package
from zhifa.evidence.archive.contents import RETENTION_LABELS
from zhifa.evidence.archive.selectors import archive_for_case, archive_verify_stored
from zhifa.evidence.models import CaseArchive
from zhifa.evidence.storage import storage_named
from zhifa.orgs.permissions import Perm, require_perm

from .common import DENIED_OR_MISSING, REJECTED, ErrorOut

router = Router(tags=["evidence"])


class ArchiveOut(Schema):
    number: str
    case: str
    case_public_id: uuid.UUID
    created_at: dt.datetime
    created_by: str
    retention: str
    retention_label: str
    package_size: int
    package_sha256: str
    package_sm3: str
    manifest_sha256: str
    manifest_sm3: str
    ledger_seq: int
    checkpoint_tree_size: int


class ProblemOut(Schema):
    where: str  # "member <path>", "entry <seq>", "checkpoint signature", "zip", "manifest"
    code: str
    message: str


class VerificationOut(Schema):
    ok: bool
    archive_number: str
    case_number: str
    algorithm: str
    tree_size: int | None
    entries: int
    members: int
    key_algorithm: str
    key_fingerprint: str
    key_trusted: bool | None
    problems: list[ProblemOut]


def _out(archive: CaseArchive) -> dict[str, Any]:
    blob, user = archive.package, archive.created_by
    person = getattr(user, "person", None)
    return {
        "number": archive.number, "case": archive.case.number,
        "case_public_id": archive.case.public_id, "created_at": archive.created_at,
        "created_by": person.name if person is not None else user.username,
        "retention": archive.retention,
        "retention_label": RETENTION_LABELS.get(archive.retention, archive.retention),
        "package_size": blob.size, "package_sha256": blob.sha256, "package_sm3": blob.sm3,
        "manifest_sha256": archive.manifest_sha256, "manifest_sm3": archive.manifest_sm3,
        "ledger_seq": archive.ledger_seq, "checkpoint_tree_size": archive.checkpoint.tree_size,
    }


def _archive(request: HttpRequest, key: str) -> CaseArchive:
    case = case_get_for_user(user=request.user, key=key)
    archive = archive_for_case(case)
    if archive is None:
        raise NotFound(_("Case %(number)s has no case-file package yet.")
                       % {"number": case.number}, code="archive_not_found")
    return archive


@router.get("/cases/{key}/archive", response={200: ArchiveOut, **DENIED_OR_MISSING},
            operation_id="archive_for_case", summary="The case's archive",
            description="`key` is the case's public id or number. 404 archive_not_found "
                        "while the case has no package.")
def archive_get(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    return _out(_archive(request, key))


@router.post("/cases/{key}/archive",
             response={201: ArchiveOut, **DENIED_OR_MISSING, **REJECTED},
             operation_id="archive_create", summary="Archive a closed case",
             description="Assigns the archive number, takes the case's archive step, builds "
                         "and stores the package, records ARCHIVE_CREATED with the manifest's "
                         "SHA-256 and SM3 and signs a checkpoint; the case becomes read-only. "
                         "A case archived before packages existed gets its package.")
def archive_post(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.HANDLE_CASES)
    case = case_get_for_user(user=request.user, key=key)
    archive = archive_create(actor=request.user, case=case)
    return Status(201, _out(archive_for_case(case) or archive))


@router.get("/cases/{key}/archive/package",
            response={200: None, **DENIED_OR_MISSING, 410: ErrorOut},
            operation_id="archive_package", summary="Download the package (application/zip)",
            description="Streams the stored package; every download is recorded in the "
                        "case's ledger (ARCHIVE_EXPORTED).")
def archive_download(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    case = case_get_for_user(user=request.user, key=key)
    archive = archive_package(actor=request.user, case=case, via="api")
    blob = archive.package
    response = StreamingHttpResponse(storage_named(blob.storage).iter_range(blob.key),
                                     content_type="application/zip")
    response["Content-Length"] = str(blob.size)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{archive.number}.zip")
    return response


@router.get("/cases/{key}/archive/verification",
            response={200: VerificationOut, **DENIED_OR_MISSING},
            operation_id="archive_verify_stored", summary="Verify the stored package",
            description="The offline verification of the stored package, with this "
                        "installation's keys as the trusted ones: every failure is named "
                        "(`where`: member path, ledger entry, checkpoint signature, zip).")
def archive_verification(request: HttpRequest, key: str) -> Any:
    require_perm(request.user, Perm.VIEW_CASES)
    report = archive_verify_stored(_archive(request, key))
    return report.as_dict()

