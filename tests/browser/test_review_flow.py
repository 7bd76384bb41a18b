"""A major penalty decision through legal review in a real Chromium: the decision is refused
until the case has been reviewed; the officer goes from the case to its review page, which says
which rule requires review; the package checklist follows
the handling opinion as it is typed; the package is submitted. The reviewer finds it in the
queue, takes it and gives an "agree" opinion over the nine review points. Back as the officer,
the decision is asked for, and the head approves it: the case is decided."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tests.browser.helpers import log_in, log_out
from tests.browser.test_case_flow import approve, stage_text, take_step
from tests.cases.factories import general_to_notice
from tests.documents.factories import decision_draft
from tests.reviews.factories import evidence, review_agency
from zhifa.cases.procedures import procedure_get
from zhifa.reviews.models import Outcome, RequestState, ReviewRequest
from zhifa.reviews.points import POINT_CODES
from zhifa.reviews.triggers import evaluate, label


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_submission_opinion_approval_decision(live_server, browser_page):
    a = review_agency()
    base = live_server.url
    page = browser_page
    today = timezone.localdate()
    case = general_to_notice(a, received=today - dt.timedelta(days=40), major=True)
    evidence(a, case)
    decision_draft(a, case)
    with translation.override("zh-hans"):
        why = label({"code": "public_interest", "kind": "statutory", "params": {}})
        decided = str(procedure_get("general").stage("decided").label)
        passed = str(RequestState.PASSED.label)
        missing = _("This decision needs legal review (%(why)s): submit it for review "
                    "first.") % {"why": "；".join(evaluate(case, action="decide").labels())}

    # The officer asks for the decision: refused, the case has not been reviewed.
    log_in(page, base, a.u_officer.username)
    page.goto(f"{base}/cases/{case.public_id}/")
    decision = {"acted_on": today.isoformat(), "fine": "5000", "reasons": "证据确凿，依法处罚"}
    take_step(page, "decide", decision, choices={"outcome": "penalty"}, ticks=("kinds=fine",))
    refusal = page.locator('#action-decide .refusal[data-code="legal_review_missing"]')
    assert refusal.locator(".refusal-message").inner_text() == missing
    assert missing.startswith("该决定须经法制审核")
    assert "行政处罚法第五十八条" in refusal.locator(".legal-source").inner_text()
    # ... and goes from the case to its legal review page: required, and why.
    with page.expect_navigation():
        page.locator("#case-review-go").click()
    assert page.locator("#determination .review-required").get_attribute("data-required") == "1"
    assert why in page.locator("#determination .review-reasons").inner_text()
    # the checklist follows the handling opinion as it is typed
    item = page.locator('#package-checklist [data-code="handling_opinion"]')
    assert item.get_attribute("data-ok") == "0"
    page.locator("#submit-form textarea[name=handling_opinion]").fill("建议罚款五千元。")
    page.wait_for_function(
        "document.querySelector('#package-checklist [data-code=\"handling_opinion\"]')"
        ".dataset.ok === '1'")
    assert page.locator("#package-checklist .element-missing").count() == 0
    with page.expect_navigation():
        page.locator('#submit-form button[value="submit"]').click()
    assert page.locator("#state .review-state").get_attribute("data-state") == "submitted"
    log_out(page)

    # The reviewer finds it in the queue, takes it and agrees over the nine points.
    log_in(page, base, a.u_reviewer.username)
    with page.expect_navigation():
        page.locator(f'.main-nav a[href="{reverse("web:review_queue")}"]').click()
    row = page.locator(f'#queue-unassigned tr[data-case="{case.public_id}"]')
    with page.expect_navigation():
        row.locator("a").click()
    with page.expect_navigation():
        page.locator("#take-form button").click()
    form = page.locator("#opinion-form")
    for code in POINT_CODES:
        form.locator(f'input[name="finding_{code}"][value="ok"]').check()
    form.locator('input[name="outcome"][value="agree"]').check()
    form.locator("textarea[name=opinion]").fill("事实清楚，证据充分，同意按拟处理意见作出决定。")
    with page.expect_navigation():
        form.locator('button[value="submit"]').click()
    assert page.locator("#state .review-state").inner_text() == passed
    assert page.locator("#round-1").get_attribute("data-outcome") == "agree"
    assert page.locator("#round-1 .review-opinion-document").count() == 1
    rq = ReviewRequest.objects.get(case=case)
    rnd = rq.rounds.get()
    assert (rq.state, rnd.outcome, rnd.reviewer) == (RequestState.PASSED, Outcome.AGREE,
                                                     a.reviewer)
    log_out(page)

    # Back as the officer: the decision is asked for; the head approves it.
    log_in(page, base, a.u_officer.username)
    page.goto(f"{base}/cases/{case.public_id}/")
    take_step(page, "decide", decision, choices={"outcome": "penalty"}, ticks=("kinds=fine",))
    assert "已提交审批" in page.locator(".messages").inner_text()
    log_out(page)
    log_in(page, base, a.u_head.username)
    approve(page, base, case)
    assert stage_text(page) == decided
    case.refresh_from_db()
    assert (case.stage, case.outcome, case.final_fine) == ("decided", "penalty", 500_000)
