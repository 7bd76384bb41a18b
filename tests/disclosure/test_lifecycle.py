"""A published record's end: withdrawal (3 working days from the event, later only with a
reason; the public reason masked; off the index and the public pages, on the withdrawals
list), early ending (credit restoration), the daily expiry (once each), and a voided decision
document (a draft or withheld record cancelled, a published one withdrawn at once)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tests.cases.factories import Agency, agency
from tests.disclosure.pipeline_factories import (
    clerk,
    issued_decision,
    ledger_size,
    person,
    published,
    snapshot,
)
from zhifa.core.errors import ApplicationError
from zhifa.disclosure.events import (
    PUBLICATION_CANCELLED,
    PUBLICATION_ENDED,
    PUBLICATION_EXPIRED,
    PUBLICATION_WITHDRAWN,
)
from zhifa.disclosure.fields import public_record
from zhifa.disclosure.models import Publication, PublicationSearch, State
from zhifa.disclosure.selectors import (
    public_publication,
    public_publications,
    public_tombstone,
    public_withdrawals,
)
from zhifa.disclosure.services import (
    lifecycle,
    publication_end_early,
    publication_withdraw,
    publication_withhold,
    publications_expire,
)
from zhifa.disclosure.services.derive import site_text
from zhifa.disclosure.services.publish import digest_of
from zhifa.documents.services import document_void
from zhifa.ledger.models import LedgerEntry
from zhifa.workdays.calendar import deadline_for

D = dt.date


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


def today() -> dt.date:
    return timezone.localdate()


def last_entry(pub: Publication) -> tuple[int, dict[str, Any]]:
    e = LedgerEntry.objects.filter(stream=pub.case.stream).order_by("-stream_seq").first()
    assert e is not None
    return e.event_code, json.loads(e.payload)


def refused(code: str, pub: Publication, fn: Callable[[], Any]) -> ApplicationError:
    before = snapshot(pub)
    with pytest.raises(ApplicationError) as info:
        fn()
    assert info.value.code == code, (info.value.code, info.value.message, info.value.detail)
    assert snapshot(pub) == before
    return info.value


def test_withdraw_within_three_working_days(a: Agency) -> None:
    user = clerk(a)
    pub = published(a, by=user, party=person("陈小明"))
    assert PublicationSearch.objects.filter(publication=pub).exists()
    day = today()
    pub = publication_withdraw(actor=user, publication=pub, kind="revoked",
                               reason="经行政复议，陈小明的处罚决定被撤销。", event_on=day)
    due = deadline_for(rule="publicity_withdraw_3", start=day).due
    assert (pub.state, pub.withdrawal_kind, pub.withdrawal_reason, pub.withdrawal_event_on,
            pub.withdrawal_due, pub.withdrawn_on) == (
        State.WITHDRAWN, "revoked", "经行政复议，陈**的处罚决定被撤销。", day, due, day)
    assert pub.withdrawn_at is not None and pub.changed_at >= pub.published_at
    assert not PublicationSearch.objects.filter(publication=pub).exists()
    assert public_publication(pub.public_id) is None
    assert list(public_withdrawals()) == [pub]
    assert public_tombstone(pub.public_id) == pub
    assert last_entry(pub) == (PUBLICATION_WITHDRAWN.code, {
        "publication": str(pub.public_id), "decision_number": pub.decision_number,
        "kind": "revoked", "reason": "经行政复议，陈**的处罚决定被撤销。",
        "event_on": day.isoformat(), "due": due.isoformat(),
        "withdrawn_on": day.isoformat()})


def test_withdraw_late_needs_a_reason(a: Agency) -> None:
    user = clerk(a)
    pub = published(a, by=user, decided_on=D(2026, 9, 30), late_reason="补录",
                    party=person("陈小明"))
    # revoked on 9 October 2026: due 3 working days later, 13 October (10 October is a
    # make-up working Saturday)
    kw = {"kind": "changed", "reason": "决定已变更。", "event_on": D(2026, 10, 9)}
    refused("late_reason_required", pub,
            lambda: publication_withdraw(actor=user, publication=pub, **kw))
    pub = publication_withdraw(actor=user, publication=pub, late_reason="陈小明未及时告知",
                               **kw)
    assert (pub.state, pub.withdrawal_due) == (State.WITHDRAWN, D(2026, 10, 13))
    pub.refresh_from_db()
    assert pub.withdrawal_late_reason == "陈**未及时告知"
    code, payload = last_entry(pub)
    assert (code, payload["late_reason"], payload["due"]) == (
        PUBLICATION_WITHDRAWN.code, "陈**未及时告知", "2026-10-13")


def test_withdraw_refusals_change_nothing(a: Agency) -> None:
    user = clerk(a)
    pub = published(a, by=user)
    ok = {"kind": "revoked", "reason": "撤销。", "event_on": today()}
    cases: list[tuple[str, dict[str, Any]]] = [
        ("invalid_fields", {**ok, "kind": "lost"}),
        ("reason_required", {**ok, "reason": "  "}),
        ("event_on_invalid", {**ok, "event_on": today() + dt.timedelta(days=1)}),
        ("event_on_invalid", {**ok, "event_on": pub.decision_date - dt.timedelta(days=1)}),
        ("invalid_fields", {**ok, "reason": "长" * 2001}),
    ]
    for code, kw in cases:
        refused(code, pub, lambda kw=kw: publication_withdraw(actor=user, publication=pub,
                                                              **kw))
    for actor, code in ((clerk(a, body=a.other_body), "publication_not_found"),
                        (a.u_officer, "missing_publish"), (a.u_supervisor, "missing_publish")):
        refused(code, pub, lambda u=actor: publication_withdraw(actor=u, publication=pub,
                                                                **ok))
        refused(code, pub, lambda u=actor: publication_end_early(actor=u, publication=pub,
                                                                 reason="信用修复"))
    draft = issued_decision(a)
    refused("publication_state", draft,
            lambda: publication_withdraw(actor=user, publication=draft, **ok))
    refused("publication_state", draft,
            lambda: publication_end_early(actor=user, publication=draft, reason="信用修复"))


def test_a_record_past_its_period_not_yet_swept_can_be_withdrawn(a: Agency) -> None:
    user = clerk(a)
    pub = published(a, by=user)
    Publication.objects.filter(pk=pub.pk).update(offline_on=today())
    assert public_publication(pub.public_id) is None  # offline today, state still published
    pub = publication_withdraw(actor=user, publication=pub, kind="illegal",
                               reason="经诉讼确认违法。", event_on=today())
    assert pub.state == State.WITHDRAWN


def test_end_early(a: Agency) -> None:
    user = clerk(a)
    pub = published(a, by=user, party=person("陈小明"))
    offline, digest = pub.offline_on, pub.content_digest
    refused("reason_required", pub,
            lambda: publication_end_early(actor=user, publication=pub, reason=" "))
    refused("invalid_fields", pub, lambda: publication_end_early(
        actor=user, publication=pub, reason="信用修复", ended_on=today() + dt.timedelta(1)))
    refused("invalid_fields", pub, lambda: publication_end_early(
        actor=user, publication=pub, reason="信用修复", ended_on=today() - dt.timedelta(1)))
    pub = publication_end_early(actor=user, publication=pub,
                                reason="陈小明已完成信用修复。")
    assert (pub.state, pub.ended_on, pub.end_reason, pub.offline_on) == (
        State.ENDED, today(), "陈**已完成信用修复。", offline)
    # the record as published still matches its digest
    from zhifa.ledger.models import LedgerHead

    assert digest_of(pub, LedgerHead.objects.get().algorithm) == digest
    assert public_record(pub)["offline_on"] == offline.isoformat()
    assert public_publication(pub.public_id) is None
    assert public_tombstone(pub.public_id) == pub
    assert not PublicationSearch.objects.filter(publication=pub).exists()
    assert last_entry(pub) == (PUBLICATION_ENDED.code, {
        "publication": str(pub.public_id), "decision_number": pub.decision_number,
        "ended_on": today().isoformat(), "reason": "陈**已完成信用修复。"})


def test_expire_sweeps_each_once(a: Agency) -> None:
    user = clerk(a)
    due, later = published(a, by=user), published(a, by=user)
    Publication.objects.filter(pk=due.pk).update(offline_on=today())
    size = ledger_size()
    assert publications_expire() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, later.state) == (State.EXPIRED, State.PUBLISHED)
    assert ledger_size() == size + 1
    assert last_entry(due) == (PUBLICATION_EXPIRED.code, {
        "publication": str(due.public_id), "decision_number": due.decision_number,
        "offline_on": today().isoformat()})
    assert list(PublicationSearch.objects.values_list("publication_id", flat=True)) == [
        later.pk]
    assert list(public_publications()) == [later]
    assert public_tombstone(due.public_id) == due
    # again: nothing; a day ahead of the clock is today
    assert publications_expire() == 0
    assert publications_expire(today=later.offline_on) == 0
    assert ledger_size() == size + 1


def test_voiding_a_draft_or_withheld_decision_cancels_its_publication(a: Agency) -> None:
    pub = issued_decision(a)
    document_void(actor=a.u_head, document=pub.document, reason="文书内容有误")
    pub.refresh_from_db()
    assert pub.state == State.CANCELLED
    code, payload = last_entry(pub)
    assert (code, payload) == (PUBLICATION_CANCELLED.code, {
        "publication": str(pub.public_id), "decision_number": pub.decision_number,
        "was": "draft"})
    withheld = publication_withhold(actor=clerk(a), publication=issued_decision(a),
                                    reason="minor")
    document_void(actor=a.u_head, document=withheld.document, reason="文书内容有误")
    withheld.refresh_from_db()
    assert withheld.state == State.CANCELLED
    assert last_entry(withheld)[1]["was"] == "withheld"


def test_voiding_a_published_decision_withdraws_it_at_once(a: Agency) -> None:
    pub = published(a)
    document_void(actor=a.u_head, document=pub.document, reason="决定书作废")
    pub.refresh_from_db()
    day = today()
    reason = site_text(gettext_lazy(lifecycle.VOIDED_REASON))
    assert (pub.state, pub.withdrawal_kind, pub.withdrawal_reason, pub.withdrawal_event_on,
            pub.withdrawn_on, pub.withdrawal_due) == (
        State.WITHDRAWN, "revoked", reason, day, day,
        deadline_for(rule="publicity_withdraw_3", start=day).due)
    assert not PublicationSearch.objects.filter(publication=pub).exists()
    entry = LedgerEntry.objects.filter(stream=pub.case.stream).order_by("-stream_seq")[0]
    assert (entry.event_code, entry.actor_id) == (PUBLICATION_WITHDRAWN.code, a.u_head.pk)
    assert json.loads(entry.payload)["reason"] == reason


def test_voiding_an_expired_publication_leaves_it(a: Agency) -> None:
    pub = published(a)
    Publication.objects.filter(pk=pub.pk).update(offline_on=today())
    publications_expire()
    document_void(actor=a.u_head, document=pub.document, reason="决定书作废")
    pub.refresh_from_db()
    assert pub.state == State.EXPIRED


def test_a_failure_on_void_refuses_the_void_and_changes_nothing(
        a: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    """Updating the publication is part of the void: a fault there refuses the void, so a
    voided decision never stays public."""
    pub = issued_decision(a)

    def broken(pk: int, document: object) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(lifecycle, "_voided", broken)
    before = LedgerEntry.objects.count()
    with pytest.raises(RuntimeError, match="unexpected"):
        document_void(actor=a.u_head, document=pub.document, reason="文书内容有误")
    pub.refresh_from_db()
    pub.document.refresh_from_db()
    assert (pub.document.state, pub.state) == ("issued", State.DRAFT)
    assert LedgerEntry.objects.count() == before
