"""The dashboard pages: what a reader sees on the national, plan and province dashboards."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from phaen.kpis.models import ActualStatus, MeasureType
from tests.dashboards import factories as f
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db


def no_data_text() -> str:
    with translation.override("th"):
        return translation.gettext("No data")


def island(content: str, element_id: str) -> Any:
    match = re.search(
        rf'<script id="{re.escape(element_id)}" type="application/json">(.*?)</script>',
        content,
        re.S,
    )
    assert match, f"no data island #{element_id}"
    return json.loads(match.group(1))


@pytest.fixture
def eec_like() -> dict[str, Any]:
    """Two editions of a zone plan: phase 1 reported 95 % 5G coverage, phase 2 aims at 500
    billion baht of investment by FY2570 (with nothing approved yet)."""
    phase1 = f.zone_plan(code="dash-eec-1", name_th="แผน EEC ทดสอบ ระยะที่ 1", phase=1)
    phase2 = f.zone_plan(
        code="dash-eec-2", name_th="แผน EEC ทดสอบ ระยะที่ 2", phase=2, predecessor=phase1
    )
    coverage = f.indicator(
        phase1,
        code="dash-5g",
        name_th="ความครอบคลุม 5G ทดสอบ",
        unit="ร้อยละ",
        measure_type=MeasureType.PERCENT,
        aggregation="latest",
    )
    f.actual(coverage, 95, year=2565, area="Z:eec")
    # Reported but not approved: must never appear on a public dashboard.
    f.actual(coverage, "87.65", year=2566, area="Z:eec", status=ActualStatus.SUBMITTED)
    investment = f.indicator(
        phase2,
        code="dash-investment",
        name_th="การลงทุนทดสอบ",
        unit="บาท",
        measure_type=MeasureType.MONEY,
        cumulative=True,
    )
    f.target(investment, 500_000_000_000, year=2570, area="Z:eec")
    return {"phase1": phase1, "phase2": phase2, "coverage": coverage, "investment": investment}


def test_plan_dashboard_shows_the_predecessors_indicator_and_the_money_target(client, eec_like):
    response = client.get(reverse("dashboards:plan", args=["dash-eec-2"]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "ความครอบคลุม 5G ทดสอบ" in content  # phase 1's indicator, on phase 2's dashboard
    assert "การลงทุนทดสอบ" in content
    assert "95%" in content
    assert "500,000,000,000 บาท" in content
    assert "87.65" not in content  # the submitted actual
    # Both charts have their data islands, with the same numbers as the tables.
    coverage = island(content, "chart-indicator-dash-5g-data")
    assert coverage["kind"] == "target_actual"
    assert coverage["categories"] == ["2565"]
    assert coverage["series"][1]["data"] == [95]
    investment = island(content, "chart-indicator-dash-investment-data")
    assert investment["series"][0]["data"] == [500000000000]
    assert investment["series"][1]["data"] == [None]  # no actual: a gap, never 0


def test_an_unknown_value_reads_no_data_never_zero(client, eec_like):
    response = client.get(reverse("dashboards:plan", args=["dash-eec-2"]))

    content = response.content.decode()
    table = content.split('id="table-indicator-dash-investment"')[1].split("</table>")[0]
    assert f'<span class="no-data">{no_data_text()}</span>' in table
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table, re.S)
    assert "0" not in [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    assert "0 บาท" not in [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_plan_dashboard_labels_indicators_by_edition(client, eec_like):
    dashboard = client.get(reverse("dashboards:plan", args=["dash-eec-2"])).context["dashboard"]

    assert [group.plan.code for group in dashboard.groups] == ["dash-eec-2", "dash-eec-1"]
    assert [p.indicator.code for p in dashboard.groups[0].panels] == ["dash-investment"]
    assert [p.indicator.code for p in dashboard.groups[1].panels] == ["dash-5g"]
    assert dashboard.groups[1].panels[0].area.key == "Z:eec"


def test_a_draft_plan_has_no_public_dashboard(client):
    draft = PlanFactory(code="dash-draft")

    assert client.get(reverse("dashboards:plan", args=[draft.code])).status_code == 404
    assert client.get(reverse("dashboards:plan", args=["no-such-plan"])).status_code == 404


def test_plan_dashboard_budget_by_strategy_and_projects(client, eec_like):
    plan = eec_like["phase2"]
    first, second = f.strategy(plan, 1), f.strategy(plan, 2)
    shared = f.project(status="in_progress")
    f.align(shared, first)
    f.align(shared, second)
    only_first = f.project(status="planned")
    f.align(only_first, first)
    f.budget(shared, year=2568, planned=1_000_000)
    f.budget(only_first, year=2568, planned=250_000, allocated=200_000)

    response = client.get(reverse("dashboards:plan", args=[plan.code]))

    dashboard = response.context["dashboard"]
    by_strategy = {(r["element"], r["fiscal_year"]): r for r in dashboard.budget_by_strategy.rows}
    assert by_strategy[(first.code, 2568)]["planned"] == 1_250_000
    assert by_strategy[(second.code, 2568)]["planned"] == 1_000_000
    assert dashboard.budget_by_year.rows[0]["planned"] == 1_250_000
    counts = {row["status"]: row["projects"] for row in dashboard.projects_by_status.rows}
    assert counts["in_progress"] == 1 and counts["planned"] == 1
    assert "1,250,000" in response.content.decode()


def test_national_dashboard_colours_provinces_and_outlines_the_pilots(client):
    f.pilot_programme()
    rate = f.indicator(code="dash-rate", name_th="อัตราทดสอบ", measure_type=MeasureType.PERCENT)
    f.actual(rate, 40, year=2568, area="P:40")
    f.actual(rate, 80, year=2568, area="P:10")
    f.agreement("30")
    f.zone("40")
    f.centre("50")

    response = client.get(reverse("dashboards:national"), {"indicator": "dash-rate"})

    assert response.status_code == 200
    content = response.content.decode()
    colours = island(content, "choropleth-data")
    assert colours["values"]["10"]["class"] == 4  # the highest value: the darkest class
    assert colours["values"]["40"]["class"] == 0
    assert colours["values"]["65"]["class"] is None  # no approved value
    assert colours["values"]["65"]["text"] == no_data_text()
    places = island(content, "map-data")
    assert set(f.PILOTS) <= set(places["pilots"])
    by_province = {place["province"]: place for place in places["places"]}
    assert by_province["30"]["agreements"] >= 1
    assert by_province["40"]["zones"] >= 1
    assert by_province["50"]["centres"] >= 1
    assert places["boundaries"].endswith("dashboards/geo/th_adm1.geojson")
    pilots = content.split('id="pilot-provinces"')[1].split("</ul>")[0]
    assert "ขอนแก่น" in pilots and "เชียงใหม่" in pilots
    assert no_data_text() in content.split('id="choropleth-panel"')[1]  # the legend


def test_choosing_another_indicator_swaps_only_the_choropleth_panel(client):
    one = f.indicator(code="dash-map-a")
    two = f.indicator(code="dash-map-b")
    f.actual(one, 1, year=2567, area="P:40")
    f.actual(two, 2, year=2568, area="P:41")

    response = client.get(
        reverse("dashboards:national"),
        {"indicator": two.code, "fiscal_year": "2567"},  # a year `two` has no value in
        headers={"HX-Request": "true", "HX-Target": "choropleth-panel"},
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="choropleth-panel"')
    assert "<html" not in content
    colours = island(content, "choropleth-data")
    assert colours["indicator"] == "dash-map-b"
    assert colours["fiscalYear"] == 2568  # its latest year instead
    assert colours["values"]["41"]["value"] == 2


def test_national_dashboard_headlines_have_status_bands(client):
    national = f.indicator(code="dash-headline", plan=None)
    f.target(national, 100, year=2568)
    f.actual(national, 95, year=2568)

    content = client.get(reverse("dashboards:national")).content.decode()

    assert "badge--band-on_track" in content
    table = content.split('id="table-indicators"')[1].split("</table>")[0]
    assert "dash-headline" in content or "ตัวชี้วัดแดชบอร์ด" in table


def test_province_dashboard_lists_what_is_in_the_province(client):
    f.pilot_programme()
    rate = f.indicator(code="dash-province-rate", measure_type=MeasureType.PERCENT)
    f.actual(rate, "62.5", year=2568, area="P:40")
    f.target(rate, 70, year=2568, area="P:40")
    f.actual(rate, 90, year=2568, area="P:10")  # another province
    f.project(name_th="โครงการในขอนแก่น", provinces=["40"], status="in_progress")
    f.agreement("40", title_th="บันทึกความเข้าใจขอนแก่นทดสอบ")
    f.zone("40", name_th="ขอนแก่นเมืองอัจฉริยะทดสอบ")
    f.centre("40", name_th="ศูนย์ดิจิทัลชุมชนขอนแก่นทดสอบ")

    response = client.get(reverse("dashboards:province", args=["40"]))

    assert response.status_code == 200
    content = response.content.decode()
    for text in (
        "62.5%",
        "โครงการในขอนแก่น",
        "บันทึกความเข้าใจขอนแก่นทดสอบ",
        "ขอนแก่นเมืองอัจฉริยะทดสอบ",
        "ศูนย์ดิจิทัลชุมชนขอนแก่นทดสอบ",
    ):
        assert text in content
    assert "90%" not in content
    assert island(content, "map-data")["focus"] == "40"
    assert "40" in island(content, "map-data")["pilots"]
    assert client.get(reverse("dashboards:province", args=["99"])).status_code == 404


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("dashboards:national", []),
        ("dashboards:plan", ["dash-eec-2"]),
        ("dashboards:province", ["40"]),
    ],
)
def test_pages_have_no_inline_script_or_style(client, eec_like, name, args):
    content = client.get(reverse(name, args=args)).content.decode()

    assert " style=" not in content
    for tag in re.findall(r"<script[^>]*>", content):
        assert " src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/echarts/echarts.min.js" in content
    assert "phaen/css/dashboards.css" in content


def test_every_chart_has_a_table_and_a_csv_link(client, eec_like):
    content = client.get(reverse("dashboards:plan", args=["dash-eec-2"])).content.decode()

    figures = content.split('<figure class="dashboard-chart"')[1:]
    assert len(figures) >= 6
    for figure in figures:
        figure = figure.split("</figure>")[0]
        assert "<table" in figure
        assert ".csv" in figure and " download>" in figure
