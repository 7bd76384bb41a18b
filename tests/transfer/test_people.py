import datetime as dt
from typing import Any

import pytest

from tests.transfer.conftest import (
    World,
    bad_checksum,
    counts,
    csv_file,
    new_id,
    run_import,
    unregistered_credit_code,
    xlsx_from_template,
)
from zhifa.core.errors import ApplicationError, PermissionDenied
from zhifa.orgs.models import Person
from zhifa.transfer.kinds import people as people_kind


def _row(world: World, **overrides: Any) -> dict[str, Any]:
    row = {
        "body_credit_code": world.body_a.credit_code,
        "department": "执法稽查科",
        "name": "刘洋",
        "id_number": new_id(),
        "role_kinds": "执法人员",
        "post": "科员",
        "phone": "0731-84000001",
    }
    row.update(overrides)
    return row


def _person(id_number: str) -> dict[str, Any]:
    p = Person.objects.get(id_number=id_number)
    return {
        "body": p.body_id, "department": p.department.name if p.department else None,
        "name": p.name, "roles": p.role_kinds(), "post": p.post, "phone": p.phone,
        "qualification": p.legal_qualification_number,
        "qualified_on": p.legal_qualification_date,
    }


def test_good_xlsx_imports_exactly_its_rows(world: World) -> None:
    first, second = new_id(), new_id("19880512")
    content = xlsx_from_template("people", [
        _row(world, id_number=first),
        _row(world, id_number=second, name="陈红", department="法制科",
             role_kinds="法制审核人员、负责人", post="科长", phone="",
             legal_qualification_number="A20184301020001",
             legal_qualification_date="2018-12-20"),
    ])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    assert report.errors == []
    assert (report.rows, report.created, report.committed) == (2, 2, True)
    assert counts()["people"] == before["people"] + 2
    assert _person(first) == {
        "body": world.body_a.pk, "department": "执法稽查科", "name": "刘洋",
        "roles": ["officer"], "post": "科员", "phone": "0731-84000001",
        "qualification": "", "qualified_on": None,
    }
    assert _person(second) == {
        "body": world.body_a.pk, "department": "法制科", "name": "陈红",
        "roles": ["head", "reviewer"], "post": "科长", "phone": "",
        "qualification": "A20184301020001", "qualified_on": dt.date(2018, 12, 20),
    }


def test_xlsx_date_cells_and_numbers_are_read(world: World) -> None:
    """Excel turns typed dates into date cells; the importer reads them as dates."""
    id_number = new_id()
    content = xlsx_from_template("people", [
        _row(world, id_number=id_number, legal_qualification_number="A2019",
             legal_qualification_date=dt.datetime(2019, 3, 1), phone=84000002),
    ])
    report = run_import(world.sysadmin, "people", content)
    assert report.errors == []
    person = _person(id_number)
    assert (person["qualified_on"], person["phone"]) == (dt.date(2019, 3, 1), "84000002")


@pytest.mark.parametrize("bom", [True, False])
def test_good_csv_imports_exactly_its_rows(world: World, bom: bool) -> None:
    id_number = new_id()
    content = csv_file("people", [
        _row(world, id_number=id_number, role_kinds="执法人员,辅助人员", department=""),
    ], bom=bom)
    report = run_import(world.admin_a, "people", content, name="people.csv")
    assert report.errors == []
    assert report.created == 1
    assert _person(id_number) == {
        "body": world.body_a.pk, "department": None, "name": "刘洋",
        "roles": ["auxiliary", "officer"], "post": "科员", "phone": "0731-84000001",
        "qualification": "", "qualified_on": None,
    }


def test_csv_in_gb18030_as_chinese_excel_saves_it(world: World) -> None:
    id_number = new_id()
    text = csv_file("people", [_row(world, id_number=id_number)], bom=False).decode("utf-8")
    report = run_import(world.admin_a, "people", text.encode("gb18030"), name="people.csv")
    assert report.errors == []
    assert _person(id_number)["name"] == "刘洋"


def test_csv_with_field_keys_or_english_headings(world: World) -> None:
    keys = ["body_credit_code", "name", "id_number", "role_kinds"]
    english = ["Body credit code", "Name", "ID number", "Role kinds"]
    ids = [new_id(), new_id()]
    for headers, id_number in zip([keys, english], ids, strict=True):
        content = (",".join(headers) + "\n" + ",".join(
            [world.body_a.credit_code, "刘洋", id_number, "officer"]) + "\n").encode()
        report = run_import(world.admin_a, "people", content, name="p.csv")
        assert report.errors == []
    assert Person.objects.filter(id_number__in=ids).count() == 2


def test_bad_id_checksum_is_reported_and_nothing_imported(world: World) -> None:
    good, bad = new_id(), bad_checksum(new_id())
    content = xlsx_from_template("people", [_row(world, id_number=good),
                                            _row(world, id_number=bad)])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    assert report.codes() == [(4, "id_number_checksum")]
    error = report.errors[0]
    assert (error.row, error.column, error.value, error.code, error.message) == (
        4, "公民身份号码", bad, "id_number_checksum", "公民身份号码的校验码错误。"
    )
    assert not report.committed and report.created == 0
    assert counts() == before


def test_bad_credit_code_checksum(world: World) -> None:
    code = world.body_a.credit_code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    content = xlsx_from_template("people", [_row(world, body_credit_code=wrong)])
    before = counts()
    report = run_import(world.sysadmin, "people", content)
    assert report.codes() == [(3, "credit_code_checksum")]
    assert counts() == before


def test_unknown_body(world: World) -> None:
    content = xlsx_from_template("people", [_row(world,
                                                 body_credit_code=unregistered_credit_code())])
    before = counts()
    report = run_import(world.sysadmin, "people", content)
    assert report.codes() == [(3, "body_unknown")]
    assert report.errors[0].column == "执法主体统一社会信用代码"
    assert counts() == before


def test_wrong_date_format(world: World) -> None:
    content = xlsx_from_template("people", [
        _row(world, legal_qualification_number="A1", legal_qualification_date="2018/12-20"),
        _row(world, legal_qualification_number="A2", legal_qualification_date="2018-02-30"),
        _row(world, legal_qualification_number="A3", legal_qualification_date="20181220"),
        _row(world, legal_qualification_number="A4", legal_qualification_date="2018年12月20"),
    ])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    assert report.codes() == [(3, "date_format"), (4, "date_format"), (5, "date_format"),
                              (6, "date_format")]
    assert report.errors[0].value == "2018/12-20"
    assert counts() == before


def test_wrong_role_is_refused_and_nothing_changes(world: World) -> None:
    content = xlsx_from_template("people", [_row(world), _row(world, role_kinds="执法人员、局长")])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    assert report.codes() == [(4, "role_unknown")]
    assert report.errors[0].value == "局长"
    assert "执法人员" in report.errors[0].message
    assert counts() == before


def test_one_bad_row_among_good_ones_imports_nothing(world: World) -> None:
    rows = [_row(world) for _ in range(5)]
    rows[3]["name"] = ""
    before = counts()
    report = run_import(world.admin_a, "people", xlsx_from_template("people", rows))
    assert report.codes() == [(6, "required")]
    assert report.rows == 5 and report.created == 0
    assert counts() == before


def test_every_problem_of_a_row_is_reported(world: World) -> None:
    content = xlsx_from_template("people", [_row(
        world, body_credit_code=unregistered_credit_code(), id_number="12345",
        role_kinds="", legal_qualification_date="2020-01-01", department="不存在的科",
    )])
    report = run_import(world.sysadmin, "people", content)
    assert sorted(code for _row, code in report.codes()) == sorted([
        "body_unknown", "id_number_format", "required", "required",
    ])


def test_duplicate_id_in_file_and_in_database(world: World) -> None:
    dup = new_id()
    existing = Person.objects.filter(body=world.body_a).first()
    assert existing is not None
    content = xlsx_from_template("people", [
        _row(world, id_number=dup), _row(world, id_number=dup),
        _row(world, id_number=existing.id_number),
    ])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    assert report.codes() == [(4, "person_duplicate"), (5, "person_duplicate")]
    assert report.errors[0].message == "第 3 行已有相同的公民身份号码。"
    assert report.errors[1].message == "系统中已登记该公民身份号码的人员。"
    assert counts() == before


def test_id_number_registered_in_another_body_is_not_revealed(world: World) -> None:
    """An ID number registered in another body is refused with a neutral message that says
    neither where nor who: only the same body's duplicates are called duplicates."""
    elsewhere = Person.objects.filter(body=world.body_b).first()
    own = Person.objects.filter(body=world.body_a).first()
    assert elsewhere is not None and own is not None
    content = xlsx_from_template("people", [
        _row(world, id_number=elsewhere.id_number), _row(world, id_number=own.id_number),
    ])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    assert [(e.row, e.column, e.value, e.code, e.message) for e in report.errors] == [
        (3, "公民身份号码", elsewhere.id_number, "person_unavailable",
         "无法登记该公民身份号码：如该人员从其他执法主体调入，请联系系统管理员办理调动。"),
        (4, "公民身份号码", own.id_number, "person_duplicate",
         "系统中已登记该公民身份号码的人员。"),
    ]
    for text in (elsewhere.name, world.body_b.name, world.body_b.credit_code):
        assert all(text not in e.message for e in report.errors)
    assert counts() == before


def test_unknown_department(world: World) -> None:
    content = xlsx_from_template("people", [_row(world, department="财务科")])
    report = run_import(world.admin_a, "people", content)
    assert report.codes() == [(3, "department_unknown")]


def test_out_of_scope_body_rows_are_refused(world: World) -> None:
    content = xlsx_from_template("people", [
        _row(world), _row(world, body_credit_code=world.body_b.credit_code, department=""),
    ])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    # Another body is outside the administrator's scope: as unknown as an unregistered one.
    assert report.codes() == [(4, "body_unknown")]
    assert counts() == before
    # The system administrator may import the same file.
    report = run_import(world.sysadmin, "people", content)
    assert report.errors == [] and report.created == 2
    assert counts()["people"] == before["people"] + 2


def test_user_without_permission_is_refused(world: World) -> None:
    content = xlsx_from_template("people", [_row(world)])
    before = counts()
    with pytest.raises(PermissionDenied) as exc:
        run_import(world.officer_a, "people", content)
    assert exc.value.code == "missing_manage_people"
    with pytest.raises(PermissionDenied):
        run_import(None, "people", content)
    assert counts() == before


def test_dry_run_checks_everything_and_saves_nothing(world: World) -> None:
    content = xlsx_from_template("people", [_row(world), _row(world)])
    before = counts()
    report = run_import(world.admin_a, "people", content, dry_run=True)
    assert report.errors == []
    assert (report.rows, report.created, report.committed) == (2, 2, False)
    assert counts() == before


def test_a_service_refusing_midway_rolls_everything_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = people_kind.person_create
    calls = []

    def refuse_second(**kwargs: Any) -> Person:
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise ApplicationError("拒绝", code="refused_for_test")
        return real(**kwargs)

    monkeypatch.setattr(people_kind, "person_create", refuse_second)
    rows = [_row(world, name=f"人员{i}") for i in range(3)]
    before = counts()
    report = run_import(world.admin_a, "people", xlsx_from_template("people", rows))
    assert report.codes() == [(4, "refused_for_test")]
    assert calls == ["人员0", "人员1", "人员2"]  # the rest are still checked
    assert report.created == 0 and not report.committed
    assert counts() == before


def test_an_unexpected_failure_midway_rolls_everything_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = people_kind.person_create
    calls = []

    def crash_second(**kwargs: Any) -> Person:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(people_kind, "person_create", crash_second)
    before = counts()
    with pytest.raises(RuntimeError):
        run_import(world.admin_a, "people",
                   xlsx_from_template("people", [_row(world), _row(world)]))
    assert counts() == before


def test_wrong_headings_are_reported_and_nothing_imported(world: World) -> None:
    content = "执法主体统一社会信用代码,姓名,身份证,人员类别\n".encode() + (
        f"{world.body_a.credit_code},刘洋,{new_id()},执法人员\n".encode())
    before = counts()
    report = run_import(world.admin_a, "people", content, name="p.csv")
    assert [(e.row, e.column, e.code) for e in report.errors] == [
        (1, "身份证", "header_mismatch"), (1, "公民身份号码", "header_mismatch"),
    ]
    assert report.errors[1].message == "缺少必填列“公民身份号码”。"
    assert counts() == before


def test_empty_and_oversized_files(world: World, settings: Any) -> None:
    header_only = csv_file("people", [])
    assert run_import(world.admin_a, "people", header_only, name="p.csv").codes() == [
        (None, "file_empty")]
    assert run_import(world.admin_a, "people", b"", name="p.csv").codes() == [
        (None, "file_empty")]
    settings.ZHIFA = {**settings.ZHIFA, "IMPORT_MAX_ROWS": 2}
    rows = csv_file("people", [_row(world) for _ in range(3)])
    before = counts()
    assert run_import(world.admin_a, "people", rows, name="p.csv").codes() == [
        (None, "file_too_many_rows")]
    assert counts() == before


def test_every_date_form_is_accepted(world: World) -> None:
    forms = ["2018-12-20", "2018/12/20", "2018.12.20", "2018年12月20日", "2018-1-5"]
    ids = [new_id(f"1980010{i + 1}") for i in range(len(forms))]
    content = xlsx_from_template("people", [
        _row(world, id_number=id_number, legal_qualification_number=f"A{i}",
             legal_qualification_date=form)
        for i, (id_number, form) in enumerate(zip(ids, forms, strict=True))
    ])
    report = run_import(world.admin_a, "people", content)
    assert report.ok and report.committed
    dates = {p.id_number: p.legal_qualification_date for p in Person.objects.filter(
        id_number__in=ids)}
    assert [dates[i] for i in ids] == [dt.date(2018, 12, 20)] * 4 + [dt.date(2018, 1, 5)]


def test_excel_date_cells_are_accepted(world: World) -> None:
    id_number = new_id("19800201")
    content = xlsx_from_template("people", [
        _row(world, id_number=id_number, legal_qualification_number="A9",
             legal_qualification_date=dt.datetime(2018, 12, 20)),
    ])
    report = run_import(world.admin_a, "people", content)
    assert report.ok and report.committed
    person = Person.objects.get(id_number=id_number)
    assert person.legal_qualification_date == dt.date(2018, 12, 20)


def test_bad_body_code_with_own_id_number_is_a_duplicate(world: World) -> None:
    """The ID number is registered in the user's own body: a plain duplicate, even though the
    row's body code is wrong, not the neutral "cannot be registered"."""
    existing = world.officer_a.person
    content = xlsx_from_template("people", [
        _row(world, body_credit_code=unregistered_credit_code(), id_number=existing.id_number),
    ])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    assert report.codes() == [(3, "body_unknown"), (3, "person_duplicate")]
    assert counts() == before


def test_bad_body_code_with_other_body_id_number_stays_neutral(world: World) -> None:
    other = world.admin_b.person
    content = xlsx_from_template("people", [
        _row(world, body_credit_code=unregistered_credit_code(), id_number=other.id_number),
    ])
    before = counts()
    report = run_import(world.admin_a, "people", content)
    assert report.codes() == [(3, "body_unknown"), (3, "person_unavailable")]
    assert counts() == before
