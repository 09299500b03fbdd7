"""The hearing pages: the list, a hearing's page with its comments and counts, commenting with
and without JavaScript, the author's private page, and the staff's moderation, steps, forms."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phaen.consultation import services
from phaen.consultation.models import Comment, CommentStatus, Hearing, HearingStatus
from phaen.core.models import AuditRecord
from phaen.plans.permissions import SYSTEM
from tests.conftest import member, signed_in
from tests.consultation.hearing_fixtures import (  # noqa: F401
    EEC_CHILD,
    EEC_ELEMENT,
    clear_rate_limits,
    make_hearing,
    organisation,
    planner_of,
    post,
)

pytestmark = pytest.mark.django_db


def detail_url(hearing: Hearing) -> str:
    return reverse("consultation:hearing_detail", args=[hearing.code])


def comment_url(hearing: Hearing) -> str:
    return reverse("consultation:comment_create", args=[hearing.code])


def counts_on(html: str) -> dict[str, int]:
    """The numbers of the page's counts box, by their data-count names."""
    return {name: int(value) for name, value in re.findall(r'data-count="([\w-]+)">(\d+)<', html)}


def form_data(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "element_code": EEC_ELEMENT,
        "stance": "support",
        "body": "เห็นด้วยกับการยกระดับโครงข่ายในนิคมอุตสาหกรรม",
        "consent": "on",
        "website": "",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# --- The list ----------------------------------------------------------------------------------


def test_the_public_list_shows_open_hearings_not_scheduled_ones():
    open_one = make_hearing(title_th="รับฟังร่างแผนที่เปิดอยู่")
    scheduled = make_hearing(opened=False, title_th="รับฟังร่างแผนที่ยังไม่เปิด")

    public = (
        Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("consultation:hearing_list")).content.decode()
    )
    assert open_one.title_th in public and scheduled.title_th not in public

    staff = signed_in(planner_of("mdes")).get(reverse("consultation:hearing_list"))
    assert scheduled.title_th in staff.content.decode()

    filtered = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("consultation:hearing_list"), {"status": "closed"}
    )
    assert open_one.title_th not in filtered.content.decode()


@pytest.mark.parametrize("count", [2, 8])
def test_the_list_runs_a_fixed_number_of_queries(count, django_assert_num_queries):
    for _ in range(count):
        post(make_hearing())
    # the organiser filter's choices, the count, the page of hearings with their comment counts
    with django_assert_num_queries(3):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("consultation:hearing_list"))
    assert response.status_code == 200


# --- A hearing's page ---------------------------------------------------------------------------


def test_the_public_reads_published_comments_and_only_the_names_people_chose_to_show():
    hearing = make_hearing(moderation=True)
    shown, _ = post(hearing, author_name="สมศรี เปิดเผย", show_identity=True, email="a@example.org")
    services.comment_moderate(actor=SYSTEM, comment=shown, action="publish")
    private, _ = post(hearing, author_name="สมชาย ไม่เปิดเผย", author_organisation="บริษัทลับ")
    services.comment_moderate(actor=SYSTEM, comment=private, action="publish")
    pending, _ = post(hearing, body="ความเห็นที่ยังรอตรวจ")
    hidden, _ = post(hearing, body="ข้อความโฆษณาขายของ")
    services.comment_moderate(actor=SYSTEM, comment=hidden, action="hide", reason="spam")

    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(hearing)).content.decode()

    assert shown.body in html and "สมศรี เปิดเผย" in html
    assert private.body in html and "สมชาย ไม่เปิดเผย" not in html and "บริษัทลับ" not in html
    assert pending.body not in html and hidden.body not in html
    assert "a@example.org" not in html
    counts = counts_on(html)
    assert counts["comments"] == 3  # published and pending, not hidden
    assert counts["commenters"] == 3

    staff = signed_in(planner_of("mdes")).get(detail_url(hearing)).content.decode()
    assert pending.body in staff and hidden.body in staff and "สมชาย ไม่เปิดเผย" in staff
    assert "a@example.org" not in staff


def test_a_scheduled_hearing_is_unknown_to_the_public():
    hearing = make_hearing(opened=False)
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(hearing)).status_code == 404
    assert signed_in(planner_of("mdes")).get(detail_url(hearing)).status_code == 200
    auditor = member("consult-auditor", "auditor", organisation("depa"))
    assert signed_in(auditor).get(detail_url(hearing)).status_code == 200


def test_a_view_is_counted_once_per_session():
    hearing = make_hearing()
    first, second = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")

    first.get(detail_url(hearing))
    first.get(detail_url(hearing))
    page = second.get(detail_url(hearing)).content.decode()

    hearing.refresh_from_db()
    assert hearing.online_views == 2
    assert counts_on(page)["online_views"] == 2


def test_the_page_runs_the_same_number_of_queries_whatever_the_number_of_comments():
    def queries(hearing: Hearing) -> int:
        viewer = Client(HTTP_ACCEPT_LANGUAGE="en")
        viewer.get(detail_url(hearing))  # the first view counts the view and starts a session
        with CaptureQueriesContext(connection) as captured:
            assert viewer.get(detail_url(hearing)).status_code == 200
        return len(captured)

    small = make_hearing()
    post(small)
    large = make_hearing()
    for n in range(12):
        comment, _ = post(large, element_code=[EEC_ELEMENT, EEC_CHILD, ""][n % 3])
        if n % 4 == 0:
            services.response_set(actor=SYSTEM, comment=comment, decision="accepted", reason="รับ")

    assert queries(small) == queries(large) <= 14


# --- Commenting ------------------------------------------------------------------------------


def test_commenting_without_javascript_shows_the_result_and_the_private_link():
    hearing = make_hearing()
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = browser.post(comment_url(hearing), form_data(quote="Smart Region"))

    assert response.status_code == 200
    comment = Comment.objects.get(hearing=hearing)
    html = response.content.decode()
    assert comment.body in html and "Smart Region" in html
    link = re.search(r'href="(http://testserver/consultation/comments/\d+/\?key=[^"]+)"', html)
    assert link is not None
    private = browser.get(link.group(1).replace("http://testserver", ""))
    assert private.status_code == 200 and comment.body in private.content.decode()
    assert private["Referrer-Policy"] == "no-referrer"


def test_htmx_puts_the_result_in_place_of_the_form_and_refreshes_the_counts():
    hearing = make_hearing(moderation=True)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = browser.post(
        comment_url(hearing), form_data(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="comment-form"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="comment-form-{EEC_ELEMENT}"' in html  # replaces the form it was posted from
    assert 'hx-swap-oob="true"' in html and counts_on(html)["comments"] == 1
    assert Comment.objects.get(hearing=hearing).status == CommentStatus.PENDING
    # The author's browser sees its own pending comment; nobody else does.
    body = form_data()["body"]
    assert body in browser.get(detail_url(hearing)).content.decode()
    assert body not in Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(hearing)).content.decode()


def test_a_refused_comment_shows_the_form_again_with_the_reason():
    hearing = make_hearing()

    no_consent = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        comment_url(hearing), form_data(consent=None)
    )
    id_number = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        comment_url(hearing), form_data(body="ติดต่อผม เลขบัตร 3-1001-00456-78-9 ครับ")
    )
    htmx = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        comment_url(hearing), form_data(consent=None), HTTP_HX_REQUEST="true"
    )

    assert no_consent.status_code == 422 and "PDPA" in no_consent.content.decode()
    assert id_number.status_code == 422 and "national ID" in id_number.content.decode()
    assert htmx.status_code == 422 and "<html" not in htmx.content.decode()
    assert not Comment.objects.exists()


def test_a_filled_honeypot_through_the_page_is_dropped():
    hearing = make_hearing()
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        comment_url(hearing), form_data(website="https://cheap.example")
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def _wait_for_a_fresh_minute(margin: int = 20) -> None:
    """Start well inside a minute window, so that 50 quick posts stay in one window."""
    left = 60 - time.time() % 60
    if left < margin:
        time.sleep(left + 0.2)


def test_fifty_comments_in_a_minute_from_one_address_through_the_page_are_throttled():
    hearing = make_hearing()
    browser = Client(REMOTE_ADDR="203.0.113.50")
    _wait_for_a_fresh_minute()

    statuses = [
        browser.post(comment_url(hearing), form_data(body=f"ความเห็นเรื่องที่ {n} ต่างกัน")).status_code
        for n in range(50)
    ]

    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}
    assert Comment.objects.filter(hearing=hearing).count() == 10
    # Another address still comments.
    other = Client(REMOTE_ADDR="203.0.113.51").post(comment_url(hearing), form_data())
    assert other.status_code == 200


def test_the_comment_form_page_names_the_element():
    hearing = make_hearing()
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(comment_url(hearing), {"element": EEC_CHILD})
    assert page.status_code == 200 and "ASEAN Digital Hub" in page.content.decode()
    assert (
        Client(HTTP_ACCEPT_LANGUAGE="en")
        .get(comment_url(hearing), {"element": "nowhere"})
        .status_code
        == 404
    )


def test_a_closed_hearing_takes_no_comments():
    hearing = make_hearing()
    services.hearing_close(actor=SYSTEM, hearing=hearing)
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(hearing)).content.decode()
    assert 'name="body"' not in html
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(comment_url(hearing), form_data())
    assert response.status_code == 409
    assert not Comment.objects.exists()


# --- The author's page ---------------------------------------------------------------------------


def test_the_author_reads_the_answer_through_the_private_link_and_nobody_else_can():
    hearing = make_hearing(moderation=True)
    comment, key = post(hearing, body="ขอให้เพิ่มศูนย์ดิจิทัลชุมชนในอำเภอบ้านบึง")
    url = reverse("consultation:comment_author", args=[comment.pk])

    waiting = Client(HTTP_ACCEPT_LANGUAGE="en").get(url, {"key": key}).content.decode()
    assert comment.body in waiting and "has not answered yet" in waiting

    services.response_set(
        actor=planner_of("mdes"),
        comment=comment,
        decision="accepted",
        reason="จะเพิ่มไว้ในแผนงานที่ 2",
        change_made="เพิ่มศูนย์ดิจิทัลชุมชน",
        changed_element_code=EEC_ELEMENT,
    )
    answered = Client(HTTP_ACCEPT_LANGUAGE="en").get(url, {"key": key}).content.decode()
    assert "จะเพิ่มไว้ในแผนงานที่ 2" in answered and "เพิ่มศูนย์ดิจิทัลชุมชน" in answered

    assert Client(HTTP_ACCEPT_LANGUAGE="en").get(url, {"key": "wrong"}).status_code == 404
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get(url).status_code == 404


# --- Staff pages --------------------------------------------------------------------------------


def test_the_moderation_page_is_for_the_organisers_planners_and_auditors():
    hearing = make_hearing(moderation=True)
    pending, _ = post(hearing, body="รอการตรวจ", author_name="ผู้ใช้ทดสอบ", email="x@example.org")
    url = reverse("consultation:hearing_manage", args=[hearing.code])

    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]

    stranger = planner_of("depa")
    assert signed_in(stranger).get(url).status_code == 403
    assert AuditRecord.objects.filter(
        actor_id=stranger.pk, action="hearing.moderation_read", outcome="denied"
    ).exists()

    auditor = member("manage-auditor", "auditor", organisation("depa"))
    read_only = signed_in(auditor).get(url).content.decode()
    assert pending.body in read_only and 'value="publish"' not in read_only

    page = signed_in(planner_of("mdes")).get(url).content.decode()
    assert pending.body in page and 'value="publish"' in page
    assert "ผู้ใช้ทดสอบ" in page and "x@example.org" not in page


def test_moderating_through_the_page():
    planner = planner_of("mdes")
    hearing = make_hearing(moderation=True)
    comment, _ = post(hearing)
    browser = signed_in(planner)
    url = reverse("consultation:comment_moderate", args=[comment.pk])

    assert browser.post(url, {"action": "publish"}).status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED

    refused = browser.post(
        url, {"action": "hide", "reason": ""}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED
    assert "Say why" in refused.content.decode()

    browser.post(url, {"action": "hide", "reason": "ข้อความซ้ำ"})
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert (
        comment.body
        not in Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(hearing)).content.decode()
    )
    log = browser.get(reverse("consultation:hearing_manage", args=[hearing.code]))
    assert "ข้อความซ้ำ" in log.content.decode()


def test_schedule_open_close_and_summarise_through_the_pages():
    planner = planner_of("mdes")
    browser = signed_in(planner)
    now = timezone.localtime()
    data = {
        "code": "eec-phase-2-hearing",
        "title_th": "การรับฟังความคิดเห็นร่างแผน EEC ระยะที่ 2",
        "plan": "eec-digital-infra-2",
        "organiser": "mdes",
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "online_comments": "on",
        "invited": ["eeco"],
    }

    created = browser.post(reverse("consultation:hearing_create"), data, follow=True)
    assert created.status_code == 200
    hearing = Hearing.objects.get(code="eec-phase-2-hearing")
    assert "15" in created.content.decode()  # the short period is warned about

    def step(name: str, **fields: Any) -> Any:
        url = reverse("consultation:hearing_step", args=[hearing.code, name])
        assert browser.get(url).status_code == 200
        return browser.post(url, fields)

    assert step("open").status_code == 302
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.OPEN and hearing.version is not None
    assert step("close").status_code == 302
    assert step("publish_summary", summary_th="").status_code == 422
    assert step("publish_summary", summary_th="ผู้แสดงความคิดเห็น 200 คน").status_code == 302

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(hearing)).content.decode()
    assert "ผู้แสดงความคิดเห็น 200 คน" in page
    again = reverse("consultation:hearing_step", args=[hearing.code, "open"])
    assert browser.post(again).status_code == 409


def test_edit_the_hearing_through_its_form():
    planner = planner_of("mdes")
    hearing = make_hearing()
    url = reverse("consultation:hearing_edit", args=[hearing.code])
    browser = signed_in(planner)
    form = browser.get(url)
    assert form.status_code == 200

    now = timezone.localtime()
    response = browser.post(
        url,
        {
            "title_th": "ชื่อใหม่ของการรับฟัง",
            "organiser": "mdes",
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
            "online_comments": "on",
            "moderation": "on",
        },
    )
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.title_th == "ชื่อใหม่ของการรับฟัง" and hearing.moderation


def test_enter_and_answer_comments_through_the_pages():
    planner = planner_of("mdes")
    hearing = make_hearing()
    browser = signed_in(planner)

    entered = browser.post(
        reverse("consultation:comment_enter", args=[hearing.code]),
        {
            "channel": "written",
            "element_code": EEC_CHILD,
            "stance": "suggest",
            "body": "หนังสือจากเทศบาลเมืองศรีราชา ขอให้เพิ่มโครงข่ายใยแก้ว",
            "author_organisation": "เทศบาลเมืองศรีราชา",
            "show_identity": "on",
            "consent": "on",
        },
    )
    assert entered.status_code == 302
    comment = Comment.objects.get(hearing=hearing)
    assert comment.channel == "written" and comment.entered_by == planner

    answered = browser.post(
        reverse("consultation:comment_respond", args=[comment.pk]),
        {"decision": "partly", "reason": "จะพิจารณาในระยะที่ 3", "change_made": ""},
    )
    assert answered.status_code == 302

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(hearing)).content.decode()
    assert "เทศบาลเมืองศรีราชา" in page and "จะพิจารณาในระยะที่ 3" in page
    assert counts_on(page)["channel-written"] == 1


def test_documents_are_added_shown_and_removed():
    planner = planner_of("mdes")
    hearing = make_hearing()
    browser = signed_in(planner)
    browser.post(
        reverse("consultation:document_add", args=[hearing.code]),
        {"title": "ร่างแผนฉบับรับฟังความคิดเห็น", "url": "https://example.org/draft.pdf"},
    )
    assert (
        "ร่างแผนฉบับรับฟังความคิดเห็น"
        in Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(hearing)).content.decode()
    )
    document = hearing.documents.get()
    browser.post(reverse("consultation:document_remove", args=[hearing.code, document.pk]))
    assert not hearing.documents.exists()


@pytest.mark.parametrize("count", [2, 9])
def test_the_moderation_page_runs_a_fixed_number_of_queries(count: int) -> None:
    hearing = make_hearing(moderation=True)
    for n in range(count):
        comment, _ = post(hearing)
        if n % 2:
            services.comment_moderate(actor=SYSTEM, comment=comment, action="publish")
    browser = signed_in(planner_of("mdes"))
    url = reverse("consultation:hearing_manage", args=[hearing.code])
    browser.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    # the session, the user, the roles, the hearing, the paginator's count, the page of comments,
    # their moderation logs and the moderators, the two counts queries, the documents
    assert len(captured) == 11, [q["sql"][:80] for q in captured.captured_queries]


def test_the_hearing_form_offers_no_unpublished_plan_of_another_organisation():
    from tests.plans.factories import PlanFactory

    hidden = PlanFactory(owner=organisation("depa"), name_th="ร่างแผนลับของดีป้า")
    page = signed_in(planner_of("mdes")).get(reverse("consultation:hearing_create"))
    html = page.content.decode()
    assert "eec-digital-infra-2" in html and hidden.code not in html
