"""The archive tab, the API and ``zhifa archive export``: who may archive and download, what
each sees, and that a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.cases.factories import Agency, open_case, snapshot
from tests.evidence.archive_helpers import closed_inspection, package_bytes
from zhifa.cases.models import Case, CaseStatus
from zhifa.evidence import events
from zhifa.evidence.archive.verify import verify_package
from zhifa.evidence.models import Blob, CaseArchive
from zhifa.evidence.storage import get_storage
from zhifa.ledger.models import Checkpoint, LedgerEntry

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"
API = "/api/v1"


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> None:
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user, backend=BACKEND)
    return c


def page(case: Case) -> str:
    return reverse("web:archive_case", kwargs={"public_id": case.public_id})


def download(case: Case) -> str:
    return reverse("web:archive_download", kwargs={"public_id": case.public_id})


def state(case: Case) -> dict[str, Any]:
    return {**snapshot(case), "archives": CaseArchive.objects.count(),
            "blobs": Blob.objects.count(), "checkpoints": Checkpoint.objects.count()}


def exports(case: Case) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(
        stream=case.stream, event_code=events.ARCHIVE_EXPORTED.code).order_by("seq")]


# --- the archive tab ---------------------------------------------------------------------------

def test_an_open_case_shows_no_archive_button(a: Agency) -> None:
    case = open_case(a, "inspection", received_on=dt.date(2026, 9, 1))
    response = login(a.u_officer).get(page(case))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="archive-form"' not in html and 'aria-current="page"' in html


def test_a_closed_case_shows_what_the_package_will_hold_and_the_button(a: Agency) -> None:
    case = closed_inspection(a)
    html = login(a.u_officer).get(page(case)).content.decode()
    assert 'class="archive-form"' in html
    for member in ("evidence/004-1-现场照片.png", "evidence/005-1-检查笔录.pdf",
                   "02-办案记录.html#case"):
        assert member in html
    # a supervisor sees the case and its preview, without the button
    html = login(a.u_supervisor).get(page(case)).content.decode()
    assert "evidence/004-1-现场照片.png" in html and 'class="archive-form"' not in html


def test_archiving_from_the_tab(a: Agency) -> None:
    case = closed_inspection(a)
    c = login(a.u_officer)
    response = c.post(page(case))
    assert (response.status_code, response["Location"]) == (302, page(case))
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED
    archive = CaseArchive.objects.get(case=case)
    html = c.get(page(case)).content.decode()
    assert f'data-archive-number>{archive.number}</dd>' in html
    assert 'data-verification="ok"' in html and archive.package.sha256 in html
    # the signing key's fingerprint, for recipients to pin with --trusted-key
    from zhifa.evidence.archive.verify import verify_package
    from zhifa.evidence.storage import storage_named

    stored = storage_named(archive.package.storage).path(archive.package.key)  # type: ignore[attr-defined]
    fingerprint = verify_package(stored).key_fingerprint
    assert len(fingerprint) == 64 and f"<code data-key-fingerprint>{fingerprint}</code>" in html
    assert 'class="archive-form"' not in html


@pytest.mark.parametrize(("who", "status"), [("u_supervisor", 403), ("u_auxiliary", 403),
                                             ("u_other", 404)])
def test_archiving_refused_from_the_tab_changes_nothing(a: Agency, who: str,
                                                        status: int) -> None:
    case = closed_inspection(a)
    before = state(case)
    response = login(getattr(a, who)).post(page(case))
    assert response.status_code == status
    assert state(case) == before


def test_the_tab_names_what_fails_in_a_damaged_stored_package(a: Agency) -> None:
    case = closed_inspection(a)
    assert login(a.u_officer).post(page(case)).status_code == 302
    archive = CaseArchive.objects.get(case=case)
    path = get_storage().path(archive.package.key)  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF  # inside the cover
    path.chmod(0o640)
    path.write_bytes(bytes(data))
    html = login(a.u_officer).get(page(case)).content.decode()
    assert 'data-verification="failed"' in html and "member 00-封面.html" in html


def test_the_download_streams_the_stored_package_and_records_it(a: Agency) -> None:
    case = closed_inspection(a)
    login(a.u_officer).post(page(case))
    archive = CaseArchive.objects.get(case=case)
    for user in (a.u_officer, a.u_supervisor):
        response = login(user).get(download(case))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert body == package_bytes(archive)
    assert [e["via"] for e in exports(case)] == ["web", "web"]


def test_no_download_outside_the_scope_or_before_archiving(a: Agency) -> None:
    case = closed_inspection(a)
    before = LedgerEntry.objects.count()
    assert login(a.u_officer).get(download(case)).status_code == 404
    login(a.u_officer).post(page(case))
    count = LedgerEntry.objects.count()
    assert count > before
    assert login(a.u_other).get(download(case)).status_code == 404
    assert Client().get(download(case)).status_code == 302  # to the login page
    assert LedgerEntry.objects.count() == count


def test_the_case_page_links_to_the_archive_tab_instead_of_the_generic_form(
        a: Agency) -> None:
    case = closed_inspection(a)
    c = login(a.u_officer)
    html = c.get(reverse("web:case_detail", kwargs={"public_id": case.public_id})
                 ).content.decode()
    assert 'id="action-archive"' not in html
    assert f'href="{page(case)}"' in html
    c.post(page(case))
    html = c.get(reverse("web:case_detail", kwargs={"public_id": case.public_id})
                 ).content.decode()
    assert 'id="archive-heading"' not in html  # nothing left to do


# --- the API ---------------------------------------------------------------------------------

def api(c: Client, method: str, url: str) -> Any:
    return getattr(c, method)(API + url, content_type="application/json")


def test_the_api_archives_reads_downloads_and_verifies(a: Agency) -> None:
    case = closed_inspection(a)
    c = login(a.u_officer)
    missing = api(c, "get", f"/cases/{case.number}/archive")
    assert (missing.status_code, missing.json()["code"]) == (404, "archive_not_found")
    created = api(c, "post", f"/cases/{case.number}/archive")
    assert created.status_code == 201, created.content
    archive = CaseArchive.objects.get(case=case)
    body = created.json()
    assert body == {
        "number": archive.number, "case": case.number,
        "case_public_id": str(case.public_id),
        "created_at": body["created_at"], "created_by": "李明", "retention": "30y",
        "retention_label": "30年", "package_size": archive.package.size,
        "package_sha256": archive.package.sha256, "package_sm3": archive.package.sm3,
        "manifest_sha256": archive.manifest_sha256, "manifest_sm3": archive.manifest_sm3,
        "ledger_seq": archive.ledger_seq,
        "checkpoint_tree_size": archive.checkpoint.tree_size}
    assert api(c, "get", f"/cases/{case.public_id}/archive").json() == body
    again = api(c, "post", f"/cases/{case.number}/archive")
    assert (again.status_code, again.json()["code"]) == (409, "archive_exists")
    package = api(c, "get", f"/cases/{case.number}/archive/package")
    assert package.status_code == 200
    assert b"".join(package.streaming_content) == package_bytes(archive)
    assert [e["via"] for e in exports(case)] == ["api"]
    verification = api(login(a.u_supervisor), "get",
                       f"/cases/{case.number}/archive/verification").json()
    assert (verification["ok"], verification["problems"], verification["key_trusted"]) == (
        True, [], True)


@pytest.mark.parametrize(("who", "status", "code"), [
    ("u_supervisor", 403, "missing_handle_cases"), ("u_other", 404, "case_not_found"),
    (None, 401, "not_authenticated")])
def test_the_api_refuses_and_changes_nothing(a: Agency, who: str | None, status: int,
                                             code: str) -> None:
    case = closed_inspection(a)
    before = state(case)
    c = login(getattr(a, who)) if who else Client()
    response = api(c, "post", f"/cases/{case.number}/archive")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert state(case) == before


def test_the_api_refuses_an_open_case(a: Agency) -> None:
    case = open_case(a, "inspection", received_on=dt.date(2026, 9, 1))
    before = state(case)
    response = api(login(a.u_officer), "post", f"/cases/{case.number}/archive")
    assert (response.status_code, response.json()["code"]) == (409, "case_not_closed")
    assert state(case) == before


# --- zhifa archive export --------------------------------------------------------------------

def export(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("archive", "export", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def test_export_archives_a_closed_case_and_writes_its_package(a: Agency,
                                                              tmp_path: Path) -> None:
    case = closed_inspection(a)
    target = tmp_path / "out" / "案卷.zip"
    target.parent.mkdir()
    code, text = export(case.number, "-o", str(target), "--user", a.u_officer.username,
                        "--json")
    assert code == 0, text
    result = json.loads(text)
    archive = CaseArchive.objects.get(case=case)
    assert (result["created"], result["archive_number"], result["sha256"]) == (
        True, archive.number, archive.package.sha256)
    assert target.read_bytes() == package_bytes(archive)
    assert verify_package(target).ok
    # once archived, the export hands out the same stored package
    code, text = export(str(case.public_id), "-o", str(tmp_path / "again.zip"), "--user",
                        a.u_head.username)
    assert code == 0 and "created: False" in text
    assert (tmp_path / "again.zip").read_bytes() == target.read_bytes()
    assert [e["via"] for e in exports(case)] == ["cli", "cli"]
    assert not list(tmp_path.rglob("*.part"))


def test_export_refusals(a: Agency, tmp_path: Path, monkeypatch: Any) -> None:
    case = open_case(a, "inspection", received_on=dt.date(2026, 9, 1))
    before = state(case)
    target = tmp_path / "x.zip"
    code, text = export(case.number, "-o", str(target), "--user", a.u_officer.username)
    assert code == 1 and "case_not_closed" in text
    code, text = export(case.number, "-o", str(target), "--user", a.u_other.username)
    assert code == 1 and "case_not_found" in text
    code, _text = export(case.number, "-o", str(target), "--user", "nobody")
    assert code == 2
    monkeypatch.delenv("ZHIFA_USER", raising=False)
    code, _text = export(case.number, "-o", str(target))
    assert code == 2
    assert state(case) == before and not target.exists()


def test_a_large_stored_package_is_verified_on_request(a: Agency, monkeypatch: Any) -> None:
    from zhifa.web.views import evidence_archive

    monkeypatch.setattr(evidence_archive, "VERIFY_INLINE_MAX_BYTES", 0)
    case = closed_inspection(a)
    c = login(a.u_officer)
    c.post(page(case))
    html = c.get(page(case)).content.decode()
    assert 'href="?verify=1#verification"' in html and "data-verification" not in html
    html = c.get(page(case) + "?verify=1").content.decode()
    assert 'data-verification="ok"' in html


def test_a_case_archived_without_a_package_gets_one_from_the_tab(a: Agency) -> None:
    from tests.cases.factories import act

    case = closed_inspection(a)
    act(a, case, "archive", acted_on=dt.date(2026, 9, 5), archive_number="芙蓉市监档〔2026〕3号")
    c = login(a.u_officer)
    html = c.get(page(case)).content.decode()
    assert 'class="archive-form"' in html and "芙蓉市监档〔2026〕3号" in html
    assert c.post(page(case)).status_code == 302
    assert CaseArchive.objects.get(case=case).number == "芙蓉市监档〔2026〕3号"
    assert 'data-verification="ok"' in c.get(page(case)).content.decode()
