"""The Django admin changes no catalogue row in place: existing versions are read-only, "add"
goes through the ``*_create`` service, the legality review through its service; account roles
are a list of known codes."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories as f
from zhifa.catalog.models import (
    Article,
    BenchmarkTier,
    DiscretionBenchmark,
    EnforcementItem,
    LawVersion,
    LegalityReviewStatus,
)
from zhifa.orgs.models import AccountRole, User

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def root() -> Client:
    user = User.objects.create_superuser(username="root", email="root@example.org",
                                         password="Zhifa-test-2026")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def body():  # type: ignore[no-untyped-def]
    return f.body(f.regions()["county"], name="芙蓉区市场监督管理局")


def _items() -> list[tuple[Any, ...]]:
    return list(EnforcementItem.objects.order_by("code", "version").values_list(
        "code", "version", "name", "effective_from", "effective_to", "legality_review_status",
        "legality_reviewed_on"))


def _management(prefix: str, total: int = 0) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


# --- Existing versions are read-only --------------------------------------------------------
@pytest.mark.parametrize("days", [-400, 0, 30])
def test_an_existing_item_version_is_read_only(root: Client, body, days: int) -> None:  # type: ignore[no-untyped-def]
    """In force, past or not yet in force: the form is shown read-only and a POST changes
    nothing (a new version is added instead)."""
    item = f.item(body, code="CF-1", name="原名称",
                  effective_from=timezone.localdate() + dt.timedelta(days=days))
    url = f"/admin/catalog/enforcementitem/{item.pk}/change/"
    before = _items()
    page = root.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "原名称" in html
    assert 'name="name"' not in html and 'name="legality_review_status"' not in html
    response = root.post(url, {"name": "改名", "code": "CF-1", "body": body.pk,
                               "category": "penalty", "procedure_type": "general",
                               "effective_from": "2020-01-01",
                               "legality_review_status": "passed"})
    assert response.status_code == 403
    assert _items() == before
    assert root.post(f"/admin/catalog/enforcementitem/{item.pk}/delete/",
                     {"post": "yes"}).status_code == 403
    assert _items() == before


def test_a_benchmark_and_its_tiers_are_read_only(root: Client) -> None:
    region, sec = f.regions()["province"], f.sector()
    bm = f.benchmark(region, sec, code="BM-1", effective_from=D(2024, 1, 1))
    tier = bm.tiers.order_by("id").first()
    assert tier is not None
    before = list(BenchmarkTier.objects.values_list("tier", "min_value", "max_value"))
    url = f"/admin/catalog/discretionbenchmark/{bm.pk}/change/"
    html = root.get(url).content.decode()
    assert 'name="tiers-0-min_value"' not in html and "初次违法且及时改正" in html
    response = root.post(url, {
        **_management("tiers"), "tiers-INITIAL_FORMS": "2", "tiers-TOTAL_FORMS": "2",
        "tiers-0-id": str(tier.pk), "tiers-0-benchmark": str(bm.pk), "tiers-0-tier": "lighter",
        "tiers-0-conditions": "x", "tiers-0-min_value": "1", "tiers-0-max_value": "2",
    })
    assert response.status_code == 403
    assert list(BenchmarkTier.objects.values_list("tier", "min_value", "max_value")) == before


def test_article_text_and_laws_are_read_only(root: Client) -> None:
    version = f.law_version()
    article = version.articles.get()
    law = version.law
    for url, data in (
        (f"/admin/catalog/article/{article.pk}/change/",
         {"version": version.pk, "number": "63", "label": "第六十三条", "text": "改写"}),
        (f"/admin/catalog/lawversion/{version.pk}/change/",
         {"label": "x", "issuer": "x", "effective_from": "2000-01-01"}),
        (f"/admin/catalog/law/{law.pk}/change/",
         {"code": "apl", "title": "改名", "level": "law", "repeal_date": "2022-01-01"}),
    ):
        assert root.get(url).status_code == 200
        assert root.post(url, data).status_code == 403
    article.refresh_from_db()
    law.refresh_from_db()
    version.refresh_from_db()
    assert (article.text, law.title, law.repeal_date, version.effective_from) == (
        "行政机关拟作出较大数额罚款……应当告知当事人听证权利。", "中华人民共和国行政处罚法", None,
        D(2021, 7, 15))
    assert root.get("/admin/catalog/law/add/").status_code == 403
    assert root.get("/admin/catalog/article/add/").status_code == 403


# --- "Add" goes through the service -----------------------------------------------------
def _item_form(body: Any, **overrides: str) -> dict[str, str]:
    data = {
        "body": str(body.pk), "code": "CF-1", "name": "新版本", "category": "penalty",
        "procedure_type": "general", "effective_from": "2025-03-01", "basis_text": "某条",
        "reconsideration_days": "60", "litigation_months": "6",
        **_management("service_guides"),
    }
    data.update(overrides)
    return data


def test_adding_an_item_creates_a_version_through_the_service(root: Client, body) -> None:  # type: ignore[no-untyped-def]
    f.item(body, code="CF-1", name="旧版本", effective_from=D(2024, 1, 1))
    response = root.post("/admin/catalog/enforcementitem/add/", _item_form(body))
    assert response.status_code == 302, response.content.decode()[:2000]
    # The service numbered the version and closed the one before it.
    assert [row[:5] for row in _items()] == [
        ("CF-1", 1, "旧版本", D(2024, 1, 1), D(2025, 3, 1)),
        ("CF-1", 2, "新版本", D(2025, 3, 1), None),
    ]
    new = EnforcementItem.objects.get(code="CF-1", version=2)
    assert response["Location"].endswith(f"/admin/catalog/enforcementitem/{new.pk}/change/") \
        or response["Location"] == "/admin/catalog/enforcementitem/"


def test_a_refused_addition_keeps_the_form_and_changes_nothing(root: Client, body) -> None:  # type: ignore[no-untyped-def]
    f.item(body, code="CF-1", name="旧版本", effective_from=D(2025, 1, 1))
    before = _items()
    response = root.post("/admin/catalog/enforcementitem/add/",
                         _item_form(body, name="晚到的版本", effective_from="2024-06-01"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "新版本的生效日期必须晚于现行版本的生效日期（2025-01-01）。" in html
    assert "（version_effective_date）" not in html  # no raw code in the message
    assert 'value="晚到的版本"' in html  # what was typed is kept
    assert _items() == before


def _benchmark_form(tiers: list[tuple[str, str, str]]) -> dict[str, str]:
    region, sec = f.regions()["province"], f.sector()
    data = {
        "code": "BM-9", "violation": "销售不合格产品", "sector": str(sec.pk),
        "region": str(region.pk), "violated_text": "第三十九条", "penalty_text": "第五十条",
        "amount_unit": "yuan", "statutory_min": "500000", "statutory_max": "5000000",
        "source_document": "湘市监规〔2024〕1号", "effective_from": "2024-01-01",
        **_management("tiers", len(tiers)),
    }
    for i, (tier, low, high) in enumerate(tiers):
        data.update({f"tiers-{i}-tier": tier, f"tiers-{i}-conditions": f"情形{i}",
                     f"tiers-{i}-min_value": low, f"tiers-{i}-max_value": high,
                     f"tiers-{i}-penalty_kinds": '["fine"]'})
    return data


def test_adding_a_benchmark_checks_its_tiers(root: Client) -> None:
    url = "/admin/catalog/discretionbenchmark/add/"
    page = root.get(url).content.decode()
    for label in ("不予处罚", "减轻", "从轻", "一般", "从重"):  # the tier choices
        assert label in page
    # 15,000 yuan ends the lighter tier and starts the ordinary one: refused.
    response = root.post(url, _benchmark_form([("lighter", "500000", "1500000"),
                                               ("ordinary", "1500000", "3500000")]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "benchmark_tier_overlap" not in html  # the message is Chinese, without the code
    assert '<ul class="errorlist nonfield">' in html
    assert (DiscretionBenchmark.objects.count(), BenchmarkTier.objects.count()) == (0, 0)
    response = root.post(url, _benchmark_form([("lighter", "500000", "1500000"),
                                               ("ordinary", "1500001", "3500000")]))
    assert response.status_code == 302
    bm = DiscretionBenchmark.objects.get()
    assert (bm.code, bm.version, bm.effective_from) == ("BM-9", 1, D(2024, 1, 1))
    assert list(bm.tiers.order_by("id").values_list("tier", "min_value", "max_value",
                                                    "penalty_kinds")) == [
        ("lighter", 500_000, 1_500_000, ["fine"]), ("ordinary", 1_500_001, 3_500_000, ["fine"])]


def test_adding_a_law_version_with_its_articles(root: Client) -> None:
    f.law_version()
    data = {"law_code": "apl", "title": "", "level": "", "label": "2030年修正",
            "issuer": "全国人民代表大会常务委员会", "document_number": "", "promulgated_date": "",
            "effective_from": "2030-01-01", **_management("articles", 1),
            "articles-0-number": "63", "articles-0-label": "第六十三条",
            "articles-0-text": "新文本"}
    response = root.post("/admin/catalog/lawversion/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(LawVersion.objects.order_by("effective_from").values_list(
        "law__title", "label", "effective_from", "effective_to")) == [
        ("中华人民共和国行政处罚法", "2021年修订", D(2021, 7, 15), D(2030, 1, 1)),
        ("中华人民共和国行政处罚法", "2030年修正", D(2030, 1, 1), None)]
    assert Article.objects.get(version__label="2030年修正").text == "新文本"
    # A new law needs its title and level.
    response = root.post("/admin/catalog/lawversion/add/", {**data, "law_code": "new-law"})
    assert response.status_code == 200
    assert LawVersion.objects.count() == 2


# --- The legality review ------------------------------------------------------------------
def test_the_legality_action_records_a_review_passed_today(root: Client, body) -> None:  # type: ignore[no-untyped-def]
    first = f.item(body, code="A-1")
    second = f.item(body, code="A-2")
    untouched = f.item(body, code="A-3")
    response = root.post("/admin/catalog/enforcementitem/", {
        "action": "record_legality_review_passed",
        "_selected_action": [str(first.pk), str(second.pk)],
    })
    assert response.status_code == 302
    today = timezone.localdate()
    rows = {code: (status, day) for code, _v, _n, _f, _t, status, day in _items()}
    assert rows == {"A-1": (LegalityReviewStatus.PASSED, today),
                    "A-2": (LegalityReviewStatus.PASSED, today),
                    "A-3": (LegalityReviewStatus.PENDING, None)}
    untouched.refresh_from_db()
    assert not untouched.is_publishable
    first.refresh_from_db()
    assert first.is_publishable
    message = root.get("/admin/catalog/enforcementitem/").content.decode()
    assert f"已记录 2 个事项于 {today.isoformat()} 通过合法性审核。" in message


# --- Account roles --------------------------------------------------------------------------
def _user_form(user: User, roles: list[str]) -> dict[str, Any]:
    return {
        "username": user.username, "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
        "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "08:00:00",
        "person": str(user.person_id or ""), "roles": roles,
    }


def test_roles_are_chosen_from_the_known_roles(root: Client, body) -> None:  # type: ignore[no-untyped-def]
    user = f.user(f.person(body, name="李明"), roles=(AccountRole.OFFICER,), username="liming")
    url = f"/admin/orgs/user/{user.pk}/change/"
    html = root.get(url).content.decode()
    assert 'type="checkbox" name="roles" value="body_admin"' in html
    assert "主体管理员" in html
    response = root.post(url, _user_form(user, ["reviewer", "officer"]))
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.roles == ["officer", "reviewer"]
    # A code that is no role is refused, and nothing changes.
    response = root.post(url, _user_form(user, ["officer", "offcer"]))
    assert response.status_code == 200
    assert "offcer" in response.content.decode()
    user.refresh_from_db()
    assert user.roles == ["officer", "reviewer"]
    response = root.post(url, _user_form(user, []))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.roles == []


# --- New version, offices, autocomplete labels, lockouts ----------------------------------
def test_new_version_tool_prefills_the_add_form(root: Client, body) -> None:  # type: ignore[no-untyped-def]
    version = f.law_version(code="food", title="食品安全法", label="2021年修正",
                            articles=((35, "第三十五条", "……"),))
    article = Article.objects.get(version=version, number=35)
    item = f.item(body, code="CF-9", name="对未取得许可从事食品生产的行政处罚",
                  legal_basis=[article], basis_text="《食品安全法》第三十五条")
    html = root.get(f"/admin/catalog/enforcementitem/{item.pk}/change/").content.decode()
    assert f'href="/admin/catalog/enforcementitem/add/?from={item.pk}"' in html
    assert "新增版本" in html
    html = root.get(f"/admin/catalog/enforcementitem/add/?from={item.pk}").content.decode()
    assert 'value="CF-9"' in html
    assert 'value="对未取得许可从事食品生产的行政处罚"' in html
    assert f'<option value="{article.pk}" selected>' in html
    assert "《食品安全法》第三十五条</textarea>" in html
    assert 'name="effective_from" value=""' in html or 'name="effective_from" class' in html


def test_office_must_belong_to_the_chosen_body(root: Client, body) -> None:  # type: ignore[no-untyped-def]
    from zhifa.orgs.models import Department
    other = f.body(f.regions()["county"], f.sector("env", "生态环境"), name="另一个局")
    foreign = Department.objects.create(body=other, name="外局法制科")
    html = root.get("/admin/catalog/enforcementitem/add/").content.decode()
    assert '<optgroup label="另一个局">' in html
    before = _items()
    response = root.post("/admin/catalog/enforcementitem/add/",
                         _item_form(body, accepting_office=str(foreign.pk)))
    assert response.status_code == 200
    assert "请选择所选执法主体的内设机构。" in response.content.decode()
    assert _items() == before


def test_article_autocomplete_names_the_law_version(root: Client, body) -> None:  # type: ignore[no-untyped-def]
    f.law_version(code="food", title="食品安全法", label="2021年修正",
                  articles=((35, "第三十五条", "……"),))
    response = root.get("/admin/autocomplete/", {
        "term": "第三十五条", "app_label": "catalog", "model_name": "enforcementitem",
        "field_name": "legal_basis"})
    assert response.status_code == 200
    texts = [r["text"] for r in response.json()["results"]]
    assert texts == ["《食品安全法》（2021年修正）第三十五条"]


def test_groups_are_not_in_the_admin(root: Client) -> None:
    assert root.get("/admin/auth/group/").status_code == 404


def test_user_roles_shown_as_chinese_labels(root: Client, body) -> None:  # type: ignore[no-untyped-def]
    f.user(None, roles=(AccountRole.SYSTEM_ADMIN, AccountRole.BODY_ADMIN), username="dual")
    html = root.get("/admin/orgs/user/").content.decode()
    from django.utils import translation
    with translation.override("zh-hans"):
        expected = "、".join(str(label) for value, label in AccountRole.choices
                            if value in (AccountRole.SYSTEM_ADMIN, AccountRole.BODY_ADMIN))
    assert "、" in expected and expected in html


def test_unlock_action_lets_a_locked_user_log_in(root: Client, settings: Any) -> None:
    from axes.models import AccessAttempt
    user = User.objects.create_user(username="locked", password="Right-pass-2026")
    def log_in(password: str) -> int:
        return Client().post("/login/", {"username": "locked", "password": password}
                             ).status_code

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("wrong")
    attempt = AccessAttempt.objects.get(username="locked")
    assert log_in("Right-pass-2026") != 302  # locked out
    html = root.get("/admin/axes/accessattempt/").content.decode()
    assert "locked" in html and "解除锁定" in html
    response = root.post("/admin/axes/accessattempt/", {
        "action": "unlock", "_selected_action": [str(attempt.pk)]}, follow=True)
    assert "已解除 1 个账号的锁定。" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="locked").exists()
    assert User.objects.get(pk=user.pk).is_active
    assert log_in("Right-pass-2026") == 302
