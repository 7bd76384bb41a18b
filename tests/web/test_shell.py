"""The layout: role-aware navigation, who is logged in, the demo banner, accessibility hooks."""

import pytest

pytestmark = pytest.mark.django_db


def nav_labels(response):
    return [item.label for item in response.context["nav"]]


def test_officer_navigation(login, world):
    response = login(world.officer).get("/")
    assert nav_labels(response) == ["工作台", "案件", "执法主体", "人员", "执法证", "执法事项",
                                    "裁量基准", "执法记录设备", "音像记录覆盖情况", "证据销毁"]
    html = response.content.decode()
    assert "/transfer/" not in html and 'href="/admin/"' not in html
    assert 'aria-current="page">工作台<' in html


def test_body_admin_sees_import_export(login, world):
    response = login(world.body_admin).get("/people/")
    assert nav_labels(response)[-1] == "导入导出"
    html = response.content.decode()
    assert 'href="/transfer/"' in html and 'href="/admin/"' not in html
    assert 'aria-current="page">人员<' in html


def test_system_admin_sees_admin(login, world):
    response = login(world.sysadmin).get("/")
    assert nav_labels(response)[-2:] == ["导入导出", "系统管理"]
    assert 'href="/admin/"' in response.content.decode()


def test_header_shows_user_body_and_roles(login, world):
    html = login(world.body_admin).get("/").content.decode()
    assert '<span class="account-name">王芳</span>' in html
    assert '<span class="account-body">芙蓉区市场监督管理局</span>' in html
    assert '<span class="account-roles">主体管理员</span>' in html
    assert 'action="/logout/" method="post"' in html
    assert 'action="/i18n/setlang/" method="post"' in html


def test_demo_banner_only_with_demo_data(login, world, django_assert_max_num_queries):
    client = login(world.officer)
    assert "演示数据" not in client.get("/").content.decode()
    world.body_b.is_demo = True
    world.body_b.save()
    html = client.get("/").content.decode()
    assert "演示数据" in html and "均为虚构" in html
    client.logout()
    assert "演示数据" in client.get("/login/").content.decode()


def test_demo_flag_is_computed_once_per_request(rf, world):
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext

    request = rf.get("/login/")
    request.user = AnonymousUser()
    with CaptureQueriesContext(connection) as queries:
        render_to_string("web/base.html", {}, request=request)
        render_to_string("web/base.html", {}, request=request)
    demo_queries = [q for q in queries.captured_queries if "is_demo" in q["sql"]]
    assert len(demo_queries) == 1


def test_pages_have_skip_link_and_lang(login, world):
    html = login(world.officer).get("/certificates/").content.decode()
    assert 'href="#main"' in html and '<main id="main"' in html
    assert 'src="/static/vendor/htmx.min.js"' in html
    assert '<label for="id_q">' in html
