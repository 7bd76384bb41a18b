"""The staff publicity API: the list (scoped, filtered, paginated), one publication with its
original fields, masks and public fields, and the clerk's decisions through it: more terms
masked, approval (late: with a reason), withholding, withdrawal, ending early; the services'
refusals with their codes, each leaving the publication, its search entry, every state and
the ledger as they were."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.cases.factories import Agency, agency
from tests.disclosure.factories import publication_row
from tests.disclosure.pipeline_factories import (
    PERSON_PHONE,
    clerk,
    issued_decision,
    person,
    published,
    snapshot,
)
from zhifa.disclosure.fields import KEYS
from zhifa.disclosure.models import Category, Publication, State
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import User

API = "/api/v1"

pytestmark = pytest.mark.django_db


@pytest.fixture
def a() -> Agency:
    return agency()


def send(user: User | None, method: str, url: str, payload: Any = None) -> Any:
    c = Client()
    if user is not None:
        c.force_login(user)
    if method == "GET":
        return c.get(API + url, payload or {})
    body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
    return c.post(API + url, body, content_type="application/json")


def refused(user: User, url: str, payload: Any, pub: Publication, status: int,
            code: str) -> dict[str, Any]:
    """The POST is refused with ``status`` and ``code``, in the envelope, and changes
    nothing."""
    before = snapshot(pub)
    response = send(user, "POST", url, payload)
    assert response.status_code == status, response.content[:600]
    body = response.json()
    assert set(body) == {"code", "message", "detail"} and body["code"] == code, body
    assert body["message"]
    assert snapshot(pub) == before
    return body


def zh(message: Any) -> str:
    with translation.override("zh-hans"):
        return str(message)


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content[:400]
    return {item["public_id"] for item in response.json()["items"]}


def at(pub: Publication, action: str = "") -> str:
    return f"/publications/{pub.public_id}" + (f"/{action}" if action else "")


# --- Reads ------------------------------------------------------------------------------------
def test_the_list_is_scoped_filtered_and_shaped(a):
    today = timezone.localdate()
    late = publication_row(a, state=State.DRAFT, title="销售过期食品案")
    Publication.objects.filter(pk=late.pk).update(due_on=today - dt.timedelta(days=1))
    public = publication_row(a, title="无照经营案")
    licence = publication_row(a, category=Category.LICENSING, title="食品经营许可")
    theirs = publication_row(a, body=a.other_body)
    me = clerk(a)
    mine = {str(p.public_id) for p in (late, public, licence)}
    assert ids(send(me, "GET", "/publications")) == mine
    assert ids(send(a.u_head, "GET", "/publications")) == mine
    assert ids(send(a.u_supervisor, "GET", "/publications")) == mine
    assert ids(send(clerk(a, body=a.other_body), "GET", "/publications")) == {
        str(theirs.public_id)}
    assert ids(send(a.u_sysadmin, "GET", "/publications")) == mine | {str(theirs.public_id)}
    assert ids(send(me, "GET", "/publications", {"state": "draft"})) == {str(late.public_id)}
    assert ids(send(me, "GET", "/publications", {"category": "licensing"})) == {
        str(licence.public_id)}
    assert ids(send(me, "GET", "/publications", {"q": "无照"})) == {str(public.public_id)}
    assert ids(send(me, "GET", "/publications", {"overdue": "true"})) == {str(late.public_id)}
    assert ids(send(me, "GET", "/publications", {"overdue": "false"})) == {
        str(public.public_id), str(licence.public_id)}
    assert send(me, "GET", "/publications", {"state": "nonsense"}).status_code == 422
    page = send(me, "GET", "/publications", {"state": "draft"}).json()
    late.refresh_from_db()
    assert page == {"count": 1, "items": [{
        "public_id": str(late.public_id), "state": "draft",
        "state_label": zh(State.DRAFT.label), "category": "penalty",
        "category_label": zh(Category.PENALTY.label),
        "decision_number": late.decision_number,
        "decision_date": late.decision_date.isoformat(), "title": "销售过期食品案",
        "party_display": late.party_display,
        "body": {"public_id": str(a.body.public_id), "name": a.body.name},
        "case": {"public_id": str(late.case.public_id), "number": late.case.number},
        "due_on": (today - dt.timedelta(days=1)).isoformat(), "overdue": True,
        "published_on": None, "offline_on": None, "withdrawn_on": None, "ended_on": None,
    }]}


def test_one_publication_with_its_original_masks_and_public_fields(a):
    pub = issued_decision(a, party=person(), facts=f"当事人电话{PERSON_PHONE}，销售不合格产品。")
    body = send(clerk(a), "GET", at(pub)).json()
    assert set(body["original"]) == set(KEYS) == set(body["public"])
    assert body["original"] == pub.original and body["public"] == pub.public
    assert [(m["field"], m["kind"], m["start"], m["end"], m["replacement"])
            for m in body["masks"]] == [(m["field"], m["kind"], m["start"], m["end"],
                                         m["replacement"]) for m in pub.masks]
    phone = next(m for m in body["masks"] if m["kind"] == "phone")
    assert pub.original[phone["field"]][phone["start"]:phone["end"]] == PERSON_PHONE
    assert PERSON_PHONE not in json.dumps(body["public"], ensure_ascii=False)
    assert all(m["kind_label"] for m in body["masks"])
    today = timezone.localdate()
    assert body["period"]["expected"] is True and body["period"]["starts"] == today.isoformat()
    assert body["period"]["months"] == 3  # a 5,000-yuan fine: light under the default rules
    assert (body["state"], body["due_on"], body["overdue"], body["may_act"]) == (
        "draft", pub.due_on.isoformat(), False, True)
    assert [e["event_code"] for e in body["entries"]] == [8001]
    # the supervisor reads it and may not act; another body's clerk does not find it
    assert send(a.u_supervisor, "GET", at(pub)).json()["may_act"] is False
    other = send(clerk(a, body=a.other_body), "GET", at(pub))
    assert (other.status_code, other.json()["code"]) == (404, "publication_not_found")
    bad = send(clerk(a), "GET", "/publications/not-a-uuid")
    assert (bad.status_code, bad.json()["code"]) == (404, "publication_not_found")


# --- Changes ----------------------------------------------------------------------------------
def test_mask_then_approve(a):
    pub = issued_decision(a, facts="经查，当事人销售不合格电热水壶12台，证人王大力在场。")
    me = clerk(a)
    body = refused(me, at(pub, "mask"), {"extra_terms": [f"词{i}" for i in range(51)]}, pub,
                   400, "invalid_fields")
    assert set(body["detail"]) == {"extra_terms"}
    refused(me, at(pub, "mask"), {"extra_terms": "王大力"}, pub, 422, "invalid_payload")
    response = send(me, "POST", at(pub, "mask"), {"extra_terms": ["王大力", " 王大力 "]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["extra_terms"] == ["王大力"]
    assert "王大力" not in body["public"]["facts"] and "王大力" in body["original"]["facts"]
    assert [e["event_code"] for e in body["entries"]] == [8001, 8002]
    before = LedgerEntry.objects.count()
    response = send(me, "POST", at(pub, "approve"), {})
    assert response.status_code == 200, response.content
    body = response.json()
    pub.refresh_from_db()
    today = timezone.localdate()
    assert (body["state"], body["published_on"], body["content_digest"]) == (
        "published", today.isoformat(), pub.content_digest)
    assert body["period"]["expected"] is False and body["ledger_seq"] == pub.ledger_seq
    assert LedgerEntry.objects.count() == before + 1
    assert [e["event_code"] for e in body["entries"]] == [8001, 8002, 8003]
    # published: no more masking or approving
    refused(me, at(pub, "approve"), {}, pub, 409, "publication_state")
    refused(me, at(pub, "mask"), {"extra_terms": []}, pub, 409, "publication_state")


def test_late_approval_needs_a_reason(a):
    pub = issued_decision(a, decided_on=timezone.localdate() - dt.timedelta(days=40))
    me = clerk(a)
    assert send(me, "GET", at(pub)).json()["overdue"] is True
    body = refused(me, at(pub, "approve"), {"late_reason": " "}, pub, 400,
                   "late_reason_required")
    assert set(body["detail"]) == {"late_reason"}
    response = send(me, "POST", at(pub, "approve"), {"late_reason": "系统故障延误"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["late_reason"]) == ("published",
                                                                          "系统故障延误")


def test_withhold(a):
    pub = issued_decision(a)
    me = clerk(a)
    refused(me, at(pub, "withhold"), {"reason": "secret"}, pub, 400, "note_required")
    refused(me, at(pub, "withhold"), {"reason": "because"}, pub, 400, "invalid_fields")
    refused(me, at(pub, "withhold"), {"note": "x"}, pub, 422, "invalid_payload")
    response = send(me, "POST", at(pub, "withhold"), {"reason": "other", "note": "另有规定"})
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["withhold_reason"], body["withhold_note"]) == (
        "withheld", "other", "另有规定")
    refused(me, at(pub, "approve"), {}, pub, 409, "publication_state")


def test_withdraw_and_end_early(a):
    me = clerk(a)
    first, second = published(a, by=me), published(a, by=me)
    today = timezone.localdate()
    future = (today + dt.timedelta(days=1)).isoformat()
    body = refused(me, at(first, "withdraw"), {"kind": "revoked", "reason": "已撤销",
                                               "event_on": future}, first, 400,
                   "event_on_invalid")
    assert set(body["detail"]) == {"event_on"}
    refused(me, at(first, "withdraw"), {"kind": "revoked", "reason": "  ",
                                        "event_on": today.isoformat()}, first, 400,
            "reason_required")
    refused(me, at(first, "withdraw"), {"kind": "gone", "reason": "已撤销",
                                        "event_on": today.isoformat()}, first, 400,
            "invalid_fields")
    response = send(me, "POST", at(first, "withdraw"),
                    {"kind": "changed", "reason": "该决定已变更。", "event_on": today.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["withdrawal_kind"], body["withdrawal_reason"],
            body["withdrawal_event_on"], body["withdrawn_on"]) == (
        "withdrawn", "changed", "该决定已变更。", today.isoformat(), today.isoformat())
    assert body["entries"][-1]["event_code"] == 8005
    refused(me, at(first, "end"), {"reason": "信用修复"}, first, 409, "publication_state")
    refused(me, at(second, "end"), {"reason": ""}, second, 400, "reason_required")
    refused(me, at(second, "end"), {"reason": "信用修复", "ended_on": future}, second, 400,
            "invalid_fields")
    response = send(me, "POST", at(second, "end"), {"reason": "当事人已完成信用修复"})
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["ended_on"], body["end_reason"]) == (
        "ended", today.isoformat(), "当事人已完成信用修复")
    assert body["entries"][-1]["event_code"] == 8006
