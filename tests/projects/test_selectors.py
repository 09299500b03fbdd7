"""The reads: lists with their filters, the budget summaries and their query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from phaen.plans import services as plan_services
from phaen.plans.permissions import SYSTEM
from phaen.projects import selectors
from phaen.projects.models import ProjectStatus
from tests.conftest import planning_office
from tests.projects.factories import (
    AlignmentFactory,
    BudgetLineFactory,
    OrganisationFactory,
    PlanFactory,
    ProjectFactory,
    province,
)

pytestmark = pytest.mark.django_db


def element(plan: Any, title: str, parent: Any = None) -> Any:
    return plan_services.element_create(
        actor=SYSTEM,
        plan=plan,
        kind="strategy" if parent is None else "goal",
        title_th=title,
        parent=parent,
    )


@pytest.fixture
def strategy_plan() -> dict[str, Any]:
    """A plan with two strategies; the first has two goals."""
    plan = PlanFactory(code="budget-plan")
    s1 = element(plan, "ยุทธศาสตร์ที่ 1")
    s2 = element(plan, "ยุทธศาสตร์ที่ 2")
    g1 = element(plan, "เป้าประสงค์ 1.1", s1)
    g2 = element(plan, "เป้าประสงค์ 1.2", s1)
    return {"plan": plan, "s1": s1, "s2": s2, "g1": g1, "g2": g2}


def amounts(rows: list[selectors.BudgetTotals]) -> dict[int | None, Decimal]:
    return {row.fiscal_year: row.allocated for row in rows}


def test_budget_by_strategy_counts_a_project_once_under_each_strategy_it_serves(strategy_plan):
    w = strategy_plan
    both_goals = ProjectFactory()  # serves two goals of strategy 1: counted once there
    AlignmentFactory(project=both_goals, element=w["g1"])
    AlignmentFactory(project=both_goals, element=w["g2"])
    BudgetLineFactory(project=both_goals, fiscal_year=2568, allocated=Decimal("100"))
    BudgetLineFactory(project=both_goals, fiscal_year=2569, allocated=Decimal("200"))
    BudgetLineFactory(
        project=both_goals, fiscal_year=2569, allocated=Decimal("1"), category="investment"
    )
    both_strategies = ProjectFactory()
    AlignmentFactory(project=both_strategies, element=w["s1"])
    AlignmentFactory(project=both_strategies, element=w["s2"])
    BudgetLineFactory(project=both_strategies, fiscal_year=2569, allocated=Decimal("50"))
    unlinked = ProjectFactory()
    BudgetLineFactory(project=unlinked, fiscal_year=2569, allocated=Decimal("1000"))
    other_plan = ProjectFactory()
    AlignmentFactory(project=other_plan)  # an element of another plan
    BudgetLineFactory(project=other_plan, fiscal_year=2569, allocated=Decimal("7000"))

    result = selectors.budget_by_strategy(w["plan"])

    assert [entry.element for entry in result] == [w["s1"], w["s2"]]
    assert amounts(result[0].years) == {2568: Decimal("100"), 2569: Decimal("251")}
    assert amounts(result[1].years) == {2569: Decimal("50")}
    assert result[0].total.allocated == Decimal("351")


def test_budget_by_strategy_filters_by_fiscal_year_owner_and_status(strategy_plan):
    w = strategy_plan
    mine = ProjectFactory()
    AlignmentFactory(project=mine, element=w["g1"])
    BudgetLineFactory(project=mine, fiscal_year=2568, allocated=Decimal("10"))
    BudgetLineFactory(project=mine, fiscal_year=2569, allocated=Decimal("20"))
    theirs = ProjectFactory(owner=OrganisationFactory(code="budget-other"), status="cancelled")
    AlignmentFactory(project=theirs, element=w["g2"])
    BudgetLineFactory(project=theirs, fiscal_year=2569, allocated=Decimal("300"))

    by_year = selectors.budget_by_strategy(w["plan"], fiscal_year=2569)
    by_owner = selectors.budget_by_strategy(w["plan"], owner="budget-other")
    by_status = selectors.budget_by_strategy(w["plan"], status=["in_progress"])

    assert amounts(by_year[0].years) == {2569: Decimal("320")}
    assert amounts(by_owner[0].years) == {2569: Decimal("300")}
    assert amounts(by_status[0].years) == {2568: Decimal("10"), 2569: Decimal("20")}
    assert by_year[1].years == []


def test_budget_by_strategy_runs_two_queries_whatever_the_number_of_projects(
    strategy_plan, django_assert_num_queries
):
    w = strategy_plan

    def add(n: int) -> None:
        for _ in range(n):
            project = ProjectFactory()
            AlignmentFactory(project=project, element=w["g1"])
            AlignmentFactory(project=project, element=w["s2"])
            BudgetLineFactory(project=project, fiscal_year=2569, allocated=Decimal("1"))

    add(2)
    with django_assert_num_queries(2):
        small = selectors.budget_by_strategy(w["plan"])
    add(20)
    with django_assert_num_queries(2):
        large = selectors.budget_by_strategy(w["plan"])

    assert small[0].total.allocated == Decimal("2")
    assert large[0].total.allocated == Decimal("22")
    assert large[1].total.allocated == Decimal("22")


def test_budget_by_fiscal_year_sums_every_amount_once_per_project(strategy_plan):
    w = strategy_plan
    project = ProjectFactory()
    AlignmentFactory(project=project, element=w["g1"])
    AlignmentFactory(project=project, element=w["g2"])
    BudgetLineFactory(
        project=project,
        fiscal_year=2569,
        planned=Decimal("120"),
        allocated=Decimal("100"),
        committed=Decimal("80"),
        disbursed=Decimal("40"),
    )
    BudgetLineFactory(project=ProjectFactory(), fiscal_year=2570, planned=Decimal("5"))

    everything = selectors.budget_by_fiscal_year()
    of_plan = selectors.budget_by_fiscal_year(plan=w["plan"].code)

    assert [row.fiscal_year for row in everything] == [2569, 2570]
    row = of_plan[0]
    assert len(of_plan) == 1
    assert (row.planned, row.allocated, row.committed, row.disbursed) == (
        Decimal("120"),
        Decimal("100"),
        Decimal("80"),
        Decimal("40"),
    )
    assert row.disbursement_rate == Decimal("40.00")
    assert everything[1].allocated == Decimal("0")


def test_budget_by_fiscal_year_by_province_counts_regions_and_listed_provinces():
    khon_kaen = province("40", "ขอนแก่น")
    listed = ProjectFactory(area_level="province")
    listed.provinces.add(khon_kaen)
    BudgetLineFactory(project=listed, allocated=Decimal("10"))
    BudgetLineFactory(project=ProjectFactory(), allocated=Decimal("99"))

    rows = selectors.budget_by_fiscal_year(province="40")

    assert amounts(rows) == {2569: Decimal("10")}


def test_projects_by_status_counts_every_status():
    ProjectFactory(status="completed")
    ProjectFactory(status="completed")
    ProjectFactory(status="planned", owner=OrganisationFactory(code="status-other"))

    counts = selectors.projects_by_status(owner=planning_office().code)

    assert list(counts) == list(ProjectStatus.values)
    assert counts["completed"] == 2
    assert counts["planned"] == 0


def test_project_list_filters(strategy_plan):
    w = strategy_plan
    flagship = ProjectFactory(is_flagship=True, name_th="ศูนย์ข้อมูลเมืองขอนแก่น")
    AlignmentFactory(project=flagship, element=w["g1"])
    AlignmentFactory(project=flagship, element=w["g2"])
    ordinary = ProjectFactory(name_th="อบรมทักษะดิจิทัล", status="completed")
    AlignmentFactory(project=ordinary, element=w["s2"])
    BudgetLineFactory(project=ordinary, fiscal_year=2567)
    from phaen.core.thai_text import search_document

    for project in (flagship, ordinary):
        project.search_document = search_document(project.name_th, project.code)
        project.save()

    def codes(**filters: Any) -> list[str]:
        mine = selectors.project_list(owner=planning_office().code, **filters)
        return [p.code for p in mine]

    assert codes(flagship=True) == [flagship.code]
    assert codes(plan="budget-plan") == sorted([flagship.code, ordinary.code])
    assert codes(element=w["s1"].code) == [flagship.code]
    assert codes(element=w["g2"].code) == [flagship.code]
    assert codes(status="completed") == [ordinary.code]
    assert codes(fiscal_year=2567) == [ordinary.code]
    assert codes(search="ข้อมูลเมือง") == [flagship.code]
    assert codes(element="no-such-element") == []


def test_project_list_runs_a_fixed_number_of_queries(django_assert_num_queries):
    def add(n: int) -> None:
        for _ in range(n):
            project = ProjectFactory(area_level="province")
            project.provinces.add(province())
            BudgetLineFactory(project=project, allocated=Decimal("5"))

    owner = planning_office().code
    add(2)
    with django_assert_num_queries(2):
        small = list(selectors.project_list(owner=owner))
    add(10)
    with django_assert_num_queries(2):
        large = list(selectors.project_list(owner=owner))

    assert len(large) == len(small) + 10
    assert large[0].budget_allocated == Decimal("5")
