"""The spreadsheet import machinery every importer of `phaen.core.imports` shares.

    job = import_start(actor=user, importer_name="actuals", file=upload, options={})
    # small files: job is finished (DONE or INVALID); large ones: PENDING, run by the worker
    job = import_job_get(user, job.pk)

What happens to a file:

1. `import_start` finds the importer (`NotFound` otherwise), asks it whether the actor may import
   (`prepare`; a refusal is recorded in the audit trail), checks that the file really is an XLSX
   workbook (`validate_upload`) that openpyxl can open, counts its rows, stores it under
   `imports/<kind>/` in the uploads storage and creates an `ImportJob`. A file of at most
   `settings.PHAEN_IMPORT_BACKGROUND_ROWS` rows is imported at once; a larger one is handed to
   the task `phaen.core.tasks.run_import` when the transaction commits, and `phaen worker`
   (started by `phaen serve`) runs it.
2. `import_run` reads the first sheet. Row 1 holds the headers, matched to the importer's columns
   by header text (with or without the `*` that marks a required column) or by key, ignoring
   case and spaces. A missing required column refuses the file; unknown columns are ignored
   and listed in the summary. Each row's cells are typed by their column's kind
   (`convert_cell`), required cells must be filled, the importer checks the row (`check_row`),
   and the progress is saved every `PROGRESS_EVERY` rows.
3. If any row has an error, the job is INVALID with every error (row, column, message; at most
   `MAX_ERRORS` of them) and nothing is written. Otherwise the importer's `commit` writes every
   row in one transaction with the audit record `import.<kind>`, and the job is DONE with a
   summary. An unexpected exception makes the job FAILED with a generic message (and is logged).

Messages are translated in the language of the request that started the job (`job.language`).
Who may see a job: the user who started it, system administrators and auditors (a predicate
that `phaen.accounts` registers with `register_job_reader`, since core sits below it).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from phaen.core import imports, thai_calendar, thai_text
from phaen.core.audit import audit_context, audit_record, current_audit_context
from phaen.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from phaen.core.imports import CheckedRow, Column, ColumnKind, Importer, RowError
from phaen.core.models import ImportJob, ImportStatus
from phaen.core.uploads import XLSX, save_upload, upload_storage, validate_upload

logger = logging.getLogger(__name__)

MAX_ERRORS = 1000
"""At most this many row errors are kept on a refused job; `summary["error_count"]` has them all."""

PROGRESS_EVERY = 200
"""The job's `processed_rows` is saved after every this many rows, for the progress bar."""

EXPLANATION_SHEET = "คำอธิบาย"
"""The template's second sheet, which explains each column."""

REQUIRED_MARK = "*"

FINISHED = frozenset({ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED})


class ImportErrorCode(StrEnum):
    UNKNOWN_IMPORTER = "import_unknown"
    JOB_NOT_FOUND = "import_job_not_found"
    FILE_UNREADABLE = "import_file_unreadable"
    OPTIONS_INVALID = "import_options_invalid"


# --- Who may see a job -------------------------------------------------------------------------

JobReader = Callable[[Any], bool]
_job_readers: list[JobReader] = []


def register_job_reader(predicate: JobReader) -> None:
    """Let users for whom `predicate(user)` holds read every import job (system administrators
    and auditors; `phaen.accounts` registers it in `AppConfig.ready()`)."""
    if predicate not in _job_readers:
        _job_readers.append(predicate)


def can_read_job(user: Any, job: ImportJob) -> bool:
    """Tell whether `user` may see `job`: its own user, superusers and registered readers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if job.actor_id is not None and job.actor_id == getattr(user, "pk", None):
        return True
    if getattr(user, "is_superuser", False):
        return True
    return any(reader(user) for reader in _job_readers)


# --- Selectors ---------------------------------------------------------------------------------


def importer_get(name: str) -> Importer:
    """Return the importer called `name`; `NotFound` (code `import_unknown`) when there is none."""
    try:
        return imports.get(name)
    except KeyError:
        raise NotFound(
            ImportErrorCode.UNKNOWN_IMPORTER,
            _("There is no import called “%(name)s”.") % {"name": name},
            detail={"choices": imports.names()},
        ) from None


def importer_list() -> list[Importer]:
    """Return every registered importer, by name."""
    return [imports.get(name) for name in imports.names()]


def import_job_get(actor: Any, pk: int) -> ImportJob:
    """Return import job `pk` if `actor` may see it (its user, system administrators, auditors);
    `NotFound` otherwise, so nobody learns that someone else's job exists."""
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None or not can_read_job(actor, job):
        raise NotFound(
            ImportErrorCode.JOB_NOT_FOUND, _("There is no import job number %(pk)s.") % {"pk": pk}
        )
    return job


def import_job_list(actor: Any) -> QuerySet[ImportJob]:
    """Return the jobs `actor` started, newest first (one query; none for anonymous users)."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "pk", None) is None:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(actor_id=actor.pk).order_by("-created_at", "-id")


# --- Columns, headers and cells ----------------------------------------------------------------


def kind_label(kind: str) -> str:
    """Say in words what a column of `kind` holds (for the template and the upload page)."""
    labels = {
        ColumnKind.TEXT: _("Text"),
        ColumnKind.INTEGER: _("Whole number"),
        ColumnKind.DECIMAL: _("Number"),
        ColumnKind.DATE: _("Date, e.g. 15/3/2569 or 2026-03-15"),
        ColumnKind.BOOLEAN: _("Yes or no (ใช่ / ไม่ใช่)"),
    }
    return labels.get(kind, kind)


def count_label(key: str) -> str:
    """Say in words what a count of an import's summary counts."""
    labels = {
        "created": _("Created"),
        "updated": _("Updated"),
        "unchanged": _("Unchanged"),
        "skipped": _("Skipped"),
        "deleted": _("Deleted"),
    }
    return labels.get(key, key.replace("_", " "))


def template_header(column: Column) -> str:
    """The header a template shows for `column`: its header, with ` *` when it is required."""
    header = str(column.header)
    return f"{header} {REQUIRED_MARK}" if column.required else header


def normalise_header(text: Any) -> str:
    """Fold a header for matching: case, spaces and a trailing `*` do not count."""
    folded = thai_text.normalize(str(text or "")).strip().rstrip(REQUIRED_MARK)
    return "".join(folded.split())


def _header_forms(column: Column) -> set[str]:
    forms = {normalise_header(column.key), normalise_header(column.header)}
    for language in ("th", "en"):  # a template downloaded in the other language matches too
        with translation.override(language):
            forms.add(normalise_header(column.header))
    forms.discard("")
    return forms


def match_header(
    cells: Sequence[Any], columns: Sequence[Column]
) -> tuple[dict[str, int], list[str], list[RowError]]:
    """Match a header row to `columns`.

    Returns the cell position of each matched column's key, the headers no column matched (to
    ignore), and the errors of row 1: a required column that is missing, a column given twice.
    """
    lookup: dict[str, Column] = {}
    for column in columns:
        for form in _header_forms(column):
            lookup.setdefault(form, column)
    positions: dict[str, int] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for index, cell in enumerate(cells):
        if _blank(cell):
            continue
        found = lookup.get(normalise_header(cell))
        if found is None:
            ignored.append(str(cell).strip())
        elif found.key in positions:
            errors.append(RowError(1, str(found.header), _("This column appears more than once.")))
        else:
            positions[found.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(
                RowError(
                    1,
                    str(column.header),
                    _("The required column “%(column)s” is missing from the header row.")
                    % {"column": column.header},
                )
            )
    return positions, ignored, errors


class CellError(ValueError):
    """A cell whose value does not fit its column's kind; the message says why."""


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")
_NUMBER_SEPARATORS = re.compile(r"[,\s\u00a0\u2009\u202f_']")
_SPREADSHEET_ERRORS = frozenset(
    {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA"}
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_THAI_MONTH_DATE = re.compile(r"^(\d{1,2})\s*([^\d\s]+(?:\s*[^\d\s]+)*)\s*(\d{4})$")
_MONTHS = {
    name.replace(".", "").replace(" ", ""): number
    for number, names in enumerate(
        zip(thai_calendar.THAI_MONTHS, thai_calendar.THAI_MONTHS_ABBR, strict=True), start=1
    )
    for name in names
}
_TRUE = frozenset({"ใช่", "yes", "y", "true", "1", "จริง"})
_FALSE = frozenset({"ไม่ใช่", "no", "n", "false", "0", "เท็จ"})
# Excel's serial numbers for 1 January 1900 + 50 years and 1 January 2200: a bare number in a
# date column is a date whose format was lost only in this range; 2569 is a year, not a date.
_EXCEL_SERIAL_RANGE = (18264, 109574)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("Must be a number, not “%(value)s”.") % {"value": _shown(value)})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        text = _NUMBER_SEPARATORS.sub("", value.strip().translate(_THAI_DIGITS))
        if _NUMBER.match(text):
            try:
                return Decimal(text)
            except InvalidOperation:
                pass
    raise CellError(_("Must be a number, not “%(value)s”.") % {"value": _shown(value)})


def _make_date(year: int, month: int, day: int, original: Any) -> dt.date:
    if year >= 2400:  # a Buddhist-Era year
        year = thai_calendar.be_to_ce(year)
    if not thai_calendar.is_valid_ce_year(year):
        raise CellError(_("The year of “%(value)s” is out of range.") % {"value": _shown(original)})
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a real date.") % {"value": _shown(original)}
        ) from None


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = _EXCEL_SERIAL_RANGE
        if low <= value < high:
            converted = from_excel(value)
            if isinstance(converted, dt.datetime):
                return converted.date()
    if isinstance(value, str):
        text = " ".join(value.strip().translate(_THAI_DIGITS).split())
        if match := _ISO_DATE.match(text):
            year, month, day = (int(part) for part in match.groups())
            return _make_date(year, month, day, value)
        if match := _DMY_DATE.match(text):
            day, month, year = (int(part) for part in match.groups())
            return _make_date(year, month, day, value)
        if match := _THAI_MONTH_DATE.match(text):
            month_number = _MONTHS.get(match.group(2).replace(".", "").replace(" ", ""))
            if month_number:
                return _make_date(int(match.group(3)), month_number, int(match.group(1)), value)
    raise CellError(
        _("Must be a date such as 15/3/2569 or 2026-03-15, not “%(value)s”.")
        % {"value": _shown(value)}
    )


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = thai_text.normalize(value)
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise CellError(
        _("Must be yes or no (ใช่ or ไม่ใช่), not “%(value)s”.") % {"value": _shown(value)}
    )


def _to_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def convert_cell(value: Any, kind: str) -> Any:
    """Turn a cell as openpyxl reads it into the column kind's type; None for an empty cell.

    TEXT gives `str` (stripped), INTEGER `int`, DECIMAL `Decimal`, DATE `datetime.date` and
    BOOLEAN `bool`. Numbers may be typed as text, with thousands separators or Thai digits;
    dates as Excel dates, ISO text (2026-03-15), day/month/year text with a BE or CE year
    (15/3/2569) or with a Thai month name (15 มี.ค. 2569). Raises `CellError` with a message in
    the active language when the value does not fit.
    """
    if _blank(value):
        return None
    if isinstance(value, str) and value.strip().upper() in _SPREADSHEET_ERRORS:
        raise CellError(
            _("The cell holds the spreadsheet error %(error)s.") % {"error": value.strip()}
        )
    if kind == ColumnKind.TEXT:
        return _to_text(value)
    if kind == ColumnKind.DECIMAL:
        return _to_decimal(value)
    if kind == ColumnKind.INTEGER:
        number = _to_decimal(value)
        if number != number.to_integral_value():
            raise CellError(
                _("Must be a whole number, not “%(value)s”.") % {"value": _shown(value)}
            )
        return int(number)
    if kind == ColumnKind.DATE:
        return _to_date(value)
    if kind == ColumnKind.BOOLEAN:
        return _to_boolean(value)
    raise ValueError(f"Unknown column kind {kind!r}.")


def convert_row(
    row: int, cells: dict[str, Any], columns: Sequence[Column]
) -> tuple[dict[str, Any], list[RowError]]:
    """Type one row's cells (keyed by column key) and check its required cells are filled."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in columns:
        try:
            value = convert_cell(cells.get(column.key), column.kind)
        except CellError as exc:
            errors.append(RowError(row, str(column.header), str(exc)))
            value = None
        else:
            if value is None and column.required:
                errors.append(RowError(row, str(column.header), _("This cell is required.")))
        values[column.key] = value
    return values, errors


def option_columns(importer: Importer) -> list[Column]:
    """The values the whole file shares that `importer` asks for (see `phaen.core.imports`)."""
    return list(getattr(importer, "option_columns", None) or [])


def clean_options(importer: Importer, options: dict[str, Any] | None) -> dict[str, Any]:
    """Type `options` by the importer's `option_columns` (`ValidationFailed` naming the fields).

    An importer without option columns gets the options as they are.
    """
    raw = dict(options or {})
    columns = option_columns(importer)
    if not columns:
        return raw
    values, errors = convert_row(0, {c.key: raw.get(c.key) for c in columns}, columns)
    if errors:
        by_header = {str(column.header): column.key for column in columns}
        fields = {by_header.get(error.column, error.column): error.message for error in errors}
        raise ValidationFailed(
            ImportErrorCode.OPTIONS_INVALID,
            _("Some of the import's settings are not valid."),
            detail={"fields": fields},
        )
    return values


def _json_options(importer: Importer, options: dict[str, Any] | None) -> dict[str, Any]:
    """The options as stored on the job: JSON text of what was given."""
    keys = {column.key for column in option_columns(importer)}
    stored: dict[str, Any] = {}
    for key, value in (options or {}).items():
        if keys and key not in keys:
            continue
        if isinstance(value, dt.date | Decimal):
            value = str(value)
        stored[str(key)] = value
    return stored


# --- The template ------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")
_EXAMPLE_FONT = Font(italic=True, color="666666")


def _display_width(text: str) -> int:
    """Columns a text takes on screen: Thai vowel and tone marks above or below take none."""
    return sum(1 for char in text if unicodedata.category(char) != "Mn")


def _example_cell(column: Column) -> Any:
    value = column.example
    if column.kind == ColumnKind.BOOLEAN and isinstance(value, bool):
        return "ใช่" if value else "ไม่ใช่"
    return value


def example_text(column: Column) -> str:
    """The column's example as a person would type it (dates as d/m/BE year, ใช่ / ไม่ใช่)."""
    value = _example_cell(column)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day}/{value.month}/{thai_calendar.ce_to_be(value.year)}"
    return str(value)


def import_template(importer: Importer) -> bytes:
    """Return the XLSX template of `importer`, in the active language.

    Sheet 1 holds the header row (required columns marked with `*` and shaded) and an example
    row from `Column.example`; text columns are formatted as text, so codes keep their leading
    zeros. Sheet 2 (`คำอธิบาย`) explains each column: header, key, kind, required, help.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = importer.name[:31]
    columns = importer.columns
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=template_header(column))
        header.font = _HEADER_FONT
        header.alignment = Alignment(vertical="top", wrap_text=True)
        if column.required:
            header.fill = _REQUIRED_FILL
        example = sheet.cell(row=2, column=index, value=_example_cell(column))
        example.font = _EXAMPLE_FONT
        if column.kind == ColumnKind.TEXT:
            example.number_format = "@"
            sheet.column_dimensions[letter].number_format = "@"
        elif column.kind == ColumnKind.DATE:
            example.number_format = "d/m/yyyy"
        sheet.column_dimensions[letter].width = min(
            50, max(12, _display_width(template_header(column)) + 4)
        )
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(EXPLANATION_SHEET)
    headings = [_("Column"), _("Key"), _("Kind"), _("Required"), _("Explanation"), _("Example")]
    notes.append(headings)
    for cell in notes[1]:
        cell.font = _HEADER_FONT
    for column in columns:
        notes.append(
            [
                template_header(column),
                column.key,
                kind_label(column.kind),
                _("Yes") if column.required else _("No"),
                str(column.help),
                _example_cell(column),
            ]
        )
    widths = [30, 18, 28, 10, 70, 20]
    for index, width in enumerate(widths, start=1):
        notes.column_dimensions[get_column_letter(index)].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    notes.append([])
    notes.append(
        [
            _(
                "Fill in the first sheet: keep its header row, replace the example row with "
                "your data, one row per record. Columns marked * are required."
            )
        ]
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Reading workbooks -------------------------------------------------------------------------


class _Unreadable(Exception):
    """openpyxl could not read the workbook."""


def _unreadable_message() -> str:
    return _(
        "The file could not be read as an Excel workbook (.xlsx). Save it again from Excel "
        "or LibreOffice as “Excel Workbook (.xlsx)” and upload it again."
    )


def _open_sheet(source: IO[bytes] | File) -> tuple[Any, Any]:
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _Unreadable from exc
    if not workbook.worksheets:
        workbook.close()
        raise _Unreadable
    return workbook, workbook.worksheets[0]


def _rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as tuples of values; a file broken half-way raises `_Unreadable`."""
    iterator = sheet.iter_rows(values_only=True)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise _Unreadable from exc
        yield row


def count_rows(source: IO[bytes] | File) -> int:
    """Count the rows below the header of the workbook's first sheet (`ValidationFailed` when
    openpyxl cannot read it). Uses the sheet's recorded size when it has one."""
    source.seek(0)
    try:
        workbook, sheet = _open_sheet(source)
        try:
            size = sheet.max_row if sheet.max_row and sheet.max_row > 1 else None
            if size is None:
                size = sum(1 for _row in _rows(sheet))
        finally:
            workbook.close()
    except _Unreadable:
        message = _unreadable_message()
        raise ValidationFailed(
            ImportErrorCode.FILE_UNREADABLE, message, detail={"fields": {"file": message}}
        ) from None
    finally:
        source.seek(0)
    return max(0, size - 1)


# --- Starting and running a job ----------------------------------------------------------------


def _deny(actor: Any, importer: Importer, exc: PermissionDenied | None = None) -> PermissionDenied:
    audit_record(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=f"import.{importer.name}",
        target_type="core.importjob",
        target_repr=str(importer.label),
        outcome="denied",
        reason="permission",
    )
    return exc or PermissionDenied(detail={"action": f"import.{importer.name}"})


def _prepare(importer: Importer, actor: Any, options: dict[str, Any]) -> Any:
    """Ask the importer to load its look-ups; record a permission refusal and re-raise it."""
    if not getattr(actor, "is_authenticated", False):
        raise _deny(actor, importer)
    try:
        return importer.prepare(actor=actor, options=options)
    except PermissionDenied as exc:
        raise _deny(actor, importer, exc) from None


def import_start(
    *,
    actor: Any,
    importer_name: str,
    file: File,
    options: dict[str, Any] | None = None,
    background: bool | None = None,
) -> ImportJob:
    """Check an uploaded workbook and import it now, or queue it as a background job.

    Raises `NotFound` (`import_unknown`) for an unknown importer, `PermissionDenied` when the
    importer refuses the actor (recorded), `ValidationFailed` for options that do not fit
    (`import_options_invalid`), a file that is not an XLSX workbook (the codes of
    `validate_upload`) or that openpyxl cannot read (`import_file_unreadable`).

    `background=None` imports files of at most `settings.PHAEN_IMPORT_BACKGROUND_ROWS` rows at
    once and queues larger ones; True always queues, False never does. The system actor (which
    has no user row to run as later) always imports at once. Returns the job: finished (DONE,
    INVALID or FAILED) when imported at once, PENDING when queued.
    """
    importer = importer_get(importer_name)
    typed_options = clean_options(importer, options)
    context = _prepare(importer, actor, typed_options)
    checked = validate_upload(file, allowed={XLSX})
    total = count_rows(file)
    path = save_upload(file, checked, folder=f"imports/{importer.name}")
    user_pk = getattr(actor, "pk", None)
    job = ImportJob.objects.create(
        kind=importer.name,
        status=ImportStatus.PENDING,
        actor_id=user_pk,
        file=path,
        file_name=checked.original_name[:255],
        options=_json_options(importer, options),
        total_rows=total,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    if background is None:
        background = total > settings.PHAEN_IMPORT_BACKGROUND_ROWS
    if user_pk is None or not background:
        return _run(job, importer, actor, context)
    transaction.on_commit(functools.partial(_enqueue, job.pk))
    job.refresh_from_db()  # the immediate backend, outside a transaction, has run it already
    return job


def _enqueue(job_pk: int) -> None:
    from phaen.core.tasks import run_import

    result = run_import.enqueue(job_pk)
    ImportJob.objects.filter(pk=job_pk).update(task_id=str(result.id)[:64])


def import_run(job_id: int, *, actor: Any = None) -> ImportJob:
    """Run a PENDING job (what the background task does); a job in any other state is returned
    as it is, so running a job twice imports it once.

    The job runs as `actor`, by default the user who started it.
    """
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    if job.status != ImportStatus.PENDING:
        return job
    if actor is None:
        actor = job.actor
    with translation.override(job.language):
        if actor is None:
            return _finish(
                job,
                ImportStatus.FAILED,
                message=_("The user who started this import no longer exists."),
            )
        try:
            importer = importer_get(job.kind)
            options = clean_options(importer, job.options)
            context = _prepare(importer, actor, options)
        except ApplicationError as exc:
            return _finish(job, ImportStatus.FAILED, message=str(exc.message))
    return _run(job, importer, actor, context)


def _finish(job: ImportJob, status: str, **fields: Any) -> ImportJob:
    job.status = status
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    return job


def _run(job: ImportJob, importer: Importer, actor: Any, context: Any) -> ImportJob:
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, processed_rows=0
    )
    job.refresh_from_db()
    if not claimed:
        return job
    outside_request = not current_audit_context()["request_id"]
    with (
        translation.override(job.language),
        audit_context(request_id=f"import-job-{job.pk}") if outside_request else nullcontext(),
    ):
        try:
            return _check_and_commit(job, importer, actor, context)
        except Exception:
            logger.exception("Import job %s (%s) failed", job.pk, job.kind)
            job.refresh_from_db()
            return _finish(
                job,
                ImportStatus.FAILED,
                message=_(
                    "The import failed because of an error in Phaen, and nothing was imported. "
                    "The administrators can find the details in the server's log."
                ),
            )


def _check_and_commit(job: ImportJob, importer: Importer, actor: Any, context: Any) -> ImportJob:
    try:
        checked = _check_file(job, importer, context)
    except _Unreadable:
        return _finish(
            job,
            ImportStatus.INVALID,
            message=_unreadable_message(),
            errors=[RowError(1, "", _unreadable_message()).as_dict()],
            summary={"rows": 0, "error_count": 1},
        )
    base = {"rows": checked.data_rows, "ignored_columns": checked.ignored}
    if checked.error_count:
        return _refuse(job, checked.errors, checked.error_count, base)
    try:
        with transaction.atomic():
            counts = importer.commit(checked.rows, actor=actor, context=context)
            job.summary = {**base, "counts": {str(k): int(v) for k, v in counts.items()}}
            job.status = ImportStatus.DONE
            job.finished_at = timezone.now()
            job.message = ""
            job.save()
            audit_record(
                actor=actor,
                action=f"import.{job.kind}",
                target=job,
                after={
                    "file_name": job.file_name,
                    "file": job.file,
                    "options": job.options,
                    "summary": job.summary,
                },
            )
    except ApplicationError as exc:
        job.refresh_from_db()
        detail_errors = exc.detail.get("errors") if isinstance(exc.detail, dict) else None
        errors = [
            RowError(int(e.get("row", 0)), str(e.get("column", "")), str(e.get("message", "")))
            for e in (detail_errors or [])
            if isinstance(e, dict)
        ] or [RowError(0, "", str(exc.message))]
        return _refuse(job, errors, len(errors), base, message=str(exc.message))
    return job


def _refuse(
    job: ImportJob,
    errors: list[RowError],
    error_count: int,
    base: dict[str, Any],
    *,
    message: str = "",
) -> ImportJob:
    shown = errors[:MAX_ERRORS]
    return _finish(
        job,
        ImportStatus.INVALID,
        errors=[error.as_dict() for error in shown],
        summary={**base, "error_count": error_count, "errors_truncated": error_count > len(shown)},
        message=message
        or ngettext(
            "The file was not imported: %(count)s problem must be corrected first. "
            "Nothing was written.",
            "The file was not imported: %(count)s problems must be corrected first. "
            "Nothing was written.",
            error_count,
        )
        % {"count": error_count},
    )


class _Checked:
    def __init__(self) -> None:
        self.rows: list[CheckedRow] = []
        self.errors: list[RowError] = []
        self.error_count = 0
        self.data_rows = 0
        self.ignored: list[str] = []

    def add_errors(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = MAX_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])
        self.rows = []  # nothing will be committed; keep no rows in memory


def _is_example(values: dict[str, Any], examples: dict[str, Any]) -> bool:
    return len(examples) >= 2 and all(values.get(key) == value for key, value in examples.items())


def _examples(columns: Sequence[Column]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for column in columns:
        if column.example is None:
            continue
        try:
            found[column.key] = convert_cell(_example_cell(column), column.kind)
        except CellError:
            continue
    return found


def _save_progress(job: ImportJob, processed: int) -> None:
    job.processed_rows = processed
    job.total_rows = max(job.total_rows, processed)
    job.save(update_fields=["processed_rows", "total_rows"])


def _check_file(job: ImportJob, importer: Importer, context: Any) -> _Checked:
    checked = _Checked()
    columns = importer.columns
    with upload_storage().open(job.file, "rb") as handle:
        workbook, sheet = _open_sheet(handle)
        try:
            rows = _rows(sheet)
            header = next(rows, None)
            if header is None or all(_blank(cell) for cell in header):
                checked.add_errors(
                    [RowError(1, "", _("The first row must hold the column headers."))]
                )
                return checked
            positions, checked.ignored, header_errors = match_header(header, columns)
            if header_errors:
                checked.add_errors(header_errors)
                return checked
            examples = _examples(columns)
            processed = 0
            for row_number, cells in enumerate(rows, start=2):
                processed += 1
                if processed % PROGRESS_EVERY == 0:
                    _save_progress(job, processed)
                raw = {
                    key: cells[index] if index < len(cells) else None
                    for key, index in positions.items()
                }
                if all(_blank(value) for value in raw.values()):
                    continue
                checked.data_rows += 1
                values, errors = convert_row(row_number, raw, columns)
                if not errors and _is_example(values, examples):
                    errors = [
                        RowError(
                            row_number,
                            "",
                            _("This is the template's example row: replace it or delete it."),
                        )
                    ]
                if errors:
                    checked.add_errors(errors)
                    continue
                result = importer.check_row(row_number, values, context)
                if result.errors:
                    checked.add_errors(result.errors)
                elif not checked.error_count:
                    checked.rows.append(result)
        finally:
            workbook.close()
    if not checked.data_rows and not checked.error_count:
        checked.add_errors([RowError(2, "", _("The file has no rows to import."))])
    job.processed_rows = job.total_rows = processed
    job.save(update_fields=["processed_rows", "total_rows"])
    return checked
