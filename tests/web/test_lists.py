"""List pages: filters return exactly the expected rows, pagination, HTMX partials, ID masking,
and a constant number of queries however many rows there are."""

import datetime as dt

import pytest
from django.urls import reverse

from tests import factories as f
from zhifa.catalog.models import EnforcementItem, LegalityReviewStatus
from zhifa.catalog.services import TierIn
from zhifa.orgs.models import (
    CertificateStatusChange,
    Department,
    Person,
    PersonStatus,
    RoleKind,
)

pytestmark = pytest.mark.django_db


def rows(response):
    return list(response.context["rows"])


def test_body_filters(login, world):
    client = login(world.sysadmin)
    names = lambda **q: [b.name for b in rows(client.get("/bodies/", q))]  # noqa: E731
    assert names(sector="environment") == ["长沙市生态环境局"]
    assert names(region="430200") == ["荷塘区市场监督管理局"]
    assert sorted(names(region="430100")) == sorted(
        ["长沙市生态环境局", "长沙市司法局", "芙蓉区市场监督管理局"])
    assert names(q="荷塘") == ["荷塘区市场监督管理局"]
    assert names(q=world.body_a.credit_code[-6:]) == ["芙蓉区市场监督管理局"]
    assert names(sector="market", region="430102") == ["芙蓉区市场监督管理局"]
    assert names(status="dissolved") == []


def test_people_filters_and_masking(login, world):
    other_dept = Department.objects.create(body=world.body_a, name="办公室", kind="office")
    f.person(world.body_a, name="孙丽", roles=(RoleKind.AUXILIARY,), department=other_dept)
    f.person(world.body_a, name="刘洋", status=PersonStatus.LEFT)
    client = login(world.body_admin)
    names = lambda **q: sorted(p.name for p in rows(client.get("/people/", q)))  # noqa: E731
    assert names() == sorted(["李明", "王芳", "孙丽", "刘洋"])
    assert names(role="auxiliary") == ["孙丽"]
    assert names(department=str(world.dept_a.public_id)) == ["李明"]
    assert names(status="left") == ["刘洋"]
    assert names(q="李") == ["李明"]
    assert names(role="officer", status="active") == ["李明"]
    # Lists always mask, even for an administrator who may see the full number on detail.
    html = client.get("/people/").content.decode()
    assert world.officer_a.id_number not in html
    assert world.officer_a.id_number_masked in html


def test_id_number_full_only_for_authorised_admins(login, world):
    url = reverse("web:person_detail", args=[world.officer_a.public_id])
    full, masked = world.officer_a.id_number, world.officer_a.id_number_masked
    assert masked != full and masked.startswith(full[:6]) and masked.endswith(full[-4:])
    for account, expected in [("body_admin", full), ("sysadmin", full),
                              ("officer", masked), ("supervisor", masked)]:
        html = login(getattr(world, account)).get(url).content.decode()
        assert expected in html, account
        if expected == masked:
            assert full not in html, account


def test_certificate_filters(login, world, today):
    soon = f.certificate(world.officer_a, [world.regions["county"]], [world.market],
                         number="43010220249999", expiry=today + dt.timedelta(days=30))
    f.certificate(world.officer_a, [world.regions["county"]], [world.environment],
                  number="43010220248888", issue=dt.date(2018, 1, 1),
                  expiry=dt.date(2023, 12, 31))
    suspended = f.certificate(world.admin_a_person, [world.regions["county"]], [world.market],
                              number="43010220247777")
    CertificateStatusChange.objects.create(
        certificate=suspended, from_status="valid", to_status="suspended",
        effective_date=dt.date(2025, 1, 1), reason="暂扣",
    )
    # A suspension that only starts tomorrow leaves the certificate valid today.
    CertificateStatusChange.objects.create(
        certificate=soon, from_status="valid", to_status="suspended",
        effective_date=today + dt.timedelta(days=1), reason="将暂扣",
    )
    client = login(world.body_admin)
    numbers = lambda **q: sorted(c.number for c in rows(client.get("/certificates/", q)))  # noqa: E731
    assert numbers() == sorted(["43010220240001", "43010220249999", "43010220248888",
                                "43010220247777"])
    assert numbers(status="valid") == ["43010220240001", "43010220249999"]
    assert numbers(status="suspended") == ["43010220247777"]
    assert numbers(status="expired") == ["43010220248888"]
    assert numbers(category="environment") == ["43010220248888"]
    assert numbers(expiring_within="90") == ["43010220249999"]
    assert numbers(q="王芳") == ["43010220247777"]
    assert numbers(q="9999") == ["43010220249999"]
    # The list's status agrees with Certificate.status_on for every row.
    for cert in rows(client.get("/certificates/")):
        assert cert.status_on_day == cert.status_on(today)
    html = client.get("/certificates/", {"expiring_within": "abc"}).content.decode()
    assert "输入整数。" in html


def test_workbench_counts(login, world, today):
    f.certificate(world.officer_a, [world.regions["county"]], [world.market],
                  expiry=today + dt.timedelta(days=10))
    f.certificate(world.officer_a, [world.regions["county"]], [world.market],
                  issue=dt.date(2018, 1, 1), expiry=dt.date(2023, 12, 31))
    f.item(world.body_a, code="A-1")
    f.item(world.body_a, code="A-2", effective_from=today + dt.timedelta(days=5))
    f.item(world.body_b, code="B-1")
    response = login(world.officer).get("/")
    assert response.context["counts"] == {
        "people": 2, "valid_certificates": 2, "expiring": 1, "items": 1,
    }
    response = login(world.sysadmin).get("/")
    assert response.context["counts"] == {
        "people": 5, "valid_certificates": 4, "expiring": 1, "items": 2,
    }


def test_item_filters(login, world, today):
    f.item(world.body_a, code="XK-001", name="食品经营许可", category="licensing",
           procedure_type="licensing")
    cf = f.item(world.body_a, code="CF-001", name="对销售不合格产品的行政处罚")
    f.item(world.body_a, code="CF-001", name="对销售不合格产品的行政处罚（修订）",
           effective_from=dt.date(2025, 1, 1))
    EnforcementItem.objects.filter(pk=cf.pk).update(
        legality_review_status=LegalityReviewStatus.PASSED, legality_reviewed_on=dt.date(2024, 2, 1)
    )
    f.item(world.body_b, code="CF-900", name="对无照经营的行政处罚")
    client = login(world.officer)
    items = lambda **q: sorted((i.code, i.version) for i in rows(client.get("/items/", q)))  # noqa: E731
    # Versions in force today by default; "all" shows every version.
    assert items() == [("CF-001", 2), ("XK-001", 1)]
    assert items(in_force="all") == [("CF-001", 1), ("CF-001", 2), ("XK-001", 1)]
    assert items(category="licensing") == [("XK-001", 1)]
    assert items(procedure="general", in_force="all") == [("CF-001", 1), ("CF-001", 2)]
    assert items(review="passed", in_force="all") == [("CF-001", 1)]
    assert items(in_force="today") == [("CF-001", 2), ("XK-001", 1)]
    assert items(q="许可") == [("XK-001", 1)]
    assert items(body=str(world.body_a.public_id)) == items()


def test_benchmark_filters_and_money(login, world):
    f.benchmark(world.regions["province"], world.market, code="SC-1", violation="销售不合格产品")
    env = f.benchmark(world.regions["province"], world.environment, code="HJ-1",
                      violation="超标排放大气污染物", statutory_min=10_000_000,
                      statutory_max=100_000_000,
                      tiers=(TierIn(tier="ordinary", conditions="超标排放", min_value=10_000_000,
                                    max_value=50_000_000, penalty_kinds=["fine"]),))
    client = login(world.officer)
    violations = lambda **q: sorted(b.violation for b in rows(client.get("/benchmarks/", q)))  # noqa: E731
    assert violations() == ["超标排放大气污染物", "销售不合格产品"]
    assert violations(sector="environment") == ["超标排放大气污染物"]
    assert violations(q="不合格") == ["销售不合格产品"]
    html = client.get(reverse("web:benchmark_detail", args=[env.public_id])).content.decode()
    assert "100,000元" in html and "1,000,000元" in html
    assert "超标排放" in html and "500,000元" in html
    html = client.get(reverse("web:benchmark_detail", args=[rows(client.get(
        "/benchmarks/", {"sector": "market"}))[0].public_id])).content.decode()
    assert "从轻" in html and "初次违法且及时改正" in html and "15,000元" in html
    assert "湘市监规〔2024〕1号" in html


def test_pagination_and_htmx_partial(login, world, settings):
    settings.ZHIFA = {**settings.ZHIFA, "PAGE_SIZE": 2}
    for i in range(3):
        f.person(world.body_a, name=f"测试{i}")
    client = login(world.officer)
    first = client.get("/people/", {"q": "测试"})
    assert [p.name for p in rows(first)] == ["测试0", "测试1"]
    html = first.content.decode()
    assert "共 3 条" in html and "第 1 / 2 页" in html
    assert 'href="/people/?q=%E6%B5%8B%E8%AF%95&amp;page=2"' in html
    second = client.get("/people/", {"q": "测试", "page": "2"},
                        HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert [p.name for p in rows(second)] == ["测试2"]
    body = second.content.decode()
    assert "<html" not in body and "<form" not in body
    assert "HX-Request" in second["Vary"]
    # History restoration asks for the whole page.
    restore = client.get("/people/", {"q": "测试"}, HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET="results", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def _grow(world, n):
    start = Person.objects.count()
    for i in range(start, start + n):
        p = f.person(world.body_a, name=f"批量{i}", roles=(RoleKind.OFFICER, RoleKind.HEAD),
                     department=world.dept_a)
        cert = f.certificate(p, [world.regions["county"]], [world.market, world.environment])
        CertificateStatusChange.objects.create(
            certificate=cert, from_status="valid", to_status="suspended",
            effective_date=dt.date(2025, 1, 1), reason="暂扣",
        )
        f.item(world.body_a, code=f"G-{i}")
        f.benchmark(world.regions["province"], world.market, code=f"GB-{i}")


LIST_PAGES = ["/", "/bodies/", "/people/", "/certificates/", "/items/", "/benchmarks/",
              "/people/?role=officer&status=active", "/certificates/?status=suspended"]


@pytest.mark.parametrize("path", LIST_PAGES)
def test_list_queries_do_not_grow_with_rows(login, world, path,
                                            django_assert_max_num_queries,
                                            django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.sysadmin)
    _grow(world, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    _grow(world, 12)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(10):
        client.get(path)
