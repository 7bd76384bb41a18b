"""The body's document settings pages: templates (versions by scope, upload refused with its
problems listed, filing, putting in force, retiring, downloading, the placeholders of a type)
and settings (number patterns with the next number and a live example, books of
pre-numbered forms with their counts and voiding a spoiled form, the document profile).
Forms only for those who manage the body's documents; another body's template is "not
found"; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.cases.factories import Agency, agency
from zhifa.documents.models import (
    DocumentProfile,
    DocumentTemplate,
    NumberPattern,
    SerialBook,
    SerialUse,
)
from zhifa.documents.render.defaults import default_template
from zhifa.documents.services import template_upload
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"
TEMPLATES = "/documents/templates/"
SETTINGS = "/documents/settings/"


@pytest.fixture
def a() -> Agency:
    return agency()


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user, backend=BACKEND)
    return client


def text(response: Any) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def state() -> dict[str, Any]:
    return {
        "templates": list(DocumentTemplate.objects.order_by("id").values()),
        "patterns": list(NumberPattern.objects.order_by("id").values()),
        "books": list(SerialBook.objects.order_by("id").values()),
        "uses": list(SerialUse.objects.order_by("id").values()),
        "profiles": list(DocumentProfile.objects.order_by("id").values()),
        "ledger": LedgerEntry.objects.count(),
    }


def docx_with(*paragraphs: str) -> bytes:
    from docx import Document as Docx

    d = Docx()
    for p in paragraphs:
        d.add_paragraph(p)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "本局处罚决定书.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def body_template(a: Agency) -> DocumentTemplate:
    return template_upload(actor=a.u_head, doc_type="prior_notice", scope="body",
                           data=default_template("prior_notice"), name="本局告知书", body=a.body)


# --- templates --------------------------------------------------------------------------------
def test_the_templates_page_lists_types_versions_and_placeholders(client, a,
                                                                  body_template) -> None:
    response = as_user(client, a.u_head).get(TEMPLATES)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    for title in ("行政处罚决定书", "当场行政处罚决定书", "行政许可决定书", "送达回证"):
        assert 'id="templates-' in html and title in html
    section = html.split('id="templates-prior_notice"')[1].split("</section>")[0]
    row = section.split(f'id="template-{body_template.public_id}"')[1].split("</tr>")[0]
    assert "v1" in row and "本局告知书" in row and "芙蓉区市场监督管理局" in row
    assert "王芳" in row  # who uploaded
    for action in ("document_template_activate", "document_template_file",
                   "document_template_retire", "document_template_download"):
        assert reverse(f"web:{action}", args=[body_template.public_id]) in row, action
    # the placeholders of the type with their labels
    names = section.split('class="data placeholder-list"')[1]
    assert "{{ 当事人 }}" in unescape(names) and "{{ 陈述申辩期限 }}" in unescape(names)
    assert 'id="template-upload"' in html


def test_an_officer_sees_the_templates_without_forms(client, a, body_template) -> None:
    html = as_user(client, a.u_officer).get(TEMPLATES).content.decode()
    assert f'id="template-{body_template.public_id}"' in html
    assert 'id="template-upload"' not in html
    assert reverse("web:document_template_activate", args=[body_template.public_id]) not in html
    before = state()
    response = client.post(reverse("web:document_template_upload"), {
        "doc_type": "prior_notice", "scope": "body", "name": "x",
        "file": upload(default_template("prior_notice"))})
    assert response.status_code == 403
    assert state() == before


def test_upload_a_template(client, a) -> None:
    c = as_user(client, a.u_head)
    response = c.post(reverse("web:document_template_upload"), {
        "doc_type": "penalty_decision", "scope": "body", "name": "本局处罚决定书",
        "note": "按省司法厅格式", "file": upload(default_template("penalty_decision"))})
    assert response.status_code == 302
    t = DocumentTemplate.objects.get()
    assert (t.doc_type, t.scope, t.body, t.version, t.state, t.name, t.note) == (
        "penalty_decision", "body", a.body, 1, "draft", "本局处罚决定书", "按省司法厅格式")
    assert response["Location"] == f"{TEMPLATES}#template-{t.public_id}"


def test_a_refused_template_lists_its_problems(client, a) -> None:
    c = as_user(client, a.u_head)
    before = state()
    response = c.post(reverse("web:document_template_upload"), {
        "doc_type": "penalty_decision", "scope": "body", "name": "自制模板", "note": "试用",
        "file": upload(docx_with("{{ 当事人 }}", "{{ 不存在的占位符 }}"))})
    assert response.status_code == 400
    assert state() == before
    html = response.content.decode()
    problems = html.split('class="alert alert-error template-problems"')[1].split("</div>")[0]
    items = re.findall(r"<li>(.*?)</li>", problems, flags=re.S)
    assert len(items) >= 2  # the unknown placeholder, the missing elements
    assert any("不存在的占位符" in unescape(i) for i in items)
    assert any("裁量理由" in unescape(i) for i in items)
    # the form as it was sent (the file must be chosen again)
    assert 'value="自制模板"' in html and "试用</textarea>" in html
    assert '<option value="penalty_decision" selected>' in html
    assert "<details class=\"action-panel\" open>" in html


def test_not_a_docx_is_refused(client, a) -> None:
    c = as_user(client, a.u_head)
    before = state()
    response = c.post(reverse("web:document_template_upload"), {
        "doc_type": "penalty_decision", "scope": "body", "name": "x",
        "file": upload(b"not a docx at all", "x.docx")})
    assert response.status_code == 400
    assert state() == before
    assert "template-problems" in response.content.decode()


def test_a_head_may_not_upload_for_the_province(client, a) -> None:
    html = as_user(client, a.u_head).get(TEMPLATES).content.decode()
    scope = html.split('name="scope"')[1].split("</select>")[0]
    assert 'value="body"' in scope and 'value="province"' not in scope
    before = state()
    response = client.post(reverse("web:document_template_upload"), {
        "doc_type": "prior_notice", "scope": "province", "region": "430000", "name": "x",
        "file": upload(default_template("prior_notice"))})
    assert response.status_code == 400  # not a choice for a head
    assert state() == before


def test_file_activate_and_retire(client, a, body_template) -> None:
    c = as_user(client, a.u_head)
    t = body_template
    refused = c.post(reverse("web:document_template_file", args=[t.public_id]),
                     {"filing_number": "", "filed_with": "湖南省司法厅", "filed_on": "2026-10-10"})
    assert refused.status_code == 400
    assert 'value="湖南省司法厅"' in refused.content.decode()
    response = c.post(reverse("web:document_template_file", args=[t.public_id]),
                      {"filing_number": "湘司备〔2026〕8号", "filed_with": "湖南省司法厅",
                       "filed_on": "2026-10-10"})
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.filing_number, t.filed_with, t.filed_on) == ("湘司备〔2026〕8号", "湖南省司法厅",
                                                           dt.date(2026, 10, 10))
    assert c.post(reverse("web:document_template_activate", args=[t.public_id])).status_code \
        == 302
    t.refresh_from_db()
    assert t.state == "in_force"
    page = text(c.get(TEMPLATES))
    assert "湘司备〔2026〕8号" in page
    refused = c.post(reverse("web:document_template_retire", args=[t.public_id]), {"reason": ""})
    assert refused.status_code == 400
    assert c.post(reverse("web:document_template_retire", args=[t.public_id]),
                  {"reason": "格式更新"}).status_code == 302
    t.refresh_from_db()
    assert t.state == "retired"


def test_download_a_version(client, a, body_template) -> None:
    response = as_user(client, a.u_officer).get(
        reverse("web:document_template_download", args=[body_template.public_id]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == default_template("prior_notice")
    assert response["Content-Disposition"].startswith("attachment")


def test_another_bodys_template_is_not_found(client, a, body_template) -> None:
    c = as_user(client, a.u_other)
    before = state()
    assert f'id="template-{body_template.public_id}"' not in c.get(TEMPLATES).content.decode()
    t = body_template.public_id
    assert c.get(reverse("web:document_template_download", args=[t])).status_code == 404
    for name, data in (("document_template_activate", {}),
                       ("document_template_retire", {"reason": "x"}),
                       ("document_template_file", {"filing_number": "1", "filed_with": "x",
                                                   "filed_on": "2026-10-10"})):
        assert c.post(reverse(f"web:{name}", args=[t]), data).status_code == 404, name
    assert state() == before


# --- settings ---------------------------------------------------------------------------------
def test_the_settings_page(client, a) -> None:
    response = as_user(client, a.u_head).get(SETTINGS)
    assert response.status_code == 200
    html = response.content.decode()
    row = html.split('id="pattern-penalty_decision"')[1].split("</tr>")[0]
    assert 'value="{机关简称}{字}〔{年}〕{序号}号"' in unescape(row)
    assert f"芙蓉市监罚〔{timezone.localdate().year}〕1号" in row  # the next number
    assert 'id="pattern-summary_decision"' not in html  # numbered by its form serial
    assert 'id="pattern-questioning_record"' not in html  # carries no number
    assert 'id="serial-book-register"' in html and 'id="profile"' in html


@pytest.mark.parametrize("role", ["u_officer", "u_supervisor", "u_auxiliary"])
def test_only_managers_open_the_settings(client, a, role) -> None:
    c = as_user(client, getattr(a, role))
    before = state()
    assert c.get(SETTINGS).status_code == 403
    assert c.post(reverse("web:document_profile_save"), {"phone": "1"}).status_code == 403
    assert state() == before


def test_save_a_pattern_and_see_its_example(client, a) -> None:
    c = as_user(client, a.u_head)
    example = c.post(reverse("web:document_pattern_example", args=["penalty_decision"]),
                     {"penalty_decision-pattern": "{机关简称}罚字〔{年}〕第{序号:03d}号"},
                     HTTP_HX_REQUEST="true")
    assert f"芙蓉市监罚字〔{timezone.localdate().year}〕第001号" in example.content.decode()
    bad = c.post(reverse("web:document_pattern_example", args=["penalty_decision"]),
                 {"penalty_decision-pattern": "{机关简称}罚〔{年}〕号"}, HTTP_HX_REQUEST="true")
    assert 'class="field-error"' in bad.content.decode() and "序号" in bad.content.decode()
    response = c.post(reverse("web:document_pattern_save", args=["penalty_decision"]),
                      {"penalty_decision-pattern": "{机关简称}罚字〔{年}〕第{序号:03d}号"})
    assert response.status_code == 302
    assert NumberPattern.objects.get(body=a.body, doc_type="penalty_decision").pattern == \
        "{机关简称}罚字〔{年}〕第{序号:03d}号"
    assert f"芙蓉市监罚字〔{timezone.localdate().year}〕第001号" in text(c.get(SETTINGS))


def test_a_refused_pattern_comes_back_as_typed(client, a) -> None:
    c = as_user(client, a.u_head)
    before = state()
    response = c.post(reverse("web:document_pattern_save", args=["penalty_decision"]),
                      {"penalty_decision-pattern": "{机关简称}罚〔{年}〕{编号}号"})
    assert response.status_code == 400
    assert state() == before
    row = unescape(response.content.decode().split('id="pattern-penalty_decision"')[1]
                   .split("</tr>")[0])
    assert 'value="{机关简称}罚〔{年}〕{编号}号"' in row
    assert 'class="field-error"' in row and "{编号}" in row.split('class="field-error"')[1]


def test_serial_books_register_count_and_void(client, a) -> None:
    c = as_user(client, a.u_head)
    response = c.post(reverse("web:document_serial_book_register"), {
        "prefix": "FR", "first": "1", "last": "50", "width": "6", "received_on": "2026-10-01",
        "holder": str(a.officer.public_id), "note": "第一本"})
    assert response.status_code == 302
    book = SerialBook.objects.get()
    assert (book.prefix, book.first, book.last, book.width, book.holder) == (
        "FR", 1, 50, 6, a.officer)
    before = state()
    overlap = c.post(reverse("web:document_serial_book_register"), {
        "prefix": "FR", "first": "40", "last": "60", "width": "6", "received_on": "2026-10-01"})
    assert overlap.status_code == 409 and state() == before
    assert 'value="40"' in overlap.content.decode()
    assert c.post(reverse("web:document_serial_void"),
                  {"serial": "FR000007", "reason": "填写错误"}).status_code == 302
    use = SerialUse.objects.get()
    assert (use.serial, use.state, use.reason) == ("FR000007", "voided", "填写错误")
    html = c.get(SETTINGS).content.decode()
    row = html.split(f'data-book="{book.public_id}"')[1].split("</tr>")[0]
    assert '"num used">0<' in row and '"num voided">1<' in row and '"num free">49<' in row
    before = state()
    again = c.post(reverse("web:document_serial_void"), {"serial": "FR000007", "reason": "再次"})
    assert again.status_code == 409 and state() == before
    assert 'value="FR000007"' in again.content.decode()


def test_the_profile(client, a) -> None:
    c = as_user(client, a.u_head)
    response = c.post(reverse("web:document_profile_save"), {
        "address": "长沙市芙蓉区某路2号", "phone": "0731-8888", "reconsideration_body":
        "长沙市芙蓉区人民政府", "reconsideration_period": "六十日", "court": "芙蓉区人民法院",
        "litigation_period": "六个月", "statement_period": "三个工作日",
        "payment_instructions": "缴至指定银行"})
    assert response.status_code == 302
    p = DocumentProfile.objects.get(body=a.body)
    assert (p.address, p.court, p.payment_instructions) == ("长沙市芙蓉区某路2号",
                                                            "芙蓉区人民法院", "缴至指定银行")
    before = state()
    refused = c.post(reverse("web:document_profile_save"),
                     {"address": "路" * 201, "court": "另一法院"})
    assert refused.status_code == 400 and state() == before
    html = refused.content.decode()
    assert 'value="另一法院"' in html and 'class="field-error"' in html


def test_a_system_administrator_chooses_the_body(client, a) -> None:
    c = as_user(client, a.u_sysadmin)
    assert 'id="body-choice"' in c.get(SETTINGS).content.decode()
    page = c.get(f"{SETTINGS}?body={a.body.public_id}").content.decode()
    assert f"芙蓉市监罚〔{timezone.localdate().year}〕1号" in page
    response = c.post(f"{reverse('web:document_profile_save')}?body={a.body.public_id}",
                      {"phone": "0731-1234"})
    assert response.status_code == 302
    assert DocumentProfile.objects.get(body=a.body).phone == "0731-1234"
