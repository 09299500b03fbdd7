"""Benchmark the plan registry's reads at national scale.

Generates a synthetic hierarchy in its own database — one National Strategy, 30 level-2 plans,
`--plans` level-3 plans with `--elements` elements each (strategies → approaches → projects),
every level-3 approach linked to a level-2 element and every level-2 element to a National
Strategy strategy — then times the reads the pages and API use and counts their queries.

    .venv/bin/python bench/plans_scale.py --plans 2000 --elements 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/phaen_bench \
        .venv/bin/python bench/plans_scale.py

The database is `var/bench-plans.sqlite3` unless DATABASE_URL is set (it is emptied first).
Results go to standard output; copy them into bench/RESULTS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import measure, setup_django  # noqa: E402


def generate(plans: int, elements: int, seed: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from phaen.core.thai_text import search_document
    from phaen.orgs.models import Organisation
    from phaen.plans.models import AlignmentLink, Plan, PlanElement

    call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", "--no-input", verbosity=0)
    rnd = random.Random(seed)
    with transaction.atomic():
        owner = Organisation.objects.create(
            code="bench-owner", name_th="หน่วยงานทดสอบ", kind="ministry"
        )
        ns = Plan.objects.create(
            code="bench-ns",
            name_th="ยุทธศาสตร์ชาติ",
            level=1,
            kind="national_strategy",
            owner=owner,
            start_year=2018,
            end_year=2037,
        )
        ns_elements = PlanElement.objects.bulk_create(
            PlanElement(
                plan=ns,
                kind="strategy",
                code=f"bench-ns-{i}",
                title_th=f"ด้าน {i}",
                position=i,
                path=f"{i:04d}",
                depth=0,
            )
            for i in range(1, 7)
        )
        masters = Plan.objects.bulk_create(
            Plan(
                code=f"bench-mp-{i}",
                name_th=f"แผนแม่บท {i}",
                level=2,
                kind="master_plan",
                owner=owner,
                start_year=2018,
                end_year=2037,
                search_document=search_document(f"แผนแม่บท {i}"),
            )
            for i in range(1, 31)
        )
        master_elements = PlanElement.objects.bulk_create(
            PlanElement(
                plan=m,
                kind="strategy",
                code=f"{m.code}-s{j}",
                title_th=f"เป้าหมาย {j}",
                position=j,
                path=f"{j:04d}",
                depth=0,
            )
            for m in masters
            for j in range(1, 6)
        )
        AlignmentLink.objects.bulk_create(
            AlignmentLink(
                source_plan=e.plan,
                source_element=e,
                target_plan=ns,
                target_element=rnd.choice(ns_elements),
                contribution="direct",
            )
            for e in master_elements
        )
        actions = Plan.objects.bulk_create(
            Plan(
                code=f"bench-ap-{i}",
                name_th=f"แผนปฏิบัติการจังหวัด {i}",
                level=3,
                kind="action_plan",
                owner=owner,
                start_year=2022,
                end_year=2026,
                search_document=search_document(f"แผนปฏิบัติการจังหวัด {i}"),
            )
            for i in range(1, plans + 1)
        )
        per_strategy = max(1, elements // 10)
        tops: list[PlanElement] = []
        for plan in actions:
            tops.extend(
                PlanElement(
                    plan=plan,
                    kind="strategy",
                    code=f"{plan.code}-s{s}",
                    title_th=f"ยุทธศาสตร์ {s}",
                    position=s,
                    path=f"{s:04d}",
                    depth=0,
                )
                for s in range(1, 11)
            )
        tops = PlanElement.objects.bulk_create(tops, batch_size=2000)
        children: list[PlanElement] = []
        for top in tops:
            children.extend(
                PlanElement(
                    plan=top.plan,
                    parent=top,
                    kind="approach",
                    code=f"{top.code}-a{a}",
                    title_th=f"แนวทาง {a}",
                    position=a,
                    path=f"{top.path}.{a:04d}",
                    depth=1,
                )
                for a in range(1, per_strategy)
            )
        children = PlanElement.objects.bulk_create(children, batch_size=2000)
        AlignmentLink.objects.bulk_create(
            (
                AlignmentLink(
                    source_plan=c.plan,
                    source_element=c,
                    target_plan=t.plan,
                    target_element=t,
                    contribution="direct",
                )
                for c in children
                for t in [rnd.choice(master_elements)]
            ),
            batch_size=2000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
            cursor.execute("ANALYZE")
    return {
        "plans": 1 + len(masters) + len(actions),
        "elements": PlanElement.objects.count(),
        "links": AlignmentLink.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=2000, help="level-3 plans")
    parser.add_argument("--elements", type=int, default=60, help="elements per level-3 plan")
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()
    if args.plans < 1 or args.elements < 10:
        parser.error("--plans must be at least 1 and --elements at least 10")
    setup_django("bench-plans.sqlite3")
    from django.db import connection

    from phaen.plans import selectors
    from phaen.plans.models import Plan, PlanElement

    started = time.perf_counter()
    sizes = generate(args.plans, args.elements, args.seed)
    print(
        f"database: {connection.vendor}; generated {sizes} in {time.perf_counter() - started:.1f} s"
    )
    ns = Plan.objects.get(code="bench-ns")
    big = Plan.objects.get(code="bench-ap-1")
    deep = PlanElement.objects.filter(plan=big, depth=1).first()
    assert deep is not None
    master = Plan.objects.get(code="bench-mp-1")
    rows = [
        measure("plan_list page 1 (no filter)", lambda: list(selectors.plan_list()[:25])),
        measure(
            "plan_list Thai search 'จังหวัด 1999'",
            lambda: list(selectors.plan_list(search="จังหวัด 1999")[:25]),
        ),
        measure(
            f"plan_outline ({big.elements.count()} elements)", lambda: selectors.plan_outline(big)
        ),
        measure("alignment_chain from a level-3 approach", lambda: selectors.alignment_chain(deep)),
        measure(
            "alignment_matrix level-3 plan × National Strategy",
            lambda: selectors.alignment_matrix(big, ns),
        ),
        measure(
            "alignment_gaps of a master plan (all plans below)",
            lambda: selectors.alignment_gaps(master, level=3),
            repeat=3,
        ),
        measure(
            "alignment_gaps of the National Strategy (level 3)",
            lambda: selectors.alignment_gaps(ns, level=3),
            repeat=1,
        ),
    ]
    print("| read | median ms | queries |\n|---|---:|---:|")
    for row in rows:
        print(f"| {row['label']} | {row['median_ms']:.1f} | {row['queries']} |")


if __name__ == "__main__":
    main()
