"""account_create role grants, certificate_issue holder and area rules, departments, regions."""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.orgs.models import (
    AccountRole,
    Certificate,
    Department,
    PersonStatus,
    Region,
    RoleKind,
    User,
)
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.services import (
    account_create,
    certificate_issue,
    department_create,
    region_upsert,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    r = f.regions()
    market = f.sector()
    body = f.body(r["county"], market)
    admin = f.user(f.person(body, name="管理员"), roles=(AccountRole.BODY_ADMIN,))
    return r, market, body, admin


@pytest.mark.parametrize("role", [AccountRole.SYSTEM_ADMIN, AccountRole.SUPERVISOR])
def test_body_admin_cannot_grant_system_or_supervisor_roles(world, role) -> None:  # type: ignore[no-untyped-def]
    _r, _m, body, admin = world
    target = f.person(body, name="王五")
    before = User.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        account_create(actor=admin, username="evil", password="Zhifa-2026-x", roles=[role],
                       person=target)
    assert exc.value.code == "role_not_grantable"
    assert User.objects.count() == before


def test_body_admin_grants_officer_in_own_body(world) -> None:  # type: ignore[no-untyped-def]
    _r, _m, body, admin = world
    target = f.person(body, name="王五")
    user = account_create(actor=admin, username="wangwu", password="Zhifa-2026-x",
                          roles=[AccountRole.OFFICER], person=target)
    user = User.objects.get(pk=user.pk)
    assert (user.roles, user.is_staff, user.is_superuser) == (["officer"], False, False)
    assert user.check_password("Zhifa-2026-x")


def test_system_admin_role_grants_the_django_admin() -> None:
    user = account_create(actor=None, username="root", password="Zhifa-2026-x",
                          roles=[AccountRole.SYSTEM_ADMIN])
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert Perm.ADMINISTER_SYSTEM in perms_of(user)


def test_account_needs_exactly_one_password(world) -> None:  # type: ignore[no-untyped-def]
    _r, _m, body, _admin = world
    target = f.person(body, name="王五")
    before = User.objects.count()
    for kwargs in ({}, {"password": "a-Zhifa-2026", "password_hash": "x"}):
        with pytest.raises(InvalidInput) as exc:
            account_create(actor=None, username="w", roles=["officer"], person=target,
                           **kwargs)
        assert exc.value.code == "password_required"
    assert User.objects.count() == before


def test_people_who_left_and_inactive_bodies_lose_permissions(world) -> None:  # type: ignore[no-untyped-def]
    _r, _m, body, admin = world
    assert Perm.MANAGE_PEOPLE in perms_of(admin)
    person = admin.person
    person.status = PersonStatus.LEFT
    person.save()
    assert perms_of(User.objects.get(pk=admin.pk)) == set()
    person.status = PersonStatus.ACTIVE
    person.save()
    body.status = "dissolved"
    body.save()
    assert perms_of(User.objects.get(pk=admin.pk)) == set()


def issue(actor, person, areas, **kwargs):  # type: ignore[no-untyped-def]
    args = {"number": "C-1", "issuer": "湖南省人民政府", "categories": [f.sector()],
            "issue_date": dt.date(2024, 1, 1), "expiry_date": dt.date(2029, 12, 31), **kwargs}
    return certificate_issue(actor=actor, person=person, areas=areas, **args)


def test_auxiliary_cannot_hold_a_certificate(world) -> None:  # type: ignore[no-untyped-def]
    r, _m, body, admin = world
    aux = f.person(body, name="辅助", roles=(RoleKind.AUXILIARY,))
    with pytest.raises(InvalidInput) as exc:
        issue(admin, aux, [r["county"]])
    assert exc.value.code == "certificate_holder_role"
    assert Certificate.objects.count() == 0


def test_holder_who_left_cannot_get_a_certificate(world) -> None:  # type: ignore[no-untyped-def]
    r, _m, body, admin = world
    gone = f.person(body, name="离岗", status=PersonStatus.LEFT)
    with pytest.raises(InvalidInput) as exc:
        issue(admin, gone, [r["county"]])
    assert exc.value.code == "certificate_holder_left"
    assert Certificate.objects.count() == 0


def test_areas_must_lie_within_the_body_region_for_body_admins(world) -> None:  # type: ignore[no-untyped-def]
    r, _m, body, admin = world
    officer = f.person(body, name="李四")
    for areas in ([r["province"]], [r["other_county"]], [r["county"], r["city"]]):
        with pytest.raises(InvalidInput) as exc:
            issue(admin, officer, areas)
        assert exc.value.code == "certificate_area_outside_body"
    assert Certificate.objects.count() == 0
    cert = issue(admin, officer, [r["county"]])
    assert [a.code for a in cert.areas.all()] == ["430102"]


def test_issuer_is_required(world) -> None:  # type: ignore[no-untyped-def]
    r, _m, body, admin = world
    with pytest.raises(InvalidInput) as exc:
        issue(admin, f.person(body, name="李四"), [r["county"]], issuer="  ")
    assert exc.value.code == "certificate_issuer"
    assert Certificate.objects.count() == 0


def test_duplicate_department_name_is_a_clear_error(world) -> None:  # type: ignore[no-untyped-def]
    _r, _m, body, admin = world
    department_create(actor=admin, body=body, name="执法大队")
    before = Department.objects.count()
    with pytest.raises(InvalidInput) as exc:
        department_create(actor=admin, body=body, name=" 执法大队 ")
    assert exc.value.code == "department_duplicate"
    assert Department.objects.count() == before


def test_region_code_must_lie_under_its_parent() -> None:
    province = region_upsert(code="430000", name="湖南省")
    city = region_upsert(code="430100", name="长沙市", parent=province)
    before = Region.objects.count()
    for code, parent in (("440100", province), ("430202", city), ("430100", city)):
        with pytest.raises(InvalidInput) as exc:
            region_upsert(code=code, name="x", parent=parent)
        assert exc.value.code == "region_parent_mismatch"
    assert Region.objects.count() == before
    county = region_upsert(code="430102", name="芙蓉区", parent=city)
    assert county.path == "/430000/430100/430102/"
    assert region_upsert(code="430102001", name="街道", parent=county).level == "township"
