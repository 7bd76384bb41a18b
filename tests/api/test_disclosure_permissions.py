"""The permission matrix of the staff publicity API: each operation, with the publication in
the state it needs, as anonymous (401), another body's publicity clerk (404: not found, or an
empty list), the supervisor (reads yes, changes 403), an officer and a body administrator
without ``publish`` (403), then as each account the change is for. Every refusal and every
read leaves the publication's row, its search entry, every publication's state and the ledger
as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import Agency, agency
from tests.disclosure.factories import publication_row
from tests.disclosure.pipeline_factories import clerk, issued_decision, published, snapshot
from zhifa.disclosure.models import Publication, State
from zhifa.orgs.models import AccountRole, User

from .test_disclosure_api import send

Answer = tuple[int, str | None]
MISSING = (403, "missing_publish")
NOT_FOUND = (404, "publication_not_found")


@dataclass
class World:
    a: Agency
    u_clerk: User
    u_other_clerk: User  # a publicity clerk of the other body
    u_body_admin: User  # of the agency's body: no publish
    pub: Publication | None = None
    made: dict[str, Any] = field(default_factory=dict)


def world() -> World:
    a = agency()
    admin = f.person(a.body, "吴敏", roles=())
    return World(a=a, u_clerk=clerk(a), u_other_clerk=clerk(a, body=a.other_body),
                 u_body_admin=f.user(admin, roles=(AccountRole.BODY_ADMIN,)))


def a_row(w: World) -> None:
    w.pub = publication_row(w.a, state=State.DRAFT)


def a_draft(w: World) -> None:
    w.pub = issued_decision(w.a)


def a_published(w: World) -> None:
    w.pub = published(w.a, by=w.u_clerk)


@dataclass(frozen=True)
class Endpoint:
    operation_id: str
    method: str
    action: str  # "" (the list), "get" (one), or the POST's last path segment
    prepare: Callable[[World], None]
    payload: Callable[[World], Any] = lambda w: None
    other_body: Answer = NOT_FOUND
    right: tuple[str, ...] = ("u_clerk", "a.u_head", "a.u_sysadmin")

    @property
    def reads(self) -> bool:
        return self.method == "GET"

    def url(self, w: World) -> str:
        if not self.action:
            return "/publications"
        assert w.pub is not None
        tail = "" if self.action == "get" else f"/{self.action}"
        return f"/publications/{w.pub.public_id}{tail}"


def _today() -> str:
    return timezone.localdate().isoformat()


ENDPOINTS = [
    Endpoint("visible_publications", "GET", "", a_row, other_body=(200, None),
             right=("u_clerk", "a.u_head", "a.u_supervisor", "a.u_sysadmin")),
    Endpoint("publication_get_for_user", "GET", "get", a_row,
             right=("u_clerk", "a.u_head", "a.u_supervisor", "a.u_sysadmin")),
    Endpoint("publication_mask_update", "POST", "mask", a_draft,
             lambda w: {"extra_terms": ["电热水壶"]}),
    Endpoint("publication_approve", "POST", "approve", a_draft, lambda w: {}),
    Endpoint("publication_withhold", "POST", "withhold", a_draft,
             lambda w: {"reason": "secret", "note": "涉及商业秘密"}),
    Endpoint("publication_withdraw", "POST", "withdraw", a_published,
             lambda w: {"kind": "revoked", "reason": "该决定已被撤销。", "event_on": _today()}),
    Endpoint("publication_end_early", "POST", "end", a_published,
             lambda w: {"reason": "当事人已完成信用修复"}),
]
IDS = [e.operation_id for e in ENDPOINTS]
ALLOWED = [(e, who) for e in ENDPOINTS for who in e.right]


def account(w: World, who: str) -> Any:
    return getattr(w.a, who[2:]) if who.startswith("a.") else getattr(w, who)


def state(w: World) -> dict[str, Any]:
    assert w.pub is not None
    return snapshot(w.pub)


def answer(w: World, who: str | None, e: Endpoint) -> Answer:
    before = state(w)
    response = send(account(w, who) if who else None, e.method, e.url(w), e.payload(w))
    code = response.json().get("code") if response.status_code >= 400 else None
    if e.reads or response.status_code >= 400:
        assert state(w) == before, (who, response.status_code, response.content[:300])
    return response.status_code, code


@pytest.fixture
def w(db: None) -> World:
    return world()


@pytest.mark.parametrize("e", ENDPOINTS, ids=IDS)
def test_who_may_not(w: World, e: Endpoint) -> None:
    e.prepare(w)
    found = {"anonymous": answer(w, None, e), "other body": answer(w, "u_other_clerk", e),
             "supervisor": answer(w, "a.u_supervisor", e),
             "officer": answer(w, "a.u_officer", e),
             "reviewer": answer(w, "a.u_reviewer", e),
             "body admin": answer(w, "u_body_admin", e)}
    assert found == {"anonymous": (401, "not_authenticated"), "other body": e.other_body,
                     "supervisor": (200, None) if e.reads else MISSING,
                     "officer": MISSING, "reviewer": MISSING, "body admin": MISSING}


@pytest.mark.parametrize(("e", "who"), ALLOWED,
                         ids=[f"{e.operation_id}-{who}" for e, who in ALLOWED])
def test_who_may(w: World, e: Endpoint, who: str) -> None:
    e.prepare(w)
    assert answer(w, who, e) == (200, None)


def test_another_bodys_list_holds_none_of_ours(w: World) -> None:
    a_row(w)
    response = send(w.u_other_clerk, "GET", "/publications")
    assert response.json() == {"count": 0, "items": []}


def test_every_publicity_operation_is_in_the_matrix() -> None:
    from zhifa.api.root import api

    ops = {op["operationId"] for path in api.get_openapi_schema()["paths"].values()
           for op in path.values() if "publicity" in op.get("tags", [])}
    assert ops == set(IDS)
