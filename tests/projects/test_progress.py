"""The implementation progress of plan elements, rolled up from the projects serving them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from phaen.plans import services as plan_services
from phaen.plans.permissions import SYSTEM
from phaen.projects.progress import element_progress, plan_progress
from tests.projects.factories import AlignmentFactory, PlanFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def element(plan: Any, title: str, parent: Any = None) -> Any:
    return plan_services.element_create(
        actor=SYSTEM,
        plan=plan,
        kind="strategy" if parent is None else "goal",
        title_th=title,
        parent=parent,
    )


def serve(target: Any, progress: Any, weight: Any = 1, status: str = "in_progress") -> Any:
    project = ProjectFactory(
        progress=Decimal(str(progress)) if progress is not None else None, status=status
    )
    AlignmentFactory(project=project, element=target, weight=Decimal(str(weight)))
    return project


@pytest.fixture
def outline() -> dict[str, Any]:
    """Strategy 1 with goals 1.1 and 1.2; strategy 2 with nothing under it."""
    plan = PlanFactory()
    s1 = element(plan, "ยุทธศาสตร์ 1")
    s2 = element(plan, "ยุทธศาสตร์ 2")
    g1 = element(plan, "เป้าประสงค์ 1.1", s1)
    g2 = element(plan, "เป้าประสงค์ 1.2", s1)
    return {"plan": plan, "s1": s1, "s2": s2, "g1": g1, "g2": g2}


def test_an_element_is_the_weighted_mean_of_its_projects(outline):
    serve(outline["g1"], 80, weight=3)
    serve(outline["g1"], 40, weight=1)

    progress = element_progress(outline["plan"])

    assert progress[outline["g1"].pk] == Decimal("70.00")  # (3×80 + 1×40) / 4


def test_a_parent_weights_each_child_element_as_one_and_its_own_projects_by_their_weight(outline):
    serve(outline["g1"], 80, weight=5)  # g1 = 80; the weight counts only within g1
    serve(outline["g2"], 20)  # g2 = 20
    serve(outline["s1"], 50, weight=2)  # a project linked to the strategy itself

    progress = element_progress(outline["plan"])

    assert progress[outline["g2"].pk] == Decimal("20.00")
    # (1×80 + 1×20 + 2×50) / (1 + 1 + 2)
    assert progress[outline["s1"].pk] == Decimal("50.00")


def test_excluded_statuses_are_left_out(outline, settings):
    settings.PHAEN_PROGRESS_EXCLUDED_STATUSES = ["cancelled", "proposed"]
    serve(outline["g1"], 60)
    serve(outline["g1"], 0, status="cancelled")
    serve(outline["g2"], 10, status="proposed")

    progress = element_progress(outline["plan"])

    assert progress[outline["g1"].pk] == Decimal("60.00")
    assert progress[outline["g2"].pk] is None
    assert progress[outline["s1"].pk] == Decimal("60.00")


def test_the_excluded_statuses_follow_the_setting(outline, settings):
    settings.PHAEN_PROGRESS_EXCLUDED_STATUSES = ["suspended"]
    serve(outline["g1"], 60)
    serve(outline["g1"], 0, status="suspended")
    serve(outline["g1"], 30, status="cancelled")

    progress = element_progress(outline["plan"])

    assert progress[outline["g1"].pk] == Decimal("45.00")


def test_nothing_measurable_is_none_not_zero_and_stays_out_of_the_parent(outline):
    serve(outline["g1"], 90)
    serve(outline["g2"], None)  # no progress reported yet
    serve(outline["s2"], 0, weight=0)  # a weight of zero counts for nothing

    progress = element_progress(outline["plan"])

    assert progress[outline["g2"].pk] is None
    assert progress[outline["s1"].pk] == Decimal("90.00")  # not (90 + 0) / 2
    assert progress[outline["s2"].pk] is None
    assert plan_progress(outline["plan"], progress) == Decimal("90.00")


def test_a_plan_without_projects_has_no_progress(outline):
    progress = element_progress(outline["plan"])

    assert set(progress) == {outline[k].pk for k in ("s1", "s2", "g1", "g2")}
    assert set(progress.values()) == {None}
    assert plan_progress(outline["plan"], progress) is None


def test_projects_of_other_plans_do_not_count(outline):
    serve(outline["g1"], 10)
    other = PlanFactory()
    serve(element(other, "อื่น"), 100)

    progress = element_progress(outline["plan"])

    assert progress[outline["s1"].pk] == Decimal("10.00")


def test_results_are_rounded_to_two_decimals(outline):
    serve(outline["g1"], 10)
    serve(outline["g1"], 10)
    serve(outline["g1"], 11)

    assert element_progress(outline["plan"])[outline["g1"].pk] == Decimal("10.33")


def test_two_queries_whatever_the_size(outline, django_assert_num_queries):
    serve(outline["g1"], 50)
    with django_assert_num_queries(2):
        element_progress(outline["plan"])

    parent = outline["g2"]
    for depth in range(4):
        parent = element(outline["plan"], f"ชั้น {depth}", parent)
        for _ in range(5):
            serve(parent, 10 * depth)
    with django_assert_num_queries(2):
        progress = element_progress(outline["plan"])

    # Bottom-up: 30; (5×20 + 30)/6; (5×10 + that)/6; (5×0 + that)/6 = 1.99; g2 has only that.
    assert progress[parent.pk] == Decimal("30.00")
    assert progress[outline["g2"].pk] == Decimal("1.99")
