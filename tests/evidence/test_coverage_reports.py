"""Coverage reports: per case (each step on the list, its requirement, time on site, the
recordings covering it, the status) and per agency (per body in scope: counts and percentage,
for a date range), in a fixed number of queries; the same through the pages and the API."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests import factories as f
from tests.cases.factories import Agency, act, company_party, registered
from zhifa.cases import hooks
from zhifa.cases.models import Case
from zhifa.cases.services import case_create
from zhifa.evidence import coverage
from zhifa.evidence.coverage_reports import agency_coverage, case_coverage
from zhifa.evidence.services.items import evidence_item_withdraw
from zhifa.evidence.services.matters import ensure_default_matters
from zhifa.orgs.models import User

from .coverage_helpers import D, at, coercive, measure, onsite, recording

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def _coverage_hook() -> Iterator[None]:
    hooks.register("av_recorded", coverage.av_recorded)
    with translation.override("en"):
        yield


@dataclass
class World:
    a: Agency
    covered: Case  # seizure covered in full (2 September)
    partly: Case  # sealing up whose second recording was withdrawn (3 September)
    unrecorded: Case  # seizure taken before the check existed (4 September)
    frozen: Case  # freezing: not on the list
    general: Case  # an inspection recorded that day, a questioning not recorded
    other: Case  # the other body's seizure, covered
    u_other2: User


def world(a: Agency) -> World:
    ensure_default_matters()
    covered = coercive(a)
    recording(a, covered, at("09:20"), at("10:50"))
    act(a, covered, "apply_measure", **measure())

    partly = coercive(a)
    day3 = D(2026, 9, 3)
    recording(a, partly, at("09:30", day3), at("10:00", day3))
    second = recording(a, partly, at("10:00", day3), at("10:40", day3))
    act(a, partly, "apply_measure", **measure(kind="seal", acted_on=day3,
                                              **onsite("09:30", "10:40", day3)))
    evidence_item_withdraw(actor=a.u_officer, item=second.item, reason="与本案无关")

    unrecorded = coercive(a)
    day4 = D(2026, 9, 4)
    hooks.reset("av_recorded")  # as before the evidence app checked recordings
    act(a, unrecorded, "apply_measure", **measure(acted_on=day4,
                                                  **onsite("14:00", "15:00", day4)))
    hooks.register("av_recorded", coverage.av_recorded)

    frozen = coercive(a)
    act(a, frozen, "apply_measure", **measure(kind="freeze", acted_on=day4, onsite_from=None,
                                              onsite_until=None))

    general = registered(a)  # registered on 2 September
    act(a, general, "start_investigation", acted_on=day3)
    recording(a, general, at("15:00", day3), at("15:20", day3))
    act(a, general, "record_investigation", acted_on=day3, kind="inspection",
        summary="现场检查")
    act(a, general, "record_investigation", acted_on=day4, kind="questioning",
        summary="询问当事人")

    # the other body (株洲市): two certified officers of its own
    other2 = f.person(a.other_body, "孙丽")
    f.certificate(other2, [a.regions["other_city"]], [a.market])
    u_other2 = f.user(other2)
    other = case_create(actor=a.u_other, procedure="coercive", title="扣押不合格产品案",
                        sector=a.market, region=a.regions["other_county"],
                        parties=[company_party("株洲某某有限公司")],
                        officers=[a.u_other.person, other2], received_on=D(2026, 9, 1))
    recording(a, other, at("09:00"), at("11:00"), actor=a.u_other)
    case_act_other(a, other)
    return World(a=a, covered=covered, partly=partly, unrecorded=unrecorded, frozen=frozen,
                 general=general, other=other, u_other2=u_other2)


def case_act_other(a: Agency, case: Case) -> None:
    from zhifa.cases.services import approval_decide, case_act

    head = f.person(a.other_body, "钱主任", roles=("head",))
    u_head = f.user(head, roles=("head",))
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in measure().items()}
    request = case_act(actor=a.u_other, case=case, action="apply_measure", data=data).approval
    assert request is not None
    approval_decide(actor=u_head, request=request, approve=True)


@pytest.fixture
def w(a: Agency) -> World:
    return world(a)


def rows(case: Case) -> list[tuple[Any, ...]]:
    return [(s.action, s.acted_on, s.rule.matter, s.rule.requirement, s.interval_text,
             s.status, [r.filename for r in s.covering], s.gap_texts)
            for s in case_coverage(case).steps]


def test_the_case_report_shows_each_step_on_the_list(w: World) -> None:
    assert rows(w.covered) == [
        ("apply_measure", D(2026, 9, 2), "查封、扣押财产", "mandatory", "09:30:00–10:40:00",
         "covered", ["bodycam.mp4"], [])]
    assert rows(w.partly) == [
        ("apply_measure", D(2026, 9, 3), "查封、扣押财产", "mandatory", "09:30:00–10:40:00",
         "partly", ["bodycam.mp4"], ["10:00:00–10:40:00"])]
    assert rows(w.unrecorded) == [
        ("apply_measure", D(2026, 9, 4), "查封、扣押财产", "mandatory", "14:00:00–15:00:00",
         "not_recorded", [], ["14:00:00–15:00:00"])]
    assert rows(w.frozen) == []
    assert rows(w.general) == [
        ("record_investigation", D(2026, 9, 3), "现场检查、勘验", "as_needed", "",
         "recorded_that_day", ["bodycam.mp4"], []),
        ("record_investigation", D(2026, 9, 4), "调查取证", "as_needed", "", "not_required",
         [], [])]
    report = case_coverage(w.partly)
    assert [(r.filename, r.span is not None) for r in report.recordings] == [
        ("bodycam.mp4", True)]  # the withdrawn item's file is not listed


def test_the_case_report_takes_three_queries(w: World) -> None:
    with CaptureQueriesContext(connection) as ctx:
        case_coverage(w.general)
    assert len(ctx) == 3


def counts(report: Any) -> dict[str, tuple[Any, ...]]:
    return {b.body.name: (b.mandatory, b.covered, b.partly, b.not_recorded, b.percent,
                          b.as_needed, b.as_needed_recorded) for b in report.bodies}


def test_the_agency_report_counts_exactly(w: World) -> None:
    a = w.a
    report = agency_coverage(a.u_sysadmin)
    assert counts(report) == {
        "芙蓉区市场监督管理局": (3, 1, 1, 1, 33.3, 2, 1),
        "荷塘区市场监督管理局": (1, 1, 0, 0, 100.0, 0, 0),
        "长沙市司法局": (0, 0, 0, 0, None, 0, 0)}
    total = report.total
    assert (total.mandatory, total.covered, total.percent) == (4, 2, 50.0)
    own = next(b for b in report.bodies if b.body == a.body)
    assert [(s.case_number, s.status, s.gaps) for s in own.shortfalls] == [
        (w.partly.number, "partly", ("10:00:00–10:40:00",)),
        (w.unrecorded.number, "not_recorded", ("14:00:00–15:00:00",))]


def test_the_agency_report_by_date_range(w: World) -> None:
    a = w.a
    only_3 = agency_coverage(a.u_officer, date_from=D(2026, 9, 3), date_to=D(2026, 9, 3))
    assert counts(only_3) == {"芙蓉区市场监督管理局": (1, 0, 1, 0, 0.0, 1, 1)}
    from_4 = agency_coverage(a.u_officer, date_from=D(2026, 9, 4))
    assert counts(from_4) == {"芙蓉区市场监督管理局": (1, 0, 0, 1, 0.0, 1, 0)}
    until_2 = agency_coverage(a.u_officer, date_to=D(2026, 9, 2))
    assert counts(until_2) == {"芙蓉区市场监督管理局": (1, 1, 0, 0, 100.0, 0, 0)}


def test_the_agency_report_is_scoped(w: World) -> None:
    a = w.a
    assert list(counts(agency_coverage(a.u_officer))) == ["芙蓉区市场监督管理局"]
    # the supervisor (长沙市) sees the bodies under its region, not 株洲市's
    assert list(counts(agency_coverage(a.u_supervisor))) == [
        "芙蓉区市场监督管理局", "长沙市司法局"]
    assert list(counts(agency_coverage(a.u_other))) == ["荷塘区市场监督管理局"]
    body_admin = f.user(f.person(a.body, "管理员", roles=()), roles=("body_admin",))
    assert agency_coverage(body_admin).bodies == []  # no access to cases


def test_the_agency_report_takes_a_fixed_number_of_queries(w: World, a: Agency) -> None:
    with CaptureQueriesContext(connection) as small:
        agency_coverage(a.u_sysadmin)
    for _n in range(3):  # more cases, steps and recordings
        case = coercive(a)
        recording(a, case, at("09:00"), at("11:00"))
        act(a, case, "apply_measure", **measure())
    with CaptureQueriesContext(connection) as large:
        report = agency_coverage(a.u_sysadmin)
    assert len(large) == len(small) == 4
    assert counts(report)["芙蓉区市场监督管理局"][:2] == (6, 4)


# --- pages ---------------------------------------------------------------------------------------

def client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_case_page(w: World) -> None:
    a = w.a
    response = client(a.u_officer).get(f"/cases/{w.partly.public_id}/evidence/coverage/",
                                        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="partly"' in html and "10:00:00–10:40:00" in html
    assert "查封、扣押财产" in html
    # the supervisor of the region sees it too; another body's officer does not
    assert client(a.u_supervisor).get(
        f"/cases/{w.partly.public_id}/evidence/coverage/").status_code == 200
    assert client(a.u_other).get(
        f"/cases/{w.partly.public_id}/evidence/coverage/").status_code == 404
    assert Client().get(f"/cases/{w.partly.public_id}/evidence/coverage/").status_code == 302


def test_the_agency_page_and_its_export(w: World) -> None:
    a = w.a
    c = client(a.u_supervisor)
    html = c.get("/evidence/coverage/").content.decode()
    assert f'data-body="{a.body.public_id}"' in html
    assert f'data-body="{a.other_body.public_id}"' not in html
    assert f"/cases/{w.unrecorded.public_id}/evidence/coverage/" in html
    response = c.get("/evidence/coverage/export.csv?date_from=2026-09-03&date_to=2026-09-04")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert lines[1].split(",") == [a.body.name, a.body.credit_code, "2", "0", "1", "1", "0.0",
                                   "2", "1", "2026-09-03", "2026-09-04"]
    # a reversed range is refused on the form and reports without it
    response = c.get("/evidence/coverage/?date_from=2026-09-05&date_to=2026-09-01")
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert client(f.user(f.person(a.body, "管理员", roles=()), roles=("body_admin",))).get(
        "/evidence/coverage/").status_code == 403


def test_the_agency_page_takes_a_fixed_number_of_queries(w: World, a: Agency) -> None:
    c = client(a.u_officer)
    c.get("/evidence/coverage/")  # session and caches warmed
    with CaptureQueriesContext(connection) as small:
        c.get("/evidence/coverage/")
    case = coercive(a)
    recording(a, case, at("09:00"), at("11:00"))
    act(a, case, "apply_measure", **measure())
    with CaptureQueriesContext(connection) as large:
        c.get("/evidence/coverage/")
    assert len(large) == len(small)


# --- API -----------------------------------------------------------------------------------------

def test_the_api_case_report(w: World) -> None:
    a = w.a
    body = client(a.u_officer).get(f"{API}/cases/{w.partly.number}/coverage").json()
    second = body["recordings"]
    assert body["case"] == w.partly.number and body["tolerance_seconds"] == 0
    assert body["steps"] == [{
        "action": "apply_measure", "label": "现场实施强制措施", "acted_on": "2026-09-03",
        "matter": "查封、扣押财产", "requirement": "mandatory",
        "line": body["steps"][0]["line"], "source": "国办发〔2018〕118号；行政强制法第十八条",
        "onsite": {"start": "2026-09-03T09:30:00+08:00", "end": "2026-09-03T10:40:00+08:00"},
        "status": "partly",
        "uncovered": [{"start": "2026-09-03T10:00:00+08:00",
                       "end": "2026-09-03T10:40:00+08:00"}],
        "recordings": [second[0]["file"]]}]
    assert body["steps"][0]["line"] is not None
    assert [(r["filename"], r["counted"], r["ended_at"]) for r in second] == [
        ("bodycam.mp4", True, "2026-09-03T10:00:00+08:00")]
    response = client(a.u_other).get(f"{API}/cases/{w.partly.number}/coverage")
    assert (response.status_code, response.json()["code"]) == (404, "case_not_found")


def test_the_api_agency_report(w: World) -> None:
    a = w.a
    body = client(a.u_supervisor).get(f"{API}/evidence/coverage?date_to=2026-09-03").json()
    assert [(b["body"]["name"], b["mandatory"], b["covered"], b["partly"], b["percent"])
            for b in body["bodies"]] == [
        ("芙蓉区市场监督管理局", 2, 1, 1, 50.0), ("长沙市司法局", 0, 0, 0, None)]
    assert body["total"]["mandatory"] == 2 and body["date_to"] == "2026-09-03"
    assert body["bodies"][0]["shortfalls"] == [{
        "case": str(w.partly.public_id), "case_number": w.partly.number,
        "label": "现场实施强制措施", "acted_on": "2026-09-03", "status": "partly"}]
    response = client(a.u_supervisor).get(
        f"{API}/evidence/coverage?date_from=2026-09-05&date_to=2026-09-01")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_range")
    assert Client().get(f"{API}/evidence/coverage").status_code == 401
