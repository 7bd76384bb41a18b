"""Who sees which bodies, people and certificates (``orgs.selectors``)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import factories as f
from zhifa.core.errors import NotFound
from zhifa.orgs.selectors import (
    body_get_for_user,
    certificate_find_by_number,
    certificate_get_for_user,
    person_get_for_user,
    person_id_number_for,
    visible_bodies,
    visible_certificates,
    visible_people,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> f.World:
    return f.scoping_world()


def names(qs) -> set[str]:  # type: ignore[no-untyped-def]
    return {o.name for o in qs}


def numbers(qs) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.number for c in qs}


def test_officer_and_body_admin_see_their_own_body(w: f.World) -> None:
    for u in (w.u_officer_a, w.u_admin_a):
        assert names(visible_bodies(u)) == {"芙蓉区市场监督管理局"}
        assert names(visible_people(u)) == {"李明", "王芳", "吴刚"}
        assert numbers(visible_certificates(u)) == {w.cert_a.number}
    assert names(visible_bodies(w.u_officer_b)) == {"荷塘区市场监督管理局"}
    assert names(visible_people(w.u_officer_b)) == {"赵强", "陈静"}


def test_supervisor_sees_the_region_subtree(w: f.World) -> None:
    u = w.u_supervisor
    # The bureau is at city level (430100): the county body below it, the city bodies and
    # itself; not the other city's county, not the province above.
    assert names(visible_bodies(u)) == {"芙蓉区市场监督管理局", "长沙市市场监督管理局",
                                        "长沙市司法局"}
    assert names(visible_people(u)) == {"李明", "王芳", "吴刚", "刘洋", "周敏"}
    assert numbers(visible_certificates(u)) == {w.cert_a.number, w.cert_city.number}


def test_system_admin_sees_everything(w: f.World) -> None:
    assert visible_bodies(w.u_sysadmin).count() == 5
    assert visible_people(w.u_sysadmin).count() == 8
    assert visible_certificates(w.u_sysadmin).count() == 4


def test_superuser_sees_everything(w: f.World) -> None:
    su = f.user(None, roles=())
    su.is_superuser = True
    su.save()
    assert visible_bodies(su).count() == 5


@pytest.mark.parametrize("who", ["u_no_person", "u_inactive", "anonymous", "none"])
def test_users_without_scope_see_nothing(w: f.World, who: str) -> None:
    special = {"anonymous": AnonymousUser(), "none": None}
    u = special[who] if who in special else getattr(w, who)
    assert visible_bodies(u).count() == 0
    assert visible_people(u).count() == 0
    assert visible_certificates(u).count() == 0
    with pytest.raises(NotFound):
        body_get_for_user(user=u, public_id=w.body_a.public_id)


def test_lookups_outside_scope_are_not_found(w: f.World) -> None:
    u = w.u_officer_a
    assert body_get_for_user(user=u, public_id=w.body_a.public_id) == w.body_a
    assert person_get_for_user(user=u, public_id=str(w.officer_a.public_id)) == w.officer_a
    assert certificate_get_for_user(user=u, public_id=w.cert_a.public_id) == w.cert_a
    assert certificate_find_by_number(user=u, number=f" {w.cert_a.number} ") == w.cert_a
    cases = [
        (body_get_for_user, w.body_b.public_id, "body_not_found"),
        (body_get_for_user, "not-a-uuid", "body_not_found"),
        (person_get_for_user, w.officer_b.public_id, "person_not_found"),
        (person_get_for_user, "42", "person_not_found"),
        (certificate_get_for_user, w.cert_b.public_id, "certificate_not_found"),
        (certificate_get_for_user, "", "certificate_not_found"),
    ]
    for selector, public_id, code in cases:
        with pytest.raises(NotFound) as exc:
            selector(user=u, public_id=public_id)
        assert (exc.value.code, exc.value.status) == (code, 404)
    with pytest.raises(NotFound) as exc:
        certificate_find_by_number(user=u, number=w.cert_b.number)
    assert exc.value.code == "certificate_not_found"


def test_id_number_full_only_for_authorised_administrators(w: f.World) -> None:
    full = w.officer_a.id_number
    masked = full[:6] + "********" + full[-4:]
    assert person_id_number_for(w.u_admin_a, w.officer_a) == full
    assert person_id_number_for(w.u_sysadmin, w.officer_a) == full
    assert person_id_number_for(w.u_officer_a, w.officer_a) == masked
    assert person_id_number_for(w.u_supervisor, w.officer_a) == masked
    # A body administrator's privilege stops at their own body.
    assert person_id_number_for(w.u_admin_b, w.officer_a) == masked
    assert person_id_number_for(w.u_admin_a, w.officer_b) == w.officer_b.id_number[:6] + (
        "********" + w.officer_b.id_number[-4:]
    )
