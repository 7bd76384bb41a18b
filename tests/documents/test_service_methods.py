"""The rules of each method of service (CPL 2021 arts. 87–95 via APL art. 61); every refusal
leaves the service records, the case, its steps and deadlines and the ledger as they were."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.cases.factories import Agency, general_to_notice
from tests.documents.factories import complete_fields, draft
from tests.evidence.factories import PNG_1PX, item, stored
from zhifa.documents.models import DocumentState, ServiceRecord
from zhifa.ledger.models import LedgerEntry

from .test_service import DAY, D, decided, issued_doc, refused, serve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _installed(documents_hooks: None) -> None:
    """``decide`` guarded by the decision document, as in an installation."""

SERVED = D(2026, 9, 30)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


# --- common -----------------------------------------------------------------------------------

def test_an_unknown_method_or_an_overlong_field_is_refused(a: Agency) -> None:
    case, doc = decided(a)
    refused("service_method_unknown", case, doc,
            lambda: serve(a, doc, method="pigeon", served_on=SERVED))
    exc = refused("service_field_too_long", case, doc,
                  lambda: serve(a, doc, served_on=SERVED, tracking_number="1" * 65))
    assert list(exc.detail) == ["tracking_number"]


# --- direct (CPL arts. 87–88) -----------------------------------------------------------------

def test_direct_service_needs_the_recipient_and_the_date(a: Agency) -> None:
    case, doc = decided(a)
    exc = refused("service_recipient_required", case, doc,
                  lambda: serve(a, doc, recipient="  ", served_on=SERVED))
    assert list(exc.detail) == ["recipient"]
    refused("service_date_required", case, doc, lambda: serve(a, doc))
    record = serve(a, doc, recipient=" 陈小某 ", recipient_relation="同住成年家属",
                   served_on=SERVED)
    assert (record.recipient, record.recipient_relation, record.method) == (
        "陈小某", "同住成年家属", "direct")


# --- left at the residence (CPL art. 89) ------------------------------------------------------

def test_leaving_needs_the_refusal_recorded_and_a_witness_or_a_photo(a: Agency) -> None:
    case, doc = decided(a)
    refused("service_refusal_note_required", case, doc,
            lambda: serve(a, doc, method="left", served_on=SERVED, witness="社区主任王某"))
    refused("service_left_needs_witness_or_record", case, doc,
            lambda: serve(a, doc, method="left", served_on=SERVED,
                          refusal_note="当事人拒绝签收"))
    # a proof that is no photo or video of the leaving does not replace the witness
    scan = stored(a, item(a, case, kind="documentary", title="送达回证扫描件"),
                  b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                  filename="receipt.pdf")
    assert not scan.mime.startswith(("image/", "video/"))
    refused("service_left_needs_witness_or_record", case, doc,
            lambda: serve(a, doc, method="left", served_on=SERVED,
                          refusal_note="当事人拒绝签收", proof=scan))
    record = serve(a, doc, method="left", served_on=SERVED, witness="社区主任王某",
                   refusal_note="当事人拒绝签收，执法人员将文书留置于其住所。")
    assert (record.witness, record.proof, record.case_step is not None) == (
        "社区主任王某", None, True)


def test_leaving_recorded_on_a_photo(a: Agency) -> None:
    case, doc = decided(a)
    photo = stored(a, item(a, case, title="留置送达现场照片"), PNG_1PX)
    record = serve(a, doc, method="left", served_on=SERVED, refusal_note="当事人拒绝签收",
                   proof=photo)
    assert (record.proof, record.witness) == (photo, "")
    entry = LedgerEntry.objects.filter(stream=case.stream).order_by("-stream_seq").first()
    assert entry is not None
    assert json.loads(entry.payload)["proof"] == {
        "id": str(photo.public_id), "filename": "photo.png", "sha256": photo.blob.sha256}


def test_the_proof_must_be_a_file_of_the_same_case(a: Agency) -> None:
    case, doc = decided(a)
    other = general_to_notice(a)
    photo = stored(a, item(a, other, title="他案照片"), PNG_1PX)
    refused("service_proof_not_in_case", case, doc,
            lambda: serve(a, doc, method="left", served_on=SERVED,
                          refusal_note="当事人拒绝签收", proof=photo))


# --- by post (CPL art. 91) --------------------------------------------------------------------

def test_post_needs_the_tracking_number_and_the_return_receipt_date(a: Agency) -> None:
    case, doc = decided(a)
    refused("service_tracking_required", case, doc,
            lambda: serve(a, doc, method="mail", served_on=SERVED))
    refused("service_date_required", case, doc,
            lambda: serve(a, doc, method="mail", tracking_number="1180000000003"))
    record = serve(a, doc, method="mail", served_on=D(2026, 10, 9),
                   tracking_number="1180000000003", recipient="收发室张某",
                   recipient_relation="收发人员")
    assert (record.served_on, record.tracking_number) == (D(2026, 10, 9), "1180000000003")
    assert record.case_step is not None and record.case_step.acted_on == D(2026, 10, 9)


# --- electronic (CPL art. 90) -----------------------------------------------------------------

def test_electronic_service_needs_address_confirmation_and_consent(a: Agency) -> None:
    case, doc = decided(a)
    ok = {"method": "electronic", "electronic_address": "chen@example.cn",
          "confirmed_at": at(SERVED), "consent_on": D(2026, 9, 1)}
    refused("service_address_required", case, doc,
            lambda: serve(a, doc, **{**ok, "electronic_address": ""}))
    refused("service_confirmation_required", case, doc,
            lambda: serve(a, doc, **{**ok, "confirmed_at": None}))
    refused("service_consent_required", case, doc,
            lambda: serve(a, doc, **{**ok, "consent_on": None}))
    refused("service_consent_late", case, doc,
            lambda: serve(a, doc, **{**ok, "consent_on": D(2026, 10, 1)}))
    refused("service_date_future", case, doc,
            lambda: serve(a, doc, **{**ok, "confirmed_at": timezone.now() + DAY}))
    refused("service_confirmed_before_arrival", case, doc,
            lambda: serve(a, doc, **{**ok, "served_on": D(2026, 10, 1)}))
    # the date of service is the day it reached the party's system: by default the day of
    # the confirmation
    record = serve(a, doc, recipient="", **ok)
    assert (record.served_on, record.recipient, record.consent_on, record.confirmed_at) == (
        SERVED, "长沙某某贸易有限公司", D(2026, 9, 1), at(SERVED))
    assert record.case_step is not None and record.case_step.data["method"] == "electronic"


def test_electronic_service_reached_before_it_was_confirmed(a: Agency) -> None:
    case, doc = decided(a)
    record = serve(a, doc, method="electronic", electronic_address="13800000000",
                   served_on=SERVED, confirmed_at=at(D(2026, 10, 2)), consent_on=SERVED)
    assert record.served_on == SERVED
    assert case.deadlines.get(rule_code="apl_payment_15").start == SERVED


def test_consent_by_the_confirmation_of_the_address_for_service(a: Agency) -> None:
    case, doc = decided(a)
    other, _other_doc = decided(a)
    ok = {"method": "electronic", "electronic_address": "chen@example.cn",
          "confirmed_at": at(SERVED)}
    refusing = issued_doc(a, case, "e_service_consent", on=D(2026, 9, 22), 同意电子送达="不同意")
    refused("service_consent_refused", case, doc,
            lambda: serve(a, doc, consent_document=refusing, **ok))
    foreign = issued_doc(a, other, "e_service_consent", on=D(2026, 9, 22), 同意电子送达="同意")
    refused("service_consent_document_invalid", case, doc,
            lambda: serve(a, doc, consent_document=foreign, **ok))
    unsigned = draft(a, case, "e_service_consent",
                     fields=complete_fields("e_service_consent", 同意电子送达="同意"))
    refused("service_consent_document_invalid", case, doc,
            lambda: serve(a, doc, consent_document=unsigned, **ok))
    refused("service_consent_document_invalid", case, doc,
            lambda: serve(a, doc, consent_document=doc, **ok))
    later = issued_doc(a, case, "e_service_consent", on=D(2026, 10, 1), 同意电子送达="同意")
    refused("service_consent_late", case, doc,
            lambda: serve(a, doc, consent_document=later, **ok))
    consent = issued_doc(a, case, "e_service_consent", on=D(2026, 9, 22), 同意电子送达="同意")
    record = serve(a, doc, consent_document=consent, **ok)
    assert (record.consent_document, record.consent_on) == (consent, None)
    assert unsigned.state == DocumentState.DRAFT


# --- by announcement (CPL art. 95) ------------------------------------------------------------

def test_an_announcement_needs_its_date_medium_and_reason(a: Agency) -> None:
    case, doc = decided(a)
    ok = {"method": "announcement", "announced_on": SERVED,
          "announcement_medium": "本机关网站", "note": "当事人下落不明"}
    refused("service_announced_on_required", case, doc,
            lambda: serve(a, doc, **{**ok, "announced_on": None}))
    refused("service_medium_required", case, doc,
            lambda: serve(a, doc, **{**ok, "announcement_medium": " "}))
    refused("service_announcement_reason_required", case, doc,
            lambda: serve(a, doc, **{**ok, "note": ""}))
    # the date of service is not given but computed: 30 days later
    refused("service_date_computed", case, doc,
            lambda: serve(a, doc, served_on=SERVED, **ok))
    record = serve(a, doc, served_on=SERVED + 30 * DAY, **ok)
    assert (record.announced_on, record.served_on, record.announcement_medium) == (
        SERVED, D(2026, 10, 30), "本机关网站")
    assert ServiceRecord.objects.filter(document=doc).count() == 1
