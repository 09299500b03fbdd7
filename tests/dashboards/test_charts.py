"""How dashboard tables show numbers: separators, units, percentages, and "no data"."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from phaen.dashboards import charts
from phaen.dashboards.charts import Column, Table

MONEY = "money"


def test_money_has_thousands_separators_and_a_unit():
    assert charts.format_measure(Decimal("500000000000.0000"), "money", "บาท") == (
        "500,000,000,000 บาท"
    )
    assert charts.format_measure(Decimal("1234.5"), "money", "ล้านบาท") == "1,234.5 ล้านบาท"


def test_percentages_and_numbers():
    assert charts.format_measure(Decimal("95.0000"), "percent", "ร้อยละ") == "95%"
    assert charts.format_measure(Decimal("62.505"), "percent", "%") == "62.51%"
    assert charts.format_measure(Decimal("12000"), "number", "แห่ง") == "12,000 แห่ง"


def test_unknown_is_no_data_never_zero():
    with translation.override("en"):
        assert charts.format_measure(None, "money", "บาท") == "No data"
        assert charts.format_value(None, charts.PERCENT) == "No data"
    assert charts.format_measure(Decimal(0), "number") == "0"


def test_fiscal_years_by_language():
    with translation.override("th"):
        assert charts.fiscal_year_label(2569) == "2569"
    with translation.override("en"):
        assert charts.fiscal_year_label(2569) == "FY2026"


def test_csv_and_json_rows_are_plain_numbers():
    table = Table(
        slug="t",
        title="t",
        columns=[Column("year", "Year", charts.FISCAL_YEAR), Column("v", "V", charts.MEASURE)],
        rows=[
            {
                "year": 2568,
                "v": Decimal("500000000000.0000"),
                "unit": "บาท",
                "measure_type": "money",
            },
            {"year": 2569, "v": None, "unit": "บาท", "measure_type": "money"},
        ],
        keys_before=["code"],
    )

    assert table.csv_columns() == ["code", "year", "v", "unit", "measure_type"]
    assert [row["v"] for row in table.csv_rows()] == [500000000000, None]
    cells = table.cells()
    assert cells[0][1].text == "500,000,000,000 บาท" and cells[0][1].numeric
    assert cells[1][1].missing


def test_chart_spec_keeps_gaps():
    spec = charts.chart_spec(
        kind="target_actual",
        categories=["2568", "2569"],
        series=[("Target", [Decimal(10), None], "bar")],
    )

    assert spec["series"][0]["data"] == [10, None]
