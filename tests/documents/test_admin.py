"""The documents admin saves through the services (ledger entry; a refusal on the form with
nothing saved) and shows documents and used serials read-only."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document as Docx

from tests.cases.factories import Agency
from zhifa.documents.models import (
    DocumentProfile,
    DocumentTemplate,
    NumberPattern,
    SerialBook,
    TemplateState,
)
from zhifa.documents.render.defaults import default_template
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db: None) -> Client:
    user = User.objects.create_superuser(username="root", password="Zhifa-test-2026",
                                         roles=[AccountRole.SYSTEM_ADMIN])
    client = Client()
    client.force_login(user)
    return client


def test_pages_render(admin: Client, a: Agency) -> None:
    for model in ("documenttemplate", "numberpattern", "serialbook", "documentprofile",
                  "document", "serialuse"):
        assert admin.get(f"/admin/documents/{model}/").status_code == 200, model
    for model in ("documenttemplate", "numberpattern", "serialbook", "documentprofile"):
        assert admin.get(f"/admin/documents/{model}/add/").status_code == 200, model


def test_template_upload_and_activation_through_the_services(admin: Client, a: Agency) -> None:
    response = admin.post("/admin/documents/documenttemplate/add/", {
        "doc_type": "prior_notice", "scope": "body", "body": str(a.body.pk), "region": "",
        "name": "本局格式", "note": "",
        "file": SimpleUploadedFile("t.docx", default_template("prior_notice"))})
    assert response.status_code == 302, response.content.decode()[:2000]
    t = DocumentTemplate.objects.get()
    assert (t.version, t.state, t.body, t.ledger_seq is not None) == (
        1, TemplateState.DRAFT, a.body, True)
    admin.post("/admin/documents/documenttemplate/", {
        "action": "activate", "_selected_action": [str(t.pk)]})
    t.refresh_from_db()
    assert t.state == TemplateState.IN_FORCE


def test_a_refused_upload_shows_on_the_form(admin: Client, a: Agency) -> None:
    d = Docx()
    d.add_paragraph("{{ 当事人 }}")
    out = io.BytesIO()
    d.save(out)
    before = LedgerEntry.objects.count()
    response = admin.post("/admin/documents/documenttemplate/add/", {
        "doc_type": "prior_notice", "scope": "body", "body": str(a.body.pk), "region": "",
        "name": "坏", "note": "", "file": SimpleUploadedFile("t.docx", out.getvalue())})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert (DocumentTemplate.objects.count(), LedgerEntry.objects.count()) == (0, before)


def test_settings_through_the_services(admin: Client, a: Agency) -> None:
    def post(model: str, data: dict[str, Any]) -> None:
        response = admin.post(f"/admin/documents/{model}/add/", data)
        assert response.status_code == 302, response.content.decode()[:2000]

    post("numberpattern", {"body": str(a.body.pk), "doc_type": "penalty_decision",
                           "pattern": "{机关简称}罚〔{年}〕{序号}号"})
    post("serialbook", {"body": str(a.body.pk), "prefix": "湘F", "first": "1", "last": "100",
                        "width": "8", "holder": "", "received_on": "2026-08-01", "note": ""})
    post("documentprofile", {"body": str(a.body.pk), "address": "长沙市芙蓉区某路2号",
                             "phone": "0731-1234567", "reconsideration_body": "芙蓉区人民政府",
                             "reconsideration_period": "六十日", "court": "芙蓉区人民法院",
                             "litigation_period": "六个月",
                             "statement_period": "收到本告知书之日起三个工作日",
                             "payment_instructions": ""})
    assert NumberPattern.objects.get().ledger_seq is not None
    assert SerialBook.objects.get().ledger_seq is not None
    assert DocumentProfile.objects.get().court == "芙蓉区人民法院"


def _province_template(a: Agency) -> DocumentTemplate:
    from zhifa.documents.services import template_upload

    return template_upload(actor=User.objects.get(username="root"), doc_type="prior_notice",
                           scope="province", region=a.regions["province"], name="省格式",
                           data=default_template("prior_notice"))


def test_filing_through_the_admin(admin: Client, a: Agency) -> None:
    t = _province_template(a)
    changelist = "/admin/documents/documenttemplate/"
    # put in force before filing: refused, shown, nothing changed
    before = LedgerEntry.objects.count()
    response = admin.post(changelist, {"action": "activate", "_selected_action": [str(t.pk)]},
                          follow=True)
    assert "省级部门可以制定本系统统一适用的执法文书格式文本" in response.content.decode()
    t.refresh_from_db()
    assert (t.state, LedgerEntry.objects.count()) == (TemplateState.DRAFT, before)
    # the action asks for the filing
    page = admin.post(changelist, {"action": "record_filing", "_selected_action": [str(t.pk)]})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="filing_number"' in html and 'name="filed_on"' in html
    assert 'name="apply"' in html and 'value="record_filing"' in html
    # an incomplete form comes back, nothing saved
    page = admin.post(changelist, {"action": "record_filing", "_selected_action": [str(t.pk)],
                                   "apply": "1", "filing_number": "", "filed_with": "省司法厅",
                                   "filed_on": "2026-10-08"})
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert LedgerEntry.objects.count() == before
    response = admin.post(changelist, {
        "action": "record_filing", "_selected_action": [str(t.pk)], "apply": "1",
        "filing_number": "湘司备〔2026〕12号", "filed_with": "湖南省司法厅",
        "filed_on": "2026-10-08"})
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.filing_number, t.filed_with, str(t.filed_on)) == (
        "湘司备〔2026〕12号", "湖南省司法厅", "2026-10-08")
    assert LedgerEntry.objects.count() == before + 1
    # a second filing is refused on the form, nothing changed
    page = admin.post(changelist, {
        "action": "record_filing", "_selected_action": [str(t.pk)], "apply": "1",
        "filing_number": "湘司备〔2026〕99号", "filed_with": "湖南省司法厅",
        "filed_on": "2026-10-09"})
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    t.refresh_from_db()
    assert (t.filing_number, LedgerEntry.objects.count()) == ("湘司备〔2026〕12号", before + 1)
    # filed, it goes in force
    admin.post(changelist, {"action": "activate", "_selected_action": [str(t.pk)]})
    t.refresh_from_db()
    assert t.state == TemplateState.IN_FORCE
