"""Loading into a database that is not empty, permissions, and determinism."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from tests import factories
from zhifa.catalog.models import (
    Article,
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    Law,
    ReviewCatalogue,
)
from zhifa.core.errors import PermissionDenied
from zhifa.demo.services import DemoRefused, demo_load
from zhifa.demo.state import is_demo_loaded
from zhifa.orgs.models import (
    AccountRole,
    Certificate,
    Department,
    EnforcementBody,
    Person,
    Region,
    Sector,
    User,
)

MODELS = [Region, Sector, EnforcementBody, Department, Person, Certificate, User, Law, Article,
          EnforcementItem, DiscretionBenchmark, ReviewCatalogue, HearingThreshold]


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_refuses_a_database_with_a_non_demo_body(db):
    factories.body(factories.regions()["county"])
    before = _counts()
    with pytest.raises(DemoRefused) as exc:
        demo_load()
    assert exc.value.code == "demo_database_not_empty"
    assert exc.value.detail == {"bodies": 1}
    assert _counts() == before
    assert not is_demo_loaded()


def test_refuses_a_database_with_a_user_account(db):
    User.objects.create_superuser("admin", password="Admin-pass-2026")
    before = _counts()
    with pytest.raises(DemoRefused) as exc:
        demo_load()
    assert exc.value.detail == {"accounts": 1}
    assert _counts() == before
    assert not EnforcementBody.objects.exists()


def test_command_refusal_exits_non_zero_with_a_clear_message(db):
    factories.body(factories.regions()["county"])
    User.objects.create_user("clerk", password="Clerk-pass-2026")
    before = _counts()
    with pytest.raises(CommandError) as exc:
        call_command("demo", "load")
    assert exc.value.returncode == 2
    message = str(exc.value)
    assert "当前数据库已有非演示数据" in message and "本次未作任何改动" in message
    assert "执法主体：1" in message and "用户账号：1" in message
    assert _counts() == before


def test_existing_reference_regions_and_sectors_are_kept(db):
    province = Region.objects.create(code="430000", name="湖南省", level="province",
                                     path="/430000/")
    market = Sector.objects.create(code="market", name="市场监督管理", sort_order=42)
    stamp = province.updated_at
    result = demo_load()
    assert result.created is True
    province.refresh_from_db()
    assert (province.name, province.updated_at) == ("湖南省", stamp)
    market.refresh_from_db()
    assert (market.name, market.sort_order) == ("市场监督管理", 42)
    assert Region.objects.count() == 7
    assert EnforcementBody.objects.filter(region__parent=province).count() == 8
    assert EnforcementBody.objects.filter(sector=market).count() == 6


def test_an_account_that_is_not_a_system_administrator_cannot_load(db):
    officer = factories.user(None, roles=(AccountRole.OFFICER,))
    before = _counts()
    with pytest.raises(PermissionDenied):
        demo_load(actor=officer)
    assert _counts() == before


def _load_and_describe() -> tuple[list[tuple[str, ...]], ...]:
    with transaction.atomic():
        demo_load()
        description = (
            sorted(Person.objects.values_list("name", "id_number", "body__name", "post")),
            sorted(Certificate.objects.values_list("number", "person__id_number", "status",
                                                   "issue_date")),
            sorted(EnforcementBody.objects.values_list("name", "credit_code")),
            sorted(User.objects.values_list("username", "person__name", "roles")),
            sorted(EnforcementItem.objects.values_list("code", "name", "legality_review_status")),
        )
        transaction.set_rollback(True)
    return description


def test_the_data_set_is_the_same_on_every_load(db):
    first = _load_and_describe()
    assert not EnforcementBody.objects.exists()
    assert first == _load_and_describe()
    assert len(first[0]) == 178
