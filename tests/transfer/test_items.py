import datetime as dt
from typing import Any

from django.utils import timezone

from tests.transfer.conftest import (
    World,
    counts,
    csv_file,
    run_import,
    unregistered_credit_code,
    xlsx_from_template,
)
from zhifa.catalog.models import EnforcementItem


def _row(world: World, **overrides: Any) -> dict[str, Any]:
    row = {
        "body_credit_code": world.body_a.credit_code,
        "code": "CF-SCJG-001",
        "name": "对销售不符合食品安全标准的食品的行政处罚",
        "category": "行政处罚",
        "procedure_type": "普通程序",
        "legal_basis": "food-safety-law:124; administrative-penalty-law:28",
        "basis_text": "《中华人民共和国食品安全法》第一百二十四条",
        "time_limit": "90",
        "time_limit_unit": "自然日",
        "accepting_office": "执法稽查科",
        "deciding_office": "法制科",
        "reconsideration_body": "长沙市芙蓉区人民政府",
        "litigation_court": "长沙市芙蓉区人民法院",
        "effective_from": "2024-01-01",
    }
    row.update(overrides)
    return row


def _item(code: str, version: int = 1) -> dict[str, Any]:
    i = EnforcementItem.objects.get(code=code, version=version)
    return {
        "body": i.body_id, "name": i.name, "category": i.category,
        "procedure": i.procedure_type,
        "basis": sorted((a.version.law.code, a.number, a.version.label)
                        for a in i.legal_basis.all()),
        "basis_text": i.basis_text, "time_limit": (i.time_limit, i.time_limit_unit),
        "offices": (i.accepting_office.name if i.accepting_office else None,
                    i.deciding_office.name if i.deciding_office else None),
        "remedies": (i.reconsideration_body, i.reconsideration_days, i.litigation_court,
                     i.litigation_months),
        "effective": (i.effective_from, i.effective_to),
    }


def test_good_xlsx_imports_items_with_basis_in_force(world: World) -> None:
    content = xlsx_from_template("items", [
        _row(world),
        _row(world, code="CF-SCJG-002", name="对食品生产经营者未按规定进行检验的处罚",
             legal_basis="food-safety-law:124", effective_from="2020-05-01", time_limit="",
             time_limit_unit="", accepting_office="", deciding_office="",
             reconsideration_days="90", litigation_months="3", category="penalty",
             procedure_type="一般程序"),
    ])
    before = counts()
    # Items in force since 2020 and 2024: a system administrator records past versions.
    report = run_import(world.sysadmin, "items", content)
    assert report.errors == []
    assert report.created == 2
    assert counts()["items"] == before["items"] + 2
    assert _item("CF-SCJG-001") == {
        "body": world.body_a.pk, "name": "对销售不符合食品安全标准的食品的行政处罚",
        "category": "penalty", "procedure": "general",
        "basis": [("administrative-penalty-law", 28, "2021年修订"),
                  ("food-safety-law", 124, "2021年修正")],
        "basis_text": "《中华人民共和国食品安全法》第一百二十四条",
        "time_limit": (90, "calendar_day"), "offices": ("执法稽查科", "法制科"),
        "remedies": ("长沙市芙蓉区人民政府", 60, "长沙市芙蓉区人民法院", 6),
        "effective": (dt.date(2024, 1, 1), None),
    }
    # In force on 2020-05-01 was the 2015 text of article 124.
    second = _item("CF-SCJG-002")
    assert second["basis"] == [("food-safety-law", 124, "2015年修订")]
    assert second["time_limit"] == (None, "")
    assert second["offices"] == (None, None)
    assert second["remedies"] == ("长沙市芙蓉区人民政府", 90, "长沙市芙蓉区人民法院", 3)


def test_good_csv_imports_versions_in_order(world: World) -> None:
    content = csv_file("items", [
        _row(world, effective_from="2022-01-01"),
        _row(world, effective_from="2024-01-01", name="新名称"),
    ])
    report = run_import(world.sysadmin, "items", content, name="items.csv")
    assert report.errors == []
    assert _item("CF-SCJG-001", 1)["effective"] == (dt.date(2022, 1, 1), dt.date(2024, 1, 1))
    assert _item("CF-SCJG-001", 2)["name"] == "新名称"


def test_article_not_in_force_or_malformed(world: World) -> None:
    content = xlsx_from_template("items", [
        # The penalty law's 2021 text was not yet in force on 2021-01-01.
        _row(world, code="A1", effective_from="2021-01-01"),
        _row(world, code="A2", legal_basis="food-safety-law:999"),
        _row(world, code="A3", legal_basis="食品安全法第124条"),
    ])
    before = counts()
    report = run_import(world.admin_a, "items", content)
    assert report.codes() == [(3, "article_unknown"), (4, "article_unknown"),
                              (5, "article_format")]
    assert report.errors[0].value == "administrative-penalty-law:28"
    assert counts() == before


def test_bad_values(world: World) -> None:
    content = xlsx_from_template("items", [
        _row(world, code="B1", category="行政审批"),
        _row(world, code="B2", time_limit="九十"),
        _row(world, code="B3", time_limit_unit=""),
        _row(world, code="B4", accepting_office="综合科"),
        _row(world, code="B5", legal_basis="", basis_text=""),
        _row(world, code="B6", effective_from="2024-13-01"),
        _row(world, code="B7", body_credit_code=unregistered_credit_code()),
    ])
    before = counts()
    report = run_import(world.admin_a, "items", content)
    assert report.codes() == [
        (3, "category_unknown"), (4, "integer_format"), (5, "required"),
        (6, "department_unknown"), (7, "required"), (8, "date_format"), (9, "body_unknown"),
    ]
    assert counts() == before


def test_out_of_scope_body_rows_are_refused(world: World) -> None:
    content = xlsx_from_template("items", [
        _row(world), _row(world, body_credit_code=world.body_b.credit_code,
                          accepting_office="", deciding_office=""),
    ])
    before = counts()
    report = run_import(world.admin_a, "items", content)
    # Another body is outside the administrator's scope: as unknown as an unregistered one.
    assert report.codes() == [(4, "body_unknown")]
    assert report.errors[0].message == "在您的权限范围内未找到该统一社会信用代码的执法主体。"
    assert counts() == before


def test_new_version_must_be_later(world: World) -> None:
    assert run_import(world.sysadmin, "items", xlsx_from_template("items", [_row(world)])).ok
    content = xlsx_from_template("items", [
        _row(world, effective_from="2023-06-01"),  # before the version in the database
        _row(world, code="C1", effective_from="2024-03-01"),
        _row(world, code="C1", effective_from="2024-03-01"),  # same date twice in the file
    ])
    before = counts()
    report = run_import(world.sysadmin, "items", content)
    assert report.codes() == [(3, "version_effective_date"), (5, "version_effective_date")]
    assert counts() == before


def test_officer_may_not_import_items(world: World) -> None:
    import pytest

    from zhifa.core.errors import PermissionDenied

    before = counts()
    with pytest.raises(PermissionDenied):
        run_import(world.officer_a, "items", xlsx_from_template("items", [_row(world)]))
    assert counts() == before


def test_body_admin_adds_versions_from_today_on(world: World) -> None:
    """A body administrator's version cannot start in the past (``version_backdated``): what
    was in force on a day already gone stays what it was."""
    assert run_import(world.sysadmin, "items", xlsx_from_template("items", [_row(world)])).ok
    today = timezone.localdate()
    content = xlsx_from_template("items", [
        _row(world, name="新版本", effective_from=(today - dt.timedelta(days=1)).isoformat()),
        _row(world, code="C2", effective_from="2024-06-01"),
    ])
    before = counts()
    report = run_import(world.admin_a, "items", content)
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (3, "生效日期", "version_backdated"), (4, "生效日期", "version_backdated")]
    assert report.errors[0].message == f"新版本不能早于今天（{today.isoformat()}）生效。"
    assert counts() == before
    assert _item("CF-SCJG-001")["effective"] == (dt.date(2024, 1, 1), None)
    content = xlsx_from_template("items", [
        _row(world, name="新版本", effective_from=today.isoformat())])
    report = run_import(world.admin_a, "items", content)
    assert report.errors == []
    assert _item("CF-SCJG-001", 1)["effective"] == (dt.date(2024, 1, 1), today)
    assert _item("CF-SCJG-001", 2)["name"] == "新版本"
