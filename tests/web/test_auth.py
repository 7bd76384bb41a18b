"""Login, logout, lockout, anonymous access and the language switch."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/bodies/",
    "/people/",
    "/certificates/",
    "/certificates/lookup/?number=43010220240001",
    "/items/",
    "/benchmarks/",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_anonymous_detail_pages_are_sent_to_login(client, world):
    for name, obj in [
        ("web:body_detail", world.body_a),
        ("web:person_detail", world.officer_a),
        ("web:certificate_detail", world.cert_a),
    ]:
        response = client.get(reverse(name, args=[obj.public_id]))
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_anonymous_cannot_post_a_status_change(client, world):
    url = reverse("web:certificate_status", args=[world.cert_a.public_id])
    response = client.post(url, {"action": "suspend", "effective_date": "2025-01-01",
                                 "reason": "x"})
    assert response.status_code == 302
    world.cert_a.refresh_from_db()
    assert world.cert_a.status == "valid"
    assert world.cert_a.status_changes.count() == 0


def test_login_page_is_chinese_and_labelled(client, db):
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html


def test_login_lands_on_the_workbench(client, world):
    response = client.post("/login/", {"username": "liming", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1] == (reverse("web:home"), 302)
    html = response.content.decode()
    assert "李明" in html
    assert "芙蓉区市场监督管理局" in html
    assert int(client.session["_auth_user_id"]) == world.officer.pk


def test_bad_credentials_show_a_chinese_error(client, world):
    response = client.post("/login/", {"username": "liming", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_the_configured_failures(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        response = client.post("/login/", {"username": "liming", "password": "nope-nope"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": "liming", "password": "nope-nope"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "账号已被锁定" in html
    assert "15 分钟" in html
    # The right password no longer helps while the lock lasts.
    response = client.post("/login/", {"username": "liming", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="liming").failures_since_start >= 3
    # Another account is not affected (the lock is per username).
    response = client.post("/login/", {"username": "wangfang", "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.body_admin.pk


def test_logout_is_a_post_and_ends_the_session(login, world):
    client = login(world.officer)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_english_can_be_chosen(login, world):
    client = login(world.officer)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Look up a certificate" in html
    assert "Certificates valid today" in html
    assert "Workbench" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "执法证查询" in html
