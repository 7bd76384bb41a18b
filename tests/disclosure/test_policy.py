"""The publicity rules: a sector's own row, else the default row (seeded by the migration);
changed only by system administrators, each change on the ``disclosure.config`` stream; a
refusal changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import factories as f
from tests.cases.factories import Agency, agency
from zhifa.core.errors import ApplicationError
from zhifa.disclosure.events import CONFIG_STREAM, POLICY_CHANGED
from zhifa.disclosure.models import DisclosurePolicy
from zhifa.disclosure.services import policy_create, policy_for, policy_update
from zhifa.ledger.models import LedgerEntry


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


def state() -> dict[str, Any]:
    return {"rows": list(DisclosurePolicy.objects.order_by("id").values()),
            "ledger": LedgerEntry.objects.count()}


def refused(code: str, fn: Any) -> ApplicationError:
    before = state()
    with pytest.raises(ApplicationError) as info:
        fn()
    assert info.value.code == code, (info.value.code, info.value.detail)
    assert state() == before
    return info.value


def test_the_default_row_and_a_sectors_own(a: Agency) -> None:
    default = DisclosurePolicy.objects.get(sector__isnull=True)
    assert policy_for(a.market) == policy_for(a.market.pk) == policy_for(None) == default
    assert default.publish_warnings
    # specific terms: never a bare 病 or 精神 (they would blank "销售病死猪肉")
    assert default.health_terms == [
        "患有", "诊断为", "确诊", "病情", "病史", "病历", "住院治疗", "残疾", "精神疾病",
        "精神障碍", "传染病患者", "艾滋病", "乙肝", "怀孕", "体检结果"]
    own = policy_create(actor=a.u_sysadmin, sector=a.market, publish_warnings=False,
                        min_months=12)
    assert policy_for(a.market) == own
    assert policy_for(f.sector("environment", "生态环境")) == default
    # the new row starts from the default row's values
    assert (own.health_terms, own.light_months, own.publish_warnings, own.min_months) == (
        default.health_terms, 3, False, 12)
    entry = LedgerEntry.objects.filter(stream=CONFIG_STREAM).get()
    payload = json.loads(entry.payload)
    assert (entry.event_code, payload["scope"], payload["created"],
            payload["changes"]["min_months"]) == (POLICY_CHANGED.code, "market", True, 12)
    refused("policy_exists", lambda: policy_create(actor=a.u_sysadmin, sector=a.market))


def test_update(a: Agency) -> None:
    default = policy_for(None)
    row = policy_update(actor=a.u_sysadmin, policy=default, publish_warnings=False,
                        light_months=6, health_terms=[" 病史 ", "住院", "住院"])
    assert (row.publish_warnings, row.light_months, row.health_terms) == (
        False, 6, ["病史", "住院"])
    entry = LedgerEntry.objects.filter(stream=CONFIG_STREAM).get()
    assert json.loads(entry.payload) == {
        "policy": str(default.public_id), "scope": "default",
        "changes": {"publish_warnings": False, "light_months": 6,
                    "health_terms": ["病史", "住院"]}}
    # nothing different: nothing recorded
    policy_update(actor=a.u_sysadmin, policy=row, light_months=6)
    assert LedgerEntry.objects.filter(stream=CONFIG_STREAM).count() == 1


def test_refusals(a: Agency) -> None:
    default = policy_for(None)
    for actor in (a.u_head, a.u_officer, a.u_supervisor, None):
        refused("missing_administer_system",
                lambda u=actor: policy_update(actor=u, policy=default, light_months=6))
        refused("missing_administer_system",
                lambda u=actor: policy_create(actor=u, sector=a.market))
    err = refused("invalid_fields", lambda: policy_update(
        actor=a.u_sysadmin, policy=default, light_months=2, standard_months=37,
        publish_warnings="no", light_fine_max=-1, health_terms="病", colour="red"))
    assert set(err.detail) == {"light_months", "standard_months", "publish_warnings",
                               "light_fine_max", "health_terms", "colour"}
    refused("invalid_fields", lambda: policy_update(actor=a.u_sysadmin, policy=default,
                                                    health_terms=["长" * 21]))
