"""Roll-up rules: KPI achievement, status bands, and values over areas and periods."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from phaen.geography.models import Province, SpecialZone
from phaen.kpis import rollups
from phaen.kpis.aggregation import Area, area_values, indicator_series, indicator_summaries
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator, Target
from phaen.orgs.models import Organisation, OrganisationKind
from tests.conftest import planning_office
from tests.plans.factories import PlanFactory

# -- KPI achievement (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "baseline", "expected"),
    [
        (D(95), D(95), D(40), D(100)),  # reached
        (D("67.5"), D(95), D(40), D(50)),  # half way from 40 to 95
        (D(120), D(95), D(40), D(100)),  # overshoot is clamped
        (D(30), D(95), D(40), D(0)),  # moved the wrong way: clamped at zero
        (D(50), D(200), None, D(25)),  # no baseline: the way starts at zero
    ],
)
def test_achievement_higher_is_better(actual: D, target: D, baseline: D, expected: D) -> None:
    assert rollups.achievement(actual, target, baseline, rollups.HIGHER) == expected


@pytest.mark.parametrize(
    ("actual", "target", "baseline", "expected"),
    [
        (D(10), D(10), D(30), D(100)),  # reached
        (D(20), D(10), D(30), D(50)),  # half way down from 30 to 10
        (D(5), D(10), D(30), D(100)),  # better than the target: clamped
        (D(35), D(10), D(30), D(0)),  # worse than the baseline: zero
        (D(9), D(10), None, D(100)),  # no baseline: reached or not
        (D(11), D(10), None, D(0)),
    ],
)
def test_achievement_lower_is_better(actual: D, target: D, baseline: D, expected: D) -> None:
    assert rollups.achievement(actual, target, baseline, rollups.LOWER) == expected


def test_achievement_unknown_stays_unknown() -> None:
    assert rollups.achievement(None, D(10), D(0)) is None
    assert rollups.achievement(D(10), None, D(0)) is None
    assert rollups.band(None) == rollups.NO_DATA


def test_target_equal_to_baseline_is_met_or_not() -> None:
    assert rollups.achievement(D(5), D(5), D(5)) == D(100)
    assert rollups.achievement(D(4), D(5), D(5)) == D(0)


@pytest.mark.parametrize(
    ("achieved", "band"),
    [
        (D(100), rollups.ON_TRACK),
        (D(90), rollups.ON_TRACK),
        (D("89.99"), rollups.AT_RISK),
        (D(60), rollups.AT_RISK),
        (D("59.9"), rollups.OFF_TRACK),
        (D(0), rollups.OFF_TRACK),
    ],
)
def test_status_bands(achieved: D, band: str) -> None:
    assert rollups.band(achieved) == band


# -- values over areas and periods (database) -------------------------------------------


def _indicator(code: str, **fields: Any) -> Indicator:
    plan = PlanFactory(start_year=2023, end_year=2027)
    return Indicator.objects.create(
        code=code, name_th=f"ตัวชี้วัด {code}", plan=plan, owner=planning_office(), **fields
    )


def _local(code: str, province: Province) -> Organisation:
    return Organisation.objects.create(
        code=code,
        name_th=f"เทศบาล {code}",
        kind=OrganisationKind.LOCAL_ADMINISTRATION,
        province=province,
    )


def _actual(
    indicator: Indicator,
    value: Any,
    *,
    year: int = 2568,
    quarter: int = 0,
    province: Province | None = None,
    local: Organisation | None = None,
    zone: SpecialZone | None = None,
    status: str = ActualStatus.APPROVED,
    numerator: Any = None,
    denominator: Any = None,
) -> Actual:
    if local is not None:
        level, key, province = AreaLevel.LOCAL, f"L:{local.code}", local.province
    elif province is not None:
        level, key = AreaLevel.PROVINCE, f"P:{province.code}"
    elif zone is not None:
        level, key = AreaLevel.SPECIAL_ZONE, f"Z:{zone.code}"
    else:
        level, key = AreaLevel.NATION, "TH"
    return Actual.objects.create(
        indicator=indicator,
        fiscal_year=year,
        quarter=quarter,
        area_level=level,
        area_key=key,
        province=province,
        local_organisation=local,
        special_zone=zone,
        value=None if value is None else D(value),
        numerator=numerator,
        denominator=denominator,
        status=status,
        reporting_organisation=planning_office(),
    )


@pytest.mark.django_db
def test_province_sum_equals_the_sum_of_its_local_administrations() -> None:
    khon_kaen = Province.objects.get(code="40")
    indicator = _indicator("wifi-points", aggregation="sum", measure_type="number")
    locals_ = [_local(f"kk-lao-{n}", khon_kaen) for n in range(3)]
    for local, value in zip(locals_, (12, 30, 8), strict=True):
        _actual(indicator, value, local=local)

    series = indicator_series(indicator, area=Area.province("40"))

    assert [(p.fiscal_year, p.actual) for p in series] == [(2568, D(50))]
    assert area_values(indicator, fiscal_year=2568) == {"40": D(50)}
    # and the nation, with no national row, is the sum of its provinces
    assert indicator_series(indicator)[0].actual == D(50)


@pytest.mark.django_db
def test_a_provinces_own_row_wins_over_its_local_administrations() -> None:
    khon_kaen, chiang_mai = Province.objects.get(code="40"), Province.objects.get(code="50")
    indicator = _indicator("centres", aggregation="sum")
    _actual(indicator, 7, local=_local("kk-lao-a", khon_kaen))
    _actual(indicator, 10, province=khon_kaen)
    _actual(indicator, 4, local=_local("cm-lao-a", chiang_mai))

    assert area_values(indicator, fiscal_year=2568) == {"40": D(10), "50": D(4)}
    assert indicator_series(indicator)[0].actual == D(14)


@pytest.mark.django_db
def test_only_approved_actuals_count_in_public_figures() -> None:
    khon_kaen = Province.objects.get(code="40")
    indicator = _indicator("approved-only")
    _actual(indicator, 5, province=khon_kaen)
    _actual(
        indicator,
        100,
        local=_local("kk-lao-b", Province.objects.get(code="50")),
        status=ActualStatus.SUBMITTED,
    )

    assert area_values(indicator, fiscal_year=2568) == {"40": D(5)}
    working = area_values(indicator, fiscal_year=2568, include_unapproved=True)
    assert working == {"40": D(5), "50": D(100)}


@pytest.mark.django_db
def test_quarters_make_a_year_by_the_rule() -> None:
    khon_kaen = Province.objects.get(code="40")
    flow = _indicator("flow", aggregation="sum")
    stock = _indicator("stock", aggregation="sum", cumulative=True)
    mean = _indicator("mean", aggregation="mean", measure_type="percent")
    for quarter, value in ((1, 10), (2, 20), (3, 40)):
        for indicator in (flow, stock, mean):
            _actual(indicator, value, quarter=quarter, province=khon_kaen)

    def year(indicator: Indicator) -> D | None:
        return indicator_series(indicator, area=Area.province("40"))[0].actual

    assert year(flow) == D(70)  # quarterly flows add up
    assert year(stock) == D(40)  # running totals: the last quarter reported
    assert (year(mean) or D(0)).quantize(D("0.01")) == D("23.33")


@pytest.mark.django_db
def test_weighted_rule_pools_numerators_and_denominators() -> None:
    khon_kaen, chiang_mai = Province.objects.get(code="40"), Province.objects.get(code="50")
    indicator = _indicator("coverage", aggregation="weighted", measure_type="percent")
    _actual(indicator, 90, province=khon_kaen, numerator=D(90), denominator=D(100))
    _actual(indicator, 10, province=chiang_mai, numerator=D(30), denominator=D(300))

    # (90 + 30) / (100 + 300) = 30 %, not the mean of 90 % and 10 %
    assert indicator_series(indicator)[0].actual == D(30)


@pytest.mark.django_db
def test_series_compares_with_targets_and_bands() -> None:
    indicator = _indicator(
        "coverage-5g", measure_type="percent", aggregation="mean", baseline_value=D(40)
    )
    Target.objects.create(indicator=indicator, fiscal_year=2568, area_key="TH", value=D(95))
    _actual(indicator, 67.5)

    [point] = indicator_series(indicator)

    assert (point.target, point.actual, point.achievement, point.band) == (
        D(95),
        D("67.5"),
        D(50),
        rollups.OFF_TRACK,
    )


@pytest.mark.django_db
def test_cumulative_indicator_compares_with_the_target_ahead() -> None:
    indicator = _indicator("investment", measure_type="money", cumulative=True, baseline_value=D(0))
    Target.objects.create(
        indicator=indicator, fiscal_year=2570, area_key="TH", value=D(500_000_000_000)
    )
    _actual(indicator, 450_000_000_000, year=2568)

    summary = indicator_summaries([indicator])[indicator.pk]

    assert summary.fiscal_year == 2568
    assert summary.target_year == 2570
    assert summary.achievement == D(90)
    assert summary.band == rollups.ON_TRACK


@pytest.mark.django_db
def test_zone_is_its_own_row_or_its_provinces() -> None:
    eec = SpecialZone.objects.get(code="eec")
    chonburi = Province.objects.get(code="20")
    zone_ind = _indicator("zone-own", measure_type="percent", aggregation="mean")
    _actual(zone_ind, 95, zone=eec)
    from_provinces = _indicator("zone-provinces", aggregation="sum")
    _actual(from_provinces, 3, province=chonburi)
    _actual(from_provinces, 99, province=Province.objects.get(code="40"))  # not in the EEC

    assert indicator_series(zone_ind, area=Area.zone("eec"))[0].actual == D(95)
    assert indicator_series(from_provinces, area=Area.zone("eec"))[0].actual == D(3)
    # zone rows never feed the nation: zones overlap provinces
    assert indicator_series(zone_ind) == []


@pytest.mark.django_db
def test_unknown_values_stay_unknown() -> None:
    indicator = _indicator("nothing-yet")
    Target.objects.create(indicator=indicator, fiscal_year=2569, area_key="TH", value=D(10))

    summary = indicator_summaries([indicator])[indicator.pk]

    assert (summary.actual, summary.band, summary.fiscal_year) == (None, rollups.NO_DATA, 2569)


@pytest.mark.django_db
def test_summaries_run_two_queries_for_any_number_of_indicators(
    django_assert_num_queries: Any,
) -> None:
    khon_kaen = Province.objects.get(code="40")
    indicators = [_indicator(f"many-{n}") for n in range(6)]
    for n, indicator in enumerate(indicators):
        for year in (2567, 2568):
            _actual(indicator, n, year=year, province=khon_kaen)
            _actual(indicator, n, year=year, local=_local(f"lao-{n}-{year}", khon_kaen))

    with django_assert_num_queries(2):
        summaries = indicator_summaries(indicators)
    assert summaries[indicators[5].pk].actual == D(5)
    with django_assert_num_queries(2):
        indicator_series(indicators[0], area=Area.province("40"))
    with django_assert_num_queries(1):
        area_values(indicators[0], fiscal_year=2568)


@pytest.mark.django_db
def test_cached_figures_change_as_soon_as_an_actual_does(
    settings: Any, django_assert_num_queries: Any
) -> None:
    from django.core.cache import cache

    from phaen.kpis.aggregation import cached_overview

    settings.PHAEN_FIGURES_CACHE_SECONDS = 60
    cache.clear()
    khon_kaen = Province.objects.get(code="40")
    indicator = _indicator("cached", aggregation="sum")
    first = _actual(indicator, 5, province=khon_kaen)

    assert cached_overview([indicator])[indicator.pk].summary.actual == D(5)
    with django_assert_num_queries(2):  # the stamp only: the figures come from the cache
        assert cached_overview([indicator])[indicator.pk].summary.actual == D(5)

    # a new approved result changes the figure at once
    _actual(indicator, 7, local=_local("kk-lao-cached", Province.objects.get(code="50")))
    assert cached_overview([indicator])[indicator.pk].summary.actual == D(12)
    # so does a result taken back for correction, and a removal
    first.status = ActualStatus.RETURNED
    first.save()
    assert cached_overview([indicator])[indicator.pk].summary.actual == D(7)
    first.delete()
    assert cached_overview([indicator])[indicator.pk].summary.actual == D(7)
