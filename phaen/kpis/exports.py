"""Rows for `phaen export indicators|targets|actuals` and the pages' export links.

The actuals export holds approved actuals only unless a viewer who follows the work is named:
`phaen export actuals` publishes what the public may read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from phaen.kpis import selectors
from phaen.kpis.aggregation import SeriesPoint

INDICATOR_COLUMNS = [
    "code",
    "name_th",
    "name_en",
    "plan",
    "element",
    "owner",
    "unit",
    "measure_type",
    "direction",
    "cumulative",
    "aggregation",
    "baseline_value",
    "baseline_date",
    "data_source",
    "frequency",
    "definition",
]
VALUE_COLUMNS = [
    "indicator",
    "fiscal_year",
    "quarter",
    "area_level",
    "area_key",
    "area_name",
    "value",
    "numerator",
    "denominator",
]
TARGET_COLUMNS = [*VALUE_COLUMNS, "note"]
ACTUAL_COLUMNS = [
    *VALUE_COLUMNS,
    "status",
    "reporting_organisation",
    "evidence_url",
    "note",
    "submitted_at",
    "reviewed_at",
]
# The columns' names for people, in the XLSX header row (CSV and JSON keep the column names).
HEADERS = {
    "code": _("Code"),
    "name_th": _("Thai name"),
    "name_en": _("English name"),
    "plan": _("Plan"),
    "element": _("Plan element"),
    "owner": _("Owner"),
    "unit": _("Unit"),
    "measure_type": _("Measure type"),
    "direction": _("Direction"),
    "cumulative": _("Cumulative"),
    "aggregation": _("Aggregation"),
    "baseline_value": _("Baseline"),
    "baseline_date": _("Baseline date"),
    "data_source": _("Data source"),
    "frequency": _("Reporting frequency"),
    "definition": _("Definition"),
    "indicator": _("Indicator"),
    "fiscal_year": _("Fiscal year (BE)"),
    "quarter": _("Quarter"),
    "area_level": _("Area level"),
    "area_key": _("Area key"),
    "area_name": _("Area"),
    "value": _("Value"),
    "numerator": _("Numerator"),
    "denominator": _("Denominator"),
    "note": _("Note"),
    "status": _("Status"),
    "reporting_organisation": _("Reporting organisation"),
    "evidence_url": _("Evidence link"),
    "submitted_at": _("Submitted at"),
    "reviewed_at": _("Reviewed at"),
    "target": _("Target"),
    "actual": _("Actual"),
    "achievement": _("Achievement (%)"),
    "band": _("Status band"),
    "target_year": _("Target's fiscal year"),
}
SERIES_COLUMNS = ["fiscal_year", "target", "actual", "achievement", "band", "target_year"]


def indicator_rows(**filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per indicator matching `filters` (those of `selectors.indicator_list`)."""
    for indicator in selectors.indicator_list(**filters):
        yield {
            "code": indicator.code,
            "name_th": indicator.name_th,
            "name_en": indicator.name_en,
            "plan": indicator.plan.code if indicator.plan else "",
            "element": indicator.element.code if indicator.element else "",
            "owner": indicator.owner.code,
            "unit": indicator.unit,
            "measure_type": indicator.measure_type,
            "direction": indicator.direction,
            "cumulative": indicator.cumulative,
            "aggregation": indicator.aggregation,
            "baseline_value": indicator.baseline_value,
            "baseline_date": indicator.baseline_date,
            "data_source": indicator.data_source,
            "frequency": indicator.frequency,
            "definition": indicator.definition,
        }


def _value_cells(row: Any) -> dict[str, Any]:
    return {
        "indicator": row.indicator.code,
        "fiscal_year": row.fiscal_year,
        "quarter": row.quarter,
        "area_level": row.area_level,
        "area_key": row.area_key,
        "area_name": selectors.area_name(row),
        "value": row.value,
        "numerator": row.numerator,
        "denominator": row.denominator,
    }


def target_rows(**filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per target matching `filters` (those of `selectors.target_list`)."""
    for target in selectors.target_list(**filters):
        yield {**_value_cells(target), "note": target.note}


def actual_rows(viewer: Any = None, **filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per actual `viewer` may read (approved ones only for the public)."""
    for actual in selectors.actual_list(viewer=viewer, **filters):
        yield {
            **_value_cells(actual),
            "status": actual.status,
            "reporting_organisation": actual.reporting_organisation.code,
            "evidence_url": actual.evidence_url,
            "note": actual.note,
            "submitted_at": actual.submitted_at,
            "reviewed_at": actual.reviewed_at,
        }


def _plain(value: Decimal | None) -> str | None:
    """A computed number without trailing zeros (sums come back with or without them)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def series_rows(points: Iterable[SeriesPoint]) -> Iterator[dict[str, Any]]:
    """Yield one row per fiscal year of an indicator's series (target, actual, achievement)."""
    for point in points:
        yield {
            "fiscal_year": point.fiscal_year,
            "target": _plain(point.target),
            "actual": _plain(point.actual),
            "achievement": _plain(point.achievement),
            "band": point.band,
            "target_year": point.target_year,
        }
