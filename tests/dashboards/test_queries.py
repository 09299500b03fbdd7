"""The dashboards run a fixed number of queries whatever the number of indicators, actuals,
projects, budget lines and places (two data sizes, the same count)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phaen.kpis.models import MeasureType
from phaen.plans.models import Plan
from tests.dashboards import factories as f

pytestmark = pytest.mark.django_db

PROVINCES = ["10", "11", "12", "13", "20", "21", "24", "30", "40", "50"]


def grow(plan: Plan, predecessor: Plan, size: int) -> None:
    """Add `size` indicators (of the plan, its predecessor, the nation and provinces), each with
    targets and actuals over three years, and `size` projects with budgets and places."""
    strategies = list(plan.elements.filter(depth=0)) or [
        f.strategy(plan, position) for position in range(1, 4)
    ]
    for n in range(size):
        for owner_plan, area in ((plan, "Z:eec"), (predecessor, "Z:eec"), (None, "TH")):
            ind = f.indicator(owner_plan, measure_type=MeasureType.PERCENT)
            for year in (2566, 2567, 2568):
                f.target(ind, 50 + year % 10, year=year, area=area)
                f.actual(ind, 40 + n, year=year, area=area)
        by_province = f.indicator(None)
        for code in PROVINCES:
            f.actual(by_province, n + 1, year=2568, area=f"P:{code}")
            f.target(by_province, 10, year=2568, area=f"P:{code}")
        project = f.project(provinces=[PROVINCES[n % len(PROVINCES)], "40"])
        f.align(project, strategies[n % 3])
        for year in (2567, 2568):
            f.budget(project, year=year, planned=1000 * (n + 1), allocated=500)
        f.agreement(PROVINCES[n % len(PROVINCES)])
        f.agreement("40")
        f.zone("40")
        f.centre(PROVINCES[(n + 3) % len(PROVINCES)])


def count(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.fixture
def plans() -> tuple[Plan, Plan]:
    f.pilot_programme()
    first = f.zone_plan(code="dash-q-1", phase=1)
    second = f.zone_plan(code="dash-q-2", phase=2, predecessor=first)
    return second, first


URLS = [
    ("dashboards:national", []),
    ("dashboards:plan", ["dash-q-2"]),
    ("dashboards:province", ["40"]),
    ("dashboards:national_csv", ["indicators"]),
    ("dashboards:national_csv", ["places"]),
    ("dashboards:plan_csv", ["dash-q-2", "indicator-series"]),
    ("dashboards:plan_csv", ["dash-q-2", "budget-by-strategy"]),
    ("dashboards:province_csv", ["40", "projects"]),
]
API = [
    "/api/dashboards/national",
    "/api/dashboards/plans/dash-q-2",
    "/api/dashboards/provinces/40",
    "/api/dashboards/choropleth",
]


@pytest.mark.parametrize(("name", "args"), URLS)
def test_pages_and_downloads_run_a_fixed_number_of_queries(
    client, plans, django_assert_num_queries, name, args
):
    url = reverse(name, args=args)
    grow(*plans, size=2)
    client.get(url)  # warm the caches (content types, the boundaries' centroids)
    small = count(lambda: client.get(url))

    grow(*plans, size=12)

    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", API)
def test_api_runs_a_fixed_number_of_queries(client, plans, django_assert_num_queries, url):
    grow(*plans, size=2)
    client.get(url)
    small = count(lambda: client.get(url))

    grow(*plans, size=12)

    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


def test_the_national_dashboard_stays_small(client, plans, django_assert_max_num_queries):
    grow(*plans, size=5)
    client.get(reverse("dashboards:national"))

    with django_assert_max_num_queries(30):
        client.get(reverse("dashboards:national"))
