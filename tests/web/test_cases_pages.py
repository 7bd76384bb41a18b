"""The case pages as each role sees them: the workbench panels, the list, a case, the
procedures; scoping (another body's case is "not found"), ID masking and escaping."""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import Agency, agency, general_to_notice, open_case, person_party
from zhifa.cases.models import CaseDeadline, DeadlineState
from zhifa.cases.procedures import procedure_get
from zhifa.catalog.models import PenaltyKind
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def a() -> Agency:
    return agency()


def as_user(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user, backend=BACKEND)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's visible text, tags dropped and whitespace folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def detail_url(case) -> str:  # type: ignore[no-untyped-def]
    return reverse("web:case_detail", kwargs={"public_id": case.public_id})


@pytest.mark.parametrize("role", ["u_officer", "u_head", "u_reviewer", "u_supervisor",
                                  "u_sysadmin"])
def test_case_page_renders_for_each_role(client, a, role):
    case = general_to_notice(a)
    response = as_user(client, getattr(a, role)).get(detail_url(case))
    assert response.status_code == 200
    page = text(response)
    assert case.number in page and "销售不合格产品案" in page
    assert "阶段： 已事先告知" in page  # the label, then the stage in bold
    assert "长沙某某贸易有限公司" in page
    assert "李明" in page and "张伟" in page
    html = response.content.decode()
    assert 'class="fc-stage fc-current" data-stage="notified"' in html
    # every entry of the case's chain is on the timeline, oldest first
    entries = LedgerEntry.objects.filter(stream=case.stream).order_by("stream_seq")
    # created, registration requested and approved, registered, investigation, report, notice
    assert html.count('class="timeline-entry') == entries.count() == 7
    positions = [html.index(bytes(e.leaf_hash).hex()[:16]) for e in entries]
    assert positions == sorted(positions)
    # each entry links to its inclusion proof
    assert [f'/api/v1/ledger/proofs/inclusion?seq={e.seq}"' in html for e in entries] == [
        True] * 7


def test_actions_shown_only_to_those_who_may_take_them(client, a):
    case = general_to_notice(a)
    officer = text(as_user(client, a.u_officer).get(detail_url(case)))
    assert "下一步" in officer
    for label in ("登记陈述、申辩", "作出决定", "登记当事人放弃陈述、申辩和听证权利"):
        assert label in officer
    # the supervisor watches; the other body's officer does not even see the case
    supervisor = text(as_user(client, a.u_supervisor).get(detail_url(case)))
    assert "下一步" not in supervisor and "作出决定" not in supervisor
    assert as_user(client, a.u_other).get(detail_url(case)).status_code == 404


def test_action_form_shows_fields_source_and_needs(client, a):
    case = general_to_notice(a)
    html = as_user(client, a.u_officer).get(detail_url(case)).content.decode()
    form = html[html.index('id="action-decide"'):]
    form = form[:form.index("</details>")]
    assert "依据：行政处罚法第五十七条、第五十九条" in text_of(form)
    assert "行政处罚决定书" in form  # the document the decision needs
    today = timezone.localdate().isoformat()
    assert f'<input type="date" name="acted_on" id="act-decide-acted_on" value="{today}">' in form
    assert '<span class="unit">元</span>' in form  # money in yuan
    assert form.count('type="checkbox" name="kinds"') == len(PenaltyKind)
    assert '<select name="outcome"' in form
    assert '<textarea name="reasons"' in form
    assert "需审批" in form and "提交审批" in form


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_checklist_lists_every_item(client, a):
    case = open_case(a, "coercive", received_on=dt.date(2026, 9, 1))
    html = as_user(client, a.u_officer).get(detail_url(case)).content.decode()
    form = html[html.index('id="action-apply_measure"'):]
    form = form[:form.index("</details>")]
    # ACL art. 18 (1)–(8) and (10); item (9), the witness, has its own two fields
    assert form.count('type="checkbox" name="steps"') == 9
    assert 'value="witness"' not in form
    assert form.count('type="checkbox" name="party_absent"') == 1
    assert form.count('type="checkbox" name="witness_signed"') == 1
    assert "每项都必须完成并勾选" in form
    assert "现场笔录" in form and "全程音像记录" in text_of(form)
    assert "见证人到场并在现场笔录上签名或者盖章（行政强制法第十八条第九项）" in text_of(form)


def test_deadlines_in_working_days_overdue_and_provisional(client, a, monkeypatch):
    case = general_to_notice(a)
    today = dt.date.today()
    statement = case.deadlines.get(rule_code="apl_statement_3")
    decision = case.deadlines.get(rule_code="apl_decision_90")
    # a period reaching a year without holiday data
    CaseDeadline.objects.filter(pk=decision.pk).update(due=dt.date(2099, 1, 5),
                                                       provisional=True)
    html = as_user(client, a.u_officer).get(detail_url(case)).content.decode()
    page = text_of(html)
    # the party's statement period has ended: not the agency's delay
    assert statement.due < today
    assert "deadline-overdue" not in html and "当事人期限已届满" in page
    # an agency time limit that has passed is overdue
    CaseDeadline.objects.filter(pk=decision.pk).update(due=dt.date(2026, 10, 9),
                                                       provisional=False)
    overdue = as_user(client, a.u_officer).get(detail_url(case)).content.decode()
    assert "deadline-overdue" in overdue and "已逾期" in text_of(overdue)
    CaseDeadline.objects.filter(pk=decision.pk).update(due=dt.date(2099, 1, 5),
                                                       provisional=True)
    html = as_user(client, a.u_officer).get(detail_url(case)).content.decode()
    page = text_of(html)
    assert 'class="badge badge-provisional" title="' in html
    assert "临时计算" in page
    from zhifa.workdays.calendar import working_days_between

    left = working_days_between(today, dt.date(2099, 1, 5))
    assert f"剩余 {left} 个工作日" in page


def test_ids_masked_unless_allowed(client, a):
    party = person_party()
    case = open_case(a, received_on=dt.date(2026, 9, 1), parties=[party])
    full = case.parties.get().id_number
    masked = full[:6] + "********" + full[-4:]
    # the case's own officers draft its documents: full number
    officer = as_user(client, a.u_officer).get(detail_url(case)).content.decode()
    assert full in officer
    # a colleague not on the case and a supervisor see it masked
    for other in (a.u_auxiliary, a.u_supervisor):
        page = as_user(client, other).get(detail_url(case)).content.decode()
        assert masked in page and full not in page
    sysadmin = as_user(client, a.u_sysadmin).get(detail_url(case)).content.decode()
    assert full in sysadmin


def test_user_input_is_escaped(client, a):
    evil = '<script>alert("x")</script>'
    case = open_case(a, received_on=dt.date(2026, 9, 1), title=f"案{evil}",
                     parties=[person_party(name=f"陈{evil}")])
    for url in (detail_url(case), "/cases/", "/"):
        html = as_user(client, a.u_officer).get(url).content.decode()
        assert evil not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html, url


def test_demo_case_is_marked(client, a):
    case = open_case(a, received_on=dt.date(2026, 9, 1), is_demo=True)
    page = text(as_user(client, a.u_officer).get(detail_url(case)))
    assert "演示" in page


def test_case_list_search_and_filters(client, a):
    first = general_to_notice(a)
    second = open_case(a, "inspection", received_on=dt.date(2026, 10, 8), title="日常检查",
                       parties=[person_party(name="王某某")])
    client = as_user(client, a.u_officer)

    def numbers(**query: str) -> list[str]:
        return [c.number for c in client.get("/cases/", query).context["rows"]]

    assert numbers() == [second.number, first.number]
    assert numbers(q="王某某") == [second.number]
    assert numbers(q=first.number) == [first.number]
    assert numbers(q="不合格") == [first.number]
    assert numbers(procedure="inspection") == [second.number]
    assert numbers(stage="general.notified") == [first.number]
    assert numbers(stage="general.registered") == []
    assert numbers(status="open") == [second.number, first.number]
    assert numbers(status="closed") == []
    # the party's statement period after the notice has passed: not the agency's delay
    assert numbers(overdue="yes") == []
    CaseDeadline.objects.filter(case=first, rule_code="apl_decision_90").update(
        due=dt.date(2026, 10, 9))
    assert numbers(overdue="yes") == [first.number]
    assert numbers(overdue="no") == [second.number]
    # the HTMX request gets the results only
    fragment = client.get("/cases/", {"q": "王某某"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="results").content.decode()
    assert "<form" not in fragment and second.number in fragment


def test_case_list_is_scoped(client, a):
    mine = open_case(a, received_on=dt.date(2026, 9, 1))
    rows = list(as_user(client, a.u_other).get("/cases/").context["rows"])
    assert rows == []
    assert [c.number for c in as_user(client, a.u_supervisor).get("/cases/")
            .context["rows"]] == [mine.number]


def test_other_bodys_case_is_not_found_and_unchanged(client, a):
    case = general_to_notice(a)
    before = LedgerEntry.objects.count()
    stage = case.stage
    client = as_user(client, a.u_other)
    assert client.get(detail_url(case)).status_code == 404
    url = reverse("web:case_action", kwargs={"public_id": case.public_id,
                                             "action": "waive_defence"})
    assert client.post(url, {"acted_on": "2026-09-25", "proof": "书面放弃"}).status_code == 404
    case.refresh_from_db()
    assert case.stage == stage and not case.defence_waived
    assert LedgerEntry.objects.count() == before


def test_anonymous_goes_to_login(client, a):
    case = general_to_notice(a)
    for url in ("/cases/", detail_url(case), "/cases/new/", "/procedures/general/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_body_admin_without_case_permission_is_refused(client, a):
    from tests import factories as f
    from zhifa.orgs.models import AccountRole

    admin = f.user(f.person(a.body, "孙丽", roles=()), (AccountRole.BODY_ADMIN,))
    case = general_to_notice(a)
    client = as_user(client, admin)
    assert client.get("/cases/").status_code == 403
    assert client.get(detail_url(case)).status_code == 403


def test_navigation_has_cases_for_casework_roles(client, a):
    response = as_user(client, a.u_officer).get("/cases/")
    labels = [item.label for item in response.context["nav"]]
    assert labels[:2] == ["工作台", "案件"]
    assert 'aria-current="page">案件<' in response.content.decode()


# --- The workbench --------------------------------------------------------------------------
def test_workbench_panels(client, a):
    case = general_to_notice(a)
    # a request waiting for the head
    from zhifa.cases.services import case_act

    second = open_case(a, received_on=dt.date(2026, 11, 2), title="第二案")
    case_act(actor=a.u_officer, case=second, action="register",
             data={"acted_on": "2026-11-03", "act_date": "2026-10-20", "grounds": "涉嫌违法"})
    CaseDeadline.objects.filter(case=case, rule_code="apl_decision_90").update(
        due=dt.date(2026, 10, 9))
    officer = text(as_user(client, a.u_officer).get("/"))
    assert "我的案件" in officer and case.number in officer and second.number in officer
    assert "已逾期" in officer and "一般程序行政处罚决定期限" in officer
    assert "待我审批" not in officer
    head = as_user(client, a.u_head).get("/")
    assert "待我审批" in text(head)
    html = head.content.decode()
    assert f'#approval-{second.approvals.get().public_id}"' in html
    # the approval link names the step
    assert "立案" in text(head)


def test_workbench_due_this_week(client, a):
    case = open_case(a, "licensing", received_on=dt.date(2026, 9, 1))
    due = case.deadlines.get(rule_code="all_acceptance_5")
    assert due.state == DeadlineState.RUNNING
    soon = timezone.localdate() + dt.timedelta(days=3)
    CaseDeadline.objects.filter(pk=due.pk).update(due=soon)
    html = as_user(client, a.u_officer).get("/").content.decode()
    panel = html[html.index('id="wb-due"'):html.index('id="wb-mine"')]
    assert f"{due.label} · {soon.isoformat()}届满" in text_of(panel)
    assert case.number in panel


def test_workbench_shows_admins_the_provisional_count(client, a):
    case = general_to_notice(a)
    CaseDeadline.objects.filter(case=case, rule_code="apl_decision_90").update(
        provisional=True, due=dt.date(2099, 1, 5))
    html = as_user(client, a.u_sysadmin).get("/").content.decode()
    assert 'href="/admin/cases/casedeadline/?provisional=1"' in html
    assert "1 项进行中的期限为临时计算" in text_of(html)
    officer = as_user(client, a.u_officer).get("/").content.decode()
    assert "/admin/cases/casedeadline/" not in officer


def test_workbench_without_casework_is_unchanged(client, a):
    from tests import factories as f
    from zhifa.orgs.models import AccountRole

    admin = f.user(f.person(a.body, "孙丽", roles=()), (AccountRole.BODY_ADMIN,))
    html = as_user(client, admin).get("/").content.decode()
    assert "我的案件" not in html and "执法证查询" in html


# --- Procedures -----------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["general", "summary", "coercive", "inspection", "licensing",
                                  "generic"])
def test_procedure_pages_draw_every_stage(client, a, code):
    html = as_user(client, a.u_officer).get(f"/procedures/{code}/").content.decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    proc = procedure_get(code)
    for stage in proc.stages:
        assert f'data-stage="{stage.code}"' in svg
        assert f">{stage.label}</text>" in svg
    assert "fc-current" not in svg


def test_procedure_list_and_unknown_procedure(client, a):
    client = as_user(client, a.u_officer)
    page = text(client.get("/procedures/"))
    assert "行政处罚普通程序" in page and "行政许可" in page
    assert client.get("/procedures/nonexistent/").status_code == 404


def test_no_template_syntax_leaks_into_case_pages(client, a):
    case = general_to_notice(a)
    client = as_user(client, a.u_officer)
    for url in ("/", "/cases/", detail_url(case), "/cases/new/", "/procedures/",
                "/procedures/general/"):
        body = client.get(url).content.decode()
        assert "{#" not in body and "#}" not in body and "{%" not in body and "{{" not in body, url
