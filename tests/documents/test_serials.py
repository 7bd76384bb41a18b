"""Pre-numbered forms of the summary procedure: books, the serial as the decision's number,
used once, voided with a reason."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import Agency, act, open_case, person_party
from tests.documents.factories import complete_fields, draft, refused_unchanged
from zhifa.core.errors import ApplicationError
from zhifa.disclosure.events import PUBLICATION_DRAFTED
from zhifa.documents.events import (
    CONFIG_STREAM,
    DOCUMENT_ISSUED,
    SERIAL_BOOK_SAVED,
    SERIAL_USED,
    SERIAL_VOIDED,
)
from zhifa.documents.models import Document, SerialBook, SerialState, SerialUse
from zhifa.documents.services import (
    document_issue,
    serial_book_register,
    serial_find,
    serial_void,
    system_template_ensure,
)
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole

pytestmark = pytest.mark.django_db
D = dt.date


def book(a: Agency, first: int = 1, last: int = 100, prefix: str = "湘F", body: Any = None,
         actor: Any = None, **kwargs: Any) -> SerialBook:
    return serial_book_register(actor=actor or a.u_head, body=body or a.body, first=first,
                                last=last, prefix=prefix, received_on=D(2026, 8, 1), **kwargs)


def state() -> dict[str, Any]:
    return {"books": list(SerialBook.objects.order_by("id").values()),
            "uses": list(SerialUse.objects.order_by("id").values()),
            "documents": list(Document.objects.order_by("id").values()),
            "ledger": LedgerEntry.objects.count()}


def refused(code: str, fn: Any) -> ApplicationError:
    return refused_unchanged(code, fn, state)


def decided_on_spot(a: Agency, serial: str) -> tuple[Any, Document]:
    """A summary case decided on the spot with ``serial`` and its complete decision draft.
    (The decision checks the serial too, ``test_checks``; these tests make it pass there
    and fail at issue, by what happens in between.)"""
    case = open_case(a, "summary", received_on=D(2026, 9, 1), parties=[person_party()])
    act(a, case, "decide_on_spot", acted_on=D(2026, 9, 1), act_date=D(2026, 9, 1),
        facts="当事人占道经营", kinds=["fine"], fine="50", serial=serial)
    return case, draft(a, case, "summary_decision",
                       fields=complete_fields("summary_decision"))


def test_register_a_book(a: Agency) -> None:
    holder = a.officer
    b = book(a, 1, 500, holder=holder, note="2026年第一批")
    assert (str(b), b.width, b.holder, b.doc_type) == (
        "湘F00000001–湘F00000500", 8, holder, "summary_decision")
    entry = LedgerEntry.objects.get(seq=b.ledger_seq)
    assert (entry.event_code, entry.stream, entry.body_id) == (
        SERIAL_BOOK_SAVED.code, CONFIG_STREAM, a.body.pk)
    assert json.loads(entry.payload) == {
        "book": str(b.public_id), "body": a.body.credit_code, "doc_type": "summary_decision",
        "prefix": "湘F", "first": "湘F00000001", "last": "湘F00000500", "width": 8,
        "received_on": "2026-08-01", "holder": holder.name}
    # next to it, another prefix, another width: no overlap
    book(a, 501, 600)
    book(a, 1, 100, prefix="湘A")
    book(a, 1, 999, prefix="", width=3)


def test_overlapping_books_and_bad_fields_are_refused(a: Agency) -> None:
    book(a, 100, 200)
    refused("serial_book_overlap", lambda: book(a, 200, 300))
    refused("serial_book_overlap", lambda: book(a, 1, 100))
    refused("serial_book_overlap", lambda: book(a, 120, 130, body=a.other_body,
                                                actor=a.u_sysadmin))
    err = refused("invalid_fields", lambda: book(a, 300, 299))
    assert set(err.detail) == {"last"}
    err = refused("invalid_fields", lambda: book(a, 1, 1000, prefix="X", width=3))
    assert set(err.detail) == {"width"}
    err = refused("invalid_fields", lambda: serial_book_register(
        actor=a.u_head, body=a.body, first=1, last=9, prefix="Y",
        received_on=timezone.localdate() + dt.timedelta(days=1),
        holder=f.person(a.other_body, "赵六")))
    assert set(err.detail) == {"received_on", "holder"}


def test_who_registers_books_and_voids_serials(a: Agency) -> None:
    other_admin = f.user(f.person(a.other_body, "孙丽"), roles=(AccountRole.BODY_ADMIN,))
    refused("missing_manage_documents", lambda: book(a, actor=a.u_officer))
    refused("body_out_of_scope", lambda: book(a, actor=other_admin))
    book(a)
    refused("missing_manage_documents", lambda: serial_void(
        actor=a.u_officer, body=a.body, serial="湘F00000001", reason="填错"))
    refused("body_out_of_scope", lambda: serial_void(
        actor=other_admin, body=a.body, serial="湘F00000001", reason="填错"))


def test_find_a_serial(a: Agency) -> None:
    b = book(a, 10, 20)
    assert serial_find(a.body, "湘F00000010") == b
    assert serial_find(a.body, " 湘F 00000020 ") == b
    for serial in ("湘F00000009", "湘F00000021", "湘F0000010", "湘A00000010", "00000010", ""):
        assert serial_find(a.body, serial) is None, serial
    assert serial_find(a.other_body, "湘F00000010") is None


def test_a_summary_decision_takes_its_forms_serial(a: Agency) -> None:
    b = book(a)
    system_template_ensure("summary_decision")
    case, doc = decided_on_spot(a, "湘F00000012")
    doc = document_issue(actor=a.u_officer, document=doc, issued_on=D(2026, 9, 1))
    assert (doc.number, doc.number_key, doc.number_year, doc.number_seq) == (
        "湘F00000012", "serial", 2026, None)
    use = SerialUse.objects.get(serial="湘F00000012")
    assert (use.book, use.state, use.case, use.by) == (b, SerialState.USED, case, a.u_officer)
    # after the serial and the document, the decision's publication is drafted
    drafted, issued, used = LedgerEntry.objects.filter(stream=case.stream).order_by(
        "-stream_seq")[:3]
    assert drafted.event_code == PUBLICATION_DRAFTED.code
    assert (used.event_code, used.seq) == (SERIAL_USED.code, use.ledger_seq)
    assert json.loads(used.payload) == {"serial": "湘F00000012", "case": case.number,
                                        "book": str(b.public_id)}
    assert issued.event_code == DOCUMENT_ISSUED.code
    assert doc.context["文号"] == "湘F00000012"


def test_a_serial_outside_the_books_or_used_is_refused_at_issue(a: Agency) -> None:
    system_template_ensure("summary_decision")
    # decided before the body registered its books: any serial was accepted then
    _case, doc = decided_on_spot(a, "湘F00009999")
    book(a)
    refused("serial_unknown", lambda: document_issue(actor=a.u_officer, document=doc))
    # two decisions on one form, both before its decision document was issued
    _case, first = decided_on_spot(a, "湘F00000001")
    _case, second = decided_on_spot(a, "湘F00000001")
    document_issue(actor=a.u_officer, document=first)
    refused("serial_used", lambda: document_issue(actor=a.u_officer, document=second))


def test_void_a_spoiled_form(a: Agency) -> None:
    b = book(a)
    refused("reason_required", lambda: serial_void(actor=a.u_head, body=a.body,
                                                   serial="湘F00000003", reason=""))
    refused("serial_unknown", lambda: serial_void(actor=a.u_head, body=a.body,
                                                  serial="湘F00000101", reason="填错"))
    system_template_ensure("summary_decision")
    _case, doc = decided_on_spot(a, "湘F00000003")  # the form is voided after the decision
    use = serial_void(actor=a.u_head, body=a.body, serial="湘F00000003", reason="填写错误作废")
    assert (use.book, use.state, use.reason, use.case, use.by) == (
        b, SerialState.VOIDED, "填写错误作废", None, a.u_head)
    entry = LedgerEntry.objects.get(seq=use.ledger_seq)
    assert (entry.event_code, entry.stream) == (SERIAL_VOIDED.code, CONFIG_STREAM)
    assert json.loads(entry.payload) == {"serial": "湘F00000003", "reason": "填写错误作废",
                                         "book": str(b.public_id)}
    refused("serial_used", lambda: serial_void(actor=a.u_head, body=a.body,
                                               serial="湘F00000003", reason="再次"))
    refused("serial_used", lambda: document_issue(actor=a.u_officer, document=doc))


def test_a_body_without_books_numbers_by_the_serial_as_typed(a: Agency) -> None:
    system_template_ensure("summary_decision")
    _case, doc = decided_on_spot(a, "S-0001")
    assert document_issue(actor=a.u_officer, document=doc).number == "S-0001"
    assert SerialUse.objects.count() == 0
    _case, again = decided_on_spot(a, "S-0001")
    refused("serial_used", lambda: document_issue(actor=a.u_officer, document=again))
