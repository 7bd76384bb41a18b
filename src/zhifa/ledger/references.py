"""Rows of other apps that point at ledger entries.

Deleting the newest entries (and everything that describes them: nodes, checkpoints, head)
leaves a ledger that is consistent in itself; the rows that recorded those entries' sequence
numbers still say they existed. The ledger cannot import the apps above it, so each app
registers a function returning the highest sequence number its rows refer to, and ``verify``
checks that the ledger reaches that far.
"""

from collections.abc import Callable

from django.apps import apps
from django.db.models import Max

_registry: dict[str, Callable[[], int | None]] = {}


def register(name: str, highest: Callable[[], int | None]) -> None:
    """``highest()`` returns the highest ledger ``seq`` referred to, or None when none is.
    Registering a name again replaces its function (``AppConfig.ready`` may run twice)."""
    _registry[name] = highest


def register_max(model_label: str, field_name: str) -> None:
    """Register ``MAX(field_name)`` over the model ``"app_label.ModelName"``, which holds
    ledger sequence numbers."""

    def highest() -> int | None:
        model = apps.get_model(model_label)
        value = model._default_manager.aggregate(highest=Max(field_name))["highest"]
        return None if value is None else int(value)

    register(f"{model_label}.{field_name}", highest)


def highest_references() -> dict[str, int | None]:
    """Each registered reference's highest sequence number, read now."""
    return {name: highest() for name, highest in sorted(_registry.items())}
