from collections.abc import Iterator
from contextlib import nullcontext

import pytest

from zhifa.cases import hooks
from zhifa.ledger.guard import ledger_unlocked

from .factories import Agency, agency


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


@pytest.fixture(autouse=True)
def _default_hooks(_hooks_as_installed: None) -> Iterator[None]:
    """The cases app is tested on its own: its hooks' defaults, not the evidence app's, and a
    test that replaces a hook never leaks it into the next one."""
    for name in hooks.DEFAULTS:
        hooks.reset(name)
    listeners = dict(hooks._step_listeners)
    hooks._step_listeners.clear()  # nor the reviews app's re-determination after a step
    yield
    hooks._step_listeners.update(listeners)
    for name in hooks.DEFAULTS:
        hooks.reset(name)


def _transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def _ledger_flush_allowed(request: pytest.FixtureRequest) -> Iterator[None]:
    """A transactional test empties the database when it ends, which on SQLite deletes ledger
    rows; the append-only trigger lets that through only inside ``ledger_unlocked``. Entered
    before the database fixture is set up, left after it is torn down (see the override of
    ``_seed_after_flush`` below); other tests keep the trigger's protection."""
    with ledger_unlocked() if _transactional(request) else nullcontext():
        yield


@pytest.fixture(autouse=True)
def _seed_after_flush(_ledger_flush_allowed: None, _seed_after_flush: None) -> None:
    """The project's fixture (which sets up the transactional database), after the ledger
    was unlocked for the flush."""
