"""The dashboards in Chromium, under the strict Content-Security-Policy: the charts draw, the map
draws the provinces from the committed boundaries, colours them, and recolours them when the
reader picks another indicator; nothing is refused by the policy.

Browser tests (run with `make test-browser`).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from phaen.kpis.models import MeasureType
from tests.dashboards import factories as f

pytestmark = pytest.mark.browser

PROVINCE_PATHS = "#dashboard-map path.map-province"
HATCH = "url(#dashboard-no-data-hatch)"


def fills(page: Page) -> dict[str, int]:
    """How many map shapes have each fill (colours, the no-data hatch)."""
    return page.evaluate(
        """(selector) => {
            const counts = {};
            for (const path of document.querySelectorAll(selector)) {
                const fill = path.getAttribute('fill');
                counts[fill] = (counts[fill] || 0) + 1;
            }
            return counts;
        }""",
        PROVINCE_PATHS,
    )


def test_the_national_map_colours_provinces_and_follows_the_chosen_indicator(
    page: Page,
    live: Any,
    console_errors: list[str],
) -> None:
    first = f.indicator(code="browser-map-a", name_th="ตัวชี้วัดแผนที่ ก")
    for code, value in (("10", 10), ("40", 20), ("50", 30)):
        f.actual(first, value, year=2568, area=f"P:{code}")
    second = f.indicator(code="browser-map-b", name_th="ตัวชี้วัดแผนที่ ข")
    f.actual(second, 5, year=2567, area="P:83")

    page.goto(f"{live.url}/dashboards/?indicator=browser-map-a")

    expect(page.locator(PROVINCE_PATHS)).to_have_count(77)
    # MoUs, smart city zones and centres of the reference data (Nakhon Ratchasima's, ...).
    expect(page.locator("#dashboard-map path.map-marker").first).to_be_attached()
    counts = fills(page)
    assert counts[HATCH] == 74  # every province but the three
    assert page.locator("#dashboard-no-data-hatch").count() == 1
    # The eight pilot provinces of the reference data are outlined.
    outlined = page.locator(f'{PROVINCE_PATHS}[stroke="#b7791f"][stroke-width="3"]')
    expect(outlined).to_have_count(8)
    # The charts of the page are drawn too.
    expect(page.locator("[data-chart-drawn] canvas").first).to_be_visible()

    page.select_option("#choropleth-indicator", "browser-map-b")

    expect(page.locator("#choropleth-title")).to_contain_text("ตัวชี้วัดแผนที่ ข")
    page.wait_for_function(
        """([selector, hatch]) => [...document.querySelectorAll(selector)]
            .filter(p => p.getAttribute('fill') === hatch).length === 76""",
        arg=[PROVINCE_PATHS, HATCH],
    )
    assert "indicator=browser-map-b" in page.url
    assert console_errors == []


def test_the_eec_dashboard_draws_its_charts(
    page: Page,
    live: Any,
    console_errors: list[str],
) -> None:
    f.indicator(code="browser-unused", measure_type=MeasureType.PERCENT)

    page.goto(f"{live.url}/dashboards/plans/eec-digital-infra-2/")

    coverage = page.locator("#indicator-eec-5g-coverage")
    expect(coverage.locator("[data-chart-drawn] canvas")).to_be_visible()
    expect(coverage.locator("table")).to_contain_text("95%")
    investment = page.locator("#indicator-eec-investment")
    expect(investment.locator("[data-chart-drawn] canvas")).to_be_visible()
    expect(investment.locator("table")).to_contain_text("500,000,000,000")
    assert console_errors == []


def test_a_province_dashboard_zooms_to_its_province(
    page: Page,
    live: Any,
    console_errors: list[str],
) -> None:
    page.goto(f"{live.url}/dashboards/provinces/40/")

    expect(page.locator(PROVINCE_PATHS).first).to_be_attached()
    assert fills(page).get("#3182bd") == 1  # Khon Kaen itself
    assert console_errors == []
