"""What other apps add to a case file: a registry of contributors.

The case file holds more than the steps and the evidence: the enforcement documents issued on
the case (the documents app's PDFs) belong in it too, each in its part of the statutory order
(立案、调查取证、审查、决定、送达、执行、结案). The evidence app may not import the apps above
it, so they register a function here from their ``AppConfig.ready``; ``case_file_collect``
asks every contributor for its rows when it reads a case file.

A contributor takes the case and returns ``Contribution`` rows. A row with bytes (``data``)
or an evidence-store blob (``blob``) becomes a member of the package under
``documents/<index seq>-<file name>``, hashed into the manifest like every other member (the
offline verifier needs nothing new); a row without either is only listed in the index, with
its note (a voided document: its number stays on record, its file does not go in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zhifa.cases.models import Case


@dataclass(frozen=True)
class Contribution:
    key: str  # stable identity within the case file, e.g. "document:<public id>"
    title: str  # as the index prints it, e.g. "行政处罚决定书"
    stage: str  # the case-file part: registration | investigation | review | decision |
    #             service | execution | closing (``contents.PHASES``)
    date: dt.date | None = None
    number: str = ""  # the document's number (文号) or form serial
    filename: str = ""  # the member's file name; needed with ``data`` or ``blob``
    data: bytes | None = None  # the member's bytes, or
    blob: Any = None  # an evidence ``Blob`` whose stored bytes are copied (and re-hashed)
    step_id: int | None = None  # listed after this step of the case when it is in ``stage``
    order: int = 0  # position among the part's contributed rows
    state: str = ""  # e.g. "issued", "voided" (recorded in the manifest)
    note: str = ""  # the index's remark, e.g. "已作废"

    @property
    def has_file(self) -> bool:
        return self.data is not None or self.blob is not None


Contributor = Callable[["Case"], "list[Contribution]"]
_contributors: dict[str, Contributor] = {}


def register(fn: Contributor, name: str = "") -> None:
    """Add a contributor (again under the same name: replaced, so ``ready`` may run twice)."""
    _contributors[name or f"{fn.__module__}.{fn.__qualname__}"] = fn


def unregister(name: str) -> None:
    _contributors.pop(name, None)


def registered() -> dict[str, Contributor]:
    return dict(_contributors)


def contributions(case: Case) -> list[Contribution]:
    """Every contributor's rows for ``case``, in a stable order (the contributors by name,
    each one's rows as it gives them)."""
    rows: list[Contribution] = []
    for name in sorted(_contributors):
        rows.extend(_contributors[name](case))
    return rows
