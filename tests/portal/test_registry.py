"""The before-enforcement pages (事前公开) list exactly the public rows, never personal data,
answer as cacheable cookieless pages, and say "not found" for anything not public."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.test_registry_world import RegWorld, attr_values, pairs, registry_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> RegWorld:
    return registry_world()


def get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def all_pages(w: RegWorld) -> list[str]:
    return [
        reverse("portal:bodies"), reverse("portal:body", args=[w.body_a.public_id]),
        reverse("portal:body", args=[w.body_b.public_id]),
        reverse("portal:officers"), f"{reverse('portal:officers')}?body={w.body_a.public_id}",
        reverse("portal:certificate_lookup"),
        *(f"{reverse('portal:certificate_lookup')}?number={n}"
          for n in sorted(w.shown_certs | w.hidden_certs)),
        f"{reverse('portal:certificate_lookup')}?name=李明&body={w.body_a.public_id}",
        reverse("portal:items"), reverse("portal:item", args=[w.item_ok.public_id]),
        reverse("portal:item", args=[w.item_licensing.public_id]),
        reverse("portal:guide", args=[w.item_licensing.public_id]),
        reverse("portal:procedure", args=["general"]), reverse("portal:inspections"),
        reverse("portal:benchmarks"), reverse("portal:benchmark", args=[w.bm_ok.public_id]),
        reverse("portal:changes"), f"{reverse('portal:changes')}?days=365",
    ]


# --- Bodies --------------------------------------------------------------------------------
def test_bodies_lists_active_bodies_only(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:bodies"))
    assert attr_values(html, "body") == [str(w.body_a.public_id), str(w.body_b.public_id)]
    assert w.body_gone.name not in html
    # powers and officers with a valid certificate today, per body
    assert pairs(html, "body", "items") == {str(w.body_a.public_id): "3",
                                            str(w.body_b.public_id): "1"}
    assert pairs(html, "body", "officers") == {str(w.body_a.public_id): "1",
                                               str(w.body_b.public_id): "0"}


def test_bodies_filters(client: Client, w: RegWorld) -> None:
    url = reverse("portal:bodies")
    assert attr_values(get(client, f"{url}?region=430202"), "body") == [str(w.body_b.public_id)]
    assert attr_values(get(client, f"{url}?region=430100"), "body") == [str(w.body_a.public_id)]
    assert attr_values(get(client, f"{url}?sector=environment"), "body") == [
        str(w.body_b.public_id)]
    assert attr_values(get(client, f"{url}?q=芙蓉"), "body") == [str(w.body_a.public_id)]
    # an unknown value is ignored, not an error
    assert len(attr_values(get(client, f"{url}?region=999999"), "body")) == 2


def test_body_page(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:body", args=[w.body_a.public_id]))
    for text in (w.body_a.name, w.body_a.credit_code, "长沙市芙蓉区五一大道100号",
                 "0731-84110000", "长沙市芙蓉区人民政府", "长沙市芙蓉区人民法院",
                 "《中华人民共和国产品质量法》第五十条", "《中华人民共和国行政处罚法》第五十七条",
                 f"?body={w.body_a.public_id}", "/portal/procedures/general/"):
        assert text in html, text
    assert set(attr_values(html, "item")) == {
        str(w.item_ok.public_id), str(w.item_licensing.public_id), str(w.item_v2.public_id)}
    assert attr_values(html, "officers") == ["1"]
    for hidden in (w.item_pending, w.item_failed, w.item_repealed, w.item_future, w.item_v1):
        assert hidden.name not in html


def test_body_not_public_is_not_found(client: Client, w: RegWorld) -> None:
    for key in (w.body_gone.public_id, uuid.uuid4(), "not-a-uuid"):
        html = get(client, f"/portal/bodies/{key}/", 404)
        assert w.body_gone.name not in html


# --- Officers ------------------------------------------------------------------------------
def test_officers_lists_people_in_post_with_status_today(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:officers"))
    assert pairs(html, "cert", "status") == {
        w.valid.number: "valid", w.suspended.number: "suspended",
        w.revoked.number: "revoked", w.expired.number: "expired"}
    for name in ("李明", "赵强", "陈静", "孙伟"):
        assert name in html
    for name in ("吴刚", "周敏", "刘洋", "王芳"):  # left, inactive body, not yet, no certificate
        assert name not in html
    assert "芙蓉区" in html and "市场监管" in html  # areas and categories


def test_officers_filters(client: Client, w: RegWorld) -> None:
    url = reverse("portal:officers")
    assert attr_values(get(client, f"{url}?body={w.body_b.public_id}"), "cert") == [
        w.revoked.number]
    assert attr_values(get(client, f"{url}?status=valid"), "cert") == [w.valid.number]
    assert attr_values(get(client, f"{url}?category=environment"), "cert") == [
        w.revoked.number]
    # a body that is not active is not a choice: the filter is ignored
    assert len(attr_values(get(client, f"{url}?body={w.body_gone.public_id}"), "cert")) == 4


# --- Items, guides, procedures ---------------------------------------------------------------
def test_items_lists_reviewed_items_in_force(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:items"))
    assert set(attr_values(html, "item")) == {
        str(w.item_ok.public_id), str(w.item_licensing.public_id),
        str(w.item_v2.public_id), str(w.item_b.public_id)}
    for hidden in (w.item_pending, w.item_failed, w.item_repealed, w.item_future, w.item_gone,
                   w.item_v1):
        assert hidden.name not in html


def test_items_filters(client: Client, w: RegWorld) -> None:
    url = reverse("portal:items")
    assert attr_values(get(client, f"{url}?category=licensing"), "item") == [
        str(w.item_licensing.public_id)]
    assert attr_values(get(client, f"{url}?body={w.body_b.public_id}"), "item") == [
        str(w.item_b.public_id)]
    assert attr_values(get(client, f"{url}?procedure=licensing"), "item") == [
        str(w.item_licensing.public_id)]
    assert attr_values(get(client, f"{url}?q=虚假宣传"), "item") == [str(w.item_v2.public_id)]
    assert attr_values(get(client, f"{url}?region=430202"), "item") == [str(w.item_b.public_id)]


def test_item_page(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:item", args=[w.item_ok.public_id]))
    for text in ("对销售不合格产品的行政处罚", "PEN-001", "《中华人民共和国产品质量法》第五十条",
                 "调查终结，行政机关负责人应当对调查结果进行审查", "行政审批科",
                 "长沙市芙蓉区人民政府",
                 "长沙市芙蓉区人民法院", "/portal/procedures/general/", w.body_a.name):
        assert text in html, text
    assert "/guide/" not in html  # no service guide for this item


def test_item_superseded_version_leads_to_the_current_one(client: Client, w: RegWorld) -> None:
    response = client.get(reverse("portal:item", args=[w.item_v1.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:item", args=[w.item_v2.public_id])


def test_items_not_public_are_not_found(client: Client, w: RegWorld) -> None:
    for it in (w.item_pending, w.item_failed, w.item_repealed, w.item_future, w.item_gone):
        html = get(client, reverse("portal:item", args=[it.public_id]), 404)
        assert it.name not in html
        get(client, reverse("portal:guide", args=[it.public_id]), 404)
    get(client, reverse("portal:item", args=[uuid.uuid4()]), 404)
    get(client, "/portal/items/nonsense/", 404)


def test_service_guide(client: Client, w: RegWorld) -> None:
    item_html = get(client, reverse("portal:item", args=[w.item_licensing.public_id]))
    assert reverse("portal:guide", args=[w.item_licensing.public_id]) in item_html
    html = get(client, reverse("portal:guide", args=[w.item_licensing.public_id]))
    for text in ("具有与经营的食品品种相适应的经营场所", "食品经营许可申请书；营业执照复印件",
                 "申请—受理—审查—决定", "20个工作日", "不收费", "芙蓉区政务服务中心3号窗口",
                 "0731-84119999", "/portal/procedures/licensing/"):
        assert text in html, text
    get(client, reverse("portal:guide", args=[w.item_ok.public_id]), 404)


def test_procedure_flowchart(client: Client, w: RegWorld) -> None:
    for code in ("summary", "general", "coercive", "inspection", "licensing", "generic"):
        html = get(client, reverse("portal:procedure", args=[code]))
        assert '<svg class="flowchart"' in html
        assert f"?procedure={code}" in html
    get(client, reverse("portal:procedure", args=["no-such-procedure"]), 404)


# --- Inspections and benchmarks --------------------------------------------------------------
def test_inspections(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:inspections"))
    assert set(attr_values(html, "inspection")) == {
        str(w.insp_ok.public_id), str(w.insp_new.public_id)}
    for text in ("食品经营者监督检查", "食品经营者", "现场检查", "5%", "每年一次",
                 "《食品安全法》第一百一十条", w.body_a.name):
        assert text in html, text
    assert "广告发布抽查（旧）" not in html and "已撤销机关的抽查" not in html
    assert attr_values(get(client, f"{reverse('portal:inspections')}?q=广告"), "inspection") \
        == [str(w.insp_new.public_id)]


def test_benchmarks(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:benchmarks"))
    assert set(attr_values(html, "benchmark")) == {str(w.bm_ok.public_id),
                                                   str(w.bm_v2.public_id)}
    assert "掺杂掺假（旧）" not in html and "已废止基准的违法行为" not in html
    # the benchmark set for the city applies in its counties, not in another city
    url = reverse("portal:benchmarks")
    assert len(attr_values(get(client, f"{url}?region=430102"), "benchmark")) == 2
    assert attr_values(get(client, f"{url}?region=430202"), "benchmark") == []
    assert attr_values(get(client, f"{url}?q=掺杂"), "benchmark") == [str(w.bm_v2.public_id)]


def test_benchmark_page_shows_tiers_in_yuan(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:benchmark", args=[w.bm_ok.public_id]))
    assert attr_values(html, "tier") == ["lighter", "ordinary", "heavier"]
    ranges = re.findall(r'class="reg-range">([^<]*)<', html)
    assert [re.sub(r"[^\d,.–]", "", r) for r in ranges] == [
        "5,000–15,000", "15,000.01–35,000", "35,000.01–50,000"]
    for text in ("初次违法且及时改正", "造成严重后果", "长市监规〔2024〕1号",
                 "《产品质量法》第三十九条", "《产品质量法》第五十条"):
        assert text in html, text


def test_benchmark_versions(client: Client, w: RegWorld) -> None:
    response = client.get(reverse("portal:benchmark", args=[w.bm_v1.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:benchmark", args=[w.bm_v2.public_id])
    get(client, reverse("portal:benchmark", args=[w.bm_ended.public_id]), 404)
    get(client, reverse("portal:benchmark", args=[uuid.uuid4()]), 404)


# --- Every page ------------------------------------------------------------------------------
def test_no_personal_data_on_any_page(client: Client, w: RegWorld) -> None:
    pages = {url: get(client, url) for url in all_pages(w)}
    for p in w.people:
        birth = p.id_number[6:14]
        for url, html in pages.items():
            assert p.id_number not in html, (url, p.name)
            assert p.id_number_masked not in html, (url, p.name)
            assert p.phone not in html, (url, p.name)
            assert f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" not in html, (url, p.name)
    # the reasons of certificate status changes are internal
    for html in pages.values():
        assert "涉嫌违纪" not in html and "调离执法岗位" not in html


def test_every_page_is_public_cacheable_and_sets_no_cookie(client: Client, w: RegWorld) -> None:
    for url in all_pages(w):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=300", url
        assert "Cookie" in response["Vary"], url
        assert not response.cookies, url
        assert "Set-Cookie" not in response.headers, url
        assert "csrfmiddlewaretoken" not in response.content.decode(), url
    for url in (f"/portal/bodies/{uuid.uuid4()}/", f"/portal/items/{uuid.uuid4()}/",
                f"/portal/benchmarks/{uuid.uuid4()}/", "/portal/procedures/x/"):
        response = client.get(url)
        assert response.status_code == 404
        assert not response.cookies
        assert response["Cache-Control"] == "public, max-age=300"


def test_pages_answer_get_only(client: Client, w: RegWorld) -> None:
    assert client.post(reverse("portal:bodies")).status_code == 405
    assert client.post(reverse("portal:certificate_lookup"),
                       {"number": w.valid.number}).status_code == 405


def test_updated_on_dates(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:body", args=[w.body_a.public_id]))
    assert 'class="reg-updated"' in html
    for url in (reverse("portal:items"), reverse("portal:officers"),
                reverse("portal:inspections"), reverse("portal:benchmarks"),
                reverse("portal:item", args=[w.item_ok.public_id]),
                reverse("portal:benchmark", args=[w.bm_ok.public_id])):
        assert 'class="reg-updated"' in get(client, url), url


def test_pages_in_the_nav(client: Client, w: RegWorld) -> None:
    html = get(client, reverse("portal:bodies"))
    for name in ("bodies", "officers", "certificate_lookup", "items", "inspections",
                 "benchmarks"):
        assert f'href="{reverse("portal:" + name)}"' in html, name
