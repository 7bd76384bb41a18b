"""The case lists run a fixed number of queries however many cases a page holds."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.cases_helpers import API, CaseWorld, case_world, client
from tests.cases.factories import act, company_party, open_case, person_party

pytestmark = pytest.mark.django_db

LISTS = ["/cases", "/cases?overdue=true", "/cases?q=某", "/cases?procedure=general",
         "/deadlines/provisional"]


def grow(w: CaseWorld, n: int) -> None:
    """n more cases of every kind, each general one registered with a provisional deadline
    (2027 has no calendar data) and an overdue one."""
    for i in range(n):
        case = open_case(w.a, received_on=dt.date(2026, 11, 20), title=f"案件{i:02d}",
                         parties=[company_party(f"长沙某某{i:02d}有限公司"),
                                  person_party(f"某{i:02d}")])
        act(w.a, case, "register", acted_on=dt.date(2026, 11, 20),
            act_date=dt.date(2026, 11, 1), grounds="涉嫌违法")
        open_case(w.a, "inspection", received_on=dt.date(2026, 10, 1), title=f"检查某{i:02d}")
        open_case(w.a, "licensing", received_on=dt.date(2026, 11, 2),
                  title=f"许可某{i:02d}")  # acceptance period (5 working days) overdue


def count_queries(c, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(API + url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), len(response.json()["items"])


@pytest.mark.parametrize("who", ["a.u_officer", "a.u_supervisor", "a.u_sysadmin"])
def test_list_query_counts_do_not_grow_with_rows(who: str) -> None:
    w = case_world()
    c = client(getattr(w.a, who.removeprefix("a.")))
    c.get(API + "/procedures")  # warm the session
    urls = [u for u in LISTS if who == "a.u_sysadmin" or "provisional" not in u]
    grow(w, 1)  # every list holds a row: an empty page skips its query
    baseline = {url: count_queries(c, url)[0] for url in urls}
    assert max(baseline.values()) <= 10, baseline
    grow(w, 8)
    for url in urls:
        queries, rows = count_queries(c, url)
        assert queries <= baseline[url], (url, queries, baseline[url])
        assert rows >= 9, (url, rows)
