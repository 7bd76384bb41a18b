"""Issuing documents: number, verify code, DOCX and PDF stored with their hashes on the
ledger, frozen; voiding keeps the number; a replaced template serves new documents only; an
incomplete decision is refused with nothing changed."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation
from docx import Document as Docx
from pypdf import PdfReader

from tests import factories as f
from tests.cases.factories import Agency, act, general_to_notice, reported
from tests.documents.factories import complete_fields, decision_draft, draft, refused_unchanged
from zhifa.cases import hooks
from zhifa.core.errors import ApplicationError
from zhifa.disclosure.events import PUBLICATION_CANCELLED
from zhifa.documents.events import DOCUMENT_ISSUED, DOCUMENT_VOIDED
from zhifa.documents.models import (
    Document,
    DocumentCounter,
    DocumentState,
    DocumentTemplate,
    TemplateScope,
)
from zhifa.documents.render.defaults import default_template
from zhifa.documents.services import (
    document_issue,
    document_update,
    document_void,
    read_bytes,
    system_template_ensure,
    template_activate,
    template_upload,
)
from zhifa.documents.services.checks import decision_document_hook
from zhifa.documents.services.issue import CODE_ALPHABET
from zhifa.evidence.models import Blob
from zhifa.evidence.storage import storage_named
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole

pytestmark = pytest.mark.django_db
D = dt.date
DECIDED_ON = D(2026, 9, 29)


@contextlib.contextmanager
def decision_check_off() -> Iterator[None]:
    """The decision's own check of its draft (``decision_document_hook``) switched off: a
    case decided on an incomplete draft, to see the issue check it again."""
    hooks.register("decision_document", lambda ctx: [])
    try:
        yield
    finally:
        hooks.register("decision_document", decision_document_hook)


def decided(a: Agency, outcome: str = "penalty", *, spare: int = 0,
            **overrides: str) -> tuple[Any, Document]:
    """A general case decided on 29 September 2026 on its decision draft, complete but for
    ``overrides`` (an incomplete draft is decided with the decision's own check off: the draft
    cannot be changed once decided). ``spare``: more complete drafts made before the decision
    (the case's ``spares`` attribute)."""
    case = general_to_notice(a)
    doc = decision_draft(a, case, outcome, **overrides)
    case.spares = [decision_draft(a, case, outcome) for _n in range(spare)]
    extra: dict[str, Any] = ({"kinds": ["fine"], "fine": "5000"} if outcome == "penalty"
                             else {"no_penalty_reason": "minor"})
    with decision_check_off() if overrides else contextlib.nullcontext():
        act(a, case, "decide", acted_on=DECIDED_ON, outcome=outcome, reasons="见决定书",
            **extra)
    doc.refresh_from_db()
    return case, doc


def docx_text(data: bytes) -> str:
    d = Docx(io.BytesIO(data))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def state() -> dict[str, Any]:
    return {"documents": list(Document.objects.order_by("id").values()),
            "counters": list(DocumentCounter.objects.order_by("id").values()),
            "templates": DocumentTemplate.objects.count(), "blobs": Blob.objects.count(),
            "ledger": LedgerEntry.objects.count()}


def refused(code: str, fn: Any) -> ApplicationError:
    return refused_unchanged(code, fn, state)


def stored(blob: Blob) -> bytes:
    with storage_named(blob.storage).open(blob.key) as fh:
        return fh.read()


def test_issue_numbers_renders_stores_and_records(a: Agency) -> None:
    case, doc = decided(a)
    doc = document_issue(actor=a.u_officer, document=doc, issued_on=DECIDED_ON)
    template = DocumentTemplate.objects.get(doc_type="penalty_decision",
                                            scope=TemplateScope.SYSTEM)
    assert (doc.state, doc.number, doc.number_key, doc.number_year, doc.number_seq) == (
        DocumentState.ISSUED, "芙蓉市监罚〔2026〕1号", "罚", 2026, 1)
    assert (doc.issued_on, doc.issued_by, doc.template) == (DECIDED_ON, a.u_officer, template)
    assert len(doc.verify_code) == 12 and set(doc.verify_code) <= set(CODE_ALPHABET)
    shown = "-".join(doc.verify_code[i:i + 4] for i in (0, 4, 8))
    # both files stored, their bytes matching the hashes
    assert doc.docx is not None and doc.pdf is not None
    for blob in (doc.docx, doc.pdf):
        data = stored(blob)
        assert (hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest(),
                len(data)) == (blob.sha256, blob.sm3, blob.size)
    assert read_bytes(doc.docx) == stored(doc.docx)
    text = docx_text(stored(doc.docx))
    for value in ("芙蓉市监罚〔2026〕1号", "长沙某某贸易有限公司", "人民币伍仟元整", shown,
                  "2026年9月29日", doc.fields["裁量理由"]):
        assert value in text, value
    text = pdf_text(stored(doc.pdf))
    assert "芙蓉市监罚〔2026〕1号" in text and "行政处罚决定书" in text
    # the values as printed are kept, without the image
    assert doc.context["文号"] == "芙蓉市监罚〔2026〕1号"
    assert doc.context["罚款金额大写"] == "人民币伍仟元整"
    assert doc.context["核验码"] == shown
    assert doc.context["核验网址"] == f"http://127.0.0.1:8000/v/{doc.verify_code}"
    assert doc.context["裁量理由"] == doc.fields["裁量理由"]
    assert "核验二维码" not in doc.context
    entry = LedgerEntry.objects.get(seq=doc.ledger_seq)
    assert (entry.event_code, entry.stream, entry.body_id) == (DOCUMENT_ISSUED.code,
                                                               case.stream, a.body.pk)
    assert json.loads(entry.payload) == {
        "document": str(doc.public_id), "case": case.number, "doc_type": "penalty_decision",
        "title": "行政处罚决定书", "number": "芙蓉市监罚〔2026〕1号",
        "verify_code": doc.verify_code,
        "template": {"id": str(template.public_id), "version": 1, "scope": "system",
                     "sha256": template.blob.sha256},
        "docx": {"sha256": doc.docx.sha256, "sm3": doc.docx.sm3, "size": doc.docx.size},
        "pdf": {"sha256": doc.pdf.sha256, "sm3": doc.pdf.sm3, "size": doc.pdf.size},
        "issued_on": "2026-09-29"}


def test_an_issued_document_is_frozen(a: Agency) -> None:
    _case, doc = decided(a)
    doc = document_issue(actor=a.u_officer, document=doc, issued_on=DECIDED_ON)
    refused("document_frozen", lambda: document_update(
        actor=a.u_officer, document=doc, fields={"裁量理由": "改"}))
    refused("document_frozen", lambda: document_issue(actor=a.u_officer, document=doc))


def test_void_keeps_the_number_and_needs_a_head_once_issued(a: Agency) -> None:
    case, doc = decided(a, spare=2)
    doc = document_issue(actor=a.u_officer, document=doc, issued_on=DECIDED_ON)
    refused("void_needs_head", lambda: document_void(actor=a.u_officer, document=doc,
                                                     reason="文号错误"))
    head_elsewhere = f.user(f.person(a.other_body, "郑海", roles=("head",)),
                            roles=(AccountRole.HEAD,))
    refused("case_out_of_scope", lambda: document_void(actor=head_elsewhere, document=doc,
                                                       reason="文号错误"))
    refused("reason_required", lambda: document_void(actor=a.u_head, document=doc,
                                                     reason=" "))
    voided = document_void(actor=a.u_head, document=doc, reason="处罚内容表述有误")
    assert (voided.state, voided.number, voided.void_reason, voided.voided_by) == (
        DocumentState.VOIDED, "芙蓉市监罚〔2026〕1号", "处罚内容表述有误", a.u_head)
    assert voided.docx_id == doc.docx_id and voided.verify_code == doc.verify_code
    # then the decision's publication draft is cancelled (disclosure's void listener)
    cancelled, entry = LedgerEntry.objects.filter(stream=case.stream).order_by(
        "-stream_seq")[:2]
    assert cancelled.event_code == PUBLICATION_CANCELLED.code
    assert entry.event_code == DOCUMENT_VOIDED.code
    assert json.loads(entry.payload) == {
        "document": str(doc.public_id), "case": case.number, "doc_type": "penalty_decision",
        "title": "行政处罚决定书", "number": "芙蓉市监罚〔2026〕1号",
        "reason": "处罚内容表述有误", "was": "issued"}
    refused("document_voided", lambda: document_void(actor=a.u_head, document=doc,
                                                     reason="再次"))
    # the voided number is never given again: the next decision takes the next one
    again = document_issue(actor=a.u_officer, document=case.spares[0], issued_on=DECIDED_ON)
    assert again.number == "芙蓉市监罚〔2026〕2号"
    # a draft: its handling officer may void it
    spare = case.spares[1]
    assert document_void(actor=a.u_officer, document=spare, reason="重复").state == "voided"


def _marked_template(doc_type: str, marker: str) -> bytes:
    d = Docx(io.BytesIO(default_template(doc_type)))
    d.add_paragraph(marker)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_a_replaced_template_serves_new_documents_and_old_ones_keep_theirs(a: Agency) -> None:
    case = general_to_notice(a)
    old = document_issue(actor=a.u_officer, document=draft(
        a, case, "prior_notice", fields=complete_fields("prior_notice")))
    system = system_template_ensure("prior_notice")
    assert old.template == system
    old_docx = stored(old.docx)  # type: ignore[arg-type]
    own = template_upload(actor=a.u_head, doc_type="prior_notice", scope="body",
                          data=_marked_template("prior_notice", "芙蓉区市场监督管理局专用格式"),
                          name="事先告知书（本局格式）", body=a.body)
    template_activate(actor=a.u_head, template=own)
    new = document_issue(actor=a.u_officer, document=draft(
        a, case, "prior_notice", fields=complete_fields("prior_notice")))
    assert new.template == own and new.number == f"芙蓉市监罚告〔{timezone.localdate().year}〕2号"
    assert "芙蓉区市场监督管理局专用格式" in docx_text(stored(new.docx))  # type: ignore[arg-type]
    old.refresh_from_db()
    assert old.template == system
    assert stored(old.docx) == old_docx  # type: ignore[arg-type]
    assert "芙蓉区市场监督管理局专用格式" not in docx_text(old_docx)
    # the other body still uses the system default
    assert json.loads(LedgerEntry.objects.get(seq=new.ledger_seq).payload)["template"] == {
        "id": str(own.public_id), "version": 1, "scope": "body", "sha256": own.blob.sha256}


@pytest.mark.parametrize(("overrides", "code", "names"), [
    ({"裁量理由": ""}, "decision_reasons_missing", ["裁量理由"]),
    ({"证据采信理由": " ", "依据选择理由": ""}, "decision_reasons_missing",
     ["证据采信理由", "依据选择理由"]),
    ({"处罚内容": ""}, "document_elements_missing", ["处罚内容"]),
    ({"复议机关": "", "诉讼期限": ""}, "document_elements_missing", ["复议机关", "诉讼期限"]),
])
def test_an_incomplete_decision_is_refused(a: Agency, overrides: dict[str, str], code: str,
                                           names: list[str]) -> None:
    _case, doc = decided(a, **overrides)
    # refused before any template is looked for (the system default is not even made)
    with translation.override("zh-hans"):
        err = refused(code, lambda: document_issue(actor=a.u_officer, document=doc))
    assert err.message.startswith("行政处罚决定书") or "行政处罚决定书" in err.message
    for name in names:
        assert name in err.message
    if code == "decision_reasons_missing":
        assert err.detail["reasons"] == names
    else:
        assert [p for e in err.detail["elements"] for p in e["placeholders"]] == names


def test_a_missing_party_identity_is_refused(a: Agency) -> None:
    case, doc = decided(a)
    case.parties.update(credit_code="")
    err = refused("document_elements_missing",
                  lambda: document_issue(actor=a.u_officer, document=doc))
    assert "证件号码" in err.message


def test_a_decision_is_issued_only_after_the_decision(a: Agency) -> None:
    case = reported(a)
    doc = decision_draft(a, case)
    refused("document_not_ready", lambda: document_issue(actor=a.u_officer, document=doc))
    # a no-penalty outcome does not let the penalty decision out
    case2 = general_to_notice(a)
    doc2 = decision_draft(a, case2, "no_penalty")
    penalty = decision_draft(a, case2, "penalty")
    act(a, case2, "decide", acted_on=DECIDED_ON, outcome="no_penalty", reasons="见决定书",
        no_penalty_reason="minor")
    refused("document_not_ready", lambda: document_issue(actor=a.u_officer, document=penalty))
    assert document_issue(actor=a.u_officer, document=doc2).number == (
        f"芙蓉市监不罚〔{timezone.localdate().year}〕1号")


def test_the_date_of_the_document(a: Agency) -> None:
    _case, doc = decided(a)
    refused("issued_on_future", lambda: document_issue(
        actor=a.u_officer, document=doc, issued_on=timezone.localdate() + dt.timedelta(days=1)))
    refused("issued_on_too_early", lambda: document_issue(
        actor=a.u_officer, document=doc, issued_on=DECIDED_ON - dt.timedelta(days=1)))
    assert document_issue(actor=a.u_officer, document=doc).issued_on == timezone.localdate()


def test_only_handlers_of_the_body_issue(a: Agency) -> None:
    _case, doc = decided(a)
    refused("case_out_of_scope", lambda: document_issue(actor=a.u_other, document=doc))
    refused("missing_handle_cases", lambda: document_issue(actor=a.u_supervisor, document=doc))


def test_a_record_has_no_number_but_a_verify_code(a: Agency) -> None:
    case = general_to_notice(a)
    doc = document_issue(actor=a.u_officer, document=draft(
        a, case, "questioning_record", fields=complete_fields("questioning_record")))
    assert (doc.state, doc.number, doc.number_key, doc.number_year) == ("issued", "", "", None)
    assert len(doc.verify_code) == 12
    assert DocumentCounter.objects.count() == 0


def test_a_number_taken_meanwhile_is_rendered_again(a: Agency, monkeypatch: Any) -> None:
    """Phase 1 renders with the number it peeked; when another issue took it in between,
    the files are rendered again with the number actually taken."""
    from zhifa.documents.services import issue

    _case, doc = decided(a)
    monkeypatch.setattr(issue, "number_peek", lambda *args: "芙蓉市监罚〔2026〕99号")
    doc = document_issue(actor=a.u_officer, document=doc, issued_on=DECIDED_ON)
    assert doc.number == "芙蓉市监罚〔2026〕1号"
    text = docx_text(stored(doc.docx))  # type: ignore[arg-type]
    assert "芙蓉市监罚〔2026〕1号" in text and "99号" not in text
    assert "芙蓉市监罚〔2026〕1号" in pdf_text(stored(doc.pdf))  # type: ignore[arg-type]
    assert doc.context["文号"] == "芙蓉市监罚〔2026〕1号"


@pytest.mark.django_db(transaction=True)
def test_documents_issued_at_the_same_moment_get_consecutive_numbers() -> None:
    """4 threads each issue 2 prior notices of one body at once (render, then the numbering
    transaction): numbers 1–8, no gap, no duplicate, each file showing its own number."""
    from tests.cases.factories import agency
    from tests.documents.test_numbering import run_threads

    a = agency()
    system_template_ensure("prior_notice")
    cases = [general_to_notice(a) for _n in range(4)]
    drafts = [[draft(a, c, "prior_notice", fields=complete_fields("prior_notice"))
               for _i in range(2)] for c in cases]

    def work(docs: list[Document], call: Any) -> Any:
        for d in docs:
            yield call(lambda d=d: document_issue(actor=a.u_officer, document=d).pk)

    made, errors, _retries = run_threads(work, drafts)
    assert errors == []
    year = timezone.localdate().year
    expected = sorted(f"芙蓉市监罚告〔{year}〕{n}号" for n in range(1, 9))
    issued = Document.objects.filter(pk__in=made)
    assert sorted(d.number for d in issued) == expected
    for d in issued:
        assert d.number in docx_text(stored(d.docx))  # type: ignore[arg-type]
    assert DocumentCounter.objects.get(body=a.body, key="罚告", year=year).last == 8
