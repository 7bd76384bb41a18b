"""The demo cases: loaded twice for this module through ``zhifa demo load`` (in fresh
databases, the first rolled back) so that both loads can be compared."""

import datetime as dt
import io
import json
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from zhifa.cases.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    Case,
    CaseDeadline,
    CasePause,
    CaseStatus,
    CaseStep,
    DeadlineState,
    Party,
)
from zhifa.cases.procedures import builtin_codes, procedure_get
from zhifa.cases.selectors import visible_cases, workbench_for
from zhifa.catalog.models import PartyType
from zhifa.core.validators import check_credit_code, check_id_number
from zhifa.demo.services import demo_load
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import stream_entries
from zhifa.orgs.models import Person, User
from zhifa.workdays.calendar import is_working_day

TODAY = timezone.localdate()
CASE_DATES = ["received_on", "act_date", "registered_on", "decided_on", "closed_on",
              "review_passed_on", "discussed_on", "notice_served_on", "hearing_requested_on",
              "hearing_on", "hearing_held_on", "decision_served_on", "reminder_served_on",
              "court_applied_on"]
# Dates in step data that are time limits or periods set for the party, not facts.
LIMIT_FIELDS = {"until", "correct_by", "valid_until"}


def _describe() -> list[tuple[Any, ...]]:
    return list(Case.objects.order_by("number").values_list(
        "number", "title", "procedure", "stage", "status", "received_on", "handler__name"))


@pytest.fixture(scope="module")
def loads(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with transaction.atomic():
                demo_load()
                first = _describe()
                transaction.set_rollback(True)
            assert not Case.objects.exists() and not LedgerEntry.objects.exists()
            out = io.StringIO()
            call_command("demo", "load", stdout=out)
            yield first, _describe(), out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(loads, db):  # type: ignore[no-untyped-def]
    return loads


def test_over_two_hundred_demo_cases(demo):
    cases = Case.objects.all()
    assert cases.count() >= 200
    assert not cases.filter(is_demo=False).exists()
    assert set(cases.values_list("body__is_demo", flat=True)) == {True}
    assert f"演示案件 {cases.count()} 个" in demo[2]


def test_every_stage_of_every_builtin_procedure_has_cases(demo):
    found = Counter(Case.objects.values_list("procedure", "stage"))
    for code in builtin_codes():
        proc = procedure_get(code)
        for stage in proc.stages:
            assert found[(code, stage.code)] >= 1, (code, stage.code)
        if code != "generic":
            # every non-terminal stage of the statutory procedures more than once
            assert sum(found[(code, s.code)] for s in proc.stages) >= 14, code


def test_branches_and_outcomes_are_shown(demo):
    cases = Case.objects.all()
    general = cases.filter(procedure="general")
    assert set(general.exclude(outcome="").values_list("outcome", flat=True)) == {
        "penalty", "no_penalty", "transfer"}
    assert general.filter(is_major=True, review_passed_on__isnull=False).exists()
    assert general.filter(discussed_on__isnull=False).exists()
    assert general.filter(hearing_held_on__isnull=False).exists()
    assert general.filter(court_applied_on__isnull=False).exists()
    assert general.filter(reminder_served_on__isnull=False, court_applied_on=None).exists()
    assert general.filter(flags__payment_arrangement="instalments").exists()
    assert general.filter(flags__has_key="limitation_override").exists()
    assert general.filter(flags__party_minor=True).exists()
    assert general.filter(status=CaseStatus.SUSPENDED).exists()
    assert general.filter(parent__procedure="inspection").count() >= 3
    assert general.filter(paid__gt=0).exists()
    steps = Counter(CaseStep.objects.values_list("case__procedure", "action"))
    for key in [("general", "preserve_evidence"), ("general", "decide_preservation"),
                ("general", "resume"), ("general", "waive_defence"),
                ("general", "record_defence"), ("general", "grant_deferral"),
                ("coercive", "start_testing"), ("coercive", "end_testing"),
                ("coercive", "extend_measure"), ("licensing", "request_materials"),
                ("licensing", "materials_supplied"), ("licensing", "extend_decision"),
                ("licensing", "start_pause"), ("licensing", "end_pause"),
                ("licensing", "grant"), ("licensing", "deny"),
                ("licensing", "refuse_acceptance"), ("summary", "record_payment"),
                ("generic", "suspend")]:
        assert steps[key] >= 1, key
    assert set(cases.filter(procedure="inspection").exclude(outcome="").values_list(
        "outcome", flat=True)) == {"no_finding", "order_to_correct", "case_opened"}
    assert cases.filter(procedure="inspection", source_kind="random_draw").count() >= 10
    handled = {f.get("handling") for f in cases.filter(procedure="coercive").values_list(
        "flags", flat=True)}
    assert handled - {None} == {"release", "confiscate", "destroy"}
    assert ApprovalRequest.objects.filter(status=ApprovalStatus.REJECTED).exists()


def test_every_case_has_its_ledger_chain_and_the_ledger_verifies(demo):
    # the case's evidence has its own entries on the case's chain (5000–5999: the body-camera
    # recordings uploaded before each sealing up or impoundment), and so have its documents
    # (6000–6999: drafted, issued, voided, served, form serial used; each document's own
    # entries are checked in test_documents_demo.py), and so has its legal review (7000–7999:
    # determined, submitted, assigned, opinion, contested, discussed, overdue; checked in
    # test_reviews_demo.py), and so has the publication of its issued decision (8000–8999:
    # drafted, withheld, published, withdrawn, ended, expired, alerts; checked in
    # test_demo_publicity.py)
    entries = Counter(LedgerEntry.objects.filter(stream__startswith="case:").exclude(
        event_code__range=(5000, 8999)).values_list("stream", flat=True))
    cases = list(Case.objects.all())
    assert len(entries) == len(cases)
    for case in cases:
        steps = case.steps.count()
        requests = case.approvals.count()
        decisions = ApprovalDecision.objects.filter(request__case=case).count()
        # created, each step, each approval request and decision, officers changed (draws)
        extra = entries[case.stream] - 1 - steps - requests - decisions
        assert extra in (0, 1), case.number
    sample = cases[:: max(1, len(cases) // 12)]
    for case in sample:
        views = stream_entries(stream=case.stream)
        assert views[0].event_name == "case.created"
        assert {v.status for v in views} <= {"verified", "pending"}
        seqs = {v.seq for v in views}
        assert set(case.steps.values_list("ledger_seq", flat=True)) <= seqs
    out = io.StringIO()
    call_command("ledger", "verify", "--json", "--quiet", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is True
    assert report["tree_size"] == LedgerEntry.objects.count()


def test_no_date_lies_in_the_future(demo):
    for field in CASE_DATES:
        latest = Case.objects.exclude(**{f"{field}__isnull": True}).order_by(
            f"-{field}").values_list(field, flat=True).first()
        assert latest is not None and latest <= TODAY, field
    assert not CaseStep.objects.filter(acted_on__gt=TODAY).exists()
    assert not CasePause.objects.filter(first_day__gt=TODAY).exists()
    assert not CasePause.objects.filter(last_day__gt=TODAY).exists()
    assert not CaseDeadline.objects.filter(start__gt=TODAY).exists()
    assert not CaseDeadline.objects.filter(met_on__gt=TODAY).exists()
    for data in CaseStep.objects.values_list("data", flat=True):
        for name, value in data.items():
            if name in LIMIT_FIELDS or not isinstance(value, str) or len(value) != 10:
                continue
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                continue
            assert day <= TODAY, (name, value)
    # the only dates after today are the ends of time limits
    assert CaseDeadline.objects.filter(due__gt=TODAY, state=DeadlineState.RUNNING).exists()


def test_the_demo_follows_the_rules_of_the_legal_review(demo):
    # steps in order: none dated before the case was received or before the previous step
    for case in Case.objects.prefetch_related("steps"):
        dates = [s.acted_on for s in sorted(case.steps.all(), key=lambda s: s.id)]
        assert all(case.received_on <= d for d in dates), case.number
        assert dates == sorted(dates), case.number
    # on-the-spot decisions by at least two certified officers
    decided = Case.objects.filter(procedure="summary").exclude(stage="on_site")
    assert decided.count() >= 20
    for case in decided.prefetch_related("officers"):
        assert case.officers.count() >= 2, case.number
    # an unpaid on-the-spot fine has its payment period
    unpaid = decided.filter(final_fine__gt=0, stage="decided", paid=0)
    assert unpaid.exists()
    assert all(c.deadlines.filter(rule_code="apl_payment_15").exists() for c in unpaid)
    # each extension of a measure adds the days decided, 1 to 30
    extensions = CaseStep.objects.filter(action="extend_measure").select_related("case")
    assert extensions.exists()
    for step in extensions:
        assert 1 <= step.data["days"] <= 30
        d = step.case.deadlines.get(rule_code="acl_seizure_30")
        assert d.extra == step.data["days"], step.case.number
    # the witness signs when the party is absent, and the checklist has nine items
    applied = list(CaseStep.objects.filter(action="apply_measure").values_list("data",
                                                                               flat=True))
    assert any(d["party_absent"] for d in applied) and not all(d["party_absent"] for d in applied)
    assert all(d["witness_signed"] for d in applied if d["party_absent"])
    assert all(len(d["steps"]) == 9 and "witness" not in d["steps"] for d in applied)
    # each sealing up or impoundment states its time on site, which the case's body-camera
    # recording covers (国办发〔2018〕118号)
    from zhifa.evidence.coverage_reports import case_coverage

    for step in CaseStep.objects.filter(action="apply_measure").select_related("case"):
        assert [s.status for s in case_coverage(step.case).steps] == ["covered"], (
            step.case.number)
    # a decision after a hearing follows a legal review passed after it
    heard = Case.objects.filter(procedure="general", hearing_held_on__isnull=False,
                                decided_on__isnull=False)
    assert heard.exists()
    for case in heard:
        assert case.review_passed_on is not None
        assert case.review_passed_on >= case.hearing_held_on, case.number
        assert case.steps.filter(action="record_review_opinion",
                                 acted_on__gte=case.hearing_held_on).exists(), case.number
    # and one case is with the reviewer after its hearing
    assert Case.objects.filter(stage="legal_review", hearing_held_on__isnull=False,
                               flags__review_from="notified").exists()


def test_the_demo_logins_find_work(demo):
    officer = User.objects.get(username="officer")
    bench = workbench_for(officer)
    assert len(bench.mine) >= 20
    assert len(bench.overdue) >= 3
    # in a long holiday no time limit can end this week (they end on working days)
    if any(is_working_day(TODAY + dt.timedelta(days=n)) for n in range(8)):
        assert bench.due_this_week
    assert all(TODAY <= d.due <= TODAY + dt.timedelta(days=7) for d in bench.due_this_week)
    assert all(d.due < TODAY for d in bench.overdue)
    assert bench.approvals  # a decision waiting at the officers' rung of the ladder
    head = workbench_for(User.objects.get(username="head"))
    assert len(head.approvals) >= 8
    assert {a.steps[a.current] for a in head.approvals} == {"head"}
    reviewer = User.objects.get(username="reviewer")
    in_review = visible_cases(reviewer).filter(stage="legal_review")
    assert in_review.count() >= 3
    assert not in_review.filter(officers__person=reviewer.person).exists()
    assert workbench_for(User.objects.get(username="auxiliary")).mine
    supervisor = User.objects.get(username="supervisor")
    seen = visible_cases(supervisor)
    changsha = Case.objects.filter(body__region__path__startswith="/430000/430100/")
    assert seen.count() == changsha.count() >= 100
    assert visible_cases(User.objects.get(username="sysadmin")).count() == Case.objects.count()


def test_steps_are_taken_by_the_right_people(demo):
    for step in CaseStep.objects.filter(action="record_review_opinion").select_related(
            "actor", "case"):
        assert step.actor.roles == ["reviewer"]
        assert not step.case.officers.filter(person_id=step.actor.person_id).exists()
    for step in CaseStep.objects.filter(action="collective_discussion").select_related("actor"):
        assert step.actor.roles == ["head"]
    for decision in ApprovalDecision.objects.select_related("actor", "request__case"):
        assert decision.role in decision.actor.roles
        assert decision.actor.person.body_id == decision.request.case.body_id
        assert decision.actor_id != decision.request.requested_by_id
    # the demo logins act under their own names; the others cannot sign in
    officer = User.objects.get(username="officer")
    assert CaseStep.objects.filter(actor=officer).count() >= 30
    staff = User.objects.exclude(username__in=["officer", "auxiliary", "reviewer", "head",
                                               "bodyadmin", "supervisor", "sysadmin",
                                               "publicity", "fr-urban-publicity"])
    assert staff.count() >= 30
    assert not any(u.has_usable_password() for u in staff)
    assert CaseStep.objects.exclude(actor__in=User.objects.all()).count() == 0


def test_parties_are_fictional_with_valid_identifiers(demo):
    staff_names = set(Person.objects.values_list("name", flat=True))
    parties = list(Party.objects.all())
    # a case opened from an inspection has the inspected party again
    own = [p.name for p in Party.objects.filter(case__parent__isnull=True)]
    assert len(own) == len(set(own))
    for party in parties:
        assert party.name not in staff_names
        if party.id_number:
            assert check_id_number(party.id_number, today=TODAY) == party.id_number
        if party.credit_code:
            assert check_credit_code(party.credit_code) == party.credit_code
            assert party.credit_code[:2] == (
                "91" if party.party_type == PartyType.ORGANISATION else "92")
    assert {p.party_type for p in parties} == set(PartyType.values)


def test_case_numbers_follow_the_dates_cases_were_received(demo):
    # numbered per body, procedure and year; a case opened by an inspection takes its number
    # when the inspection concludes
    groups: dict[tuple[int, str], list[tuple[str, dt.date]]] = {}
    for body, procedure, number, received in Case.objects.filter(
            parent__isnull=True).values_list("body", "procedure", "number", "received_on"):
        groups.setdefault((body, procedure), []).append((number, received))
    assert len(groups) >= 30
    for key, rows in groups.items():
        by_number = [received for _n, received in sorted(rows)]
        assert by_number == sorted(by_number), key


def test_a_second_load_changes_nothing(demo):
    before = (Case.objects.count(), CaseStep.objects.count(), LedgerEntry.objects.count())
    result = demo_load()
    assert result.created is False
    assert (Case.objects.count(), CaseStep.objects.count(),
            LedgerEntry.objects.count()) == before


def test_two_loads_give_the_same_cases(demo):
    first, second, _output = demo
    assert first == second
    assert len(first) == Case.objects.count()
