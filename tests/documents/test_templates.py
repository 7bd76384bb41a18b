"""Templates: the generated system default and its new versions, uploads checked against the
type, versions per owner, filing (备案), activation and retirement, the body → province →
system order, and who may do what."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.utils import timezone
from docx import Document as Docx

from tests import factories as f
from tests.cases.factories import Agency
from tests.documents.factories import refused_unchanged
from zhifa.core.errors import ApplicationError
from zhifa.documents.doctypes import doctype
from zhifa.documents.events import CONFIG_STREAM, TEMPLATE_STATE_CHANGED, TEMPLATE_UPLOADED
from zhifa.documents.models import DocumentTemplate, TemplateScope, TemplateState
from zhifa.documents.render.defaults import default_template
from zhifa.documents.services import (
    read_bytes,
    system_template_ensure,
    template_activate,
    template_file,
    template_for,
    template_retire,
    template_upload,
)
from zhifa.documents.services import templates as templates_module
from zhifa.evidence.models import Blob
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, Region

pytestmark = pytest.mark.django_db
D = dt.date


def marked(doc_type: str, marker: str) -> bytes:
    d = Docx(io.BytesIO(default_template(doc_type)))
    d.add_paragraph(marker)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def docx_of(*paragraphs: str) -> bytes:
    d = Docx()
    for p in paragraphs:
        d.add_paragraph(p)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def state() -> dict[str, Any]:
    return {"templates": list(DocumentTemplate.objects.order_by("id").values()),
            "blobs": Blob.objects.count(), "ledger": LedgerEntry.objects.count()}


def refused(code: str, fn: Any) -> ApplicationError:
    return refused_unchanged(code, fn, state)


def last_entry() -> tuple[LedgerEntry, dict[str, Any]]:
    e = LedgerEntry.objects.filter(stream=CONFIG_STREAM).order_by("-stream_seq").first()
    assert e is not None
    return e, json.loads(e.payload)


def upload(a: Agency, marker: str = "本局格式", doc_type: str = "prior_notice",
           **kwargs: Any) -> DocumentTemplate:
    kwargs.setdefault("actor", a.u_head)
    kwargs.setdefault("scope", "body")
    if kwargs["scope"] == "body":
        kwargs.setdefault("body", a.body)
    return template_upload(doc_type=doc_type, data=marked(doc_type, marker),
                           name=f"{marker}", **kwargs)


def test_the_system_default_is_generated_once_and_recorded(a: Agency) -> None:
    t = system_template_ensure("penalty_decision")
    assert (t.scope, t.version, t.state, t.uploaded_by, t.body, t.region) == (
        TemplateScope.SYSTEM, 1, TemplateState.IN_FORCE, None, None, None)
    assert read_bytes(t.blob) == default_template("penalty_decision")
    assert {"当事人", "裁量理由", "核验码", "核验二维码"} <= set(t.placeholders)
    entry, payload = last_entry()
    assert (entry.event_code, entry.actor_id, entry.actor_name, entry.seq) == (
        TEMPLATE_UPLOADED.code, None, "", t.ledger_seq)
    assert payload == {
        "template": str(t.public_id), "doc_type": "penalty_decision", "version": 1,
        "scope": "system", "body": "", "region": "", "name": "行政处罚决定书（系统默认）",
        "sha256": t.blob.sha256, "sm3": t.blob.sm3, "size": t.blob.size, "generated": True,
        "replaces": None}
    before = LedgerEntry.objects.count()
    assert system_template_ensure("penalty_decision") == t
    assert LedgerEntry.objects.count() == before


def test_a_changed_default_becomes_a_new_version(a: Agency, monkeypatch: Any) -> None:
    v1 = system_template_ensure("prior_notice")
    monkeypatch.setattr(templates_module, "_generated",
                        lambda doc_type: marked(doc_type, "新版默认格式"))
    v2 = system_template_ensure("prior_notice")
    v1.refresh_from_db()
    assert (v2.version, v2.state, v1.state) == (2, TemplateState.IN_FORCE,
                                                TemplateState.RETIRED)
    assert v1.retired_at is not None
    assert last_entry()[1]["replaces"] == 1
    # an administrator's system version is kept even though the generated one differs
    mine = upload(a, "管理员格式", actor=a.u_sysadmin, scope="system")
    template_activate(actor=a.u_sysadmin, template=mine)
    monkeypatch.setattr(templates_module, "_generated",
                        lambda doc_type: marked(doc_type, "再新版默认格式"))
    assert system_template_ensure("prior_notice") == mine
    assert template_for(body=a.body, doc_type="prior_notice") == mine


def test_the_body_then_the_province_then_the_system(a: Agency) -> None:
    system = system_template_ensure("prior_notice")
    province = upload(a, "湖南省统一格式", actor=a.u_sysadmin, scope="province",
                      region=a.regions["province"])
    assert province.region == a.regions["province"] and province.body is None
    assert template_for(body=a.body, doc_type="prior_notice") == system  # not in force yet
    template_file(actor=a.u_sysadmin, template=province, filing_number="湘司备〔2026〕3号",
                  filed_with="湖南省司法厅", filed_on=D(2026, 10, 8))
    template_activate(actor=a.u_sysadmin, template=province)
    own = upload(a, "芙蓉区格式")
    template_activate(actor=a.u_head, template=own)
    assert template_for(body=a.body, doc_type="prior_notice") == own
    assert template_for(body=a.other_body, doc_type="prior_notice") == province
    # a body in another province falls back to the system default
    hubei = f.body(Region.objects.create(code="420000", name="湖北省", level="province"),
                   a.market, name="湖北省某局")
    assert template_for(body=hubei, doc_type="prior_notice") == system
    template_retire(actor=a.u_sysadmin, template=province, reason="停止使用")
    assert template_for(body=a.other_body, doc_type="prior_notice") == system
    assert template_for(body=a.body, doc_type="prior_notice") == own


def test_versions_per_owner_and_activation_retires_the_previous(a: Agency) -> None:
    v1 = upload(a, "第一版")
    v2 = upload(a, "第二版")
    other = upload(a, "荷塘格式", actor=a.u_sysadmin, body=a.other_body)
    assert (v1.version, v2.version, other.version) == (1, 2, 1)
    assert (v1.state, v1.uploaded_by, v1.name) == (TemplateState.DRAFT, a.u_head, "第一版")
    entry, payload = last_entry()
    assert (entry.event_code, payload["generated"], payload["body"]) == (
        TEMPLATE_UPLOADED.code, False, a.other_body.credit_code)
    template_activate(actor=a.u_head, template=v1)
    template_activate(actor=a.u_head, template=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.state, v2.state) == (TemplateState.RETIRED, TemplateState.IN_FORCE)
    entry, payload = last_entry()
    assert entry.event_code == TEMPLATE_STATE_CHANGED.code
    assert (payload["state"], payload["version"], payload["replaces"]) == ("in_force", 2, 1)
    refused("template_in_force", lambda: template_activate(actor=a.u_head, template=v2))
    refused("reason_required", lambda: template_retire(actor=a.u_head, template=v2,
                                                       reason=""))
    template_retire(actor=a.u_head, template=v2, reason="格式有误")
    assert last_entry()[1]["reason"] == "格式有误"
    refused("template_retired", lambda: template_retire(actor=a.u_head, template=v2,
                                                        reason="再次"))
    # a retired version may be put back in force
    assert template_activate(actor=a.u_head, template=v1).state == TemplateState.IN_FORCE


def test_filing_is_recorded(a: Agency) -> None:
    t = upload(a, "湖南省统一格式", actor=a.u_sysadmin, scope="province",
               region=a.regions["province"])
    refused("filing_incomplete", lambda: template_file(
        actor=a.u_sysadmin, template=t, filing_number="", filed_with="湖南省司法厅",
        filed_on=D(2026, 10, 8)))
    refused("filing_date_future", lambda: template_file(
        actor=a.u_sysadmin, template=t, filing_number="1", filed_with="湖南省司法厅",
        filed_on=timezone.localdate() + dt.timedelta(days=1)))
    filed = template_file(actor=a.u_sysadmin, template=t, filing_number="湘司备〔2026〕12号",
                          filed_with="湖南省司法厅", filed_on=D(2026, 10, 8))
    assert (filed.filing_number, filed.filed_with, filed.filed_on, filed.state) == (
        "湘司备〔2026〕12号", "湖南省司法厅", D(2026, 10, 8), TemplateState.DRAFT)
    entry, payload = last_entry()
    assert entry.event_code == TEMPLATE_STATE_CHANGED.code
    assert (payload["filed"], payload["filing_number"], payload["filed_with"],
            payload["filed_on"]) == (True, "湘司备〔2026〕12号", "湖南省司法厅", "2026-10-08")


def test_a_filing_is_recorded_once(a: Agency) -> None:
    t = upload(a, "湖南省统一格式", actor=a.u_sysadmin, scope="province",
               region=a.regions["province"])
    template_file(actor=a.u_sysadmin, template=t, filing_number="湘司备〔2026〕12号",
                  filed_with="湖南省司法厅", filed_on=D(2026, 10, 8))
    err = refused("template_already_filed", lambda: template_file(
        actor=a.u_sysadmin, template=t, filing_number="湘司备〔2026〕99号",
        filed_with="湖南省司法厅", filed_on=D(2026, 10, 9)))
    assert "湘司备〔2026〕12号" in err.message
    t.refresh_from_db()
    assert (t.filing_number, t.filed_on) == ("湘司备〔2026〕12号", D(2026, 10, 8))


def test_a_province_template_is_put_in_force_only_once_filed(a: Agency) -> None:
    province = upload(a, "湖南省统一格式", actor=a.u_sysadmin, scope="province",
                      region=a.regions["province"])
    err = refused("template_not_filed", lambda: template_activate(actor=a.u_sysadmin,
                                                                  template=province))
    assert "省级部门可以制定本系统统一适用的执法文书格式文本，报省司法厅备案" in err.message
    assert err.status == 409
    template_file(actor=a.u_sysadmin, template=province, filing_number="湘司备〔2026〕12号",
                  filed_with="湖南省司法厅", filed_on=D(2026, 10, 8))
    assert template_activate(actor=a.u_sysadmin,
                             template=province).state == TemplateState.IN_FORCE
    # a body's own format and a system version need no filing by default
    own = upload(a, "芙蓉区格式")
    assert template_activate(actor=a.u_head, template=own).state == TemplateState.IN_FORCE
    mine = upload(a, "管理员格式", actor=a.u_sysadmin, scope="system")
    assert template_activate(actor=a.u_sysadmin, template=mine).state == TemplateState.IN_FORCE


def test_which_scopes_need_a_filing_is_a_setting(a: Agency, settings: Any) -> None:
    settings.ZHIFA_TEMPLATE_FILING_REQUIRED = ["body"]
    own = upload(a, "芙蓉区格式")
    refused("template_not_filed", lambda: template_activate(actor=a.u_head, template=own))
    province = upload(a, "湖南省统一格式", actor=a.u_sysadmin, scope="province",
                      region=a.regions["province"])
    assert template_activate(actor=a.u_sysadmin,
                             template=province).state == TemplateState.IN_FORCE
    template_file(actor=a.u_head, template=own, filing_number="芙备1号", filed_with="芙蓉区司法局",
                  filed_on=D(2026, 10, 8))
    assert template_activate(actor=a.u_head, template=own).state == TemplateState.IN_FORCE


def test_a_template_hiding_an_element_or_running_code_is_refused(a: Agency) -> None:
    system_template_ensure("penalty_decision")
    d = Docx(io.BytesIO(default_template("penalty_decision")))
    for p in d.paragraphs:
        if "{{ 证据采信理由 }}" in p.text:
            p.runs[-1].text = "{% if 0 %}{{ 证据采信理由 }}{% endif %}"
    d.add_paragraph("{% for i in range(99999) %}{{ 当事人 }}{% endfor %}")
    out = io.BytesIO()
    d.save(out)
    err = refused("template_invalid", lambda: template_upload(
        actor=a.u_head, doc_type="penalty_decision", scope="body", body=a.body, name="藏",
        data=out.getvalue()))
    problems = err.detail["problems"]
    assert len(problems) == 3, problems
    assert any("{% for %}" in p for p in problems)
    assert any("{{ 证据采信理由 }}" in p and "湘政办发〔2019〕23号" in p for p in problems)


def test_a_template_that_cannot_serve_the_type_is_refused(a: Agency, settings: Any) -> None:
    system_template_ensure("penalty_decision")
    err = refused("template_invalid", lambda: template_upload(
        actor=a.u_head, doc_type="penalty_decision", scope="body", body=a.body, name="坏模板",
        data=docx_of("{{ 当事人 }}{{ 证件号码 }}{{ 罚金 }}")))
    problems = err.detail["problems"]
    assert any("{{ 罚金 }}" in p for p in problems)
    assert any("{{ 裁量理由 }}" in p for p in problems)
    assert any("{{ 核验码 }}" in p for p in problems)
    assert any("{{ 模板版本 }}" in p for p in problems)
    unprinted = [e for e in doctype("penalty_decision").elements
                 if set(e.placeholders) - {"当事人", "证件号码"}]
    # the unknown placeholder, each element not printed, the verification code, the version
    assert all(p in err.message for p in problems) and len(problems) == 1 + len(unprinted) + 2
    refused("template_not_docx", lambda: template_upload(
        actor=a.u_head, doc_type="penalty_decision", scope="body", body=a.body, name="x",
        data=b"%PDF-1.7 not a docx"))
    refused("doc_type_unknown", lambda: template_upload(
        actor=a.u_head, doc_type="no_such", scope="body", body=a.body, name="x", data=b""))
    settings.ZHIFA_TEMPLATE_MAX_BYTES = 1000
    refused("template_too_large", lambda: upload(a))
    settings.ZHIFA_TEMPLATE_MAX_BYTES = 10 * 1024 ** 2
    refused("template_owner_missing", lambda: upload(a, actor=a.u_sysadmin, scope="province",
                                                     region=a.regions["city"]))
    refused("template_owner_missing", lambda: upload(a, actor=a.u_sysadmin, scope="body",
                                                     body=None))
    refused("template_scope_unknown", lambda: upload(a, actor=a.u_sysadmin, scope="city"))


def test_who_manages_templates(a: Agency) -> None:
    body_admin = f.user(f.person(a.body, "周亮"), roles=(AccountRole.BODY_ADMIN,))
    other_head = f.user(f.person(a.other_body, "郑海"), roles=(AccountRole.HEAD,))
    refused("missing_manage_documents", lambda: upload(a, actor=a.u_officer))
    refused("missing_manage_documents", lambda: upload(a, actor=a.u_supervisor))
    refused("body_out_of_scope", lambda: upload(a, actor=other_head))
    refused("missing_administer_system", lambda: upload(
        a, actor=a.u_head, scope="province", region=a.regions["province"]))
    refused("missing_administer_system", lambda: upload(a, actor=body_admin, scope="system"))
    t = upload(a, actor=body_admin)
    refused("body_out_of_scope", lambda: template_activate(actor=other_head, template=t))
    refused("missing_manage_documents", lambda: template_retire(
        actor=a.u_officer, template=t, reason="x"))
    province = upload(a, actor=a.u_sysadmin, scope="province", region=a.regions["province"])
    refused("missing_administer_system", lambda: template_activate(
        actor=a.u_head, template=province))
    refused("missing_administer_system", lambda: template_file(
        actor=a.u_head, template=province, filing_number="1", filed_with="湖南省司法厅",
        filed_on=D(2026, 10, 8)))
