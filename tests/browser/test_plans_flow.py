"""A planner's walk through the plan pages in Chromium: find a plan, outline it, align it.

Set PHAEN_SCREENSHOTS to a folder (e.g. /tmp) to keep screenshots of the plan page and the
alignment matrix, for checking the Thai layout by eye.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import Page, expect

from phaen.accounts.models import Membership, Role
from phaen.plans.models import AlignmentLink, Plan, PlanElement, PlanKind

# Reference data (phaen/plans/reference/): the master plan on infrastructure, logistics and
# digital, whose whole plan serves the National Strategy on competitiveness; and a level-3
# plan of the EEC, which a provincial plan may not serve (same level, not a programme).
MASTER_PLAN = "master-plan-07"
MASTER_ISSUE = "mp-07"
SAME_LEVEL_PLAN = "eec-digital-infra-2"
SAME_LEVEL_ELEMENT = "eec2-a1"
NATIONAL_STRATEGY_ELEMENT = "ns-2"
SCREENSHOTS = os.environ.get("PHAEN_SCREENSHOTS")


def thai(message: str) -> str:
    with translation.override("th"):
        return translation.gettext(message)


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"phaen-{name}.png"), full_page=True)


def unexpected(errors: list[str]) -> list[str]:
    """Leave out the browser's own note on a refused form (htmx swaps 422 answers in)."""
    return [e for e in errors if "status of 422" not in e]


def settled(page: Page) -> None:
    """Wait until htmx has swapped and settled, so new content reacts to the next event."""
    # A locator wait, not wait_for_function: evaluating a string is eval, which the CSP forbids.
    expect(
        page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
    ).to_have_count(0)


def khon_kaen() -> Plan:
    return Plan.objects.get(
        kind=PlanKind.PROVINCIAL, provinces__code="40", name_th__contains="ขอนแก่น"
    )


def test_planner_finds_outlines_and_aligns_the_khon_kaen_plan(
    page: Page,
    live: Any,
    signed_in_page: Callable[..., Page],
    console_errors: list[str],
) -> None:
    plan = khon_kaen()
    master_issue = PlanElement.objects.select_related("plan").get(code=MASTER_ISSUE)
    national = PlanElement.objects.get(code=NATIONAL_STRATEGY_ELEMENT)

    # Given a visitor on the plan browser
    page.goto(f"{live.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "th")

    # When they search in Thai
    page.locator("#id_q").fill("ขอนแก่น")
    page.locator("#id_q").press("Enter")

    # Then htmx brings the Khon Kaen plan into the results and the address keeps the search
    results = page.locator("#plan-results")
    expect(results.get_by_role("link", name=plan.name_th)).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=%E0%B8%82"))
    screenshot(page, "plan-list")

    # When they open it
    results.get_by_role("link", name=plan.name_th).click()

    # Then the plan page says plainly that its contents are not recorded yet
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.name_th)
    expect(page.locator("main")).to_contain_text(thai("Details not yet recorded"))
    expect(page.locator(f"a[href='/plans/{plan.code}/edit/']")).to_have_count(0)

    # When a planner signs in and adds the first strategy
    signed_in_page(username="khon-kaen-planner")
    Membership.objects.create(
        user=get_user_model().objects.get(username="khon-kaen-planner"),
        organisation=plan.owner,
        role=Role.PLANNER,
    )
    page.reload()
    page.locator(f"main .page-header a[href='/plans/{plan.code}/elements/new/']").click()
    page.locator("#id_kind").select_option("strategy")
    page.locator("#id_number").fill("1")
    page.locator("#id_label_th").fill("ยุทธศาสตร์")
    page.locator("#id_title_th").fill("ยกระดับโครงสร้างพื้นฐานดิจิทัลของจังหวัดขอนแก่น")
    page.locator("#element-form button[type=submit]").click()

    # Then the plan page shows it in the outline, with a message saying it was added
    page.wait_for_url(re.compile(rf"/plans/{plan.code}/#element-"))
    strategy = PlanElement.objects.get(plan=plan, number="1")
    item = page.locator(f"#element-{strategy.code}")
    expect(item).to_contain_text("ยกระดับโครงสร้างพื้นฐานดิจิทัลของจังหวัดขอนแก่น")
    expect(page.locator("#messages .message--success")).to_be_visible()

    # When they link it up to the master plan's issue, choosing the plan first
    item.locator(f"a[href$='links/new/?source={strategy.code}']").click()
    expect(page.locator("#id_source_element")).to_have_value(strategy.code)
    page.locator("#id_target_plan").select_option(MASTER_PLAN)
    expect(page.locator(f"#id_target_element option[value='{MASTER_ISSUE}']")).to_be_attached()
    settled(page)
    page.locator("#id_target_element").select_option(MASTER_ISSUE)

    # Then the inline check approves the link before it is saved
    expect(page.locator("#link-check")).to_contain_text(
        thai("This link follows the alignment rules.")
    )
    assert not AlignmentLink.objects.filter(source_element=strategy).exists()
    settled(page)
    page.locator("#link-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/plans/{plan.code}/#element-{strategy.code}"))
    expect(page.locator(f"#element-{strategy.code}")).to_contain_text(master_issue.title_th)
    screenshot(page, "plan-page")

    # When they open the chain of the new strategy
    page.goto(f"{live.url}/elements/{strategy.code}/chain/")

    # Then it climbs through the master plan to the National Strategy
    main = page.locator("main")
    expect(main).to_contain_text(master_issue.title_th)
    expect(main).to_contain_text(national.title_th)
    expect(main.locator(".message--success")).to_contain_text(
        thai("Reaches the National Strategy.")
    )
    screenshot(page, "chain")

    # When they try to link the strategy to an action plan of the same level
    links_before = AlignmentLink.objects.count()
    page.goto(f"{live.url}/plans/{plan.code}/links/new/?source={strategy.code}")
    page.locator("#id_target_plan").select_option(SAME_LEVEL_PLAN)
    expect(
        page.locator(f"#id_target_element option[value='{SAME_LEVEL_ELEMENT}']")
    ).to_be_attached()
    settled(page)
    page.locator("#id_target_element").select_option(SAME_LEVEL_ELEMENT)

    # Then the rule is shown next to the field at once, and nothing is written
    error = page.locator("#id_target_element_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("3")
    expect(page.locator("#id_target_element")).to_have_attribute("aria-invalid", "true")
    assert AlignmentLink.objects.count() == links_before
    screenshot(page, "link-refused")

    # and submitting anyway keeps the planner on the form with the same message
    settled(page)
    page.locator("#link-form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(page.locator("#id_target_element_error")).to_be_visible()
    assert page.url.endswith(f"/plans/{plan.code}/links/new/?source={strategy.code}")
    assert AlignmentLink.objects.count() == links_before
    assert unexpected(console_errors) == []


def test_matrix_of_a_plan_with_links_shows_a_legend_and_marked_cells(
    page: Page, live: Any, console_errors: list[str]
) -> None:
    # Given the EEC digital infrastructure plan, whose approaches serve the national DE plan
    page.goto(f"{live.url}/plans/{SAME_LEVEL_PLAN}/matrix/?higher=de-policy-plan&depth=0")

    # Then the matrix marks direct and supporting cells with a symbol and a word
    table = page.locator("table.matrix")
    expect(table).to_be_visible()
    expect(table.locator("td", has_text=thai("Direct")).first).to_be_visible()
    expect(table.locator("td", has_text=thai("Supporting")).first).to_be_visible()
    expect(page.get_by_role("list", name=thai("Legend"))).to_be_visible()
    screenshot(page, "matrix")

    # and the national plan's gaps name the level-3 plans that serve each strategy
    page.goto(f"{live.url}/plans/de-policy-plan/gaps/?level=3")
    served = page.locator("#gaps-served").locator("xpath=..")
    expect(served.locator(f"a[href^='/plans/{SAME_LEVEL_PLAN}/']").first).to_be_visible()
    screenshot(page, "gaps")
    assert unexpected(console_errors) == []
