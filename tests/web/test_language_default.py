import pytest


@pytest.mark.django_db
def test_english_browser_still_gets_chinese_login(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans"' in response.content.decode()


@pytest.mark.django_db
def test_language_cookie_selects_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_unknown_language_cookie_falls_back_to_chinese(client):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/login/")
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_expired_form_shows_a_chinese_page_and_logs_nobody_in():
    from django.test import Client

    from zhifa.orgs.models import User

    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期" in body
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_admin_carries_the_demo_marker_when_demo_data_is_loaded(client):
    from tests import factories as f
    from zhifa.orgs.models import User

    admin = User.objects.create_superuser("root", password="Zhifa-admin-2026")
    client.force_login(admin)
    assert "演示数据" not in client.get("/admin/").content.decode()
    f.body(f.regions()["county"], is_demo=True)
    assert "演示数据" in client.get("/admin/").content.decode()
