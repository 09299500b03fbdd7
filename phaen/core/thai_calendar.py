"""Buddhist-Era years and the Thai fiscal year, with no Django dependency.

Phaen stores Gregorian dates and years and shows Buddhist-Era (BE) years to Thai readers.
BE = CE + 543. The Thai fiscal year N runs from 1 October of BE year N-1 to 30 September of BE
year N (Budget Procedure Act B.E. 2561 s.4): FY2569 = 1 Oct 2025 - 30 Sep 2026. Quarter 1 is
October to December.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

BE_OFFSET = 543
# Years Phaen accepts, in CE. Plans before the 1932 revolution or past 2200 are typing mistakes.
MIN_CE_YEAR = 1932
MAX_CE_YEAR = 2200

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_ABBR = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


def ce_to_be(year: int) -> int:
    """Return the Buddhist-Era year of a Gregorian year."""
    return year + BE_OFFSET


def be_to_ce(year: int) -> int:
    """Return the Gregorian year of a Buddhist-Era year."""
    return year - BE_OFFSET


def is_valid_ce_year(year: int) -> bool:
    """Tell whether a Gregorian year is within the range Phaen accepts."""
    return MIN_CE_YEAR <= year <= MAX_CE_YEAR


def fiscal_year_of(day: dt.date) -> int:
    """Return the Thai fiscal year (a BE year) that a date falls in."""
    be = ce_to_be(day.year)
    return be + 1 if day.month >= 10 else be


@dataclass(frozen=True, slots=True)
class FiscalYear:
    """A Thai fiscal year, named by the BE year in which it ends."""

    be_year: int

    @property
    def start(self) -> dt.date:
        return dt.date(be_to_ce(self.be_year) - 1, 10, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(be_to_ce(self.be_year), 9, 30)

    def quarter(self, number: int) -> tuple[dt.date, dt.date]:
        """Return the first and last day of quarter 1-4 of this fiscal year."""
        if number not in (1, 2, 3, 4):
            raise ValueError(f"A fiscal quarter is 1 to 4, not {number}.")
        first_month = (10 + 3 * (number - 1) - 1) % 12 + 1
        year = self.start.year if first_month >= 10 else self.end.year
        start = dt.date(year, first_month, 1)
        last_month = first_month + 2
        next_start = (
            dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)
        )
        return start, next_start - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"FY{self.be_year}"


def format_thai_date(day: dt.date, *, abbreviated: bool = False) -> str:
    """Format a date the Thai way: `14 มกราคม 2564` (or `14 ม.ค. 2564`)."""
    months = THAI_MONTHS_ABBR if abbreviated else THAI_MONTHS
    return f"{day.day} {months[day.month - 1]} {ce_to_be(day.year)}"


def format_be_period(start_year: int | None, end_year: int | None) -> str:
    """Format a span of Gregorian years as BE: `2565–2569`; a single year once."""
    if start_year is None and end_year is None:
        return ""
    if start_year is None or end_year is None or start_year == end_year:
        year = start_year if start_year is not None else end_year
        assert year is not None
        return str(ce_to_be(year))
    return f"{ce_to_be(start_year)}–{ce_to_be(end_year)}"
