"""Import and export of people, certificates, enforcement items and discretion benchmarks.

``transfer_import`` reads a file, checks every row (collecting every problem with its row,
column, value and a stable code) and only then creates the rows through the owning apps'
services (``person_create``, ``certificate_issue``, ``item_create``, ``benchmark_create``), all
in one transaction: a file with any bad row, or a service that refuses a row, imports nothing.
``transfer_export`` writes the same columns from the scoped selectors, so an export imports
again; ``transfer_template`` hands out the empty file with its instructions.
"""

import io
from collections.abc import Iterable
from typing import IO, Any

import openpyxl
import openpyxl.styles
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied

from . import staging
from .kinds import KINDS, Kind, get_kind
from .kinds.base import Action, Column, SourceRow
from .kinds.reader import ImportContext
from .report import ImportReport
from .tabular import (
    CSV,
    FORMATS,
    XLSX,
    FileProblem,
    Limits,
    RawSheet,
    SheetSpec,
    read_sheet,
    too_many_rows,
    write_csv,
    write_xlsx,
)
from .vocab import normalise

# An .xlsx file is a zip archive; text and spreadsheet XML compress about 5-10 times, so 20
# times the file size leaves room for any honest workbook.
UNPACKED_FACTOR = 20


def max_bytes() -> int:
    return int(settings.ZHIFA["IMPORT_MAX_BYTES"])


def max_rows() -> int:
    """Data rows per file; the heading and the template's key row do not count."""
    return int(settings.ZHIFA["IMPORT_MAX_ROWS"])


def max_unpacked_bytes() -> int:
    return int(settings.ZHIFA.get("IMPORT_MAX_UNCOMPRESSED_BYTES",
                                  UNPACKED_FACTOR * max_bytes()))


# --- Templates and exports --------------------------------------------------------------------
def _check_format(fmt: str) -> str:
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInput(_("Use the format xlsx or csv."), code="format_unknown")
    return fmt


def _general_notes() -> list[str]:
    size = max_bytes() / (1024 * 1024)
    return [
        _("Fill in the first sheet from row 3 on. Do not change the heading row or the hidden "
          "second row, which holds the field keys."),
        _("Columns with a red heading are required."),
        _("Dates are written YYYY-MM-DD, e.g. 2024-03-01. Amounts in yuan have at most two "
          "decimals; they are stored in fen."),
        _("Several values in one cell are separated by 、 or a comma."),
        _("The whole file is checked before anything is saved: if any row has an error, "
          "nothing is imported. Choose “validate only” to check a file first."),
        _("A file may hold up to %(size)s MB and %(rows)s rows; CSV files are UTF-8.")
        % {"size": f"{size:g}", "rows": max_rows()},
    ]


def _column_help(columns: tuple[Column, ...]) -> list[list[str]]:
    rows = []
    for column in columns:
        help_text = str(column.help)
        if column.vocabulary is not None:
            # Chinese runs sentences together; other languages put a space between them.
            help_text += "" if help_text.endswith(("。", "）")) else " "
            help_text += _("Allowed: %(values)s.") % {"values": column.vocabulary.allowed()}
        rows.append([
            str(column.label), column.key, _("Yes") if column.required else _("No"),
            help_text, column.example,
        ])
    return rows


def _spec(kind: Kind, rows: Iterable[list[str]], *, with_references: bool,
          columns: tuple[Column, ...]) -> SheetSpec:
    return SheetSpec(
        kind=kind.key,
        title=str(kind.title),
        labels=[str(c.label) for c in columns],
        keys=[c.key for c in columns],
        required=[c.required for c in columns],
        widths=[c.width for c in columns],
        rows=rows,
        choices={
            i: [c.vocabulary.display(v) for v in c.vocabulary.choices.values]
            for i, c in enumerate(columns)
            if c.vocabulary is not None and not c.multiple
        },
        instructions_title=_("Instructions"),
        notes=[*_general_notes(), *(str(n) for n in kind.notes)],
        column_table_header=[_("Column"), _("Field key"), _("Required"),
                             _("Format and allowed values"), _("Example")],
        column_table=_column_help(columns),
        references=kind.references() if with_references else [],
    )


def _write(fmt: str, spec: SheetSpec) -> bytes:
    return write_xlsx(spec) if fmt == XLSX else write_csv(spec)


def transfer_template(*, kind: str, fmt: str) -> bytes:
    """The empty template of ``kind`` in ``fmt`` (xlsx with instructions, or csv)."""
    k, fmt = get_kind(kind), _check_format(fmt)
    return _write(fmt, _spec(k, [], with_references=True, columns=k.import_columns))


def transfer_export(*, actor: Any, kind: str, fmt: str) -> bytes:
    """What ``actor`` may see of ``kind``, in the template's columns. ID numbers are full only
    where ``person_id_number_for`` allows; masked ones do not import again, by design."""
    k, fmt = get_kind(kind), _check_format(fmt)
    if not k.can_export(actor):
        raise PermissionDenied(_("You do not have permission to export this data."),
                               code=f"missing_{k.view_perm.value}")
    keys = [c.key for c in k.columns]
    rows = ([row.get(key, "") for key in keys] for row in k.export_rows(actor))
    return _write(fmt, _spec(k, rows, with_references=False, columns=k.columns))


# --- Import -----------------------------------------------------------------------------------
def _header_names(kind: Kind) -> dict[str, str]:
    """Every heading a column may have: its key and its label in each language."""
    names: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            for column in kind.columns:
                names.setdefault(normalise(str(column.label)), column.key)
    for column in kind.columns:
        names[normalise(column.key)] = column.key
    return names


def _clean_heading(text: str) -> str:
    return normalise(text).strip("*＊")


def _map_columns(
    kind: Kind, sheet: RawSheet, report: ImportReport
) -> tuple[dict[int, str], list[tuple[int, list[str]]]] | None:
    """Column index -> key, and the data rows; None (with header errors) when the headings
    do not match the template."""
    rows = sheet.rows
    if sheet.kind_hint and sheet.kind_hint != kind.key and sheet.kind_hint in KINDS:
        report.add(row=None, column="", value=str(KINDS[sheet.kind_hint].title),
                   code="header_mismatch",
                   message=_("This file is the template for “%(found)s”, not for “%(kind)s”.")
                   % {"found": KINDS[sheet.kind_hint].title, "kind": kind.title})
        return None
    header_number, header = rows[0]
    keys = {c.key for c in kind.columns}
    data = rows[1:]
    # The template's hidden second row holds the keys; it wins over headings people edit.
    if data and {c for c in data[0][1] if c} and {c for c in data[0][1] if c} <= keys:
        header_number, header = data[0]
        data = data[1:]
        names = {key: key for key in keys}
    else:
        names = _header_names(kind)
    mapping: dict[int, str] = {}
    for index, heading in enumerate(header):
        if not heading:
            continue
        key = names.get(_clean_heading(heading))
        if key is None:
            report.add(row=header_number, column=heading, value=heading, code="header_mismatch",
                       message=_("This column is not in the template for “%(kind)s”.")
                       % {"kind": kind.title})
        elif key in mapping.values():
            report.add(row=header_number, column=heading, value=heading, code="header_mismatch",
                       message=_("This column appears twice."))
        elif not kind.column(key).export_only:  # read-only columns of exports are skipped
            mapping[index] = key
    for column in kind.import_columns:
        if column.required and column.key not in mapping.values():
            report.add(row=header_number, column=str(column.label), value="",
                       code="header_mismatch",
                       message=_("The required column “%(column)s” is missing.")
                       % {"column": column.label})
    if report.errors:
        return None
    return mapping, data


def _file_error(report: ImportReport, code: str, message: str) -> ImportReport:
    report.add(row=None, column="", value=report.file_name, code=code, message=message)
    return report


class _Rollback(Exception):
    """Leaves the import's transaction without committing anything."""


def _run(kind: Kind, actions: list[Action], report: ImportReport) -> None:
    """Every planned service call inside one transaction; each call in a savepoint so that a
    refusal is reported against its row and the remaining rows are still checked."""
    try:
        with transaction.atomic():
            for action in actions:
                try:
                    with transaction.atomic():
                        action.run()
                except ApplicationError as exc:
                    row = action.rows[0]
                    if isinstance(exc.detail, str) and exc.detail in action.detail_rows:
                        row = next(r for r in action.rows
                                   if r.number == action.detail_rows[exc.detail])
                    key = kind.error_columns.get(exc.code, "")
                    report.add(row=row.number, column=str(kind.column(key).label) if key else "",
                               value=row.values.get(key, ""), code=exc.code, message=exc.message)
                else:
                    report.created += action.count
            if report.errors or report.dry_run:
                raise _Rollback
            report.committed = True
    except _Rollback:
        pass
    if not report.committed and not report.dry_run:
        report.created = 0


def transfer_import(
    *,
    actor: Any,
    kind: str,
    file_name: str,
    source: IO[bytes] | bytes,
    dry_run: bool = False,
) -> ImportReport:
    """Import a template file of ``kind`` as ``actor``; all rows or none.

    Raises ``PermissionDenied`` when the actor may not import this kind at all; every other
    problem is in the returned report. ``dry_run`` checks everything, including what the
    services would refuse, and then rolls back.
    """
    k = get_kind(kind)
    if not k.can_import(actor):
        raise PermissionDenied(_("You do not have permission to import this data."),
                               code=f"missing_{k.manage_perm.value}")
    report = ImportReport(kind=k.key, file_name=file_name, dry_run=dry_run)
    limit = max_bytes()
    data = source if isinstance(source, bytes) else source.read(limit + 1)
    if len(data) > limit:
        return _file_error(report, "file_too_large",
                           _("The file is larger than %(size)s MB.")
                           % {"size": f"{limit / (1024 * 1024):g}"})
    names = _header_names(k)
    try:
        sheet = read_sheet(
            file_name=file_name, data=data,
            limits=Limits(max_rows=max_rows(), max_unpacked_bytes=max_unpacked_bytes()),
            is_header=lambda cells: any(_clean_heading(c) in names for c in cells if c),
        )
    except FileProblem as problem:
        return _file_error(report, problem.code, problem.message)
    if not sheet.rows:
        return _file_error(report, "file_empty", _("The file has no rows."))
    mapped = _map_columns(k, sheet, report)
    if mapped is None:
        return report
    mapping, data_rows = mapped
    rows = [
        SourceRow(number=number, values={
            key: (cells[index] if index < len(cells) else "") for index, key in mapping.items()
        })
        for number, cells in data_rows
    ]
    rows = [row for row in rows if any(row.values.values())]
    report.rows = len(rows)
    if not rows:
        return _file_error(report, "file_empty", _("The file has no data rows."))
    if len(rows) > max_rows():
        too_many = too_many_rows(max_rows())
        return _file_error(report, too_many.code, too_many.message)
    actions = k.plan(ImportContext(actor=actor, kind=k, report=report), rows)
    if report.errors:
        return report  # nothing was written: validation comes first
    _run(k, actions, report)
    return report


def transfer_import_staged(*, actor: Any, token: str) -> ImportReport:
    """Import the file that ``actor`` validated earlier (``staging.stage``), without uploading
    it again. The stored file is removed before it is imported, so a token works once."""
    found = staging.find(actor=actor, token=token, purpose=staging.UPLOAD)
    k = get_kind(found.kind)
    if not k.can_import(actor):
        raise PermissionDenied(_("You do not have permission to import this data."),
                               code=f"missing_{k.manage_perm.value}")
    data = staging.claim(found)
    return transfer_import(actor=actor, kind=k.key, file_name=found.file_name, source=data)


def error_report_xlsx(report: ImportReport) -> bytes:
    """The problems of an import as a workbook: row, column, value, code and message."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Problems")[:31]
    sheet.append([_("Row"), _("Column"), _("Value"), _("Error code"), _("Problem")])
    for cell in sheet[1]:
        cell.font = openpyxl.styles.Font(bold=True)
    for error in report.sorted_errors():
        # Cells are written as text: an ID number must not turn into a number.
        sheet.append([error.row if error.row else _("whole file"), error.column,
                      _text_cell(error.value), error.code, error.message])
    for letter, width in zip("ABCDE", (8, 22, 26, 26, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text_cell(value: str) -> str:
    # A leading = + - @ would make a spreadsheet formula of what the user typed.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


__all__ = ["CSV", "XLSX", "error_report_xlsx", "transfer_export", "transfer_import",
           "transfer_import_staged", "transfer_template"]
