"""(issue 4) — filled by its owner."""

from typing import Any


def add_arguments(parser: Any) -> None:
    pass


def handle(opts: dict[str, Any], stdout: Any) -> None:
    raise SystemExit("not implemented yet")
