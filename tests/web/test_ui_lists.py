"""UI walk-through fixes: item versions, supervisor figures, scoped filter choices, money
display and benchmark articles. Exact rows and exact numbers, in the world of conftest.py:

supervisor (justice bureau, city 430100) sees body_a (county), body_c and the bureau (city);
body_b (other city) is outside the supervisor's scope.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from zhifa.catalog.models import EnforcementItem, LegalityReviewStatus
from zhifa.orgs.models import CertificateStatusChange
from zhifa.web.templatetags.zhifa_web import amount, yuan

pytestmark = pytest.mark.django_db


def rows(response):
    return list(response.context["rows"])


# --- Items: versions ------------------------------------------------------------------------
def _two_versions(world, today):
    old = f.item(world.body_a, code="CF-010", name="对无证经营的行政处罚",
                 effective_from=dt.date(2023, 1, 1))
    current = f.item(world.body_a, code="CF-010", name="对无证经营的行政处罚（修订）",
                     effective_from=today - dt.timedelta(days=10))
    future = f.item(world.body_a, code="CF-010", name="对无证经营的行政处罚（再修订）",
                    effective_from=today + dt.timedelta(days=20))
    return old, current, future


def test_items_default_to_versions_in_force_today(login, world, today):
    old, current, future = _two_versions(world, today)
    client = login(world.officer)
    versions = lambda **q: sorted(i.version for i in rows(client.get("/items/", q)))  # noqa: E731
    assert versions() == [current.version]
    assert versions(in_force="today") == [current.version]
    assert versions(in_force="all") == [old.version, current.version, future.version] == [1, 2, 3]
    html = client.get("/items/").content.decode()
    assert '<option value="today" selected>' in html
    # The filters render open (desktops, no JavaScript); the default is not an active filter,
    # so on phones app.js may fold them; "all" is active and keeps them open everywhere.
    assert '<details class="more-filters" open>' in html
    html = client.get("/items/", {"in_force": "all"}).content.decode()
    assert '<details class="more-filters" open data-keep-open>' in html and "已选 1 项" in html


def test_item_detail_banner_and_other_versions(login, world, today):
    old, current, future = _two_versions(world, today)
    client = login(world.officer)
    html = client.get(reverse("web:item_detail", args=[future.public_id])).content.decode()
    start = (today + dt.timedelta(days=20)).isoformat()
    assert f"本版本自 {start} 起施行。" in html
    link = lambda item: f'href="{reverse("web:item_detail", args=[item.public_id])}"'  # noqa: E731
    assert link(old) in html and link(current) in html and link(future) not in html

    old.refresh_from_db()
    html = client.get(reverse("web:item_detail", args=[old.public_id])).content.decode()
    assert f"本版本已于 {old.effective_to.isoformat()} 废止。" in html
    assert old.effective_to == current.effective_from

    html = client.get(reverse("web:item_detail", args=[current.public_id])).content.decode()
    assert "本版本自" not in html and "本版本已于" not in html
    # Another body's item with the same code is not one of its versions.
    other = f.item(world.body_b, code="CF-010")
    html = client.get(reverse("web:item_detail", args=[current.public_id])).content.decode()
    assert link(other) not in html and link(old) in html


# --- Supervisor: certificates by body and region ----------------------------------------------
def test_supervisor_filters_certificates_by_body_and_region(login, world):
    client = login(world.supervisor)
    numbers = lambda **q: sorted(c.number for c in rows(client.get("/certificates/", q)))  # noqa: E731
    assert numbers() == sorted([world.cert_a.number, world.cert_c.number])
    assert numbers(body=str(world.body_a.public_id)) == [world.cert_a.number]
    assert numbers(body=str(world.body_c.public_id)) == [world.cert_c.number]
    assert numbers(region="430102") == [world.cert_a.number]
    assert numbers(region="430100") == sorted([world.cert_a.number, world.cert_c.number])
    # A body outside the scope is not a choice: the filter is refused and ignored.
    response = client.get("/certificates/", {"body": str(world.body_b.public_id)})
    assert sorted(c.number for c in rows(response)) == numbers()
    assert "body" in response.context["form"].errors
    form = response.context["form"]
    assert {v for v, _ in form.fields["body"].choices[1:]} == {
        str(b.public_id) for b in (world.body_a, world.body_c, world.justice)}
    # Regions: those of visible bodies and their ancestors, indented by level.
    assert form.fields["region"].choices[1:] == [
        ("430000", "湖南省"), ("430100", "\u3000长沙市"), ("430102", "\u3000\u3000芙蓉区"),
    ]


def test_body_filter_hidden_for_single_body_users(login, world):
    client = login(world.officer)
    for path in ("/certificates/", "/people/", "/items/"):
        form = client.get(path).context["form"]
        assert "body" not in form.fields, path
        assert 'name="body"' not in client.get(path).content.decode()
    assert "region" not in client.get("/certificates/").context["form"].fields
    form = client.get("/bodies/").context["form"]
    assert form.fields["region"].choices[1:] == [
        ("430000", "湖南省"), ("430100", "\u3000长沙市"), ("430102", "\u3000\u3000芙蓉区"),
    ]
    supervisor = login(world.supervisor)
    for path in ("/certificates/", "/people/", "/items/"):
        assert "body" in supervisor.get(path).context["form"].fields, path


# --- Supervisor figures: bodies list and workbench -------------------------------------------
def _figures_world(world, today):
    """Body A: 2 people; certificates valid (cert_a), suspended, expired, expiring in 30 days;
    2 items in force awaiting review, 1 passed, 1 pending but not yet in force.
    Body C: 1 person, cert_c valid, nothing else. The bureau: 1 person, nothing else."""
    suspended = f.certificate(world.admin_a_person, [world.regions["county"]], [world.market])
    CertificateStatusChange.objects.create(
        certificate=suspended, from_status="valid", to_status="suspended",
        effective_date=dt.date(2025, 1, 1), reason="暂扣",
    )
    f.certificate(world.officer_a, [world.regions["county"]], [world.market],
                  issue=dt.date(2018, 1, 1), expiry=dt.date(2023, 12, 31))
    f.certificate(world.officer_a, [world.regions["county"]], [world.market],
                  expiry=today + dt.timedelta(days=30))
    f.item(world.body_a, code="P-1")
    f.item(world.body_a, code="P-2")
    passed = f.item(world.body_a, code="P-3")
    EnforcementItem.objects.filter(pk=passed.pk).update(
        legality_review_status=LegalityReviewStatus.PASSED,
        legality_reviewed_on=dt.date(2024, 2, 1),
    )
    f.item(world.body_a, code="P-4", effective_from=today + dt.timedelta(days=3))
    f.item(world.body_b, code="P-5")


FIGURES = ("people_count", "valid_count", "suspended_count", "expired_count",
           "expiring_count", "pending_review_count")


def test_bodies_list_counts(login, world, today):
    _figures_world(world, today)
    response = login(world.supervisor).get("/bodies/")
    got = {b.name: tuple(getattr(b, k) for k in FIGURES) for b in rows(response)}
    assert got == {
        "芙蓉区市场监督管理局": (2, 2, 1, 1, 1, 2),
        "长沙市生态环境局": (1, 1, 0, 0, 0, 0),
        "长沙市司法局": (1, 0, 0, 0, 0, 0),
    }
    html = response.content.decode()
    pid = world.body_a.public_id
    assert f'href="/people/?body={pid}">2</a>' in html
    assert f'href="/certificates/?body={pid}&amp;status=suspended"' in html
    assert f'href="/items/?body={pid}&amp;review=pending">2</a>' in html
    # The links lead to exactly the rows counted.
    client = login(world.supervisor)
    assert len(rows(client.get("/certificates/", {"body": pid, "status": "valid"}))) == 2
    assert len(rows(client.get("/items/", {"body": pid, "review": "pending"}))) == 2
    assert len(rows(client.get("/people/", {"body": pid}))) == 2


def test_supervisor_workbench_table(login, world, today):
    _figures_world(world, today)
    response = login(world.supervisor).get("/")
    table = [(b.name, b.people_count, b.valid_count, b.expiring_count, b.pending_review_count)
             for b in response.context["body_table"]]
    assert table == [
        ("长沙市司法局", 1, 0, 0, 0),
        ("长沙市生态环境局", 1, 1, 0, 0),
        ("芙蓉区市场监督管理局", 2, 2, 1, 2),
    ]
    html = response.content.decode()
    assert "本地区执法主体" in html and "即将到期（90 天内）" in html
    assert f"?body={world.body_a.public_id}&amp;status=valid&amp;expiring_within=90" in html
    # Other users get no table.
    for user in (world.officer, world.body_admin):
        response = login(user).get("/")
        assert response.context["body_table"] is None
        assert "本地区执法主体" not in response.content.decode()


def test_expiry_warning_days_come_from_settings(login, world, today, settings):
    settings.ZHIFA = {**settings.ZHIFA, "CERTIFICATE_EXPIRY_WARNING_DAYS": 20}
    _figures_world(world, today)
    response = login(world.supervisor).get("/")
    assert [b.expiring_count for b in response.context["body_table"]] == [0, 0, 0]
    html = response.content.decode()
    assert "即将到期（20 天内）" in html and "expiring_within=20" in html
    html = login(world.supervisor).get("/certificates/").content.decode()
    assert 'placeholder="如 20"' in html and "N 天内到期" in html


@pytest.mark.parametrize("path", ["/", "/bodies/"])
def test_supervisor_figures_queries_constant(login, world, today, path,
                                             django_assert_num_queries):
    client = login(world.supervisor)
    _figures_world(world, today)
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    for i in range(4):
        b = f.body(world.regions["county"], world.market, name=f"新增执法局{i}")
        p = f.person(b, name=f"新增{i}")
        f.certificate(p, [world.regions["county"]], [world.market])
        f.item(b, code=f"N-{i}")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(path)
    key = "body_table" if path == "/" else "rows"
    assert len(list(response.context[key])) == 7


# --- Money and benchmark articles ------------------------------------------------------------
def test_money_display_drops_zero_fen():
    assert yuan(500_000) == "5,000"
    assert yuan(500_050) == "5,000.50"
    assert yuan(5) == "0.05"
    assert yuan(None) == ""
    assert amount(500_000, "yuan") == "5,000元"
    assert amount(500_050, "yuan") == "5,000.50元"


def test_benchmark_detail_shows_linked_articles_once(login, world):
    version = f.law_version(code="pql", title="中华人民共和国产品质量法", label="2018年修正",
                            effective_from=dt.date(2018, 12, 29),
                            articles=((39, "第三十九条", "销售者不得……"),
                                      (50, "第五十条", "在产品中掺杂、掺假的……")))
    violated, penalty = version.articles.order_by("number")
    linked = f.benchmark(world.regions["province"], world.market, code="L-1",
                         violated_articles=[violated], penalty_articles=[penalty])
    typed = f.benchmark(world.regions["province"], world.market, code="T-1",
                        statutory_max=5_000_050)
    client = login(world.officer)
    html = client.get(reverse("web:benchmark_detail", args=[linked.public_id])).content.decode()
    assert html.count("第三十九条") == 1 and html.count("第五十条") == 1
    assert "《中华人民共和国产品质量法》第三十九条" in html and "2018年修正" in html
    html = client.get(reverse("web:benchmark_detail", args=[typed.public_id])).content.decode()
    assert html.count("《产品质量法》第三十九条") == 1
    assert "5,000元 – 50,000.50元" in html
