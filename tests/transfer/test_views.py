import io
from typing import Any

import openpyxl
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.transfer.conftest import (
    World,
    bad_checksum,
    counts,
    csv_file,
    new_id,
    xlsx_from_template,
)
from zhifa.orgs.models import Person

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


def _upload(content: bytes, name: str = "people.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _people_rows(world: World, *id_numbers: str) -> list[dict[str, str]]:
    return [{"body_credit_code": world.body_a.credit_code, "name": f"人员{i}",
             "id_number": n, "role_kinds": "执法人员"} for i, n in enumerate(id_numbers)]


def test_page_in_chinese_with_form_templates_and_exports(world: World) -> None:
    response = _client(world.admin_a).get("/transfer/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("导入导出", "导入文件", "仅校验", "导入模板", "导出",
                 'href="/transfer/templates/people.xlsx"', 'href="/transfer/exports/items.csv"'):
        assert text in html, text


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = Client().get("/transfer/")
    assert response.status_code == 302
    assert "/transfer/" in response["Location"]


def test_upload_shows_the_report_in_chinese_and_imports_nothing(world: World) -> None:
    bad = bad_checksum(new_id())
    content = xlsx_from_template("people", _people_rows(world, new_id(), bad))
    before = counts()
    response = _client(world.admin_a).post(
        "/transfer/", {"kind": "people", "file": _upload(content)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "未导入任何数据" in html
    assert "发现 1 个问题" in html
    for text in ("<td data-label=\"行\">4</td>", "公民身份号码", bad, "校验码",
                 "id_number_checksum"):
        assert text in html, text
    assert counts() == before
    # What the user chose stays selected.
    assert '<option value="people" selected>' in html


def test_upload_of_a_good_file_imports_it(world: World) -> None:
    ids = [new_id(), new_id()]
    content = csv_file("people", _people_rows(world, *ids))
    response = _client(world.admin_a).post(
        "/transfer/", {"kind": "people", "file": _upload(content, "p.csv")})
    assert response.status_code == 200
    assert "已导入 2 条记录" in response.content.decode()
    assert Person.objects.filter(id_number__in=ids).count() == 2


def test_validate_only_saves_nothing(world: World) -> None:
    content = csv_file("people", _people_rows(world, new_id()))
    before = counts()
    response = _client(world.admin_a).post(
        "/transfer/", {"kind": "people", "file": _upload(content, "p.csv"), "dry_run": "on"})
    assert response.status_code == 200
    assert "未保存任何数据" in response.content.decode()
    assert counts() == before


def test_report_in_english_when_selected(world: World) -> None:
    client = _client(world.admin_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = xlsx_from_template("people", _people_rows(world, bad_checksum(new_id())))
    html = client.post("/transfer/", {"kind": "people", "file": _upload(content)}
                       ).content.decode()
    assert "Nothing was imported" in html
    assert "check character is wrong" in html


def test_wrong_template_and_unreadable_files(world: World) -> None:
    client = _client(world.admin_a)
    certificates = xlsx_from_template("certificates", [])
    html = client.post("/transfer/", {"kind": "people", "file": _upload(certificates)}
                       ).content.decode()
    assert "header_mismatch" in html and "执法证" in html
    html = client.post("/transfer/", {"kind": "people",
                                      "file": _upload(b"PK\x03\x04garbage", "x.xlsx")}
                       ).content.decode()
    assert "file_unreadable" in html
    html = client.post("/transfer/", {"kind": "people",
                                      "file": _upload(b"\xd0\xcf\x11\xe0", "old.xls")}
                       ).content.decode()
    assert "file_type" in html


def test_file_size_limit(world: World, settings: Any) -> None:
    settings.ZHIFA = {**settings.ZHIFA, "IMPORT_MAX_BYTES": 1000}
    content = csv_file("people", _people_rows(world, *[new_id() for _ in range(20)]))
    assert len(content) > 1000
    before = counts()
    html = _client(world.admin_a).post(
        "/transfer/", {"kind": "people", "file": _upload(content, "p.csv")}).content.decode()
    assert "file_too_large" in html
    assert counts() == before


def test_officer_may_export_but_not_import(world: World) -> None:
    client = _client(world.officer_a)
    page = client.get("/transfer/")
    assert page.status_code == 200
    assert "导入文件" not in page.content.decode()
    content = csv_file("people", _people_rows(world, new_id()))
    before = counts()
    response = client.post("/transfer/", {"kind": "people", "file": _upload(content, "p.csv")})
    assert response.status_code == 403
    assert "您的角色无权执行此操作，未作任何更改。" in response.content.decode()
    assert counts() == before


def test_user_without_any_permission_gets_403_everywhere(world: World) -> None:
    world.officer_a.roles = []
    world.officer_a.save()
    client = _client(world.officer_a)
    assert client.get("/transfer/").status_code == 403
    assert client.get("/transfer/exports/people.csv").status_code == 403
    before = counts()
    content = csv_file("people", _people_rows(world, new_id()))
    assert client.post("/transfer/", {"kind": "people",
                                      "file": _upload(content, "p.csv")}).status_code == 403
    assert counts() == before


def test_template_and_export_downloads(world: World) -> None:
    client = _client(world.admin_a)
    response = client.get("/transfer/templates/people.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert 'filename="zhifa-people-template.xlsx"' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0].title == "人员"
    response = client.get("/transfer/exports/people.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert world.admin_a.person.id_number in body  # full for the body's administrator
    assert client.get("/transfer/templates/nothing.xlsx").status_code == 404
    assert client.get("/transfer/exports/people.pdf").status_code == 404


def test_templates_are_for_those_who_may_import_the_kind(world: World) -> None:
    """People and certificate templates need MANAGE_PEOPLE, item and benchmark templates
    MANAGE_CATALOG; the page offers only the templates the user may use."""
    officer = _client(world.officer_a)
    for kind in ("people", "certificates", "items", "benchmarks"):
        for fmt in ("xlsx", "csv"):
            assert officer.get(f"/transfer/templates/{kind}.{fmt}").status_code == 403
    assert "/transfer/templates/" not in officer.get("/transfer/").content.decode()
    # A body administrator manages people and catalogues.
    admin = _client(world.admin_a)
    for kind in ("people", "certificates", "items", "benchmarks"):
        assert admin.get(f"/transfer/templates/{kind}.csv").status_code == 200


def test_template_permission_follows_the_kind(world: World, monkeypatch: Any) -> None:
    from zhifa.orgs import permissions
    from zhifa.orgs.models import AccountRole
    from zhifa.orgs.permissions import Perm

    policy = {**permissions.POLICY,
              AccountRole.BODY_ADMIN: {Perm.VIEW_REGISTRY, Perm.VIEW_CATALOG,
                                       Perm.MANAGE_CATALOG}}
    monkeypatch.setattr(permissions, "POLICY", policy)
    client = _client(world.admin_a)
    assert client.get("/transfer/templates/items.xlsx").status_code == 200
    assert client.get("/transfer/templates/benchmarks.csv").status_code == 200
    assert client.get("/transfer/templates/people.xlsx").status_code == 403
    assert client.get("/transfer/templates/certificates.csv").status_code == 403
    html = client.get("/transfer/").content.decode()
    assert 'href="/transfer/templates/items.xlsx"' in html
    assert 'href="/transfer/templates/people.xlsx"' not in html
