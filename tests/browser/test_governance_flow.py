"""Governance in Chromium: a Khon Kaen planner drafts and submits, the committee approves.

The public page then shows the new version; the planner of another province cannot edit.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from playwright.sync_api import expect

from phaen.accounts.models import Role
from phaen.plans import selectors
from phaen.plans.models import PlanStatus
from tests.conftest import member

KK_PLAN = "digital-economy-khon-kaen-2565-2569"
NEW_STRATEGY = "ยกระดับโครงสร้างพื้นฐานดิจิทัลของจังหวัดขอนแก่น"


def thai(message: str) -> str:
    with translation.override("th"):
        return translation.gettext(message)


def test_planner_submits_committee_approves_public_sees_new_version(live: Any, sign_in_as: Any):
    plan = selectors.plan_get(KK_PLAN)
    planner = member("kk-planner", Role.PLANNER, plan.owner)
    approver = member(
        "kk-committee", Role.APPROVER, selectors.resolve_codes(owner="kbj-40")["owner"]
    )
    other = member(
        "cm-planner", Role.PLANNER, selectors.resolve_codes(owner="province-office-50")["owner"]
    )
    plan_url = f"{live.url}/plans/{KK_PLAN}/"

    # A Khon Kaen planner adds a strategy to the draft and submits it to the committee
    page = sign_in_as(planner)
    page.goto(plan_url)
    page.get_by_role("link", name=thai("Add element")).first.click()
    page.get_by_label(thai("Kind")).select_option("strategy")
    page.get_by_label(thai("Number")).fill("1")
    page.get_by_label(thai("Thai title")).fill(NEW_STRATEGY)
    page.get_by_role("button", name=thai("Add the element")).click()
    expect(page.get_by_text(NEW_STRATEGY).first).to_be_visible()
    page.get_by_role("link", name=thai("Submit for approval")).click()
    page.locator("select[name=deciding_organisation]").select_option("kbj-40")
    page.get_by_role("button", name=thai("Submit for approval")).click()
    expect(page.get_by_role("link", name=thai("Withdraw"))).to_be_visible()

    # Before approval, the public still sees version 1 without the new strategy
    public = sign_in_as(None)
    public.goto(plan_url)
    expect(public.locator("main")).not_to_contain_text(NEW_STRATEGY)

    # A member of the Khon Kaen committee approves it with the meeting's resolution
    committee = sign_in_as(approver)
    committee.goto(plan_url)
    committee.get_by_role("link", name=thai("Approve")).click()
    committee.get_by_label(thai("Decision date")).fill("2026-11-20")
    committee.get_by_label(thai("Resolution or meeting number")).fill("ก.บ.จ. 3/2569")
    committee.get_by_role("button", name=thai("Approve")).click()
    expect(committee.locator("main")).to_contain_text("ก.บ.จ. 3/2569")

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert [v.number for v in selectors.version_list(plan)] == [2, 1]

    # The public page now shows version 2 with the new strategy
    public.goto(plan_url)
    expect(public.locator("main")).to_contain_text(NEW_STRATEGY)
    expect(public.get_by_role("status")).to_contain_text("2")

    # The planner of another province sees no edit controls and is refused at the form
    stranger = sign_in_as(other)
    stranger.goto(plan_url)
    expect(stranger.get_by_role("link", name=thai("Add element"))).to_have_count(0)
    response = stranger.goto(f"{live.url}/plans/{KK_PLAN}/elements/new/")
    assert response is not None and response.status == 403
