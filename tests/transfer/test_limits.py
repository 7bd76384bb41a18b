"""What a file may hold: bytes, the size an .xlsx unpacks to, its parts, and data rows."""

import io
import zipfile
from typing import Any

import pytest

from tests.transfer.conftest import World, counts, csv_file, new_id, run_import, xlsx_from_template
from zhifa.transfer import tabular


def _rows(world: World, n: int) -> list[dict[str, str]]:
    return [{"body_credit_code": world.body_a.credit_code, "name": f"人员{i}",
             "id_number": new_id(), "role_kinds": "执法人员"} for i in range(n)]


def _with_extra_part(xlsx: bytes, name: str, content: bytes, copies: int = 1) -> bytes:
    """The workbook with more parts added, as a crafted "zip bomb" would have."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        for i in range(copies):
            target.writestr(f"{name}{i}" if copies > 1 else name, content)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_row_limit_counts_data_rows_only(world: World, settings: Any, fmt: str) -> None:
    """The heading and the template's key row do not count against IMPORT_MAX_ROWS."""
    settings.ZHIFA = {**settings.ZHIFA, "IMPORT_MAX_ROWS": 2}

    def build(n: int) -> bytes:
        rows = _rows(world, n)
        return xlsx_from_template("people", rows) if fmt == "xlsx" else csv_file("people", rows)

    before = counts()
    report = run_import(world.admin_a, "people", build(2), name=f"p.{fmt}")
    assert report.errors == [] and report.created == 2
    assert counts()["people"] == before["people"] + 2
    before = counts()
    report = run_import(world.admin_a, "people", build(3), name=f"p.{fmt}")
    assert report.codes() == [(None, "file_too_many_rows")]
    assert report.errors[0].message == "文件超过 2 行数据，请拆分为多个文件。"
    assert counts() == before


def test_blank_rows_do_not_count(world: World, settings: Any) -> None:
    settings.ZHIFA = {**settings.ZHIFA, "IMPORT_MAX_ROWS": 2}
    rows = _rows(world, 2)
    content = xlsx_from_template("people", [rows[0], {}, {}, {}, rows[1]])
    report = run_import(world.admin_a, "people", content)
    assert report.errors == [] and report.created == 2


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_read(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.ZHIFA = {**settings.ZHIFA, "IMPORT_MAX_BYTES": 100_000}
    good = xlsx_from_template("people", _rows(world, 1))
    # 2.5 MB of zeros compress to a few kB: under the file size, over 20 x 100 kB unpacked.
    bomb = _with_extra_part(good, "xl/media/padding.bin", b"\0" * 2_500_000)
    assert len(bomb) < 100_000

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(tabular.openpyxl, "load_workbook", never)
    before = counts()
    report = run_import(world.admin_a, "people", bomb)
    assert report.codes() == [(None, "file_too_large")]
    assert report.errors[0].message.startswith("工作簿解压后超过 1.90735 MB")
    assert counts() == before


def test_the_unpacked_limit_is_configurable(world: World, settings: Any) -> None:
    good = xlsx_from_template("people", _rows(world, 1))
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(good)).infolist())
    settings.ZHIFA = {**settings.ZHIFA, "IMPORT_MAX_UNCOMPRESSED_BYTES": unpacked - 1}
    before = counts()
    assert run_import(world.admin_a, "people", good).codes() == [(None, "file_too_large")]
    assert counts() == before
    settings.ZHIFA = {**settings.ZHIFA, "IMPORT_MAX_UNCOMPRESSED_BYTES": unpacked}
    assert run_import(world.admin_a, "people", good).created == 1


def test_a_workbook_of_thousands_of_parts_is_refused(world: World) -> None:
    good = xlsx_from_template("people", _rows(world, 1))
    crowded = _with_extra_part(good, "xl/media/p", b"x", copies=tabular.MAX_ZIP_ENTRIES)
    before = counts()
    assert run_import(world.admin_a, "people", crowded).codes() == [(None, "file_too_large")]
    assert counts() == before
