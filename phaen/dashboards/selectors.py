"""The reads behind the dashboards: indicators against their targets, budgets, projects, places.

Every dashboard is made of `charts.Table`s, and each table comes from one function here, so the
page, its CSV downloads and the API serve the same numbers. The reads are set-based: a
dashboard runs a fixed number of queries whatever the number of indicators, actuals, projects
or budget lines (tests/dashboards pin the counts).

An indicator is summarised in its plan's area (the nation, a region, a special zone, a province
or a locality), so a dashboard runs four queries per distinct area its indicators are measured
in: a number bounded by the geography, not by the data.

Only approved actuals count: dashboards are public. Indicators of plans that were never
published are left out, as the plans themselves are (`phaen.plans.permissions.ensure_readable`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from phaen.core.errors import NotFound
from phaen.dashboards import charts
from phaen.dashboards.charts import Column, Table
from phaen.dashboards.geo import province_centroids
from phaen.geography.models import Province
from phaen.kpis import aggregation, rollups
from phaen.kpis.aggregation import Area, SeriesPoint, Summary
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator, Target
from phaen.plans.models import AreaType, ElementKind, Plan, PlanElement, PlanVersion
from phaen.plans.permissions import ensure_readable
from phaen.projects import selectors as project_selectors
from phaen.projects.models import (
    Agreement,
    AreaProgrammeKind,
    ProgrammeProvince,
    ProjectStatus,
    SmartCityZone,
)
from phaen.projects.progress import element_progress

# Sequential colour classes of the choropleth, light to dark (ColorBrewer "Blues", without its
# lightest shade, which would read as "no data").
PALETTE = ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_DATA_COLOUR = "#d9d9d9"
# How many editions back a plan dashboard follows `Plan.predecessor` for indicators.
MAX_PREDECESSORS = 10


def _thai() -> bool:
    return (get_language() or "th").startswith("th")


def pick(th: str | None, en: str | None) -> str:
    """The reader's language of a bilingual field, falling back to the other (as `{% pick %}`)."""
    if _thai():
        return th or en or ""
    return en or th or ""


def _url(name: str, *args: Any) -> str:
    """Reverse a page of another app, or "" while that app does not offer it yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _money(label: str) -> str:
    return f"{label} ({charts.money_unit()})"


# --- Visibility ---------------------------------------------------------------------------------


def _published(plan_field: str) -> Exists:
    return Exists(PlanVersion.objects.filter(plan_id=OuterRef(plan_field)))


def visible_indicators() -> QuerySet[Indicator]:
    """Indicators the public may see: of no plan, or of a plan (or element's plan) published."""
    return Indicator.objects.filter(
        (Q(plan__isnull=True) | _published("plan_id"))
        & (Q(element__isnull=True) | _published("element__plan_id"))
    ).select_related(
        "plan",
        "plan__special_zone",
        "plan__region",
        "plan__local_organisation",
        "element__plan",
        "element__plan__special_zone",
        "element__plan__region",
        "element__plan__local_organisation",
    )


def _with_data() -> Q:
    """Indicators with a target or an approved actual anywhere."""
    return Q(Exists(Target.objects.filter(indicator_id=OuterRef("pk")))) | Q(
        Exists(Actual.objects.filter(indicator_id=OuterRef("pk"), status=ActualStatus.APPROVED))
    )


indicator_plan = aggregation.indicator_plan
plan_area = aggregation.plan_area


def area_label(area: Area, names: dict[str, str] | None = None) -> str:
    """Name an area for a table: the nation, or the zone, region or province by name."""
    if area.level == AreaLevel.NATION:
        return _("Nation")
    return (names or {}).get(area.key, area.code)


# --- Indicator series, set-based ----------------------------------------------------------------


def series_by_indicator(
    indicators: Sequence[Indicator], *, area: Area
) -> dict[int, list[SeriesPoint]]:
    """Return each indicator's target and approved actual per fiscal year in `area`.

    The same composition as `phaen.kpis.aggregation.indicator_series`, for many indicators in
    two grouped queries (that function runs two per indicator).
    """
    return aggregation.indicators_series(indicators, area=area)


def _by_area(indicators: Iterable[Indicator]) -> dict[Area, list[Indicator]]:
    groups: dict[Area, list[Indicator]] = defaultdict(list)
    for indicator in indicators:
        groups[plan_area(indicator_plan(indicator))].append(indicator)
    return groups


# --- Indicator tables ---------------------------------------------------------------------------


def _indicator_fields(indicator: Indicator) -> dict[str, Any]:
    plan = indicator_plan(indicator)
    return {
        "indicator": indicator.code,
        "indicator_name": pick(indicator.name_th, indicator.name_en),
        "indicator_url": _url("kpis:indicator_detail", indicator.code),
        "plan": plan.code if plan else "",
        "plan_name": pick(plan.short_name_th or plan.name_th, plan.name_en) if plan else "",
        "plan_url": _url("dashboards:plan", plan.code) if plan else "",
        "unit": indicator.unit,
        "measure_type": indicator.measure_type,
    }


SERIES_COLUMNS = [
    ("fiscal_year", "Fiscal year", charts.FISCAL_YEAR),
    ("target", "Target", charts.MEASURE),
    ("actual", "Actual (approved)", charts.MEASURE),
    ("achievement", "Achievement", charts.PERCENT),
    ("band", "Status", charts.BAND),
]


def _series_columns() -> list[Column]:
    labels = {
        "fiscal_year": _("Fiscal year"),
        "target": _("Target"),
        "actual": _("Actual (approved)"),
        "achievement": _("Achievement"),
        "band": _("Status"),
    }
    return [Column(key, labels[key], kind) for key, _label, kind in SERIES_COLUMNS]


def _value_kind(indicator: Indicator) -> str:
    if indicator.measure_type == "money":
        return charts.MONEY
    if indicator.measure_type == "percent":
        return charts.PERCENT
    return charts.NUMBER


def _chart_unit(indicator: Indicator) -> str:
    if indicator.measure_type == "percent":
        return "%"
    if indicator.measure_type == "money":
        return charts.money_unit(indicator.unit)
    return indicator.unit


def _series_row(indicator: Indicator, point: SeriesPoint) -> dict[str, Any]:
    return {
        **_indicator_fields(indicator),
        "fiscal_year": point.fiscal_year,
        "target": point.target,
        "target_year": point.target_year,
        "actual": point.actual,
        "achievement": point.achievement,
        "band": point.band,
    }


def series_table(indicator: Indicator, points: list[SeriesPoint], *, slug: str) -> Table:
    """One indicator's target against its approved actual per fiscal year: a chart and a table."""
    rows = [_series_row(indicator, point) for point in points]
    labels = [charts.fiscal_year_label(point.fiscal_year) for point in points]
    chart = charts.chart_spec(
        kind="target_actual",
        categories=labels,
        series=[
            (_("Target"), [point.target for point in points], "bar"),
            (_("Actual (approved)"), [point.actual for point in points], "line"),
        ],
        value_kind=_value_kind(indicator),
        unit=_chart_unit(indicator),
        title=pick(indicator.name_th, indicator.name_en),
    )
    return Table(
        slug=slug,
        title=pick(indicator.name_th, indicator.name_en),
        columns=_series_columns(),
        rows=rows,
        chart=chart,
        keys_after=["target_year"],
    )


@dataclass
class IndicatorPanel:
    """An indicator on a dashboard: where it is measured, its standing and its yearly series."""

    indicator: Indicator
    plan: Plan | None
    area: Area
    area_name: str
    summary: Summary | None
    table: Table

    @property
    def name(self) -> str:
        return pick(self.indicator.name_th, self.indicator.name_en)

    @property
    def latest(self) -> str:
        """The summary's actual as text ("no data" when none was approved)."""
        value = self.summary.actual if self.summary else None
        return charts.format_measure(value, self.indicator.measure_type, self.indicator.unit)

    @property
    def target(self) -> str:
        value = self.summary.target if self.summary else None
        return charts.format_measure(value, self.indicator.measure_type, self.indicator.unit)

    @property
    def year(self) -> str:
        """The fiscal year of the summary, as the reader names it ("" when there is none)."""
        return charts.fiscal_year_label(self.summary.fiscal_year if self.summary else None)

    @property
    def target_year(self) -> str:
        return charts.fiscal_year_label(self.summary.target_year if self.summary else None)

    @property
    def has_actual(self) -> bool:
        return self.summary is not None and self.summary.actual is not None

    @property
    def has_target(self) -> bool:
        return self.summary is not None and self.summary.target is not None

    @property
    def plan_name(self) -> str:
        plan = self.plan
        return pick(plan.short_name_th or plan.name_th, plan.name_en) if plan else ""

    @property
    def band(self) -> str:
        return self.summary.band if self.summary else rollups.NO_DATA

    @property
    def band_label(self) -> str:
        return str(charts.BAND_LABELS[self.band])

    def as_json(self) -> dict[str, Any]:
        summary = self.summary
        return {
            "code": self.indicator.code,
            "name_th": self.indicator.name_th,
            "name_en": self.indicator.name_en,
            "plan": self.plan.code if self.plan else None,
            "area": self.area.key,
            "unit": self.indicator.unit,
            "measure_type": self.indicator.measure_type,
            "summary": {
                "fiscal_year": summary.fiscal_year if summary else None,
                "actual": charts.plain(summary.actual) if summary else None,
                "target": charts.plain(summary.target) if summary else None,
                "target_year": summary.target_year if summary else None,
                "achievement": charts.plain(summary.achievement) if summary else None,
                "band": self.band,
            },
            "series": self.table.as_json()["rows"],
        }


def _area_names(areas: Iterable[Area]) -> dict[str, str]:
    """Names of the zones, regions and provinces among `areas` (at most three queries)."""
    from phaen.geography.models import Region, SpecialZone

    wanted: dict[str, set[str]] = defaultdict(set)
    for area in areas:
        wanted[area.level].add(area.code)
    names: dict[str, str] = {}
    lookups = (
        (AreaLevel.SPECIAL_ZONE, SpecialZone),
        (AreaLevel.REGION, Region),
        (AreaLevel.PROVINCE, Province),
    )
    for level, model in lookups:
        if wanted.get(level):
            for row in model.objects.filter(code__in=wanted[level]).values(
                "code", "name_th", "name_en"
            ):
                names[Area(level, row["code"]).key] = pick(row["name_th"], row["name_en"])
    return names


def indicator_panels(
    indicators: Sequence[Indicator], *, area: Area | None = None, slug_prefix: str = "indicator"
) -> list[IndicatorPanel]:
    """Summaries and series of indicators, each in `area` or else its own plan's area.

    Two queries per area (one pass serves the summaries and the series), plus the area names.
    """
    groups = {area: list(indicators)} if area is not None else _by_area(indicators)
    summaries: dict[int, Summary] = {}
    series: dict[int, list[SeriesPoint]] = {}
    area_of: dict[int, Area] = {}
    for group_area, members in groups.items():
        if not members:
            continue
        for pk, overview in aggregation.cached_overview(members, area=group_area).items():
            summaries[pk] = overview.summary
            series[pk] = overview.series
        area_of.update({member.pk: group_area for member in members})
    names = _area_names(area_of.values())
    return [
        IndicatorPanel(
            indicator=indicator,
            plan=indicator_plan(indicator),
            area=area_of[indicator.pk],
            area_name=area_label(area_of[indicator.pk], names),
            summary=summaries.get(indicator.pk),
            table=series_table(
                indicator, series.get(indicator.pk, []), slug=f"{slug_prefix}-{indicator.code}"
            ),
        )
        for indicator in indicators
        if indicator.pk in area_of
    ]


def summary_table(panels: Sequence[IndicatorPanel], *, slug: str = "indicators") -> Table:
    """The indicators' standings in one table: latest approved actual, target and status band."""
    rows = []
    for panel in panels:
        summary = panel.summary
        rows.append(
            {
                **_indicator_fields(panel.indicator),
                "area": panel.area.key,
                "area_name": panel.area_name,
                "fiscal_year": summary.fiscal_year if summary else None,
                "actual": summary.actual if summary else None,
                "target": summary.target if summary else None,
                "target_year": summary.target_year if summary else None,
                "achievement": summary.achievement if summary else None,
                "band": panel.band,
            }
        )
    return Table(
        slug=slug,
        title=_("Indicators"),
        columns=[
            Column("indicator_name", _("Indicator")),
            Column("plan_name", _("Plan")),
            Column("area_name", _("Area")),
            Column("fiscal_year", _("Fiscal year"), charts.FISCAL_YEAR),
            Column("actual", _("Actual (approved)"), charts.MEASURE),
            Column("target", _("Target"), charts.MEASURE),
            Column("achievement", _("Achievement"), charts.PERCENT),
            Column("band", _("Status"), charts.BAND),
        ],
        rows=rows,
        links={"indicator_name": "indicator_url", "plan_name": "plan_url"},
        keys_before=["plan", "indicator", "area"],
        keys_after=["target_year"],
    )


def series_csv_table(panels: Sequence[IndicatorPanel], *, slug: str = "indicators") -> Table:
    """Every panel's yearly series in one table (the CSV download of the indicator charts)."""
    rows = [
        {**row, "area": panel.area.key, "area_name": panel.area_name}
        for panel in panels
        for row in panel.table.rows
    ]
    return Table(
        slug=slug,
        title=_("Indicators by fiscal year"),
        columns=[
            Column("plan", _("Plan")),
            Column("indicator", _("Indicator code")),
            Column("indicator_name", _("Indicator")),
            Column("area", _("Area")),
            *_series_columns(),
            Column("target_year", _("Target year"), charts.INTEGER),
        ],
        rows=rows,
    )


# --- Budgets and projects (read through phaen.projects.selectors) --------------------------------

_BUDGET_FIELDS = ("planned", "allocated", "committed", "disbursed")


def _budget_labels() -> dict[str, str]:
    return {
        "planned": _("Planned"),
        "allocated": _("Allocated"),
        "committed": _("Committed"),
        "disbursed": _("Disbursed"),
    }


def budget_by_fiscal_year(*, plan: str | None = None, province: str | None = None) -> Table:
    """Budget lines summed per fiscal year: of every project, a plan's or a province's.

    One query (`phaen.projects.selectors.budget_by_fiscal_year`).
    """
    totals = project_selectors.budget_by_fiscal_year(plan=plan, province=province)
    rows = [
        {"fiscal_year": row.fiscal_year, **{name: getattr(row, name) for name in _BUDGET_FIELDS}}
        for row in totals
    ]
    labels = _budget_labels()
    years = [charts.fiscal_year_label(row["fiscal_year"]) for row in rows]
    return Table(
        slug="budget-by-year",
        title=_("Budget by fiscal year"),
        description=_("Sums of the projects' budget lines, in baht."),
        columns=[
            Column("fiscal_year", _("Fiscal year"), charts.FISCAL_YEAR),
            *(Column(name, _money(labels[name]), charts.NUMBER) for name in _BUDGET_FIELDS),
        ],
        rows=rows,
        chart=charts.chart_spec(
            kind="bar",
            categories=years,
            series=[
                (labels[name], [row[name] for row in rows], "bar")
                for name in ("planned", "allocated", "disbursed")
            ],
            value_kind=charts.MONEY,
            unit=charts.money_unit(),
            title=_("Budget by fiscal year"),
        ),
    )


def projects_by_status(*, plan: str | None = None, province: str | None = None) -> Table:
    """How many projects are in each status, every status listed in order. One query."""
    counts = project_selectors.projects_by_status(plan=plan, province=province)
    labels = dict(ProjectStatus.choices)
    rows = [
        {"status": status, "status_label": str(labels[status]), "projects": count}
        for status, count in counts.items()
    ]
    return Table(
        slug="projects-by-status",
        title=_("Projects by status"),
        columns=[
            Column("status_label", _("Status")),
            Column("projects", _("Projects"), charts.INTEGER),
        ],
        rows=rows,
        keys_before=["status"],
        chart=charts.chart_spec(
            kind="bar",
            categories=[str(row["status_label"]) for row in rows],
            series=[(_("Projects"), [row["projects"] for row in rows], "bar")],
            value_kind=charts.INTEGER,
            title=_("Projects by status"),
        ),
    )


def budget_by_strategy(plan: Plan) -> Table:
    """The budget of the projects serving each top-level element of the plan, per fiscal year.

    A project counts once under each strategy it serves, so strategies can share a project and
    their sum can exceed the plan's total. Two queries
    (`phaen.projects.selectors.budget_by_strategy`).
    """
    strategies = project_selectors.budget_by_strategy(plan)
    years = sorted({row.fiscal_year or 0 for entry in strategies for row in entry.years})
    rows = []
    planned: dict[tuple[str, int], Decimal] = {}
    for entry in strategies:
        for row in entry.years:
            rows.append(
                {
                    "element": entry.element.code,
                    "element_name": _element_name(entry.element),
                    "fiscal_year": row.fiscal_year,
                    **{name: getattr(row, name) for name in _BUDGET_FIELDS},
                }
            )
            planned[(entry.element.code, row.fiscal_year or 0)] = row.planned
    labels = _budget_labels()
    series = [
        (
            _element_name(entry.element),
            [planned.get((entry.element.code, year)) for year in years],
            "bar",
        )
        for entry in strategies
        if entry.years
    ]
    return Table(
        slug="budget-by-strategy",
        title=_("Budget by strategy and fiscal year"),
        description=_(
            "Budget of the projects serving each top-level element of the plan, in baht; the "
            "chart stacks the planned amounts. A project serving several elements counts under "
            "each."
        ),
        columns=[
            Column("element_name", _("Element")),
            Column("fiscal_year", _("Fiscal year"), charts.FISCAL_YEAR),
            *(Column(name, _money(labels[name]), charts.NUMBER) for name in _BUDGET_FIELDS),
        ],
        rows=rows,
        keys_before=["element"],
        chart=charts.chart_spec(
            kind="stacked",
            categories=[charts.fiscal_year_label(year) for year in years],
            series=series,
            value_kind=charts.MONEY,
            unit=charts.money_unit(),
            title=_("Budget by strategy and fiscal year"),
        ),
    )


def _element_name(element: PlanElement) -> str:
    label = element.label_th if _thai() and element.label_th else element.get_kind_display()
    head = f"{label} {element.number}".strip()
    title = pick(element.title_th, element.title_en) or element.code
    return f"{head}: {title}"


def element_progress_table(plan: Plan) -> Table:
    """Implementation progress of the plan's top-level elements (`projects.progress`).

    Three queries. An element with nothing measured under it shows "no data", not 0.
    """
    values = element_progress(plan)
    tops = [
        element
        for element in PlanElement.objects.filter(plan=plan, parent__isnull=True).order_by("path")
        if element.kind not in (ElementKind.VISION, ElementKind.MISSION)
    ]
    rows = [
        {"element": top.code, "element_name": _element_name(top), "progress": values.get(top.pk)}
        for top in tops
    ]
    return Table(
        slug="element-progress",
        title=_("Implementation progress by element"),
        description=_(
            "The weighted mean of the progress its projects reported; it says how much work is "
            "done, not whether the results came."
        ),
        columns=[
            Column("element_name", _("Element")),
            Column("progress", _("Progress"), charts.PERCENT),
        ],
        rows=rows,
        keys_before=["element"],
        chart=charts.chart_spec(
            kind="hbar",
            categories=[str(row["element_name"]) for row in rows],
            series=[(_("Progress"), [row["progress"] for row in rows], "bar")],
            value_kind=charts.PERCENT,
            unit="%",
            title=_("Implementation progress by element"),
        ),
    )


# --- Places: pilot provinces, agreements, smart city zones, community centres ---------------------


def pilot_provinces() -> list[dict[str, Any]]:
    """The provinces of the pilot-province programmes, with their programme. One query."""
    return [
        {
            "code": row["province__code"],
            "name": pick(row["province__name_th"], row["province__name_en"]),
            "programme": row["programme__code"],
            "programme_name": pick(row["programme__name_th"], row["programme__name_en"]),
        }
        for row in ProgrammeProvince.objects.filter(
            programme__kind=AreaProgrammeKind.PILOT_PROVINCES
        )
        .order_by("province__code", "programme__code")
        .values(
            "province__code",
            "province__name_th",
            "province__name_en",
            "programme__code",
            "programme__name_th",
            "programme__name_en",
        )
    ]


def _province_names() -> dict[str, dict[str, str]]:
    return {
        code: {"code": code, "name_th": name_th, "name_en": name_en}
        for code, name_th, name_en in Province.objects.order_by("code").values_list(
            "code", "name_th", "name_en"
        )
    }


def _counts(queryset: QuerySet[Any]) -> dict[str, int]:
    return dict(
        queryset.filter(province__isnull=False)
        .order_by()
        .values_list("province__code")
        .annotate(n=Count("pk"))
    )


def places_table(provinces: dict[str, dict[str, str]] | None = None) -> Table:
    """Per province: pilot or not, and how many agreements, smart city zones and centres.

    The rows behind the map's markers. Five queries.
    """
    names = provinces if provinces is not None else _province_names()
    pilots = {row["code"] for row in pilot_provinces()}
    agreements = _counts(Agreement.objects.all())
    zones = _counts(SmartCityZone.objects.all())
    centres = {row.code: row.count for row in project_selectors.community_centres_by_province()}
    centroids = province_centroids()
    codes = sorted(pilots | set(agreements) | set(zones) | set(centres))
    rows = []
    for code in codes:
        province = names.get(code, {"name_th": code, "name_en": code})
        centroid = centroids.get(code)
        rows.append(
            {
                "province": code,
                "province_name": pick(province["name_th"], province["name_en"]),
                "province_url": _url("dashboards:province", code),
                "pilot": code in pilots,
                "agreements": agreements.get(code, 0),
                "zones": zones.get(code, 0),
                "centres": centres.get(code, 0),
                "lat": centroid.lat if centroid else None,
                "lon": centroid.lon if centroid else None,
            }
        )
    return Table(
        slug="places",
        title=_("Pilot provinces, MoUs, smart city zones and community centres"),
        columns=[
            Column("province_name", _("Province")),
            Column("pilot", _("Pilot province"), charts.BOOLEAN),
            Column("agreements", _("MoUs"), charts.INTEGER),
            Column("zones", _("Smart city zones"), charts.INTEGER),
            Column("centres", _("Community centres"), charts.INTEGER),
        ],
        rows=rows,
        links={"province_name": "province_url"},
        keys_before=["province"],
        keys_after=["lat", "lon"],
    )


# --- The choropleth -----------------------------------------------------------------------------


def choropleth_indicators() -> QuerySet[Indicator]:
    """Visible indicators with approved actuals by province (or by local administration)."""
    return (
        visible_indicators()
        .filter(
            Exists(
                Actual.objects.filter(
                    indicator_id=OuterRef("pk"),
                    status=ActualStatus.APPROVED,
                    area_level__in=[AreaLevel.PROVINCE, AreaLevel.LOCAL],
                    province__isnull=False,
                )
            )
        )
        .order_by("code")
    )


@dataclass
class LegendClass:
    index: int
    colour: str
    low: Decimal
    high: Decimal
    label: str


def _classes(values: Iterable[Decimal], fmt: Callable[[Decimal], str]) -> list[LegendClass]:
    """Equal-interval classes from the lowest to the highest value (one class if all equal)."""
    known = sorted(values)
    if not known:
        return []
    low, high = known[0], known[-1]
    if low == high:
        return [LegendClass(len(PALETTE) - 1, PALETTE[-1], low, high, fmt(low))]
    step = (high - low) / len(PALETTE)
    classes = []
    for index, colour in enumerate(PALETTE):
        start = low + step * index
        end = high if index == len(PALETTE) - 1 else low + step * (index + 1)
        classes.append(LegendClass(index, colour, start, end, f"{fmt(start)} – {fmt(end)}"))
    return classes


def _class_of(value: Decimal | None, classes: list[LegendClass]) -> int | None:
    if value is None or not classes:
        return None
    for legend in classes:
        if value <= legend.high:
            return legend.index
    return classes[-1].index


@dataclass
class Choropleth:
    """One indicator's approved values by province in one fiscal year, classed for the map."""

    indicator: Indicator | None
    fiscal_year: int | None
    fiscal_years: list[int]
    options: list[Indicator]
    table: Table
    classes: list[LegendClass]
    pilots: list[dict[str, Any]] = field(default_factory=list)

    @property
    def year_options(self) -> list[tuple[int, str]]:
        return [(year, charts.fiscal_year_label(year)) for year in self.fiscal_years]

    def map_data(self) -> dict[str, Any]:
        """The data island the map script colours the provinces with."""
        return {
            "indicator": self.indicator.code if self.indicator else None,
            "fiscalYear": self.fiscal_year,
            "values": {
                row["province"]: {
                    "value": charts.plain(row["value"]),
                    "text": self.table.cell(self.table.columns[1], row).text,
                    "class": row["class"],
                }
                for row in self.table.rows
            },
            "palette": PALETTE,
            "noDataColour": NO_DATA_COLOUR,
            "title": self.table.title,
        }

    def as_json(self) -> dict[str, Any]:
        indicator = self.indicator
        return {
            "indicator": (
                {
                    "code": indicator.code,
                    "name_th": indicator.name_th,
                    "name_en": indicator.name_en,
                    "unit": indicator.unit,
                    "measure_type": indicator.measure_type,
                }
                if indicator
                else None
            ),
            "fiscal_year": self.fiscal_year,
            "fiscal_years": self.fiscal_years,
            "indicators": [option.code for option in self.options],
            "values": {
                row["province"]: charts.plain(row["value"])
                for row in self.table.rows
                if row["value"] is not None
            },
            "provinces": self.table.as_json()["rows"],
            "classes": [
                {
                    "class": legend.index,
                    "colour": legend.colour,
                    "low": charts.plain(legend.low),
                    "high": charts.plain(legend.high),
                }
                for legend in self.classes
            ],
            "pilot_provinces": [row["code"] for row in self.pilots],
        }


def indicator_get(code: str) -> Indicator:
    indicator = visible_indicators().filter(code=code).first()
    if indicator is None:
        raise NotFound(
            "indicator_not_found",
            _("No indicator has the code “%(code)s”.") % {"code": code},
            detail={"indicator": code},
        )
    return indicator


def choropleth(indicator_code: str | None = None, fiscal_year: int | None = None) -> Choropleth:
    """Colour every province by an indicator's approved value in a fiscal year.

    Without an indicator, the first with approved values by province; without a fiscal year
    (or with one the indicator has no value in), its latest such year. Provinces with no
    approved value are listed too, as "no data". A fixed number of queries.
    """
    options = list(choropleth_indicators())
    indicator: Indicator | None
    if indicator_code:
        indicator = next((o for o in options if o.code == indicator_code), None)
        if indicator is None:  # visible, but with no values by province: every one "no data"
            indicator = indicator_get(indicator_code)
            options.insert(0, indicator)
    else:
        indicator = options[0] if options else None
    years: list[int] = []
    values: dict[str, Decimal | None] = {}
    if indicator is not None:
        years = sorted(
            Actual.objects.filter(
                indicator=indicator,
                status=ActualStatus.APPROVED,
                area_level__in=[AreaLevel.PROVINCE, AreaLevel.LOCAL],
                province__isnull=False,
            )
            .order_by()
            .values_list("fiscal_year", flat=True)
            .distinct()
        )
        if fiscal_year not in years:
            fiscal_year = years[-1] if years else fiscal_year
        if fiscal_year is not None:
            values = aggregation.area_values(indicator, fiscal_year=fiscal_year)
    else:
        fiscal_year = None

    def fmt(value: Decimal | None) -> str:
        if indicator is None:
            return charts.format_value(value, charts.NUMBER)
        return charts.format_measure(value, indicator.measure_type, indicator.unit)

    known = [value for value in values.values() if value is not None]
    classes = _classes(known, fmt)
    pilots = pilot_provinces()
    pilot_codes = {row["code"] for row in pilots}
    rows: list[dict[str, Any]] = []
    for code, province in _province_names().items():
        value = values.get(code)
        rows.append(
            {
                "province": code,
                "province_name": pick(province["name_th"], province["name_en"]),
                "province_url": _url("dashboards:province", code),
                "value": value,
                "class": _class_of(value, classes),
                "pilot": code in pilot_codes,
                "unit": indicator.unit if indicator else "",
                "measure_type": indicator.measure_type if indicator else "number",
            }
        )
    rows.sort(
        key=lambda row: (
            values.get(row["province"]) is None,
            -(values.get(row["province"]) or 0),
            row["province"],
        )
    )
    title = (
        _("%(indicator)s by province, fiscal year %(year)s")
        % {
            "indicator": pick(indicator.name_th, indicator.name_en),
            "year": charts.fiscal_year_label(fiscal_year),
        }
        if indicator is not None and fiscal_year is not None
        else _("Provinces")
    )
    table = Table(
        slug="choropleth",
        title=title,
        columns=[
            Column("province_name", _("Province")),
            Column("value", _("Actual (approved)"), charts.MEASURE),
            Column("pilot", _("Pilot province"), charts.BOOLEAN),
        ],
        rows=rows,
        links={"province_name": "province_url"},
        keys_before=["province"],
        keys_after=["class"],
    )
    return Choropleth(indicator, fiscal_year, years, options, table, classes, pilots)


# --- Dashboards ---------------------------------------------------------------------------------


def national_indicators() -> list[Indicator]:
    """Indicators of national, regional and special-zone plans (or of none) that have data.

    Provincial and local plans' indicators are on their provinces' dashboards.
    """
    plan_areas = [AreaType.NATION, AreaType.REGION, AreaType.SPECIAL_ZONE]
    home = Q(plan__isnull=True, element__isnull=True)
    home |= Q(plan__area_type__in=plan_areas)
    home |= Q(plan__isnull=True, element__plan__area_type__in=plan_areas)
    return list(
        visible_indicators()
        .filter(home)
        .filter(_with_data())
        .order_by("plan__level", "element__plan__level", "plan__code", "code")
    )


@dataclass
class NationalDashboard:
    panels: list[IndicatorPanel]
    indicators: Table
    choropleth: Choropleth
    places: Table
    budget_by_year: Table
    projects_by_status: Table

    def as_json(self) -> dict[str, Any]:
        return {
            "indicators": [panel.as_json() for panel in self.panels],
            "choropleth": self.choropleth.as_json(),
            "places": self.places.as_json(),
            "pilot_provinces": self.choropleth.pilots,
            "budget_by_fiscal_year": self.budget_by_year.as_json(),
            "projects_by_status": self.projects_by_status.as_json(),
        }


def national_dashboard(
    *, indicator: str | None = None, fiscal_year: int | None = None
) -> NationalDashboard:
    panels = indicator_panels(national_indicators())
    return NationalDashboard(
        panels=panels,
        indicators=summary_table(panels),
        choropleth=choropleth(indicator, fiscal_year),
        places=places_table(),
        budget_by_year=budget_by_fiscal_year(),
        projects_by_status=projects_by_status(),
    )


def national_table(slug: str, params: dict[str, Any]) -> Table:
    """One table of the national dashboard, for its CSV download; NotFound for another slug."""
    tables: dict[str, Callable[[], Table]] = {
        "indicators": lambda: summary_table(indicator_panels(national_indicators())),
        "indicator-series": lambda: series_csv_table(
            indicator_panels(national_indicators()), slug="indicator-series"
        ),
        "choropleth": lambda: choropleth(params.get("indicator"), params.get("fiscal_year")).table,
        "places": places_table,
        "budget-by-year": budget_by_fiscal_year,
        "projects-by-status": projects_by_status,
    }
    return _table(tables, slug)


def _table(tables: dict[str, Callable[[], Table]], slug: str) -> Table:
    if slug not in tables:
        raise NotFound(
            "chart_not_found",
            _("This dashboard has no chart called “%(chart)s”.") % {"chart": slug},
            detail={"chart": slug},
        )
    return tables[slug]()


# A plan's dashboard ------------------------------------------------------------------------------

_PLAN_AREA = ("owner", "special_zone", "region", "local_organisation")


def plan_chain(plan: Plan) -> list[Plan]:
    """The plan and its earlier editions (`predecessor`), newest first, the published ones only.

    One query per edition walked, and one for which are published.
    """
    chain = [plan]
    seen = {plan.pk}
    current = plan
    while current.predecessor_id and len(chain) <= MAX_PREDECESSORS:
        earlier = Plan.objects.select_related(*_PLAN_AREA).filter(pk=current.predecessor_id).first()
        if earlier is None or earlier.pk in seen:
            break
        chain.append(earlier)
        seen.add(earlier.pk)
        current = earlier
    published = set(
        PlanVersion.objects.filter(plan_id__in=[p.pk for p in chain[1:]]).values_list(
            "plan_id", flat=True
        )
    )
    return [plan] + [p for p in chain[1:] if p.pk in published]


def plan_for_dashboard(code: str, viewer: Any = None) -> Plan:
    """The plan with `code` if the viewer may read it; NotFound otherwise (drafts included)."""
    plan = Plan.objects.select_related(*_PLAN_AREA).filter(code=code).first()
    if plan is None:
        raise NotFound(
            "plan_not_found",
            _("No plan has the code “%(code)s”.") % {"code": code},
            detail={"plan": code},
        )
    ensure_readable(viewer, plan)
    return plan


def plan_indicators(chain: Sequence[Plan]) -> list[Indicator]:
    """Indicators of the plans in `chain` (their own or their elements'), plan by plan."""
    order = {plan.pk: index for index, plan in enumerate(chain)}
    ids = list(order)
    indicators = list(
        visible_indicators().filter(Q(plan_id__in=ids) | Q(element__plan_id__in=ids)).distinct()
    )
    plans = {plan.pk: plan for plan in chain}
    for indicator in indicators:  # the chain's plans already carry their provinces
        if indicator.plan_id in plans:
            indicator.plan = plans[indicator.plan_id]
        elif indicator.element is not None and indicator.element.plan_id in plans:
            indicator.element.plan = plans[indicator.element.plan_id]

    def position(indicator: Indicator) -> tuple[int, str, str]:
        plan = indicator_plan(indicator)
        path = indicator.element.path if indicator.element is not None else ""
        return (order.get(plan.pk, len(order)) if plan else len(order), path, indicator.code)

    indicators.sort(key=position)
    return indicators


@dataclass
class PlanGroup:
    """A plan of the chain with its indicators' panels, labelled as the dashboard shows it."""

    plan: Plan
    current: bool
    panels: list[IndicatorPanel]


@dataclass
class PlanDashboard:
    plan: Plan
    chain: list[Plan]
    groups: list[PlanGroup]
    indicators: Table
    budget_by_strategy: Table
    budget_by_year: Table
    projects_by_status: Table
    element_progress: Table

    @property
    def panels(self) -> list[IndicatorPanel]:
        return [panel for group in self.groups for panel in group.panels]

    def as_json(self) -> dict[str, Any]:
        return {
            "plan": {
                "code": self.plan.code,
                "name_th": self.plan.name_th,
                "name_en": self.plan.name_en,
                "predecessors": [p.code for p in self.chain[1:]],
            },
            "indicators": [panel.as_json() for panel in self.panels],
            "budget_by_strategy": self.budget_by_strategy.as_json(),
            "budget_by_fiscal_year": self.budget_by_year.as_json(),
            "projects_by_status": self.projects_by_status.as_json(),
            "element_progress": self.element_progress.as_json(),
        }


def _plan_panels(plan: Plan) -> tuple[list[Plan], list[IndicatorPanel]]:
    chain = plan_chain(plan)
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(chain, "provinces")
    panels = indicator_panels(plan_indicators(chain))
    return chain, panels


def plan_dashboard(code: str, viewer: Any = None) -> PlanDashboard:
    """A plan's indicators (and its earlier editions'), budgets, projects and progress."""
    plan = plan_for_dashboard(code, viewer)
    chain, panels = _plan_panels(plan)
    groups = [
        PlanGroup(
            plan=member,
            current=member.pk == plan.pk,
            panels=[p for p in panels if p.plan is not None and p.plan.pk == member.pk],
        )
        for member in chain
    ]
    return PlanDashboard(
        plan=plan,
        chain=chain,
        groups=[group for group in groups if group.panels or group.current],
        indicators=summary_table(panels),
        budget_by_strategy=budget_by_strategy(plan),
        budget_by_year=budget_by_fiscal_year(plan=plan.code),
        projects_by_status=projects_by_status(plan=plan.code),
        element_progress=element_progress_table(plan),
    )


def plan_table(code: str, slug: str, params: dict[str, Any], viewer: Any = None) -> Table:
    """One table of a plan's dashboard, for its CSV download."""
    plan = plan_for_dashboard(code, viewer)

    def series() -> Table:
        _chain, panels = _plan_panels(plan)
        wanted = params.get("indicator")
        if wanted:
            panels = [panel for panel in panels if panel.indicator.code == wanted]
        return series_csv_table(panels, slug="indicator-series")

    tables: dict[str, Callable[[], Table]] = {
        "indicators": lambda: summary_table(_plan_panels(plan)[1]),
        "indicator-series": series,
        "budget-by-strategy": lambda: budget_by_strategy(plan),
        "budget-by-year": lambda: budget_by_fiscal_year(plan=plan.code),
        "projects-by-status": lambda: projects_by_status(plan=plan.code),
        "element-progress": lambda: element_progress_table(plan),
    }
    return _table(tables, slug)


# A province's dashboard --------------------------------------------------------------------------


def province_for_dashboard(code: str) -> Province:
    province = Province.objects.select_related("region").filter(code=code).first()
    if province is None:
        raise NotFound(
            "province_not_found",
            _("No province has the code “%(code)s”.") % {"code": code},
            detail={"province": code},
        )
    return province


def province_indicators(province: Province) -> list[Indicator]:
    """Visible indicators with a target or an approved actual in the province or its localities."""
    here = Q(province_id=province.pk, area_level__in=[AreaLevel.PROVINCE, AreaLevel.LOCAL])
    return list(
        visible_indicators()
        .filter(
            Q(Exists(Target.objects.filter(here, indicator_id=OuterRef("pk"))))
            | Q(
                Exists(
                    Actual.objects.filter(
                        here, indicator_id=OuterRef("pk"), status=ActualStatus.APPROVED
                    )
                )
            )
        )
        .order_by("code")
    )


def province_project_table(province: Province) -> Table:
    """The projects carried out in the province (listed, or through their region or zone).

    Two queries (`phaen.projects.selectors.project_list`).
    """
    projects = project_selectors.project_list(province=province.code)
    rows = [
        {
            "project": project.code,
            "project_name": pick(project.name_th, project.name_en),
            "project_url": _url("projects:project_detail", project.code),
            "owner": pick(project.owner.name_th, project.owner.name_en),
            "status": project.status,
            "status_label": project.get_status_display(),
            "planned": project.budget_planned,  # type: ignore[attr-defined]
            "allocated": project.budget_allocated,  # type: ignore[attr-defined]
        }
        for project in projects
    ]
    return Table(
        slug="projects",
        title=_("Projects in the province"),
        columns=[
            Column("project_name", _("Project")),
            Column("owner", _("Owner")),
            Column("status_label", _("Status")),
            Column("planned", _money(_("Planned")), charts.NUMBER),
            Column("allocated", _money(_("Allocated")), charts.NUMBER),
        ],
        rows=rows,
        links={"project_name": "project_url"},
        keys_before=["project"],
        keys_after=["status"],
    )


def province_agreement_table(province: Province) -> Table:
    rows = [
        {
            "agreement": agreement.code,
            "title": pick(agreement.title_th, agreement.title_en),
            "agreement_url": _url("projects:agreement_detail", agreement.code),
            "signed_on": agreement.signed_on.isoformat() if agreement.signed_on else "",
            "status_label": agreement.get_status_display(),
        }
        for agreement in project_selectors.agreement_list(province=province.code)
    ]
    return Table(
        slug="agreements",
        title=_("MoUs"),
        columns=[
            Column("title", _("Agreement")),
            Column("signed_on", _("Signed on")),
            Column("status_label", _("Status")),
        ],
        rows=rows,
        links={"title": "agreement_url"},
        keys_before=["agreement"],
    )


def province_zone_table(province: Province) -> Table:
    rows = [
        {
            "zone": zone.code,
            "name": pick(zone.name_th, zone.name_en),
            "zone_url": _url("projects:zone_detail", zone.code),
            "applicant": pick(zone.applicant.name_th, zone.applicant.name_en),
            "stage_label": zone.get_stage_display(),
        }
        for zone in project_selectors.smart_city_zone_list(province=province.code)
    ]
    return Table(
        slug="zones",
        title=_("Smart city zones"),
        columns=[
            Column("name", _("Zone")),
            Column("applicant", _("Applicant")),
            Column("stage_label", _("Stage")),
        ],
        rows=rows,
        links={"name": "zone_url"},
        keys_before=["zone"],
    )


def province_centre_table(province: Province) -> Table:
    rows = [
        {
            "centre": centre.code,
            "name": pick(centre.name_th, centre.name_en),
            "centre_url": _url("projects:centre_detail", centre.code),
            "host": pick(centre.host.name_th, centre.host.name_en),
            "district": (
                pick(centre.district.name_th, centre.district.name_en) if centre.district else ""
            ),
            "status_label": centre.get_status_display(),
        }
        for centre in project_selectors.community_centre_list(province=province.code)
    ]
    return Table(
        slug="centres",
        title=_("Digital community centres"),
        columns=[
            Column("name", _("Centre")),
            Column("host", _("Host")),
            Column("district", _("District")),
            Column("status_label", _("Status")),
        ],
        rows=rows,
        links={"name": "centre_url"},
        keys_before=["centre"],
    )


@dataclass
class ProvinceDashboard:
    province: Province
    pilot_programmes: list[dict[str, Any]]
    panels: list[IndicatorPanel]
    indicators: Table
    projects: Table
    projects_by_status: Table
    budget_by_year: Table
    agreements: Table
    zones: Table
    centres: Table

    @property
    def place_tables(self) -> list[tuple[Table, str]]:
        return [(table, table.slug) for table in (self.agreements, self.zones, self.centres)]

    def map_data(self) -> dict[str, Any]:
        centroid = province_centroids().get(self.province.code)
        return {
            "focus": self.province.code,
            "places": [
                {
                    "province": self.province.code,
                    "province_name": pick(self.province.name_th, self.province.name_en),
                    "province_url": "",
                    "pilot": bool(self.pilot_programmes),
                    "agreements": len(self.agreements.rows),
                    "zones": len(self.zones.rows),
                    "centres": len(self.centres.rows),
                    "lat": centroid.lat if centroid else None,
                    "lon": centroid.lon if centroid else None,
                }
            ],
            "pilots": [self.province.code] if self.pilot_programmes else [],
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "province": {
                "code": self.province.code,
                "name_th": self.province.name_th,
                "name_en": self.province.name_en,
                "pilot_programmes": [row["programme"] for row in self.pilot_programmes],
            },
            "indicators": [panel.as_json() for panel in self.panels],
            "projects": self.projects.as_json(),
            "projects_by_status": self.projects_by_status.as_json(),
            "budget_by_fiscal_year": self.budget_by_year.as_json(),
            "agreements": self.agreements.as_json(),
            "smart_city_zones": self.zones.as_json(),
            "community_centres": self.centres.as_json(),
        }


def province_dashboard(code: str) -> ProvinceDashboard:
    """A province's indicators, projects, budgets, MoUs, smart city zones and centres."""
    province = province_for_dashboard(code)
    panels = indicator_panels(
        province_indicators(province), area=Area.province(province.code), slug_prefix="indicator"
    )
    return ProvinceDashboard(
        province=province,
        pilot_programmes=[row for row in pilot_provinces() if row["code"] == province.code],
        panels=panels,
        indicators=summary_table(panels),
        projects=province_project_table(province),
        projects_by_status=projects_by_status(province=province.code),
        budget_by_year=budget_by_fiscal_year(province=province.code),
        agreements=province_agreement_table(province),
        zones=province_zone_table(province),
        centres=province_centre_table(province),
    )


def province_table(code: str, slug: str, params: dict[str, Any]) -> Table:
    """One table of a province's dashboard, for its CSV download."""
    province = province_for_dashboard(code)

    def panels() -> list[IndicatorPanel]:
        return indicator_panels(province_indicators(province), area=Area.province(province.code))

    def series() -> Table:
        chosen = panels()
        wanted = params.get("indicator")
        if wanted:
            chosen = [panel for panel in chosen if panel.indicator.code == wanted]
        return series_csv_table(chosen, slug="indicator-series")

    tables: dict[str, Callable[[], Table]] = {
        "indicators": lambda: summary_table(panels()),
        "indicator-series": series,
        "projects": lambda: province_project_table(province),
        "projects-by-status": lambda: projects_by_status(province=province.code),
        "budget-by-year": lambda: budget_by_fiscal_year(province=province.code),
        "agreements": lambda: province_agreement_table(province),
        "zones": lambda: province_zone_table(province),
        "centres": lambda: province_centre_table(province),
    }
    return _table(tables, slug)
