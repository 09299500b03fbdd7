"""Roll indicator values up over areas and periods, set-based.

Each read runs one grouped query per table (actuals, targets): rows are summed in the database
per indicator, fiscal year, quarter, area level and province (or region, or zone), so a national
figure over two million actuals comes back as a few hundred grouped rows. The composition of
those rows follows the rules of `phaen.kpis.rollups`:

- **Areas.** An area's value is its own row where one exists. Otherwise it is made from the
  areas below it: a province from its local administrations; a region, a special zone or the
  nation from their provinces (each province's own row, or else its local administrations);
  the nation from regions only when no province has data. Special zones overlap provinces, so
  their rows never feed the nation.
- **Periods.** A fiscal year's value is its whole-year row (quarter 0) where one exists, else
  its quarters combined (`rollups.combine_periods`).
- Only approved actuals count, unless the caller asks for the working figures.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from phaen.core.errors import NotFound
from phaen.kpis import rollups
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator, Target
from phaen.kpis.rollups import Partial
from phaen.plans.models import AreaType, Plan


@dataclass(frozen=True, slots=True)
class Area:
    """An area an indicator is measured in, named by its `key` (as `AreaValue.area_key`)."""

    level: str
    code: str = ""

    @classmethod
    def nation(cls) -> Area:
        return cls(AreaLevel.NATION, "")

    @classmethod
    def region(cls, code: str) -> Area:
        return cls(AreaLevel.REGION, code)

    @classmethod
    def zone(cls, code: str) -> Area:
        return cls(AreaLevel.SPECIAL_ZONE, code)

    @classmethod
    def province(cls, code: str) -> Area:
        return cls(AreaLevel.PROVINCE, code)

    @classmethod
    def local(cls, org_code: str) -> Area:
        return cls(AreaLevel.LOCAL, org_code)

    @property
    def key(self) -> str:
        prefix = _PREFIX[self.level]
        return prefix if self.level == AreaLevel.NATION else f"{prefix}:{self.code}"

    @classmethod
    def from_key(cls, key: str) -> Area:
        """Read an area key (`TH`, `R:north`, `Z:eec`, `P:40`, `L:<org>`); NotFound if malformed."""
        key = (key or "").strip()
        if key.upper() == "TH":
            return cls.nation()
        prefix, _sep, code = key.partition(":")
        level = _LEVEL_OF_PREFIX.get(prefix.upper())
        if level is None or not code:
            raise NotFound(
                "area_unknown", _("Unknown area: %(area)s.") % {"area": key}, detail={"area": key}
            )
        return cls(level, code)


def indicator_plan(indicator: Indicator) -> Plan | None:
    """The plan an indicator measures: its own, or its element's."""
    if indicator.plan is not None:
        return indicator.plan
    if indicator.element is not None:
        return indicator.element.plan
    return None


def plan_area(plan: Plan | None) -> Area:
    """The area a plan's indicators are measured in: its zone, region, province or locality.

    A plan of several provinces (or of none named) is measured over the nation, which adds up
    whatever provinces report. Reads `plan.provinces`: prefetch it for many plans.
    """
    if plan is None:
        return Area.nation()
    if plan.area_type == AreaType.SPECIAL_ZONE and plan.special_zone is not None:
        return Area.zone(plan.special_zone.code)
    if plan.area_type == AreaType.REGION and plan.region is not None:
        return Area.region(plan.region.code)
    if plan.area_type == AreaType.LOCAL and plan.local_organisation is not None:
        return Area.local(plan.local_organisation.code)
    if plan.area_type == AreaType.PROVINCE:
        provinces = list(plan.provinces.all())
        if len(provinces) == 1:
            return Area.province(provinces[0].code)
    return Area.nation()


def measured_area(indicator: Indicator) -> Area:
    """The area an indicator is measured in by default: its plan's."""
    return plan_area(indicator_plan(indicator))


# Indicator fields to load so that `measured_area` runs no query of its own.
AREA_RELATED = (
    "plan__special_zone",
    "plan__region",
    "plan__local_organisation",
    "element__plan__special_zone",
    "element__plan__region",
    "element__plan__local_organisation",
)
AREA_PREFETCH = ("plan__provinces", "element__plan__provinces")


_PREFIX: dict[str, str] = {
    AreaLevel.NATION: "TH",
    AreaLevel.REGION: "R",
    AreaLevel.SPECIAL_ZONE: "Z",
    AreaLevel.PROVINCE: "P",
    AreaLevel.LOCAL: "L",
}
_LEVEL_OF_PREFIX = {prefix: level for level, prefix in _PREFIX.items()}

_GROUP = (
    "indicator_id",
    "fiscal_year",
    "quarter",
    "area_level",
    "province__code",
    "region__code",
    "special_zone__code",
)


def _area_filter(area: Area) -> Q:
    """Rows of `area` itself and of every area below it."""
    level = area.level
    below = Q(area_level__in=[AreaLevel.PROVINCE, AreaLevel.LOCAL])
    if level == AreaLevel.NATION:
        return Q()
    if level == AreaLevel.REGION:
        return Q(area_level=AreaLevel.REGION, region__code=area.code) | (
            below & Q(province__region__code=area.code)
        )
    if level == AreaLevel.SPECIAL_ZONE:
        return Q(area_level=AreaLevel.SPECIAL_ZONE, special_zone__code=area.code) | (
            below & Q(province__special_zones__code=area.code)
        )
    if level == AreaLevel.PROVINCE:
        return below & Q(province__code=area.code)
    return Q(area_key=area.key)


def _grouped(
    queryset: QuerySet[Any], indicator_ids: Iterable[int], area: Area, fiscal_year: int | None
) -> list[tuple[Any, ...]]:
    """Sum the rows below `area` per indicator, year, quarter, level and province/region/zone.

    Rows are tuples in the order of `_GROUP`, then the sum and count of values and the sums of
    numerators and denominators.
    """
    rows = queryset.filter(_area_filter(area), indicator_id__in=list(indicator_ids))
    if fiscal_year is not None:
        rows = rows.filter(fiscal_year=fiscal_year)
    return list(
        rows.values(*_GROUP)
        .order_by()
        .annotate(
            total=Sum("value"),
            n=Count("value"),
            num=Sum("numerator"),
            den=Sum("denominator"),
        )
        .values_list(*_GROUP, "total", "n", "num", "den")
    )


def _actuals(include_unapproved: bool) -> QuerySet[Actual]:
    if include_unapproved:
        return Actual.objects.all()
    return Actual.objects.filter(status=ActualStatus.APPROVED)


@dataclass
class _Cells:
    """Grouped rows of one indicator, arranged by year → unit → quarter → partial."""

    own: dict[int, dict[int, Partial]] = field(default_factory=lambda: defaultdict(dict))
    provinces: dict[int, dict[str, dict[int, Partial]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )
    locals_: dict[int, dict[str, dict[int, Partial]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )
    regions: dict[int, dict[str, dict[int, Partial]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )


def _arrange(rows: list[tuple[Any, ...]], area: Area) -> dict[int, _Cells]:
    cells: dict[int, _Cells] = defaultdict(_Cells)
    own_level = area.level
    for indicator_id, year, quarter, level, province, region, _zone, total, n, num, den in rows:
        part = Partial(total, n, num, den)
        ind = cells[indicator_id]
        if level == own_level:
            ind.own[year][quarter] = rollups.merge([ind.own[year].get(quarter, _EMPTY), part])
        elif level == AreaLevel.PROVINCE:
            ind.provinces[year][province][quarter] = part
        elif level == AreaLevel.LOCAL:
            ind.locals_[year][province][quarter] = part
        elif level == AreaLevel.REGION:
            ind.regions[year][region][quarter] = part
    return cells


_EMPTY = Partial(None, 0)


def _year_partial(indicator: Indicator, quarters: dict[int, Partial] | None) -> Partial | None:
    if not quarters:
        return None
    return rollups.combine_periods(
        quarters,
        indicator.aggregation,
        cumulative=indicator.cumulative,
        measure_type=indicator.measure_type,
    )


def _province_partials(indicator: Indicator, cells: _Cells, year: int) -> dict[str, Partial]:
    """Each province's partial for a year: its own row, or else its local administrations."""
    result: dict[str, Partial] = {}
    codes = set(cells.provinces.get(year, {})) | set(cells.locals_.get(year, {}))
    for code in codes:
        part = _year_partial(indicator, cells.provinces.get(year, {}).get(code))
        if part is None:
            part = _year_partial(indicator, cells.locals_.get(year, {}).get(code))
        if part is not None:
            result[code] = part
    return result


def _value(indicator: Indicator, cells: _Cells, year: int, area: Area) -> Decimal | None:
    """The value of `area` in `year` from its own rows, or else from the areas below it."""
    percent = indicator.measure_type == "percent"
    own = _year_partial(indicator, cells.own.get(year))
    if own is not None:
        rule = rollups.area_rule(indicator.aggregation, indicator.measure_type)
        return rollups.value_of(own, rule, percent=percent)
    if area.level == AreaLevel.LOCAL:
        return None
    provinces = _province_partials(indicator, cells, year)
    if provinces:
        return rollups.combine(
            provinces.values(), indicator.aggregation, measure_type=indicator.measure_type
        )
    if area.level == AreaLevel.NATION:
        regions = [
            part
            for quarters in cells.regions.get(year, {}).values()
            if (part := _year_partial(indicator, quarters)) is not None
        ]
        if regions:
            return rollups.combine(
                regions, indicator.aggregation, measure_type=indicator.measure_type
            )
    return None


def _years(cells: _Cells) -> set[int]:
    return set(cells.own) | set(cells.provinces) | set(cells.locals_) | set(cells.regions)


def _values_by_year(indicator: Indicator, cells: _Cells | None, area: Area) -> dict[int, Decimal]:
    if cells is None:
        return {}
    values = {}
    for year in _years(cells):
        value = _value(indicator, cells, year, area)
        if value is not None:
            values[year] = value
    return values


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One fiscal year of an indicator in an area: target, actual, achievement and band.

    `target_year` is the year of the target compared with; for a cumulative indicator with no
    target in the year itself, it is the next year that has one (500 billion baht "by 2570").
    """

    fiscal_year: int
    target: Decimal | None
    actual: Decimal | None
    achievement: Decimal | None
    band: str
    target_year: int | None = None


def _point(
    indicator: Indicator, year: int, actuals: dict[int, Decimal], targets: dict[int, Decimal]
) -> SeriesPoint:
    actual = actuals.get(year)
    target_year: int | None = year if year in targets else None
    if target_year is None and indicator.cumulative:
        target_year = min((y for y in targets if y > year), default=None)
    target = targets.get(target_year) if target_year is not None else None
    achieved = rollups.achievement(actual, target, indicator.baseline_value, indicator.direction)
    return SeriesPoint(year, target, actual, achieved, rollups.band(achieved), target_year)


@dataclass(frozen=True, slots=True)
class Overview:
    """An indicator's series in an area and, taken from it, its summary."""

    series: list[SeriesPoint]
    summary: Summary


def _summary(
    indicator: Indicator,
    actuals: dict[int, Decimal],
    targets: dict[int, Decimal],
    fiscal_year: int | None,
) -> Summary:
    year = fiscal_year
    if year is None:
        year = max(actuals) if actuals else min(targets, default=None)
    if year is None:
        return Summary(None, None, None, None, rollups.NO_DATA, indicator.baseline_value)
    point = _point(indicator, year, actuals, targets)
    return Summary(
        year,
        point.actual,
        point.target,
        point.achievement,
        point.band,
        indicator.baseline_value,
        point.target_year,
    )


def indicators_overview(
    indicators: Iterable[Indicator],
    *,
    area: Area | None = None,
    fiscal_year: int | None = None,
    include_unapproved: bool = False,
) -> dict[int, Overview]:
    """Return each indicator's series and summary in `area` (the nation by default).

    One pass over two grouped queries (actuals, targets) serves both, whatever the number of
    indicators and rows. The summary is the year asked for, else the latest year with an
    actual, else the first year with a target.
    """
    area = area or Area.nation()
    indicators = list(indicators)
    ids = [indicator.pk for indicator in indicators]
    if not ids:
        return {}
    actual_cells = _arrange(_grouped(_actuals(include_unapproved), ids, area, None), area)
    target_cells = _arrange(_grouped(Target.objects.all(), ids, area, None), area)
    result: dict[int, Overview] = {}
    for indicator in indicators:
        actuals = _values_by_year(indicator, actual_cells.get(indicator.pk), area)
        targets = _values_by_year(indicator, target_cells.get(indicator.pk), area)
        series = [
            _point(indicator, year, actuals, targets)
            for year in sorted(set(actuals) | set(targets))
        ]
        result[indicator.pk] = Overview(series, _summary(indicator, actuals, targets, fiscal_year))
    return result


def figures_stamp() -> tuple[Any, ...]:
    """Return what changes whenever a target or an actual is added, changed or removed.

    Every write path saves `updated_at` (the services, the importer's bulk writes, the reference
    loader), and a removal changes the count. Two aggregate queries.
    """
    stamp: list[Any] = []
    for model in (Actual, Target):
        row = model.objects.order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
        stamp += [row["n"], row["last"].isoformat() if row["last"] else None]
    return tuple(stamp)


def cached_overview(
    indicators: Iterable[Indicator], *, area: Area | None = None
) -> dict[int, Overview]:
    """Return `indicators_overview` of the public figures, from the cache when nothing changed.

    The key holds the indicators, the area and `figures_stamp()`, so an approval, a new target
    or an import changes the key at once, in every process. `PHAEN_FIGURES_CACHE_SECONDS` = 0
    turns the cache off.
    """
    indicators = list(indicators)
    seconds = settings.PHAEN_FIGURES_CACHE_SECONDS
    if not seconds or not indicators:
        return indicators_overview(indicators, area=area)
    area = area or Area.nation()
    raw = repr((sorted(i.pk for i in indicators), area.key, figures_stamp()))
    key = "phaen:figures:" + hashlib.sha256(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = indicators_overview(indicators, area=area)
        cache.set(key, found, seconds)
    return cast(dict[int, Overview], found)


def indicators_series(
    indicators: Iterable[Indicator], *, area: Area | None = None, include_unapproved: bool = False
) -> dict[int, list[SeriesPoint]]:
    """Return each indicator's target and actual per fiscal year in `area` (the nation by default).

    Two queries, whatever the number of indicators and rows.
    """
    overview = indicators_overview(indicators, area=area, include_unapproved=include_unapproved)
    return {pk: item.series for pk, item in overview.items()}


def indicator_series(
    indicator: Indicator, *, area: Area | None = None, include_unapproved: bool = False
) -> list[SeriesPoint]:
    """Return one indicator's target and actual per fiscal year in `area`; two queries."""
    return indicators_series([indicator], area=area, include_unapproved=include_unapproved)[
        indicator.pk
    ]


def area_values(
    indicator: Indicator, *, fiscal_year: int, include_unapproved: bool = False
) -> dict[str, Decimal | None]:
    """Return each province's value in a fiscal year (its own row, or its local administrations).

    Provinces with no data are absent. One query.
    """
    rows = _grouped(_actuals(include_unapproved), [indicator.pk], Area.nation(), fiscal_year)
    cells = _arrange(rows, Area.nation()).get(indicator.pk)
    if cells is None:
        return {}
    percent = indicator.measure_type == "percent"
    rule = rollups.area_rule(indicator.aggregation, indicator.measure_type)
    return {
        code: rollups.value_of(part, rule, percent=percent)
        for code, part in sorted(_province_partials(indicator, cells, fiscal_year).items())
    }


@dataclass(frozen=True, slots=True)
class Summary:
    """An indicator's standing: the latest year with an actual (or the year asked for)."""

    fiscal_year: int | None
    actual: Decimal | None
    target: Decimal | None
    achievement: Decimal | None
    band: str
    baseline: Decimal | None
    target_year: int | None = None


def summaries_in_own_areas(
    indicators: Iterable[Indicator], *, fiscal_year: int | None = None
) -> dict[int, tuple[Area, Summary]]:
    """Return each indicator's summary in the area it is measured in (`measured_area`).

    Two queries per distinct area (nation, a zone, a province ...), whatever the number of
    indicators; load the indicators with `AREA_RELATED` and `AREA_PREFETCH`.
    """
    groups: dict[Area, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        groups[measured_area(indicator)].append(indicator)
    result: dict[int, tuple[Area, Summary]] = {}
    for area, members in groups.items():
        for pk, summary in indicator_summaries(members, area=area, fiscal_year=fiscal_year).items():
            result[pk] = (area, summary)
    return result


def indicator_summaries(
    indicators: Iterable[Indicator],
    *,
    area: Area | None = None,
    fiscal_year: int | None = None,
    include_unapproved: bool = False,
) -> dict[int, Summary]:
    """Return each indicator's summary in `area`; two queries for any number of indicators.

    Without `fiscal_year`, the year is the latest with an actual, or, when nothing was reported
    yet, the first year with a target.
    """
    overview = indicators_overview(
        indicators, area=area, fiscal_year=fiscal_year, include_unapproved=include_unapproved
    )
    return {pk: item.summary for pk, item in overview.items()}
