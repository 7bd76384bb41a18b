"""Pre-numbered forms (预先编号的当场行政处罚决定书): a body registers the books of forms it
received; a summary decision is numbered by the serial printed on the form the officer
filled in on the spot (the ``serial`` of the ``decide_on_spot`` step).

When a body has registered books, a serial must belong to one of them and may be used once;
a spoiled form is voided with its reason. A body without books numbers by the serial as
typed (it is still never given twice). A serial is a book's ``prefix`` followed by the
number zero-padded to ``width`` digits. Forms are printed with serials unique beyond one
body, so books with the same prefix may not overlap whichever body holds them (the serial
of a use is unique in the installation).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.models import Case
from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody, Person

from ..events import CONFIG_STREAM, SERIAL_BOOK_SAVED, SERIAL_USED, SERIAL_VOIDED
from ..models import SerialBook, SerialState, SerialUse
from ._access import require_manage

SERIAL_TYPE = "summary_decision"


def _clean_serial(serial: str) -> str:
    return re.sub(r"\s+", "", serial or "")


@transaction.atomic
def serial_book_register(*, actor: Any, body: EnforcementBody, first: int, last: int,
                         received_on: dt.date, prefix: str = "", width: int = 8,
                         holder: Person | None = None, note: str = "") -> SerialBook:
    """Register a book of forms ``prefix`` + ``first``…``last`` received by ``body``."""
    require_manage(actor, body)
    prefix = _clean_serial(prefix)
    problems: dict[str, str] = {}
    if first is None or last is None or first < 1 or last < first:
        problems["last"] = str(_("The last serial must not be below the first (both from 1)."))
    elif len(str(last)) > width or not 1 <= width <= 20:
        problems["width"] = str(_("The serials do not fit in %(width)s digits.")
                                % {"width": width})
    if len(prefix) > 32:
        problems["prefix"] = str(_("The prefix is longer than 32 characters."))
    if received_on is None or received_on > timezone.localdate():
        problems["received_on"] = str(_("The date received cannot be in the future."))
    if holder is not None and holder.body_id != body.pk:
        problems["holder"] = str(_("The holder must be a person of the body."))
    if problems:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=problems)
    # serialize registrations: two overlapping books never both get in
    list(SerialBook.objects.select_for_update().filter(prefix=prefix).values_list("pk"))
    clash = SerialBook.objects.filter(prefix=prefix, first__lte=last, last__gte=first).first()
    if clash is not None:
        raise ApplicationError(
            _("These serials overlap a book already registered (%(book)s).")
            % {"book": str(clash) if clash.body_id == body.pk else _("of another body")},
            code="serial_book_overlap")
    book = SerialBook.objects.create(body=body, prefix=prefix, first=first, last=last,
                                     width=width, holder=holder, received_on=received_on,
                                     note=(note or "").strip())
    entry = ledger_append(actor=actor, event=SERIAL_BOOK_SAVED, stream=CONFIG_STREAM,
                          body=body, payload={
                              "book": str(book.public_id), "body": body.credit_code,
                              "doc_type": book.doc_type, "prefix": prefix,
                              "first": book.serial(first), "last": book.serial(last),
                              "width": width, "received_on": received_on.isoformat(),
                              "holder": holder.name if holder is not None else ""})
    book.ledger_seq = entry.seq
    book.save(update_fields=["ledger_seq"])
    return book


def body_has_books(body: EnforcementBody) -> bool:
    return SerialBook.objects.filter(body=body, doc_type=SERIAL_TYPE).exists()


def serial_find(body: EnforcementBody, serial: str) -> SerialBook | None:
    """The body's book that holds ``serial`` (exactly as printed: prefix and all digits)."""
    serial = _clean_serial(serial)
    for book in SerialBook.objects.filter(body=body, doc_type=SERIAL_TYPE).order_by("id"):
        if not serial.startswith(book.prefix):
            continue
        digits = serial[len(book.prefix):]
        if len(digits) == book.width and digits.isdigit() \
                and book.first <= int(digits) <= book.last:
            return book
    return None


def serial_problem(body: EnforcementBody, serial: str) -> ApplicationError | None:
    """Why ``serial`` cannot number a summary decision of ``body`` now (None: it can)."""
    serial = _clean_serial(serial)
    if not serial:
        return InvalidInput(_("Enter the serial of the pre-numbered form."),
                            code="serial_unknown")
    if body_has_books(body) and serial_find(body, serial) is None:
        return ApplicationError(
            _("Serial %(serial)s is not in a book of forms registered by the body.")
            % {"serial": serial}, code="serial_unknown")
    use = SerialUse.objects.filter(serial=serial).first()
    if use is not None:
        return ApplicationError(
            _("Form %(serial)s has already been used or voided.") % {"serial": serial},
            code="serial_used")
    from ..models import Document

    if Document.objects.filter(number=serial).exists():
        return ApplicationError(
            _("Form %(serial)s has already been used or voided.") % {"serial": serial},
            code="serial_used")
    return None


def serial_use(*, actor: Any, case: Case, serial: str) -> SerialUse | None:
    """Record that ``serial`` numbers ``case``'s decision (inside the issuing transaction):
    a ``SerialUse`` and a ``SERIAL_USED`` entry when it is in a book; None when the body has
    no books."""
    serial = _clean_serial(serial)
    problem = serial_problem(case.body, serial)
    if problem is not None:
        raise problem
    book = serial_find(case.body, serial)
    if book is None:
        return None
    use = SerialUse.objects.create(book=book, serial=serial, state=SerialState.USED, case=case,
                                   by=actor)
    entry = ledger_append(actor=actor, event=SERIAL_USED, stream=case.stream, body=case.body,
                          payload={"serial": serial, "case": case.number,
                                   "book": str(book.public_id)})
    use.ledger_seq = entry.seq
    use.save(update_fields=["ledger_seq"])
    return use


@transaction.atomic
def serial_void(*, actor: Any, body: EnforcementBody, serial: str, reason: str) -> SerialUse:
    """Void a spoiled form of one of the body's books (it can then never number a
    decision)."""
    require_manage(actor, body)
    serial = _clean_serial(serial)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for voiding the form."), code="reason_required")
    book = serial_find(body, serial)
    if book is None:
        raise ApplicationError(
            _("Serial %(serial)s is not in a book of forms registered by the body.")
            % {"serial": serial}, code="serial_unknown")
    list(SerialBook.objects.select_for_update().filter(pk=book.pk).values_list("pk"))
    if SerialUse.objects.filter(serial=serial).exists():
        raise ApplicationError(
            _("Form %(serial)s has already been used or voided.") % {"serial": serial},
            code="serial_used")
    use = SerialUse.objects.create(book=book, serial=serial, state=SerialState.VOIDED,
                                   reason=reason, by=actor)
    entry = ledger_append(actor=actor, event=SERIAL_VOIDED, stream=CONFIG_STREAM, body=body,
                          payload={"serial": serial, "reason": reason,
                                   "book": str(book.public_id)})
    use.ledger_seq = entry.seq
    use.save(update_fields=["ledger_seq"])
    return use


def serial_use_void(*, actor: Any, case: Case, serial: str, reason: str,
                    document: Any = None) -> SerialUse | None:
    """Inside ``document_void`` (its transaction): the form that numbered ``case``'s voided
    summary decision is spoiled with it, ``SerialUse`` voided with the reason and a
    ``SERIAL_VOIDED`` entry on the case's stream. None when the serial is in no book (a body
    without books: the voided document keeps the serial, which is never given again)."""
    serial = _clean_serial(serial)
    use = (SerialUse.objects.select_for_update()
           .filter(serial=serial, case=case, state=SerialState.USED).first())
    if use is None:
        return None
    use.state, use.reason = SerialState.VOIDED, reason
    entry = ledger_append(actor=actor, event=SERIAL_VOIDED, stream=case.stream, body=case.body,
                          payload={"serial": serial, "reason": reason, "case": case.number,
                                   "book": str(use.book.public_id),
                                   "document": str(document.public_id)
                                   if document is not None else ""})
    use.ledger_seq = entry.seq
    use.save(update_fields=["state", "reason", "ledger_seq"])
    return use
