"""A penalty decision from its draft to its service in a real Chromium: the officer drafts it
from the case's documents tab and watches the element checklist follow the typing (the three
reasons ✗ until written); the decision is made (through the services); issuing is refused in
Chinese while a reason is missing, then the decision is issued, numbered and downloaded as a
PDF; its direct service is recorded with the form that shows only that method's fields."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from tests.browser.helpers import log_in
from tests.cases.factories import act, agency, general_to_notice
from tests.documents.factories import complete_fields
from zhifa.documents.doctypes import REASONS_ELEMENT
from zhifa.documents.models import Document, ServiceRecord

SLOW = 120_000  # rendering DOCX and PDF on a busy machine


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_draft_issue_download_and_serve_a_penalty_decision(live_server, browser_page):
    a = agency()
    base = live_server.url
    page = browser_page
    page.set_default_timeout(30_000)
    today = timezone.localdate()
    case = general_to_notice(a, received=today - dt.timedelta(days=40))
    values = complete_fields("penalty_decision")
    reasons = ("证据采信理由", "依据选择理由", "裁量理由")

    # The officer opens the documents tab from the case and starts the decision's draft.
    log_in(page, base, a.u_officer.username)
    page.goto(f"{base}/cases/{case.public_id}/")
    with page.expect_navigation():
        page.locator("#case-documents-link").click()
    assert page.locator("#type-penalty_decision h3").inner_text() == "行政处罚决定书"
    with page.expect_navigation():
        page.locator("#type-penalty_decision .doc-new").click()
    # prefilled from the case: the facts of the report; the reasons come first and are empty
    assert page.locator('[name="违法事实"]').input_value() == "经查，当事人销售不合格产品。"
    assert page.locator("#doc-reasons textarea").count() == 3
    with translation.override("zh-hans"):
        reasons_label = str(REASONS_ELEMENT.label)
    assert "✗" in page.locator("#element-checklist").inner_text()

    # Typing the other values: the checklist follows; only the reasons stay missing.
    for name, value in values.items():
        if name not in reasons:
            page.locator(f'[name="{name}"]').fill(value)
    page.wait_for_function(
        "document.querySelectorAll('#element-checklist .element-missing').length === 1")
    still = page.locator("#element-checklist .element-missing").inner_text()
    assert "✗" in still and reasons_label in still
    for name in reasons:
        page.locator(f'[name="{name}"]').fill(values[name])
    page.wait_for_function(
        "document.querySelectorAll('#element-checklist .element-missing').length === 0")
    assert page.locator("#element-checklist .element-ok").count() == 7
    with page.expect_navigation():
        page.locator("#draft-form button[type=submit]").click()
    doc = Document.objects.get(case=case)
    block = page.locator(f"#doc-{doc.public_id}")
    assert block.get_attribute("data-state") == "draft"
    assert "✓" in block.locator(".doc-complete").inner_text()

    # The decision is made (the draft with its reasons lets the step through).
    act(a, case, "decide", acted_on=today, outcome="penalty", kinds=["fine"], fine="5000",
        reasons="证据确凿，依法处罚")
    assert case.stage == "decided"

    # The decision was made on this text: it is locked. Taking a reason out is refused,
    # in Chinese, the typed text stays in the form and nothing changes.
    before = dict(doc.fields)
    page.goto(f"{base}/cases/{case.public_id}/documents/{doc.public_id}/edit/")
    page.locator('[name="裁量理由"]').fill("")
    with page.expect_navigation():
        page.locator("#draft-form button[type=submit]").click()
    alert = page.locator("#draft-form .alert-error, .alert-error").first.inner_text()
    assert "已依据该行政处罚决定书文本作出决定，不能再修改" in alert
    assert page.locator('[name="裁量理由"]').input_value() == ""
    doc.refresh_from_db()
    assert doc.fields == before and doc.state == "draft" and not doc.number

    # The decision is issued on the approved text: numbered, with its verification code.
    page.goto(f"{base}/cases/{case.public_id}/documents/")
    block.locator(".doc-issue summary").click()
    block.locator('input[name="confirm"]').check()
    with page.expect_navigation(timeout=SLOW):
        block.locator(".doc-issue button[type=submit]").click()
    doc.refresh_from_db()
    assert doc.state == "issued" and doc.number == f"芙蓉市监罚〔{today.year}〕1号"
    assert doc.number in page.locator(".messages").inner_text()
    assert block.locator(".doc-number").inner_text() == doc.number
    assert block.get_attribute("data-state") == "issued"

    # The PDF as issued downloads.
    with page.expect_download(timeout=SLOW) as info:
        block.locator("a[href$='download.pdf']").click()
    with open(info.value.path(), "rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF") and len(data) == doc.pdf.size

    # Direct service: the form shows only the fields of the chosen method.
    block.locator(".doc-service-form summary").click()
    form = block.locator("form[data-service-form]")
    form.locator('select[name="method"]').select_option("mail")
    assert form.locator('[data-field="tracking_number"]').is_visible()
    form.locator('select[name="method"]').select_option("direct")
    assert form.locator('[data-field="tracking_number"]').is_hidden()
    assert form.locator('[data-field="witness"]').is_hidden()
    form.locator('[name="recipient"]').fill("陈某")
    form.locator('[name="recipient_relation"]').fill("法定代表人")
    form.locator('[name="served_on"]').fill(today.isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    record = ServiceRecord.objects.get(document=doc)
    assert (record.method, record.recipient, record.served_on) == ("direct", "陈某", today)
    row = page.locator(f"#doc-{doc.public_id} .doc-service")
    assert "陈某（法定代表人）" in row.inner_text() and today.isoformat() in row.inner_text()
