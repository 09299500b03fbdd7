"""Participation in Chromium: a member of the public comments on a strategy of the EEC draft
with a stance and sees the comment listed; the organiser groups it, answers the group, closes
the hearing and publishes the summary; the commenter's private page then shows the answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from phaen.accounts.models import Role
from phaen.consultation import services
from phaen.consultation.models import Comment, Hearing, HearingStatus, Response
from phaen.plans.models import Plan
from phaen.plans.permissions import SYSTEM
from tests.conftest import member

EEC_PLAN = "eec-digital-infra-2"
STRATEGY = "eec2-a1"  # the plan's first approach (its strategies are called แนวทาง)
CODE = "eec-phase-2-browser-hearing"
BODY = "ควรขยายโครงข่ายไฟเบอร์ออปติกไปยังชุมชนรอบนิคมอุตสาหกรรมในจังหวัดระยองให้ทั่วถึง"
GROUP = "โครงข่ายในชุมชนรอบนิคม"
REASON = "เห็นด้วย จะเพิ่มเป้าหมายการขยายโครงข่ายในชุมชนรอบนิคมอุตสาหกรรมไว้ในแผนฉบับปรับปรุง"


def thai(message: str) -> str:
    with translation.override("th"):
        return translation.gettext(message)


def open_hearing() -> Hearing:
    plan = Plan.objects.select_related("owner").get(code=EEC_PLAN)
    now = timezone.now()
    hearing, _warnings = services.hearing_create(
        actor=SYSTEM,
        code=CODE,
        title_th="รับฟังความคิดเห็นร่างแผนปฏิบัติการฯ EEC ระยะที่ 2 (ทดสอบในเบราว์เซอร์)",
        plan=plan,
        organiser=plan.owner,
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=20),
    )
    return services.hearing_open(actor=SYSTEM, hearing=hearing)


def comment_as_public(page: Page, url: str) -> str:
    """Comment on the strategy with a stance; return the private link the page shows once."""
    page.goto(url)
    strategy = page.locator(f"#element-{STRATEGY}")
    strategy.locator(":scope > details > summary").click()
    form = page.locator(f"#comment-form-{STRATEGY}")
    form.get_by_label(thai("Oppose")).check()
    form.get_by_label(thai("Your comment")).fill(BODY)
    form.locator("input[name=consent]").check()
    form.get_by_role("button", name=thai("Send my comment")).click()
    posted = page.locator(".comment-posted")
    expect(posted).to_contain_text(thai("Thank you. Your comment was published."))
    expect(posted).to_contain_text(BODY)
    return posted.locator("a[rel=noreferrer]").get_attribute("href") or ""


def test_public_comment_is_grouped_answered_and_summarised(live: Any, sign_in_as: Any) -> None:
    hearing = open_hearing()
    url = f"{live.url}/consultation/{CODE}/"
    public = sign_in_as(None)
    errors: list[str] = []
    public.on("pageerror", lambda exc: errors.append(str(exc)))

    private_link = comment_as_public(public, url)
    assert private_link
    comment = Comment.objects.get(hearing=hearing, body=BODY)
    assert comment.stance == "oppose"
    assert comment.element_code == STRATEGY

    # Reloaded, the public page lists the comment under the strategy with its stance
    public.goto(url)
    strategy_comments = public.locator(f"#element-{STRATEGY} > ul")
    expect(strategy_comments).to_contain_text(BODY)
    expect(strategy_comments).to_contain_text(thai("Oppose"))

    # The organiser (a planner of MDES, which owns the plan) makes a group of the comment
    planner = member("mdes-hearing-planner", Role.PLANNER, hearing.organiser)
    staff = sign_in_as(planner)
    staff.goto(f"{url}groups/")
    free = staff.locator("article", has=staff.locator(f"input[value='{comment.pk}']"))
    free.locator(f"input[value='{comment.pk}']").check()
    free.locator("summary", has_text=thai("With the ticked comments…")).click()
    free.get_by_label(thai("New group's name")).fill(GROUP)
    free.get_by_role("button", name=thai("Make a group of the ticked comments")).click()
    expect(staff.locator("#main")).to_contain_text(GROUP)
    comment.refresh_from_db()
    assert comment.group is not None and comment.group.name == GROUP

    # … answers the group from its card …
    staff.locator(f"#group-{comment.group.pk}").get_by_role(
        "link", name=thai("Answer the group")
    ).click()
    staff.get_by_label(thai("Decision")).select_option("accepted")
    staff.get_by_label(thai("Reason")).fill(REASON)
    staff.get_by_label(thai("Change made")).fill("เพิ่มเป้าหมายโครงข่ายในชุมชนรอบนิคม")
    staff.get_by_role("button", name=thai("Save the answer")).click()
    expect(staff.locator("#main")).to_contain_text(REASON)
    assert Response.objects.filter(group=comment.group, decision="accepted").exists()

    # … closes the hearing and publishes its summary
    staff.goto(f"{url}manage/")
    staff.get_by_role("link", name=thai("Close the hearing")).click()
    staff.locator("main form").get_by_role("button", name=thai("Close the hearing")).click()
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.CLOSED
    staff.goto(f"{url}manage/")
    staff.get_by_role("link", name=thai("Publish the summary")).click()
    staff.get_by_label(thai("Summary")).fill(
        "มีผู้แสดงความคิดเห็นทางออนไลน์ 1 ราย ผู้จัดรับข้อเสนอเรื่องโครงข่ายในชุมชนรอบนิคม"
    )
    staff.locator("main form").get_by_role("button", name=thai("Publish the summary")).click()
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.SUMMARISED

    # The public page shows the published summary; the commenter's private page, the answer
    public.goto(url)
    expect(public.locator("main")).to_contain_text("ผู้จัดรับข้อเสนอเรื่องโครงข่ายในชุมชนรอบนิคม")

    # … with its summary report: counts by stance, the group with its answer, and downloads
    public.get_by_role("link", name=thai("Read the summary report (web, PDF, Word)")).click()
    report = public.locator("main")
    expect(report.locator("[data-count='stance-oppose']")).to_have_text("1")
    expect(report.locator(f"[data-count='element-{STRATEGY}']")).to_have_text("1")
    expect(report).to_contain_text(GROUP)
    expect(report).to_contain_text(REASON)
    with public.expect_download() as download:
        public.locator("a[href$='/summary/pdf/']").first.click()
    assert download.value.suggested_filename == f"{CODE}-summary.pdf"
    public.goto(private_link)
    answer = public.locator("main")
    expect(answer).to_contain_text(BODY)
    expect(answer).to_contain_text(thai("Accepted"))
    expect(answer).to_contain_text(REASON)
    expect(answer).to_contain_text(GROUP)
    assert errors == []
