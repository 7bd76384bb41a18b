"""The case list and the workbench cost the same number of queries however many cases,
time limits and approval requests there are."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.factories import Agency, act, agency, open_case, person_party
from zhifa.cases.services import case_act

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def a() -> Agency:
    return agency()


def grow(a: Agency, n: int) -> None:
    """``n`` more cases: registered ones (running time limits, one overdue each), and as many
    registration requests waiting for the head."""
    for i in range(n):
        case = open_case(a, received_on=dt.date(2026, 9, 1), title=f"案件{i}",
                         parties=[person_party(name=f"当事人{i}")])
        act(a, case, "register", acted_on=dt.date(2026, 9, 2), act_date=dt.date(2026, 8, 20),
            grounds="涉嫌违法")
        act(a, case, "start_investigation", acted_on=dt.date(2026, 9, 3))
        act(a, case, "preserve_evidence", acted_on=dt.date(2026, 9, 4), items="样品")
        waiting = open_case(a, received_on=dt.date(2026, 9, 1), title=f"待立案{i}")
        case_act(actor=a.u_officer, case=waiting, action="register",
                 data={"acted_on": "2026-09-02", "act_date": "2026-08-20", "grounds": "涉嫌"})


@pytest.mark.parametrize(("account", "path", "rows"), [
    ("u_officer", "/cases/", 16),
    ("u_officer", "/cases/?overdue=yes&procedure=general", 8),
    ("u_officer", "/cases/?q=当事人", 8),
    ("u_supervisor", "/cases/", 16),
    ("u_officer", "/", None),
    ("u_head", "/", None),
    ("u_sysadmin", "/", None),
])
def test_queries_do_not_grow(client, a, account, path, rows, django_assert_num_queries):
    client.force_login(getattr(a, account), backend=BACKEND)
    grow(a, 2)
    with CaptureQueriesContext(connection) as small:
        response = client.get(path)
        assert response.status_code == 200
    grow(a, 6)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(path)
        assert response.status_code == 200
    if rows is not None:
        assert len(response.context["rows"]) == rows
    else:
        bench = response.context["casework"]
        mine = 16 if account == "u_officer" else 0
        assert len(bench.mine) == mine
        # every registered case has its preservation period overdue
        assert len({d.case_id for d in bench.overdue}) == (8 if account == "u_officer" else 0)
        assert len(bench.approvals) == (8 if account == "u_head" else 0)
