"""The scoping matrix on detail pages: own body 200, another body 404, a supervisor sees the
bodies under their region and nothing outside it, a system administrator sees everything."""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def _objects(world):
    item_a = f.item(world.body_a, code="A-1", name="对销售不合格产品的行政处罚")
    item_b = f.item(world.body_b, code="B-1", name="对无照经营的行政处罚")
    item_c = f.item(world.body_c, code="C-1", name="对超标排放的行政处罚")
    return {
        "a": [("web:body_detail", world.body_a), ("web:person_detail", world.officer_a),
              ("web:certificate_detail", world.cert_a), ("web:item_detail", item_a)],
        "b": [("web:body_detail", world.body_b), ("web:person_detail", world.officer_b),
              ("web:certificate_detail", world.cert_b), ("web:item_detail", item_b)],
        "c": [("web:body_detail", world.body_c), ("web:person_detail", world.officer_c),
              ("web:certificate_detail", world.cert_c), ("web:item_detail", item_c)],
    }


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        ("officer", {"a": 200, "b": 404, "c": 404}),
        ("body_admin", {"a": 200, "b": 404, "c": 404}),
        ("officer_b_user", {"a": 404, "b": 200, "c": 404}),
        # The justice bureau sits in 430100: it sees 430102 (a) and 430100 (c), not 430202 (b).
        ("supervisor", {"a": 200, "b": 404, "c": 200}),
        ("sysadmin", {"a": 200, "b": 200, "c": 200}),
    ],
)
def test_detail_page_scope(login, world, account, expected):
    objects = _objects(world)
    client = login(getattr(world, account))
    for group, status in expected.items():
        for name, obj in objects[group]:
            response = client.get(reverse(name, args=[obj.public_id]))
            assert response.status_code == status, (account, name, group)


def test_out_of_scope_looks_like_unknown(login, world):
    client = login(world.officer)
    other = client.get(reverse("web:person_detail", args=[world.officer_b.public_id]))
    unknown = client.get("/people/00000000-0000-0000-0000-000000000000/")
    assert other.status_code == unknown.status_code == 404
    assert "赵强" not in other.content.decode()
    assert "未找到" in other.content.decode()


def test_lists_only_show_rows_in_scope(login, world):
    client = login(world.supervisor)
    html = client.get("/bodies/").content.decode()
    assert "芙蓉区市场监督管理局" in html
    assert "长沙市生态环境局" in html
    assert "荷塘区市场监督管理局" not in html
    html = client.get("/people/").content.decode()
    assert "李明" in html and "陈静" in html and "赵强" not in html
    html = client.get("/certificates/").content.decode()
    assert "43010220240001" in html and "43020220240001" not in html


def test_lookup_is_scoped(login, world):
    client = login(world.officer)
    html = client.get("/certificates/lookup/", {"number": "43020220240001"}).content.decode()
    assert "赵强" not in html
    assert "未找到编号为“43020220240001”的执法证" in html


def test_filter_cannot_name_a_body_outside_scope(login, world):
    client = login(world.officer)
    response = client.get("/people/", {"body": str(world.body_b.public_id)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "赵强" not in html
    assert "李明" in html  # the invalid filter is reported and ignored, the scope still holds


def test_benchmarks_are_visible_to_all_staff(login, world):
    bm = f.benchmark(world.regions["province"], world.market, violation="销售不合格产品")
    for account in ("officer", "officer_b_user", "supervisor", "sysadmin"):
        client = login(getattr(world, account))
        response = client.get(reverse("web:benchmark_detail", args=[bm.public_id]))
        assert response.status_code == 200, account
