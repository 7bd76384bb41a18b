"""Validate only (the default), then "confirm import" of the stored file; the error report;
download names; export-only status columns."""

import io
import re
from pathlib import Path
from urllib.parse import quote

import openpyxl

from tests.transfer.conftest import (
    World,
    bad_checksum,
    counts,
    csv_file,
    new_id,
    run_import,
    xlsx_from_template,
)
from tests.transfer.test_views import _client, _people_rows, _upload
from zhifa.orgs.models import Person
from zhifa.transfer.services import transfer_export


def _token(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no confirm button"
    return match[1]


def test_validate_only_is_ticked_by_default(world: World) -> None:
    html = _client(world.admin_a).get("/transfer/").content.decode()
    assert re.search(r'<input type="checkbox" name="dry_run"[^>]* checked', html)


def test_confirm_imports_the_validated_file_once(world: World, data_dir: Path) -> None:
    ids = [new_id(), new_id()]
    client = _client(world.admin_a)
    before = counts()
    response = client.post("/transfer/", {"kind": "people", "dry_run": "on",
                                          "file": _upload(csv_file("people",
                                                                   _people_rows(world, *ids)),
                                                          "p.csv")})
    html = response.content.decode()
    assert "确认导入" in html
    assert counts() == before  # validating saved nothing
    token = _token(html)
    assert len(list((data_dir / "imports").iterdir())) == 1

    response = client.post("/transfer/confirm", {"token": token})
    assert "已导入 2 条记录" in response.content.decode()
    assert Person.objects.filter(id_number__in=ids).count() == 2
    assert list((data_dir / "imports").iterdir()) == []  # the stored file is gone

    after = counts()
    again = client.post("/transfer/confirm", {"token": token}).content.decode()
    assert "已导入或已不可用" in again
    assert counts() == after


def test_confirm_token_of_another_user_is_refused(world: World, data_dir: Path) -> None:
    content = csv_file("people", _people_rows(world, new_id()))
    html = _client(world.admin_a).post(
        "/transfer/", {"kind": "people", "dry_run": "on", "file": _upload(content, "p.csv")}
    ).content.decode()
    token = _token(html)
    before = counts()
    other = _client(world.admin_b).post("/transfer/confirm", {"token": token}).content.decode()
    assert "文件已不可用" in other
    assert counts() == before
    assert len(list((data_dir / "imports").iterdir())) == 1  # still there for its owner
    forged = _client(world.admin_a).post("/transfer/confirm", {"token": token + "x"})
    assert "文件已不可用" in forged.content.decode()
    assert counts() == before


def test_error_report_download(world: World) -> None:
    bad = bad_checksum(new_id())
    content = xlsx_from_template("people", _people_rows(world, new_id(), bad))
    client = _client(world.admin_a)
    html = client.post("/transfer/", {"kind": "people", "file": _upload(content)}
                       ).content.decode()
    assert "确认导入" not in html
    match = re.search(r'href="(/transfer/error-reports/[^"]+\.xlsx)"', html)
    assert match and "下载错误报告（XLSX）" in html
    response = client.get(match[1])
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["行", "列", "内容", "错误代码", "问题"]
    assert rows[1][:4] == [4, "公民身份号码", bad, "id_number_checksum"]
    assert "校验码" in rows[1][4]
    assert len(rows) == 2
    # Another user's link is not found.
    assert _client(world.admin_b).get(match[1]).status_code == 404


def test_download_names_are_chinese_with_ascii_fallback(world: World) -> None:
    response = _client(world.admin_a).get("/transfer/templates/people.xlsx")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"zhifa-people-template.xlsx\"; "
        f"filename*=UTF-8''{quote('人员导入模板.xlsx')}"
    )


def test_status_columns_are_exported_and_ignored_on_import(world: World) -> None:
    content = transfer_export(actor=world.admin_a, kind="people", fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "状态"
    assert {r[-1].value for r in sheet.iter_rows(min_row=3)} == {"在岗"}
    # A new row with any status text imports; the status is not read.
    id_number = new_id()
    rows = _people_rows(world, id_number)
    rows[0]["status"] = "已离岗（随便写）"
    report = run_import(world.admin_a, "people", csv_file("people", rows), name="p.csv")
    assert report.ok and report.committed
    assert Person.objects.get(id_number=id_number).status == "active"
    template = openpyxl.load_workbook(io.BytesIO(
        _client(world.admin_a).get("/transfer/templates/people.xlsx").content)).worksheets[0]
    assert "状态" not in [c.value for c in template[1]]
