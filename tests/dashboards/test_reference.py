"""The acceptance test on the reference data: the EEC plan's dashboard shows 5G coverage (95 %)
and the investment target (500 billion baht) in a chart and a table; the national map has the
eight pilot provinces."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from phaen.projects.models import AreaProgrammeKind, ProgrammeProvince

pytestmark = pytest.mark.django_db

EEC_PHASE_2 = "eec-digital-infra-2"
ISLAND = r'<script id="{id}" type="application/json">(.*?)</script>'


def test_the_eec_dashboard_shows_5g_coverage_and_the_investment_target(client):
    response = client.get(reverse("dashboards:plan", args=[EEC_PHASE_2]))

    assert response.status_code == 200
    content = response.content.decode()
    # In the tables (the 5G indicator belongs to phase 1, the plan's predecessor).
    coverage = content.split('id="table-indicator-eec-5g-coverage"')[1].split("</table>")[0]
    assert "95%" in coverage
    investment = content.split('id="table-indicator-eec-investment"')[1].split("</table>")[0]
    assert "500,000,000,000 บาท" in investment
    # And in the charts' data islands.
    islands = dict(
        re.findall(
            r'<script id="(chart-indicator-[^"]+)" type="application/json">(.*?)</script>',
            content,
            re.S,
        )
    )
    assert json.loads(islands["chart-indicator-eec-5g-coverage-data"])["series"][1]["data"] == [95]
    assert json.loads(islands["chart-indicator-eec-investment-data"])["series"][0]["data"] == [
        500000000000
    ]


def test_the_eec_indicators_download_as_csv(client):
    response = client.get(reverse("dashboards:plan_csv", args=[EEC_PHASE_2, "indicator-series"]))

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = {(row["indicator"], row["fiscal_year"]): row for row in rows}
    assert values[("eec-5g-coverage", "2565")]["actual"] == "95"
    assert values[("eec-investment", "2570")]["target"] == "500000000000"


def test_the_national_map_shows_the_eight_pilot_provinces(client):
    pilots = set(
        ProgrammeProvince.objects.filter(
            programme__kind=AreaProgrammeKind.PILOT_PROVINCES
        ).values_list("province__code", flat=True)
    )
    assert len(pilots) == 8

    content = client.get(reverse("dashboards:national")).content.decode()

    island = re.search(
        r'<script id="map-data" type="application/json">(.*?)</script>', content, re.S
    )
    assert set(json.loads(island.group(1))["pilots"]) == pilots


def test_the_national_map_colours_provinces_by_a_sourced_indicator(client):
    """With the reference data alone, the map is coloured by the model digital community
    centres ONDE equipped (seed 004), and outlines the eight pilot provinces."""
    page = client.get(reverse("dashboards:national"))
    api = client.get("/api/dashboards/choropleth").json()

    assert page.status_code == 200
    assert api["indicator"]["code"] == "onde-model-community-centres"
    assert {row["province"] for row in api["provinces"] if row["value"] is not None} == {
        "12",
        "22",
        "70",
    }
    assert "จำนวนศูนย์ดิจิทัลชุมชนต้นแบบที่ได้รับมอบครุภัณฑ์" in page.content.decode()
