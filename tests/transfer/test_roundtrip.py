"""Export from one database state, delete, import the export again: the same rows come back."""

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest

from tests import factories as f
from tests.transfer.conftest import World, counts, run_import, xlsx_from_template
from zhifa.catalog.models import DiscretionBenchmark, EnforcementItem
from zhifa.orgs.models import Certificate, Person, RoleKind, User
from zhifa.transfer.services import transfer_export, transfer_template


def _people() -> list[tuple[Any, ...]]:
    return sorted(
        [(p.body_id, p.department_id, p.name, p.id_number, tuple(p.role_kinds()), p.post,
         p.phone, p.legal_qualification_number, p.legal_qualification_date)
        for p in Person.objects.all()],
        key=repr,
    )


def _certificates() -> list[tuple[Any, ...]]:
    return sorted(
        [(c.number, c.person.id_number, c.issuer, tuple(sorted(a.code for a in c.areas.all())),
         tuple(sorted(s.code for s in c.categories.all())), c.issue_date, c.expiry_date)
        for c in Certificate.objects.all()],
        key=repr,
    )


def _items() -> list[tuple[Any, ...]]:
    return sorted(
        [(i.body_id, i.code, i.version, i.name, i.category, i.procedure_type,
         tuple(sorted(a.pk for a in i.legal_basis.all())), i.basis_text, i.time_limit,
         i.time_limit_unit, i.accepting_office_id, i.deciding_office_id,
         i.reconsideration_body, i.reconsideration_days, i.litigation_court,
         i.litigation_months, i.effective_from, i.effective_to)
        for i in EnforcementItem.objects.all()],
        key=repr,
    )


def _benchmarks() -> list[tuple[Any, ...]]:
    return sorted(
        [(b.code, b.version, b.violation, b.sector_id, b.region_id, b.issuing_body_id,
         b.violated_text, b.penalty_text, b.amount_unit, b.statutory_min, b.statutory_max,
         b.source_document, b.effective_from, b.effective_to,
         tuple(sorted(a.pk for a in b.violated_articles.all())),
         tuple(sorted(a.pk for a in b.penalty_articles.all())),
         tuple(sorted((t.tier, t.conditions, t.min_value, t.max_value, tuple(t.penalty_kinds),
                       t.other_measures) for t in b.tiers.all())))
        for b in DiscretionBenchmark.objects.all()],
        key=repr,
    )


@pytest.fixture
def populated(world: World) -> World:
    """People, certificates, item versions and benchmarks, loaded through the importer."""
    reviewer = f.person(world.body_a, name="陈红", roles=(RoleKind.REVIEWER, RoleKind.HEAD),
                        department=world.legal_a, post="科长", phone="+86 731 8400",
                        legal_qualification_number="A2018001")
    reviewer.legal_qualification_date = dt.date(2018, 12, 20)
    reviewer.save()
    f.person(world.body_b, name="=SUM(A1)", roles=(RoleKind.AUXILIARY,))
    # Auxiliary staff hold no enforcement certificate (APL art. 42; ``certificate_issue``).
    certified = Person.objects.exclude(roles__kind=RoleKind.AUXILIARY)
    assert certified.count() == Person.objects.count() - 1
    for p in certified:
        f.certificate(p, [world.regions["county"], world.regions["city"]],
                      [world.market, world.environment])
    items = [
        {"body_credit_code": world.body_a.credit_code, "code": "X-1", "name": "甲事项",
         "category": "行政处罚", "procedure_type": "普通程序",
         "legal_basis": "food-safety-law:124", "effective_from": "2019-01-01",
         "accepting_office": "执法稽查科", "deciding_office": "法制科", "time_limit": "90",
         "time_limit_unit": "工作日", "reconsideration_days": "90"},
        {"body_credit_code": world.body_a.credit_code, "code": "X-1", "name": "甲事项（修订）",
         "category": "行政处罚", "procedure_type": "普通程序",
         "legal_basis": "food-safety-law:124; administrative-penalty-law:28",
         "effective_from": "2022-01-01"},
        {"body_credit_code": world.body_b.credit_code, "code": "Y-1", "name": "乙事项",
         "category": "行政检查", "procedure_type": "行政检查程序", "basis_text": "某条例第五条",
         "effective_from": "2024-01-01", "litigation_months": "3"},
    ]
    assert run_import(world.sysadmin, "items", xlsx_from_template("items", items)).ok
    shared = {"violation": "违法行为甲", "sector": "market", "region": "430000",
              "violated_text": "第三十四条", "penalty_text": "第一百二十四条",
              "penalty_articles": "food-safety-law:124", "source_document": "某文件",
              "statutory_min": "50000", "statutory_max": "100000"}
    benchmarks = [
        {**shared, "code": "B-1", "effective_from": "2020-01-01", "tier": "从轻",
         "conditions": "情节轻微", "tier_min": "50000", "tier_max": "60000.5",
         "penalty_kinds": "罚款"},
        {**shared, "code": "B-1", "effective_from": "2020-01-01", "tier": "从重",
         "conditions": "情节严重", "tier_min": "90000", "tier_max": "100000",
         "penalty_kinds": "罚款、没收违法所得", "other_measures": "没收违法所得"},
        {**shared, "code": "B-1", "effective_from": "2023-01-01", "tier": "一般",
         "conditions": "一般情节", "tier_min": "60000", "tier_max": "90000"},
        {**shared, "code": "B-2", "region": "430102", "effective_from": "2024-01-01",
         "issuing_body_credit_code": world.body_a.credit_code, "amount_unit": "倍数",
         "statutory_min": "1", "statutory_max": "3", "tier": "减轻", "conditions": "主动消除",
         "tier_min": "0.5", "tier_max": "0.999"},
    ]
    assert run_import(world.sysadmin, "benchmarks",
                      xlsx_from_template("benchmarks", benchmarks)).ok
    return world


def _wipe_registry(keep: User) -> None:
    Certificate.objects.all().delete()
    User.objects.exclude(pk=keep.pk).delete()
    Person.objects.all().delete()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_of_all_four_kinds(populated: World, fmt: str) -> None:
    admin = populated.sysadmin
    snapshot = (_people(), _certificates(), _items(), _benchmarks())
    files = {kind: transfer_export(actor=admin, kind=kind, fmt=fmt)
             for kind in ("people", "certificates", "items", "benchmarks")}

    _wipe_registry(keep=admin)
    EnforcementItem.objects.all().delete()
    DiscretionBenchmark.objects.all().delete()
    assert counts() == dict.fromkeys(counts(), 0)

    for kind in ("people", "certificates", "items", "benchmarks"):
        report = run_import(admin, kind, files[kind], name=f"{kind}.{fmt}")
        assert report.errors == [], (kind, report.errors)
        assert report.committed
    assert (_people(), _certificates(), _items(), _benchmarks()) == snapshot


def test_body_admin_round_trip_of_own_people(populated: World) -> None:
    """A body administrator sees full ID numbers of their own body, so their export imports
    again (here without the administrator's own row, who stays registered)."""
    admin = populated.admin_a
    workbook = openpyxl.load_workbook(io.BytesIO(
        transfer_export(actor=admin, kind="people", fmt="xlsx")))
    sheet = workbook.worksheets[0]
    own_row = next(r for r in range(3, sheet.max_row + 1)
                   if sheet.cell(row=r, column=4).value == admin.person.id_number)
    sheet.delete_rows(own_row)
    out = io.BytesIO()
    workbook.save(out)
    others = [p for p in _people()
              if p[0] == populated.body_a.pk and p[3] != admin.person.id_number]
    assert len(others) == 2
    Certificate.objects.all().delete()
    User.objects.exclude(pk=admin.pk).delete()
    Person.objects.filter(body=populated.body_a).exclude(pk=admin.person.pk).delete()

    report = run_import(admin, "people", out.getvalue())
    assert report.errors == []
    assert report.created == 2
    assert [p for p in _people()
            if p[0] == populated.body_a.pk and p[3] != admin.person.id_number] == others


def test_masked_id_numbers_do_not_import_again(populated: World) -> None:
    """An officer's export masks ID numbers; such a file is refused row by row."""
    exported = transfer_export(actor=populated.officer_a, kind="people", fmt="csv")
    text = exported.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert all("*" in row[3] for row in rows[1:])
    assert {row[0] for row in rows[1:]} == {populated.body_a.credit_code}
    before = counts()
    report = run_import(populated.admin_a, "people", exported, name="p.csv")
    assert {code for _row, code in report.codes()} == {"id_number_format"}
    assert len(report.errors) == len(rows) - 1
    assert counts() == before


def test_export_is_scoped_and_formula_safe(populated: World) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(
        transfer_export(actor=populated.sysadmin, kind="people", fmt="xlsx")))
    sheet = workbook.worksheets[0]
    names = [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "=SUM(A1)" in names
    cell = next(c for c in sheet["C"] if c.value == "=SUM(A1)")
    assert cell.data_type == "s"  # a string, not a formula
    csv_text = transfer_export(actor=populated.sysadmin, kind="people", fmt="csv")
    assert csv_text.startswith(b"\xef\xbb\xbf")
    assert "'=SUM(A1)" in csv_text.decode("utf-8-sig")
    body_a_only = transfer_export(actor=populated.admin_a, kind="people", fmt="csv")
    assert "=SUM(A1)" not in body_a_only.decode("utf-8-sig")  # body_b's person


def test_template_has_instructions_and_key_row(world: World) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(transfer_template(kind="benchmarks",
                                                                   fmt="xlsx")))
    data, instructions = workbook.worksheets[0], workbook.worksheets[1]
    assert data.title == "行政裁量基准"
    assert [c.value for c in data[1]][:3] == ["基准编码", "违法行为", "执法领域"]
    assert [c.value for c in data[2]][:3] == ["code", "violation", "sector"]
    assert data.row_dimensions[2].hidden
    text = "\n".join(str(c.value) for row in instructions.iter_rows() for c in row if c.value)
    for expected in ("YYYY-MM-DD", "不予处罚、减轻、从轻、一般、从重", "tier_min"):
        assert expected in text
    sheet_titles = [s.title for s in workbook.worksheets]
    assert sheet_titles[2:] == ["执法领域", "行政区划", "法律法规"]
    csv_template = transfer_template(kind="people", fmt="csv").decode("utf-8-sig")
    assert csv_template.splitlines() == [
        "执法主体统一社会信用代码,内设机构,姓名,公民身份号码,人员类别,职务,联系电话,"
        "法律职业资格证书编号,法律职业资格取得日期"
    ]
