"""List endpoints run a fixed number of queries however many rows a page holds."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.api.conftest import API, ApiWorld
from zhifa.orgs.services import certificate_status_change, department_create

LISTS = ["/regions", "/sectors", "/regions/tree", "/bodies", "/people", "/certificates",
         "/items", "/benchmarks", "BODY/departments", "BODY/review-catalogues"]


def grow(w: ApiWorld, n: int) -> None:
    """n more of everything in body A, each with its related rows."""
    for i in range(n):
        p = f.person(w.body_a, f"人员{i:02d}", roles=("officer", "reviewer"))
        cert = f.certificate(p, [w.regions["city"], w.regions["county"]], [w.market, w.env])
        certificate_status_change(actor=None, certificate=cert, to_status="suspended",
                                  effective_date=dt.date(2025, 1, 1), reason="暂扣")
        department_create(actor=None, body=w.body_a, name=f"执法{i:02d}科")
        f.item(w.body_a, legal_basis=[w.art39, w.art50])
        f.benchmark(w.regions["province"], w.market)
        f.review_catalogue(w.body_a, code=f"rc-{i:02d}")
        f.body(w.regions["county"], w.market)  # visible to the supervisor
        f.region_upsert(code=f"4301{21 + i:02d}", name=f"区{i:02d}", parent=w.regions["city"])
        f.sector(f"sector{i:02d}", f"领域{i:02d}")


def rows(data) -> int:  # type: ignore[no-untyped-def]
    if isinstance(data, dict):
        return len(data["items"])
    # a plain list, or the region tree whose every node counts
    return sum(1 + rows(node.get("children", [])) for node in data)


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(API + url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["u_admin_a", "u_supervisor"])
def test_list_query_counts_do_not_grow_with_rows(w: ApiWorld, client_for, who: str,
                                                 django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    c = client_for(getattr(w, who))
    urls = [u.replace("BODY", f"/bodies/{w.body_a.public_id}") for u in LISTS]
    c.get(API + "/sectors")  # warm the session
    baseline = {url: count_queries(c, url) for url in urls}
    # The absolute numbers stay small: session, user, the user's person and body, count,
    # page and one query per prefetched relation.
    assert max(baseline.values()) <= 12, baseline
    grow(w, 12)
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            response = c.get(API + url)
        # The answer really holds the new rows (a body administrator sees one body only).
        assert rows(response.json()) >= (1 if (who, url) == ("u_admin_a", "/bodies") else 10)
