"""CSV downloads of every chart, and the dashboards' JSON API: the same numbers as the pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from phaen.kpis.models import ActualStatus, MeasureType
from tests.dashboards import factories as f
from tests.dashboards.test_pages import eec_like  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Thai text as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_plan_indicator_csv_has_the_charted_numbers(client, eec_like):  # noqa: F811
    rows = read_csv(
        client.get(reverse("dashboards:plan_csv", args=["dash-eec-2", "indicator-series"]))
    )

    by_indicator = {row["indicator"]: row for row in rows}
    assert by_indicator["dash-5g"]["actual"] == "95"
    assert by_indicator["dash-5g"]["fiscal_year"] == "2565"
    assert by_indicator["dash-5g"]["plan"] == "dash-eec-1"
    assert by_indicator["dash-investment"]["target"] == "500000000000"
    assert by_indicator["dash-investment"]["actual"] == ""  # unknown, not 0
    assert by_indicator["dash-investment"]["unit"] == "บาท"
    assert "87.65" not in str(rows)  # the submitted actual


def test_one_indicators_csv(client, eec_like):  # noqa: F811
    url = reverse("dashboards:plan_csv", args=["dash-eec-2", "indicator-series"])

    rows = read_csv(client.get(url, {"indicator": "dash-5g"}))

    assert [row["indicator"] for row in rows] == ["dash-5g"]


@pytest.mark.parametrize(
    "chart",
    [
        "indicators",
        "indicator-series",
        "budget-by-strategy",
        "budget-by-year",
        "projects-by-status",
        "element-progress",
    ],
)
def test_every_plan_chart_downloads(client, eec_like, chart):  # noqa: F811
    read_csv(client.get(reverse("dashboards:plan_csv", args=["dash-eec-2", chart])))


@pytest.mark.parametrize(
    "chart",
    [
        "indicators",
        "indicator-series",
        "choropleth",
        "places",
        "budget-by-year",
        "projects-by-status",
    ],
)
def test_every_national_chart_downloads(client, chart):
    read_csv(client.get(reverse("dashboards:national_csv", args=[chart])))


@pytest.mark.parametrize(
    "chart",
    [
        "indicators",
        "indicator-series",
        "projects",
        "projects-by-status",
        "budget-by-year",
        "agreements",
        "zones",
        "centres",
    ],
)
def test_every_province_chart_downloads(client, chart):
    read_csv(client.get(reverse("dashboards:province_csv", args=["40", chart])))


def test_unknown_charts_are_not_found(client, eec_like):  # noqa: F811
    assert client.get(reverse("dashboards:national_csv", args=["nothing"])).status_code == 404
    assert (
        client.get(reverse("dashboards:plan_csv", args=["dash-eec-2", "nothing"])).status_code
        == 404
    )
    assert (
        client.get(reverse("dashboards:province_csv", args=["99", "projects"])).status_code == 404
    )


def test_budget_csv_has_plain_numbers(client):
    project = f.project(provinces=["40"])
    f.budget(project, year=2568, planned="1234567.50", allocated=1_000_000)

    rows = read_csv(client.get(reverse("dashboards:province_csv", args=["40", "budget-by-year"])))

    assert rows == [
        {
            "fiscal_year": "2568",
            "planned": "1234567.5",
            "allocated": "1000000",
            "committed": "0",
            "disbursed": "0",
        }
    ]


@pytest.fixture
def map_indicator():
    rate = f.indicator(code="dash-choropleth", measure_type=MeasureType.PERCENT)
    f.actual(rate, "12.5", year=2568, area="P:10")
    f.actual(rate, 30, year=2568, area="P:40")
    f.actual(rate, 99, year=2568, area="P:50", status=ActualStatus.SUBMITTED)
    f.actual(rate, 55, year=2567, area="P:50")
    return rate


def test_choropleth_api_gives_approved_values_by_province(client, map_indicator):
    response = client.get(
        "/api/dashboards/choropleth", {"indicator": "dash-choropleth", "fiscal_year": 2568}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["values"] == {"10": 12.5, "40": 30}  # 50's value is only submitted
    assert body["fiscal_year"] == 2568
    assert body["fiscal_years"] == [2567, 2568]
    assert len(body["provinces"]) == 77
    by_code = {row["province"]: row for row in body["provinces"]}
    assert by_code["50"]["value"] is None
    assert by_code["50"]["class"] is None


def test_choropleth_csv_matches_the_api(client, map_indicator):
    rows = read_csv(
        client.get(
            reverse("dashboards:national_csv", args=["choropleth"]),
            {"indicator": "dash-choropleth", "fiscal_year": "2567"},
        )
    )

    values = {row["province"]: row["value"] for row in rows if row["value"]}
    assert values == {"50": "55"}
    assert len(rows) == 77


def test_choropleth_api_unknown_indicator(client):
    response = client.get("/api/dashboards/choropleth", {"indicator": "no-such-indicator"})

    assert response.status_code == 404
    assert response.json()["code"] == "indicator_not_found"


def test_plan_api(client, eec_like):  # noqa: F811
    response = client.get("/api/dashboards/plans/dash-eec-2")

    assert response.status_code == 200
    body = response.json()
    assert body["plan"]["predecessors"] == ["dash-eec-1"]
    indicators = {item["code"]: item for item in body["indicators"]}
    assert indicators["dash-5g"]["summary"]["actual"] == 95
    assert indicators["dash-5g"]["plan"] == "dash-eec-1"
    assert indicators["dash-investment"]["summary"]["target"] == 500000000000
    assert indicators["dash-investment"]["summary"]["actual"] is None
    assert indicators["dash-investment"]["summary"]["band"] == "no_data"
    assert client.get("/api/dashboards/plans/no-such-plan").status_code == 404


def test_national_api(client):
    f.pilot_programme()
    response = client.get("/api/dashboards/national")

    assert response.status_code == 200
    body = response.json()
    assert set(f.PILOTS) <= {row["code"] for row in body["pilot_provinces"]}
    assert set(body) >= {
        "indicators",
        "choropleth",
        "places",
        "budget_by_fiscal_year",
        "projects_by_status",
    }


def test_province_api(client):
    f.agreement("40", title_th="บันทึกความเข้าใจ API")
    response = client.get("/api/dashboards/provinces/40")

    assert response.status_code == 200
    titles = [row["title"] for row in response.json()["agreements"]["rows"]]
    assert "บันทึกความเข้าใจ API" in titles
    missing = client.get("/api/dashboards/provinces/99")
    assert missing.status_code == 404
    assert missing.json()["code"] == "province_not_found"
