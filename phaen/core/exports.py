"""Registry of tabular exports and the JSON / CSV / XLSX writers they share.

Apps register a function returning column names and rows in `AppConfig.ready()`;
`phaen export NAME --format csv|json|xlsx` and the export links of list pages use the same rows.
An export may name its columns for people (`headers`, Thai first through gettext): the XLSX
header row shows them; CSV and JSON keep the column names, which programs read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Rows = Iterable[dict[str, Any]]


@dataclass(frozen=True)
class Export:
    name: str
    columns: list[str]
    rows: Callable[[], Rows]
    headers: Mapping[str, str | Promise] = field(default_factory=dict)

    def header(self, column: str) -> str:
        """The column's name for people (its `headers` entry), else the column name itself."""
        return str(self.headers.get(column, column))


_EXPORTS: dict[str, Export] = {}


def register(
    name: str,
    columns: list[str],
    rows: Callable[[], Rows],
    *,
    headers: Mapping[str, str | Promise] | None = None,
) -> None:
    """Register an export called `name` with its column names and a row generator.

    `headers` optionally names columns for people (lazy translations), for the XLSX header row.
    """
    _EXPORTS[name] = Export(name, columns, rows, dict(headers or {}))


def unregister(name: str) -> None:
    """Remove the export called `name` (tests register exports of their own)."""
    _EXPORTS.pop(name, None)


def names() -> list[str]:
    """Return the registered export names, sorted."""
    return sorted(_EXPORTS)


def get(name: str) -> Export:
    """Return the export called `name`; `KeyError` when there is none."""
    return _EXPORTS[name]


def write_csv(export: Export, rows: Rows, out: io.TextIOBase | Any) -> None:
    """Write rows as UTF-8 CSV with a header (Excel opens it when written with a BOM)."""
    writer = csv.DictWriter(out, fieldnames=export.columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})


def write_json(export: Export, rows: Rows, out: io.TextIOBase | Any) -> None:
    """Write rows as a JSON array, Thai text unescaped."""
    json.dump(list(rows), out, ensure_ascii=False, indent=2, default=str)
    out.write("\n")


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


XLSX_SAMPLE_ROWS = 200
"""Column widths are measured on the header and this many first rows (the rest stream)."""

_XLSX_MIN_WIDTH = 8
_XLSX_MAX_WIDTH = 60


def _xlsx_value(value: Any) -> Any:
    """A value as an XLSX cell holds it: text, number, date, boolean or empty."""
    value = _cell(value)
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    # Thai vowel and tone marks above and below the line take no width of their own.
    return max(
        (
            sum(1 for char in line if unicodedata.category(char) != "Mn")
            for line in str(value).split("\n")
        ),
        default=0,
    )


def write_xlsx(export: Export, rows: Rows, out: io.IOBase | Any) -> None:
    """Write rows as an XLSX workbook to the binary stream `out` (openpyxl's write-only mode).

    One sheet named after the export: a bold header row of the columns' names for people
    (`Export.headers`, in the active language), frozen, then one row per item. Widths fit the
    header and the first `XLSX_SAMPLE_ROWS` rows. Text is always stored as text, so a value that
    starts with `=` is never a formula; lists are joined with `;`, dates stay dates.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=export.name[:31] or "export")
    headers = [export.header(column) for column in export.columns]
    iterator = iter(rows)
    sample = [
        [_xlsx_value(row.get(column)) for column in export.columns]
        for row in itertools.islice(iterator, XLSX_SAMPLE_ROWS)
    ]
    for index, header in enumerate(headers):
        widest = max([_text_width(header), *(_text_width(row[index]) for row in sample)])
        width = min(_XLSX_MAX_WIDTH, max(_XLSX_MIN_WIDTH, widest + 2))
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(header))
        cell.font = bold
        header_cells.append(_as_text(cell))
    sheet.append(header_cells)

    def cells(values: list[Any]) -> list[Any]:
        return [_as_text(WriteOnlyCell(sheet, value=value)) for value in values]

    for values in sample:
        sheet.append(cells(values))
    for row in iterator:
        sheet.append(cells([_xlsx_value(row.get(column)) for column in export.columns]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    out.write(buffer.getvalue())


def _as_text(cell: WriteOnlyCell) -> WriteOnlyCell:
    if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula
        cell.data_type = "s"
    return cell
