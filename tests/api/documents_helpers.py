"""Clients, requests and a snapshot of every table the documents API may write, for the
documents API tests."""

import datetime as dt
import json
from typing import Any

from django.test import Client

from zhifa.cases.models import Case, CaseStep
from zhifa.documents.models import (
    Document,
    DocumentCounter,
    DocumentProfile,
    DocumentTemplate,
    NumberPattern,
    SerialBook,
    SerialUse,
    ServiceRecord,
)
from zhifa.evidence.models import Blob
from zhifa.ledger.models import LedgerEntry

API = "/api/v1"


def client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def send(c: Client, method: str, url: str, payload: Any = None) -> Any:
    if method == "GET":
        return c.get(API + url)
    body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
    return getattr(c, method.lower())(API + url, body, content_type="application/json")


def state() -> dict[str, Any]:
    """Every row a documents request may write, and the ledger's size."""
    def rows(model: Any) -> list[dict[str, Any]]:
        return list(model.objects.order_by("pk").values())

    return {
        "documents": rows(Document), "services": rows(ServiceRecord),
        "templates": rows(DocumentTemplate), "patterns": rows(NumberPattern),
        "counters": rows(DocumentCounter), "books": rows(SerialBook), "uses": rows(SerialUse),
        "profiles": rows(DocumentProfile), "blobs": Blob.objects.count(),
        "cases": list(Case.objects.order_by("pk").values("stage", "status", "updated_at")),
        "steps": CaseStep.objects.count(), "ledger": LedgerEntry.objects.count(),
    }


def iso(value: dt.datetime | None) -> str | None:
    """As the API writes times: UTC, milliseconds, "Z"."""
    if value is None:
        return None
    text = value.astimezone(dt.UTC).isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text.replace("+00:00", "Z")


def body_ref(b: Any) -> dict[str, Any]:
    return {"public_id": str(b.public_id), "name": b.name}


def zh(text: Any) -> str:
    """A (lazy) label as a zh-Hans user reads it (the API's default language)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def type_name(code: str) -> str:
    from zhifa.documents.doctypes import NAMES

    return zh(NAMES[code])
