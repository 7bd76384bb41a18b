"""A pytest plugin for the whole suite: after a transactional test (``transaction=True``,
``live_server``) Django empties every table, which on SQLite is a ``DELETE`` that the
ledger's append-only triggers refuse. This hook lets only the harness's teardown through
(``zhifa.ledger.guard``); the tests themselves still meet the triggers.

Enable it in the root ``tests/conftest.py`` with ``pytest_plugins = ["tests.ledger.plugin"]``.
"""

from collections.abc import Iterator

import pytest

from zhifa.ledger import guard


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    with guard.ledger_unlocked():
        return (yield)
