"""Signed checkpoints kept outside the database.

Someone who can write to the database can delete the newest entries together with the
checkpoints that signed them and recompute the head: what is left is a shorter ledger that is
consistent in itself. So every signed checkpoint is also appended, once its transaction has
committed, as one JSON line to a file outside the database (``conf.checkpoint_log_path()``),
which the operator backs up and ships off the machine; ``verify`` holds the database against
it. A line is what ``zhifa ledger checkpoint --json`` prints: ``{tree_size, root_hash,
algorithm, timestamp, signature, public_key}``, bytes in standard base64, the time as signed.
"""

import base64
import binascii
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .canonical import b64, checkpoint_text
from .models import Checkpoint

SIGNED_TIME = "%Y-%m-%dT%H:%M:%SZ"  # the time line of ``canonical.checkpoint_text``


def signed_time(timestamp: dt.datetime) -> str:
    return timestamp.astimezone(dt.UTC).strftime(SIGNED_TIME)


def checkpoint_record(checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "tree_size": checkpoint.tree_size,
        "root_hash": b64(bytes(checkpoint.root_hash)),
        "algorithm": checkpoint.algorithm,
        "timestamp": signed_time(checkpoint.timestamp),
        "signature": b64(bytes(checkpoint.signature)),
        "public_key": b64(bytes(checkpoint.public_key)),
    }


def append_record(record: dict[str, Any], path: Path) -> None:
    """Append one line and make it durable before returning: a checkpoint the database
    has but the file lost would protect nothing."""
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    # One write() with O_APPEND: lines from processes signing at once do not interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # the new directory entry must survive a crash too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@dataclass(frozen=True)
class LoggedCheckpoint:
    line: int
    tree_size: int
    root_hash: bytes
    algorithm: str
    timestamp: str
    signature: bytes
    public_key: bytes

    def message(self) -> bytes:
        """The bytes its signature signs (``canonical.checkpoint_text``)."""
        when = dt.datetime.strptime(self.timestamp, SIGNED_TIME).replace(tzinfo=dt.UTC)
        return checkpoint_text(algorithm=self.algorithm, tree_size=self.tree_size,
                               root_hash=self.root_hash, timestamp=when)

    def differs_from(self, checkpoint: Checkpoint) -> list[str]:
        """Names of the fields in which the database's checkpoint differs from this one."""
        stored = checkpoint_record(checkpoint)
        mine = {"root_hash": b64(self.root_hash), "algorithm": self.algorithm,
                "timestamp": self.timestamp, "signature": b64(self.signature),
                "public_key": b64(self.public_key)}
        return sorted(k for k, v in mine.items() if stored[k] != v)


def _parse(number: int, text: str) -> LoggedCheckpoint:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    tree_size = data["tree_size"]
    if type(tree_size) is not int or tree_size < 0:
        raise ValueError("tree_size is not a size")
    timestamp = str(data["timestamp"])
    dt.datetime.strptime(timestamp, SIGNED_TIME)
    return LoggedCheckpoint(
        line=number, tree_size=tree_size, algorithm=str(data["algorithm"]), timestamp=timestamp,
        root_hash=base64.b64decode(data["root_hash"], validate=True),
        signature=base64.b64decode(data["signature"], validate=True),
        public_key=base64.b64decode(data["public_key"], validate=True))


def read_log(path: Path) -> tuple[list[LoggedCheckpoint], list[tuple[int, str]]]:
    """The checkpoints in the file, and its lines that are not checkpoints (line number,
    reason). Blank lines are ignored."""
    logged: list[LoggedCheckpoint] = []
    bad: list[tuple[int, str]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode()
                if not text.strip():
                    continue
                logged.append(_parse(number, text))
            except (UnicodeDecodeError, ValueError, KeyError, TypeError,
                    binascii.Error) as exc:
                reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
                bad.append((number, reason))
    return logged, bad
