"""The before-enforcement pages cost a fixed number of queries, however many rows they list."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import body, certificate, item, person, sector
from tests.portal.test_registry_world import (
    RegWorld,
    attr_values,
    days,
    registry_world,
    reviewed,
)
from zhifa.catalog.models import Article
from zhifa.catalog.services import TierIn, benchmark_create, inspection_item_create
from zhifa.orgs.models import Region
from zhifa.orgs.services import certificate_status_change

pytestmark = pytest.mark.django_db

EXTRA = 30  # rows added to each list


def grow(w: RegWorld) -> None:
    """Many more bodies, officers, items, inspection items, benchmarks and changes."""
    county = Region.objects.get(code="430102")
    city = Region.objects.get(code="430100")
    market = sector()
    article = Article.objects.get()
    for n in range(EXTRA):
        b = body(county, market, name=f"芙蓉区第{n}市场监督管理所")
        p = person(b, f"张{n}号", phone=f"1390000{n:04d}")
        cert = certificate(p, [county, city], [market], issue=days(-400 + n), expiry=days(400),
                           number=f"43019900{n:03d}")
        if n % 3 == 0:
            certificate_status_change(actor=None, certificate=cert, to_status="suspended",
                                      effective_date=days(-n), reason="测试")
        reviewed(item(w.body_a, code=f"EXT-{n:03d}", name=f"对第{n}类违法行为的行政处罚",
                      effective_from=days(-80), legal_basis=[article],
                      basis_text=f"依据第{n}条"), on=days(-70))
        reviewed(item(b, code=f"EXB-{n:03d}", name=f"所{n}事项", category="inspection",
                      procedure_type="inspection", effective_from=days(-80)), on=days(-70))
        inspection_item_create(
            actor=None, body=b, code=f"IN-{n:03d}", name=f"第{n}项抽查",
            inspection_objects="经营者", method="书面检查", effective_from=days(-50),
            legal_basis=[article], ratio_percent=3)
        benchmark_create(
            actor=None, code=f"BX-{n:03d}", violation=f"第{n}种违法行为", sector=market,
            region=city, violated_text="某法第一条", penalty_text="某法第二条",
            source_document="长市监规〔2024〕2号", effective_from=days(-45), statutory_min=100_000,
            statutory_max=1_000_000, tiers=(
                TierIn(tier="lighter", conditions="轻微", min_value=100_000, max_value=400_000,
                       penalty_kinds=["fine"]),
                TierIn(tier="ordinary", conditions="一般", min_value=400_001, max_value=1_000_000,
                       penalty_kinds=["fine"]),
            ))


def pages(w: RegWorld) -> dict[str, str]:
    return {
        "bodies": reverse("portal:bodies"),
        "body": reverse("portal:body", args=[w.body_a.public_id]),
        "officers": reverse("portal:officers"),
        "officers_filtered": f"{reverse('portal:officers')}?status=suspended&category=market",
        "lookup": f"{reverse('portal:certificate_lookup')}?number={w.valid.number}",
        "lookup_name": f"{reverse('portal:certificate_lookup')}?name=李明"
                       f"&body={w.body_a.public_id}",
        "items": reverse("portal:items"),
        "items_region": f"{reverse('portal:items')}?region=430102&procedure=general",
        "item": reverse("portal:item", args=[w.item_ok.public_id]),
        "guide": reverse("portal:guide", args=[w.item_licensing.public_id]),
        "inspections": reverse("portal:inspections"),
        "benchmarks": reverse("portal:benchmarks"),
        "benchmarks_region": f"{reverse('portal:benchmarks')}?region=430102",
        "benchmark": reverse("portal:benchmark", args=[w.bm_ok.public_id]),
        "changes": f"{reverse('portal:changes')}?days=365",
        "procedure": reverse("portal:procedure", args=["general"]),
    }


def counts(client: Client, w: RegWorld) -> dict[str, int]:
    out = {}
    for name, url in pages(w).items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        out[name] = len(ctx.captured_queries)
    return out


def test_query_counts_do_not_grow_with_rows(client: Client) -> None:
    w = registry_world()
    small = counts(client, w)
    grow(w)
    large = counts(client, w)
    assert large == small


@pytest.mark.parametrize("name", ["bodies", "body", "officers", "items", "inspections",
                                  "benchmarks", "changes"])
def test_lists_with_many_rows_are_bounded(client: Client, name: str,
                                          django_assert_max_num_queries: Any) -> None:
    w = registry_world()
    grow(w)
    url = pages(w)[name]
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    listed = {"bodies": "body", "body": "item", "officers": "cert", "items": "item",
              "inspections": "inspection", "benchmarks": "benchmark", "changes": "change"}[name]
    assert len(attr_values(html, listed)) >= EXTRA
