"""The documents tab of a case (执法文书) as each role sees it: the procedure's types by stage
of the case file with their documents; drafting with the three reasons and the element
checklist; issuing (refused before the decision, then numbered), downloads, voiding and the
service of an issued document; every refused form drawn again as it was typed; another
body's case is "not found" everywhere and nothing changes."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.cases.factories import Agency, agency, general_to_notice, snapshot
from tests.documents.factories import REASONS, complete_fields, decided, decision_draft, issued
from zhifa.cases.models import CaseStep
from zhifa.documents.models import Document, DocumentState, ServiceRecord
from zhifa.documents.services import system_template_ensure
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
PENALTY = "penalty_decision"


@pytest.fixture
def a() -> Agency:
    return agency()


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user, backend=BACKEND)
    return client


def text(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def tab(case: Any) -> str:
    return reverse("web:documents_case", kwargs={"public_id": case.public_id})


def url(name: str, case: Any, doc: Any = None, *extra: Any) -> str:
    args = [case.public_id] + ([doc.public_id] if doc is not None else []) + list(extra)
    return reverse(f"web:{name}", args=args)


def state(case: Any) -> dict[str, Any]:
    """What a refused request must leave as it was."""
    return {**snapshot(case),
            "documents": list(Document.objects.order_by("id").values()),
            "services": list(ServiceRecord.objects.order_by("id").values())}


def decide(a: Agency, case: Any) -> Document:
    """The decision (a penalty) made on 29 September with its complete draft; the draft."""
    return decided(a, case, on=dt.date(2026, 9, 29), reasons="证据确凿，依法处罚")


@pytest.fixture
def noticed(a: Agency) -> Any:
    """A general case with its prior notice served (the decision may be made)."""
    return general_to_notice(a)


# --- the tab ----------------------------------------------------------------------------------
def test_the_tab_lists_the_procedures_types_by_stage(client, a, noticed) -> None:
    response = as_user(client, a.u_officer).get(tab(noticed))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    # stages in case-file order, each type of the general procedure under its stage
    order = [html.index(f'id="stage-{s}"') for s in
             ("registration", "investigation", "review", "decision", "service", "execution",
              "closing")]
    assert order == sorted(order)
    decision = html.split('id="stage-decision"')[1].split('id="stage-service"')[0]
    for title in ("行政处罚事先告知书", "行政处罚听证通知书", "行政处罚决定书",
                  "不予行政处罚决定书"):
        assert title in decision, title
    assert "当场行政处罚决定书" not in html  # a summary-procedure type
    assert url("document_new", noticed, None, PENALTY) in html
    # the case page links to the tab
    detail = client.get(reverse("web:case_detail", args=[noticed.public_id])).content.decode()
    assert f'id="case-documents-link" href="{tab(noticed)}"' in detail


def test_a_draft_shows_its_missing_elements_and_actions(client, a, noticed) -> None:
    doc = decision_draft(a, noticed, 裁量理由="")
    html = as_user(client, a.u_officer).get(tab(noticed)).content.decode()
    block = html.split(f'id="doc-{doc.public_id}"')[1].split('class="doc-type"')[0]
    assert 'data-state="draft"' in html
    assert "✗" in block
    with translation.override("zh-hans"):
        from zhifa.documents.doctypes import REASONS_ELEMENT
        assert str(REASONS_ELEMENT.label) in unescape(block)
    for name in ("document_edit", "document_issue", "document_void"):
        assert url(name, noticed, doc) in block, name
    assert url("document_preview", noticed, doc, "pdf") in block


@pytest.mark.parametrize("role", ["u_supervisor", "u_auxiliary", "u_head", "u_sysadmin"])
def test_who_sees_the_forms(client, a, noticed, role) -> None:
    doc = decision_draft(a, noticed)
    response = as_user(client, getattr(a, role)).get(tab(noticed))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="doc-{doc.public_id}"' in html
    may_change = role != "u_supervisor"
    for marker in (url("document_issue", noticed, doc), url("document_new", noticed, None,
                                                            PENALTY)):
        assert (marker in html) is may_change, (role, marker)


def test_anonymous_goes_to_the_login_page(client, a, noticed) -> None:
    response = client.get(tab(noticed))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- drafting ---------------------------------------------------------------------------------
def test_the_draft_form_is_prefilled_with_reasons_first_and_a_checklist(client, a,
                                                                        noticed) -> None:
    response = as_user(client, a.u_officer).get(url("document_new", noticed, None, PENALTY))
    assert response.status_code == 200
    html = response.content.decode()
    # prefilled from the report step
    facts = html.split('name="违法事实"')[1].split("</textarea>")[0]
    assert "经查，当事人销售不合格产品。" in facts
    reasons = html.split('id="doc-reasons"')[1].split("</fieldset>")[0]
    for name in ("证据采信理由", "依据选择理由", "裁量理由"):
        assert f'name="{name}"' in reasons
    assert html.index('id="doc-reasons"') < html.index('name="违法事实"')
    with translation.override("zh-hans"):
        from zhifa.documents.doctypes import REASON_FIELDS
        for f in REASON_FIELDS:
            assert unescape(str(f.help)) in unescape(reasons)
    checklist = html.split('id="element-checklist"')[1].split("</section>")[0]
    assert checklist.count('class="element element-missing"') >= 2  # reasons, penalty
    assert 'class="element element-ok"' in checklist  # the party, from the case
    assert f'hx-post="{url("document_check", noticed, None, PENALTY)}"' in html


def test_the_checklist_follows_the_values_being_typed(client, a, noticed) -> None:
    c = as_user(client, a.u_officer)
    before = state(noticed)
    check = url("document_check", noticed, None, PENALTY)
    empty = c.post(check, {"违法事实": "事实"}, HTTP_HX_REQUEST="true").content.decode()
    full = c.post(check, complete_fields(PENALTY), HTTP_HX_REQUEST="true").content.decode()
    assert "element-missing" in empty and "<html" not in empty
    assert "element-missing" not in full and full.count("element-ok") == 7
    assert state(noticed) == before  # the checklist writes nothing


def test_draft_through_the_form(client, a, noticed) -> None:
    c = as_user(client, a.u_officer)
    response = c.post(url("document_new", noticed, None, PENALTY), complete_fields(PENALTY))
    doc = Document.objects.get(case=noticed)
    assert response.status_code == 302
    assert response["Location"] == f"{tab(noticed)}#doc-{doc.public_id}"
    assert (doc.doc_type, doc.state, doc.fields["裁量理由"]) == (PENALTY, "draft",
                                                               REASONS["裁量理由"])
    assert LedgerEntry.objects.filter(stream=noticed.stream, event_code=6001).count() == 1
    page = c.get(response["Location"]).content.decode()
    assert "✓" in page.split(f'id="doc-{doc.public_id}"')[1]


def test_edit_a_draft(client, a, noticed) -> None:
    doc = decision_draft(a, noticed)
    c = as_user(client, a.u_officer)
    form = c.get(url("document_edit", noticed, doc)).content.decode()
    assert REASONS["裁量理由"] in form
    sent = {**complete_fields(PENALTY), "处罚内容": "罚款人民币叁仟元整。"}
    response = c.post(url("document_edit", noticed, doc), sent)
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.fields["处罚内容"] == "罚款人民币叁仟元整。"
    assert LedgerEntry.objects.filter(stream=noticed.stream, event_code=6002).count() == 1


def test_a_refused_draft_comes_back_as_typed(client, a, noticed) -> None:
    c = as_user(client, a.u_officer)
    before = state(noticed)
    sent = {**complete_fields(PENALTY), "裁量理由": "从轻处罚\n第二行", "处罚内容": "罚" * 20_001}
    response = c.post(url("document_new", noticed, None, PENALTY), sent)
    assert response.status_code == 400
    assert state(noticed) == before
    html = response.content.decode()
    assert "从轻处罚\n第二行" in html
    assert REASONS["证据采信理由"] in html
    error = html.split('data-field="处罚内容"')[1].split("</div>")[0]
    assert 'class="field-error"' in error and "20000" in error and "字符" in error


def test_an_issued_document_cannot_be_edited_from_the_page(client, a, noticed) -> None:
    """The edit form of a draft that was issued while it was open (a colleague, another
    tab): the post is refused with the reason and comes back as typed, nothing changed; the
    form itself is no longer offered."""
    noticed.parties.update(address="长沙市芙蓉区某路1号")  # a decision prints it
    doc = decide(a, noticed)
    c = as_user(client, a.u_officer)
    assert c.get(url("document_edit", noticed, doc)).status_code == 200  # the form opened
    doc = issued(a, doc)
    before = state(noticed)
    sent = {**complete_fields(PENALTY), "裁量理由": "刚刚改写的裁量理由\n第二行"}
    response = c.post(url("document_edit", noticed, doc), sent)
    assert response.status_code == 409
    assert state(noticed) == before
    html = response.content.decode()
    alert = html.split('class="alert alert-error" role="alert">')[1].split("</div>")[0]
    assert doc.number in alert and "行政处罚决定书" in alert and "已签发或已作废" in alert
    assert "刚刚改写的裁量理由\n第二行" in html and REASONS["证据采信理由"] in html
    opened = c.get(url("document_edit", noticed, doc))
    assert opened.status_code == 302 and opened["Location"].endswith(f"#doc-{doc.public_id}")


# --- issue ------------------------------------------------------------------------------------
def test_issue_is_refused_before_the_decision_with_the_reason(client, a, noticed) -> None:
    doc = decision_draft(a, noticed)
    c = as_user(client, a.u_officer)
    before = state(noticed)
    response = c.post(url("document_issue", noticed, doc),
                      {"confirm": "on", "issued_on": "2026-10-01"})
    assert response.status_code == 409
    assert state(noticed) == before
    html = response.content.decode()
    block = html.split(f'id="doc-{doc.public_id}"')[1]
    alert = block.split('class="alert alert-error" role="alert">')[1].split("</p>")[0]
    assert "行政处罚决定书" in unescape(alert)
    assert 'value="2026-10-01"' in block  # the date as typed
    assert "<details class=\"doc-issue\" open>" in block


def test_issue_needs_the_confirmation(client, a, noticed) -> None:
    doc = decide(a, noticed)
    c = as_user(client, a.u_officer)
    before = state(noticed)
    response = c.post(url("document_issue", noticed, doc), {})
    assert response.status_code == 400
    assert state(noticed) == before
    block = response.content.decode().split(f'id="doc-{doc.public_id}"')[1]
    assert 'class="field-error"' in block.split("doc-issue")[1].split("</details>")[0]


def test_issue_refused_without_the_reasons_says_which(client, a, noticed) -> None:
    doc = decide(a, noticed)
    Document.objects.filter(pk=doc.pk).update(fields={**doc.fields, "裁量理由": "",
                                                      "依据选择理由": ""})
    system_template_ensure(PENALTY)  # made when first used: not part of the refusal
    c = as_user(client, a.u_officer)
    before = state(noticed)
    response = c.post(url("document_issue", noticed, doc), {"confirm": "on"})
    assert response.status_code == 409
    assert state(noticed) == before
    alert = text(response).split("行政处罚决定书", 1)[1]
    assert "依据选择理由" in alert and "裁量理由" in alert


def test_issue_numbers_the_document_and_the_files_download(client, a, noticed) -> None:
    doc = decide(a, noticed)
    c = as_user(client, a.u_officer)
    response = c.post(url("document_issue", noticed, doc),
                      {"confirm": "on", "issued_on": "2026-09-29"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.state == DocumentState.ISSUED and doc.number and doc.issued_on == dt.date(2026, 9,
                                                                                         29)
    page = c.get(response["Location"])
    html = page.content.decode()
    assert doc.number in text(page) and doc.number in html.split('class="messages"')[1]
    block = html.split(f'id="doc-{doc.public_id}"')[1].split('class="doc-type"')[0]
    code = "-".join(doc.verify_code[i:i + 4] for i in range(0, 12, 4))
    assert f'href="/v/{code}"' in block and "2026-09-29" in block
    assert doc.pdf.sha256 in block and doc.docx.sha256 in block
    assert url("document_issue", noticed, doc) not in block
    pdf = c.get(url("document_download", noticed, doc, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF") and len(body) == doc.pdf.size
    assert pdf["Content-Disposition"].startswith("attachment")
    docx = c.get(url("document_download", noticed, doc, "docx"))
    assert b"".join(docx.streaming_content).startswith(b"PK")
    assert c.get(url("document_download", noticed, doc, "txt")).status_code == 404


def test_preview_of_a_draft_is_a_pdf_and_writes_nothing(client, a, noticed) -> None:
    doc = decision_draft(a, noticed)
    system_template_ensure(PENALTY)  # made when first used
    c = as_user(client, a.u_officer)
    before = state(noticed)
    response = c.get(url("document_preview", noticed, doc, "pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store, private"
    assert not response["Content-Disposition"].startswith("attachment")
    docx = c.get(url("document_preview", noticed, doc, "docx"))
    assert docx.content.startswith(b"PK") and docx["Content-Disposition"].startswith("attach")
    assert state(noticed) == before


# --- void -------------------------------------------------------------------------------------
def test_void_a_draft_with_its_reason(client, a, noticed) -> None:
    doc = decision_draft(a, noticed)
    c = as_user(client, a.u_officer)
    before = state(noticed)
    refused = c.post(url("document_void", noticed, doc), {"reason": "  "})
    assert refused.status_code == 400 and state(noticed) == before
    assert "<details class=\"doc-void\" open>" in refused.content.decode()
    response = c.post(url("document_void", noticed, doc), {"reason": "起草错误，重新起草"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.state, doc.void_reason) == ("voided", "起草错误，重新起草")
    page = text(c.get(tab(noticed)))
    assert "起草错误，重新起草" in page


def test_voiding_an_issued_document_takes_a_head(client, a, noticed) -> None:
    doc = issued(a, decide(a, noticed))
    officer = as_user(client, a.u_officer)
    assert url("document_void", noticed, doc) not in officer.get(tab(noticed)).content.decode()
    before = state(noticed)
    response = officer.post(url("document_void", noticed, doc), {"reason": "文号错误"})
    assert response.status_code == 403
    assert state(noticed) == before
    with translation.override("zh-hans"):
        why = translation.gettext("Only a head of the enforcement body can void an issued "
                                  "document.")
    block = response.content.decode().split(f'id="doc-{doc.public_id}"')[1]
    assert f'<p class="alert alert-error" role="alert">{why}</p>' in block
    head = as_user(Client(), a.u_head)
    assert url("document_void", noticed, doc) in head.get(tab(noticed)).content.decode()
    assert head.post(url("document_void", noticed, doc), {"reason": "文号错误"}).status_code == 302
    doc.refresh_from_db()
    assert doc.state == "voided" and doc.number  # the number stays


# --- service ----------------------------------------------------------------------------------
def test_record_direct_service(client, a, noticed) -> None:
    doc = issued(a, decide(a, noticed), issued_on=dt.date(2026, 9, 29))
    c = as_user(client, a.u_officer)
    html = c.get(tab(noticed)).content.decode()
    form = html.split(f'action="{url("document_service", noticed, doc)}"')[1].split("</form>")[0]
    assert 'data-methods="direct left mail electronic announcement"' in form  # recipient
    assert 'data-methods="mail"' in form  # the tracking number
    response = c.post(url("document_service", noticed, doc), {
        "method": "direct", "recipient": "陈某", "recipient_relation": "法定代表人",
        "served_on": "2026-09-30", "place": "当事人住所", "tracking_number": "不用的值"})
    assert response.status_code == 302
    record = ServiceRecord.objects.get(document=doc)
    assert (record.method, record.recipient, record.served_on, record.tracking_number) == (
        "direct", "陈某", dt.date(2026, 9, 30), "")
    assert CaseStep.objects.filter(case=noticed, action="serve_decision").exists()
    page = text(c.get(tab(noticed)))
    assert "陈某（法定代表人）" in page and "2026-09-30" in page


def test_a_refused_service_comes_back_as_typed(client, a, noticed) -> None:
    doc = issued(a, decide(a, noticed), issued_on=dt.date(2026, 9, 29))
    c = as_user(client, a.u_officer)
    before = state(noticed)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = c.post(url("document_service", noticed, doc), {
        "method": "mail", "recipient": "陈某", "served_on": future, "tracking_number": "EMS1"})
    assert response.status_code == 400
    assert state(noticed) == before
    form = response.content.decode().split(f'id="doc-{doc.public_id}"')[1]
    form = form.split("doc-service-form")[1].split("</form>")[0]
    assert "<details" not in form and 'value="EMS1"' in form and f'value="{future}"' in form
    served = form.split('data-field="served_on"')[1].split("</div>")[0]
    assert 'class="field-error"' in served
    assert 'value="mail" selected' in form


# --- scope ------------------------------------------------------------------------------------
def test_another_bodys_officer_gets_not_found_everywhere(client, a, noticed) -> None:
    draft = decision_draft(a, noticed)
    c = as_user(client, a.u_other)
    before = state(noticed)
    for target in (tab(noticed), url("document_new", noticed, None, PENALTY),
                   url("document_edit", noticed, draft),
                   url("document_preview", noticed, draft, "pdf"),
                   url("document_download", noticed, draft, "pdf")):
        assert c.get(target).status_code == 404, target
    for target, data in (
        (url("document_new", noticed, None, PENALTY), complete_fields(PENALTY)),
        (url("document_check", noticed, None, PENALTY), {}),
        (url("document_edit", noticed, draft), complete_fields(PENALTY)),
        (url("document_issue", noticed, draft), {"confirm": "on"}),
        (url("document_void", noticed, draft), {"reason": "x"}),
        (url("document_service", noticed, draft), {"method": "direct", "recipient": "x",
                                                  "served_on": "2026-09-30"}),
    ):
        assert c.post(target, data).status_code == 404, target
    assert state(noticed) == before


def test_a_document_of_another_case_is_not_found_under_this_one(client, a, noticed) -> None:
    other = general_to_notice(a)
    draft = decision_draft(a, other)
    c = as_user(client, a.u_officer)
    before = state(noticed)
    assert c.get(url("document_edit", noticed, draft)).status_code == 404
    assert c.post(url("document_void", noticed, draft), {"reason": "x"}).status_code == 404
    assert state(noticed) == before
    assert Document.objects.get(pk=draft.pk).state == "draft"


def test_a_supervisor_may_look_but_not_post(client, a, noticed) -> None:
    draft = decision_draft(a, noticed)
    c = as_user(client, a.u_supervisor)
    before = state(noticed)
    assert c.get(tab(noticed)).status_code == 200
    assert c.post(url("document_new", noticed, None, PENALTY),
                  complete_fields(PENALTY)).status_code == 403
    assert c.post(url("document_void", noticed, draft), {"reason": "x"}).status_code == 403
    assert state(noticed) == before


def test_a_type_the_procedure_does_not_use_is_not_found(client, a, noticed) -> None:
    c = as_user(client, a.u_officer)
    assert c.get(url("document_new", noticed, None, "summary_decision")).status_code == 404
    assert c.get(url("document_new", noticed, None, "no_such_type")).status_code == 404


def test_an_edit_of_a_draft_voided_meanwhile_comes_back_as_typed(client, a, noticed) -> None:
    """Voided while the form was open, and the typed values not even valid: the form comes
    back with them, the reason it can no longer be saved first; nothing changed."""
    doc = decision_draft(a, noticed)
    c = as_user(client, a.u_officer)
    Document.objects.filter(pk=doc.pk).update(state=DocumentState.VOIDED, void_reason="重复")
    before = state(noticed)
    sent = {**complete_fields(PENALTY), "裁量理由": "作废后才写完的理由", "处罚内容": "罚" * 20_001}
    response = c.post(url("document_edit", noticed, doc), sent)
    assert response.status_code == 409
    assert state(noticed) == before
    html = response.content.decode()
    alert = html.split('class="alert alert-error" role="alert">')[1].split("</div>")[0]
    assert "行政处罚决定书" in alert and "已签发或已作废" in alert
    assert "作废后才写完的理由" in html
    error = html.split('data-field="处罚内容"')[1].split("</div>")[0]
    assert 'class="field-error"' in error and "20000" in error


# --- the approver reads the decision's text (issue 5, F1a) ------------------------------------
def test_the_approver_sees_the_decisions_reasons_and_its_preview(client, a, noticed) -> None:
    from zhifa.cases.services import case_act

    doc = decision_draft(a, noticed)
    result = case_act(actor=a.u_officer, case=noticed, action="decide", data={
        "acted_on": "2026-09-29", "outcome": "penalty", "kinds": ["fine"], "fine": "5000",
        "reasons": "见决定书"})
    assert result.approval is not None
    page = reverse("web:case_detail", kwargs={"public_id": noticed.public_id})
    html = as_user(client, a.u_head).get(page).content.decode()
    panel = html.split(f'id="approval-{result.approval.public_id}"')[1].split("</article>")[0]
    shown = text_of(panel)
    for value in (*REASONS.values(), complete_fields(PENALTY)["处罚内容"]):
        assert value in shown, value
    assert "行政处罚决定书" in shown
    assert url("document_preview", noticed, doc, "pdf") in panel
    assert 'class="approval-decision"' in panel


def test_no_decision_text_without_a_decide_request(client, a, noticed) -> None:
    page = reverse("web:case_detail", kwargs={"public_id": noticed.public_id})
    html = as_user(client, a.u_head).get(page).content.decode()
    assert 'class="approval-decision"' not in html


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
