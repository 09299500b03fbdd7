"""Rows for `phaen export plans|plan-elements|alignment-links` and the pages' export links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from phaen.core import thai_calendar
from phaen.plans import selectors
from phaen.plans.permissions import SYSTEM

PLAN_COLUMNS = [
    "code",
    "name_th",
    "name_en",
    "level",
    "kind",
    "status",
    "owner",
    "area_type",
    "provinces",
    "special_zone",
    "region",
    "start_year_be",
    "end_year_be",
    "predecessor",
    "parent_programme",
    "content_status",
    "element_count",
]
ELEMENT_COLUMNS = ["plan", "code", "parent", "kind", "number", "title_th", "title_en", "depth"]
LINK_COLUMNS = [
    "source_plan",
    "source_element",
    "target_plan",
    "target_element",
    "contribution",
    "rationale",
]


def plan_rows(viewer: Any = SYSTEM, **filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per plan matching `filters` (those of `selectors.plan_list`).

    `viewer` limits the rows to the plans they may read; the command line, run by whoever
    administers the server, sees them all.
    """
    plans = selectors.plan_list(viewer=viewer, **filters).select_related(
        "predecessor", "parent_programme"
    )
    for plan in plans:
        yield {
            "code": plan.code,
            "name_th": plan.name_th,
            "name_en": plan.name_en,
            "level": plan.level,
            "kind": plan.kind,
            "status": plan.status,
            "owner": plan.owner.code,
            "area_type": plan.area_type,
            "provinces": [p.code for p in plan.provinces.all()],
            "special_zone": plan.special_zone.code if plan.special_zone else "",
            "region": plan.region.code if plan.region else "",
            "start_year_be": thai_calendar.ce_to_be(plan.start_year),
            "end_year_be": thai_calendar.ce_to_be(plan.end_year),
            "predecessor": plan.predecessor.code if plan.predecessor else "",
            "parent_programme": plan.parent_programme.code if plan.parent_programme else "",
            "content_status": plan.content_status,
            "element_count": getattr(plan, "element_count", 0),
        }


def element_rows() -> Iterator[dict[str, Any]]:
    """Yield one row per plan element, plans in order, each outline in order."""
    for element in selectors.element_list():
        yield {
            "plan": element.plan.code,
            "code": element.code,
            "parent": element.parent.code if element.parent else "",
            "kind": element.kind,
            "number": element.number,
            "title_th": element.title_th,
            "title_en": element.title_en,
            "depth": element.depth,
        }


def link_rows() -> Iterator[dict[str, Any]]:
    """Yield one row per alignment link."""
    for link in selectors.link_list():
        yield {
            "source_plan": link.source_plan.code,
            "source_element": link.source_element.code if link.source_element else "",
            "target_plan": link.target_plan.code,
            "target_element": link.target_element.code,
            "contribution": link.contribution,
            "rationale": link.rationale,
        }
