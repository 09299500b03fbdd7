"""Benchmark the monitoring and dashboard reads at national scale.

Generates a synthetic monitoring dataset in its own database — the reference geography (77
provinces), ~300 central organisations and `--locals` local administrations, one National
Strategy with master and action plans, `--indicators` indicators with national targets for
FY2566-2570, `--actuals` actuals spread over indicators × fiscal years × quarters (0-4) × areas
(mostly provinces and local administrations, a few nation and EEC rows; ~90 % approved),
`--projects` projects (programmes, statuses, flagships, provinces, alignments) with two budget
lines each on average — then times the reads the dashboards, pages and API use and counts their
queries.

    .venv/bin/python bench/monitoring_scale.py --projects 200000 --actuals 2000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/phaen_bench_mon \
        .venv/bin/python bench/monitoring_scale.py

The database is `var/bench-monitoring.sqlite3` unless DATABASE_URL is set (it is emptied first).
Reads whose code is not there yet (project selectors, dashboards) are listed as missing.
Results go to standard output; copy them into bench/RESULTS.md with the machine and date.
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from common import measure, setup_django  # noqa: E402

FISCAL_YEARS = (2566, 2567, 2568, 2569, 2570)
QUARTERS = (0, 1, 2, 3, 4)
BATCH = 5000
TOPICS = (
    "ระบบบริการภาครัฐดิจิทัล",
    "อินเทอร์เน็ตชุมชน",
    "เมืองอัจฉริยะ",
    "ทักษะดิจิทัลของประชาชน",
    "ข้อมูลเปิดภาครัฐ",
    "ความมั่นคงปลอดภัยไซเบอร์",
    "การค้าออนไลน์ของวิสาหกิจชุมชน",
    "การแพทย์ทางไกล",
    "เกษตรอัจฉริยะ",
    "ศูนย์ดิจิทัลชุมชน",
)
# measure type, aggregation, cumulative, relative frequency
INDICATOR_KINDS = (
    ("number", "sum", False, 20),
    ("number", "sum", True, 8),
    ("money", "sum", False, 6),
    ("money", "sum", True, 4),
    ("number", "mean", False, 8),
    ("number", "latest", False, 6),
    ("percent", "mean", False, 16),
    ("percent", "weighted", False, 12),
    ("percent", "latest", False, 6),
    ("ratio", "weighted", False, 8),
    ("boolean", "mean", False, 6),
)


def insert(model: Any, rows: Iterable[Any]) -> int:
    """bulk_create `rows` in batches of BATCH without holding them all in memory."""
    it = iter(rows)
    count = 0
    while chunk := list(islice(it, BATCH)):
        model.objects.bulk_create(chunk, batch_size=BATCH)
        count += len(chunk)
    return count


def _money(rnd: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rnd.randint(low, high))


def _measure_value(
    rnd: random.Random, measure_type: str, aggregation: str
) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """A value (with numerator and denominator for weighted indicators) of one actual."""
    if measure_type in ("percent", "ratio") and aggregation == "weighted":
        den = rnd.randint(50, 5000)
        num = rnd.randint(0, den)
        value = Decimal(num) / Decimal(den) * (100 if measure_type == "percent" else 1)
        return value.quantize(Decimal("0.0001")), Decimal(num), Decimal(den)
    if measure_type == "percent":
        return Decimal(rnd.randint(0, 10000)).scaleb(-2), None, None
    if measure_type == "ratio":
        return Decimal(rnd.randint(0, 10000)).scaleb(-4), None, None
    if measure_type == "money":
        return _money(rnd, 0, 10_000_000), None, None
    if measure_type == "boolean":
        return Decimal(rnd.randint(0, 1)), None, None
    return Decimal(rnd.randint(0, 1000)), None, None


_MEAN = {"number": 500, "money": 5_000_000, "percent": 50, "ratio": 0.5, "boolean": 0.5}


def generate(
    projects: int, actuals: int, indicators: int, locals_: int, seed: int
) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from phaen.core.thai_text import search_document
    from phaen.geography.models import Province, SpecialZone
    from phaen.geography.services import geography_load_reference
    from phaen.kpis.models import Actual, Indicator, Target
    from phaen.orgs.models import Organisation
    from phaen.plans.models import AlignmentLink, Plan, PlanElement
    from phaen.plans.services import version_freeze
    from phaen.projects.models import BudgetLine, Project, ProjectAlignment

    if connection.vendor == "postgresql":
        # The bench database's own audit trail is emptied too: ask, as the test settings do
        # (phaen/core/migrations/0002_audit_append_only.py).
        with connection.cursor() as cursor:
            cursor.execute("SET phaen.audit_allow_truncate = on")
    call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", "--no-input", verbosity=0)
    rnd = random.Random(seed)
    with transaction.atomic():
        geography_load_reference()
        provinces = list(Province.objects.order_by("code"))
        eec = SpecialZone.objects.get(code="eec")

        # Organisations: ministries, their departments and public organisations, a provincial
        # office per province, and the local administrations, spread over the provinces.
        ministries = Organisation.objects.bulk_create(
            Organisation(
                code=f"bench-min-{i:02d}",
                name_th=f"กระทรวงทดสอบ {i}",
                kind="ministry",
                search_document=search_document(f"กระทรวงทดสอบ {i}"),
            )
            for i in range(1, 21)
        )
        agencies = Organisation.objects.bulk_create(
            Organisation(
                code=f"bench-agency-{i:03d}",
                name_th=f"{'กรม' if i % 4 else 'สำนักงาน'}ทดสอบ {i}",
                kind="department" if i % 4 else "public_organisation",
                parent=ministries[i % len(ministries)],
                search_document=search_document(f"กรมทดสอบ {i}"),
            )
            for i in range(1, 201)
        )
        offices = Organisation.objects.bulk_create(
            Organisation(
                code=f"bench-pvo-{p.code}",
                name_th=f"สำนักงานจังหวัด{p.name_th}",
                kind="provincial_office",
                province=p,
                search_document=search_document(f"สำนักงานจังหวัด{p.name_th}"),
            )
            for p in provinces
        )
        office_of = {p.pk: o for p, o in zip(provinces, offices, strict=True)}
        local_orgs = Organisation.objects.bulk_create(
            (
                Organisation(
                    code=f"bench-lao-{i:05d}",
                    name_th=f"{'เทศบาลตำบล' if i % 3 else 'องค์การบริหารส่วนตำบล'}ทดสอบ {i}",
                    kind="local_administration",
                    province=provinces[i % len(provinces)],
                    search_document=search_document(f"เทศบาลตำบลทดสอบ {i}"),
                )
                for i in range(1, locals_ + 1)
            ),
            batch_size=BATCH,
        )
        central = ministries + agencies + offices

        # Plans: the National Strategy, master plans linked to it, action plans linked to those.
        planner = agencies[0]
        ns = Plan.objects.create(
            code="bench-ns",
            name_th="ยุทธศาสตร์ชาติ",
            level=1,
            kind="national_strategy",
            owner=planner,
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
                owner=planner,
                start_year=2018,
                end_year=2037,
                search_document=search_document(f"แผนแม่บท {i}"),
            )
            for i in range(1, 6)
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
                target_element=ns_elements[k % len(ns_elements)],
                contribution="direct",
            )
            for k, e in enumerate(master_elements)
        )
        actions = Plan.objects.bulk_create(
            Plan(
                code=f"bench-ap-{i}",
                name_th=f"แผนปฏิบัติการด้านดิจิทัล {i}",
                level=3,
                kind="action_plan",
                owner=rnd.choice(agencies),
                start_year=2023,
                end_year=2027,
                search_document=search_document(f"แผนปฏิบัติการด้านดิจิทัล {i}"),
            )
            for i in range(1, 7)
        )
        tops = PlanElement.objects.bulk_create(
            PlanElement(
                plan=a,
                kind="strategy",
                code=f"{a.code}-s{s}",
                title_th=f"ยุทธศาสตร์ {s}",
                position=s,
                path=f"{s:04d}",
                depth=0,
            )
            for a in actions
            for s in range(1, 11)
        )
        approaches = PlanElement.objects.bulk_create(
            PlanElement(
                plan=t.plan,
                parent=t,
                kind="approach",
                code=f"{t.code}-a{n}",
                title_th=f"แนวทาง {n}",
                position=n,
                path=f"{t.path}.{n:04d}",
                depth=1,
            )
            for t in tops
            for n in range(1, 5)
        )
        AlignmentLink.objects.bulk_create(
            AlignmentLink(
                source_plan=a.plan,
                source_element=a,
                target_plan=t.plan,
                target_element=t,
                contribution="direct",
            )
            for a in approaches
            for t in [rnd.choice(master_elements)]
        )
        # Published, as the public dashboards show only indicators of published plans.
        for plan in [ns, *masters, *actions]:
            plan.status = "in_force"
            plan.save(update_fields=["status"])
            version_freeze(plan=plan, kind="approved")

        # Indicators with national targets per fiscal year.
        weights = [k[3] for k in INDICATOR_KINDS]
        specs = []
        for i in range(1, indicators + 1):
            measure_type, aggregation, cumulative, _w = rnd.choices(INDICATOR_KINDS, weights)[0]
            # Where an indicator is reported: national (TH and EEC rows too), by provinces
            # (and their local administrations), or by local administrations only.
            profile = "national" if i % 20 == 0 else ("province" if i % 2 == 0 else "local")
            specs.append((measure_type, aggregation, cumulative, profile))
        element_choices = ns_elements + master_elements + tops + approaches
        indicator_rows = Indicator.objects.bulk_create(
            Indicator(
                code=f"bench-ind-{i:04d}",
                name_th=f"ตัวชี้วัด{TOPICS[i % len(TOPICS)]} {i}",
                plan=(element := rnd.choice(element_choices)).plan,
                element=element,
                unit={"money": "บาท", "percent": "ร้อยละ", "boolean": ""}.get(spec[0], "แห่ง"),
                measure_type=spec[0],
                aggregation=spec[1],
                cumulative=spec[2],
                direction="lower" if rnd.random() < 0.15 else "higher",
                baseline_value=Decimal(0) if rnd.random() < 0.5 else None,
                frequency="quarterly",
                owner=rnd.choice(central),
                search_document=search_document(f"ตัวชี้วัด{TOPICS[i % len(TOPICS)]} {i}"),
            )
            for i, spec in enumerate(specs, start=1)
        )
        combos = indicators * len(FISCAL_YEARS) * len(QUARTERS)
        per_combo, extra = divmod(actuals, combos)

        def target_rows() -> Iterator[Target]:
            for ind, (measure_type, aggregation, cumulative, profile) in zip(
                indicator_rows, specs, strict=True
            ):
                summed = aggregation == "sum" or (
                    aggregation == "latest" and measure_type in ("number", "money")
                )
                areas = {"national": 1, "province": len(provinces), "local": per_combo}[profile]
                base = _MEAN[measure_type] * (areas if summed else 1)
                for k, fy in enumerate(FISCAL_YEARS, start=1):
                    factor = rnd.uniform(0.7, 1.6) * (k if cumulative else 1)
                    yield Target(
                        indicator=ind,
                        fiscal_year=fy,
                        quarter=0,
                        area_level="nation",
                        area_key="TH",
                        value=Decimal(f"{base * factor:.4f}"),
                    )

        target_count = insert(Target, target_rows())

        def actual_rows() -> Iterator[Actual]:
            statuses = ("approved", "submitted", "draft", "returned")
            status_weights = (90, 5, 3, 2)
            n = 0
            for ind, (measure_type, aggregation, _cumulative, profile) in zip(
                indicator_rows, specs, strict=True
            ):
                for fy in FISCAL_YEARS:
                    for quarter in QUARTERS:
                        wanted = per_combo + (1 if n < extra else 0)
                        n += 1
                        areas: list[tuple[str, str, Any, Any, Any]] = []
                        if profile == "national":
                            areas.append(("nation", "TH", None, None, ind.owner))
                            areas.append(("special_zone", "Z:eec", None, None, ind.owner))
                        if profile in ("national", "province"):
                            areas.extend(
                                ("province", f"P:{p.code}", p, None, office_of[p.pk])
                                for p in provinces
                            )
                        areas = areas[:wanted]
                        areas.extend(
                            ("local", f"L:{o.code}", o.province, o, o)
                            for o in rnd.sample(local_orgs, wanted - len(areas))
                        )
                        for level, key, province, local, reporter in areas:
                            value, num, den = _measure_value(rnd, measure_type, aggregation)
                            yield Actual(
                                indicator=ind,
                                fiscal_year=fy,
                                quarter=quarter,
                                area_level=level,
                                area_key=key,
                                province=province,
                                special_zone=eec if level == "special_zone" else None,
                                local_organisation=local,
                                value=value,
                                numerator=num,
                                denominator=den,
                                status=rnd.choices(statuses, status_weights)[0],
                                reporting_organisation=reporter,
                            )

        actual_count = insert(Actual, actual_rows())

        # Projects: programmes first, then projects (a fifth of them under a programme), each
        # with its alignments, its provinces (a third of them) and its budget lines.
        owners = central + local_orgs
        statuses = ("proposed", "planned", "in_progress", "completed", "suspended", "cancelled")
        status_weights = (10, 20, 40, 20, 5, 5)
        aligned_to = approaches + master_elements
        programmes_n = max(1, projects // 100)
        province_through = Project.provinces.through
        counts = {"alignments": 0, "project provinces": 0, "budget lines": 0}
        programmes: list[Any] = []

        def project(i: int) -> Any:
            kind = "programme" if i <= programmes_n else "project"
            topic = TOPICS[i % len(TOPICS)]
            name = f"{'แผนงาน' if kind == 'programme' else 'โครงการ'}พัฒนา{topic} {i}"
            start = date(2022, 10, 1) + timedelta(days=rnd.randint(0, 4 * 365))
            status = rnd.choices(statuses, status_weights)[0]
            area = rnd.random()
            return Project(
                code=f"bench-pj-{i:07d}",
                name_th=name,
                kind=kind,
                parent=(
                    rnd.choice(programmes)
                    if kind == "project" and programmes and rnd.random() < 0.2
                    else None
                ),
                is_flagship=rnd.random() < 0.02,
                owner=rnd.choice(owners),
                status=status,
                start_date=start,
                end_date=start + timedelta(days=rnd.randint(90, 3 * 365)),
                area_level=(
                    "province" if area < 1 / 3 else "special_zone" if area < 0.4 else "nation"
                ),
                special_zone=eec if 1 / 3 <= area < 0.4 else None,
                progress=(
                    Decimal(100)
                    if status == "completed"
                    else Decimal(rnd.randint(0, 99))
                    if status == "in_progress"
                    else None
                ),
                search_document=search_document(name),
            )

        def children(batch: list[Any]) -> None:
            alignments: list[Any] = []
            memberships: list[Any] = []
            lines: list[Any] = []
            for p in batch:
                alignments.extend(
                    ProjectAlignment(project=p, element=e)
                    for e in rnd.sample(aligned_to, rnd.choice((1, 1, 2)))
                )
                if p.area_level == "province":
                    memberships.extend(
                        province_through(project_id=p.pk, province_id=q.pk)
                        for q in rnd.sample(provinces, rnd.choice((1, 1, 2, 3)))
                    )
                first = min(max(2566, p.start_date.year + 543 + (p.start_date.month >= 10)), 2570)
                seen = set()
                for _ in range(rnd.choice((1, 2, 3))):
                    key = (
                        min(first + rnd.randint(0, 2), 2570),
                        rnd.choice(("personnel", "operating", "investment", "subsidy", "other")),
                        rnd.choice(("government", "government", "own_revenue", "fund", "local")),
                    )
                    if key in seen:
                        continue
                    seen.add(key)
                    planned = rnd.randint(100_000, 50_000_000)
                    lines.append(
                        BudgetLine(
                            project=p,
                            fiscal_year=key[0],
                            category=key[1],
                            funding_source=key[2],
                            planned=Decimal(planned),
                            allocated=Decimal(planned * rnd.randint(70, 100) // 100),
                            committed=Decimal(planned * rnd.randint(0, 70) // 100),
                            disbursed=Decimal(planned * rnd.randint(0, 60) // 100),
                        )
                    )
            counts["alignments"] += insert(ProjectAlignment, alignments)
            counts["project provinces"] += insert(province_through, memberships)
            counts["budget lines"] += insert(BudgetLine, lines)

        numbers = iter(range(1, projects + 1))
        while chunk := list(islice(numbers, BATCH)):
            batch = Project.objects.bulk_create([project(i) for i in chunk], batch_size=BATCH)
            if not programmes:
                programmes = [p for p in batch if p.kind == "programme"]
            children(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
            cursor.execute("ANALYZE")
    return {
        "organisations": Organisation.objects.count(),
        "local administrations": len(local_orgs),
        "plan elements": PlanElement.objects.count(),
        "indicators": len(indicator_rows),
        "targets": target_count,
        "actuals": actual_count,
        "approved actuals": Actual.objects.filter(status="approved").count(),
        "projects": Project.objects.count(),
        **counts,
    }


def available(module: str, *names: str) -> list[Any] | None:
    """The named attributes of `module`, or None while the module or one of them is missing."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    found = [getattr(mod, name, None) for name in names]
    return None if any(f is None for f in found) else found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200_000)
    parser.add_argument("--actuals", type=int, default=2_000_000)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--locals", type=int, default=2000, help="local administrations")
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the data a previous run left; no generation"
    )
    args = parser.parse_args()
    combos = args.indicators * len(FISCAL_YEARS) * len(QUARTERS)
    if args.projects < 100 or args.indicators < 20 or args.locals < 1:
        parser.error("--projects must be at least 100, --indicators 20, --locals 1")
    if not combos <= args.actuals <= combos * args.locals:
        parser.error(f"--actuals must be between {combos} and {combos * args.locals}")
    setup_django("bench-monitoring.sqlite3")
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import Resolver404, resolve

    from phaen.kpis import aggregation
    from phaen.kpis.models import Indicator

    if args.reuse:
        print(f"database: {connection.vendor}; reusing {Indicator.objects.count()} indicators")
    else:
        started = time.perf_counter()
        sizes = generate(args.projects, args.actuals, args.indicators, args.locals, args.seed)
        elapsed = time.perf_counter() - started
        print(f"database: {connection.vendor}; generated {sizes} in {elapsed:.1f} s")
    indicators = list(Indicator.objects.all())
    # A summed indicator reported by provinces and local administrations, with national targets.
    chosen = Indicator.objects.filter(aggregation="sum", cumulative=False).order_by("code")
    one = next(i for i in chosen if int(i.code.rsplit("-", 1)[1]) % 2 == 0)
    rows = [
        measure(
            f"kpis indicator_summaries, all {len(indicators)} indicators, nation",
            lambda: aggregation.indicator_summaries(indicators),
            repeat=3,
        ),
        measure(
            "kpis area_values, one indicator, FY2569 (choropleth)",
            lambda: aggregation.area_values(one, fiscal_year=2569),
        ),
        measure(
            "kpis indicator_series, one indicator, nation",
            lambda: aggregation.indicator_series(one),
        ),
        measure(
            "kpis indicator_series, one indicator, province 40",
            lambda: aggregation.indicator_series(one, area=aggregation.Area.province("40")),
        ),
    ]
    missing: list[str] = []
    found = available(
        "phaen.projects.selectors",
        "projects_by_status",
        "budget_by_fiscal_year",
        "budget_by_strategy",
    )
    if found is None:
        missing.append("phaen.projects.selectors: projects_by_status, budget by year and strategy")
    else:
        by_status, by_year, by_strategy = found
        from phaen.plans.models import Plan

        action_plan = Plan.objects.get(code="bench-ap-1")
        master_plan = Plan.objects.get(code="bench-mp-1")
        rows += [
            measure("projects projects_by_status (all projects)", lambda: by_status()),
            measure("projects budget_by_fiscal_year (all lines)", lambda: by_year()),
            measure(
                "projects budget_by_fiscal_year, projects serving an action plan",
                lambda: by_year(plan=action_plan.code),
            ),
            measure(
                "projects budget_by_strategy, action plan (10 strategies)",
                lambda: by_strategy(action_plan),
            ),
            measure(
                "projects budget_by_strategy, master plan (5 elements)",
                lambda: by_strategy(master_plan),
            ),
        ]
    national = available("phaen.dashboards.selectors", "national_dashboard")
    if national is None:
        missing.append("phaen.dashboards.selectors.national_dashboard")
    else:
        for note, seconds in (("figures cache off", 0), ("figures cached", 600)):
            with override_settings(PHAEN_FIGURES_CACHE_SECONDS=seconds):
                rows.append(
                    measure(
                        f"dashboards national_dashboard() selector ({note})",
                        national[0],
                        repeat=3,
                    )
                )
    client = Client(HTTP_HOST="localhost")
    pages = (
        ("dashboards national page", "/dashboards/"),
        ("dashboards national API", "/api/dashboards/national"),
        ("project list page 1", "/delivery/"),
        ("project list API page 1", "/api/delivery/projects"),
    )
    for label, url in pages:
        try:
            resolve(url)
        except Resolver404:
            missing.append(f"{label} (GET {url})")
            continue

        def get(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        if not url.startswith(("/dashboards/", "/api/dashboards/")):
            rows.append(measure(f"{label} `GET {url}`", get, repeat=3))
            continue
        for note, seconds in (("figures cache off", 0), ("figures cached", 600)):
            with override_settings(PHAEN_FIGURES_CACHE_SECONDS=seconds):
                rows.append(measure(f"{label} `GET {url}` ({note})", get, repeat=3))
    print("| read | median ms | queries |\n|---|---:|---:|")
    for row in rows:
        print(f"| {row['label']} | {row['median_ms']:.1f} | {row['queries']} |")
    for item in missing:
        print(f"missing: {item}")


if __name__ == "__main__":
    main()
