"""Monitoring in Chromium: a data reporter submits a quarterly result, an approver approves it,
and the public dashboard of the EEC plan changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import translation
from playwright.sync_api import expect

from phaen.accounts.models import Role
from phaen.kpis.models import Indicator, Target
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan
from tests.conftest import member

EEC_PLAN = "eec-digital-infra-2"
CODE = "eec-digital-workforce-trained"


def thai(message: str) -> str:
    with translation.override("th"):
        return translation.gettext(message)


def test_reporter_submits_approver_approves_public_dashboard_changes(
    live: Any, sign_in_as: Any, console_errors: list[str]
) -> None:
    eeco = Organisation.objects.get(code="eeco")
    plan = Plan.objects.get(code=EEC_PLAN)
    indicator = Indicator.objects.create(
        code=CODE,
        name_th="จำนวนบุคลากรดิจิทัลที่ได้รับการพัฒนาในพื้นที่ EEC",
        plan=plan,
        owner=eeco,
        unit="คน",
        frequency="quarterly",
        measure_type="number",
        aggregation="sum",
    )
    Target.objects.create(
        indicator=indicator,
        fiscal_year=2568,
        area_level="special_zone",
        area_key="Z:eec",
        special_zone_id=plan.special_zone_id,
        value=Decimal(5000),
    )
    reporter = member("eec-reporter", Role.DATA_REPORTER, eeco)
    approver = member("eec-approver", Role.APPROVER, eeco)
    dashboard_url = f"{live.url}/dashboards/plans/{EEC_PLAN}/"
    panel = f"#indicator-{CODE}"

    # The public dashboard knows the target but has no approved result yet
    public = sign_in_as(None)
    public.goto(dashboard_url)
    expect(public.locator(panel)).to_contain_text("5,000")
    expect(public.locator(panel)).not_to_contain_text("1,234")

    # A data reporter of the EEC Office reports the first quarter of FY2568 and submits it
    page = sign_in_as(reporter)
    page.goto(f"{live.url}/indicators/actuals/new/?indicator={CODE}")
    form = page.locator("#actual-form")
    form.locator("input[name=fiscal_year]").fill("2568")
    form.locator("select[name=quarter]").select_option("1")
    form.locator("select[name=area_level]").select_option("special_zone")
    form.locator("select[name=special_zone]").select_option("eec")
    form.locator("input[name=value]").fill("1234")
    page.get_by_role("button", name=thai("Submit for review")).click()
    expect(page.locator("main")).to_contain_text(thai("Submitted"))

    # Submitted is not yet public
    public.goto(dashboard_url)
    expect(public.locator(panel)).not_to_contain_text("1,234")

    # An approver of the EEC Office approves it from the review queue
    review = sign_in_as(approver)
    review.goto(f"{live.url}/indicators/actuals/")
    review.get_by_role("link", name=thai("Approve")).first.click()
    review.locator("main form").get_by_role("button", name=thai("Approve")).click()
    expect(review.locator("main")).to_contain_text(thai("Approved"))

    # The public dashboard now shows the approved result against the target
    public.goto(dashboard_url)
    expect(public.locator(panel)).to_contain_text("1,234")
    expect(public.locator(f"{panel} table")).to_contain_text("2568")
    assert console_errors == []
