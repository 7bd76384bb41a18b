"""Service of issued documents (送达): the Administrative Penalty Law sends it to the Civil
Procedure Law (APL art. 61; CPL 2021 arts. 87–95).

One record per attempt that the law counts as service, by one of five methods:

- **direct** (直接送达, CPL arts. 87–88): to the party, an adult family member living with
  them, the legal representative, an agent or the document-receiving staff; the date the
  recipient signed the receipt is the date of service.
- **left** (留置送达, CPL art. 89): the recipient refused; the document was left at the
  residence with a witness (grassroots or unit representative) or with the leaving
  recorded on photo or video (an evidence file of the case).
- **mail** (邮寄送达, CPL art. 91): the date on the return receipt is the date of service.
- **electronic** (电子送达, CPL art. 90): only with the party's consent given beforehand and
  by a means that confirms receipt; served the day the message reached the party's system.
- **announcement** (公告送达, CPL art. 95): when the party cannot be found or every other
  method failed; deemed served ``ZHIFA_ANNOUNCEMENT_DAYS`` (30 since the 2021 amendment)
  calendar days after the announcement. The record is *pending* until then and completed by
  ``service_deem_due`` (a daily task and ``zhifa documents serve-due``).

When the document's type ``serves`` a case step (prior notice → ``serve_notice``, decisions →
``serve_decision``, reminder → ``send_reminder``), recording the service records that step
through ``case_act`` in the same transaction, with the date of service, so that the periods
that run from service (statement and defence, payment, the reminder's ten days) start from it.
The step is dated (``acted_on``) the day the agency acted: the date of service, except for an
announcement, which the agency makes on ``announced_on`` (its 7-day service limit, APL art. 61,
is met then) while the party's periods run from the deemed date (``served_on``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStatus, CaseStep
from zhifa.cases.procedures import Action, procedure_get
from zhifa.cases.services import case_act
from zhifa.cases.services.act import available_actions
from zhifa.core.errors import ApplicationError, InvalidInput
from zhifa.core.tasks import task
from zhifa.evidence.models import EvidenceFile, FileState
from zhifa.ledger.services import actor_label, ledger_append

from ..doctypes import doctype
from ..events import DOCUMENT_SERVED, SERVICE_DEEMED
from ..models import Document, DocumentState, ServiceMethod, ServiceRecord, ServiceState
from ._access import require_document_change

log = logging.getLogger(__name__)

CONSENT_TYPE = "e_service_consent"
CONSENT_FIELD = "同意电子送达"
# field lengths of ServiceRecord (checked before writing: PostgreSQL refuses longer values)
LIMITS = {"recipient": 200, "recipient_relation": 100, "place": 200,
          "announcement_medium": 200, "witness": 200, "tracking_number": 64,
          "electronic_address": 200}


def announcement_days() -> int:
    """Days after the announcement when service is deemed done (CPL art. 95: 30 days since
    2021; some agencies' older rules still say 60)."""
    return int(getattr(settings, "ZHIFA_ANNOUNCEMENT_DAYS", 30))


def deemed_on(announced_on: dt.date) -> dt.date:
    """自发出公告之日起，经过三十日，即视为送达: calendar days, the day of the announcement
    not counted, not moved off a holiday (a deemed date is not a time limit for an act)."""
    return announced_on + dt.timedelta(days=announcement_days())


def _zh(value: Any) -> str:
    with translation.override("zh-hans"):
        return str(value)


def _bad(field: str, message: str, code: str) -> InvalidInput:
    return InvalidInput(message, code=code, detail={field: message})


def _required(field: str, value: Any, code: str) -> None:
    if value in (None, ""):
        raise _bad(field, _("This field is required."), code)


# --- the rules of each method ---------------------------------------------------------------

def _check_dates(document: Document, today: dt.date, **dates: dt.date | None) -> None:
    for name, day in dates.items():
        if day is None:
            continue
        if day > today:
            raise _bad(name, _("The date of service cannot be in the future."),
                       "service_date_future")
        if document.issued_on and day < document.issued_on:
            raise _bad(name, _("A document cannot be served before it was issued (%(day)s).")
                       % {"day": document.issued_on.isoformat()}, "service_before_issue")


def _proof(case: Case, proof: EvidenceFile | None) -> EvidenceFile | None:
    if proof is None:
        return None
    proof = EvidenceFile.objects.select_related("blob").filter(pk=proof.pk).first()
    if proof is None or proof.case_id != case.pk:
        raise _bad("proof", _("The proof must be an evidence file of this case."),
                   "service_proof_not_in_case")
    if proof.state != FileState.ACTIVE:
        raise _bad("proof", _("That evidence file has been disposed of."),
                   "service_proof_disposed")
    return proof


def _consent(case: Case, document: Document, consent_on: dt.date | None,
             consent_document: Document | None, served_on: dt.date) -> Document | None:
    """CPL art. 90: electronic service needs the party's consent, given before the service
    (a date recorded, or the party's signed 送达地址确认书 issued on the case)."""
    if consent_on is None and consent_document is None:
        raise _bad("consent_on", _("Electronic service needs the party's consent: give the "
                                   "date it was given or the confirmation of the address "
                                   "for service."), "service_consent_required")
    if consent_on is not None and consent_on > served_on:
        raise _bad("consent_on", _("The party's consent must come before the service."),
                   "service_consent_late")
    if consent_document is None:
        return None
    doc = Document.objects.filter(pk=consent_document.pk).first()
    if (doc is None or doc.case_id != case.pk or doc.doc_type != CONSENT_TYPE
            or doc.state != DocumentState.ISSUED or doc.pk == document.pk):
        raise _bad("consent_document",
                   _("The consent must be an issued confirmation of the address for service "
                     "of this case."), "service_consent_document_invalid")
    if "不同意" in str((doc.fields or {}).get(CONSENT_FIELD, "")):
        raise _bad("consent_document",
                   _("The party did not consent to electronic service."),
                   "service_consent_refused")
    if doc.issued_on is not None and doc.issued_on > served_on:
        raise _bad("consent_document", _("The party's consent must come before the service."),
                   "service_consent_late")
    return doc


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# --- the case step ------------------------------------------------------------------------------

def _step_action(case: Case, document: Document) -> Action | None:
    """The case step recording this service records, or None: the type serves no step, the
    case's procedure has no such action, another record of this document already recorded
    it, or the case is past the stage where it is taken (it was served before, by another
    record or directly on the case)."""
    code = doctype(document.doc_type).serves
    if not code:
        return None
    proc = procedure_get(case.procedure, body=case.body)
    act = proc.action(code)
    if act is None:
        return None
    if ServiceRecord.objects.filter(document=document, case_step__isnull=False).exists():
        return None
    if act.once and case.steps.filter(action=act.code).exists():
        return None
    if all(a.code != act.code for a in available_actions(case, proc)):
        return None
    return act


def _step_data(act: Action, *, acted_on: dt.date, served_on: dt.date,
               method: str) -> dict[str, Any]:
    values = {"acted_on": acted_on, "served_on": served_on, "method": method}
    names = {f.name for f in act.fields}
    return {k: v for k, v in values.items() if k in names}


def _take_step(actor: Any, case: Case, act: Action, *, acted_on: dt.date,
               served_on: dt.date, method: str, late_reason: str) -> tuple[CaseStep | None,
                                                                            str | None]:
    """The step through the cases app's one gate; its refusals propagate. Returns the step,
    or the public id of the approval request when the (custom) procedure wants approval."""
    result = case_act(actor=actor, case=case, action=act.code,
                      data=_step_data(act, acted_on=acted_on, served_on=served_on,
                                      method=method), late_reason=late_reason)
    approval = str(result.approval.public_id) if result.approval is not None else None
    return result.step, approval


def _try_step(actor: Any, case: Case, act: Action, *, on: dt.date, method: str,
              late_reason: str) -> None:
    """A pending announcement's step is recorded when service is deemed; try it now as of
    the announcement (and roll it back), so that a step the case would refuse is refused
    when the service is recorded, not weeks later by the daily sweep."""
    savepoint = transaction.savepoint()
    try:
        _take_step(actor, case, act, acted_on=on, served_on=on, method=method,
                   late_reason=late_reason)
    finally:
        transaction.savepoint_rollback(savepoint)


# --- the ledger ---------------------------------------------------------------------------------

def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _document_payload(document: Document) -> dict[str, Any]:
    return {"case": document.case.number, "document": str(document.public_id),
            "doc_type": document.doc_type, "title": doctype(document.doc_type).title,
            "number": document.number}


def _served_payload(record: ServiceRecord, *, approval: str | None,
                    late_reason: str) -> dict[str, Any]:
    proof = record.proof
    consent = record.consent_document
    return {
        **_document_payload(record.document),
        "service": str(record.public_id), "method": record.method,
        "method_label": _zh(ServiceMethod(record.method).label), "state": record.state,
        "recipient": record.recipient, "recipient_relation": record.recipient_relation,
        "place": record.place, "served_on": _iso(record.served_on),
        "announced_on": _iso(record.announced_on),
        "announcement_medium": record.announcement_medium,
        "announcement_days": (announcement_days()
                              if record.method == ServiceMethod.ANNOUNCEMENT else None),
        "witness": record.witness, "refusal_note": record.refusal_note,
        "tracking_number": record.tracking_number,
        "electronic_address": record.electronic_address,
        "consent_on": _iso(record.consent_on),
        "consent_document": ({"id": str(consent.public_id), "issued_on": _iso(consent.issued_on)}
                             if consent is not None else None),
        "confirmed_at": _iso(record.confirmed_at),
        "proof": ({"id": str(proof.public_id), "filename": proof.filename,
                   "sha256": proof.blob.sha256} if proof is not None else None),
        "note": record.note,
        "case_step": record.case_step_id, "case_approval": approval,
        # kept for the step a pending announcement records when it is deemed served
        "late_reason": late_reason,
    }


# --- recording ----------------------------------------------------------------------------------

@transaction.atomic
def service_record(
    *, actor: Any, document: Document, method: str, recipient: str,
    served_on: dt.date | None = None, recipient_relation: str = "", place: str = "",
    announced_on: dt.date | None = None, announcement_medium: str = "", witness: str = "",
    refusal_note: str = "", tracking_number: str = "", electronic_address: str = "",
    consent_on: dt.date | None = None, consent_document: Document | None = None,
    confirmed_at: dt.datetime | None = None, proof: EvidenceFile | None = None,
    note: str = "", late_reason: str = "",
) -> ServiceRecord:
    """Record the service of an issued document (see the module's description of the
    methods). ``late_reason``: passed to the case step when its time limit has passed (the
    decision served more than 7 days after it was made, APL art. 61)."""
    case = require_document_change(actor, document.case)
    document = Document.objects.select_for_update().get(pk=document.pk)
    document.case = case
    if document.state != DocumentState.ISSUED:
        raise ApplicationError(_("Only an issued document can be served."),
                               code="document_not_issued")
    if method not in ServiceMethod.values:
        raise _bad("method", _("Unknown method of service."), "service_method_unknown")
    text = {"recipient": recipient, "recipient_relation": recipient_relation, "place": place,
            "announcement_medium": announcement_medium, "witness": witness,
            "refusal_note": refusal_note, "tracking_number": tracking_number,
            "electronic_address": electronic_address, "note": note,
            "late_reason": late_reason}
    text = {k: (v or "").strip() for k, v in text.items()}
    for name, limit in LIMITS.items():
        if len(text[name]) > limit:
            raise _bad(name, _("At most %(limit)s characters.") % {"limit": limit},
                       "service_field_too_long")
    today = timezone.localdate()
    if confirmed_at is not None:
        confirmed_at = _aware(confirmed_at)
        if confirmed_at > timezone.now():
            raise _bad("confirmed_at", _("The date of service cannot be in the future."),
                       "service_date_future")
    state = ServiceState.SERVED
    acted_on = served_on
    consent = None
    if method == ServiceMethod.ANNOUNCEMENT:
        # the party could not be found or every other method failed (CPL art. 95): where
        # and when it was announced, and why, go into the file
        _required("announced_on", announced_on, "service_announced_on_required")
        _required("announcement_medium", text["announcement_medium"],
                  "service_medium_required")
        if not text["note"]:
            raise _bad("note", _("Explain why the other methods of service failed."),
                       "service_announcement_reason_required")
        if not text["recipient"]:
            text["recipient"] = "、".join(case.parties.values_list("name", flat=True))
        assert announced_on is not None
        _check_dates(document, today, announced_on=announced_on)
        if served_on is not None and served_on != deemed_on(announced_on):
            raise _bad("served_on", _("Service by announcement is deemed done %(days)s days "
                                      "after the announcement: leave the date of service "
                                      "empty.") % {"days": announcement_days()},
                       "service_date_computed")
        served_on, acted_on = deemed_on(announced_on), announced_on
        if served_on > today:
            state = ServiceState.PENDING
    else:
        if method == ServiceMethod.ELECTRONIC:
            _required("electronic_address", text["electronic_address"],
                      "service_address_required")
            # the means must confirm receipt (CPL art. 90)
            _required("confirmed_at", confirmed_at, "service_confirmation_required")
            assert confirmed_at is not None
            confirmed_on = timezone.localdate(confirmed_at)
            served_on = served_on or confirmed_on
            if served_on > confirmed_on:
                raise _bad("served_on", _("Receipt cannot be confirmed before the message "
                                          "reached the party's system."),
                           "service_confirmed_before_arrival")
            if not text["recipient"]:
                text["recipient"] = "、".join(case.parties.values_list("name", flat=True))
        _required("recipient", text["recipient"], "service_recipient_required")
        _required("served_on", served_on, "service_date_required")
        assert served_on is not None
        _check_dates(document, today, served_on=served_on)
        acted_on = served_on
        if method == ServiceMethod.ELECTRONIC:
            consent = _consent(case, document, consent_on, consent_document, served_on)
        elif method == ServiceMethod.MAIL:
            _required("tracking_number", text["tracking_number"], "service_tracking_required")
    proof_file = _proof(case, proof)
    if method == ServiceMethod.LEFT:
        # CPL art. 89: the refusal recorded, and a witness or a photo/video of the leaving
        if not text["refusal_note"]:
            raise _bad("refusal_note", _("Record the refusal and how the document was left."),
                       "service_refusal_note_required")
        recorded = proof_file is not None and proof_file.mime.split("/")[0] in ("image",
                                                                              "video")
        if not text["witness"] and not recorded:
            raise _bad("witness", _("Leaving the document needs a witness, or a photo or "
                                    "video of the leaving as proof."),
                       "service_left_needs_witness_or_record")
    assert served_on is not None and acted_on is not None
    act = _step_action(case, document)
    step: CaseStep | None = None
    approval: str | None = None
    if act is not None and state == ServiceState.SERVED:
        step, approval = _take_step(actor, case, act, acted_on=acted_on, served_on=served_on,
                                    method=method, late_reason=text["late_reason"])
    elif act is not None:
        _try_step(actor, case, act, on=acted_on, method=method,
                  late_reason=text["late_reason"])
    record = ServiceRecord.objects.create(
        document=document, method=method, state=state, recipient=text["recipient"],
        recipient_relation=text["recipient_relation"], place=text["place"],
        served_on=served_on, announced_on=announced_on if method == ServiceMethod.ANNOUNCEMENT
        else None, announcement_medium=text["announcement_medium"], witness=text["witness"],
        refusal_note=text["refusal_note"], tracking_number=text["tracking_number"],
        electronic_address=text["electronic_address"], consent_on=consent_on,
        consent_document=consent, confirmed_at=confirmed_at, proof=proof_file,
        note=text["note"], case_step=step, recorded_by=actor)
    entry = ledger_append(actor=actor, event=DOCUMENT_SERVED, stream=case.stream, body=case.body,
                          payload=_served_payload(record, approval=approval,
                                                  late_reason=text["late_reason"]))
    record.ledger_seq = entry.seq
    record.save(update_fields=["ledger_seq"])
    return record


# --- completing announcements -----------------------------------------------------------------

def _recorded_late_reason(record: ServiceRecord) -> str:
    """The reason for acting late given when the announcement was recorded (kept in its
    DOCUMENT_SERVED entry, the record itself has no field for it)."""
    from zhifa.ledger.models import LedgerEntry

    if record.ledger_seq is None:
        return ""
    text = LedgerEntry.objects.filter(seq=record.ledger_seq).values_list(
        "payload", flat=True).first()
    return str(json.loads(text).get("late_reason") or "") if text else ""


def _deem(pk: int, case_pk: int, today: dt.date) -> bool:
    with transaction.atomic():
        # the case first, as every service and step does, then the record
        case = Case.objects.select_for_update(of=("self",)).select_related("body").get(
            pk=case_pk)
        record = (ServiceRecord.objects.select_for_update(of=("self",))
                  .select_related("document", "recorded_by__person")
                  .filter(pk=pk, state=ServiceState.PENDING, served_on__lte=today).first())
        if record is None:
            return False  # done by a concurrent run
        document = record.document
        document.case = case
        step: CaseStep | None = None
        approval: str | None = None
        refused: dict[str, Any] | None = None
        actor = record.recorded_by
        act = _step_action(case, document)
        if act is not None:
            assert record.served_on is not None and record.announced_on is not None
            # the cases app records steps in a person's name: the one who recorded the
            # announcement (the sweep has no account of its own)
            try:
                step, approval = _take_step(
                    actor, case, act, acted_on=record.announced_on,
                    served_on=record.served_on, method=record.method,
                    late_reason=_recorded_late_reason(record))
            except ApplicationError as exc:
                # the law deems the document served whatever the case's state: the record is
                # completed, the step is left for an officer to record by hand
                refused = {"code": exc.code, "message": exc.message}
                log.warning("service %s deemed served; case step %s refused: %s %s",
                            record.public_id, act.code, exc.code, exc.message)
        record.state = ServiceState.SERVED
        record.case_step = step
        record.save(update_fields=["state", "case_step", "updated_at"])
        ledger_append(actor=None, event=SERVICE_DEEMED, stream=case.stream, body=case.body,
                      payload={**_document_payload(document), "service": str(record.public_id),
                               "announced_on": _iso(record.announced_on),
                               "served_on": _iso(record.served_on),
                               "case_step": record.case_step_id, "case_approval": approval,
                               "case_step_recorded_as": (actor_label(actor)
                                                         if act is not None else None),
                               "case_step_refused": refused})
        return True


def service_deem_due(*, today: dt.date | None = None) -> int:
    """Complete the announcements whose deemed date has come: the record becomes served, the
    case step it serves is recorded as of that date, SERVICE_DEEMED is appended. Each record
    in its own transaction; safe to run any number of times. Returns how many completed.
    Documents voided meanwhile and archived cases are left alone. ``today`` (default: today)
    cannot run ahead of the clock: nothing is deemed served before its day has come."""
    today = min(today or timezone.localdate(), timezone.localdate())
    due = list(ServiceRecord.objects.filter(
        state=ServiceState.PENDING, served_on__lte=today,
        document__state=DocumentState.ISSUED,
    ).exclude(document__case__status=CaseStatus.ARCHIVED)
        .order_by("served_on", "id").values_list("pk", "document__case_id"))
    return sum(1 for pk, case_pk in due if _deem(pk, case_pk, today))


@task("documents.serve_due")
def serve_due_task(*, today: str | None = None) -> int:
    """The daily completion of services by announcement (Celery beat, or cron running
    ``zhifa documents serve-due``)."""
    return service_deem_due(today=dt.date.fromisoformat(today) if today else None)
