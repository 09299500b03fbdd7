"""Benchmark topic grouping of hearing comments.

Two parts:

1. `phaen.consultation.grouping.group_comments` alone (no database) on synthetic comments:
   `--sizes` comments spread over 1 and over 5 elements.
2. Through the services, in its own database: `groups_suggest` on a hearing with `--comments`
   comments, a second suggestion (which replaces the first), and the staff page
   /consultation/<code>/groups/, with their query counts.

The comments are made from twelve topics of phrases a provincial digital-development plan's
hearing gets (internet in villages, 5G masts, smart city budgets, digital skills for older
people, coding in schools, personal data, open data, e-government services, cyber threats,
digital community centres, farmers' e-commerce, tourism apps): each comment takes two or three
phrases of one topic, in random order, with filler words and a number, so that no two lines are
the same.

    .venv/bin/python bench/grouping_scale.py --sizes 1000 3000 10000 --comments 3000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/phaen_bench_grouping \
        .venv/bin/python bench/grouping_scale.py --only-db

The database is `var/bench-grouping.sqlite3` unless DATABASE_URL is set (it is emptied first).
Results go to standard output; copy them into bench/RESULTS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import setup_django, timed  # noqa: E402

TOPICS: dict[str, list[str]] = {
    "net": [
        "สัญญาณอินเทอร์เน็ตในหมู่บ้านยังเข้าไม่ถึง",
        "อยากให้ขยายโครงข่ายอินเทอร์เน็ตไปหมู่บ้านห่างไกล",
        "อินเทอร์เน็ตบ้านในชนบทราคาแพง",
        "เน็ตช้ามากจนเด็กเรียนออนไลน์ไม่ได้",
        "ไวไฟสาธารณะในหมู่บ้านใช้ไม่ได้",
    ],
    "5g": [
        "ควรติดตั้งเสาสัญญาณ 5G เพิ่มในอำเภอรอบนอก",
        "สัญญาณ 5G ยังไม่ครอบคลุมพื้นที่เกษตร",
        "กำหนดเป้าหมายความครอบคลุม 5G ให้ชัดเจน",
        "สัญญาณโทรศัพท์มือถือหลุดบ่อย",
    ],
    "budget": [
        "งบประมาณเมืองอัจฉริยะควรเปิดเผยรายละเอียด",
        "โครงการสมาร์ทซิตี้ใช้งบประมาณสูงเกินไป",
        "ควรประเมินความคุ้มค่าของงบประมาณเมืองอัจฉริยะ",
        "จัดสรรงบประมาณเมืองอัจฉริยะให้เทศบาลขนาดเล็ก",
    ],
    "elder": [
        "จัดอบรมทักษะดิจิทัลให้ผู้สูงอายุในชุมชน",
        "ผู้สูงอายุใช้แอปของรัฐไม่เป็น",
        "สอนผู้สูงอายุป้องกันมิจฉาชีพทางโทรศัพท์",
        "อบรมผู้สูงอายุใช้สมาร์ตโฟนโอนเงิน",
    ],
    "coding": [
        "พัฒนาทักษะการเขียนโปรแกรมให้นักเรียน",
        "ทุนเรียนปัญญาประดิษฐ์สำหรับนักศึกษา",
        "ครูต้องได้รับการอบรมการเขียนโปรแกรม",
        "ห้องเรียนคอมพิวเตอร์ในโรงเรียนขนาดเล็กไม่พอ",
    ],
    "privacy": [
        "คุ้มครองข้อมูลส่วนบุคคลของประชาชน",
        "ข้อมูลส่วนบุคคลรั่วไหลจากระบบของรัฐ",
        "ขอความยินยอมก่อนเชื่อมโยงข้อมูลส่วนบุคคล",
        "บทลงโทษเจ้าหน้าที่ที่นำข้อมูลไปใช้โดยมิชอบ",
    ],
    "open": [
        "เปิดเผยข้อมูลเปิดภาครัฐในรูปแบบที่เครื่องอ่านได้",
        "แพลตฟอร์มข้อมูลเปิดของจังหวัด",
        "ชุดข้อมูลเปิดควรปรับปรุงให้เป็นปัจจุบัน",
        "ให้ภาคเอกชนนำข้อมูลเปิดไปพัฒนาบริการ",
    ],
    "egov": [
        "ยื่นคำขอใบอนุญาตออนไลน์ได้ที่เดียว",
        "ลดการใช้สำเนาเอกสารราชการ",
        "บริการภาครัฐผ่านแอปพลิเคชันเดียว",
        "ชำระค่าธรรมเนียมราชการผ่านระบบออนไลน์",
    ],
    "cyber": [
        "ภัยคุกคามไซเบอร์ต่อหน่วยงานท้องถิ่น",
        "ระบบสำรองข้อมูลเมื่อถูกโจมตีด้วยแรนซัมแวร์",
        "อบรมเจ้าหน้าที่รับมือภัยไซเบอร์",
        "ตรวจสอบช่องโหว่ของเว็บไซต์หน่วยงาน",
    ],
    "centre": [
        "ศูนย์ดิจิทัลชุมชนปิดบ่อยไม่มีเจ้าหน้าที่",
        "ศูนย์ดิจิทัลชุมชนควรมีคอมพิวเตอร์ใหม่",
        "ขยายเวลาเปิดศูนย์ดิจิทัลชุมชนวันหยุด",
    ],
    "farm": [
        "เกษตรกรขายสินค้าออนไลน์ผ่านตลาดดิจิทัล",
        "อบรมเกษตรกรทำการตลาดออนไลน์",
        "ระบบขนส่งสินค้าเกษตรจากชุมชน",
    ],
    "tour": [
        "แอปท่องเที่ยวชุมชนของจังหวัด",
        "ข้อมูลแหล่งท่องเที่ยวออนไลน์หลายภาษา",
        "ระบบจองที่พักโฮมสเตย์ชุมชน",
    ],
}
FILLERS = ["ครับ", "ค่ะ", "อยากให้", "ขอเสนอว่า", "เห็นด้วยว่า", "ทั้งนี้", "โดยด่วน", "ด้วย"]


def synthetic(n: int, elements: int, seed: int) -> list[tuple[int, str, str, str]]:
    """`n` comments (id, element code, topic, body), each on one topic of one element."""
    rng = random.Random(seed)
    names = sorted(TOPICS)
    rows = []
    for pk in range(1, n + 1):
        topic = rng.choice(names)
        phrases = rng.sample(TOPICS[topic], k=min(len(TOPICS[topic]), rng.choice([2, 2, 3])))
        words = [*phrases, rng.choice(FILLERS), f"{rng.randint(1, 99999)}"]
        rng.shuffle(words)
        rows.append((pk, f"bench-e{rng.randrange(elements)}", topic, " ".join(words)))
    return rows


def purity(result: Any, topic_of: dict[int, str]) -> float:
    """The share of grouped comments whose group's most common topic is their own."""
    right = total = 0
    for group in result.topics:
        topics = [topic_of[pk] for pk in group.comment_ids]
        right += max(topics.count(t) for t in set(topics))
        total += len(topics)
    return right / total if total else 0.0


def bench_pure(sizes: list[int], seed: int) -> None:
    from phaen.consultation.grouping import Document, group_comments

    print("| comments | elements | groups | ungrouped | purity | median s (3 runs) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        for elements in (1, 5):
            rows = synthetic(size, elements, seed)
            docs = [Document(pk, element, body) for pk, element, _topic, body in rows]
            times = []
            for _ in range(3):
                start = time.perf_counter()
                result = group_comments(docs)
                times.append(time.perf_counter() - start)
            score = purity(result, {pk: topic for pk, _e, topic, _b in rows})
            print(
                f"| {size:,} | {elements} | {len(result.topics)} | {len(result.ungrouped)} "
                f"| {score:.1%} | {statistics.median(times):.2f} |"
            )


def bench_db(comments: int, seed: int) -> None:
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from phaen.accounts.models import Membership, Role
    from phaen.consultation import grouping_services
    from phaen.consultation.models import Comment, Hearing, HearingStatus
    from phaen.orgs.models import Organisation
    from phaen.plans.models import Plan

    call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", "--no-input", verbosity=0)
    owner = Organisation.objects.create(code="bench-owner", name_th="หน่วยงานทดสอบ", kind="ministry")
    plan = Plan.objects.create(
        code="bench-plan",
        name_th="แผนพัฒนาดิจิทัลจังหวัด",
        level=3,
        kind="action_plan",
        owner=owner,
        start_year=2025,
        end_year=2027,
    )
    now = timezone.now()
    hearing = Hearing.objects.create(
        code="bench-hearing",
        title_th="รับฟังความคิดเห็น",
        plan=plan,
        organiser=owner,
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=20),
        status=HearingStatus.OPEN,
    )
    rows = synthetic(comments, 5, seed)
    Comment.objects.bulk_create(
        [
            Comment(
                hearing=hearing,
                element_code=element,
                stance="suggest",
                body=body,
                commenter_key=hashlib.sha256(str(pk).encode()).hexdigest(),
                fingerprint=hashlib.sha256(body.encode()).hexdigest(),
            )
            for pk, element, _topic, body in rows
        ],
        batch_size=1000,
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="bench-planner", password="x")
    Membership.objects.create(user=user, organisation=owner, role=Role.PLANNER)

    print(f"| step ({comments:,} comments on 5 elements) | seconds | queries |")
    print("|---|---:|---:|")
    for label in ("`groups_suggest`, first", "`groups_suggest`, again (replaces)"):
        elapsed, queries, result = timed(
            lambda: grouping_services.groups_suggest(actor=user, hearing=hearing)
        )
        print(f"| {label}: {len(result.created)} groups | {elapsed:.2f} | {queries} |")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = "/consultation/bench-hearing/groups/"
    client.get(url)
    elapsed, queries, response = timed(lambda: client.get(url))
    size = len(response.content) // 1024
    print(
        f"| page `GET {url}` ({response.status_code}, {size:,} KiB) | {elapsed:.2f} | {queries} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--comments", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--only-db", action="store_true")
    parser.add_argument("--only-pure", action="store_true")
    args = parser.parse_args()
    (ROOT / "var").mkdir(exist_ok=True)
    setup_django("bench-grouping.sqlite3")
    if not args.only_db:
        bench_pure(args.sizes, args.seed)
        print()
    if not args.only_pure:
        bench_db(args.comments, args.seed)


if __name__ == "__main__":
    main()
