"""The publicity clerk's decisions on a draft: approved (published with its period, digest,
search entry and ledger entry, which holds no personal data; after the deadline only with a
reason), withheld (with a note where the reason needs one), more terms masked. Only a
holder of PUBLISH in the publication's body (or a system administrator) may act; anyone else
is refused and nothing changes, the ledger included."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import Agency, agency
from tests.disclosure.pipeline_factories import (
    PERSON_ADDRESS,
    PERSON_PHONE,
    clerk,
    issued_decision,
    ledger_size,
    person,
    snapshot,
)
from zhifa.cases.models import Party
from zhifa.core.errors import ApplicationError
from zhifa.disclosure.events import (
    PUBLICATION_MASK_CHANGED,
    PUBLICATION_PUBLISHED,
    PUBLICATION_WITHHELD,
)
from zhifa.disclosure.fields import public_record
from zhifa.disclosure.models import DisclosurePolicy, Publication, PublicationSearch, State
from zhifa.disclosure.periods import period_for
from zhifa.disclosure.selectors import public_publication
from zhifa.disclosure.services import (
    policy_for,
    publication_approve,
    publication_mask_update,
    publication_withhold,
)
from zhifa.disclosure.services.publish import DraftCheck, draft_check
from zhifa.documents.models import ServiceRecord
from zhifa.ledger.canonical import canonical_json
from zhifa.ledger.merkle import hasher
from zhifa.ledger.models import LedgerEntry, LedgerHead
from zhifa.orgs.models import AccountRole, RoleKind

D = dt.date


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


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


def test_approve_publishes_with_period_digest_search_and_ledger(a: Agency) -> None:
    pub = issued_decision(a, party=person("陈小明"),
                          facts=f"当事人陈小明（电话{PERSON_PHONE}）住{PERSON_ADDRESS}。")
    user = clerk(a)
    today = timezone.localdate()
    size = ledger_size()
    pub = publication_approve(actor=user, publication=pub)
    pub.refresh_from_db()
    assert (pub.state, pub.published_on, pub.approved_by, pub.late_reason) == (
        State.PUBLISHED, today, user, "")
    assert pub.published_at is not None and pub.changed_at is not None
    # a fine of 5,000 yuan is light: 3 months
    assert (pub.period_months, pub.offline_on) == (3, _months_later(today, 3))
    assert pub.period_basis == period_for(category="penalty", kinds=["fine"], fine=500_000,
                                          policy=policy_for(a.market)).basis
    algorithm = LedgerHead.objects.get().algorithm
    data = canonical_json(public_record(pub)).encode()
    assert pub.content_digest == hasher(algorithm).digest(data).hex()
    assert public_record(pub)["fields"]["party"] == "陈**"
    # one entry, the published record's commitment, without personal data
    assert ledger_size() == size + 1
    entry = LedgerEntry.objects.get(seq=pub.ledger_seq)
    payload = json.loads(entry.payload)
    assert (entry.event_code, entry.stream, entry.body_id, entry.actor_id) == (
        PUBLICATION_PUBLISHED.code, pub.case.stream, a.body.pk, user.pk)
    assert payload == {
        "publication": str(pub.public_id), "decision_number": pub.decision_number,
        "category": "penalty", "body": str(a.body.public_id),
        "published_on": today.isoformat(), "offline_on": pub.offline_on.isoformat(),
        "content_digest": pub.content_digest, "algorithm": algorithm}
    for secret in ("陈小明", PERSON_PHONE, PERSON_ADDRESS, pub.case.parties.get().id_number):
        assert secret not in entry.payload
    # searchable and public
    assert PublicationSearch.objects.filter(publication=pub).count() == 1
    assert public_publication(pub.public_id) == pub


def _months_later(day: dt.date, n: int) -> dt.date:
    from zhifa.disclosure.periods import add_months

    return add_months(day, n)


def test_approve_after_the_deadline_needs_a_reason(a: Agency) -> None:
    pub = issued_decision(a, decided_on=D(2026, 9, 30))  # due 15 October 2026
    user = clerk(a)
    err = refused("late_reason_required", pub,
                  lambda: publication_approve(actor=user, publication=pub))
    assert list(err.detail) == ["late_reason"]
    refused("late_reason_required", pub,
            lambda: publication_approve(actor=user, publication=pub, late_reason="  "))
    pub = publication_approve(actor=user, publication=pub, late_reason="系统故障")
    assert (pub.state, pub.late_reason) == (State.PUBLISHED, "系统故障")


def test_a_reason_given_on_time_is_not_kept(a: Agency) -> None:
    pub = publication_approve(actor=clerk(a), publication=issued_decision(a),
                              late_reason="无")
    assert pub.late_reason == ""


def test_only_a_draft_is_approved_withheld_or_masked(a: Agency) -> None:
    user = clerk(a)
    pub = publication_approve(actor=user, publication=issued_decision(a))
    for fn in (lambda: publication_approve(actor=user, publication=pub),
               lambda: publication_withhold(actor=user, publication=pub, reason="minor"),
               lambda: publication_mask_update(actor=user, publication=pub,
                                               extra_terms=["某"])):
        err = refused("publication_state", pub, fn)
        assert err.detail == {"state": "published", "allowed": ["draft"]}


def test_withhold(a: Agency) -> None:
    user = clerk(a)
    pub = issued_decision(a)
    refused("invalid_fields", pub,
            lambda: publication_withhold(actor=user, publication=pub, reason="nope"))
    for reason in ("secret", "other"):
        refused("note_required", pub,
                lambda r=reason: publication_withhold(actor=user, publication=pub, reason=r,
                                                      note=" "))
    pub = publication_withhold(actor=user, publication=pub, reason="secret",
                               note="涉及商业秘密：配方")
    assert (pub.state, pub.withhold_reason, pub.withhold_note) == (
        State.WITHHELD, "secret", "涉及商业秘密：配方")
    code, payload = last_entry(pub)
    assert (code, payload["reason"], payload["automatic"]) == (
        PUBLICATION_WITHHELD.code, "secret", False)
    assert "配方" not in json.dumps(payload, ensure_ascii=False)
    assert set(payload) == {"publication", "decision_number", "category", "reason",
                            "reason_label", "automatic"}
    # a minor's decision needs no note
    other = publication_withhold(actor=user, publication=issued_decision(a), reason="minor")
    assert (other.state, other.withhold_note) == (State.WITHHELD, "")
    assert not PublicationSearch.objects.exists()


def test_extra_terms_are_masked_everywhere_and_replace_the_previous_ones(a: Agency) -> None:
    user = clerk(a)
    pub = issued_decision(a, party=person("陈小明"), title="陈小明在某某超市销售案",
                          facts="当事人陈小明在某某超市销售，证人赵大勇在场。")
    pub = publication_mask_update(actor=user, publication=pub,
                                  extra_terms=[" 赵大勇 ", "某某超市", "", "赵大勇"])
    assert pub.extra_terms == ["赵大勇", "某某超市"]
    assert pub.public["facts"] == "当事人陈**在****销售，证人***在场。"
    assert pub.title == "陈**在****销售案"
    assert pub.original["facts"] == "当事人陈小明在某某超市销售，证人赵大勇在场。"
    assert [m["kind"] for m in pub.masks if m["field"] == "facts"] == [
        "person_name", "extra", "extra"]
    code, payload = last_entry(pub)
    assert (code, payload) == (PUBLICATION_MASK_CHANGED.code, {
        "publication": str(pub.public_id), "decision_number": pub.decision_number,
        "extra_terms": 2, "masks": 4})
    pub = publication_mask_update(actor=user, publication=pub, extra_terms=["某某超市"])
    assert pub.public["facts"] == "当事人陈**在****销售，证人赵大勇在场。"
    stored = Publication.objects.get(pk=pub.pk)
    assert (stored.public, stored.extra_terms, stored.title) == (
        pub.public, ["某某超市"], "陈**在****销售案")
    # approved, the record published is the masked one
    pub = publication_approve(actor=user, publication=pub)
    assert public_record(pub)["fields"]["facts"] == "当事人陈**在****销售，证人赵大勇在场。"
    refused("invalid_fields", issued_decision(a), lambda: publication_mask_update(
        actor=user, publication=Publication.objects.filter(state=State.DRAFT).get(),
        extra_terms=["长" * 101]))


def _actors(a: Agency) -> dict[str, Any]:
    officer_no_publish = a.u_officer
    return {
        "clerk of another body": (clerk(a, body=a.other_body), "publication_not_found"),
        "officer without PUBLISH": (officer_no_publish, "missing_publish"),
        "supervisor": (a.u_supervisor, "missing_publish"),
        "reviewer": (a.u_reviewer, "missing_publish"),
        "no one": (None, "missing_publish"),
    }


def test_who_may_not_act_changes_nothing(a: Agency) -> None:
    pub = issued_decision(a)
    for _label, (actor, code) in _actors(a).items():
        refused(code, pub, lambda u=actor: publication_approve(actor=u, publication=pub))
        refused(code, pub, lambda u=actor: publication_withhold(
            actor=u, publication=pub, reason="minor"))
        refused(code, pub, lambda u=actor: publication_mask_update(
            actor=u, publication=pub, extra_terms=["某"]))
    # an inactive clerk holds nothing
    gone = clerk(a)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    refused("missing_publish", pub, lambda: publication_approve(actor=gone, publication=pub))


def test_the_head_and_a_system_administrator_may(a: Agency) -> None:
    head = publication_approve(actor=a.u_head, publication=issued_decision(a))
    assert head.approved_by == a.u_head
    admin = publication_approve(actor=a.u_sysadmin, publication=issued_decision(a))
    assert admin.state == State.PUBLISHED
    # a clerk who is also a head of another body still acts only in their own body
    other_head = f.user(f.person(a.other_body, "钱七", roles=(RoleKind.HEAD,)),
                        roles=(AccountRole.HEAD, AccountRole.PUBLICITY_CLERK))
    pub = issued_decision(a)
    refused("publication_not_found", pub,
            lambda: publication_approve(actor=other_head, publication=pub))


# --- approval masks under the rules in force ---------------------------------------------------
def test_approval_refused_while_the_masking_is_stale_then_refreshed(a: Agency) -> None:
    """A third party served after drafting (the case's data changed): the draft's public
    record is no longer what the rules give; approval is refused until the masking is
    refreshed with the same terms, and publishes the refreshed record."""
    user = clerk(a)
    pub = issued_decision(a, party=person("陈小明"),
                          facts="当事人陈小明销售不合格产品，证人赵大勇在场。")
    assert pub.public["facts"] == "当事人陈**销售不合格产品，证人赵大勇在场。"
    assert draft_check(pub) == DraftCheck(stale=False, withhold_reason="")
    ServiceRecord.objects.create(document=pub.document, method="left", recipient="陈小明",
                                 witness="赵大勇")
    assert draft_check(pub) == DraftCheck(stale=True, withhold_reason="")
    err = refused("masking_changed", pub,
                  lambda: publication_approve(actor=user, publication=pub))
    assert "更新隐去内容" in err.message  # "refresh the masking", in the default language
    pub = publication_mask_update(actor=user, publication=pub, extra_terms=pub.extra_terms)
    assert pub.public["facts"] == "当事人陈**销售不合格产品，证人***在场。"
    assert draft_check(pub).stale is False
    pub = publication_approve(actor=user, publication=pub)
    assert pub.state == State.PUBLISHED
    assert public_record(pub)["fields"]["facts"] == "当事人陈**销售不合格产品，证人***在场。"


def test_approval_refused_when_the_policy_now_masks_otherwise(a: Agency) -> None:
    user = clerk(a)
    pub = issued_decision(a, party=person("陈小明"), title="陈小明销售案",
                          facts=f"当事人陈小明（电话{PERSON_PHONE}）销售。")
    DisclosurePolicy.objects.create(sector=a.market, mask_phones=False)
    assert draft_check(pub).stale is True
    refused("masking_changed", pub, lambda: publication_approve(actor=user, publication=pub))
    # the title alone differing is stale too
    policy = DisclosurePolicy.objects.get(sector=a.market)
    policy.mask_phones = True
    policy.save(update_fields=["mask_phones"])
    assert draft_check(pub).stale is False
    Publication.objects.filter(pk=pub.pk).update(title="陈小明销售案")
    pub.refresh_from_db()
    refused("masking_changed", pub, lambda: publication_approve(actor=user, publication=pub))


def test_approval_refused_when_the_rules_now_withhold(a: Agency) -> None:
    user = clerk(a)
    warning = issued_decision(a, kinds=["warning"], fine="")
    assert warning.state == State.DRAFT
    DisclosurePolicy.objects.create(sector=a.market, publish_warnings=False)
    assert draft_check(warning) == DraftCheck(stale=False, withhold_reason="warning_only")
    err = refused("publication_must_be_withheld", warning,
                  lambda: publication_approve(actor=user, publication=warning))
    assert err.detail == {"reason": "warning_only"}
    # a party's birth date corrected: a minor on the decision date
    pub = issued_decision(a, party=person("李小华"), decided_on=D(2026, 9, 30))
    Party.objects.filter(case=pub.case).update(birth_date=D(2010, 1, 1))
    err = refused("publication_must_be_withheld", pub,
                  lambda: publication_approve(actor=user, publication=pub))
    assert err.detail == {"reason": "minor"}
    # withholding it is what remains
    pub = publication_withhold(actor=user, publication=pub, reason="minor")
    assert pub.state == State.WITHHELD
