"""JSON API for plans, plan elements, alignment links and the alignment reports.

Thin: parse, call one service or selector, shape the answer. Domain errors become
`{"code", "message", "detail"}` in `phaen/api/errors.py`.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from phaen.api.auth import WRITE_AUTH
from phaen.api.pagination import PagePagination
from phaen.core import thai_calendar
from phaen.core.errors import NotFound
from phaen.plans import permissions, selectors, services
from phaen.plans.errors import AlignmentError, PlanError
from phaen.plans.models import AlignmentLink, Plan, PlanDecision, PlanElement

router = Router(tags=["plans"])
elements_router = Router(tags=["plan elements"])
links_router = Router(tags=["alignment links"])
reports_router = Router(tags=["alignment reports"])


# --- Schemas ---------------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name_th: str
    name_en: str = ""


class ProvinceRef(Schema):
    code: str
    name_th: str
    name_en: str


class ElementBrief(Schema):
    code: str
    kind: str
    number: str
    title_th: str
    title_en: str
    content_recorded: bool


class PlanOut(Schema):
    code: str
    name_th: str
    name_en: str
    short_name_th: str
    level: int
    kind: str
    status: str
    owner: Ref
    area_type: str
    region: str | None = Field(None, alias="region.code")
    special_zone: str | None = Field(None, alias="special_zone.code")
    provinces: list[ProvinceRef]
    start_year: int
    end_year: int
    start_year_be: int
    end_year_be: int
    content_status: str
    element_count: int = 0
    top_elements: list[ElementBrief] = []

    @staticmethod
    def resolve_provinces(obj: Plan) -> list[Any]:
        return list(obj.provinces.all())

    @staticmethod
    def resolve_start_year_be(obj: Plan) -> int:
        return thai_calendar.ce_to_be(obj.start_year)

    @staticmethod
    def resolve_end_year_be(obj: Plan) -> int:
        return thai_calendar.ce_to_be(obj.end_year)

    @staticmethod
    def resolve_top_elements(obj: Plan) -> list[Any]:
        return list(getattr(obj, "top_elements", []))


class SourceOut(Schema):
    key: str
    title: str
    url: str
    publisher: str


class PlanDetailOut(PlanOut):
    description_th: str
    description_en: str
    content_note: str
    phase: int | None
    predecessor: str | None = Field(None, alias="predecessor.code")
    parent_programme: str | None = Field(None, alias="parent_programme.code")
    local_organisation: str | None = Field(None, alias="local_organisation.code")
    partners: list[Ref]
    sources: list[SourceOut]

    @staticmethod
    def resolve_partners(obj: Plan) -> list[Any]:
        return list(obj.partners.all())

    @staticmethod
    def resolve_sources(obj: Plan) -> list[Any]:
        return list(obj.sources.all())


class PlanFilter(Schema):
    level: int | None = Field(None, ge=1, le=3, description="1, 2 or 3")
    kind: str | None = Field(None, description="e.g. provincial, master_plan")
    owner: str | None = Field(None, description="Organisation code")
    area_type: str | None = None
    province: str | None = Field(None, description="Two-digit province code")
    region: str | None = None
    special_zone: str | None = None
    status: str | None = None
    year_be: int | None = Field(None, description="Plans in force during this BE year")
    q: str | None = Field(None, description="Thai or English words in the name or owner")


class PlanIn(Schema):
    code: str
    name_th: str
    name_en: str = ""
    short_name_th: str = ""
    description_th: str = ""
    description_en: str = ""
    kind: str
    level: int | None = None
    owner: str
    area_type: str = "nation"
    region: str = ""
    special_zone: str = ""
    local_organisation: str = ""
    provinces: list[str] = []
    partners: list[str] = []
    start_year_be: int
    end_year_be: int
    status: str = "draft"
    predecessor: str = ""
    parent_programme: str = ""
    phase: int | None = None
    content_status: str = "not_recorded"
    content_note: str = ""


class PlanPatch(Schema):
    name_th: str | None = None
    name_en: str | None = None
    short_name_th: str | None = None
    description_th: str | None = None
    description_en: str | None = None
    kind: str | None = None
    owner: str | None = None
    area_type: str | None = None
    region: str | None = None
    special_zone: str | None = None
    local_organisation: str | None = None
    provinces: list[str] | None = None
    partners: list[str] | None = None
    start_year_be: int | None = None
    end_year_be: int | None = None
    status: str | None = None
    predecessor: str | None = None
    parent_programme: str | None = None
    phase: int | None = None
    content_status: str | None = None
    content_note: str | None = None


class ElementOut(Schema):
    code: str
    plan: str = Field(..., alias="plan.code")
    parent: str | None = Field(None, alias="parent.code")
    kind: str
    label_th: str
    number: str
    title_th: str
    title_en: str
    description_th: str
    description_en: str
    content_recorded: bool
    depth: int
    position: int


class ElementIn(Schema):
    kind: str
    title_th: str = ""
    title_en: str = ""
    parent: str | None = Field(None, description="Code of the parent element in the same plan")
    number: str = ""
    code: str = ""
    label_th: str = ""
    description_th: str = ""
    description_en: str = ""
    content_recorded: bool = True
    position: int | None = Field(None, ge=1)


class ElementPatch(Schema):
    kind: str | None = None
    title_th: str | None = None
    title_en: str | None = None
    parent: str | None = None
    number: str | None = None
    label_th: str | None = None
    description_th: str | None = None
    description_en: str | None = None
    content_recorded: bool | None = None
    position: int | None = Field(None, ge=1)


class LinkEnd(Schema):
    plan: str
    plan_level: int
    element: str | None
    title_th: str


class LinkOut(Schema):
    id: int
    source: LinkEnd
    target: LinkEnd
    contribution: str
    rationale: str
    rationale_en: str
    asserted_by: str | None = Field(None, alias="asserted_by.code")

    @staticmethod
    def resolve_source(obj: AlignmentLink) -> dict[str, Any]:
        element = obj.source_element
        return {
            "plan": obj.source_plan.code,
            "plan_level": obj.source_plan.level,
            "element": element.code if element else None,
            "title_th": element.title_th if element else obj.source_plan.name_th,
        }

    @staticmethod
    def resolve_target(obj: AlignmentLink) -> dict[str, Any]:
        return {
            "plan": obj.target_plan.code,
            "plan_level": obj.target_plan.level,
            "element": obj.target_element.code,
            "title_th": obj.target_element.title_th,
        }


class LinkIn(Schema):
    source_element: str | None = Field(None, description="Code of the serving element")
    source_plan: str | None = Field(None, description="Code of the serving plan (whole plan)")
    target: str = Field(..., description="Code of the served element, in a plan above")
    contribution: Literal["direct", "supporting"] = "direct"
    rationale: str = ""
    rationale_en: str = ""


class LinkPatch(Schema):
    contribution: Literal["direct", "supporting"] | None = None
    rationale: str | None = None
    rationale_en: str | None = None


class ChainNode(Schema):
    code: str
    title_th: str
    title_en: str
    number: str
    kind: str
    plan: str
    plan_name_th: str
    level: int
    relation: str
    contribution: str | None


class ChainOut(Schema):
    start: str
    reaches_national_strategy: bool
    levels_reached: list[int]
    truncated: bool
    paths: list[list[ChainNode]]


class MatrixOut(Schema):
    plan: str
    higher_plan: str
    rows: list[ElementBrief]
    columns: list[ElementBrief]
    cells: list[list[str]]


class ServingPlan(Schema):
    plan: str
    level: int
    how: str = Field(..., description="direct, supporting or indirect (through other plans)")


class ServedOut(Schema):
    element: ElementBrief
    strongest: str
    plans: list[ServingPlan]


class GapsOut(Schema):
    plan: str
    level: int | None
    served: list[ServedOut]
    unserved: list[ElementBrief]
    serving_nothing: list[ElementBrief]


# --- Helpers ---------------------------------------------------------------------------------


def _plan_or_404(code: str, viewer: Any = None) -> Plan:
    """Return the plan if `viewer` may read it: published, or theirs to work on."""
    plan = selectors.plan_detail(code)
    if plan is None:
        return selectors.plan_get(code)  # raises NotFound with the right message
    if viewer is not None and not (
        permissions.can_view_working_copy(viewer, plan) or selectors.published_version(plan)
    ):
        raise NotFound(PlanError.NOT_FOUND, _("No plan has the code “%(code)s”.") % {"code": code})
    return plan


def _plan_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn the API's codes and BE years into service arguments."""
    fields = dict(payload)
    for name in ("start_year_be", "end_year_be"):
        if fields.get(name) is not None:
            fields[name.removesuffix("_be")] = thai_calendar.be_to_ce(fields.pop(name))
        else:
            fields.pop(name, None)
    codes = {
        name: fields.pop(name)
        for name in (
            "owner",
            "region",
            "special_zone",
            "local_organisation",
            "predecessor",
            "parent_programme",
            "provinces",
            "partners",
        )
        if name in fields
    }
    fields.update(selectors.resolve_codes(**codes))
    return fields


def _element(code: str) -> PlanElement:
    return selectors.element_get(code)


def _link(link_id: int) -> AlignmentLink:
    link = selectors.link_list().filter(pk=link_id).first()
    if link is None:
        raise NotFound(
            AlignmentError.NOT_FOUND,
            _("No alignment link has the id %(id)s.") % {"id": link_id},
        )
    return link


# --- Plans -----------------------------------------------------------------------------------


@router.get("", response=list[PlanOut], summary="List plans")
@paginate(PagePagination)
def list_plans(request: HttpRequest, filters: Query[PlanFilter]) -> Any:
    plans = selectors.plan_list(
        level=filters.level,
        kind=filters.kind,
        owner=filters.owner,
        area_type=filters.area_type,
        province=filters.province,
        region=filters.region,
        special_zone=filters.special_zone,
        status=filters.status,
        year_be=filters.year_be,
        search=filters.q,
        viewer=request.user,
    )
    return plans.prefetch_related(
        Prefetch(
            "elements",
            queryset=PlanElement.objects.filter(depth=0).order_by("path"),
            to_attr="top_elements",
        )
    )


@router.post("", response={201: PlanDetailOut}, auth=WRITE_AUTH, summary="Create a plan")
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    data = payload.dict()
    if data.get("level") is None:
        data.pop("level", None)
    plan = services.plan_create(actor=request.user, **_plan_fields(data))
    return Status(201, _plan_or_404(plan.code))


@router.get("/{code}", response=PlanDetailOut, summary="One plan")
def get_plan(request: HttpRequest, code: str) -> Any:
    return _plan_or_404(code, request.user)


@router.patch("/{code}", response=PlanDetailOut, auth=WRITE_AUTH, summary="Change a plan")
def update_plan(request: HttpRequest, code: str, payload: PlanPatch) -> Any:
    plan = selectors.plan_get(code)
    services.plan_update(
        actor=request.user, plan=plan, **_plan_fields(payload.dict(exclude_unset=True))
    )
    return _plan_or_404(code)


@router.delete("/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete a plan")
def delete_plan(request: HttpRequest, code: str) -> Any:
    services.plan_delete(actor=request.user, plan=selectors.plan_get(code))
    return Status(204, None)


@router.get("/{code}/elements", response=list[ElementOut], summary="A plan's outline")
def list_plan_elements(request: HttpRequest, code: str) -> Any:
    """The working outline for the plan's own people; the published one for everyone else."""
    plan = _plan_or_404(code, request.user)
    if permissions.can_view_working_copy(request.user, plan):
        return selectors.element_list(plan=code)
    version = selectors.published_version(plan)
    assert version is not None  # _plan_or_404 let the viewer in, so one is published
    flat: list[PlanElement] = []

    def walk(nodes: list[selectors.OutlineNode]) -> None:
        for node in nodes:
            flat.append(node.element)
            walk(node.children)

    walk(selectors.outline_from_snapshot(plan, version.snapshot))
    return flat


@router.post(
    "/{code}/elements",
    response={201: ElementOut},
    auth=WRITE_AUTH,
    summary="Add an element to a plan's outline",
)
def create_element(request: HttpRequest, code: str, payload: ElementIn) -> Any:
    plan = selectors.plan_get(code)
    data = payload.dict()
    parent_code = data.pop("parent")
    parent = _element(parent_code) if parent_code else None
    element = services.element_create(actor=request.user, plan=plan, parent=parent, **data)
    return Status(201, selectors.element_list().get(pk=element.pk))


@router.get("/{code}/links", response=list[LinkOut], summary="A plan's alignment links")
def list_plan_links(
    request: HttpRequest, code: str, direction: Literal["up", "down"] = "up"
) -> Any:
    plan = _plan_or_404(code, request.user)
    working = permissions.can_view_working_copy(request.user, plan)
    if direction == "down":
        links = selectors.plan_links_down(plan)
        if working:
            return links
        published = selectors.published_plan_ids({link.source_plan_id for link in links})
        return [link for link in links if link.source_plan_id in published]
    if working:
        return selectors.plan_links_up(plan)
    version = selectors.published_version(plan)
    assert version is not None
    return selectors.links_from_snapshot(plan, version.snapshot)


# --- Elements --------------------------------------------------------------------------------


@elements_router.get("", response=list[ElementOut], summary="List plan elements")
@paginate(PagePagination)
def list_elements(request: HttpRequest, plan: str | None = None, kind: str | None = None) -> Any:
    return selectors.element_list(plan=plan, kind=kind, viewer=request.user)


@elements_router.get("/{code}", response=ElementOut, summary="One plan element")
def get_element(request: HttpRequest, code: str) -> Any:
    element = _element(code)
    permissions.ensure_readable(request.user, element.plan)
    return element


@elements_router.patch(
    "/{code}", response=ElementOut, auth=WRITE_AUTH, summary="Change a plan element"
)
def update_element(request: HttpRequest, code: str, payload: ElementPatch) -> Any:
    element = _element(code)
    data = payload.dict(exclude_unset=True)
    if "parent" in data:
        data["parent"] = _element(data["parent"]) if data["parent"] else None
    services.element_update(actor=request.user, element=element, **data)
    return selectors.element_list().get(pk=element.pk)


@elements_router.delete(
    "/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete a plan element"
)
def delete_element(request: HttpRequest, code: str) -> Any:
    services.element_delete(actor=request.user, element=_element(code))
    return Status(204, None)


# --- Alignment links -------------------------------------------------------------------------


@links_router.get("", response=list[LinkOut], summary="List alignment links")
@paginate(PagePagination)
def list_links(
    request: HttpRequest,
    plan: str | None = None,
    target_plan: str | None = None,
    element: str | None = None,
) -> Any:
    return selectors.link_list(
        plan=plan, target_plan=target_plan, element=element, viewer=request.user
    )


@links_router.post("", response={201: LinkOut}, auth=WRITE_AUTH, summary="Create an alignment link")
def create_link(request: HttpRequest, payload: LinkIn) -> Any:
    source_element = _element(payload.source_element) if payload.source_element else None
    source_plan = selectors.plan_get(payload.source_plan) if payload.source_plan else None
    link = services.alignment_link(
        actor=request.user,
        source_element=source_element,
        source_plan=source_plan,
        target=_element(payload.target),
        contribution=payload.contribution,
        rationale=payload.rationale,
        rationale_en=payload.rationale_en,
    )
    return Status(201, _link(link.pk))


@links_router.get("/{link_id}", response=LinkOut, summary="One alignment link")
def get_link(request: HttpRequest, link_id: int) -> Any:
    link = _link(link_id)
    permissions.ensure_readable(request.user, link.source_plan)
    return link


@links_router.patch(
    "/{link_id}", response=LinkOut, auth=WRITE_AUTH, summary="Change an alignment link"
)
def update_link(request: HttpRequest, link_id: int, payload: LinkPatch) -> Any:
    services.alignment_update(actor=request.user, link=_link(link_id), **payload.dict())
    return _link(link_id)


@links_router.delete(
    "/{link_id}", response={204: None}, auth=WRITE_AUTH, summary="Delete an alignment link"
)
def delete_link(request: HttpRequest, link_id: int) -> Any:
    services.alignment_unlink(actor=request.user, link=_link(link_id))
    return Status(204, None)


# --- Reports ---------------------------------------------------------------------------------


def _brief(element: PlanElement) -> dict[str, Any]:
    return {
        "code": element.code,
        "kind": element.kind,
        "number": element.number,
        "title_th": element.title_th,
        "title_en": element.title_en,
        "content_recorded": element.content_recorded,
    }


@reports_router.get(
    "/chain/{element_code}",
    response=ChainOut,
    summary="The alignment chain from an element up to the National Strategy",
)
def chain_report(request: HttpRequest, element_code: str) -> Any:
    element = _element(element_code)
    permissions.ensure_readable(request.user, element.plan)
    chain = selectors.alignment_chain(element, viewer=request.user)
    return {
        "start": element_code,
        "reaches_national_strategy": chain.reaches_national_strategy,
        "levels_reached": chain.levels_reached,
        "truncated": chain.truncated,
        "paths": [
            [
                {
                    **_brief(step.element),
                    "plan": step.element.plan.code,
                    "plan_name_th": step.element.plan.name_th,
                    "level": step.element.plan.level,
                    "relation": step.relation,
                    "contribution": step.contribution,
                }
                for step in path
            ]
            for path in chain.paths
        ],
    }


@reports_router.get(
    "/matrix", response=MatrixOut, summary="One plan's elements × a higher plan's strategies"
)
def matrix_report(
    request: HttpRequest, plan: str, higher_plan: str, depth: int = Query(0, ge=0, le=7)
) -> Any:
    rows_plan = _plan_or_404(plan, request.user)
    columns_plan = _plan_or_404(higher_plan, request.user)
    matrix = selectors.alignment_matrix(
        rows_plan, columns_plan, row_depth=depth, viewer=request.user
    )
    return {
        "plan": plan,
        "higher_plan": higher_plan,
        "rows": [_brief(e) for e in matrix.rows],
        "columns": [_brief(e) for e in matrix.columns],
        "cells": [[cell.kind for cell in row] for row in matrix.cells],
    }


@reports_router.get(
    "/gaps/{plan_code}",
    response=GapsOut,
    summary="Elements no plan below serves, and elements that serve nothing above",
)
def gaps_report(
    request: HttpRequest,
    plan_code: str,
    level: int | None = Query(None, ge=1, le=3),
    depth: int = Query(0, ge=0, le=7),
) -> Any:
    gaps = selectors.alignment_gaps(
        _plan_or_404(plan_code, request.user), level=level, depth=depth, viewer=request.user
    )
    return {
        "plan": plan_code,
        "level": level,
        "served": [
            {
                "element": _brief(s.element),
                "strongest": s.strongest,
                "plans": [{"plan": p.code, "level": p.level, "how": how} for p, how in s.plans],
            }
            for s in gaps.served
        ],
        "unserved": [_brief(e) for e in gaps.unserved],
        "serving_nothing": [_brief(e) for e in gaps.serving_nothing],
    }


# --- Lifecycle and versions ------------------------------------------------------------------


class TransitionIn(Schema):
    deciding_organisation: str | None = Field(
        None, description="Organisation code of the deciding body (required to submit)"
    )
    deciding_body: str = ""
    decision_date: date | None = None
    resolution_number: str = ""
    note: str = ""


class DecisionOut(Schema):
    transition: str
    from_status: str
    to_status: str
    actor: str = Field(..., alias="actor_repr")
    deciding_body: str
    deciding_organisation: str | None = Field(None, alias="deciding_organisation.code")
    decision_date: date | None
    resolution_number: str
    note: str
    created_at: datetime
    version: int | None = None

    @staticmethod
    def resolve_version(obj: PlanDecision) -> int | None:
        version = getattr(obj, "version", None)
        return version.number if version else None


class VersionOut(Schema):
    number: int
    kind: str
    created_at: datetime
    snapshot: dict[str, Any]


class VersionBrief(Schema):
    number: int
    kind: str
    created_at: datetime


class ChangeOut(Schema):
    key: str
    kind: str
    fields: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class DiffOut(Schema):
    old: str
    new: str
    plan_fields: list[list[Any]]
    elements: list[ChangeOut]
    links: list[ChangeOut]


@router.post(
    "/{code}/transitions/{name}",
    response=DecisionOut,
    auth=WRITE_AUTH,
    summary="Take a lifecycle step (submit, approve, return, revise …)",
)
def transition_plan(request: HttpRequest, code: str, name: str, payload: TransitionIn) -> Any:
    plan = _plan_or_404(code)
    data = payload.dict()
    deciding = data.pop("deciding_organisation")
    related = selectors.resolve_codes(owner=deciding) if deciding else {}
    return services.plan_transition(
        actor=request.user,
        plan=plan,
        name=name,
        deciding_organisation=related.get("owner"),
        **data,
    )


@router.get("/{code}/decisions", response=list[DecisionOut], summary="A plan's lifecycle steps")
def list_decisions(request: HttpRequest, code: str) -> Any:
    plan = _plan_or_404(code, request.user)
    permissions.ensure(
        permissions.can_view_working_copy(request.user, plan) or bool(selectors.version_list(plan)),
        request.user,
        "plan.read_decisions",
        plan,
    )
    return selectors.decision_list(plan)


@router.get("/{code}/versions", response=list[VersionBrief], summary="A plan's versions")
def list_versions(request: HttpRequest, code: str) -> Any:
    return selectors.version_list(_plan_or_404(code, request.user))


@router.get("/{code}/versions/diff", response=DiffOut, summary="Compare two versions")
def diff_versions(request: HttpRequest, code: str, old: str, new: str) -> Any:
    plan = _plan_or_404(code, request.user)

    def pick(key: str) -> dict[str, Any]:
        if key == "working":
            permissions.ensure(
                permissions.can_view_working_copy(request.user, plan),
                request.user,
                "plan.read_working_copy",
                plan,
            )
            return selectors.plan_snapshot(plan)
        if not key.isdigit():
            raise NotFound(PlanError.VERSION_NOT_FOUND, _("Give a version number or “working”."))
        return selectors.version_get(plan, int(key)).snapshot

    diff = selectors.version_diff(pick(old), pick(new))
    return {
        "old": old,
        "new": new,
        "plan_fields": [list(row) for row in diff.plan_fields],
        "elements": [{**vars(c), "fields": c.fields} for c in diff.elements],
        "links": [{**vars(c), "fields": c.fields} for c in diff.links],
    }


@router.get("/{code}/versions/{number}", response=VersionOut, summary="One frozen version")
def get_version(request: HttpRequest, code: str, number: int) -> Any:
    return selectors.version_get(_plan_or_404(code, request.user), number)
