"""Steps taken through the case page: one POST, one service call. A step that goes through
changes the case and writes one ledger entry; a refused one redraws the page with every
reason (in Chinese, with its legal source), keeps what was typed and changes nothing."""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.cases.factories import (
    Agency,
    act,
    agency,
    general_to_notice,
    open_case,
    person_party,
    registered,
    snapshot,
)
from tests.documents.factories import decision_draft
from zhifa.cases.models import ApprovalRequest, ApprovalStatus, CaseStep, DeadlineState
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def a() -> Agency:
    return agency()


def as_user(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user, backend=BACKEND)
    return client


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def action_url(case, action: str) -> str:  # type: ignore[no-untyped-def]
    return reverse("web:case_action", kwargs={"public_id": case.public_id, "action": action})


def panel(html: str, action: str) -> str:
    """The action's <details> block on the page."""
    start = html.index(f'id="action-{action}"')
    return html[start:html.index("</details>", start)]


def test_step_through_the_form(client, a):
    case = registered(a)
    before = LedgerEntry.objects.filter(stream=case.stream).count()
    response = as_user(client, a.u_officer).post(action_url(case, "start_investigation"),
                                                 {"acted_on": "2026-09-03"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case_detail",
                                           kwargs={"public_id": case.public_id})
    case.refresh_from_db()
    assert case.stage == "investigating"
    entries = list(LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq"))
    assert len(entries) == before + 1
    assert entries[-1].event_code == 4002
    step = CaseStep.objects.get(case=case, action="start_investigation")
    assert step.acted_on == dt.date(2026, 9, 3) and step.ledger_seq == entries[-1].seq
    page = text_of(client.get(response["Location"]).content.decode())
    assert "“开始调查”已办理。" in page
    assert "阶段： 调查取证" in page


def test_every_field_kind_reaches_the_service(client, a):
    case = general_to_notice(a)
    response = as_user(client, a.u_officer).post(action_url(case, "waive_defence"), {
        "acted_on": "2026-09-23", "proof": "当事人书面放弃陈述申辩",
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.defence_waived is True
    decision_draft(a, case)  # the decision is made on its draft document
    response = client.post(action_url(case, "decide"), {
        "acted_on": "2026-09-24", "outcome": "penalty", "kinds": ["fine"], "fine": "4000.50",
        "reasons": "证据确凿", "no_penalty_reason": "",
    })
    assert response.status_code == 302
    request = ApprovalRequest.objects.get(case=case, action="decide")
    assert request.data == {"acted_on": "2026-09-24", "outcome": "penalty", "kinds": ["fine"],
                            "fine": "4000.50", "confiscation": "", "no_penalty_reason": "",
                            "reasons": "证据确凿"}


def test_refused_step_shows_each_guard_with_its_source_and_changes_nothing(client, a):
    case = registered(a, officers=[a.officer, a.auxiliary])
    before = snapshot(case)
    response = as_user(client, a.u_officer).post(action_url(case, "start_investigation"),
                                                 {"acted_on": "2026-09-03"})
    assert response.status_code == 409
    assert snapshot(case) == before
    html = response.content.decode()
    block = panel(html, "start_investigation")
    assert 'id="action-start_investigation" open' in html
    text = text_of(block)
    assert "此步骤未能办理，案件未作任何更改。" in text
    assert ("应当由两名以上在2026-09-03持有对芙蓉区、市场监管有效的执法证的执法人员实施；"
            "符合条件的执法人员1名。") in text
    assert "依据：行政处罚法第四十二条、第五十五条；行政强制法第十八条" in text
    assert "钱多" in text  # who did not count, and why
    assert 'name="acted_on" id="act-start_investigation-acted_on" value="2026-09-03"' in block


def test_several_refusals_are_all_listed_and_values_kept(client, a):
    case = general_to_notice(a)  # notice served 2026-09-22, 5,000 yuan proposed
    decision_draft(a, case)  # its decision document is ready: the other refusals remain
    before = snapshot(case)
    response = as_user(client, a.u_officer).post(action_url(case, "decide"), {
        "acted_on": "2026-09-23", "outcome": "penalty", "kinds": ["fine", "warning"],
        "fine": "9000", "reasons": "拟从重处罚<b>",
    })
    assert response.status_code == 409
    assert snapshot(case) == before
    block = panel(response.content.decode(), "decide")
    codes = re.findall(r'data-code="([a-z_]+)"', block)
    assert sorted(codes) == ["defence_period_running", "penalty_increased", "penalty_kind_added"]
    text = text_of(block)
    assert "依据：行政处罚法第四十五条、第六十二条、第六十四条" in text
    assert "依据：行政处罚法第四十五条" in text
    # what was typed is still there, escaped
    assert 'name="fine" id="act-decide-fine" value="9000"' in block
    assert '<option value="penalty" selected>' in block
    assert 'name="kinds" value="fine" checked' in block
    assert 'name="kinds" value="warning" checked' in block
    assert "拟从重处罚&lt;b&gt;</textarea>" in block


def test_invalid_fields_are_shown_next_to_them(client, a):
    case = registered(a)
    act(a, case, "start_investigation", acted_on=dt.date(2026, 9, 3))
    before = snapshot(case)
    response = as_user(client, a.u_officer).post(action_url(case, "record_investigation"), {
        "acted_on": "2099-01-01", "kind": "nonsense", "summary": "",
    })
    assert response.status_code == 400
    assert snapshot(case) == before
    block = panel(response.content.decode(), "record_investigation")
    errors = dict(re.findall(r'<p class="field-error" id="act-record_investigation-(\w+)-error">'
                             r'([^<]*)</p>', block))
    assert set(errors) == {"acted_on", "kind", "summary"}
    assert all(re.search(r"[\u4e00-\u9fff]", message) for message in errors.values())


def test_late_step_asks_for_the_reason_and_records_it(client, a):
    case = open_case(a, "licensing", received_on=dt.date(2026, 9, 1))
    deadline = case.deadlines.get(rule_code="all_acceptance_5")
    before = snapshot(case)
    client = as_user(client, a.u_officer)
    response = client.post(action_url(case, "accept"), {"acted_on": "2026-09-20"})
    assert response.status_code == 409
    assert snapshot(case) == before
    block = panel(response.content.decode(), "accept")
    assert 'name="_late_reason"' in block
    assert deadline.due.isoformat() in text_of(block)
    response = client.post(action_url(case, "accept"), {"acted_on": "2026-09-20",
                                                         "_late_reason": "申请材料需核实"})
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET and deadline.late_reason == "申请材料需核实"
    page = text_of(client.get(response["Location"]).content.decode())
    assert "逾期办理理由：申请材料需核实" in page


def test_warning_is_shown_after_the_step(client, a):
    minor = person_party(name="少年某", birth="20100315")
    case = registered(a, parties=[minor], act_date=dt.date(2026, 8, 1))
    act(a, case, "start_investigation", acted_on=dt.date(2026, 9, 3))
    act(a, case, "submit_report", acted_on=dt.date(2026, 9, 20), facts="经查属实",
        kinds=["warning"])
    client = as_user(client, a.u_officer)
    response = client.post(action_url(case, "serve_notice"), {
        "acted_on": "2026-09-22", "served_on": "2026-09-22", "method": "direct"}, follow=True)
    page = text_of(response.content.decode())
    assert "少年某" in page and "行政处罚法第三十条" in page
    case.refresh_from_db()
    assert case.stage == "notified"


# --- Approvals ------------------------------------------------------------------------------
def approval_url(case, request, verb: str = "decide") -> str:  # type: ignore[no-untyped-def]
    name = "web:approval_decide" if verb == "decide" else "web:approval_withdraw"
    return reverse(name, kwargs={"public_id": case.public_id, "request_id": request.public_id})


def request_registration(client: Client, a: Agency):  # type: ignore[no-untyped-def]
    case = open_case(a, received_on=dt.date(2026, 9, 1))
    response = as_user(client, a.u_officer).post(action_url(case, "register"), {
        "acted_on": "2026-09-02", "act_date": "2026-08-20", "grounds": "涉嫌销售不合格产品"})
    assert response.status_code == 302 and response["Location"].endswith("#approvals")
    return case, ApprovalRequest.objects.get(case=case)


def test_approval_through_the_page(client, a):
    case, request = request_registration(client, a)
    case.refresh_from_db()
    assert case.stage == "source"
    officer_html = client.get(reverse("web:case_detail", kwargs={"public_id": case.public_id}))
    officer_html = officer_html.content.decode()
    # the requester sees the ladder and may withdraw, not approve
    assert "待审批" in text_of(officer_html) and "撤回申请" in officer_html
    assert approval_url(case, request) not in officer_html
    # the step waits with its request; its form is not offered a second time
    assert 'id="action-register"' not in officer_html and 'id="action-decline"' in officer_html
    head = as_user(client, a.u_head)
    head_html = head.get(reverse("web:case_detail", kwargs={"public_id": case.public_id}))
    assert approval_url(case, request) in head_html.content.decode()
    before = LedgerEntry.objects.filter(stream=case.stream).count()
    response = head.post(approval_url(case, request), {"decision": "approve", "comment": "同意"})
    assert response.status_code == 302
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.stage == "registered" and request.status == ApprovalStatus.APPROVED
    # the decision and the step it performed
    assert LedgerEntry.objects.filter(stream=case.stream).count() == before + 2
    page = text_of(head.get(response["Location"]).content.decode())
    assert "已同意，“立案”已办理。" in page


def test_send_back_needs_a_comment(client, a):
    case, request = request_registration(client, a)
    before = snapshot(case)
    head = as_user(client, a.u_head)
    response = head.post(approval_url(case, request), {"decision": "reject", "comment": " "})
    assert response.status_code == 400
    assert snapshot(case) == before
    html = response.content.decode()
    block = html[html.index(f'id="approval-{request.public_id}"'):]
    assert '<p class="field-error">' in block
    assert "请说明退回理由。" in text_of(block)
    response = head.post(approval_url(case, request), {"decision": "reject",
                                                       "comment": "事实不清"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ApprovalStatus.REJECTED
    case.refresh_from_db()
    assert case.stage == "source"


def test_wrong_role_cannot_decide_and_nothing_changes(client, a):
    case, request = request_registration(client, a)
    before = snapshot(case)
    response = as_user(client, a.u_officer2).post(approval_url(case, request),
                                                  {"decision": "approve"})
    assert response.status_code == 403
    assert snapshot(case) == before
    html = response.content.decode()
    block = html[html.index(f'id="approval-{request.public_id}"'):]
    assert "本级审批应由其他角色办理。" in text_of(block)


def test_withdraw(client, a):
    case, request = request_registration(client, a)
    response = client.post(approval_url(case, request, "withdraw"))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ApprovalStatus.WITHDRAWN
    # the head can no longer decide it
    before = snapshot(case)
    response = as_user(client, a.u_head).post(approval_url(case, request),
                                              {"decision": "approve"})
    assert response.status_code == 409
    assert snapshot(case) == before


def test_bad_decision_value_is_refused(client, a):
    case, request = request_registration(client, a)
    before = snapshot(case)
    response = as_user(client, a.u_head).post(approval_url(case, request),
                                              {"decision": "maybe"})
    assert response.status_code == 400
    assert snapshot(case) == before


# --- Who may post -----------------------------------------------------------------------------
def test_supervisor_and_other_body_cannot_act(client, a):
    case = general_to_notice(a)
    before = snapshot(case)
    data = {"acted_on": "2026-09-23", "proof": "书面放弃"}
    assert as_user(client, a.u_supervisor).post(action_url(case, "waive_defence"),
                                                 data).status_code == 403
    assert as_user(client, a.u_other).post(action_url(case, "waive_defence"),
                                           data).status_code == 404
    assert snapshot(case) == before


def test_officer_not_on_the_case_is_refused(client, a):
    other = f.person(a.body, "周到")
    f.certificate(other, [a.regions["city"]], [a.market])
    user = f.user(other)
    case = general_to_notice(a)
    before = snapshot(case)
    response = as_user(client, user).post(action_url(case, "waive_defence"),
                                          {"acted_on": "2026-09-23", "proof": "书面放弃"})
    assert response.status_code == 403
    assert snapshot(case) == before
    assert "alert-error" in response.content.decode()


def test_unknown_action_and_get_are_refused(client, a):
    case = general_to_notice(a)
    client = as_user(client, a.u_officer)
    assert client.post(action_url(case, "no_such_step"), {}).status_code == 404
    assert client.get(action_url(case, "decide")).status_code == 405
