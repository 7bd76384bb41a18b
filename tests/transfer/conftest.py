"""A small province for the import/export tests, and helpers that build files in code.

430000 province ─ 430100 city ─ 430102 county (body_a: market)
               └ 430200 other city ─ 430202 other county (body_b: market)
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest

from tests import factories as f
from zhifa.catalog.models import BenchmarkTier, DiscretionBenchmark, EnforcementItem
from zhifa.orgs.models import (
    AccountRole,
    Certificate,
    Department,
    DepartmentKind,
    Person,
    PersonRole,
    RoleKind,
    User,
)
from zhifa.transfer.kinds import KINDS
from zhifa.transfer.report import ImportReport
from zhifa.transfer.services import transfer_import, transfer_template


@dataclass
class World(f.TwoBodies):
    legal_a: Department
    sysadmin: User
    admin_a: User
    admin_b: User
    officer_a: User


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Any) -> Any:
    """Uploaded files kept for "confirm import" and error reports go to a temporary dir."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def world(db: Any) -> World:
    base = f.two_bodies()
    legal_a = Department.objects.create(body=base.body_a, name="法制科",
                                        kind=DepartmentKind.LEGAL_REVIEW)
    admin_a = f.user(f.person(base.body_a, name="王芳", roles=(RoleKind.HEAD,)),
                     roles=(AccountRole.BODY_ADMIN,), username="admin_a")
    admin_b = f.user(f.person(base.body_b, name="赵强", roles=(RoleKind.HEAD,)),
                     roles=(AccountRole.BODY_ADMIN,), username="admin_b")
    officer_a = f.user(f.person(base.body_a, name="李明"), roles=(AccountRole.OFFICER,),
                       username="officer_a")
    sysadmin = f.user(None, roles=(AccountRole.SYSTEM_ADMIN,), username="sysadmin")
    # Two texts of one law: article 124 changed in 2021, so an item's basis depends on its date.
    f.law_version(code="food-safety-law", title="中华人民共和国食品安全法", label="2015年修订",
                  effective_from=dt.date(2015, 10, 1),
                  articles=((34, "第三十四条", "禁止生产经营下列食品……（2015）"),
                            (124, "第一百二十四条", "违反本法规定……（2015）")))
    f.law_version(code="food-safety-law", title="中华人民共和国食品安全法", label="2021年修正",
                  effective_from=dt.date(2021, 4, 29),
                  articles=((34, "第三十四条", "禁止生产经营下列食品……（2021）"),
                            (124, "第一百二十四条", "违反本法规定……（2021）")))
    f.law_version(code="administrative-penalty-law", title="中华人民共和国行政处罚法",
                  label="2021年修订", effective_from=dt.date(2021, 7, 15),
                  articles=((28, "第二十八条", "行政机关实施行政处罚时，应当责令当事人改正……"),))
    return World(
        **vars(base), legal_a=legal_a, sysadmin=sysadmin, admin_a=admin_a, admin_b=admin_b,
        officer_a=officer_a,
    )


# --- Building files -------------------------------------------------------------------------
def xlsx_from_template(kind: str, rows: list[dict[str, Any]]) -> bytes:
    """The system's own template with ``rows`` filled in from row 3 (by field key)."""
    workbook = openpyxl.load_workbook(io.BytesIO(transfer_template(kind=kind, fmt="xlsx")))
    sheet = workbook.worksheets[0]
    keys = [cell.value for cell in sheet[2]]
    for number, row in enumerate(rows, start=3):
        unknown = set(row) - set(keys)
        assert not unknown, unknown
        for index, key in enumerate(keys, start=1):
            if key in row:
                sheet.cell(row=number, column=index, value=row[key])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(kind: str, rows: list[dict[str, Any]], *, bom: bool = True,
             headers: list[str] | None = None) -> bytes:
    """A CSV with the Chinese headings (as Excel saves it after editing), UTF-8."""
    columns = KINDS[kind].columns
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(headers if headers is not None else [str(c.label) for c in columns])
    for row in rows:
        writer.writerow([row.get(c.key, "") for c in columns])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def run_import(actor: Any, kind: str, content: bytes, *, name: str = "file.xlsx",
               dry_run: bool = False) -> ImportReport:
    return transfer_import(actor=actor, kind=kind, file_name=name, source=content,
                           dry_run=dry_run)


def counts() -> dict[str, int]:
    """Rows of everything an import could create; a refused import leaves them unchanged."""
    return {
        "people": Person.objects.count(),
        "roles": PersonRole.objects.count(),
        "certificates": Certificate.objects.count(),
        "certificate_areas": Certificate.areas.through.objects.count(),
        "items": EnforcementItem.objects.count(),
        "item_basis": EnforcementItem.legal_basis.through.objects.count(),
        "benchmarks": DiscretionBenchmark.objects.count(),
        "tiers": BenchmarkTier.objects.count(),
    }


def new_id(birth: str = "19900101") -> str:
    return f.id_number(birth=birth)


def bad_checksum(id_number: str) -> str:
    """The same ID number with a wrong check character."""
    last = id_number[-1]
    return id_number[:-1] + ("1" if last != "1" else "2")


def unregistered_credit_code() -> str:
    return f.credit_code("430100")
