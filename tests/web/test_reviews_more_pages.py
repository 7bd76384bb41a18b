"""The rest of the legal review pages: extensions (the reviewer asks, a head decides),
contesting an opinion and the heads' collective discussion (refused with the typed rows kept,
then recorded), the queue of the reviewers and heads, the indicators per body, and the
navigation entry."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.reviews.factories import ReviewAgency, ready_for_review, review_agency
from tests.web.test_reviews_pages import agree_points, as_user, state, submitted, text, url
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionState,
    ExtensionState,
    RequestState,
    ReviewExtension,
    ReviewRequest,
)
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.opinions import opinion_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def a() -> ReviewAgency:
    return review_agency()


def in_review(a: ReviewAgency, case: Any) -> ReviewRequest:
    rq = submitted(a, case)
    review_assign(actor=a.u_reviewer, request=rq, reviewer=a.reviewer)
    return rq


def returned(a: ReviewAgency, case: Any) -> ReviewRequest:
    rq = in_review(a, case)
    points = [{"code": c[len("finding_"):], "finding": v, "comment": ""}
              for c, v in agree_points().items()]
    points[2] = {"code": "facts", "finding": "problem", "comment": "证据不足"}
    opinion_submit(actor=a.u_reviewer, request=rq, points=points, outcome="do_not_decide",
                   opinion="不予作出处罚决定。")
    rq.refresh_from_db()
    return rq


# --- Extensions -------------------------------------------------------------------------------
def test_the_reviewer_asks_for_an_extension_and_a_head_approves_it(client, a):
    case = ready_for_review(a)
    rq = in_review(a, case)
    c = as_user(client, a.u_reviewer)
    before = state(case)
    refused = c.post(url("review_extension", case), {"days": "2", "reason": ""})
    assert refused.status_code == 400
    assert state(case) == before
    assert 'name="days"' in refused.content.decode()
    assert re.search(r'name="days" value="2"', refused.content.decode())
    assert c.post(url("review_extension", case),
                  {"days": "3", "reason": "案情复杂，需补充研究"}).status_code == 302
    ext = ReviewExtension.objects.get(round__request=rq)
    assert (ext.days, ext.state) == (3, ExtensionState.PENDING)
    due = rq.rounds.get().due
    head = as_user(client, a.u_head)
    page = head.get(url("review_case", case)).content.decode()
    decide = url("review_extension_decide", case, ext.public_id)
    assert decide in page
    assert head.post(decide, {"decision": "approve"}).status_code == 302
    ext.refresh_from_db()
    rnd = rq.rounds.get()
    assert ext.state == ExtensionState.APPROVED and rnd.extended_days == 3 and rnd.due > due
    assert "案情复杂，需补充研究" in text(head.get(url("review_case", case)))


def test_refusing_an_extension_without_a_comment_is_refused(client, a):
    case = ready_for_review(a)
    rq = in_review(a, case)
    as_user(client, a.u_reviewer).post(url("review_extension", case),
                                       {"days": "3", "reason": "需补充研究"})
    ext = ReviewExtension.objects.get(round__request=rq)
    before = state(case)
    response = as_user(client, a.u_head).post(
        url("review_extension_decide", case, ext.public_id), {"decision": "refuse"})
    assert response.status_code == 400
    assert state(case) == before
    ext.refresh_from_db()
    assert ext.state == ExtensionState.PENDING
    assert 'class="alert alert-error"' in response.content.decode()


# --- Contest and the collective discussion ----------------------------------------------------
def test_the_handler_contests_and_the_heads_discussion_is_recorded(client, a):
    case = ready_for_review(a)
    rq = returned(a, case)
    assert rq.state == RequestState.RETURNED
    officer = as_user(client, a.u_officer)
    page = officer.get(url("review_case", case)).content.decode()
    assert 'id="contest-form"' in page and 'id="submit-form"' in page
    assert officer.post(url("review_contest", case),
                        {"grounds": "证据已足以认定违法事实"}).status_code == 302
    rq.refresh_from_db()
    d = CollectiveDiscussion.objects.get(case=case)
    assert rq.state == RequestState.CONTESTED and d.state == DiscussionState.PENDING

    head = as_user(client, a.u_head)
    target = url("review_discussion", case, d.public_id)
    assert target in head.get(url("review_case", case)).content.decode()
    today = timezone.localdate()
    rows = {"held_on": today.isoformat(), "place": "局三楼会议室",
            "presided_by": str(a.head.public_id), "agenda": "讨论法制审核意见",
            "attendee_0_person": str(a.head.public_id), "attendee_0_position": "proposal",
            "attendee_0_view": "同意承办机构意见",
            "attendee_1_person": str(a.head2.public_id), "attendee_1_position": "proposal",
            "attendee_1_view": "",
            "conclusion": "proposal", "conclusion_text": "按承办机构意见作出处罚决定。"}
    before = state(case)
    refused = head.post(target, rows)
    assert refused.status_code == 400
    assert state(case) == before
    html = refused.content.decode()
    assert "局三楼会议室" in html and "按承办机构意见作出处罚决定。</textarea>" in html
    assert "同意承办机构意见</textarea>" in html
    row = re.search(r'<tr data-row="1">(.*?)</tr>', html, flags=re.S)
    assert row is not None and 'class="field-error"' in row.group(1)
    row0 = re.search(r'<tr data-row="0">(.*?)</tr>', html, flags=re.S)
    assert row0 is not None and 'class="field-error"' not in row0.group(1)
    assert head.post(target, {**rows, "attendee_1_view": "同意"}).status_code == 302
    d.refresh_from_db()
    rq.refresh_from_db()
    assert d.state == DiscussionState.HELD and rq.state == RequestState.DISCUSSED
    assert d.attendees.count() == 2
    page = head.get(url("review_case", case)).content.decode()
    assert 'class="discussion-record-document"' in page
    assert f"#doc-{d.record_document.public_id}" in page
    # decided by the discussion: the handler may still submit a changed decision (round 2)
    again = officer.get(url("review_case", case)).content.decode()
    assert 'id="submit-form"' in again and 'name="changes"' in again
    assert 'id="contest-form"' not in again


def test_an_officer_may_not_record_the_discussion(client, a):
    case = ready_for_review(a)
    returned(a, case)
    officer = as_user(client, a.u_officer)
    officer.post(url("review_contest", case), {"grounds": "有异议"})
    d = CollectiveDiscussion.objects.get(case=case)
    before = state(case)
    response = officer.post(url("review_discussion", case, d.public_id), {
        "held_on": timezone.localdate().isoformat(), "presided_by": str(a.head.public_id),
        "attendee_0_person": str(a.head.public_id), "attendee_0_position": "proposal",
        "attendee_0_view": "同意", "conclusion": "proposal", "conclusion_text": "同意"})
    assert response.status_code == 403
    assert state(case) == before
    assert 'class="discussion-form"' not in officer.get(url("review_case", case)).content.decode()


# --- The queue, the indicators, the navigation ------------------------------------------------
def test_the_queue_lists_unassigned_then_mine(client, a):
    case = ready_for_review(a)
    rq = submitted(a, case)
    c = as_user(client, a.u_reviewer)
    page = c.get(reverse("web:review_queue"))
    assert page.status_code == 200
    html = page.content.decode()
    unassigned = html[html.index('id="queue-unassigned"'):]
    assert f'data-case="{case.public_id}"' in unassigned
    review_assign(actor=a.u_reviewer, request=rq, reviewer=a.reviewer)
    html = c.get(reverse("web:review_queue")).content.decode()
    section = re.search(r'id="queue-(\w+)"[^<]*<h2[^>]*>[^<]*<span[^>]*>\(1\)', html)
    assert section is not None and section.group(1) in ("mine_due_soon", "mine_other")
    assert html.count(f'data-case="{case.public_id}"') == 1


def test_officers_have_no_queue_and_other_bodies_do_not_see_the_case(client, a):
    case = ready_for_review(a)
    submitted(a, case)
    assert as_user(client, a.u_officer).get(reverse("web:review_queue")).status_code == 403
    assert as_user(client, a.u_officer).get(reverse("web:review_kpis")).status_code == 403
    assert as_user(client, a.u_supervisor).get(reverse("web:review_queue")).status_code == 403


def test_the_indicators_per_body(client, a):
    case = ready_for_review(a)
    submitted(a, case)
    page = as_user(client, a.u_head).get(reverse("web:review_kpis"))
    assert page.status_code == 200
    html = page.content.decode()
    row = re.search(rf'<tr data-body="{a.body.public_id}">(.*?)</tr>', html, flags=re.S)
    assert row is not None
    assert re.search(r'data-kpi="open">1<', row.group(1))
    assert f'data-body="{a.other_body.public_id}"' not in html
    # the city's supervisor sees the bodies under the city, not those of the other city
    sup = as_user(client, a.u_supervisor).get(reverse("web:review_kpis")).content.decode()
    assert f'data-body="{a.body.public_id}"' in sup
    assert f'data-body="{a.other_body.public_id}"' not in sup


def test_the_period_of_the_indicators(client, a):
    start, end = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
    page = as_user(client, a.u_head).get(reverse("web:review_kpis"),
                                         {"start": end.isoformat(), "end": start.isoformat()})
    html = page.content.decode()
    assert 'value="2026-01-01"' in html and 'value="2026-06-30"' in html


def test_the_navigation_entry(client, a):
    queue, kpis = reverse("web:review_queue"), reverse("web:review_kpis")
    for user, target in ((a.u_reviewer, queue), (a.u_head, queue), (a.u_supervisor, kpis)):
        html = as_user(client, user).get("/").content.decode()
        assert f'<li><a href="{target}">' in html
    officer = as_user(client, a.u_officer).get("/").content.decode()
    assert f'href="{queue}"' not in officer and f'href="{kpis}"' not in officer
