"""The event registry, canonical payloads, and the exact bytes that are hashed and signed."""

import datetime as dt
import decimal
import uuid
from enum import StrEnum

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from zhifa.ledger import events
from zhifa.ledger.canonical import (
    PayloadError,
    canonical_json,
    checkpoint_text,
    leaf_data,
    timestamp_text,
)
from zhifa.ledger.events import CHECKPOINT_SIGNED, EventRegistry, event_get, render_event


def test_register_refuses_a_taken_code_or_name() -> None:
    registry = EventRegistry()
    first = registry.register(4001, "case.created", _("Case {number} created"))
    assert registry.get(4001) is first
    with pytest.raises(ValueError,
                       match=r"event code 4001 is already registered as 'case\.created'"):
        registry.register(4001, "case.other", _("x"))
    with pytest.raises(ValueError, match=r"'case\.created' is already registered with code 4001"):
        registry.register(4002, "case.created", _("x"))
    assert registry.all() == [first]


@pytest.mark.parametrize(("code", "name"), [(999, "x.y"), (10_000, "x.y"), ("4001", "x.y"),
                                            (4003, "nodots"), (4003, "Case.Created")])
def test_register_refuses_bad_codes_and_names(code: object, name: str) -> None:
    with pytest.raises(ValueError):
        EventRegistry().register(code, name, _("x"))  # type: ignore[arg-type]


def test_the_global_registry_holds_the_ledger_events() -> None:
    assert event_get(9000) is CHECKPOINT_SIGNED
    assert CHECKPOINT_SIGNED.name == "ledger.checkpoint_signed"
    assert event_get(9001).name == "ledger.cosignature_added"
    with pytest.raises(LookupError, match="no event with code 9999"):
        event_get(9999)
    with pytest.raises(ValueError):
        events.register_event(9000, "ledger.again", _("x"))


def test_render_is_translated_and_tolerant() -> None:
    with translation.override("zh-hans"):
        assert render_event(9000, {"tree_size": 12}) == "在树大小 12 处签署检查点"
    with translation.override("en"):
        assert render_event(9000, {"tree_size": 12}) == "Checkpoint signed at tree size 12"
        assert render_event(9000, {}) == "Checkpoint signed at tree size "
        assert render_event(9001, {"tree_size": 3, "witness": "长沙市司法局"}) == (
            "Checkpoint at tree size 3 cosigned by 长沙市司法局")
    assert render_event(9999, {"a": 1}) == "#9999"


class Kind(StrEnum):
    FINE = "fine"


def test_canonical_json() -> None:
    payload = {
        "b": [1, (2, "三")], "a": {"z": None, "y": True}, "day": dt.date(2026, 1, 2),
        "at": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "id": uuid.UUID(int=1),
        "amount": decimal.Decimal("12.50"), "kind": Kind.FINE, "quote": 'a"b\\c\n',
    }
    assert canonical_json(payload) == (
        '{"a":{"y":true,"z":null},"amount":"12.50","at":"2026-01-02T03:04:05+00:00",'
        '"b":[1,[2,"三"]],"day":"2026-01-02","id":"00000000-0000-0000-0000-000000000001",'
        '"kind":"fine","quote":"a\\"b\\\\c\\n"}')


@pytest.mark.parametrize(("payload", "where"), [
    ({"amount": 1.5}, "payload.amount: floats are not allowed"),
    ({"a": [{"b": {1, 2}}]}, "payload.a[0].b: set has no canonical JSON form"),
    ({1: "x"}, "payload: keys must be strings"),
    ({"raw": b"x"}, "payload.raw: bytes has no canonical JSON form"),
    ({"nan": float("nan")}, "payload.nan: floats are not allowed"),
])
def test_canonical_json_refuses(payload: dict, where: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(PayloadError) as exc:
        canonical_json(payload)
    assert str(exc.value).startswith(where)
    with pytest.raises(PayloadError, match="must be a mapping"):
        canonical_json([1])  # type: ignore[arg-type]


def test_leaf_data_format_1() -> None:
    when = timestamp_text(dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.timezone(
        dt.timedelta(hours=8))))
    assert when == "2026-11-26T08:30:00.000000Z"
    data = leaf_data(seq=7, stream="case:x", stream_seq=2, event_code=4001, actor_id=None,
                     actor_name='李"明', body_id=12, recorded_at=when, payload='{"n":1}')
    assert data == ('[1,7,"case:x",2,4001,null,"李\\"明",12,"2026-11-26T08:30:00.000000Z",'
                    '{"n":1}]').encode()
    with pytest.raises(ValueError, match="timezone-aware"):
        timestamp_text(dt.datetime(2026, 1, 1))


def test_checkpoint_text() -> None:
    text = checkpoint_text(algorithm="sm3", tree_size=1000, root_hash=bytes(range(32)),
                           timestamp=dt.datetime(2026, 11, 26, 8, 0, 1, 999,
                                                 tzinfo=dt.UTC))
    assert text == (b"zhifa-ledger-checkpoint/v1\nsm3\n1000\n"
                    b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n2026-11-26T08:00:01Z\n")
