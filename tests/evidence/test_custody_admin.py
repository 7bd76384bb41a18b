"""The custody admin saves retention classes and holds through their services (ledger entry,
refusal on the form with nothing saved), shows shares and disposal requests read-only; and
``zhifa evidence retention`` (cli/retention.py) lists due files and recomputes."""

import argparse
import io
import json

import pytest
from django.core.management.base import OutputWrapper
from django.test import Client

from zhifa.evidence.cli import retention as retention_cli
from zhifa.evidence.events import HOLD_PLACED, HOLD_RELEASED, RETENTION_CLASS_SAVED
from zhifa.evidence.models import EvidenceFile, LegalHold, RetentionClass
from zhifa.orgs.models import AccountRole, User

from .custody_factories import case_with_files, entries, snapshot, text_bytes


@pytest.fixture
def admin(db: None) -> Client:
    user = User.objects.create_superuser(username="root", password="Zhifa-test-2026",
                                         roles=[AccountRole.SYSTEM_ADMIN])
    client = Client()
    client.force_login(user)
    return client


CLASS_URL = "/admin/evidence/retentionclass/"


def _class_form(**overrides: str) -> dict[str, str]:
    return {"body": "", "code": "av-12", "name": "音像记录十二个月", "item": "", "sector": "",
            "procedure": "", "months": "12", "source": "本局音像记录管理办法", "active": "on",
            **overrides}


def test_retention_class_added_through_the_service(admin, a) -> None:
    response = admin.post(CLASS_URL + "add/", _class_form(body=str(a.body.pk)))
    assert response.status_code == 302
    cls = RetentionClass.objects.get()
    assert (cls.body, cls.code, cls.months) == (a.body, "av-12", 12)
    (payload,) = entries("evidence.config", RETENTION_CLASS_SAVED.code)
    assert payload["code"] == "av-12" and payload["created"] is True
    response = admin.post(CLASS_URL + f"{cls.pk}/change/",
                          _class_form(months="24", name="二十四个月"))
    assert response.status_code == 302
    cls.refresh_from_db()
    assert (cls.body, cls.months, cls.name) == (a.body, 24, "二十四个月")  # body unchanged
    assert len(entries("evidence.config", RETENTION_CLASS_SAVED.code)) == 2


def test_retention_class_refusal_shows_on_the_form(admin, a) -> None:
    before = snapshot()
    response = admin.post(CLASS_URL + "add/", _class_form(months="3"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert snapshot() == before


def test_holds_placed_and_released_in_the_admin(admin, a) -> None:
    case, _files = case_with_files(a)
    response = admin.post("/admin/evidence/legalhold/add/",
                          {"case": str(case.pk), "kind": "supervision", "reason": "审计"})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert len(entries(case.stream, HOLD_PLACED.code)) == 1
    before = snapshot()
    response = admin.post(f"/admin/evidence/legalhold/{hold.pk}/change/",
                          {"release_reason": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert snapshot() == before
    response = admin.post(f"/admin/evidence/legalhold/{hold.pk}/change/",
                          {"release_reason": "审计结束"})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.release_reason == "审计结束"
    assert len(entries(case.stream, HOLD_RELEASED.code)) == 1


def test_shares_and_requests_are_read_only(admin, a) -> None:
    assert admin.get("/admin/evidence/sharelink/").status_code == 200
    assert admin.get("/admin/evidence/sharelink/add/").status_code == 403
    assert admin.get("/admin/evidence/disposalrequest/").status_code == 200
    assert admin.get("/admin/evidence/disposalrequest/add/").status_code == 403


def _run(*argv: str) -> str:
    parser = argparse.ArgumentParser()
    retention_cli.add_arguments(parser)
    out = io.StringIO()
    retention_cli.handle(vars(parser.parse_args(list(argv))), OutputWrapper(out))
    return out.getvalue()


def test_cli_lists_due_files_and_recomputes(a) -> None:
    case, (due,) = case_with_files(a, text_bytes("到期"), names=("due.txt",))
    _open, (_not_due,) = case_with_files(a, text_bytes("未结"), closed=False)
    rows = json.loads(_run("--json"))
    assert [(r["case"], r["filename"], r["retain_until"]) for r in rows] == [
        (case.number, "due.txt", "2025-09-10")]
    assert _run().splitlines()[-1] == "1 file(s) due for disposal"
    # a closed case whose files were never computed (closed before retention existed)
    EvidenceFile.objects.filter(pk=due.pk).update(retain_until=None)
    assert json.loads(_run("--json")) == []
    assert json.loads(_run("--recompute", "--json")) == {"cases": 2, "files_changed": 1}
    assert EvidenceFile.objects.get(pk=due.pk).retain_until.isoformat() == "2025-09-10"
    assert json.loads(_run("--recompute", "--json")) == {"cases": 2, "files_changed": 0}
