"""The demo's publicity (行政执法公示): the market sector's rules, a publicity clerk in each of
the two bodies whose decisions are issued, and a publication of every issued decision in
every state, all made through the disclosure services (``loader.publicity``)."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone

from zhifa.catalog.models import PartyType
from zhifa.demo.data.accounts import DEMO_PASSWORD
from zhifa.demo.data.bodies import BODIES
from zhifa.demo.data.publicity import CLERK_LOGINS, URBAN_BODY
from zhifa.disclosure.events import (
    POLICY_CHANGED,
    PUBLICATION_DRAFTED,
    PUBLICATION_ENDED,
    PUBLICATION_EXPIRED,
    PUBLICATION_OVERDUE,
    PUBLICATION_PUBLISHED,
    PUBLICATION_WITHDRAWN,
    PUBLICATION_WITHHELD,
)
from zhifa.disclosure.fields import KEYS, public_record
from zhifa.disclosure.models import DisclosurePolicy, Publication, PublicationSearch, State
from zhifa.disclosure.periods import add_months
from zhifa.disclosure.selectors import (
    public_publication,
    public_publications,
    public_tombstone,
    public_withdrawals,
)
from zhifa.disclosure.services import DECISION_TYPES, policy_for
from zhifa.disclosure.services.alerts import soon_limit
from zhifa.documents.models import Document
from zhifa.ledger.canonical import canonical_json
from zhifa.ledger.merkle import hasher
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import DepartmentKind, RoleKind, Sector, User
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.workdays.calendar import period_end

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NAMES = {b.key: b.name for b in BODIES}
MARKET = NAMES["fr-market"]
URBAN = NAMES[URBAN_BODY]
ID_NUMBER = re.compile(r"\d{17}[\dXx]")


def _pubs() -> list[Publication]:
    return list(Publication.objects.select_related("body", "case", "document", "sector")
                .order_by("id"))


def test_every_issued_decision_has_its_publication_in_every_state(demo: Any) -> None:
    pubs = _pubs()
    decisions = Document.objects.filter(doc_type__in=DECISION_TYPES,
                                        issued_at__isnull=False)
    assert sorted(p.document_id for p in pubs) == sorted(decisions.values_list("id", flat=True))
    assert all(p.is_demo for p in pubs)
    assert {p.body.name for p in pubs} == {MARKET, URBAN}
    states = Counter(p.state for p in pubs)
    # the published records of light penalties go offline after three months: one of the
    # summer's has expired; the others are still in their period
    expired = states.pop(State.EXPIRED)
    assert expired >= 1 and expired + states.pop(State.PUBLISHED) == 13
    assert states == {State.DRAFT: 3, State.WITHHELD: 4, State.WITHDRAWN: 1, State.ENDED: 1}
    assert len(pubs) == 22
    published = [p for p in pubs if p.published_on is not None]
    assert Counter(p.category for p in published) == {"penalty": 12, "licensing": 2,
                                                      "other": 1}
    assert {p.document.doc_type for p in published} == {
        "penalty_decision", "summary_decision", "licensing_decision", "no_penalty_decision"}


def test_the_market_sector_has_rules_of_its_own(demo: Any) -> None:
    market = Sector.objects.get(code="market")
    policy = policy_for(market)
    assert policy.sector_id == market.pk
    assert (policy.publish_warnings, policy.min_months, policy.source) == (
        False, 12, "市场监督管理行政处罚信息公示规定（总局令第45号）")
    default = DisclosurePolicy.objects.get(sector__isnull=True)
    assert (policy.light_months, policy.standard_months, policy.licensing_months) == (
        default.light_months, default.standard_months, default.licensing_months)
    assert DisclosurePolicy.objects.count() == 2
    entry = LedgerEntry.objects.get(event_code=POLICY_CHANGED.code)
    payload = json.loads(entry.payload)
    assert (entry.stream, payload["scope"], payload["created"]) == (
        "disclosure.config", "market", True)
    assert entry.actor.username == "sysadmin"


def test_a_minor_and_warnings_in_the_market_sector_are_withheld(demo: Any) -> None:
    withheld = [p for p in _pubs() if p.state == State.WITHHELD]
    assert Counter((p.body.name, p.withhold_reason) for p in withheld) == {
        (URBAN, "minor"): 2, (MARKET, "warning_only"): 2}
    for pub in withheld:
        assert pub.case.final_kinds == ["warning"]
        assert pub.published_on is None and pub.content_digest == ""
        entry = LedgerEntry.objects.get(stream=pub.case.stream,
                                        event_code=PUBLICATION_WITHHELD.code)
        assert json.loads(entry.payload)["automatic"] is True
        assert public_publication(pub.public_id) is None
        assert public_tombstone(pub.public_id) is None


def test_published_on_time_for_their_period(demo: Any) -> None:
    published = [p for p in _pubs() if p.published_on is not None]
    for pub in published:
        # recorded on its day: after the decision, by its deadline, never in the future
        assert pub.decision_date <= pub.published_on <= pub.due_on, pub.decision_number
        assert pub.published_on <= TODAY and pub.late_reason == ""
        days = 7 if pub.category in ("penalty", "licensing") else 20
        assert pub.due_on == period_end(start=pub.decision_date, n=days,
                                        unit="working_day").due
        assert pub.published_at is not None
        assert timezone.localdate(pub.published_at) == pub.published_on
        assert pub.offline_on == add_months(pub.published_on, pub.period_months)
        assert pub.approved_by is not None
        assert pub.approved_by.roles == ["publicity_clerk"]
        assert pub.approved_by.person.body_id == pub.body_id
        if pub.body.name == MARKET:
            assert pub.period_months >= 12
        else:
            assert pub.period_months in (3, 36)
    assert {p.period_months for p in published if p.body.name == URBAN} == {3, 36}


def test_pending_drafts_one_overdue_and_one_due_next_in_each_body(demo: Any) -> None:
    drafts = [p for p in _pubs() if p.state == State.DRAFT]
    overdue = [p for p in drafts if p.due_on < TODAY]
    assert len(overdue) == 1
    late = overdue[0]
    assert late.body.name == MARKET and late.alerted_overdue_on == TODAY
    assert LedgerEntry.objects.filter(stream=late.case.stream,
                                      event_code=PUBLICATION_OVERDUE.code).count() == 1
    ahead = [p for p in drafts if p.due_on >= TODAY]
    assert sorted(p.body.name for p in ahead) == sorted([MARKET, URBAN])
    for pub in ahead:
        assert pub.alerted_overdue_on is None
        assert (pub.alerted_due_soon_on == TODAY) == (pub.due_on <= soon_limit(TODAY))
    for pub in drafts:
        assert pub.published_on is None and pub.content_digest == ""
        assert LedgerEntry.objects.filter(stream=pub.case.stream,
                                          event_code=PUBLICATION_DRAFTED.code).count() == 1


def test_withdrawn_ended_and_expired_records_are_tombstones(demo: Any) -> None:
    pubs = _pubs()
    withdrawn = next(p for p in pubs if p.state == State.WITHDRAWN)
    assert withdrawn.withdrawal_kind == "revoked"
    assert "行政复议" in withdrawn.withdrawal_reason and "演示" in withdrawn.withdrawal_reason
    assert withdrawn.published_on < withdrawn.withdrawal_event_on < withdrawn.withdrawn_on
    assert withdrawn.withdrawn_on <= withdrawn.withdrawal_due  # within 3 working days
    assert withdrawn.withdrawn_on <= TODAY and withdrawn.late_reason == ""
    assert withdrawn.withdrawal_due == period_end(start=withdrawn.withdrawal_event_on, n=3,
                                                  unit="working_day").due
    assert list(public_withdrawals()) == [withdrawn]
    ended = next(p for p in pubs if p.state == State.ENDED)
    assert ended.body.name == MARKET and "信用修复" in ended.end_reason
    assert ended.published_on < ended.ended_on < TODAY < ended.offline_on
    expired = [p for p in pubs if p.state == State.EXPIRED]
    for pub in expired:
        assert pub.body.name == URBAN and pub.period_months == 3 and pub.offline_on <= TODAY
    events = {State.WITHDRAWN: PUBLICATION_WITHDRAWN, State.ENDED: PUBLICATION_ENDED,
              State.EXPIRED: PUBLICATION_EXPIRED}
    for pub in [withdrawn, ended, *expired]:
        assert public_publication(pub.public_id) is None
        assert public_tombstone(pub.public_id) == pub
        assert not PublicationSearch.objects.filter(publication=pub).exists()
        assert LedgerEntry.objects.filter(stream=pub.case.stream,
                                          event_code=events[pub.state].code).count() == 1
    public = set(public_publications().values_list("id", flat=True))
    assert public == {p.pk for p in pubs if p.state == State.PUBLISHED}


def test_every_published_record_has_its_entry_and_a_digest_that_recomputes(
        demo: Any) -> None:
    published = [p for p in _pubs() if p.published_on is not None]
    assert published
    for pub in published:
        entry = LedgerEntry.objects.get(seq=pub.ledger_seq)
        assert (entry.event_code, entry.stream) == (PUBLICATION_PUBLISHED.code,
                                                    pub.case.stream)
        payload = json.loads(entry.payload)
        assert payload == {
            "publication": str(pub.public_id), "decision_number": pub.decision_number,
            "category": pub.category, "body": str(pub.body.public_id),
            "published_on": pub.published_on.isoformat(),
            "offline_on": pub.offline_on.isoformat(), "content_digest": pub.content_digest,
            "algorithm": payload["algorithm"]}
        record = canonical_json(public_record(pub)).encode()
        assert hasher(payload["algorithm"]).digest(record).hex() == pub.content_digest


def _secrets(pub: Publication) -> list[str]:
    """What of the case's parties must never be public: ID numbers, phones, the addresses
    of people and individual businesses, natural persons' full names."""
    out = []
    for party in pub.case.parties.all():
        out += [party.id_number, party.phone]
        if party.party_type != PartyType.ORGANISATION:
            out.append(party.address)
        if party.party_type == PartyType.NATURAL_PERSON:
            out.append(party.name)
    return [s for s in out if s]


def test_nothing_unmasked_in_the_public_fields(demo: Any) -> None:
    pubs = _pubs()
    people = 0
    for pub in pubs:
        assert set(pub.public) == set(KEYS) == set(pub.original)
        public = " ".join([*pub.public.values(), pub.title, pub.party_display,
                           pub.withdrawal_reason, pub.end_reason])
        secrets = _secrets(pub)
        for secret in secrets:
            assert secret not in public, (pub.decision_number, secret)
        assert not ID_NUMBER.search(public), pub.decision_number
        if pub.published_on is not None:
            entry = LedgerEntry.objects.get(seq=pub.ledger_seq)
            assert not [s for s in secrets if s in entry.payload]
        if pub.original["party_type"] == "自然人":
            people += 1
            name = pub.original["party"]
            assert pub.public["party"] == name[0] + "*" * (len(name) - 1)
            assert name in pub.original["facts"] and name not in pub.public["facts"]
    assert people >= 5  # natural persons in both bodies, published and withheld


def test_the_publicity_clerks_sign_in_and_publish_in_their_own_body(demo: Any) -> None:
    assert [(login.username, NAMES[login.body]) for login in CLERK_LOGINS] == [
        ("publicity", MARKET), (f"{URBAN_BODY}-publicity", URBAN)]
    for login in CLERK_LOGINS:
        request = RequestFactory().post("/")
        user = authenticate(request, username=login.username, password=DEMO_PASSWORD)
        assert user is not None and user.roles == ["publicity_clerk"]
        person = user.person
        assert person.body.name == NAMES[login.body]
        assert person.department.kind == DepartmentKind.OFFICE
        assert [r.kind for r in person.roles.all()] == [RoleKind.OFFICER]
        assert person.certificates.count() == 1
        assert Perm.PUBLISH in perms_of(user) and Perm.HANDLE_CASES not in perms_of(user)
        approved = Publication.objects.filter(approved_by=user)
        assert approved.exists()
        assert set(approved.values_list("body_id", flat=True)) == {person.body_id}
    assert sum("publicity_clerk" in u.roles for u in User.objects.all()) == 2
