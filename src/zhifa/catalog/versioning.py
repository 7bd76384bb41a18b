"""How a catalogue entry gets a new version: the next number, the previous version closed on
the new one's first day, in the caller's transaction.

Who may date a version in the past: ``in_force_on(D)`` answers what was in force on a past day
D, and decisions taken on D relied on that answer, so a body administrator's version takes
effect today or later (``version_backdated``). The system itself (``actor=None``: the demo
loader) and system administrators (imports and the admin, when a province records the
catalogues already in force before it adopted the platform) may record past versions.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.orgs.permissions import Perm, perms_of


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
