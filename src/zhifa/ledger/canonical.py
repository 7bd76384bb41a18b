"""The exact byte formats that the ledger hashes and signs. Anyone can recompute them; they
are documented in ``docs/adr/0008-ledger.md`` and must never change for existing entries (a
new format gets a new version number).

Leaf data (format 1) is the UTF-8 encoding of the JSON array

    [1,seq,stream,stream_seq,event_code,actor_id,actor_name,body_id,recorded_at,payload]

without whitespace: integers in decimal, ``actor_id`` / ``body_id`` ``null`` when absent,
strings escaped as ``json.dumps(ensure_ascii=False)`` does (only ``"``, ``\\`` and control
characters), ``recorded_at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, and ``payload`` the
stored canonical JSON object verbatim. The leaf hash is ``H(0x00 || leaf_data)``.
"""

import base64
import datetime as dt
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring
from typing import Any

LEAF_FORMAT = 1
CHECKPOINT_HEADER = "zhifa-ledger-checkpoint/v1"

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                            allow_nan=False)


def _refuse(value: Any) -> Any:
    raise PayloadError(f"{type(value).__name__} has no canonical JSON form")


# The C encoder behind ``_ENCODER``, built once: ``JSONEncoder.encode`` builds it per call,
# which doubled the cost of the bulk import path. Same output as ``_ENCODER.encode``.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_c_encode = (_c_make_encoder(None, _refuse, encode_basestring, None, ":", ",", True, False,
                             False) if _c_make_encoder is not None else None)


def _encode(value: Any) -> str:
    if _c_encode is None:  # pragma: no cover - CPython always has the C encoder
        return _ENCODER.encode(value)
    return "".join(_c_encode(value, 0))


class PayloadError(TypeError):
    """A payload value that has no single canonical form (floats, bytes, sets, ...)."""


_SCALARS = (str, int, bool, type(None))


def _plain(value: Any) -> Any:
    """The payload with every value in its JSON form. Exact built-in types take the fast
    path; anything else (subclasses, dates, UUIDs, Decimals) goes through ``_convert``."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise PayloadError("keys must be strings")
            out[key] = _plain(item)
        return out
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    return _convert(value)


def _convert(value: Any) -> Any:
    # bool before int: bool is an int subclass and must stay a JSON boolean.
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        raise PayloadError("floats are not allowed (use integers, e.g. fen, or Decimal)")
    if isinstance(value, Mapping):
        return _plain(dict(value))
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    raise PayloadError(f"{type(value).__name__} has no canonical JSON form")


def _where(value: Any, path: str = "payload") -> str:
    """The path of the first value that ``_plain`` refuses, for the error message."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return path
            found = _where(item, f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _where(item, f"{path}[{i}]")
            if found:
                return found
        return ""
    try:
        _convert(value)
    except PayloadError:
        return path
    return ""


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text (not ASCII-escaped); dates, datetimes, UUIDs
    and Decimals become strings; floats, non-string keys and other types are refused."""
    if type(payload) is not dict and not isinstance(payload, Mapping):
        raise PayloadError("the payload must be a mapping")
    try:
        plain = _plain(payload)
    except PayloadError as exc:
        raise PayloadError(f"{_where(payload)}: {exc}") from None
    return _encode(plain)


def timestamp_text(value: dt.datetime) -> str:
    """``recorded_at`` as it enters the leaf: UTC, always six fractional digits."""
    if value.tzinfo is None:
        raise ValueError("ledger timestamps must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_data(*, seq: int, stream: str, stream_seq: int, event_code: int,
              actor_id: int | None, actor_name: str, body_id: int | None,
              recorded_at: str, payload: str) -> bytes:
    """The leaf bytes (format 1); ``recorded_at`` is ``timestamp_text`` and ``payload`` the
    canonical JSON text. ``verify`` inlines the same expression for speed."""
    actor = "null" if actor_id is None else actor_id
    body = "null" if body_id is None else body_id
    return (f"[{LEAF_FORMAT},{seq},{encode_basestring(stream)},{stream_seq},{event_code},"
            f"{actor},{encode_basestring(actor_name)},{body},\"{recorded_at}\",{payload}]"
            ).encode()


def checkpoint_text(*, algorithm: str, tree_size: int, root_hash: bytes,
                    timestamp: dt.datetime) -> bytes:
    """What a checkpoint's signature (and every witness cosignature) signs: five lines, each
    ending in a line feed — the header, the hash algorithm, the tree size in decimal, the root
    hash in standard base64, the time in UTC to the second."""
    when = timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f"{CHECKPOINT_HEADER}\n{algorithm}\n{tree_size}\n"
            f"{base64.b64encode(root_hash).decode()}\n{when}\n").encode()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
