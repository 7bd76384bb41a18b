"""Publication rows in the states the open-data tests need (read side: rows made directly,
see ``tests.disclosure.factories``), and readers of the open-data answers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.utils import timezone

from tests.cases.factories import Agency
from tests.disclosure.factories import publication_row
from zhifa.disclosure.models import Publication, State, WithdrawalKind
from zhifa.disclosure.search import index_publication, unindex_publication
from zhifa.orgs.models import Region


def today() -> dt.date:
    return timezone.localdate()


def row(a: Agency, *, changed_at: dt.datetime | None = None, region: Region | None = None,
        columns: dict[str, Any] | None = None, **kwargs: Any) -> Publication:
    """A publication row (``columns``: values set after creation); a published one is in
    the search index, as approval leaves it."""
    pub = publication_row(a, **kwargs)
    changes: dict[str, Any] = dict(columns or {})
    if changed_at is not None:
        changes["changed_at"] = changed_at
    if region is not None:
        changes["region"] = region
    if changes:
        Publication.objects.filter(pk=pub.pk).update(**changes)
        pub.refresh_from_db()
    if pub.state == State.PUBLISHED:
        index_publication(pub)
    return pub


def withdraw(pub: Publication, *, reason: str = "该决定已被复议机关撤销。",
             kind: str = WithdrawalKind.REVOKED, at: dt.datetime | None = None) -> Publication:
    """The row as the withdrawal service leaves it (state, reason, dates, changed_at)."""
    moment = at or timezone.now()
    Publication.objects.filter(pk=pub.pk).update(
        state=State.WITHDRAWN, withdrawal_kind=kind, withdrawal_reason=reason,
        withdrawal_event_on=today(), withdrawn_on=today(), withdrawn_at=moment,
        changed_at=moment)
    pub.refresh_from_db()
    unindex_publication(pub)
    return pub


def end_early(pub: Publication, *, at: dt.datetime | None = None) -> Publication:
    moment = at or timezone.now()
    Publication.objects.filter(pk=pub.pk).update(
        state=State.ENDED, ended_on=today(), end_reason="信用修复", changed_at=moment)
    pub.refresh_from_db()
    unindex_publication(pub)
    return pub


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
