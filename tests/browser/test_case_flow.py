"""A general-procedure case taken from its registration to the decision in a real Chromium:
the officer opens it and asks for registration, the head approves, the officers investigate,
report and serve the prior notice (dated back, so the defence period is over), ask for the
decision, the head approves; the case then stands at "decided" with every step on its
ledger timeline."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from tests import factories as f
from tests.browser.helpers import log_in, log_out
from tests.cases.factories import agency
from tests.documents.factories import decision_draft
from zhifa.cases.models import Case
from zhifa.cases.procedures import procedure_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole


def take_step(page, action: str, values: dict[str, str], *,  # type: ignore[no-untyped-def]
              choices: dict[str, str] | None = None, ticks: tuple[str, ...] = ()) -> None:
    """Open the step's panel, fill it in and send it; wait for the page it leads to."""
    panel = page.locator(f"#action-{action}")
    panel.locator("summary").click()
    for name, value in values.items():
        panel.locator(f"#act-{action}-{name}").fill(value)
    for name, value in (choices or {}).items():
        panel.locator(f"#act-{action}-{name}").select_option(value)
    for tick in ticks:
        name, value = tick.split("=")
        panel.locator(f'input[name="{name}"][value="{value}"]').check()
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()


def approve(page, base: str, case: Case) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/cases/{case.public_id}/")
    with page.expect_navigation():
        page.locator("#approvals").get_by_role("button", name="同意").click()


def stage_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator(".case-stage strong").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_general_case_from_registration_to_decision(live_server, browser_page):
    a = agency()
    base = live_server.url
    page = browser_page
    today = timezone.localdate()
    received = today - dt.timedelta(days=40)
    day = lambda n: (received + dt.timedelta(days=n)).isoformat()  # noqa: E731

    # The officer opens the case from the workbench.
    log_in(page, base, a.u_officer.username)
    assert page.locator("h2#casework-heading").inner_text() == "我的办案"
    page.get_by_role("link", name="新建案件").click()
    page.wait_for_url(f"{base}/cases/new/")
    assert page.get_by_label("程序类型").input_value() == "general"
    page.get_by_label("案件名称").fill("长沙某某贸易有限公司销售不合格产品案")
    page.get_by_label("接收日期").fill(received.isoformat())
    page.get_by_label("当事人名称").fill("长沙某某贸易有限公司")
    page.get_by_label("统一社会信用代码").fill(f.credit_code("430102"))
    # the officer and a second certified officer are suggested
    assert page.get_by_label("李明（执法证今日有效）").is_checked()
    assert page.get_by_label("张伟（执法证今日有效）").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="建立案件").click()
    case = Case.objects.get()
    assert page.url == f"{base}/cases/{case.public_id}/"
    assert f"案件{case.number}已建立。" in page.locator(".messages").inner_text()
    assert stage_text(page) == "案源登记"

    # Registration goes to the head.
    take_step(page, "register", {"acted_on": day(1), "act_date": day(-10),
                                 "grounds": "群众举报，涉嫌销售不合格产品"})
    assert "已提交审批" in page.locator(".messages").inner_text()
    with translation.override("zh-hans"):
        head_role = str(AccountRole.HEAD.label)
    assert page.locator("#approvals .ladder-current .ladder-role").inner_text() == head_role
    log_out(page)
    log_in(page, base, a.u_head.username)
    assert "待我审批" in page.locator(".case-workbench").inner_text()
    approve(page, base, case)
    assert stage_text(page) == "已立案"
    log_out(page)

    # The officers investigate, report and serve the prior notice.
    log_in(page, base, a.u_officer.username)
    page.goto(f"{base}/cases/{case.public_id}/")
    take_step(page, "start_investigation", {"acted_on": day(2)})
    assert stage_text(page) == "调查取证"
    take_step(page, "submit_report", {"acted_on": day(10), "facts": "经查，当事人销售不合格产品。",
                                      "fine": "3000"}, ticks=("kinds=fine",))
    take_step(page, "serve_notice", {"acted_on": day(12), "served_on": day(12)},
              choices={"method": "direct"})
    assert stage_text(page) == "已事先告知"
    # the decision is made on its draft decision document (drafted through the service;
    # the documents' own pages have their browser test)
    decision_draft(a, case)
    # the statement and hearing periods after the notice are over: the decision may be made
    take_step(page, "decide", {"acted_on": today.isoformat(), "fine": "3000",
                               "reasons": "证据确凿，依法处罚"},
              choices={"outcome": "penalty"}, ticks=("kinds=fine",))
    assert "已提交审批" in page.locator(".messages").inner_text()
    log_out(page)

    log_in(page, base, a.u_head.username)
    approve(page, base, case)
    with translation.override("zh-hans"):
        decided = str(procedure_get("general").stage("decided").label)
    assert stage_text(page) == decided
    assert page.locator('.fc-current').get_attribute("data-stage") == "decided"

    # Every entry of the case's ledger chain is on the timeline, in order.
    entries = LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq")
    timeline = page.locator("#timeline .timeline-entry")
    # created; registration requested, approved, done; investigation; report; notice;
    # decision document drafted; decision requested, approved, done
    assert timeline.count() == entries.count() == 11
    texts = timeline.all_inner_texts()
    for label in ("立案", "开始调查", "提交案件调查终结报告", "送达行政处罚事先告知书", "作出决定"):
        assert any(t.startswith(label) for t in texts), label
    for entry, text in zip(entries, texts, strict=True):
        assert bytes(entry.leaf_hash).hex()[:16] in text
    case.refresh_from_db()
    assert (case.stage, case.final_fine, case.outcome) == ("decided", 300_000, "penalty")
