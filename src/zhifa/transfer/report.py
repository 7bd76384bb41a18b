"""The outcome of an import: row errors with stable codes, and counts."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowError:
    """One problem. ``row`` is the row number as the spreadsheet shows it (None: the whole
    file); ``column`` is the column's heading; ``code`` is stable for scripts and tests."""

    row: int | None
    column: str
    value: str
    code: str
    message: str


@dataclass
class ImportReport:
    kind: str
    file_name: str
    dry_run: bool = False
    rows: int = 0  # data rows read
    created: int = 0  # records the import created (or would create, on a dry run)
    committed: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(
        self, *, row: int | None, column: str, value: object, code: str, message: str
    ) -> None:
        self.errors.append(
            RowError(row=row, column=column, value="" if value is None else str(value),
                     code=code, message=str(message))
        )

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row or 0))

    def codes(self) -> list[tuple[int | None, str]]:
        """(row, code) pairs in report order; handy for tests and scripts."""
        return [(e.row, e.code) for e in self.sorted_errors()]
