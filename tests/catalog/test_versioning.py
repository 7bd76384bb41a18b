"""Catalogue versions: a new version closes the previous one in the same transaction."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from zhifa.catalog.models import Article, EnforcementItem, Law, RandomInspectionItem
from zhifa.catalog.services import inspection_item_create, item_create
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
    w = f.scoping_world()
    today = timezone.localdate()
    for actor in (w.u_officer_a, w.u_admin_b, w.u_supervisor, w.u_no_person):
        with pytest.raises(PermissionDenied) as exc:
            item_create(actor=actor, body=w.body_a, code="Y", name="事项", category="penalty",
                        procedure_type="general", effective_from=today)
        assert exc.value.code == "catalog_out_of_scope"
    assert EnforcementItem.objects.count() == 0
    item = item_create(actor=w.u_admin_a, body=w.body_a, code="Y", name="事项",
                       category="penalty", procedure_type="general", effective_from=today)
    assert EnforcementItem.objects.get().pk == item.pk


# --- Back-dating ---------------------------------------------------------------------------
def _item_as(actor: object, body: object, day: dt.date, name: str = "事项") -> object:
    return item_create(actor=actor, body=body, code="Z", name=name,  # type: ignore[arg-type]
                       category="penalty", procedure_type="general", effective_from=day)


def test_a_body_administrator_cannot_backdate_a_version() -> None:
    """What was in force on a past day stays what it was (decisions relied on it)."""
    w = f.scoping_world()
    today = timezone.localdate()
    f.item(w.body_a, code="Z", name="现行", effective_from=D(2024, 1, 1))
    before = rows("Z")
    for day in (today - dt.timedelta(days=1), D(2025, 1, 1)):
        with pytest.raises(InvalidInput) as exc:
            _item_as(w.u_admin_a, w.body_a, day)
        assert exc.value.code == "version_backdated"
        assert rows("Z") == before  # the version in force is not closed
    # Not even a first version: it would put an item in force on days already gone.
    with pytest.raises(InvalidInput) as exc:
        item_create(actor=w.u_admin_a, body=w.body_a, code="NEW", name="新事项",
                    category="penalty", procedure_type="general",
                    effective_from=today - dt.timedelta(days=1))
    assert exc.value.code == "version_backdated"
    assert rows("NEW") == []
    # From today on is fine, and closes the version in force from that day.
    _item_as(w.u_admin_a, w.body_a, today, name="新版")
    assert rows("Z") == [(1, "现行", D(2024, 1, 1), today), (2, "新版", today, None)]


@pytest.mark.parametrize("who", ["system", "sysadmin"])
def test_the_system_and_system_administrators_may_record_past_versions(who: str) -> None:
    w = f.scoping_world()
    actor = None if who == "system" else w.u_sysadmin
    f.item(w.body_a, code="Z", name="旧版", effective_from=D(2023, 1, 1))
    _item_as(actor, w.body_a, D(2024, 6, 1), name="历史版本")
    assert rows("Z") == [(1, "旧版", D(2023, 1, 1), D(2024, 6, 1)),
                         (2, "历史版本", D(2024, 6, 1), None)]


def test_the_previous_version_is_locked_before_it_is_closed() -> None:
    b = f.body(f.regions()["county"])
    f.item(b, code="L", effective_from=D(2024, 1, 1))
    with CaptureQueriesContext(connection) as queries:
        f.item(b, code="L", effective_from=D(2025, 1, 1))
    selects = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("SELECT") and "catalog_enforcementitem" in q["sql"]]
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in sql for sql in selects), selects
    else:  # SQLite: a write transaction locks the whole database instead
        assert selects


# --- Inputs -----------------------------------------------------------------------------
@pytest.fixture
def apl() -> dict[str, Article]:
    """Article 28 of two texts of a law: 2017-2021 and from 2021-07-15."""
    old = f.law_version(effective_from=D(2017, 9, 1), label="2017年修正",
                        articles=((28, "第二十八条", "旧"),))
    new = f.law_version(effective_from=D(2021, 7, 15), label="2021年修订",
                        articles=((28, "第二十八条", "新"),))
    return {"old": old.articles.get(), "new": new.articles.get()}


def test_item_basis_must_be_the_text_in_force_on_the_effective_date(
    apl: dict[str, Article],
) -> None:
    b = f.body(f.regions()["county"])
    for article, day in ((apl["old"], D(2022, 1, 1)), (apl["new"], D(2021, 7, 14)),
                         (apl["new"], D(2017, 9, 1))):
        with pytest.raises(InvalidInput) as exc:
            f.item(b, code="BASIS", effective_from=day, legal_basis=[article])
        assert (exc.value.code, exc.value.detail) == ("article_not_in_force", "apl:28")
    assert rows("BASIS") == []
    Law.objects.update(repeal_date=D(2030, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        f.item(b, code="BASIS", effective_from=D(2030, 1, 1), legal_basis=[apl["new"]])
    assert exc.value.code == "article_not_in_force"
    item = f.item(b, code="BASIS", effective_from=D(2021, 7, 15), legal_basis=[apl["new"]])
    assert list(item.legal_basis.all()) == [apl["new"]]
    with pytest.raises(InvalidInput) as exc:
        inspection_item_create(actor=None, body=b, code="R1", name="抽查",
                               inspection_objects="经营者", method="双随机",
                               effective_from=D(2022, 1, 1),
                               legal_basis=[apl["old"]])
    assert exc.value.code == "article_not_in_force"
    assert RandomInspectionItem.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"category": "approval"}, "category_unknown"),
     ({"procedure_type": "fast"}, "procedure_unknown"),
     ({"time_limit": 30, "time_limit_unit": "week"}, "time_unit_unknown"),
     ({"time_limit": -1, "time_limit_unit": "working_day"}, "value_negative"),
     ({"reconsideration_days": -60}, "value_negative"),
     ({"litigation_months": -6}, "value_negative")],
)
def test_item_inputs_are_checked(kwargs: dict[str, object], code: str) -> None:
    b = f.body(f.regions()["county"])
    with pytest.raises(InvalidInput) as exc:
        f.item(b, code="BAD", **kwargs)
    assert exc.value.code == code
    assert EnforcementItem.objects.count() == 0
