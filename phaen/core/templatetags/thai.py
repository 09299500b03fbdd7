"""Template filters for Buddhist-Era years and Thai dates (loaded as builtins)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from phaen.core import thai_calendar

register = template.Library()


def _thai() -> bool:
    return (get_language() or "th").startswith("th")


@register.filter
def be_year(year: int | None) -> str:
    """Show a Gregorian year as BE to Thai readers and as CE to English readers."""
    if year is None or year == "":
        return ""
    return str(thai_calendar.ce_to_be(int(year)) if _thai() else int(year))


@register.filter
def be_period(obj: object) -> str:
    """Show an object's `start_year`–`end_year` as a BE (or CE) span."""
    start = getattr(obj, "start_year", None)
    end = getattr(obj, "end_year", None)
    if _thai():
        return thai_calendar.format_be_period(start, end)
    if start is None and end is None:
        return ""
    return f"{start}–{end}" if start != end else str(start)


@register.filter
def thai_date(day: dt.date | None) -> str:
    """Show a date as `14 มกราคม 2564` in Thai, ISO in English."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        # An aware time is a moment: its date is the one in Thailand (TIME_ZONE), not in UTC.
        day = (timezone.localtime(day) if timezone.is_aware(day) else day).date()
    return thai_calendar.format_thai_date(day) if _thai() else day.isoformat()


@register.simple_tag(takes_context=True)
def pick(context: template.Context, th: str | None, en: str | None) -> str:
    """Return the Thai or English variant of a bilingual field, falling back to the other."""
    if _thai():
        return th or en or ""
    return en or th or ""
