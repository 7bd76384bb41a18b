"""Every document type renders from a real case in both formats: drafted through the service
on a case of a procedure that uses it (prefilled from the case's steps), the rest of its
required fields filled in, previewed as DOCX and as PDF. The files name the party and the
enforcement body; the types that print amounts print them in figures and in Chinese
uppercase; the decisions with written reasons print the three reasons; what the case
prefilled is printed. And one decision issued end to end: its stored PDF carries the number,
the party, both forms of the amount, the three reasons and the verify code.

The cases (one of each procedure) are made once for the module; each test's drafts are
rolled back with the test."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import docx
import pytest
from django.db import transaction
from pypdf import PdfReader

from tests.cases.factories import Agency, act, agency, company_party, open_case, person_party
from tests.conftest import _installed_hooks
from tests.documents.factories import FIELD_VALUES, REASONS, issued
from zhifa.cases import hooks
from zhifa.cases.models import Case
from zhifa.cases.procedures.other import ACL18_STEPS
from zhifa.documents.doctypes import TYPES, DocType
from zhifa.documents.models import Document
from zhifa.documents.render.chinese import date_zh, money_figures, money_upper
from zhifa.documents.services import document_draft, document_preview, document_update
from zhifa.documents.services.context import code_display
from zhifa.evidence.storage import storage_named

D = dt.date
BODY = "芙蓉区市场监督管理局"
COMPANY = "长沙某某贸易有限公司"
PERSON = "陈某"
ADDRESS = "长沙市芙蓉区五一大道1号"
FINE, CONFISCATION = 500_000, 320_000     # fen: the general case's proposed amounts
SUMMARY_FINE = 20_000                     # fen: 200 yuan on the spot

# which procedure's case drafts each type: the procedure of the type's own steps, and the
# types every procedure uses spread over the others so that each kind of case is drawn
SHARED = {"on_site_record": "coercive", "correction_order": "inspection",
          "e_service_consent": "licensing", "service_receipt": "summary",
          "closing_report": "coercive"}
AMOUNT_TYPES = {"penalty_decision", "prior_notice", "summary_decision"}
FACTS = "经查，当事人销售经检验不合格的电热水壶120台。"
# values some types must take from their case's steps (the rest: from the case, the item,
# the body's profile, or typed)
FROM_STEPS: dict[str, dict[str, str]] = {
    "registration_approval": {"立案理由": "举报核实，涉嫌销售不合格产品"},
    "preservation_notice": {"保存物品": "不合格产品120件"},
    "investigation_report": {"违法事实": FACTS},
    "prior_notice": {"违法事实": FACTS},
    "penalty_decision": {"违法事实": FACTS},
    "no_penalty_decision": {"违法事实": FACTS},
    "summary_decision": {"违法事实": "当事人占道经营"},
    "correction_order": {"违法事实": "经营超过保质期的食品", "改正期限": "2026-10-03"},
    "inspection_record": {"检查地点": "某超市", "检查情况": "货架上有过期食品3件"},
    "missing_materials_notice": {"补正材料": "营业执照、经营场所证明"},
    "licensing_decision": {"申请事项": "食品经营许可申请",
                           "不予许可理由": "经营场所不符合法定条件"},
    "e_service_consent": {"送达地址": ADDRESS},
    "service_receipt": {"受送达人": PERSON},
}


def procedure_of(t: DocType) -> str:
    chosen = SHARED.get(t.code, t.procedures[0])
    assert chosen in t.procedures
    return chosen


def build_cases() -> tuple[Agency, dict[str, Case]]:
    """One case of each procedure, taken as far as the types' prefills need."""
    a = agency()
    company = dataclasses.replace(company_party(), address=ADDRESS)
    person = person_party(PERSON)
    # general: registered, investigated and reported with its facts, a fine and a
    # confiscation (the decision documents are drafted before the decision)
    general = open_case(a, received_on=D(2026, 9, 1), parties=[company])
    act(a, general, "register", acted_on=D(2026, 9, 2), act_date=D(2026, 8, 22),
        grounds="举报核实，涉嫌销售不合格产品")
    act(a, general, "start_investigation", acted_on=D(2026, 9, 3))
    act(a, general, "record_investigation", acted_on=D(2026, 9, 6), kind="inspection",
        summary="现场检查，发现不合格产品120件")
    act(a, general, "preserve_evidence", acted_on=D(2026, 9, 6), items="不合格产品120件")
    act(a, general, "submit_report", acted_on=D(2026, 9, 21),
        facts=FACTS,
        kinds=["fine", "confiscate_property"], fine=str(FINE // 100),
        confiscation=str(CONFISCATION // 100))
    # coercive: a seizure applied on site (its recording is the evidence app's concern: the
    # cases app's default hook here)
    coercive = open_case(a, "coercive", received_on=D(2026, 9, 1), parties=[company])
    hooks.reset("av_recorded")
    act(a, coercive, "apply_measure", acted_on=D(2026, 9, 2), measure="seize",
        items="电热水壶120台", place="某厂仓库", steps=[s for s, _l in ACL18_STEPS],
        onsite_from="2026-09-02T09:30", onsite_until="2026-09-02T10:40")
    _installed_hooks()
    # inspection: inspected, concluded with an order to correct
    inspection = open_case(a, "inspection", received_on=D(2026, 9, 1), parties=[company])
    act(a, inspection, "start_inspection", acted_on=D(2026, 9, 2), place="某超市",
        findings="货架上有过期食品3件")
    act(a, inspection, "conclude", acted_on=D(2026, 9, 3), result="order_to_correct",
        conclusion="经营超过保质期的食品", correct_by=D(2026, 10, 3))
    # licensing: materials asked for and supplied, accepted, denied
    licensing = open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company],
                          title="食品经营许可申请")
    act(a, licensing, "request_materials", acted_on=D(2026, 9, 3),
        missing="营业执照、经营场所证明")
    act(a, licensing, "materials_supplied", acted_on=D(2026, 9, 10))
    act(a, licensing, "accept", acted_on=D(2026, 9, 14))
    act(a, licensing, "deny", acted_on=D(2026, 9, 20), reason="经营场所不符合法定条件")
    # summary: a fine decided on the spot
    summary = open_case(a, "summary", received_on=D(2026, 9, 1), parties=[person])
    act(a, summary, "decide_on_spot", acted_on=D(2026, 9, 1), act_date=D(2026, 9, 1),
        facts="当事人占道经营", kinds=["fine"], fine=str(SUMMARY_FINE // 100),
        serial="HN-0001")
    return a, {"general": general, "coercive": coercive, "inspection": inspection,
               "licensing": licensing, "summary": summary}


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[tuple[Agency, dict]]:
    """The agency and its cases, made once; each test's own writes are a savepoint inside
    this transaction (pytest-django's ``db``), all rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        _installed_hooks()
        yield build_cases()
        transaction.set_rollback(True)


def docx_text(data: bytes) -> str:
    d = docx.Document(io.BytesIO(data))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def flat(text: str) -> str:
    """Without any white space: a PDF's extracted lines break where the page wrapped."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def as_printed(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return date_zh(dt.date.fromisoformat(value))
    return value


def drafted(a: Agency, case: Case, t: DocType) -> tuple[Document, dict[str, str]]:
    """The type drafted on the case as the service prefills it, then its empty required
    fields filled in; the document and the values the case prefilled."""
    doc = document_draft(actor=a.u_officer, case=case, doc_type=t.code)
    prefilled = {k: v for k, v in doc.fields.items() if v}
    missing = {f.name: FIELD_VALUES.get(f.name, f"{f.name}内容") for f in t.fields
               if f.required and not doc.fields.get(f.name)}
    if missing:
        doc = document_update(actor=a.u_officer, document=doc, fields=missing)
    return doc, prefilled


@pytest.mark.parametrize("code", [t.code for t in TYPES])
def test_every_type_renders_from_its_case_in_both_formats(db: None, world: Any,
                                                          code: str) -> None:
    a, cases = world
    t = next(t for t in TYPES if t.code == code)
    case = cases[procedure_of(t)]
    doc, prefilled = drafted(a, case, t)
    party = PERSON if case.procedure == "summary" else COMPANY
    assert FROM_STEPS.get(code, {}).items() <= prefilled.items()

    data = document_preview(actor=a.u_officer, document=doc, fmt="docx")
    words = docx_text(data)
    assert party in words and BODY in words and t.title in words
    # what the case prefilled is printed (a date in its Chinese form)
    for name, value in prefilled.items():
        for line in value.splitlines():
            assert as_printed(line.strip()) in words, (name, line)

    pdf = document_preview(actor=a.u_officer, document=doc, fmt="pdf")
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert party in text and BODY in text and flat(t.title) in text
    if code in AMOUNT_TYPES:
        amounts = ([SUMMARY_FINE] if case.procedure == "summary"
                   else [FINE, CONFISCATION, FINE + CONFISCATION])
        for fen in amounts:
            assert money_figures(fen) in text, money_figures(fen)
            assert money_upper(fen) in text, money_upper(fen)
    if t.reasons:
        for name, reason in REASONS.items():
            assert flat(reason) in text, name


def stored(blob: Any) -> bytes:
    with storage_named(blob.storage).open(blob.key) as fh:
        data: bytes = fh.read()
    return data


def test_an_issued_decision_prints_number_party_amounts_reasons_and_code(db: None,
                                                                         world: Any) -> None:
    """Drafted before the decision (as the decision requires), decided, issued: the stored
    PDF as a reader extracts it."""
    a, cases = world
    case = cases["general"]
    t = next(t for t in TYPES if t.code == "penalty_decision")
    doc, _prefilled = drafted(a, case, t)
    act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
        method="direct")
    act(a, case, "decide", acted_on=D(2026, 9, 29), outcome="penalty",
        kinds=["fine", "confiscate_property"], fine=str(FINE // 100),
        confiscation=str(CONFISCATION // 100), reasons="见决定书")
    doc = issued(a, doc, issued_on=D(2026, 9, 29))
    assert doc.number == "芙蓉市监罚〔2026〕1号" and doc.pdf is not None
    text = pdf_text(stored(doc.pdf))
    for value in (doc.number, COMPANY, BODY, code_display(doc.verify_code), "2026年9月29日"):
        assert flat(value) in text, value
    for fen in (FINE, CONFISCATION, FINE + CONFISCATION):
        assert money_figures(fen) in text and money_upper(fen) in text, fen
    for name in REASONS:
        assert flat(doc.fields[name]) in text, name
    assert "草稿" not in text
