"""A hearing on the EEC phase-2 draft plan taken through to its summary, for the report tests.

`heard_hearing()` builds, through the services, a hearing that moderates comments before they
are shown, on the reference plan eec-digital-infra-2 (organised by MDES, its owner): online
comments in Thai on its elements with every stance (published, one hidden, one left pending),
an in-person remark at the hearing's meeting (with registrations, attendance and online views)
and a written submission, two groups of comments (one answered with a change to the plan), two
comments answered on their own. `publish()` closes it and publishes the summary.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from phaen.consultation import event_services, grouping_services, services
from phaen.consultation.models import Comment, CommentGroup, Event, EventKind, EventMode, Hearing
from phaen.plans.permissions import SYSTEM
from tests.consultation.hearing_fixtures import eec_plan, make_hearing, planner_of, post

PLAN_NAME_TH = "แผนปฏิบัติการพัฒนาโครงสร้างพื้นฐานด้านดิจิทัลเพื่อรองรับเขตพัฒนาพิเศษภาคตะวันออก พ.ศ. 2567 – 2570"
HEARING_TITLE = "รับฟังความคิดเห็นต่อร่างแผนปฏิบัติการโครงสร้างพื้นฐานดิจิทัล EEC ระยะที่ 2"
# A realistic comment with stacked marks (ผู้, ที่นี่, ข่าย) but without SARA AM (ำ), which text
# extracted from WeasyPrint's PDFs can alter (see phaen.consultation.report).
COMMENT_TH = (
    "ควรขยายโครงข่ายอินเทอร์เน็ตสาธารณะให้ทั่วถึงนิคมอุตสาหกรรมและชุมชนรอบเมืองพัทยา"
    " เพื่อให้ผู้สูงอายุที่นี่เข้าถึงบริการภาครัฐได้ง่ายขึ้น"
)
NAMED_AUTHOR = "สมศรี ทดสอบดี"
NAMED_ORGANISATION = "สภาอุตสาหกรรมจังหวัดชลบุรี"
HIDDEN_NAME = "ผู้ไม่ประสงค์ออกนาม ทดสอบ"
HIDDEN_ORGANISATION = "บริษัทที่ไม่เปิดเผยชื่อ จำกัด"
EMAIL = "somsri.report@example.com"
HIDDEN_BODY = "ข้อความนี้ถูกซ่อนเพราะไม่เกี่ยวข้องกับร่างแผน ทดสอบซ่อน"
PENDING_BODY = "ความเห็นนี้ยังรอการตรวจสอบก่อนเผยแพร่ ทดสอบรอ"
GROUP_ANSWER_CHANGE = "เพิ่มเป้าหมายจุดบริการอินเทอร์เน็ตสาธารณะในนิคมอุตสาหกรรม"
SUMMARY_TH = "ผู้มีส่วนได้ส่วนเสียเห็นด้วยกับแนวทางที่ 1 และเสนอให้ขยายจุดบริการอินเทอร์เน็ตสาธารณะ"

_codes = itertools.count(1)


@dataclass
class HeardHearing:
    hearing: Hearing
    planner: Any
    event: Event
    comments: dict[str, Comment]
    groups: dict[str, CommentGroup]


def _publish_comment(planner: Any, comment: Comment) -> Comment:
    return services.comment_moderate(actor=planner, comment=comment, action="publish")


def heard_hearing(*, extra_comments: int = 0, extra_groups: int = 0) -> HeardHearing:
    """The hearing described above, still open (see `publish`). `extra_comments` more published
    comments, spread over `extra_groups` more answered groups, make it bigger (query counts)."""
    n = next(_codes)
    hearing = make_hearing(
        plan=eec_plan(),
        code=f"report-hearing-{n}",
        title_th=HEARING_TITLE,
        moderation=True,
        in_person=True,
        written=True,
    )
    planner = planner_of("mdes")
    now = timezone.now()
    event = event_services.event_create(
        actor=SYSTEM,
        code=f"report-meeting-{n}",
        kind=EventKind.HEARING_MEETING,
        mode=EventMode.HYBRID,
        title_th="ประชุมรับฟังความคิดเห็น ณ จังหวัดชลบุรี",
        hearing=hearing,
        organiser=hearing.organiser,
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        venue="ศาลากลางจังหวัดชลบุรี",
        registration_open=True,
    )
    for index, name in enumerate(("ผู้ลงทะเบียน หนึ่ง", "ผู้ลงทะเบียน สอง")):
        event_services.registration_add(
            actor=AnonymousUser(),
            event=event,
            name=name,
            email=f"registrant{index}.{n}@example.com",
            consent=True,
        )
    event = event_services.event_record_outputs(
        actor=planner, event=event, attendance=45, online_views=320
    )

    comments: dict[str, Comment] = {}
    comments["named"], _key = post(
        hearing,
        element_code="eec2-a1",
        stance="suggest",
        body=COMMENT_TH,
        author_name=NAMED_AUTHOR,
        author_organisation=NAMED_ORGANISATION,
        show_identity=True,
        email=EMAIL,
    )
    comments["unnamed"], _key = post(
        hearing,
        element_code="eec2-a1",
        stance="support",
        body="เห็นด้วยกับการพัฒนาโครงข่ายใยแก้วนำแสงในเขตอุตสาหกรรม",
        author_name=HIDDEN_NAME,
        author_organisation=HIDDEN_ORGANISATION,
        show_identity=False,
        email=EMAIL,
    )
    comments["oppose"], _key = post(
        hearing,
        element_code="eec2-a2",
        stance="oppose",
        body="ไม่เห็นด้วยที่จะเน้นเมืองอัจฉริยะก่อนพื้นที่ชนบท",
    )
    comments["whole"], _key = post(
        hearing, element_code="", stance="support", body="สนับสนุนร่างแผนโดยรวม"
    )
    comments["hidden"], _key = post(
        hearing, element_code="eec2-a1", stance="oppose", body=HIDDEN_BODY
    )
    comments["pending"], _key = post(
        hearing, element_code="eec2-a2", stance="suggest", body=PENDING_BODY
    )
    for key in ("named", "unnamed", "oppose", "whole", "hidden"):
        comments[key] = _publish_comment(planner, comments[key])
    comments["in_person"] = services.comment_enter(
        actor=planner,
        hearing=hearing,
        channel="in_person",
        event=event,
        element_code="eec2-a2-p1",
        stance="suggest",
        body="ขอให้เร่งโครงการไทยแลนด์ดิจิทัลวัลเล่ย์",
    )
    comments["written"] = services.comment_enter(
        actor=planner,
        hearing=hearing,
        channel="written",
        element_code="eec2-a1",
        stance="oppose",
        body="หนังสือจากเทศบาลเมืองศรีราชา เสนอแก้ไขเป้าหมายของแนวทางที่ 1",
        author_organisation="เทศบาลเมืองศรีราชา",
        show_identity=True,
        consent=True,
    )

    groups: dict[str, CommentGroup] = {}
    groups["network"] = grouping_services.group_create(
        actor=planner,
        hearing=hearing,
        name="ขยายโครงข่ายอินเทอร์เน็ต",
        comments=[comments["named"].pk, comments["unnamed"].pk, comments["hidden"].pk],
    )
    groups["smart"] = grouping_services.group_create(
        actor=planner,
        hearing=hearing,
        name="เมืองอัจฉริยะและชนบท",
        comments=[comments["oppose"].pk, comments["pending"].pk],
    )
    # Hidden after it was grouped: the group keeps it, the report never shows it.
    comments["hidden"] = services.comment_moderate(
        actor=planner, comment=comments["hidden"], action="hide", reason="ไม่เกี่ยวข้อง"
    )
    services.response_set(
        actor=planner,
        group=groups["network"],
        decision="partly",
        reason="รับไว้พิจารณาในแผนงานย่อย",
        change_made=GROUP_ANSWER_CHANGE,
        changed_element_code="eec2-a1",
    )
    services.response_set(
        actor=planner, comment=comments["whole"], decision="accepted", reason="ขอบคุณ"
    )
    services.response_set(
        actor=planner,
        comment=comments["written"],
        decision="accepted",
        reason="ปรับเป้าหมายตามข้อเสนอ",
        change_made="ปรับถ้อยคำเป้าหมายของแนวทางที่ 1",
        changed_element_code="eec2-a1-p2",
    )

    for index in range(extra_groups):
        ids = []
        for _ in range(max(1, extra_comments // max(1, extra_groups))):
            comment, _key = post(
                hearing, element_code="eec2-a2", stance="suggest", body=f"ข้อเสนอเพิ่มเติม {index}"
            )
            ids.append(_publish_comment(planner, comment).pk)
        group = grouping_services.group_create(
            actor=planner, hearing=hearing, name=f"กลุ่มเพิ่ม {index}", comments=ids
        )
        services.response_set(
            actor=planner, group=group, decision="not_accepted", reason="อยู่นอกขอบเขต"
        )
        own, _key = post(hearing, element_code="eec2-a1", stance="support", body=f"ตอบ {index}")
        own = _publish_comment(planner, own)
        services.response_set(
            actor=planner,
            comment=own,
            decision="accepted",
            reason="รับ",
            change_made="ปรับ",
            changed_element_code="eec2-a2",
        )
    hearing.refresh_from_db()
    return HeardHearing(hearing, planner, event, comments, groups)


def publish(heard: HeardHearing) -> Hearing:
    """Close the hearing and publish its summary (the hearing's steps)."""
    hearing = services.hearing_close(actor=heard.planner, hearing=heard.hearing)
    hearing = services.hearing_publish_summary(
        actor=heard.planner, hearing=hearing, summary_th=SUMMARY_TH
    )
    heard.hearing = hearing
    return hearing
