"""Implementation progress of plan elements, rolled up from the projects that serve them.

A selector: it reads, writes nothing, and runs a fixed number of queries whatever the size of
the plan or the number of projects.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from phaen.plans.models import Plan, PlanElement
from phaen.projects.models import ProjectAlignment

CENT = Decimal("0.01")
CHILD_WEIGHT = Decimal(1)


def element_progress(plan: Plan) -> dict[int, Decimal | None]:
    """Return the implementation progress (%) of every element of `plan`, by element id.

    The rule:

    - An element's progress is the weighted mean of the progress of what carries it out: its
      child elements, each with weight 1, and the projects linked to it (`ProjectAlignment`),
      each with the link's `weight`.
    - A project counts with its `progress` (set from its latest progress report). Projects whose
      status is in `settings.PHAEN_PROGRESS_EXCLUDED_STATUSES` (by default cancelled and
      proposed) are left out, and so are projects without any progress reported yet.
    - An element with nothing measurable under it (no children with progress, no counted
      projects, or only weights of zero) has progress None, not 0, and is left out of its
      parent's mean, so that unmeasured parts neither drag a mean down nor count as done.
    - Results are rounded to two decimals (half up); the means are taken on unrounded values.

    Two queries: one for the plan's elements, one for the project links of those elements with
    each project's progress and status. The tree is then walked bottom-up in memory (deepest
    elements first), so the cost does not grow in queries with the size of the plan.
    """
    excluded = set(settings.PHAEN_PROGRESS_EXCLUDED_STATUSES)
    elements = list(PlanElement.objects.filter(plan=plan).values_list("pk", "parent_id", "depth"))
    links = ProjectAlignment.objects.filter(element__plan=plan).values_list(
        "element_id", "weight", "project__progress", "project__status"
    )
    # Per element: the sum of weight × progress, and the sum of weights, of what counts.
    weighted: dict[int, Decimal] = defaultdict(Decimal)
    weights: dict[int, Decimal] = defaultdict(Decimal)
    for element_id, weight, progress, status in links:
        if progress is None or status in excluded:
            continue
        weighted[element_id] += Decimal(weight) * Decimal(progress)
        weights[element_id] += Decimal(weight)

    exact: dict[int, Decimal | None] = {}
    known = {pk for pk, _parent, _depth in elements}
    for pk, parent_id, _depth in sorted(elements, key=lambda row: row[2], reverse=True):
        total = weights.get(pk, Decimal(0))
        value = weighted[pk] / total if total > 0 else None
        exact[pk] = value
        if value is not None and parent_id is not None and parent_id in known:
            weighted[parent_id] += CHILD_WEIGHT * value
            weights[parent_id] += CHILD_WEIGHT
    return {
        pk: value.quantize(CENT, rounding=ROUND_HALF_UP) if value is not None else None
        for pk, value in exact.items()
    }


def plan_progress(plan: Plan, progress: dict[int, Decimal | None] | None = None) -> Decimal | None:
    """Return the plan's overall progress: the mean of its top-level elements that have one.

    Pass the result of `element_progress` to reuse it (then one query, for the top level).
    """
    progress = progress if progress is not None else element_progress(plan)
    tops = PlanElement.objects.filter(plan=plan, parent__isnull=True).values_list("pk", flat=True)
    values = [progress[pk] for pk in tops if progress.get(pk) is not None]
    if not values:
        return None
    mean = sum(v for v in values if v is not None) / len(values)
    return Decimal(mean).quantize(CENT, rounding=ROUND_HALF_UP)
