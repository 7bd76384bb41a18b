"""Login accounts in the staff UI: who reaches which page, the list, creating a login,
changing roles, disabling and enabling, new passwords. Every refusal leaves the accounts as
they were; a disabled login cannot be used, a new one can."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from zhifa.orgs.models import AccountRole, PersonStatus, User
from zhifa.orgs.services import account_create

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qingtian-2027-lu"


def accounts() -> list[tuple[Any, ...]]:
    """Every account as stored; a refused request must leave this unchanged."""
    return list(
        User.objects.order_by("pk").values_list(
            "pk", "username", "person_id", "roles", "is_active", "is_staff", "is_superuser",
            "password",
        )
    )


def rows(response: Any) -> list[str]:
    return [u.username for u in response.context["rows"]]


@pytest.fixture
def more(world: Any) -> Any:
    """Body B's administrator, a newcomer of body A without a login, a person of body A who
    has left, and a system administrator who is also a person of body A."""
    world.admin_b = f.user(f.person(world.body_b, name="陈静"), (AccountRole.BODY_ADMIN,),
                           username="chenjing", password=PASSWORD)
    world.newcomer = f.person(world.body_a, name="孙丽")
    world.left = f.person(world.body_a, name="刘洋", status=PersonStatus.LEFT)
    world.linked_sysadmin = account_create(
        actor=None, username="it_a", password=PASSWORD, roles=[AccountRole.SYSTEM_ADMIN],
        person=f.person(world.body_a, name="信息科"),
    )
    return world


def url(name: str, person: Any) -> str:
    return reverse(f"web:{name}", args=[person.public_id])


# --- Who reaches what -----------------------------------------------------------------------
def _targets(w: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, data) of every account page about body A's officer."""
    p = w.officer_a
    return [
        ("get", url("account_manage", p), {}),
        ("get", url("account_new", w.newcomer), {}),
        ("post", url("account_new", w.newcomer),
         {"username": "sunli", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
          "roles": ["officer"]}),
        ("post", url("account_roles", p), {"roles": ["officer", "head"]}),
        ("post", url("account_password", p),
         {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}),
        ("get", url("account_disable", p), {}),
        ("post", url("account_disable", p), {}),
        ("post", url("account_enable", p), {}),
    ]


def test_anonymous_goes_to_login(client: Client, more: Any) -> None:
    before = accounts()
    for method, target, data in [("get", "/accounts/", {}), *_targets(more)]:
        response = getattr(client, method)(target, data)
        assert response.status_code == 302, target
        assert response["Location"].startswith("/login/?next="), target
    assert accounts() == before


@pytest.mark.parametrize("who", ["officer", "supervisor"])
def test_staff_without_manage_people_get_403(login: Any, more: Any, who: str) -> None:
    client = login(getattr(more, who))
    before = accounts()
    for method, target, data in [("get", "/accounts/", {}), *_targets(more)]:
        assert getattr(client, method)(target, data).status_code == 403, target
    assert accounts() == before


def test_another_bodys_admin_gets_404(login: Any, more: Any) -> None:
    client = login(more.admin_b)
    before = accounts()
    for method, target, data in _targets(more):
        assert getattr(client, method)(target, data).status_code == 404, target
    assert accounts() == before
    # The list shows body B's logins only.
    assert sorted(rows(client.get("/accounts/"))) == ["chenjing", "zhaoqiang"]


def test_own_body_admin_reaches_every_page(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    for target in ["/accounts/", url("account_manage", more.officer_a),
                   url("account_new", more.newcomer), url("account_disable", more.officer_a),
                   url("account_enable", more.officer_a)]:
        assert client.get(target).status_code == 200, target


@pytest.mark.parametrize("superuser_flag", [True, False])
def test_system_admins_login_is_out_of_a_body_admins_reach(login: Any, more: Any,
                                                           superuser_flag: bool) -> None:
    # The role alone makes a system administrator, whatever the Django admin flags say.
    User.objects.filter(pk=more.linked_sysadmin.pk).update(is_superuser=superuser_flag)
    client = login(more.body_admin)
    person = more.linked_sysadmin.person
    before = accounts()
    assert client.get(url("account_manage", person)).status_code == 404
    # Asking to create one finds the login exists and sends to the (hidden) manage page.
    response = client.get(url("account_new", person))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 404
    for name, data in [("account_roles", {"roles": ["officer"]}),
                       ("account_password", {"password1": NEW_PASSWORD,
                                             "password2": NEW_PASSWORD}),
                       ("account_disable", {})]:
        assert client.post(url(name, person), data).status_code == 404, name
    assert accounts() == before
    # The person page does not show it either.
    html = client.get(url("person_detail", person)).content.decode()
    assert "it_a" not in html and 'id="login"' not in html


def test_supervising_administrator_manages_own_bureau_only(login: Any, more: Any) -> None:
    """A justice bureau's supervisor who is also its administrator sees the supervised bodies'
    people, but manages the logins of the bureau's own staff only."""
    User.objects.filter(pk=more.supervisor.pk).update(roles=["body_admin", "supervisor"])
    client = login(User.objects.get(pk=more.supervisor.pk))
    assert client.get(url("person_detail", more.officer_a)).status_code == 200
    assert rows(client.get("/accounts/")) == ["zhouping"]
    before = accounts()
    for method, target, data in _targets(more):
        assert getattr(client, method)(target, data).status_code == 404, target
    assert accounts() == before
    html = client.get(url("person_detail", more.officer_a)).content.decode()
    assert 'id="login"' not in html


def test_post_only_pages_refuse_get(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    assert client.get(url("account_roles", more.officer_a)).status_code == 405
    assert client.get(url("account_password", more.officer_a)).status_code == 405
    assert client.post(url("account_manage", more.officer_a)).status_code == 405


def test_posts_need_the_csrf_token(more: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(more.body_admin, backend="django.contrib.auth.backends.ModelBackend")
    before = accounts()
    for method, target, data in _targets(more):
        if method == "post":
            assert client.post(target, data).status_code == 403, target
    assert accounts() == before


def test_navigation_entry_for_managers_only(login: Any, more: Any) -> None:
    labels = [i.label for i in login(more.body_admin).get("/").context["nav"]]
    assert labels[-2:] == ["账号管理", "导入导出"]
    assert "账号管理" not in [i.label for i in login(more.officer).get("/").context["nav"]]


# --- The list -------------------------------------------------------------------------------
def test_list_scope_filters_and_labels(login: Any, more: Any) -> None:
    account_create(actor=None, username="sunli", password=PASSWORD, person=more.newcomer,
                   roles=[AccountRole.AUXILIARY, AccountRole.HEAD])
    User.objects.filter(username="liming").update(is_active=False)
    client = login(more.body_admin)
    names = lambda **q: sorted(rows(client.get("/accounts/", q)))  # noqa: E731
    # Body A's logins; not the system administrator linked to a person of body A.
    assert names() == ["liming", "sunli", "wangfang"]
    assert names(role="head") == ["sunli"]
    assert names(role="body_admin") == ["wangfang"]
    assert names(role="system_admin") == []
    assert names(status="disabled") == ["liming"]
    assert names(status="active") == ["sunli", "wangfang"]
    assert names(q="孙") == ["sunli"]
    assert names(q="WANG") == ["wangfang"]
    assert names(q="li", status="active") == ["sunli"]
    html = client.get("/accounts/", {"q": "sunli"}).content.decode()
    assert '<span class="tag">执法辅助人员</span><span class="tag">负责人</span>' in html
    assert "芙蓉区市场监督管理局" in html and "从未登录" in html
    assert url("account_manage", more.newcomer) in html
    disabled = client.get("/accounts/", {"status": "disabled"}).content.decode()
    assert '<span class="badge badge-revoked">已停用</span>' in disabled


def test_system_admin_sees_every_login(login: Any, more: Any) -> None:
    client = login(more.sysadmin)
    assert sorted(rows(client.get("/accounts/"))) == sorted(
        ["liming", "wangfang", "zhaoqiang", "zhouping", "sysadmin", "chenjing", "it_a"])
    assert sorted(rows(client.get("/accounts/", {"role": "system_admin"}))) == [
        "it_a", "sysadmin"]
    assert "系统管理员" in client.get("/accounts/").content.decode()


def test_list_queries_do_not_grow_with_rows(login: Any, more: Any,
                                            django_assert_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(n: int) -> None:
        for _ in range(n):
            p = f.person(more.body_a, name="批量", department=more.dept_a)
            f.user(p, (AccountRole.OFFICER, AccountRole.HEAD))

    client = login(more.body_admin)
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/accounts/").status_code == 200
    grow(12)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/accounts/").status_code == 200
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/accounts/", {"role": "head", "q": "批"}).status_code == 200


# --- The person page ------------------------------------------------------------------------
def test_person_page_shows_the_login_to_managers(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    html = client.get(url("person_detail", more.officer_a)).content.decode()
    assert 'id="login"' in html
    assert '<dd class="mono">liming</dd>' in html
    assert '<span class="tag">执法人员</span>' in html
    assert '<span class="badge badge-valid">已启用</span>' in html
    assert f'href="{url("account_manage", more.officer_a)}"' in html
    assert "管理登录账号" in html

    html = client.get(url("person_detail", more.newcomer)).content.decode()
    assert "尚未开通登录账号。" in html
    assert f'href="{url("account_new", more.newcomer)}"' in html

    html = client.get(url("person_detail", more.left)).content.decode()
    assert "尚未开通登录账号。" in html
    assert url("account_new", more.left) not in html


def test_person_page_shows_no_login_to_others(login: Any, more: Any) -> None:
    html = login(more.officer).get(url("person_detail", more.officer_a)).content.decode()
    assert 'id="login"' not in html and '<dd class="mono">liming</dd>' not in html


# --- Creating a login -----------------------------------------------------------------------
def _create(client: Client, person: Any, **data: Any) -> Any:
    body = {"username": "sunli", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
            "roles": ["officer", "reviewer"], **data}
    return client.post(url("account_new", person), body)


def test_create_form_offers_only_grantable_roles(login: Any, more: Any) -> None:
    html = login(more.body_admin).get(url("account_new", more.newcomer)).content.decode()
    for role in ["officer", "auxiliary", "reviewer", "head", "body_admin"]:
        assert f'value="{role}"' in html, role
    assert 'value="supervisor"' not in html and 'value="system_admin"' not in html
    assert 'type="password" name="password1"' in html


def test_create_a_login_and_log_in_with_it(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    count = User.objects.count()
    response = _create(client, more.newcomer, username=" sunli ")
    assert response.status_code == 302
    assert response["Location"] == url("account_manage", more.newcomer)
    assert User.objects.count() == count + 1
    user = User.objects.get(person=more.newcomer)
    assert (user.username, user.roles, user.is_active, user.is_staff, user.is_superuser) == (
        "sunli", ["officer", "reviewer"], True, False, False)
    html = client.get(response["Location"]).content.decode()
    assert "已为孙丽开通登录账号。" in html
    assert '<dd class="mono">sunli</dd>' in html

    newcomer = Client()
    response = newcomer.post("/login/", {"username": "sunli", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert newcomer.get("/").context["user"].pk == user.pk


def test_create_keeps_the_input_and_shows_errors(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    before = accounts()
    # Passwords that differ: the username and the roles stay, the passwords do not.
    response = _create(client, more.newcomer, password2="Qingtian-2027-LU")
    assert response.status_code == 400
    html = response.content.decode()
    assert "两次输入的密码不一致。" in html
    assert 'value="sunli"' in html
    assert '<input type="checkbox" name="roles" value="reviewer" id="id_roles_2" checked>' in html
    assert '<input type="checkbox" name="roles" value="officer" id="id_roles_0" checked>' in html
    assert '<input type="checkbox" name="roles" value="head" id="id_roles_3">' in html
    assert NEW_PASSWORD not in html and "Qingtian-2027-LU" not in html
    # Too short: Django's message, in Chinese, next to the password.
    html = _create(client, more.newcomer, password1="Ab3-xyz", password2="Ab3-xyz").content
    assert "密码长度太短，至少应包含 8 个字符。" in html.decode()
    # Common and numeric.
    html = _create(client, more.newcomer, password1="12345678", password2="12345678").content
    assert "这个密码太常见了。 密码只包含数字。" in html.decode()
    # Taken username.
    html = _create(client, more.newcomer, username="zhaoqiang").content.decode()
    assert "该用户名已被使用。" in html and 'value="zhaoqiang"' in html
    # Not a username.
    html = _create(client, more.newcomer, username="sun li!").content.decode()
    assert "请输入合法的用户名。只能包含英文字母、数字" in html
    # No role.
    html = _create(client, more.newcomer, roles=[]).content.decode()
    assert "请至少选择一个角色。" in html
    assert accounts() == before


@pytest.mark.parametrize("role", ["system_admin", "supervisor"])
def test_create_refuses_a_forged_role(login: Any, more: Any, role: str) -> None:
    client = login(more.body_admin)
    before = accounts()
    response = _create(client, more.newcomer, roles=["officer", role])
    assert response.status_code == 400
    assert f"选择一个有效的选项。 {role} 不在可用的选项中。" in response.content.decode()
    assert accounts() == before


def test_create_for_someone_who_left_is_refused(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    before = accounts()
    page = client.get(url("account_new", more.left)).content.decode()
    assert "该人员已不在岗，不能开通登录账号。" in page
    response = _create(client, more.left, username="liuyang")
    assert response.status_code == 400
    assert "该人员已不在岗。" in response.content.decode()
    assert accounts() == before


def test_person_with_a_login_is_sent_to_manage_it(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    before = accounts()
    response = client.get(url("account_new", more.officer_a))
    assert response.status_code == 302
    assert response["Location"] == url("account_manage", more.officer_a)
    response = _create(client, more.officer_a, username="liming2")
    assert response["Location"] == url("account_manage", more.officer_a)
    assert accounts() == before
    # And the manage page of a person without a login offers to create one.
    response = client.get(url("account_manage", more.newcomer))
    assert response["Location"] == url("account_new", more.newcomer)


# --- Managing a login -----------------------------------------------------------------------
def test_change_roles(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    html = client.get(url("account_manage", more.officer_a)).content.decode()
    assert '<input type="checkbox" name="roles" value="officer" id="id_roles_0" checked>' in html
    assert '<input type="checkbox" name="roles" value="head" id="id_roles_3">' in html
    response = client.post(url("account_roles", more.officer_a), {"roles": ["head", "officer"]})
    assert response.status_code == 302
    assert User.objects.get(pk=more.officer.pk).roles == ["head", "officer"]
    assert "角色已保存。" in client.get(response["Location"]).content.decode()


def test_change_roles_refusals(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    before = accounts()
    response = client.post(url("account_roles", more.officer_a),
                           {"roles": ["officer", "system_admin"]})
    assert response.status_code == 400
    response = client.post(url("account_roles", more.officer_a), {})
    assert response.status_code == 400
    assert "请至少选择一个角色。" in response.content.decode()
    response = client.post(url("account_roles", more.admin_a_person), {"roles": ["officer"]})
    assert response.status_code == 400
    assert "不能取消您自己的管理员角色。" in response.content.decode()
    assert accounts() == before


def test_role_the_manager_cannot_grant_is_shown_and_refused(login: Any, more: Any) -> None:
    # A system administrator made body A's officer a supervisor; body A is no justice bureau.
    User.objects.filter(pk=more.officer.pk).update(roles=["officer", "supervisor"])
    client = login(more.body_admin)
    html = client.get(url("account_manage", more.officer_a)).content.decode()
    assert 'value="supervisor"' in html
    before = accounts()
    response = client.post(url("account_roles", more.officer_a),
                           {"roles": ["officer", "supervisor", "head"]})
    assert response.status_code == 400
    assert "您无权授予这些角色。" in response.content.decode()
    assert accounts() == before
    # Unchecking it removes it.
    client.post(url("account_roles", more.officer_a), {"roles": ["officer"]})
    assert User.objects.get(pk=more.officer.pk).roles == ["officer"]


def test_disable_and_enable(login: Any, more: Any) -> None:
    officer = Client()
    assert officer.post("/login/", {"username": "liming", "password": PASSWORD}).status_code \
        == 302
    assert officer.get("/").status_code == 200

    client = login(more.body_admin)
    before = accounts()
    confirm = client.get(url("account_disable", more.officer_a))
    assert confirm.status_code == 200
    assert "停用后将无法登录" in confirm.content.decode()
    assert accounts() == before  # asking is not doing

    response = client.post(url("account_disable", more.officer_a))
    assert response.status_code == 302
    assert User.objects.get(pk=more.officer.pk).is_active is False
    assert "李明的登录账号已停用" in client.get(response["Location"]).content.decode()
    # The open session ends, and the password no longer logs in.
    assert officer.get("/")["Location"].startswith("/login/")
    refused = Client()
    response = refused.post("/login/", {"username": "liming", "password": PASSWORD})
    assert response.status_code == 200
    assert "用户名或密码错误。" in response.content.decode()
    assert "_auth_user_id" not in refused.session

    response = client.post(url("account_enable", more.officer_a))
    assert response.status_code == 302
    assert User.objects.get(pk=more.officer.pk).is_active is True
    again = Client()
    assert again.post("/login/", {"username": "liming", "password": PASSWORD}).status_code \
        == 302


def test_cannot_disable_yourself(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    html = client.get(url("account_manage", more.admin_a_person)).content.decode()
    assert url("account_disable", more.admin_a_person) not in html
    before = accounts()
    response = client.post(url("account_disable", more.admin_a_person))
    assert response.status_code == 400
    assert "不能停用您自己的账号。" in response.content.decode()
    assert accounts() == before


def test_set_a_new_password(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    response = client.post(url("account_password", more.officer_a),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user = User.objects.get(pk=more.officer.pk)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert "新密码已设置。" in client.get(response["Location"]).content.decode()
    assert Client().post("/login/", {"username": "liming", "password": NEW_PASSWORD}
                         ).status_code == 302


def test_set_password_refusals(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    before = accounts()
    target = url("account_password", more.officer_a)
    response = client.post(target, {"password1": NEW_PASSWORD, "password2": "other-2027-pw"})
    assert response.status_code == 400
    assert "两次输入的密码不一致。" in response.content.decode()
    response = client.post(target, {"password1": "Ab3-xyz", "password2": "Ab3-xyz"})
    assert response.status_code == 400
    assert "密码长度太短，至少应包含 8 个字符。" in response.content.decode()
    assert NEW_PASSWORD not in response.content.decode()
    assert accounts() == before


def test_new_own_password_keeps_the_session(login: Any, more: Any) -> None:
    client = login(more.body_admin)
    response = client.post(url("account_password", more.admin_a_person),
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert User.objects.get(pk=more.body_admin.pk).check_password(NEW_PASSWORD)
    assert client.get("/accounts/").status_code == 200


def test_system_admin_manages_any_body(login: Any, more: Any) -> None:
    client = login(more.sysadmin)
    response = client.post(url("account_roles", more.officer_b), {"roles": ["supervisor"]})
    assert response.status_code == 302
    assert User.objects.get(pk=more.officer_b_user.pk).roles == ["supervisor"]
    html = client.get(url("account_new", more.newcomer)).content.decode()
    assert 'value="system_admin"' in html and 'value="supervisor"' in html
