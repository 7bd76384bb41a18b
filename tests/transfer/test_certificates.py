import datetime as dt
from typing import Any

import pytest

from tests import factories as f
from tests.transfer.conftest import (
    World,
    bad_checksum,
    counts,
    csv_file,
    new_id,
    run_import,
    xlsx_from_template,
)
from zhifa.orgs.models import Certificate, CertificateStatus, Person, PersonStatus, RoleKind
from zhifa.orgs.services import region_upsert


@pytest.fixture
def holder(world: World) -> Person:
    return f.person(world.body_a, name="孙悦")


def _row(holder: Person, **overrides: Any) -> dict[str, Any]:
    row = {
        "number": "43010220259999",
        "holder_id_number": holder.id_number,
        "holder_name": holder.name,
        "issuer": "湖南省人民政府",
        "areas": "430102",
        "categories": "市场监管",
        "issue_date": "2025-01-01",
        "expiry_date": "2030-12-31",
    }
    row.update(overrides)
    return row


def _cert(number: str) -> dict[str, Any]:
    c = Certificate.objects.get(number=number)
    return {
        "person": c.person_id, "issuer": c.issuer,
        "areas": sorted(a.code for a in c.areas.all()),
        "categories": sorted(s.code for s in c.categories.all()),
        "issue": c.issue_date, "expiry": c.expiry_date, "status": c.status,
    }


def test_good_xlsx_imports_exactly_its_rows(world: World, holder: Person) -> None:
    other = f.person(world.body_a, name="周杰")
    # Several areas, all within body A's county (certificate_area_outside_body otherwise).
    region_upsert(code="430102001", name="五里牌街道", parent=world.regions["county"])
    content = xlsx_from_template("certificates", [
        _row(holder, number="43010220250001"),
        _row(other, number="43010220250002", holder_name="", areas="430102、430102001",
             categories="market, environment", issue_date=dt.date(2024, 6, 1),
             expiry_date="2029-05-31", issuer="长沙市人民政府"),
    ])
    before = counts()
    report = run_import(world.admin_a, "certificates", content)
    assert report.errors == []
    assert (report.rows, report.created) == (2, 2)
    assert counts()["certificates"] == before["certificates"] + 2
    assert _cert("43010220250001") == {
        "person": holder.pk, "issuer": "湖南省人民政府", "areas": ["430102"],
        "categories": ["market"], "issue": dt.date(2025, 1, 1),
        "expiry": dt.date(2030, 12, 31), "status": CertificateStatus.VALID,
    }
    assert _cert("43010220250002") == {
        "person": other.pk, "issuer": "长沙市人民政府", "areas": ["430102", "430102001"],
        "categories": ["environment", "market"], "issue": dt.date(2024, 6, 1),
        "expiry": dt.date(2029, 5, 31), "status": CertificateStatus.VALID,
    }


def test_good_csv_imports_exactly_its_rows(world: World, holder: Person) -> None:
    content = csv_file("certificates", [_row(holder, number="43010220250003",
                                             categories="生态环境")])
    report = run_import(world.sysadmin, "certificates", content, name="certs.csv")
    assert report.errors == []
    assert _cert("43010220250003")["categories"] == ["environment"]
    assert _cert("43010220250003")["person"] == holder.pk


def test_duplicate_certificate_in_the_file(world: World, holder: Person) -> None:
    content = xlsx_from_template("certificates", [
        _row(holder, number="43010220250010"), _row(holder, number="43010220250011"),
        _row(holder, number="43010220250010"),
    ])
    before = counts()
    report = run_import(world.admin_a, "certificates", content)
    assert report.codes() == [(5, "certificate_duplicate")]
    assert report.errors[0].column == "执法证编号"
    assert report.errors[0].message == "第 3 行已有相同的证件编号。"
    assert counts() == before


def test_duplicate_certificate_against_the_database(world: World, holder: Person) -> None:
    f.certificate(holder, [world.regions["county"]], [world.market], number="43010220250020")
    content = xlsx_from_template("certificates", [
        _row(holder, number="43010220250021"), _row(holder, number="43010220250020"),
    ])
    before = counts()
    report = run_import(world.admin_a, "certificates", content)
    assert report.codes() == [(4, "certificate_duplicate")]
    assert report.errors[0].value == "43010220250020"
    assert counts() == before


def test_wrong_dates(world: World, holder: Person) -> None:
    content = xlsx_from_template("certificates", [
        _row(holder, number="43010220250030", issue_date="2025.01.32"),
        _row(holder, number="43010220250031", expiry_date="20301231"),
        _row(holder, number="43010220250032", issue_date="2025-06-01",
             expiry_date="2025-05-31"),
    ])
    before = counts()
    report = run_import(world.admin_a, "certificates", content)
    assert report.codes() == [(3, "date_format"), (4, "date_format"), (5, "date_order")]
    assert [e.column for e in report.sorted_errors()] == ["发证日期", "有效期至", "有效期至"]
    assert counts() == before


def test_holder_checks(world: World, holder: Person) -> None:
    stranger = f.person(world.body_b, name="吴磊")
    content = xlsx_from_template("certificates", [
        _row(holder, number="43010220250040", holder_id_number=bad_checksum(holder.id_number)),
        _row(holder, number="43010220250041", holder_id_number=new_id()),
        # Registered, but in another body: not found for this administrator.
        _row(stranger, number="43010220250042"),
        _row(holder, number="43010220250043", holder_name="孙月"),
    ])
    before = counts()
    report = run_import(world.admin_a, "certificates", content)
    assert report.codes() == [
        (3, "id_number_checksum"), (4, "person_unknown"), (5, "person_unknown"),
        (6, "person_mismatch"),
    ]
    assert counts() == before


def test_unknown_region_and_sector(world: World, holder: Person) -> None:
    content = xlsx_from_template("certificates", [
        _row(holder, number="43010220250050", areas="430102、439999"),
        _row(holder, number="43010220250051", categories="税务"),
        _row(holder, number="43010220250052", areas="43A102"),
    ])
    before = counts()
    report = run_import(world.admin_a, "certificates", content)
    assert report.codes() == [
        (3, "region_unknown"), (4, "sector_unknown"), (5, "region_code_format"),
    ]
    assert report.errors[0].value == "439999"
    assert counts() == before


def test_out_of_scope_holder_for_a_supervising_manager(world: World) -> None:
    """Someone who sees another body (a supervisor who is also a body administrator) still
    cannot issue certificates there."""
    from zhifa.orgs.models import AccountRole

    manager = world.admin_a
    manager.roles = [AccountRole.BODY_ADMIN, AccountRole.SUPERVISOR]
    manager.save()
    city_body = f.body(world.regions["city"], world.market, name="长沙市市场监督管理局")
    world.admin_a.person.body = city_body  # type: ignore[union-attr]
    world.admin_a.person.save()  # type: ignore[union-attr]
    stranger = f.person(world.body_a, name="吴磊")
    content = xlsx_from_template("certificates", [_row(stranger, number="43010220250060")])
    before = counts()
    report = run_import(manager, "certificates", content)
    assert report.codes() == [(3, "body_out_of_scope")]
    assert counts() == before


def test_holders_and_areas_the_registry_refuses_are_reported_per_row(
    world: World, holder: Person
) -> None:
    """``certificate_issue`` refuses auxiliary staff (APL art. 42), people no longer in post
    and, for a body administrator, areas outside the body's region: each refusal is reported
    on its row and column with its code and the service's Chinese message."""
    auxiliary = f.person(world.body_a, name="钱多", roles=(RoleKind.AUXILIARY,))
    gone = f.person(world.body_a, name="郑重")
    Person.objects.filter(pk=gone.pk).update(status=PersonStatus.LEFT)
    content = xlsx_from_template("certificates", [
        _row(holder, number="43010220250070"),
        _row(auxiliary, number="43010220250071"),
        # The city is beyond body A's county.
        _row(holder, number="43010220250072", areas="430102、430100"),
        _row(gone, number="43010220250073"),
    ])
    before = counts()
    report = run_import(world.admin_a, "certificates", content)
    assert [(e.row, e.column, e.value, e.code, e.message) for e in report.sorted_errors()] == [
        (4, "持证人公民身份号码", auxiliary.id_number, "certificate_holder_role",
         "只有执法人员、负责人、法制审核人员和监督人员可以持有行政执法证，执法辅助人员"
         "不得持证（《行政处罚法》第四十二条）。"),
        (5, "执法区域", "430102、430100", "certificate_area_outside_body",
         "执法证的执法区域须在本执法主体的管辖区域内。"),
        (6, "持证人公民身份号码", gone.id_number, "certificate_holder_left", "持证人已不在岗。"),
    ]
    assert (report.created, report.committed) == (0, False)
    assert counts() == before
    # A system administrator may issue beyond the body's region; the role rule holds for all.
    report = run_import(world.sysadmin, "certificates", content)
    assert report.codes() == [(4, "certificate_holder_role"), (6, "certificate_holder_left")]
    assert counts() == before
