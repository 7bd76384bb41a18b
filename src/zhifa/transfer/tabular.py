"""Reading and writing the two file formats, XLSX and CSV, as rows of cell texts.

Nothing here knows about people or items: the kinds turn cell texts into values.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
# Templates and exports say which kind they hold, so a file uploaded as the wrong kind is
# named as such instead of producing a list of unknown columns.
IDENTIFIER_PREFIX = "zhifa-transfer:"
# Cells starting with these are formulas to Excel and WPS; exports put an apostrophe in front
# (the usual CSV-injection defence) and imports take it off again, so values round-trip.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Rows of the data sheet that get the text format and drop-down lists in a template.
_TEMPLATE_ROWS = 2000


class FileProblem(Exception):
    """The file as a whole cannot be read; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class RawSheet:
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)
    kind_hint: str = ""


def format_of(file_name: str, data: bytes = b"") -> str:
    name = file_name.lower().strip()
    if name.endswith(".xlsx"):
        return XLSX
    if name.endswith(".csv") or name.endswith(".txt"):
        return CSV
    if name.endswith((".xls", ".et", ".ods", ".numbers")):
        raise FileProblem(
            "file_type",
            _("This file type is not supported. Save the sheet as .xlsx or as CSV (UTF-8)."),
        )
    # No telling extension: an XLSX file is a zip archive.
    return XLSX if data.startswith(b"PK\x03\x04") else CSV


def cell_text(value: Any) -> str:
    """A cell's value as the text the kinds parse; dates become YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_START[:4]:
        text = text[1:]
    return text


def _blank(cells: Sequence[str]) -> bool:
    return not any(cells)


# Rows above the data a file may have: the heading row and the template's hidden key row.
HEADER_ROWS = 2
# An .xlsx workbook of one data sheet has a dozen or two parts; thousands are no spreadsheet.
MAX_ZIP_ENTRIES = 1000


@dataclass(frozen=True)
class Limits:
    """What a file may hold: data rows, and for .xlsx the size its parts unpack to."""

    max_rows: int
    max_unpacked_bytes: int
    max_entries: int = MAX_ZIP_ENTRIES


def read_sheet(
    *,
    file_name: str,
    data: bytes,
    limits: Limits,
    is_header: Callable[[list[str]], bool],
) -> RawSheet:
    """Every non-blank row of the data sheet (the first sheet whose first row ``is_header``
    accepts, else the first sheet), numbered as the spreadsheet numbers them.

    Reading stops with ``file_too_many_rows`` past ``limits.max_rows`` plus the header rows;
    the caller, who knows which rows are headings, counts the data rows exactly."""
    fmt = format_of(file_name, data)
    if not data:
        raise FileProblem("file_empty", _("The file is empty."))
    if fmt == XLSX:
        return _read_xlsx(data, limits=limits, is_header=is_header)
    return _read_csv(data, max_rows=limits.max_rows)


def too_many_rows(max_rows: int) -> FileProblem:
    return FileProblem(
        "file_too_many_rows",
        _("The file has more than %(count)s data rows; split it into several files.")
        % {"count": max_rows},
    )


def _take_rows(sheet: RawSheet, rows: Iterable[Iterable[Any]], *, max_rows: int) -> None:
    """Append the non-blank ``rows`` as text cells with their spreadsheet row numbers."""
    for number, values in enumerate(rows, start=1):
        cells = [cell_text(v) for v in values]
        if _blank(cells):
            continue
        if len(sheet.rows) >= max_rows + HEADER_ROWS:
            raise too_many_rows(max_rows)
        sheet.rows.append((number, cells))


def _check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a workbook that would unpack to far more than a spreadsheet of the allowed size
    (a "zip bomb") before openpyxl inflates any part. The sizes are those the archive declares;
    Python's zipfile never inflates a part beyond its declared size, so they bound the work."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem(
            "file_unreadable", _("The file cannot be read as an .xlsx workbook.")
        ) from None
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > limits.max_entries or unpacked > limits.max_unpacked_bytes:
        raise FileProblem(
            "file_too_large",
            _("The workbook unpacks to more than %(size)s MB; save it again without extra "
              "sheets, pictures or formatting, or split it.")
            % {"size": f"{limits.max_unpacked_bytes / (1024 * 1024):g}"},
        )


def _read_xlsx(
    data: bytes, *, limits: Limits, is_header: Callable[[list[str]], bool]
) -> RawSheet:
    _check_archive(data, limits)
    max_rows = limits.max_rows
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, IndexError,
            AttributeError, SyntaxError, openpyxl.utils.exceptions.InvalidFileException):
        # openpyxl reports a damaged or foreign file through many exception types.
        raise FileProblem(
            "file_unreadable", _("The file cannot be read as an .xlsx workbook.")
        ) from None
    try:
        sheets = list(workbook.worksheets)
        if not sheets:
            raise FileProblem("file_empty", _("The workbook has no sheet."))
        chosen = sheets[0]
        for sheet in sheets:
            first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
            if is_header([cell_text(v) for v in first]):
                chosen = sheet
                break
        result = RawSheet(kind_hint=_hint(workbook.properties.identifier))
        _take_rows(result, chosen.iter_rows(values_only=True), max_rows=max_rows)
        return result
    except FileProblem:
        raise
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, IndexError,
            AttributeError, SyntaxError):
        raise FileProblem(
            "file_unreadable", _("The file cannot be read as an .xlsx workbook.")
        ) from None
    finally:
        workbook.close()


def _hint(identifier: Any) -> str:
    text = str(identifier or "")
    return text[len(IDENTIFIER_PREFIX):] if text.startswith(IDENTIFIER_PREFIX) else ""


def _read_csv(data: bytes, *, max_rows: int) -> RawSheet:
    text: str | None = None
    # UTF-8 (with or without BOM) is the format; Excel and WPS on Chinese Windows save "CSV"
    # as GB18030/GBK unless told otherwise, so that is accepted too rather than refused.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise FileProblem("file_unreadable", _("The file cannot be read as CSV text (UTF-8)."))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    result = RawSheet()
    try:
        _take_rows(result, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter),
                   max_rows=max_rows)
    except csv.Error:
        raise FileProblem(
            "file_unreadable", _("The file cannot be read as CSV text (UTF-8).")
        ) from None
    return result


# --- Writing --------------------------------------------------------------------------------
@dataclass
class SheetSpec:
    """What a data sheet holds; the kinds build it, the writers lay it out."""

    kind: str
    title: str
    labels: list[str]
    keys: list[str]
    required: list[bool]
    widths: list[int]
    rows: Iterable[list[str]] = ()
    # Column index -> allowed values, for drop-down lists in the template.
    choices: dict[int, list[str]] = field(default_factory=dict)
    # The instructions sheet: a title, general notes, then one row per column.
    instructions_title: str = ""
    notes: list[str] = field(default_factory=list)
    column_table_header: list[str] = field(default_factory=list)
    column_table: list[list[str]] = field(default_factory=list)
    # Further sheets of reference codes: (title, header, rows).
    references: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)


_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_OPTIONAL_FILL = PatternFill("solid", fgColor="EDEDED")
_KEY_FONT = Font(color="808080", size=8)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31] or "Sheet"


def _put_text(sheet: Worksheet, row: int, column: int, value: str) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    # openpyxl treats a string starting with "=" as a formula; keep every value a string.
    if isinstance(value, str) and value:
        cell.data_type = "s"


def write_xlsx(spec: SheetSpec) -> bytes:
    workbook = openpyxl.Workbook()
    data = workbook.active
    assert data is not None
    data.title = _sheet_title(spec.title)
    for index, (label, key, required, width) in enumerate(
        zip(spec.labels, spec.keys, spec.required, spec.widths, strict=True), start=1
    ):
        head = data.cell(row=1, column=index, value=label)
        head.font = _HEADER_FONT
        head.fill = _REQUIRED_FILL if required else _OPTIONAL_FILL
        key_cell = data.cell(row=2, column=index, value=key)
        key_cell.font = _KEY_FONT
        letter = get_column_letter(index)
        data.column_dimensions[letter].width = width
        # Text format stops Excel from turning ID numbers into 4.30102E+17 and codes
        # like 0100 into 100.
        data.column_dimensions[letter].number_format = "@"
    # The second row holds the field keys: hidden, it lets the importer match columns even if
    # someone retitles a heading.
    data.row_dimensions[2].hidden = True
    data.freeze_panes = "A3"
    for number, values in enumerate(spec.rows, start=3):
        for index, value in enumerate(values, start=1):
            _put_text(data, number, index, value)
    for index, allowed in spec.choices.items():
        formula = '"' + ",".join(allowed) + '"'
        if len(formula) > 255:  # Excel's limit for an inline list
            continue
        validation = DataValidation(
            type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
            errorStyle="warning",
        )
        letter = get_column_letter(index + 1)
        validation.add(f"{letter}3:{letter}{_TEMPLATE_ROWS}")
        data.add_data_validation(validation)

    info = workbook.create_sheet(_sheet_title(spec.instructions_title))
    row = 1
    title_cell = info.cell(row=row, column=1, value=spec.instructions_title)
    title_cell.font = Font(bold=True, size=14)
    row += 2
    for note in spec.notes:
        info.cell(row=row, column=1, value=note).alignment = Alignment(wrap_text=False)
        row += 1
    row += 1
    for index, text in enumerate(spec.column_table_header, start=1):
        info.cell(row=row, column=index, value=text).font = _HEADER_FONT
    for values in spec.column_table:
        row += 1
        for index, value in enumerate(values, start=1):
            _put_text(info, row, index, value)
            info.cell(row=row, column=index).alignment = _WRAP
    for letter, width in zip("ABCDE", (24, 26, 10, 70, 30), strict=True):
        info.column_dimensions[letter].width = width

    for title, header, rows in spec.references:
        ref = workbook.create_sheet(_sheet_title(title))
        for index, text in enumerate(header, start=1):
            ref.cell(row=1, column=index, value=text).font = _HEADER_FONT
            ref.column_dimensions[get_column_letter(index)].width = 28
        for number, values in enumerate(rows, start=2):
            for index, value in enumerate(values, start=1):
                _put_text(ref, number, index, value)

    workbook.properties.identifier = IDENTIFIER_PREFIX + spec.kind
    workbook.properties.title = spec.title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START[:4]) else value


def write_csv(spec: SheetSpec) -> bytes:
    """UTF-8 with a BOM: without it Excel and WPS on Chinese Windows read the file as GBK."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(spec.labels)
    for values in spec.rows:
        writer.writerow([_csv_safe(v) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
