"""Buddhist-Era years and the Thai fiscal year."""

from __future__ import annotations

import datetime as dt

import pytest

from phaen.core import thai_calendar as tc


def test_be_and_ce_convert_both_ways():
    assert tc.ce_to_be(2026) == 2569
    assert tc.be_to_ce(2561) == 2018


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (dt.date(2025, 9, 30), 2568),
        (dt.date(2025, 10, 1), 2569),
        (dt.date(2026, 9, 30), 2569),
        (dt.date(2026, 10, 1), 2570),
    ],
)
def test_fiscal_year_is_named_by_the_be_year_it_ends_in(day, fiscal_year):
    assert tc.fiscal_year_of(day) == fiscal_year


def test_fy2569_runs_october_2025_to_september_2026_in_four_quarters():
    fy = tc.FiscalYear(2569)
    assert (fy.start, fy.end) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
    assert fy.quarter(1) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert fy.quarter(2) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert fy.quarter(4) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    with pytest.raises(ValueError, match="1 to 4"):
        fy.quarter(5)


def test_thai_dates_and_periods_format_in_be():
    assert tc.format_thai_date(dt.date(2021, 1, 14)) == "14 มกราคม 2564"
    assert tc.format_thai_date(dt.date(2025, 2, 22), abbreviated=True) == "22 ก.พ. 2568"
    assert tc.format_be_period(2022, 2026) == "2565–2569"
    assert tc.format_be_period(2024, 2024) == "2567"
    assert tc.format_be_period(None, None) == ""
