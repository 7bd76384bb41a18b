"""How a catalogue entry gets a new version: the next number, the previous version closed on
the new one's first day, in the caller's transaction.

Who may date a version in the past: ``in_force_on(D)`` answers what was in force on a past day
D, and decisions taken on D relied on that answer, so a body administrator's version takes
effect today or later (``version_backdated``). The system itself (``actor=None``: the demo
loader) and system administrators (imports and the admin, when a province records the
catalogues already in force before it adopted the platform) may record past versions.

Each new version writes its ledger entry (``record_version``, events in ``catalog.events``)
in the same transaction.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.ledger.events import EventType
from zhifa.ledger.services import ledger_append
from zhifa.orgs.permissions import Perm, perms_of

from .events import CATALOG_STREAM
from .models import Article


def is_system_actor(actor: Any) -> bool:
    """The system itself (``actor=None``) or a system administrator."""
    return actor is None or Perm.ADMINISTER_SYSTEM in perms_of(actor)


def latest_version(model: Any, key: dict[str, Any]) -> Any:
    """The latest version of the entry ``key`` names (its scope and code), locked until the
    transaction ends, so that two new versions cannot both close it."""
    return model.objects.select_for_update().filter(**key).order_by("-version").first()


def create_version(
    model: Any, *, actor: Any, key: dict[str, Any], effective_from: dt.date, **fields: Any
) -> Any:
    """A new row of ``model`` as the next version of the one ``key`` names, closing the version
    in force before it."""
    today = timezone.localdate()
    if effective_from < today and not is_system_actor(actor):
        raise InvalidInput(
            _("A new version cannot take effect before today (%(date)s).")
            % {"date": today.isoformat()},
            code="version_backdated",
        )
    previous = latest_version(model, key)
    version = 1
    if previous is not None:
        if effective_from <= previous.effective_from:
            raise InvalidInput(
                _("A new version must take effect after the current one (%(date)s).")
                % {"date": previous.effective_from.isoformat()},
                code="version_effective_date",
            )
        if previous.effective_to is None or previous.effective_to > effective_from:
            previous.effective_to = effective_from
            previous.save(update_fields=["effective_to", "updated_at"])
        version = int(previous.version) + 1
    return model.objects.create(**key, version=version, effective_from=effective_from, **fields)


def ledger_actor(actor: Any) -> Any:
    """The actor an entry names: ``None`` for the system itself."""
    return actor if actor is not None and actor.pk is not None else None


def record_version(
    *, actor: Any, obj: Any, first: EventType, later: EventType, body: Any,
    payload: Mapping[str, Any],
) -> None:
    """The ledger entry of a new version ``obj`` (in the caller's transaction): ``first`` for
    version 1, ``later`` for the ones after it, which close their predecessor."""
    version = int(obj.version)
    ledger_append(
        actor=ledger_actor(actor), event=first if version == 1 else later,
        stream=CATALOG_STREAM, body=body,
        payload={"code": obj.code, "version": version, "effective_from": obj.effective_from,
                 "previous_version": version - 1 if version > 1 else None, **payload},
    )


def article_refs(articles: Iterable[Any]) -> list[str]:
    """Articles as the ledger names them, ``law_code:number``, sorted (one query)."""
    pks = [a.pk for a in articles]
    if not pks:
        return []
    rows = Article.objects.filter(pk__in=pks).values_list("version__law__code", "number")
    return sorted(f"{code}:{number}" for code, number in rows)
