"""Fixtures and the harness hook of the ledger tests (helpers are in ``helpers``)."""

from pathlib import Path
from typing import Any

import pytest

# The flush after a transactional test must get past the SQLite triggers (see ``plugin``;
# the root conftest may enable the same plugin for the whole suite: nesting is harmless).
from tests.ledger.plugin import pytest_runtest_teardown  # noqa: F401


@pytest.fixture(autouse=True)
def _keys(settings: Any, tmp_path: Path) -> Path:
    """Signing keys and the checkpoint log in a fresh directory per test, never in
    ``var/``."""
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")
    settings.ZHIFA_LEDGER_CHECKPOINT_LOG = str(tmp_path / "log" / "checkpoints.jsonl")
    settings.ZHIFA_LEDGER_HASH = "sm3"
    settings.ZHIFA_LEDGER_SIGNATURE = "ed25519"
    return tmp_path / "keys"
