"""The account services and who may use them: grantable roles, creating logins, roles,
disabling and passwords. Every refusal leaves every account exactly as it was."""

from dataclasses import dataclass
from typing import Any

import pytest

from tests import factories as f
from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied
from zhifa.orgs.models import AccountRole, EnforcementBody, Person, PersonStatus, User
from zhifa.orgs.services import (
    account_create,
    account_set_active,
    account_set_password,
    account_set_roles,
    grantable_roles,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Zhifa-test-2026"
NEW_PASSWORD = "Qingtian-2027-lu"
STAFF_ROLES = ["officer", "auxiliary", "reviewer", "head", "body_admin", "publicity_clerk"]
ALL_ROLES = ["officer", "auxiliary", "reviewer", "head", "body_admin", "supervisor",
             "publicity_clerk", "system_admin"]


@dataclass
class Accounts:
    body_a: EnforcementBody
    body_b: EnforcementBody
    bureau: EnforcementBody  # a supervisory body (justice bureau)
    newcomer_a: Person  # in post at body A, no account yet
    left_a: Person  # has left body A
    newcomer_b: Person
    newcomer_bureau: Person
    admin_a: User
    officer_a: User
    admin_b: User
    officer_b: User
    admin_bureau: User
    sysadmin: User  # no person
    linked_sysadmin: User  # a system administrator who is also a person of body A


@pytest.fixture
def w() -> Accounts:
    r = f.regions()
    market = f.sector()
    body_a = f.body(r["county"], market, name="芙蓉区市场监督管理局")
    body_b = f.body(r["other_county"], market, name="荷塘区市场监督管理局")
    bureau = f.body(r["city"], f.sector("justice", "司法行政"), name="长沙市司法局",
                    is_supervisory=True)
    return Accounts(
        body_a=body_a, body_b=body_b, bureau=bureau,
        newcomer_a=f.person(body_a, "新人甲"),
        left_a=f.person(body_a, "离岗乙", status=PersonStatus.LEFT),
        newcomer_b=f.person(body_b, "新人丙"),
        newcomer_bureau=f.person(bureau, "新人丁"),
        admin_a=f.user(f.person(body_a, "王芳"), (AccountRole.BODY_ADMIN,), "admin_a"),
        officer_a=f.user(f.person(body_a, "李明"), (AccountRole.OFFICER,), "officer_a"),
        admin_b=f.user(f.person(body_b, "陈静"), (AccountRole.BODY_ADMIN,), "admin_b"),
        officer_b=f.user(f.person(body_b, "赵强"), (AccountRole.OFFICER,), "officer_b"),
        admin_bureau=f.user(f.person(bureau, "周平"), (AccountRole.BODY_ADMIN,), "admin_j"),
        sysadmin=account_create(actor=None, username="root", password=PASSWORD,
                                roles=[AccountRole.SYSTEM_ADMIN]),
        linked_sysadmin=account_create(actor=None, username="it_a", password=PASSWORD,
                                       roles=[AccountRole.SYSTEM_ADMIN],
                                       person=f.person(body_a, "信息科")),
    )


def accounts() -> list[tuple[Any, ...]]:
    """Every account as stored: the snapshot a refusal must leave unchanged."""
    return list(
        User.objects.order_by("pk").values_list(
            "pk", "username", "person_id", "roles", "is_active", "is_staff", "is_superuser",
            "password", "first_name",
        )
    )


def refused(exc_type: type[ApplicationError], code: str, call: Any, **kwargs: Any) -> None:
    before = accounts()
    with pytest.raises(exc_type) as exc:
        call(**kwargs)
    assert exc.value.code == code
    assert accounts() == before


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --- grantable_roles ------------------------------------------------------------------------
def test_grantable_roles(w: Accounts) -> None:
    assert grantable_roles(w.admin_a, w.newcomer_a) == STAFF_ROLES
    # Supervisor only at a supervisory body (a justice bureau supervises enforcement).
    assert grantable_roles(w.admin_bureau, w.newcomer_bureau) == [
        "officer", "auxiliary", "reviewer", "head", "body_admin", "supervisor",
        "publicity_clerk",
    ]
    assert grantable_roles(w.sysadmin, w.newcomer_a) == ALL_ROLES
    assert grantable_roles(w.linked_sysadmin, w.newcomer_b) == ALL_ROLES
    assert grantable_roles(None, w.newcomer_a) == ALL_ROLES


# --- account_create -------------------------------------------------------------------------
def test_body_admin_creates_a_login_in_own_body(w: Accounts) -> None:
    count = User.objects.count()
    user = account_create(actor=w.admin_a, username="  xinren  ", password=NEW_PASSWORD,
                          roles=["reviewer", "officer", "officer"], person=w.newcomer_a)
    user = fresh(user)
    assert User.objects.count() == count + 1
    assert (user.username, user.person_id, user.roles, user.first_name) == (
        "xinren", w.newcomer_a.pk, ["officer", "reviewer"], "新人甲")
    assert (user.is_active, user.is_staff, user.is_superuser) == (True, False, False)
    assert user.check_password(NEW_PASSWORD)
    assert user.password.split("$")[0] in ("argon2", "md5", "pbkdf2_sha256")


@pytest.mark.parametrize("roles", [["system_admin"], ["supervisor"], ["officer", "supervisor"]])
def test_body_admin_cannot_grant_system_admin_or_supervisor(w: Accounts, roles: list[str]) -> None:
    refused(PermissionDenied, "role_not_grantable", account_create, actor=w.admin_a,
            username="xinren", password=NEW_PASSWORD, roles=roles, person=w.newcomer_a)


def test_bureau_admin_may_grant_supervisor(w: Accounts) -> None:
    user = account_create(actor=w.admin_bureau, username="jiandu", password=NEW_PASSWORD,
                          roles=["supervisor"], person=w.newcomer_bureau)
    assert fresh(user).roles == ["supervisor"]


def test_body_admin_cannot_create_in_another_body(w: Accounts) -> None:
    refused(PermissionDenied, "body_out_of_scope", account_create, actor=w.admin_a,
            username="xinren", password=NEW_PASSWORD, roles=["officer"], person=w.newcomer_b)


def test_body_admin_cannot_create_a_login_without_a_person(w: Accounts) -> None:
    refused(PermissionDenied, "missing_administer_system", account_create, actor=w.admin_a,
            username="root2", password=NEW_PASSWORD, roles=["system_admin"])


@pytest.mark.parametrize("actor", ["officer_a", "disabled_admin"])
def test_staff_without_manage_people_cannot_create(w: Accounts, actor: str) -> None:
    if actor == "disabled_admin":
        User.objects.filter(pk=w.admin_a.pk).update(is_active=False)
        user = fresh(w.admin_a)
    else:
        user = w.officer_a
    refused(PermissionDenied, "body_out_of_scope", account_create, actor=user,
            username="xinren", password=NEW_PASSWORD, roles=["officer"], person=w.newcomer_a)


@pytest.mark.parametrize("password", ["Ab3-xyz", "12345678", "password", "87654321987"])
def test_weak_password_is_refused(w: Accounts, password: str) -> None:
    refused(InvalidInput, "password_weak", account_create, actor=w.admin_a, username="xinren",
            password=password, roles=["officer"], person=w.newcomer_a)


def test_weak_password_message_is_chinese(w: Accounts) -> None:
    with pytest.raises(InvalidInput) as exc:
        account_create(actor=w.admin_a, username="xinren", password="12345678",
                       roles=["officer"], person=w.newcomer_a)
    assert exc.value.message == "这个密码太常见了。 密码只包含数字。"


def test_one_account_per_person(w: Accounts) -> None:
    refused(InvalidInput, "person_has_account", account_create, actor=w.admin_a,
            username="second", password=NEW_PASSWORD, roles=["officer"],
            person=w.officer_a.person)


def test_person_who_left_gets_no_login(w: Accounts) -> None:
    refused(InvalidInput, "person_left", account_create, actor=w.admin_a, username="gone",
            password=NEW_PASSWORD, roles=["officer"], person=w.left_a)


def test_username_taken_and_required(w: Accounts) -> None:
    refused(InvalidInput, "username_taken", account_create, actor=w.admin_a,
            username="officer_b", password=NEW_PASSWORD, roles=["officer"], person=w.newcomer_a)
    refused(InvalidInput, "username_required", account_create, actor=w.admin_a,
            username="   ", password=NEW_PASSWORD, roles=["officer"], person=w.newcomer_a)


def test_roles_required_and_known(w: Accounts) -> None:
    refused(InvalidInput, "role_required", account_create, actor=w.admin_a, username="xinren",
            password=NEW_PASSWORD, roles=[], person=w.newcomer_a)
    refused(InvalidInput, "role_unknown", account_create, actor=w.admin_a, username="xinren",
            password=NEW_PASSWORD, roles=["officer", "king"], person=w.newcomer_a)


def test_system_admin_creates_any_login(w: Accounts) -> None:
    user = fresh(account_create(actor=w.sysadmin, username="bing", password=NEW_PASSWORD,
                                roles=["supervisor", "officer"], person=w.newcomer_b))
    assert (user.person_id, user.roles, user.is_superuser) == (
        w.newcomer_b.pk, ["officer", "supervisor"], False)
    root2 = fresh(account_create(actor=w.sysadmin, username="root2", password=NEW_PASSWORD,
                                 roles=["system_admin"]))
    assert (root2.person_id, root2.roles, root2.is_staff, root2.is_superuser) == (
        None, ["system_admin"], True, True)


# --- account_set_roles ----------------------------------------------------------------------
def test_body_admin_changes_roles_in_own_body(w: Accounts) -> None:
    user = account_set_roles(actor=w.admin_a, user=w.officer_a, roles=["head", "officer"])
    assert fresh(user).roles == ["head", "officer"]
    assert (fresh(user).is_staff, fresh(user).is_superuser) == (False, False)


@pytest.mark.parametrize("roles", [["officer", "system_admin"], ["supervisor"]])
def test_body_admin_cannot_set_ungrantable_roles(w: Accounts, roles: list[str]) -> None:
    refused(PermissionDenied, "role_not_grantable", account_set_roles, actor=w.admin_a,
            user=w.officer_a, roles=roles)


def test_body_admin_cannot_touch_another_body(w: Accounts) -> None:
    refused(PermissionDenied, "body_out_of_scope", account_set_roles, actor=w.admin_a,
            user=w.officer_b, roles=["head"])
    refused(PermissionDenied, "body_out_of_scope", account_set_active, actor=w.admin_a,
            user=w.officer_b, active=False)
    refused(PermissionDenied, "body_out_of_scope", account_set_password, actor=w.admin_a,
            user=w.officer_b, password=NEW_PASSWORD)


@pytest.mark.parametrize("target", ["sysadmin", "linked_sysadmin"])
def test_body_admin_cannot_touch_a_system_admin(w: Accounts, target: str) -> None:
    user = getattr(w, target)
    refused(PermissionDenied, "missing_administer_system", account_set_roles, actor=w.admin_a,
            user=user, roles=["officer"])
    refused(PermissionDenied, "missing_administer_system", account_set_active,
            actor=w.admin_a, user=user, active=False)
    refused(PermissionDenied, "missing_administer_system", account_set_password,
            actor=w.admin_a, user=user, password=NEW_PASSWORD)


def test_officer_cannot_change_accounts(w: Accounts) -> None:
    other = f.user(w.newcomer_a, (AccountRole.OFFICER,), "colleague")
    refused(PermissionDenied, "body_out_of_scope", account_set_roles, actor=w.officer_a,
            user=other, roles=["body_admin"])
    refused(PermissionDenied, "body_out_of_scope", account_set_active, actor=w.officer_a,
            user=other, active=False)
    refused(PermissionDenied, "body_out_of_scope", account_set_password, actor=w.officer_a,
            user=other, password=NEW_PASSWORD)


def test_body_admin_cannot_remove_own_admin_role(w: Accounts) -> None:
    refused(InvalidInput, "account_self", account_set_roles, actor=w.admin_a, user=w.admin_a,
            roles=["officer"])
    # Adding a role while keeping the administrator role is fine.
    account_set_roles(actor=w.admin_a, user=w.admin_a, roles=["officer", "body_admin"])
    assert fresh(w.admin_a).roles == ["body_admin", "officer"]


def test_roles_required_and_known_on_change(w: Accounts) -> None:
    refused(InvalidInput, "role_required", account_set_roles, actor=w.admin_a,
            user=w.officer_a, roles=[])
    refused(InvalidInput, "role_unknown", account_set_roles, actor=w.admin_a,
            user=w.officer_a, roles=["officer", "emperor"])


def test_system_admin_grants_and_removes_system_admin(w: Accounts) -> None:
    account_set_roles(actor=w.sysadmin, user=w.officer_b, roles=["system_admin", "officer"])
    user = fresh(w.officer_b)
    assert (user.roles, user.is_staff, user.is_superuser) == (
        ["officer", "system_admin"], True, True)
    account_set_roles(actor=w.sysadmin, user=user, roles=["supervisor"])
    user = fresh(w.officer_b)
    assert (user.roles, user.is_staff, user.is_superuser) == (["supervisor"], False, False)


def test_account_without_person_stays_system_admin(w: Accounts) -> None:
    refused(InvalidInput, "account_needs_person", account_set_roles, actor=w.sysadmin,
            user=w.sysadmin, roles=["officer"])


# --- account_set_active ---------------------------------------------------------------------
def test_body_admin_disables_and_enables(w: Accounts) -> None:
    account_set_active(actor=w.admin_a, user=w.officer_a, active=False)
    assert fresh(w.officer_a).is_active is False
    account_set_active(actor=w.admin_a, user=w.officer_a, active=True)
    assert fresh(w.officer_a).is_active is True


def test_nobody_disables_themselves(w: Accounts) -> None:
    refused(InvalidInput, "account_self", account_set_active, actor=w.admin_a, user=w.admin_a,
            active=False)
    refused(InvalidInput, "account_self", account_set_active, actor=w.sysadmin,
            user=w.sysadmin, active=False)


def test_system_admin_disables_anyone(w: Accounts) -> None:
    for user in (w.admin_b, w.linked_sysadmin):
        account_set_active(actor=w.sysadmin, user=user, active=False)
        assert fresh(user).is_active is False


# --- account_set_password -------------------------------------------------------------------
def test_body_admin_sets_a_password(w: Accounts) -> None:
    account_set_password(actor=w.admin_a, user=w.officer_a, password=NEW_PASSWORD)
    user = fresh(w.officer_a)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)


@pytest.mark.parametrize("password", ["short1", "12345678", "qwertyuiop"])
def test_weak_new_password_is_refused(w: Accounts, password: str) -> None:
    refused(InvalidInput, "password_weak", account_set_password, actor=w.admin_a,
            user=w.officer_a, password=password)
    assert fresh(w.officer_a).check_password(PASSWORD)


def test_system_admin_sets_any_password(w: Accounts) -> None:
    for user in (w.admin_b, w.linked_sysadmin):
        account_set_password(actor=w.sysadmin, user=user, password=NEW_PASSWORD)
        assert fresh(user).check_password(NEW_PASSWORD)
