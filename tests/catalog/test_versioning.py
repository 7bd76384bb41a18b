"""Catalogue versions: a new version closes the previous one in the same transaction."""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.catalog.models import EnforcementItem
from zhifa.core.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

D = dt.date


def rows(code: str) -> list[tuple[int, str, dt.date, dt.date | None]]:
    return list(
        EnforcementItem.objects.filter(code=code).order_by("body_id", "version")
        .values_list("version", "name", "effective_from", "effective_to")
    )


def test_item_create_twice_makes_a_new_version_and_closes_the_previous() -> None:
    b = f.body(f.regions()["county"])
    first = f.item(b, code="330217001000", name="旧名称", effective_from=D(2024, 1, 1))
    assert (first.version, first.effective_to) == (1, None)
    second = f.item(b, code="330217001000", name="新名称", effective_from=D(2025, 3, 1))
    assert second.version == 2
    assert rows("330217001000") == [(1, "旧名称", D(2024, 1, 1), D(2025, 3, 1)),
                                    (2, "新名称", D(2025, 3, 1), None)]
    in_force = EnforcementItem.objects.filter(code="330217001000")
    assert [i.name for i in in_force.in_force_on(D(2025, 2, 28))] == ["旧名称"]
    assert [i.name for i in in_force.in_force_on(D(2025, 3, 1))] == ["新名称"]
    assert [i.name for i in in_force.in_force_on(D(2023, 12, 31))] == []
    first.refresh_from_db()
    assert (first.in_force_on(D(2025, 2, 28)), first.in_force_on(D(2025, 3, 1))) == (True, False)


def test_same_code_in_another_body_is_independent() -> None:
    r = f.regions()
    a, b = f.body(r["county"]), f.body(r["other_county"])
    f.item(a, code="X1", name="甲", effective_from=D(2024, 1, 1))
    other = f.item(b, code="X1", name="乙", effective_from=D(2025, 1, 1))
    assert other.version == 1
    assert rows("X1") == [(1, "甲", D(2024, 1, 1), None), (1, "乙", D(2025, 1, 1), None)]


@pytest.mark.parametrize("day", [D(2025, 3, 1), D(2025, 2, 1)])
def test_new_version_not_after_the_current_changes_nothing(day: dt.date) -> None:
    b = f.body(f.regions()["county"])
    f.item(b, code="X2", name="一", effective_from=D(2024, 1, 1))
    f.item(b, code="X2", name="二", effective_from=D(2025, 3, 1))
    before = rows("X2")
    with pytest.raises(InvalidInput) as exc:
        f.item(b, code="X2", name="三", effective_from=day)
    assert exc.value.code == "version_effective_date"
    assert rows("X2") == before


def test_only_the_bodys_administrators_manage_items() -> None:
    from zhifa.catalog.services import item_create

    w = f.scoping_world()
    for actor in (w.u_officer_a, w.u_admin_b, w.u_supervisor, w.u_no_person):
        with pytest.raises(PermissionDenied) as exc:
            item_create(actor=actor, body=w.body_a, code="Y", name="事项", category="penalty",
                        procedure_type="general", effective_from=D(2024, 1, 1))
        assert exc.value.code == "catalog_out_of_scope"
    assert EnforcementItem.objects.count() == 0
    item = item_create(actor=w.u_admin_a, body=w.body_a, code="Y", name="事项",
                       category="penalty", procedure_type="general",
                       effective_from=D(2024, 1, 1))
    assert EnforcementItem.objects.get().pk == item.pk
