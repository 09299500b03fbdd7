"""Tables that back every dashboard chart, their text for people and their rows for CSV.

A dashboard chart is drawn from a `Table`: the same rows give the ECharts data island, the
accessible `<table>` beside the chart and the CSV download, so the three always agree. Values
stay `Decimal` (or `None`, "not known", never shown as 0) until they are written out: as text
with thousands separators and units for the page, as plain numbers for CSV and JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from phaen.core import thai_calendar
from phaen.kpis import rollups

# Kinds of column: how a cell is shown. `measure` cells take their measure type and unit from
# their row (`measure_type`, `unit`), because one table can list indicators of several units.
TEXT = "text"
INTEGER = "integer"
NUMBER = "number"
MONEY = "money"
PERCENT = "percent"
FISCAL_YEAR = "fiscal_year"
BAND = "band"
MEASURE = "measure"
BOOLEAN = "boolean"

NUMERIC_KINDS = {INTEGER, NUMBER, MONEY, PERCENT, MEASURE}

BAND_LABELS = {
    rollups.ON_TRACK: gettext_lazy("On track"),
    rollups.AT_RISK: gettext_lazy("At risk"),
    rollups.OFF_TRACK: gettext_lazy("Off track"),
    rollups.NO_DATA: gettext_lazy("No data"),
}


def no_data() -> str:
    """The text of an unknown value ("ไม่มีข้อมูล" in Thai)."""
    return _("No data")


def _thai() -> bool:
    return (get_language() or "th").startswith("th")


def fiscal_year_label(year: int | None) -> str:
    """Name a fiscal year (stored in BE) as Thai readers do, and in CE for English readers."""
    if year is None:
        return ""
    return str(year) if _thai() else f"FY{thai_calendar.be_to_ce(year)}"


def group_digits(value: Decimal | int | float) -> str:
    """Write a number with thousands separators and at most two decimals, no trailing zeros."""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if number == number.to_integral_value():
        return f"{int(number):,}"
    text = f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    return text.rstrip("0").rstrip(".")


def money_unit(unit: str = "") -> str:
    return unit or _("baht")


def format_value(value: Any, kind: str, unit: str = "") -> str:
    """Return a value as a person reads it: `500,000,000,000 บาท`, `95%`, or "no data"."""
    if value is None or value == "":
        return no_data() if kind in NUMERIC_KINDS or kind == BAND else ""
    if kind == PERCENT:
        return f"{group_digits(value)}%"
    if kind == MONEY:
        return f"{group_digits(value)} {money_unit(unit)}"
    if kind in (NUMBER, INTEGER):
        text = group_digits(value)
        return f"{text} {unit}" if unit else text
    if kind == FISCAL_YEAR:
        return fiscal_year_label(int(value))
    if kind == BAND:
        return str(BAND_LABELS.get(value, value))
    if kind == BOOLEAN:
        return _("Yes") if value else _("No")
    return str(value)


def format_measure(value: Decimal | None, measure_type: str, unit: str = "") -> str:
    """Show an indicator's value by its measure type (`money`, `percent`, `number`, ...)."""
    if measure_type == "percent" and unit in ("", "%", "ร้อยละ"):
        return format_value(value, PERCENT)
    if measure_type == "money":
        return format_value(value, MONEY, unit)
    if measure_type == "boolean" and value is not None:
        return format_value(bool(value), BOOLEAN)
    return format_value(value, NUMBER, "" if unit == "%" else unit)


def plain(value: Any) -> Any:
    """A value for CSV and JSON: Decimals as plain numbers (no exponent), None stays None."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value.normalize()) if abs(value) < Decimal(10) ** 15 else str(value)
    return value


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: str = TEXT
    unit: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True, slots=True)
class Cell:
    """A table cell as the page shows it."""

    text: str
    numeric: bool = False
    missing: bool = False
    band: str = ""
    href: str = ""


@dataclass
class Table:
    """The rows behind one chart (or one list), and how to show, draw and download them.

    `slug` names the chart in its CSV URL (`<slug>.csv`) and its HTML ids. `chart` is the
    ECharts description the page's script draws (see `chart_spec`), or None for a list that
    has no chart. `links` maps a column key to the row key holding that cell's URL.
    """

    slug: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None
    description: str = ""
    links: dict[str, str] = field(default_factory=dict)
    # Row keys CSV and JSON carry besides the shown columns: codes first, then the rest.
    keys_before: list[str] = field(default_factory=list)
    keys_after: list[str] = field(default_factory=list)

    def cell(self, column: Column, row: dict[str, Any]) -> Cell:
        value = row.get(column.key)
        if column.kind == MEASURE:
            text = format_measure(value, row.get("measure_type", "number"), row.get("unit", ""))
        else:
            text = format_value(value, column.kind, column.unit)
        missing = value is None and (column.numeric or column.kind == BAND)
        band = str(value) if column.kind == BAND and value else ""
        href = str(row.get(self.links[column.key]) or "") if column.key in self.links else ""
        return Cell(text, column.numeric, missing, band, href)

    def cells(self) -> list[list[Cell]]:
        """The rows as the `<table>` shows them."""
        return [[self.cell(column, row) for column in self.columns] for row in self.rows]

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def charted(self) -> bool:
        """Whether the chart has any known value to draw (else only the table shows)."""
        if not self.chart:
            return False
        return any(v is not None for series in self.chart["series"] for v in series["data"])

    def csv_columns(self) -> list[str]:
        """The CSV header: codes, the shown columns, then units and the other row keys."""
        shown = [column.key for column in self.columns]
        after = list(self.keys_after)
        if any(column.kind == MEASURE for column in self.columns):
            after += ["unit", "measure_type"]  # shown inside the cells on the page
        return list(dict.fromkeys([*self.keys_before, *shown, *after]))

    def csv_rows(self) -> Iterable[dict[str, Any]]:
        keys = self.csv_columns()
        for row in self.rows:
            yield {key: plain(row.get(key)) for key in keys}

    def as_json(self) -> dict[str, Any]:
        """The table for the API: column names and labels, and rows of plain values."""
        keys = self.csv_columns()
        return {
            "slug": self.slug,
            "title": str(self.title),
            "columns": [
                {"key": c.key, "label": str(c.label), "kind": c.kind, "unit": c.unit}
                for c in self.columns
            ],
            "rows": [{key: plain(row.get(key)) for key in keys} for row in self.rows],
        }


def chart_spec(
    *,
    kind: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Any], str]],
    value_kind: str = NUMBER,
    unit: str = "",
    title: str = "",
) -> dict[str, Any]:
    """Describe a chart for `dashboard-charts.js` (a JSON data island, no code).

    `kind` is `bar`, `stacked` (stacked bars), `target_actual` (target as bars, actual as a
    line) or `pie`. Each series is (name, values, `bar`|`line`); unknown values are null, so
    the chart leaves a gap where the table says "no data".
    """
    return {
        "kind": kind,
        "title": str(title),
        "categories": [str(c) for c in categories],
        "series": [
            {"name": str(name), "type": shape, "data": [_number(v) for v in values]}
            for name, values, shape in series
        ],
        "valueKind": value_kind,
        "unit": str(unit),
        "noData": no_data(),
    }


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bool):
        return int(value)
    return value
