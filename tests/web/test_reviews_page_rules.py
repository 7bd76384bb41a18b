"""What the legal review page offers, checked against what the services and the gate do:
a review that passed is submitted again after a hearing (the gate asks for it); only a
submission nobody has taken is offered to a reviewer, a head keeps the reassignment; extension
days out of range come back on the form; the reviewers are looked up once, whatever their
number; and a voluntary package still being prepared does not make review "required"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests import factories as f
from tests.cases.factories import act
from tests.reviews.factories import ReviewAgency, ready_for_review, review_agency
from tests.reviews.test_opinions import give
from tests.reviews.test_opinions import submit as submit_assigned
from tests.web.test_reviews_more_pages import in_review
from tests.web.test_reviews_pages import as_user, state, submitted, text, url, zh
from zhifa.catalog.models import PartyType
from zhifa.orgs.models import AccountRole, Person, RoleKind, User
from zhifa.reviews.models import (
    ExtensionState,
    Outcome,
    RequestState,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.opinions import opinion_save

pytestmark = pytest.mark.django_db

D = dt.date
# the opinions below are given today on rounds submitted in the past: after their time limit
LATE = "审核人员公出，逾期出具意见。"


@pytest.fixture
def a() -> ReviewAgency:
    return review_agency()


def qualified_reviewer(a: ReviewAgency, name: str) -> tuple[Person, User]:
    """Another reviewer of the legal review office, with the legal qualification."""
    person = f.person(a.body, name, roles=(RoleKind.REVIEWER,), department=a.office,
                      legal_qualification_number=f"A2019430100{Person.objects.count():04d}",
                      legal_qualification_date=D(2019, 12, 1))
    return person, f.user(person, roles=(AccountRole.REVIEWER,))


def en(message: Any) -> str:
    with translation.override("en"):
        return str(message)


# --- Submitting again after the review passed -------------------------------------------------
def heard_after_passing(a: ReviewAgency) -> tuple[Any, ReviewRequest]:
    """A case whose review passed, then the prior notice was served and a hearing held."""
    f.hearing_threshold(a.regions["province"], PartyType.ORGANISATION, 2_000_000)
    case = ready_for_review(a, fine="30000")
    request = submit_assigned(a, case, on=D(2026, 9, 21))
    give(a, request, on=D(2026, 9, 21), late_reason=LATE)
    act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
        method="direct")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    act(a, case, "schedule_hearing", acted_on=D(2026, 9, 24), hearing_on=D(2026, 10, 12),
        place="第一会议室")
    act(a, case, "hold_hearing", acted_on=D(2026, 10, 12), presiding="赵敏",
        record="当事人到场陈述")
    request.refresh_from_db()
    assert (case.stage, request.state) == ("notified", RequestState.PASSED)
    return case, request


def test_a_hearing_after_the_review_passed_is_submitted_again(client, a):
    case, request = heard_after_passing(a)
    c = as_user(client, a.u_officer)
    page = c.get(url("review_case", case))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="submit-form"' in html and 'name="changes"' in html
    assert 'class="notice notice-warn review-again"' in html
    assert "行政处罚法第五十八条第一款第二项" in text(page)
    # round 2 needs the changes: refused with the typed text kept, nothing written
    before = state(case)
    refused = c.post(url("review_submit", case), {"handling_opinion": "听证后维持罚款三万元。",
                                                  "intent": "submit"})
    assert refused.status_code == 400
    assert state(case) == before
    assert "听证后维持罚款三万元。</textarea>" in refused.content.decode()
    assert re.search(r'data-field="changes">.*?class="field-error"', refused.content.decode(),
                     flags=re.S)
    response = c.post(url("review_submit", case), {
        "handling_opinion": "听证后维持罚款三万元。", "changes": "听证已举行，提交听证笔录复核。",
        "intent": "submit"})
    assert response.status_code == 302
    request.refresh_from_db()
    second = request.rounds.get(number=2)
    assert (request.state, request.current_round) == (RequestState.SUBMITTED, 2)
    assert (second.state, second.changes) == (RoundState.SUBMITTED,
                                              "听证已举行，提交听证笔录复核。")
    assert "hearing_record" in [m["code"] for m in second.materials]
    html = c.get(url("review_case", case)).content.decode()
    assert 'id="round-2"' in html and 'id="submit-form"' not in html


def test_a_passed_review_without_a_later_hearing_offers_resubmission_quietly(client, a):
    case = ready_for_review(a)
    give(a, submit_assigned(a, case), late_reason=LATE)
    html = as_user(client, a.u_officer).get(url("review_case", case)).content.decode()
    assert 'id="submit-form"' in html and 'name="changes"' in html
    assert 'class="notice review-again"' in html
    # the reviewer is not offered the submission
    page = as_user(client, a.u_reviewer).get(url("review_case", case)).content.decode()
    assert 'id="submit-form"' not in page


# --- Who is offered the review ----------------------------------------------------------------
def test_only_a_submission_nobody_took_is_offered_to_a_reviewer(client, a):
    case = ready_for_review(a)
    rq = submitted(a, case)
    other, u_other = qualified_reviewer(a, "周敏")
    assert 'id="take-form"' in as_user(client, u_other).get(url("review_case",
                                                                case)).content.decode()
    # 孙丽 may not review a penalty decision: not offered, told why
    html = as_user(client, a.u_reviewer2).get(url("review_case", case)).content.decode()
    assert 'id="take-form"' not in html and 'class="notice notice-warn review-take-problems"' \
        in html
    review_assign(actor=a.u_head, request=rq, reviewer=a.reviewer)
    c = as_user(client, u_other)
    page = c.get(url("review_case", case)).content.decode()
    assert 'id="take-form"' not in page and 'id="assign-form"' not in page
    # taking it anyway is refused, with the service's message, and nothing changes
    before = state(case)
    refused = c.post(url("review_assign", case), {"intent": "take"})
    assert refused.status_code == 409
    assert state(case) == before
    assert 'class="alert alert-error"' in refused.content.decode()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "This review has already been taken" in text(
        c.post(url("review_assign", case), {"intent": "take"}))
    assert ReviewRound.objects.get(request=rq).reviewer == a.reviewer
    # the head keeps the reassignment, with the assigned reviewer chosen
    head = as_user(client, a.u_head).get(url("review_case", case)).content.decode()
    assert 'id="assign-form"' in head and 'id="take-form"' not in head
    assert re.search(rf'<option value="{a.reviewer.public_id}" selected>', head)
    assert f'<option value="{other.public_id}">' in head
    assert client.post(url("review_assign", case),
                       {"reviewer": str(other.public_id)}).status_code == 302
    assert ReviewRound.objects.get(request=rq).reviewer == other


# --- The reviewer's draft is his until the opinion is given ----------------------------------
def round_heading(html: str) -> str:
    """Round 1's opening tag and heading."""
    match = re.search(r'<article class="review-round" id="round-1".*?</h3>', html, flags=re.S)
    assert match is not None
    return match.group(0)


def test_the_outcome_of_a_draft_opinion_is_shown_to_its_reviewer_only(client, a):
    case = ready_for_review(a)
    rq = submit_assigned(a, case)
    opinion_save(actor=a.u_reviewer, request=rq, outcome=Outcome.DO_NOT_DECIDE,
                 points=[{"code": "facts", "finding": "problem", "comment": "证据不足"}],
                 opinion="拟不予作出处罚决定。")
    label = zh(Outcome.DO_NOT_DECIDE.label)
    for user in (a.u_officer, a.u_head, a.u_supervisor):
        page = as_user(client, user).get(url("review_case", case))
        assert page.status_code == 200
        heading = round_heading(page.content.decode())
        assert 'data-state="submitted" data-outcome="">' in heading
        assert "review-outcome" not in heading
        assert label not in text(page)
    mine = round_heading(as_user(client, a.u_reviewer).get(url("review_case",
                                                                 case)).content.decode())
    assert 'data-outcome="do_not_decide"' in mine
    assert f'<span class="review-outcome">{label}</span>' in mine
    # given: everyone who reads the review sees it
    give(a, rq, Outcome.DO_NOT_DECIDE, late_reason=LATE)
    for user in (a.u_officer, a.u_head, a.u_supervisor, a.u_reviewer):
        heading = round_heading(as_user(client, user).get(url("review_case",
                                                              case)).content.decode())
        assert 'data-state="decided" data-outcome="do_not_decide">' in heading
        assert f'<span class="review-outcome">{label}</span>' in heading


# --- Extension days ---------------------------------------------------------------------------
@pytest.mark.parametrize("days", ["0", "-1", "4", "31", "abc"])
def test_extension_days_out_of_range_come_back_on_the_form(client, a, days):
    case = ready_for_review(a)
    rq = in_review(a, case)
    c = as_user(client, a.u_reviewer)
    before = state(case)
    response = c.post(url("review_extension", case), {"days": days, "reason": "案情复杂"})
    assert response.status_code == 400
    assert state(case) == before
    assert not ReviewExtension.objects.filter(round__request=rq).exists()
    html = response.content.decode()
    assert re.search(rf'<input type="number" name="days" value="{days}"', html) \
        or (days == "abc" and 'name="days"' in html)
    assert "案情复杂</textarea>" in html
    assert re.search(r'data-field="days">.*?class="field-error"', html, flags=re.S)


def test_blank_extension_days_ask_for_the_most_allowed(client, a):
    case = ready_for_review(a)
    rq = in_review(a, case)
    response = as_user(client, a.u_reviewer).post(url("review_extension", case),
                                                  {"days": "", "reason": "案情复杂"})
    assert response.status_code == 302
    ext = ReviewExtension.objects.get(round__request=rq)
    assert (ext.days, ext.state) == (3, ExtensionState.PENDING)


# --- The reviewers are looked up once ---------------------------------------------------------
# the page with the reviewers offered (submit, assign, take): 22 to 23 queries, the same with
# no reviewer besides the agency's and with 20; a refused submission and its page again: 39.
# Looking the reviewers up a second time would cost 5 more.
MAX_QUERIES = 25
MAX_REFUSED = 42


def test_the_page_needs_the_same_queries_whatever_the_number_of_reviewers(
        client, a, django_assert_max_num_queries):
    case = ready_for_review(a)
    officer = as_user(client, a.u_officer)
    officer.get(url("review_case", case))  # warm the per-process caches
    for i in range(10):
        qualified_reviewer(a, f"审核员{i}")
    with django_assert_max_num_queries(MAX_QUERIES):
        page = officer.get(url("review_case", case))
    assert page.content.decode().count('<option value="') >= 11
    # a refused submission draws the page again with the reviewers it read
    before = state(case)
    with django_assert_max_num_queries(MAX_REFUSED):
        refused = officer.post(url("review_submit", case), {"handling_opinion": "",
                                                           "intent": "submit"})
    assert refused.status_code == 400
    assert state(case) == before
    submitted(a, case)
    head = as_user(client, a.u_head)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = head.get(url("review_case", case))
    assert 'id="assign-form"' in page.content.decode()
    reviewer = as_user(client, a.u_reviewer)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = reviewer.get(url("review_case", case))
    assert 'id="take-form"' in page.content.decode()




# --- The determination shown is the gate's ----------------------------------------------------
def test_a_voluntary_package_counts_once_it_is_sent(client, a):
    case = ready_for_review(a, major=False)
    c = as_user(client, a.u_officer)
    assert c.post(url("review_submit", case), {"handling_opinion": "拟罚款五千元。",
                                               "voluntary": "on",
                                               "intent": "draft"}).status_code == 302
    rq = ReviewRequest.objects.get(case=case)
    assert (rq.state, rq.voluntary) == (RequestState.DRAFT, True)
    page = c.get(url("review_case", case)).content.decode()
    assert 'data-required="0"' in page and 'data-required="1"' not in page
    assert '<tr data-kind="voluntary">' not in page
    detail = c.get(reverse("web:case_detail", args=[case.public_id])).content.decode()
    assert 'class="review-summary"><strong>' not in detail
    # sent: the gate waits for it, and the page says so
    assert c.post(url("review_submit", case), {"handling_opinion": "拟罚款五千元。",
                                               "intent": "submit"}).status_code == 302
    page = c.get(url("review_case", case)).content.decode()
    assert 'data-required="1"' in page and '<tr data-kind="voluntary">' in page
    detail = c.get(reverse("web:case_detail", args=[case.public_id])).content.decode()
    assert 'class="review-summary"><strong>' in detail
