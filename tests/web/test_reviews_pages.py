"""The legal review pages (法制审核) as each role sees them: the case page points to the review
page and draws no form for the review steps; the review page shows exactly which rules require
review, the package checklist follows the typing, the handler submits, the reviewer takes the
review and gives the opinion over the nine points (a draft first); every refused form comes
back as it was typed with the service's message and nothing changes; another body's case is
"not found"."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.cases.factories import snapshot
from tests.reviews.factories import ReviewAgency, major_reported, ready_for_review, review_agency
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews.models import (
    Outcome,
    RequestState,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.points import MATERIALS_BY_CODE, POINT_CODES
from zhifa.reviews.services.assign import review_assign
from zhifa.reviews.services.requests import review_submit
from zhifa.reviews.triggers import STATUTORY, evaluate, label

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def a() -> ReviewAgency:
    return review_agency()


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user, backend=BACKEND)
    return client


def text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def url(name: str, case: Any, *extra: Any) -> str:
    return reverse(f"web:{name}", args=[case.public_id, *extra])


def zh(message: Any) -> str:
    with translation.override("zh-hans"):
        return str(message)


def state(case: Any) -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {**snapshot(case),
            "requests": list(ReviewRequest.objects.order_by("id").values()),
            "rounds": list(ReviewRound.objects.order_by("id").values()),
            "ledger": LedgerEntry.objects.count()}


def agree_points() -> dict[str, str]:
    return {f"finding_{code}": "ok" for code in POINT_CODES}


def submitted(a: ReviewAgency, case: Any) -> ReviewRequest:
    return review_submit(actor=a.u_officer, case=case, handling_opinion="建议罚款五千元。").request


# --- The case page ----------------------------------------------------------------------------
def test_case_page_points_to_the_review_page_and_draws_no_review_step_form(client, a):
    case = ready_for_review(a)
    page = as_user(client, a.u_officer).get(reverse("web:case_detail", args=[case.public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert url("review_case", case) in html
    assert 'id="review"' in html and 'id="case-review-go"' in html
    for step in ("submit_legal_review", "record_review_opinion", "collective_discussion"):
        assert f"/act/{step}/" not in html
    # the stored determination says why
    with translation.override("zh-hans"):
        expected = label({"code": "public_interest", "kind": "statutory", "params": {}})
    assert expected in text(page)


def test_a_review_step_posted_as_a_plain_step_goes_to_the_review_page(client, a):
    case = ready_for_review(a)
    before = state(case)
    response = as_user(client, a.u_officer).post(url("case_action", case, "submit_legal_review"),
                                                 {"acted_on": "2026-09-22"})
    assert response.status_code == 302
    assert response["Location"] == url("review_case", case)
    assert state(case) == before


# --- The determination and the package --------------------------------------------------------
def test_the_review_page_shows_exactly_which_rules_require_review(client, a):
    case = ready_for_review(a, several_relations=True)
    page = as_user(client, a.u_officer).get(url("review_case", case))
    assert page.status_code == 200
    body = text(page)
    html = page.content.decode()
    det = evaluate(case)
    assert [r["code"] for r in det.reasons] == ["public_interest", "several_relations"]
    with translation.override("zh-hans"):
        labels = [label(r) for r in det.reasons]
    for lab in labels:
        assert lab in body
    assert STATUTORY["public_interest"][1] in body
    assert STATUTORY["several_relations"][1] in body
    assert html.count('<tr data-kind="statutory">') == 2
    assert 'data-required="1"' in html
    # a case required by a rule is not offered the voluntary checkbox
    assert 'name="voluntary"' not in html
    assert "id=\"submit-form\"" in html


def test_a_case_no_rule_requires_can_be_sent_voluntarily(client, a):
    case = major_reported(a, major=False)
    page = as_user(client, a.u_officer).get(url("review_case", case))
    html = page.content.decode()
    assert 'data-required="0"' in html and 'name="voluntary"' in html


def test_the_package_checklist_follows_the_handling_opinion(client, a):
    case = ready_for_review(a)
    c = as_user(client, a.u_officer)
    empty = c.post(url("review_package", case), {"handling_opinion": ""},
                   HTTP_HX_REQUEST="true").content.decode()
    assert '<li class="element element-missing" data-code="handling_opinion" data-ok="0">' \
        in empty
    assert 'data-code="evidence_list" data-ok="1"' in empty
    typed = c.post(url("review_package", case), {"handling_opinion": "建议罚款。"},
                   HTTP_HX_REQUEST="true").content.decode()
    assert 'data-code="handling_opinion" data-ok="1"' in typed
    assert "package-complete" in typed


# --- Submitting -------------------------------------------------------------------------------
def test_an_incomplete_package_is_refused_with_the_typed_text_kept(client, a):
    case = major_reported(a)  # no evidence, no draft decision
    before = state(case)
    response = as_user(client, a.u_officer).post(
        url("review_submit", case), {"handling_opinion": "建议罚款五千元，请审核。",
                                     "intent": "submit"})
    assert response.status_code == 400
    assert state(case) == before
    html = response.content.decode()
    assert "建议罚款五千元，请审核。</textarea>" in html
    assert 'class="alert alert-error"' in html
    missing = [zh(MATERIALS_BY_CODE[c].label) for c in ("draft_decision", "evidence_list")]
    for m in missing:
        assert m in text(response)


def test_the_officer_submits_and_the_page_shows_the_round(client, a):
    case = ready_for_review(a)
    c = as_user(client, a.u_officer)
    response = c.post(url("review_submit", case), {"handling_opinion": "建议罚款五千元。",
                                                   "intent": "submit"})
    assert response.status_code == 302
    rq = ReviewRequest.objects.get(case=case)
    rnd = rq.rounds.get()
    assert (rq.state, rnd.number, rnd.state) == (RequestState.SUBMITTED, 1, RoundState.SUBMITTED)
    assert rnd.handling_opinion == "建议罚款五千元。"
    page = c.get(url("review_case", case))
    html = page.content.decode()
    assert 'data-state="submitted"' in html and 'id="round-1"' in html
    assert rnd.due.isoformat() in text(page)
    assert 'id="submit-form"' not in html  # under review: nothing to submit


def test_the_package_is_saved_as_a_draft(client, a):
    case = ready_for_review(a)
    c = as_user(client, a.u_officer)
    response = c.post(url("review_submit", case), {"handling_opinion": "草拟中的意见",
                                                   "intent": "draft"})
    assert response.status_code == 302
    rnd = ReviewRound.objects.get(request__case=case)
    assert (rnd.state, rnd.handling_opinion) == (RoundState.DRAFT, "草拟中的意见")
    assert "草拟中的意见</textarea>" in c.get(url("review_case", case)).content.decode()


# --- Assigning and the opinion ----------------------------------------------------------------
def test_the_reviewer_takes_the_review(client, a):
    case = ready_for_review(a)
    submitted(a, case)
    c = as_user(client, a.u_reviewer)
    assert 'id="take-form"' in c.get(url("review_case", case)).content.decode()
    response = c.post(url("review_assign", case), {"intent": "take"})
    assert response.status_code == 302
    rq = ReviewRequest.objects.get(case=case)
    assert rq.state == RequestState.IN_REVIEW
    assert rq.rounds.get().reviewer == a.reviewer
    html = c.get(url("review_case", case)).content.decode()
    assert 'id="opinion-form"' in html and 'id="take-form"' not in html


def test_a_head_assigns_and_an_ineligible_reviewer_is_refused(client, a):
    case = ready_for_review(a)
    submitted(a, case)
    c = as_user(client, a.u_head)
    page = c.get(url("review_case", case)).content.decode()
    assert 'id="assign-form"' in page
    assert f'value="{a.reviewer.public_id}"' in page
    # 孙丽 has never reviewed a penalty decision and has no legal qualification: not offered,
    # and refused when sent anyway
    assert f'value="{a.reviewer2.public_id}"' not in page
    before = state(case)
    response = c.post(url("review_assign", case), {"reviewer": str(a.reviewer2.public_id)})
    assert response.status_code == 400
    assert state(case) == before
    assert 'class="alert alert-error"' in response.content.decode()
    assert c.post(url("review_assign", case),
                  {"reviewer": str(a.reviewer.public_id)}).status_code == 302
    assert ReviewRound.objects.get(request__case=case).reviewer == a.reviewer


def test_a_contradictory_opinion_is_refused_with_every_typed_value_kept(client, a):
    case = ready_for_review(a)
    rq = submitted(a, case)
    review_assign(actor=a.u_reviewer, request=rq, reviewer=a.reviewer)
    c = as_user(client, a.u_reviewer)
    before = state(case)
    data = {**agree_points(), "finding_facts": "problem", "comment_facts": "证据不足以证明销售数量",
            "outcome": "agree", "opinion": "同意", "intent": "submit"}
    response = c.post(url("review_opinion", case), data)
    assert response.status_code == 400
    assert state(case) == before
    html = response.content.decode()
    assert "证据不足以证明销售数量</textarea>" in html
    assert re.search(r'<input type="radio" name="finding_facts" value="problem"[^>]*checked', html)
    assert re.search(r'<input type="radio" name="outcome" value="agree"[^>]*checked', html)
    # the service's own message (in English with the language cookie)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = text(c.post(url("review_opinion", case), data))
    assert "An opinion that agrees cannot find a problem on a review point" in body
    assert state(case) == before


def test_a_draft_opinion_is_kept_and_the_opinion_is_given(client, a):
    case = ready_for_review(a)
    rq = submitted(a, case)
    review_assign(actor=a.u_reviewer, request=rq, reviewer=a.reviewer)
    c = as_user(client, a.u_reviewer)
    draft = {"finding_body": "ok", "comment_body": "主体合法", "opinion": "初步意见",
             "intent": "draft"}
    assert c.post(url("review_opinion", case), draft).status_code == 302
    rnd = ReviewRound.objects.get(request=rq)
    assert rnd.points == [{"code": "body", "finding": "ok", "comment": "主体合法"}]
    assert rnd.state == RoundState.SUBMITTED
    html = c.get(url("review_case", case)).content.decode()
    assert "初步意见</textarea>" in html and "主体合法</textarea>" in html
    given = {**agree_points(), "outcome": "agree", "opinion": "同意按拟处理意见作出决定。",
             "intent": "submit"}
    response = c.post(url("review_opinion", case), given)
    assert response.status_code == 302
    rq.refresh_from_db()
    rnd.refresh_from_db()
    assert (rq.state, rnd.state, rnd.outcome) == (RequestState.PASSED, RoundState.DECIDED,
                                                  Outcome.AGREE)
    page = c.get(url("review_case", case))
    html = page.content.decode()
    assert 'class="review-opinion-document"' in html
    assert f"#doc-{rnd.opinion_document.public_id}" in html
    assert html.count('data-finding="ok"') == 9
    assert 'id="opinion-form"' not in html


def test_only_the_assignee_is_offered_the_opinion_form(client, a):
    case = ready_for_review(a)
    rq = submitted(a, case)
    review_assign(actor=a.u_reviewer, request=rq, reviewer=a.reviewer)
    html = as_user(client, a.u_head).get(url("review_case", case)).content.decode()
    assert 'id="opinion-form"' not in html
    before = state(case)
    response = client.post(url("review_opinion", case),
                           {**agree_points(), "outcome": "agree", "opinion": "同意",
                            "intent": "submit"})
    assert response.status_code == 403
    assert state(case) == before


# --- Scope ------------------------------------------------------------------------------------
def test_another_bodys_case_is_not_found(client, a):
    case = ready_for_review(a)
    submitted(a, case)
    c = as_user(client, a.u_other)
    before = state(case)
    assert c.get(url("review_case", case)).status_code == 404
    assert c.post(url("review_submit", case), {"handling_opinion": "x"}).status_code == 404
    assert c.post(url("review_assign", case), {"intent": "take"}).status_code == 404
    assert c.post(url("review_package", case), {"handling_opinion": "x"}).status_code == 404
    assert state(case) == before


def test_a_supervisor_reads_the_review_but_is_offered_no_form(client, a):
    case = ready_for_review(a)
    submitted(a, case)
    page = as_user(client, a.u_supervisor).get(url("review_case", case))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="round-1"' in html
    assert "<form method=\"post\" action=\"/cases/" not in html
