"""Accounts write to the stream "accounts": creation, roles, disabling, passwords and the
admin's edits. No entry ever holds a password or its hash; refusals write nothing."""

import json
import string
from typing import Any

import pytest

from tests import factories as f
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.events import event_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, User
from zhifa.orgs.services import (
    account_create,
    account_set_active,
    account_set_password,
    account_set_roles,
    account_update,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Zhifa-test-2026"
NEW_PASSWORD = "Qingtian-2027-lu"


def entries(since: int) -> list[tuple[Any, ...]]:
    """The entries from leaf ``since`` on; each template's fields are in its payload."""
    found = []
    for e in LedgerEntry.objects.filter(seq__gte=since).order_by("seq"):
        payload = json.loads(e.payload)
        fields = {name for _text, name, _spec, _conv
                  in string.Formatter().parse(str(event_get(e.event_code).template)) if name}
        assert fields <= payload.keys(), (e.event_code, fields - payload.keys())
        found.append((e.event_code, e.stream, e.body_id, e.actor_id, payload))
    return found


def mark() -> int:
    return LedgerEntry.objects.count()


def accounts() -> list[tuple[Any, ...]]:
    return list(User.objects.order_by("pk").values_list(
        "pk", "username", "person_id", "roles", "is_active", "is_staff", "is_superuser",
        "password", "email"))


def no_secrets() -> None:
    """Neither a password nor any stored hash is in any entry."""
    texts = list(LedgerEntry.objects.values_list("payload", flat=True))
    secrets = [PASSWORD, NEW_PASSWORD, *User.objects.values_list("password", flat=True)]
    assert not [s for s in secrets if any(s in t for t in texts)]
    assert not any("password" in json.loads(t) for t in texts)


@pytest.fixture
def w() -> Any:
    class W:
        regions = f.regions()
        body_a = f.body(regions["county"], name="芙蓉区市场监督管理局")
        body_b = f.body(regions["other_county"], name="荷塘区市场监督管理局")
        newcomer = f.person(body_a, "新人甲")
        admin_a = f.user(f.person(body_a, "王芳", roles=("head",)),
                         roles=(AccountRole.BODY_ADMIN,), username="admin_a")
        admin_b = f.user(f.person(body_b, "陈静", roles=("head",)),
                         roles=(AccountRole.BODY_ADMIN,), username="admin_b")
        sysadmin = f.user(None, roles=(AccountRole.SYSTEM_ADMIN,), username="root")
    return W


def test_account_life(w: Any) -> None:
    start = mark()
    user = account_create(actor=w.admin_a, username=" xinren ", person=w.newcomer,
                          roles=["officer", "auxiliary", "officer"], password=PASSWORD)
    account_set_roles(actor=w.admin_a, user=user, roles=["reviewer", "officer"])
    account_set_roles(actor=w.admin_a, user=user, roles=["officer", "reviewer"])  # same
    account_set_active(actor=w.admin_a, user=user, active=False)
    account_set_active(actor=w.admin_a, user=user, active=False)  # already disabled
    account_set_active(actor=w.sysadmin, user=user, active=True)
    account_set_password(actor=w.admin_a, user=user, password=NEW_PASSWORD)
    account_set_password(actor=w.sysadmin, user=user, password=None)
    ref = {"account": user.pk, "username": "xinren"}
    assert entries(start) == [
        (1060, "accounts", w.body_a.pk, w.admin_a.pk,
         {**ref, "person": str(w.newcomer.public_id), "name": "新人甲",
          "roles": ["auxiliary", "officer"]}),
        (1062, "accounts", w.body_a.pk, w.admin_a.pk,
         {**ref, "changes": {"roles": [["auxiliary", "officer"], ["officer", "reviewer"]]}}),
        (1063, "accounts", w.body_a.pk, w.admin_a.pk, ref),
        (1064, "accounts", w.body_a.pk, w.sysadmin.pk, ref),
        (1065, "accounts", w.body_a.pk, w.admin_a.pk, ref),
        (1066, "accounts", w.body_a.pk, w.sysadmin.pk, ref),
    ]
    user.refresh_from_db()
    assert not user.has_usable_password()
    no_secrets()


def test_system_admin_accounts_belong_to_no_body(w: Any) -> None:
    start = mark()
    root = account_create(actor=None, username="root2", roles=["system_admin"],
                          password=PASSWORD)
    account_set_roles(actor=None, user=root, roles=["system_admin"])  # unchanged
    assert entries(start) == [(1060, "accounts", None, None, {
        "account": root.pk, "username": "root2", "person": None, "name": None,
        "roles": ["system_admin"]})]
    no_secrets()


def test_refused_account_changes_write_nothing(w: Any) -> None:
    officer = account_create(actor=None, username="officer", person=w.newcomer,
                             roles=["officer"], password=PASSWORD)
    before, start = accounts(), mark()
    with pytest.raises(InvalidInput):
        account_create(actor=w.admin_a, username="officer", person=f.person(w.body_a),
                       roles=["officer"], password=PASSWORD)
    with pytest.raises(PermissionDenied):
        account_create(actor=w.admin_b, username="x", person=f.person(w.body_a),
                       roles=["officer"], password=PASSWORD)
    with pytest.raises(PermissionDenied):
        account_set_roles(actor=w.admin_a, user=officer, roles=["system_admin"])
    with pytest.raises(InvalidInput):
        account_set_active(actor=w.admin_a, user=w.admin_a, active=False)
    with pytest.raises(InvalidInput):
        account_set_password(actor=w.admin_a, user=officer, password="123")
    with pytest.raises(PermissionDenied):
        account_set_password(actor=w.admin_b, user=officer, password=NEW_PASSWORD)
    with pytest.raises(PermissionDenied):
        account_update(actor=w.admin_a, user=officer, email="a@example.org")
    with pytest.raises(InvalidInput):
        account_update(actor=w.sysadmin, user=officer, username="admin_a")
    with pytest.raises(InvalidInput):
        account_update(actor=w.sysadmin, user=officer, roles=["officer", "chief"])
    with pytest.raises(InvalidInput):
        account_update(actor=w.sysadmin, user=officer, person=w.admin_a.person)
    assert (accounts(), entries(start)) == (before, [])


def test_admin_edits_recorded_with_masked_email(w: Any) -> None:
    officer = account_create(actor=None, username="officer", person=w.newcomer,
                             roles=["officer"], password=PASSWORD)
    start = mark()
    account_update(actor=w.sysadmin, user=officer, username="liming",
                   email="liming@example.org", roles=[], is_staff=True, first_name="新人甲")
    account_update(actor=w.sysadmin, user=officer, username="liming")  # unchanged
    assert entries(start) == [(1061, "accounts", w.body_a.pk, w.sysadmin.pk, {
        "account": officer.pk, "username": "liming", "changes": {
            "username": ["officer", "liming"], "email": ["", "l*****@example.org"],
            "roles": [["officer"], []], "is_staff": [False, True]},
    })]
    officer.refresh_from_db()
    assert (officer.username, officer.email, officer.roles, officer.is_staff) == (
        "liming", "liming@example.org", [], True)
    no_secrets()
