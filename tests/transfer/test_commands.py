import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tests.transfer.conftest import World, bad_checksum, counts, csv_file, new_id
from zhifa.orgs.models import Person


def _people_csv(world: World, *id_numbers: str) -> bytes:
    return csv_file("people", [
        {"body_credit_code": world.body_a.credit_code, "name": f"人员{i}", "id_number": n,
         "role_kinds": "执法人员"}
        for i, n in enumerate(id_numbers)
    ])


def test_template_command_writes_both_formats(world: World, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("transfer", "template", "certificates", "-o", str(tmp_path / "c.xlsx"),
                 stdout=out)
    workbook = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert [c.value for c in workbook.worksheets[0][2]] == [
        "number", "holder_id_number", "holder_name", "issuer", "areas", "categories",
        "issue_date", "expiry_date",
    ]
    call_command("transfer", "template", "items", "-o", str(tmp_path / "i.csv"), stdout=out)
    assert (tmp_path / "i.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(CommandError):
        call_command("transfer", "template", "items", "-o", str(tmp_path / "i.txt"))


def test_import_command_imports_a_good_file(world: World, tmp_path: Path) -> None:
    ids = [new_id(), new_id()]
    path = tmp_path / "people.csv"
    path.write_bytes(_people_csv(world, *ids))
    out = io.StringIO()
    call_command("transfer", "import", "people", str(path), "--user", "admin_a", stdout=out)
    assert "已导入 2 条记录" in out.getvalue()
    assert Person.objects.filter(id_number__in=ids).count() == 2


def test_import_command_dry_run_saves_nothing(world: World, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(_people_csv(world, new_id()))
    before = counts()
    out = io.StringIO()
    call_command("transfer", "import", "people", str(path), "--user", "admin_a", "--dry-run",
                 stdout=out)
    assert "未保存任何数据" in out.getvalue()
    assert counts() == before


def test_import_command_prints_the_report_and_fails(world: World, tmp_path: Path) -> None:
    bad = bad_checksum(new_id())
    path = tmp_path / "people.csv"
    path.write_bytes(_people_csv(world, new_id(), bad))
    before = counts()
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("transfer", "import", "people", str(path), "--user", "admin_a",
                     stdout=out)
    assert "未导入任何数据" in str(exc.value)
    line = out.getvalue().strip()
    assert line.startswith(f"3\t公民身份号码\t{bad}\t")
    assert line.endswith("[id_number_checksum]")
    assert counts() == before


def test_import_command_refuses_a_user_without_permission(world: World, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(_people_csv(world, new_id()))
    before = counts()
    with pytest.raises(CommandError, match="missing_manage_people"):
        call_command("transfer", "import", "people", str(path), "--user", "officer_a")
    with pytest.raises(CommandError):
        call_command("transfer", "import", "people", str(path), "--user", "nobody")
    assert counts() == before


def test_export_command(world: World, tmp_path: Path) -> None:
    call_command("transfer", "export", "people", "-o", str(tmp_path / "p.csv"),
                 "--user", "admin_a", stdout=io.StringIO())
    lines = (tmp_path / "p.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + Person.objects.filter(body=world.body_a).count()
    assert all(world.body_a.credit_code in line for line in lines[1:])
    call_command("transfer", "export", "items", "-o", str(tmp_path / "i.xlsx"),
                 "--user", "sysadmin", stdout=io.StringIO())
    assert openpyxl.load_workbook(tmp_path / "i.xlsx").worksheets[0].max_row == 2
