"""Data for the topic-grouping tests: a hearing on a three-strategy plan and thirty comments.

The comments are realistic remarks on a provincial digital-development plan, on three
elements, each about one topic (the third item of each tuple, which the code under test never
sees): internet and 5G coverage in villages, the budget of smart city projects, digital skills
for older people, coding for students, personal-data protection and open data. Comment 30
mixes smart city cameras and privacy: it is left out of the assertions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from phaen.consultation.models import Comment, CommentStatus, Hearing, HearingStatus, Stance
from phaen.core.thai_text import normalize
from tests.conftest import planning_office
from tests.plans.factories import ElementFactory, PlanFactory

ELEMENTS = {
    "grp-s1": "ยุทธศาสตร์ที่ 1 พัฒนาโครงสร้างพื้นฐานดิจิทัลให้ทั่วถึง",
    "grp-s2": "ยุทธศาสตร์ที่ 2 พัฒนากำลังคนและทักษะดิจิทัล",
    "grp-s3": "ยุทธศาสตร์ที่ 3 ธรรมาภิบาลข้อมูลและรัฐบาลดิจิทัล",
}

COMMENTS: list[tuple[int, str, str, str]] = [
    # grp-s1: internet and 5G coverage in villages
    (
        1,
        "grp-s1",
        "net",
        "หมู่บ้านของผมอยู่บนดอย สัญญาณอินเทอร์เน็ตยังเข้าไม่ถึง อยากให้เร่งขยายโครงข่ายไปยังหมู่บ้านห่างไกล",
    ),
    (2, "grp-s1", "net", "ควรขยายสัญญาณ 5G ให้ครอบคลุมพื้นที่ชนบท ไม่ใช่แค่ในเมืองใหญ่"),
    (3, "grp-s1", "net", "อินเตอร์เน็ตในหมู่บ้านช้ามาก เด็กเรียนออนไลน์ไม่ได้ ขอให้เพิ่มจุดกระจายสัญญาณ"),
    (4, "grp-s1", "net", "เห็นด้วยกับการติดตั้งเสาสัญญาณ 5G เพิ่มในอำเภอรอบนอก เพราะตอนนี้สัญญาณโทรศัพท์หลุดบ่อย"),
    (
        5,
        "grp-s1",
        "net",
        "ขอให้ตั้งเป้าหมายความครอบคลุมของสัญญาณ 5G และอินเทอร์เน็ตความเร็วสูงในระดับหมู่บ้านให้ชัดเจน",
    ),
    (6, "grp-s1", "net", "ค่าบริการอินเทอร์เน็ตบ้านในชนบทยังแพง ควรมีอินเทอร์เน็ตราคาถูกสำหรับทุกหมู่บ้าน"),
    (7, "grp-s1", "net", "ไวไฟสาธารณะในหมู่บ้านใช้ไม่ได้มาหลายเดือนแล้ว สัญญาณอินเทอร์เน็ตขาด ๆ หาย ๆ"),
    # grp-s1: the budget of smart city projects
    (8, "grp-s1", "budget", "งบประมาณเมืองอัจฉริยะควรเปิดเผยรายละเอียดว่าใช้จ่ายกับโครงการอะไรบ้าง"),
    (
        9,
        "grp-s1",
        "budget",
        "ไม่เห็นด้วยที่จะทุ่มงบประมาณจำนวนมากให้เมืองอัจฉริยะในจังหวัดใหญ่ ขณะที่ชนบทยังขาดแคลน",
    ),
    (10, "grp-s1", "budget", "ควรจัดสรรงบประมาณโครงการสมาร์ทซิตี้ให้เทศบาลขนาดเล็กได้รับด้วย"),
    (11, "grp-s1", "budget", "โครงการเมืองอัจฉริยะใช้งบประมาณสูง ควรประเมินความคุ้มค่าของงบประมาณก่อนอนุมัติ"),
    # grp-s2: digital skills for older people
    (12, "grp-s2", "elder", "ควรจัดอบรมทักษะดิจิทัลให้ผู้สูงอายุในชุมชน เช่น การใช้สมาร์ตโฟนและการโอนเงินออนไลน์"),
    (13, "grp-s2", "elder", "ผู้สูงอายุหลายคนใช้แอปของรัฐไม่เป็น อยากให้มีอาสาสมัครมาสอนผู้สูงอายุถึงบ้าน"),
    (14, "grp-s2", "elder", "หลักสูตรอบรมดิจิทัลสำหรับผู้สูงอายุควรสอนวิธีป้องกันมิจฉาชีพทางโทรศัพท์ด้วย"),
    (15, "grp-s2", "elder", "เสนอให้ศูนย์ดิจิทัลชุมชนจัดอบรมผู้สูงอายุทุกเดือน ใช้ภาษาง่าย ๆ และสอนช้า ๆ"),
    (16, "grp-s2", "elder", "ผู้สูงอายุในตำบลอยากเรียนการใช้ไลน์และวิดีโอคอลกับลูกหลาน ขอให้จัดอบรมที่วัด"),
    (17, "grp-s2", "elder", "การอบรมทักษะดิจิทัลผู้สูงอายุควรวัดผลว่าใช้งานได้จริง ไม่ใช่นับแค่จำนวนผู้เข้าอบรม"),
    # grp-s2: coding for students
    (18, "grp-s2", "coding", "ควรพัฒนาทักษะการเขียนโปรแกรมให้นักเรียนมัธยมในต่างจังหวัด"),
    (19, "grp-s2", "coding", "อยากให้มีทุนเรียนการเขียนโปรแกรมและปัญญาประดิษฐ์สำหรับนักเรียนและนักศึกษา"),
    (20, "grp-s2", "coding", "ครูในโรงเรียนขนาดเล็กต้องได้รับการอบรมการเขียนโปรแกรมก่อนจึงจะสอนนักเรียนได้"),
    # grp-s3: personal-data protection
    (
        21,
        "grp-s3",
        "privacy",
        "หน่วยงานรัฐต้องปฏิบัติตาม พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคลอย่างเคร่งครัด และแจ้งประชาชนทันทีเมื่อข้อมูลรั่วไหล",
    ),
    (
        22,
        "grp-s3",
        "privacy",
        "กังวลว่าข้อมูลส่วนบุคคลของประชาชนจะรั่วไหลจากระบบของรัฐ ควรตรวจสอบความปลอดภัยทุกปี",
    ),
    (23, "grp-s3", "privacy", "การเชื่อมโยงข้อมูลระหว่างหน่วยงานต้องขอความยินยอมจากเจ้าของข้อมูลส่วนบุคคลก่อน"),
    (24, "grp-s3", "privacy", "ควรมีช่องทางให้ประชาชนตรวจสอบได้ว่าหน่วยงานใดเข้าถึงข้อมูลส่วนบุคคลของตนบ้าง"),
    (25, "grp-s3", "privacy", "ขอให้เพิ่มบทลงโทษเจ้าหน้าที่ที่นำข้อมูลส่วนบุคคลของประชาชนไปใช้โดยมิชอบ"),
    # grp-s3: open data
    (26, "grp-s3", "open", "ควรเปิดเผยข้อมูลงบประมาณโครงการดิจิทัลเป็นข้อมูลเปิดให้ประชาชนดาวน์โหลดได้"),
    (27, "grp-s3", "open", "ข้อมูลเปิดภาครัฐควรอยู่ในรูปแบบที่เครื่องอ่านได้ และปรับปรุงให้เป็นปัจจุบันเสมอ"),
    (28, "grp-s3", "open", "อยากให้มีแพลตฟอร์มข้อมูลเปิดของจังหวัด เพื่อให้ภาคเอกชนนำข้อมูลเปิดไปพัฒนาบริการใหม่"),
    (29, "grp-s3", "open", "ชุดข้อมูลเปิดด้านงบประมาณเมืองอัจฉริยะของแต่ละจังหวัดควรเผยแพร่ให้ประชาชนเข้าถึง"),
    # grp-s3: both smart city and privacy
    (30, "grp-s3", "mixed", "กล้องวงจรปิดในเมืองอัจฉริยะเก็บภาพใบหน้าประชาชน ต้องคุ้มครองความเป็นส่วนตัว"),
]

TOPIC = {number: topic for number, _element, topic, _body in COMMENTS}


def make_hearing(
    code: str = "grp-hearing", *, organiser: Any = None, elements: bool = True, **fields: Any
) -> Hearing:
    """A hearing, open now, on a plan of the test planning office; with `elements`, the plan
    has the three elements of `ELEMENTS` (element codes are unique: one such plan a test)."""
    plan = PlanFactory(code=f"{code}-plan")
    if elements:
        for position, (element_code, title) in enumerate(ELEMENTS.items(), start=1):
            ElementFactory(
                plan=plan,
                code=element_code,
                title_th=title,
                number=str(position),
                position=position,
            )
    now = timezone.now()
    values: dict[str, Any] = {
        "title_th": "รับฟังความคิดเห็นร่างแผนพัฒนาดิจิทัลจังหวัด",
        "plan": plan,
        "organiser": organiser or planning_office(),
        "starts_at": now - dt.timedelta(days=3),
        "ends_at": now + dt.timedelta(days=20),
        "status": HearingStatus.OPEN,
        **fields,
    }
    return Hearing.objects.create(code=code, **values)


def add_comment(
    hearing: Hearing,
    body: str,
    element_code: str = "",
    *,
    status: str = CommentStatus.PUBLISHED,
    stance: str = Stance.SUGGEST,
    key: str = "k",
) -> Comment:
    return Comment.objects.create(
        hearing=hearing,
        element_code=element_code,
        element_title=ELEMENTS.get(element_code, ""),
        stance=stance,
        body=body,
        status=status,
        commenter_key=hashlib.sha256(key.encode()).hexdigest(),
        fingerprint=hashlib.sha256(normalize(body).encode()).hexdigest(),
    )


def add_comments(
    hearing: Hearing, rows: Iterable[tuple[int, str, str, str]] = COMMENTS
) -> dict[int, Comment]:
    """Add the comments; return them by their number in `COMMENTS`."""
    return {
        number: add_comment(hearing, body, element, key=f"person-{number}")
        for number, element, _topic, body in rows
    }
