"""JSON API of the dashboards: the same data as the pages, from the same selectors.

Numbers are plain JSON numbers (money in baht, percentages as 0-100); an unknown value is null,
never 0. Fiscal years are the BE years they are named by (2569). Only approved actuals count.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from phaen.dashboards import selectors

router = Router(tags=["dashboards"])


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict[str, Any] = {}


@router.get(
    "/national",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="The national dashboard",
)
def national(
    request: HttpRequest, indicator: str | None = None, fiscal_year: int | None = None
) -> dict[str, Any]:
    """Headline indicators with their status bands, the choropleth (of `indicator` in
    `fiscal_year`, by default the first indicator with values by province and its latest year),
    pilot provinces, MoUs, smart city zones and community centres by province, projects by
    status and the budget by fiscal year."""
    return selectors.national_dashboard(indicator=indicator, fiscal_year=fiscal_year).as_json()


@router.get(
    "/plans/{code}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="A plan's dashboard",
)
def plan(request: HttpRequest, code: str) -> dict[str, Any]:
    """The plan's indicators and those of its earlier editions (`predecessors`), each with its
    target and approved actual per fiscal year; budget by strategy and by fiscal year; projects
    by status; implementation progress of the top-level elements."""
    return selectors.plan_dashboard(code, request.user).as_json()


@router.get(
    "/provinces/{code}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="A province's dashboard",
)
def province(request: HttpRequest, code: str) -> dict[str, Any]:
    """Indicators with values in the province, its projects, budget, MoUs, smart city zones
    and digital community centres, and the pilot programmes it belongs to."""
    return selectors.province_dashboard(code).as_json()


@router.get(
    "/choropleth",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="An indicator's approved values by province",
)
def choropleth(
    request: HttpRequest, indicator: str | None = None, fiscal_year: int | None = None
) -> dict[str, Any]:
    """`values` maps province codes to the approved value (provinces without one are absent);
    `provinces` lists all 77 with their colour class (null: no data)."""
    return selectors.choropleth(indicator, fiscal_year).as_json()
