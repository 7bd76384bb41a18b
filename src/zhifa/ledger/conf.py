"""The ledger's settings, read from Django settings or else from the environment.

- ``ZHIFA_LEDGER_HASH``: ``sm3`` (default) or ``sha256``. Fixed by the first entry: the
  ledger refuses to run when the setting differs from the algorithm it was started with.
- ``ZHIFA_LEDGER_SIGNATURE``: ``ed25519`` (default) or ``sm2``, for new checkpoints.
- ``ZHIFA_LEDGER_KEY_DIR``: where signing keys live (default ``ZHIFA_DATA_DIR/keys``).
- ``ZHIFA_LEDGER_CHECKPOINT_LOG``: the file outside the database that every signed checkpoint
  is appended to (default ``ZHIFA_DATA_DIR/ledger/checkpoints.jsonl``).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .merkle import ALGORITHMS

SIGNATURE_ALGORITHMS = ("ed25519", "sm2")


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None) or os.environ.get(name) or default
    return str(value).strip().lower()


def hash_algorithm() -> str:
    value = _setting("ZHIFA_LEDGER_HASH", "sm3")
    if value not in ALGORITHMS:
        raise ImproperlyConfigured(
            f"ZHIFA_LEDGER_HASH={value!r}: expected one of {', '.join(ALGORITHMS)}")
    return value


def signature_algorithm() -> str:
    value = _setting("ZHIFA_LEDGER_SIGNATURE", "ed25519")
    if value not in SIGNATURE_ALGORITHMS:
        raise ImproperlyConfigured(
            f"ZHIFA_LEDGER_SIGNATURE={value!r}: expected one of "
            f"{', '.join(SIGNATURE_ALGORITHMS)}")
    return value


def key_dir() -> Path:
    configured = getattr(settings, "ZHIFA_LEDGER_KEY_DIR", None) or os.environ.get(
        "ZHIFA_LEDGER_KEY_DIR")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "keys"


def checkpoint_log_path() -> Path:
    configured = getattr(settings, "ZHIFA_LEDGER_CHECKPOINT_LOG", None) or os.environ.get(
        "ZHIFA_LEDGER_CHECKPOINT_LOG")
    if configured:
        return Path(configured)
    return Path(settings.DATA_DIR) / "ledger" / "checkpoints.jsonl"


class LedgerMisconfigured(ImproperlyConfigured):
    """The installation's setting and the stored ledger disagree: nothing may be appended,
    proved or verified until the operator restores the setting the ledger started with."""
