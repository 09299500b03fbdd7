"""JSON API for delivery, mounted at /api/delivery: projects with their budget lines, milestones,
partners, plan elements and progress reports; agreements (MoUs) with their parties and
documents; area programmes with their provinces; smart city zones and their steps; digital
community centres; budget summaries; and plan elements' implementation progress.

Thin: parse, call one service or selector, shape the answer. Reads are open (these are public
records); writes take `auth=WRITE_AUTH` and answer 401 without a session or token. Domain
errors become `{"code", "message", "detail"}` in `phaen/api/errors.py`; input that fails the
schema answers 422 `invalid_input`. Fiscal years are BE years (2569); amounts are baht; dates
are ISO (CE). Codes name related rows; an unknown code answers 422 `unknown_code` on its field.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from phaen.api.auth import WRITE_AUTH
from phaen.api.pagination import PagePagination
from phaen.core.errors import NotFound
from phaen.core.uploads import protected_file_response
from phaen.plans import selectors as plan_selectors
from phaen.plans.permissions import ensure_readable
from phaen.projects import selectors, services
from phaen.projects.errors import AgreementError
from phaen.projects.models import (
    Agreement,
    AgreementDocument,
    AreaProgramme,
    BudgetLine,
    DigitalCommunityCentre,
    Milestone,
    ProgressReport,
    Project,
    SmartCityDecision,
    SmartCityZone,
)
from phaen.projects.progress import plan_progress

router = Router(tags=["delivery"])
projects_router = Router(tags=["projects"])
agreements_router = Router(tags=["agreements"])
programmes_router = Router(tags=["area programmes"])
zones_router = Router(tags=["smart city zones"])
centres_router = Router(tags=["community centres"])
summaries_router = Router(tags=["delivery summaries"])


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# --- Shared schemas --------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name_th: str
    name_en: str = ""


class SourceOut(Schema):
    key: str
    title: str
    url: str
    publisher: str


class ElementRef(Schema):
    code: str
    plan: str = Field(..., alias="plan.code")
    number: str
    title_th: str
    title_en: str


class BudgetTotalsOut(Schema):
    fiscal_year: int | None
    planned: float
    allocated: float
    committed: float
    disbursed: float
    disbursement_rate: float | None


def _totals(row: selectors.BudgetTotals) -> dict[str, Any]:
    return {
        "fiscal_year": row.fiscal_year,
        "planned": float(row.planned),
        "allocated": float(row.allocated),
        "committed": float(row.committed),
        "disbursed": float(row.disbursed),
        "disbursement_rate": _num(row.disbursement_rate),
    }


# --- Projects: schemas -----------------------------------------------------------------------


class PartnerOut(Schema):
    id: int
    organisation: Ref
    role: str


class AlignmentOut(Schema):
    id: int
    element: ElementRef
    weight: float

    @staticmethod
    def resolve_weight(obj: Any) -> float:
        return float(obj.weight)


class MilestoneOut(Schema):
    id: int
    name: str
    due_date: date | None
    done_date: date | None
    status: str
    position: int


class ReportOut(Schema):
    id: int
    fiscal_year: int
    quarter: int
    progress: float
    summary: str
    problems: str
    reporter: str | None = None

    @staticmethod
    def resolve_progress(obj: ProgressReport) -> float:
        return float(obj.progress)

    @staticmethod
    def resolve_reporter(obj: ProgressReport) -> str | None:
        return obj.reporter.get_username() if obj.reporter else None


class BudgetLineOut(Schema):
    id: int
    project: str = Field(..., alias="project.code")
    fiscal_year: int
    category: str
    funding_source: str
    planned: float | None
    allocated: float | None
    committed: float | None
    disbursed: float | None
    note: str

    @staticmethod
    def resolve_planned(obj: BudgetLine) -> float | None:
        return _num(obj.planned)

    @staticmethod
    def resolve_allocated(obj: BudgetLine) -> float | None:
        return _num(obj.allocated)

    @staticmethod
    def resolve_committed(obj: BudgetLine) -> float | None:
        return _num(obj.committed)

    @staticmethod
    def resolve_disbursed(obj: BudgetLine) -> float | None:
        return _num(obj.disbursed)


class ProjectOut(Schema):
    code: str
    name_th: str
    name_en: str
    kind: str
    parent: str | None = Field(None, alias="parent.code")
    is_flagship: bool
    owner: Ref
    status: str
    start_date: date | None
    end_date: date | None
    area_level: str
    region: str | None = Field(None, alias="region.code")
    special_zone: str | None = Field(None, alias="special_zone.code")
    provinces: list[Ref]
    progress: float | None
    weight: float
    budget_planned: float | None = None
    budget_allocated: float | None = None

    @staticmethod
    def resolve_provinces(obj: Project) -> list[Any]:
        return list(obj.provinces.all())

    @staticmethod
    def resolve_progress(obj: Project) -> float | None:
        return _num(obj.progress)

    @staticmethod
    def resolve_weight(obj: Project) -> float:
        return float(obj.weight)

    @staticmethod
    def resolve_budget_planned(obj: Project) -> float | None:
        return _num(getattr(obj, "budget_planned", None))

    @staticmethod
    def resolve_budget_allocated(obj: Project) -> float | None:
        return _num(getattr(obj, "budget_allocated", None))


class ProjectDetailOut(ProjectOut):
    description: str
    partners: list[PartnerOut]
    elements: list[AlignmentOut]
    indicators: list[Ref]
    milestones: list[MilestoneOut]
    reports: list[ReportOut]
    budget_lines: list[BudgetLineOut]
    budget_years: list[BudgetTotalsOut]
    sources: list[SourceOut]
    agreements: list[str]

    @staticmethod
    def resolve_partners(obj: Project) -> list[Any]:
        return list(obj.partners.all())

    @staticmethod
    def resolve_elements(obj: Project) -> list[Any]:
        return list(obj.alignments.all())

    @staticmethod
    def resolve_indicators(obj: Project) -> list[Any]:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_milestones(obj: Project) -> list[Any]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_reports(obj: Project) -> list[Any]:
        return list(obj.reports.all())

    @staticmethod
    def resolve_budget_lines(obj: Project) -> list[Any]:
        return list(obj.budget_lines.all())

    @staticmethod
    def resolve_budget_years(obj: Project) -> list[Any]:
        return [_totals(row) for row in selectors.budget_years(obj.budget_lines.all())]

    @staticmethod
    def resolve_sources(obj: Project) -> list[Any]:
        return list(obj.sources.all())

    @staticmethod
    def resolve_agreements(obj: Project) -> list[str]:
        return [a.code for a in obj.agreements.all()]


class ProjectFilter(Schema):
    q: str | None = Field(None, description="Thai or English words in the name, owner or area")
    status: str | None = None
    kind: str | None = Field(None, description="project or programme")
    flagship: bool | None = None
    owner: str | None = Field(None, description="Organisation code")
    province: str | None = Field(None, description="Two-digit province code")
    plan: str | None = Field(None, description="Projects serving any element of this plan")
    element: str | None = Field(None, description="Serving this element or one below it")
    fiscal_year: int | None = Field(None, description="BE: budgeted that year, or running then")
    parent: str | None = Field(None, description="The programme's code")

    def selector_filters(self) -> dict[str, Any]:
        data = self.dict()
        data["search"] = data.pop("q")
        return {k: v for k, v in data.items() if v is not None}


class PartnerIn(Schema):
    organisation: str = Field(..., description="Organisation code")
    role: str = "partner"


class AlignmentIn(Schema):
    element: str = Field(..., description="Plan element code")
    weight: Decimal = Field(Decimal(1), ge=0)


class ProjectIn(Schema):
    code: str
    name_th: str
    name_en: str = ""
    description: str = ""
    kind: str = "project"
    parent: str = Field("", description="Code of the programme it belongs to")
    is_flagship: bool = False
    owner: str
    status: str = "planned"
    start_date: date | None = None
    end_date: date | None = None
    area_level: str = "nation"
    region: str = ""
    special_zone: str = ""
    provinces: list[str] = []
    indicators: list[str] = []
    sources: list[str] = []
    partners: list[PartnerIn] = []
    elements: list[AlignmentIn] = []
    weight: Decimal = Decimal(1)


class ProjectPatch(Schema):
    code: str | None = None
    name_th: str | None = None
    name_en: str | None = None
    description: str | None = None
    kind: str | None = None
    parent: str | None = None
    is_flagship: bool | None = None
    owner: str | None = None
    status: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    area_level: str | None = None
    region: str | None = None
    special_zone: str | None = None
    provinces: list[str] | None = None
    indicators: list[str] | None = None
    sources: list[str] | None = None
    partners: list[PartnerIn] | None = None
    elements: list[AlignmentIn] | None = None
    weight: Decimal | None = None


class BudgetLineIn(Schema):
    fiscal_year: int = Field(..., description="BE, e.g. 2569")
    category: str = "other"
    funding_source: str = "government"
    planned: Decimal | None = None
    allocated: Decimal | None = None
    committed: Decimal | None = None
    disbursed: Decimal | None = None
    note: str = ""


class BudgetLinePatch(Schema):
    fiscal_year: int | None = None
    category: str | None = None
    funding_source: str | None = None
    planned: Decimal | None = None
    allocated: Decimal | None = None
    committed: Decimal | None = None
    disbursed: Decimal | None = None
    note: str | None = None


class ReportIn(Schema):
    fiscal_year: int = Field(..., description="BE, e.g. 2569")
    quarter: int = Field(..., description="1 (Oct–Dec) to 4 (Jul–Sep)")
    progress: Decimal = Field(..., description="Percent, 0 to 100")
    summary: str = ""
    problems: str = ""


class ReportPatch(Schema):
    fiscal_year: int | None = None
    quarter: int | None = None
    progress: Decimal | None = None
    summary: str | None = None
    problems: str | None = None


class MilestoneIn(Schema):
    name: str
    due_date: date | None = None
    done_date: date | None = None
    status: str = "pending"
    position: int | None = Field(None, ge=0)


class MilestonePatch(Schema):
    name: str | None = None
    due_date: date | None = None
    done_date: date | None = None
    status: str | None = None
    position: int | None = Field(None, ge=0)


class WeightIn(Schema):
    weight: Decimal = Field(..., ge=0)


PROJECT_CODES = {
    "owner": "owner",
    "parent": "parent",
    "region": "region",
    "special_zone": "special_zone",
    "provinces": "provinces",
    "indicators": "indicators",
    "sources": "sources",
}


def _project_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the API's codes into service arguments (rows, and (row, value) pairs)."""
    codes = {name: data.pop(name) for name in PROJECT_CODES if name in data}
    data.update(selectors.resolve_fields(codes, PROJECT_CODES))
    partners = data.pop("partners", None)
    if partners is not None:
        found = selectors.resolve_fields(
            {"partners": [p["organisation"] for p in partners]}, {"partners": "organisations"}
        )["partners"]
        data["partners"] = [(org, p["role"]) for org, p in zip(found, partners, strict=True)]
    elements = data.pop("elements", None)
    if elements is not None:
        found = selectors.resolve_fields(
            {"elements": [e["element"] for e in elements]}, {"elements": "elements"}
        )["elements"]
        data["alignments"] = [(el, e["weight"]) for el, e in zip(found, elements, strict=True)]
    return data


def _project(code: str) -> Project:
    return selectors.project_detail(code)


# --- Projects: endpoints ---------------------------------------------------------------------


@projects_router.get("", response=list[ProjectOut], summary="List projects and programmes")
@paginate(PagePagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFilter]) -> Any:
    return selectors.project_list(**filters.selector_filters())


@projects_router.post(
    "", response={201: ProjectDetailOut}, auth=WRITE_AUTH, summary="Create a project"
)
def create_project(request: HttpRequest, payload: ProjectIn) -> Any:
    project = services.project_create(actor=request.user, **_project_fields(payload.dict()))
    return Status(201, _project(project.code))


@projects_router.get("/{code}", response=ProjectDetailOut, summary="One project, in full")
def get_project(request: HttpRequest, code: str) -> Any:
    return _project(code)


@projects_router.patch(
    "/{code}", response=ProjectDetailOut, auth=WRITE_AUTH, summary="Change a project"
)
def update_project(request: HttpRequest, code: str, payload: ProjectPatch) -> Any:
    project = selectors.project_get(code)
    data = _project_fields(payload.dict(exclude_unset=True))
    saved = services.project_update(actor=request.user, project=project, **data)
    return _project(saved.code)


@projects_router.delete(
    "/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete a project"
)
def delete_project(request: HttpRequest, code: str) -> Any:
    services.project_delete(actor=request.user, project=selectors.project_get(code))
    return Status(204, None)


@projects_router.get(
    "/{code}/budget-lines", response=list[BudgetLineOut], summary="A project's budget lines"
)
def list_budget_lines(request: HttpRequest, code: str) -> Any:
    return list(_project(code).budget_lines.all())


@projects_router.post(
    "/{code}/budget-lines",
    response={201: BudgetLineOut},
    auth=WRITE_AUTH,
    summary="Add a budget line (one fiscal year, category and funding source)",
)
def create_budget_line(request: HttpRequest, code: str, payload: BudgetLineIn) -> Any:
    project = selectors.project_get(code)
    line = services.budget_line_create(actor=request.user, project=project, **payload.dict())
    return Status(201, line)


@projects_router.patch(
    "/{code}/budget-lines/{line_id}",
    response=BudgetLineOut,
    auth=WRITE_AUTH,
    summary="Change a budget line (data reporters: committed and disbursed only)",
)
def update_budget_line(
    request: HttpRequest, code: str, line_id: int, payload: BudgetLinePatch
) -> Any:
    line = selectors.budget_line_get(selectors.project_get(code), line_id)
    return services.budget_line_update(
        actor=request.user, line=line, **payload.dict(exclude_unset=True)
    )


@projects_router.delete(
    "/{code}/budget-lines/{line_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Delete a budget line",
)
def delete_budget_line(request: HttpRequest, code: str, line_id: int) -> Any:
    line = selectors.budget_line_get(selectors.project_get(code), line_id)
    services.budget_line_delete(actor=request.user, line=line)
    return Status(204, None)


@projects_router.get(
    "/{code}/reports", response=list[ReportOut], summary="A project's progress reports"
)
def list_reports(request: HttpRequest, code: str) -> Any:
    return list(_project(code).reports.all())


@projects_router.post(
    "/{code}/reports",
    response={201: ReportOut},
    auth=WRITE_AUTH,
    summary="File a quarterly progress report (sets the project's progress)",
)
def create_report(request: HttpRequest, code: str, payload: ReportIn) -> Any:
    project = selectors.project_get(code)
    report = services.progress_report_create(actor=request.user, project=project, **payload.dict())
    return Status(201, report)


@projects_router.patch(
    "/{code}/reports/{report_id}",
    response=ReportOut,
    auth=WRITE_AUTH,
    summary="Correct a progress report",
)
def update_report(request: HttpRequest, code: str, report_id: int, payload: ReportPatch) -> Any:
    report = selectors.report_get(selectors.project_get(code), report_id)
    return services.progress_report_update(
        actor=request.user, report=report, **payload.dict(exclude_unset=True)
    )


@projects_router.delete(
    "/{code}/reports/{report_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Delete a progress report",
)
def delete_report(request: HttpRequest, code: str, report_id: int) -> Any:
    report = selectors.report_get(selectors.project_get(code), report_id)
    services.progress_report_delete(actor=request.user, report=report)
    return Status(204, None)


@projects_router.get(
    "/{code}/milestones", response=list[MilestoneOut], summary="A project's timeline"
)
def list_milestones(request: HttpRequest, code: str) -> Any:
    return list(_project(code).milestones.all())


@projects_router.post(
    "/{code}/milestones",
    response={201: MilestoneOut},
    auth=WRITE_AUTH,
    summary="Add a milestone",
)
def create_milestone(request: HttpRequest, code: str, payload: MilestoneIn) -> Any:
    project = selectors.project_get(code)
    milestone = services.milestone_create(actor=request.user, project=project, **payload.dict())
    return Status(201, milestone)


@projects_router.patch(
    "/{code}/milestones/{milestone_id}",
    response=MilestoneOut,
    auth=WRITE_AUTH,
    summary="Change a milestone",
)
def update_milestone(
    request: HttpRequest, code: str, milestone_id: int, payload: MilestonePatch
) -> Any:
    milestone: Milestone = selectors.milestone_get(selectors.project_get(code), milestone_id)
    return services.milestone_update(
        actor=request.user, milestone=milestone, **payload.dict(exclude_unset=True)
    )


@projects_router.delete(
    "/{code}/milestones/{milestone_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Delete a milestone",
)
def delete_milestone(request: HttpRequest, code: str, milestone_id: int) -> Any:
    milestone = selectors.milestone_get(selectors.project_get(code), milestone_id)
    services.milestone_delete(actor=request.user, milestone=milestone)
    return Status(204, None)


@projects_router.post(
    "/{code}/partners",
    response={201: PartnerOut},
    auth=WRITE_AUTH,
    summary="Add a partner organisation in a role",
)
def add_partner(request: HttpRequest, code: str, payload: PartnerIn) -> Any:
    project = selectors.project_get(code)
    organisation = selectors.resolve_codes(organisation=payload.organisation)["organisation"]
    partner = services.project_partner_add(
        actor=request.user, project=project, organisation=organisation, role=payload.role
    )
    return Status(201, partner)


@projects_router.delete(
    "/{code}/partners/{partner_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove a partner",
)
def remove_partner(request: HttpRequest, code: str, partner_id: int) -> Any:
    partner = selectors.partner_get(selectors.project_get(code), partner_id)
    services.project_partner_remove(actor=request.user, partner=partner)
    return Status(204, None)


@projects_router.post(
    "/{code}/elements",
    response={201: AlignmentOut},
    auth=WRITE_AUTH,
    summary="Link the project to a plan element it serves, with its weight",
)
def add_alignment(request: HttpRequest, code: str, payload: AlignmentIn) -> Any:
    project = selectors.project_get(code)
    element = selectors.resolve_codes(element=payload.element)["element"]
    alignment = services.project_align(
        actor=request.user, project=project, element=element, weight=payload.weight
    )
    return Status(201, alignment)


@projects_router.patch(
    "/{code}/elements/{alignment_id}",
    response=AlignmentOut,
    auth=WRITE_AUTH,
    summary="Change the weight of a link to a plan element",
)
def update_alignment(request: HttpRequest, code: str, alignment_id: int, payload: WeightIn) -> Any:
    alignment = selectors.alignment_get(selectors.project_get(code), alignment_id)
    return services.project_alignment_update(
        actor=request.user, alignment=alignment, weight=payload.weight
    )


@projects_router.delete(
    "/{code}/elements/{alignment_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove a link to a plan element",
)
def remove_alignment(request: HttpRequest, code: str, alignment_id: int) -> Any:
    alignment = selectors.alignment_get(selectors.project_get(code), alignment_id)
    services.project_unalign(actor=request.user, alignment=alignment)
    return Status(204, None)


# --- Budget lines across projects, summaries and progress ------------------------------------


class BudgetLineFilter(ProjectFilter):
    line_fiscal_year: int | None = Field(None, description="Keep only the lines of this BE year")


@router.get(
    "/budget-lines",
    response=list[BudgetLineOut],
    summary="Budget lines of the projects the filters select",
    tags=["projects"],
)
@paginate(PagePagination)
def list_all_budget_lines(request: HttpRequest, filters: Query[BudgetLineFilter]) -> Any:
    data = filters.selector_filters()
    line_year = data.pop("line_fiscal_year", None)
    return selectors.budget_line_list(fiscal_year=line_year, **data)


class SummaryFilter(Schema):
    plan: str | None = Field(None, description="Projects serving any element of this plan")
    element: str | None = None
    province: str | None = None
    owner: str | None = None
    flagship: bool | None = None


class StatusCount(Schema):
    status: str
    count: int


class StrategyOut(Schema):
    element: ElementRef
    years: list[BudgetTotalsOut]
    total: BudgetTotalsOut


class ProgressOut(Schema):
    element: str
    parent: str | None
    depth: int
    number: str
    title_th: str
    progress: float | None


class PlanProgressOut(Schema):
    plan: str
    progress: float | None
    excluded_statuses: list[str]
    elements: list[ProgressOut]


@summaries_router.get(
    "/budget-by-fiscal-year",
    response=list[BudgetTotalsOut],
    summary="Budget per fiscal year of the projects the filters select",
)
def budget_by_fiscal_year(request: HttpRequest, filters: Query[SummaryFilter]) -> Any:
    data = {k: v for k, v in filters.dict().items() if v is not None}
    return [_totals(row) for row in selectors.budget_by_fiscal_year(**data)]


@summaries_router.get(
    "/budget-by-strategy/{plan_code}",
    response=list[StrategyOut],
    summary="Budget per fiscal year of the projects serving each top-level element of a plan",
)
def budget_by_strategy(
    request: HttpRequest,
    plan_code: str,
    fiscal_year: int | None = None,
    province: str | None = None,
    owner: str | None = None,
) -> Any:
    plan = plan_selectors.plan_get(plan_code)
    ensure_readable(request.user, plan)
    entries = selectors.budget_by_strategy(
        plan, fiscal_year=fiscal_year, province=province, owner=owner
    )
    return [
        {
            "element": entry.element,
            "years": [_totals(row) for row in entry.years],
            "total": _totals(entry.total),
        }
        for entry in entries
    ]


@summaries_router.get(
    "/projects-by-status", response=list[StatusCount], summary="How many projects per status"
)
def projects_by_status(request: HttpRequest, filters: Query[SummaryFilter]) -> Any:
    data = {k: v for k, v in filters.dict().items() if v is not None}
    counts = selectors.projects_by_status(**data)
    return [{"status": status, "count": count} for status, count in counts.items()]


@summaries_router.get(
    "/smart-city-stages", response=list[StatusCount], summary="How many zones per stage"
)
def smart_city_stages(
    request: HttpRequest, programme: str | None = None, province: str | None = None
) -> Any:
    counts = selectors.smart_city_zone_counts(programme=programme, province=province)
    return [{"status": stage, "count": count} for stage, count in counts.items()]


@router.get(
    "/plans/{plan_code}/progress",
    response=PlanProgressOut,
    summary="Implementation progress of a plan's elements, from the projects serving them",
    tags=["delivery summaries"],
)
def plan_element_progress(request: HttpRequest, plan_code: str) -> Any:
    """Each element's progress is the weighted mean of its sub-elements (weight 1) and of the
    projects linked to it (the link's weight); see `phaen.projects.progress.element_progress`.
    An element with nothing measured has `null`."""
    plan = plan_selectors.plan_get(plan_code)
    ensure_readable(request.user, plan)
    rows = selectors.progress_rows(plan)
    values = {element.pk: value for element, value in rows}
    codes = {element.pk: element.code for element, _value in rows}
    return {
        "plan": plan.code,
        "progress": _num(plan_progress(plan, values)),
        "excluded_statuses": list(settings.PHAEN_PROGRESS_EXCLUDED_STATUSES),
        "elements": [
            {
                "element": element.code,
                "parent": codes.get(element.parent_id) if element.parent_id else None,
                "depth": element.depth,
                "number": element.number,
                "title_th": element.title_th,
                "progress": _num(value),
            }
            for element, value in rows
        ],
    }


# --- Agreements ------------------------------------------------------------------------------


class PartyOut(Schema):
    id: int
    organisation: Ref
    role: str
    signatory_name: str
    signatory_position: str
    position: int


class DocumentOut(Schema):
    id: int
    title: str
    file_name: str
    url: str
    download: str | None = None

    @staticmethod
    def resolve_download(obj: AgreementDocument) -> str | None:
        if not obj.file:
            return None
        return reverse(
            "api:get_document_file", kwargs={"code": obj.agreement.code, "document_id": obj.pk}
        )


class AgreementOut(Schema):
    code: str
    title_th: str
    title_en: str
    status: str
    signed_on: date | None
    signed_place: str
    start_date: date | None
    end_date: date | None
    dimensions: list[str]
    province: str | None = Field(None, alias="province.code")
    programme: str | None = Field(None, alias="programme.code")
    owner: Ref
    parties: list[PartyOut]

    @staticmethod
    def resolve_parties(obj: Agreement) -> list[Any]:
        return list(obj.parties.all())


class AgreementDetailOut(AgreementOut):
    aims: str
    projects: list[str]
    elements: list[ElementRef]
    documents: list[DocumentOut]
    sources: list[SourceOut]

    @staticmethod
    def resolve_projects(obj: Agreement) -> list[str]:
        return [p.code for p in obj.projects.all()]

    @staticmethod
    def resolve_elements(obj: Agreement) -> list[Any]:
        return list(obj.elements.all())

    @staticmethod
    def resolve_documents(obj: Agreement) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_sources(obj: Agreement) -> list[Any]:
        return list(obj.sources.all())


class AgreementFilter(Schema):
    q: str | None = None
    status: str | None = None
    province: str | None = None
    owner: str | None = Field(None, description="Code of the organisation that recorded it")
    party: str | None = Field(None, description="Code of a party")
    project: str | None = None
    plan: str | None = None
    signed_year: int | None = Field(None, description="BE year of signing")


class PartyIn(Schema):
    organisation: str
    role: str = "party"
    signatory_name: str = ""
    signatory_position: str = ""


class PartyPatch(Schema):
    role: str | None = None
    signatory_name: str | None = None
    signatory_position: str | None = None
    position: int | None = Field(None, ge=0)


class AgreementIn(Schema):
    code: str
    title_th: str
    title_en: str = ""
    owner: str = Field(..., description="Code of the organisation that records it")
    status: str = "signed"
    signed_on: date | None = None
    signed_place: str = ""
    start_date: date | None = None
    end_date: date | None = None
    aims: str = ""
    dimensions: list[str] = []
    province: str = ""
    programme: str = Field("", description="Code of a programme (a project of kind programme)")
    projects: list[str] = []
    elements: list[str] = []
    sources: list[str] = []
    parties: list[PartyIn] = []


class AgreementPatch(Schema):
    code: str | None = None
    title_th: str | None = None
    title_en: str | None = None
    owner: str | None = None
    status: str | None = None
    signed_on: date | None = None
    signed_place: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    aims: str | None = None
    dimensions: list[str] | None = None
    province: str | None = None
    programme: str | None = None
    projects: list[str] | None = None
    elements: list[str] | None = None
    sources: list[str] | None = None
    parties: list[PartyIn] | None = None


AGREEMENT_CODES = {
    "owner": "owner",
    "province": "province",
    "programme": "programme_project",
    "projects": "projects",
    "elements": "elements",
    "sources": "sources",
}


def _agreement_fields(data: dict[str, Any]) -> dict[str, Any]:
    codes = {name: data.pop(name) for name in AGREEMENT_CODES if name in data}
    data.update(selectors.resolve_fields(codes, AGREEMENT_CODES))
    parties = data.pop("parties", None)
    if parties is not None:
        found = selectors.resolve_fields(
            {"parties": [p["organisation"] for p in parties]}, {"parties": "organisations"}
        )["parties"]
        data["parties"] = [
            {**party, "organisation": org} for org, party in zip(found, parties, strict=True)
        ]
    return data


@agreements_router.get("", response=list[AgreementOut], summary="List agreements (MoUs)")
@paginate(PagePagination)
def list_agreements(request: HttpRequest, filters: Query[AgreementFilter]) -> Any:
    data = filters.dict()
    data["search"] = data.pop("q")
    return selectors.agreement_list(**{k: v for k, v in data.items() if v is not None})


@agreements_router.post(
    "", response={201: AgreementDetailOut}, auth=WRITE_AUTH, summary="Record an agreement"
)
def create_agreement(request: HttpRequest, payload: AgreementIn) -> Any:
    agreement = services.agreement_create(actor=request.user, **_agreement_fields(payload.dict()))
    return Status(201, selectors.agreement_detail(agreement.code))


@agreements_router.get("/{code}", response=AgreementDetailOut, summary="One agreement, in full")
def get_agreement(request: HttpRequest, code: str) -> Any:
    return selectors.agreement_detail(code)


@agreements_router.patch(
    "/{code}", response=AgreementDetailOut, auth=WRITE_AUTH, summary="Change an agreement"
)
def update_agreement(request: HttpRequest, code: str, payload: AgreementPatch) -> Any:
    agreement = selectors.agreement_get(code)
    saved = services.agreement_update(
        actor=request.user,
        agreement=agreement,
        **_agreement_fields(payload.dict(exclude_unset=True)),
    )
    return selectors.agreement_detail(saved.code)


@agreements_router.delete(
    "/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete an agreement"
)
def delete_agreement(request: HttpRequest, code: str) -> Any:
    services.agreement_delete(actor=request.user, agreement=selectors.agreement_get(code))
    return Status(204, None)


@agreements_router.post(
    "/{code}/parties", response={201: PartyOut}, auth=WRITE_AUTH, summary="Add a party"
)
def add_party(request: HttpRequest, code: str, payload: PartyIn) -> Any:
    agreement = selectors.agreement_get(code)
    data = payload.dict()
    data.update(selectors.resolve_codes(organisation=data.pop("organisation")))
    party = services.agreement_party_add(actor=request.user, agreement=agreement, **data)
    return Status(201, party)


@agreements_router.patch(
    "/{code}/parties/{party_id}", response=PartyOut, auth=WRITE_AUTH, summary="Change a party"
)
def update_party(request: HttpRequest, code: str, party_id: int, payload: PartyPatch) -> Any:
    party = selectors.party_get(selectors.agreement_get(code), party_id)
    return services.agreement_party_update(
        actor=request.user, party=party, **payload.dict(exclude_unset=True)
    )


@agreements_router.delete(
    "/{code}/parties/{party_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove a party",
)
def remove_party(request: HttpRequest, code: str, party_id: int) -> Any:
    party = selectors.party_get(selectors.agreement_get(code), party_id)
    services.agreement_party_remove(actor=request.user, party=party)
    return Status(204, None)


@agreements_router.post(
    "/{code}/documents",
    response={201: DocumentOut},
    auth=WRITE_AUTH,
    summary="Attach a document: a file (multipart, field `file`) or a link (`url`)",
)
def add_document(
    request: HttpRequest,
    code: str,
    title: Form[str],
    url: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> Any:
    agreement = selectors.agreement_get(code)
    document = services.agreement_document_add(
        actor=request.user, agreement=agreement, title=title, upload=file, url=url
    )
    return Status(201, document)


@agreements_router.get(
    "/{code}/documents/{document_id}/file", summary="Download an agreement's document"
)
def get_document_file(request: HttpRequest, code: str, document_id: int) -> HttpResponseBase:
    document = selectors.document_get(selectors.agreement_get(code), document_id)
    if not document.file:
        raise NotFound(
            AgreementError.DOCUMENT_NOT_FOUND,
            _("This document is a link to where it is published; it has no file here."),
        )
    return protected_file_response(document.file, filename=document.file_name or None)


@agreements_router.delete(
    "/{code}/documents/{document_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove a document",
)
def remove_document(request: HttpRequest, code: str, document_id: int) -> Any:
    document = selectors.document_get(selectors.agreement_get(code), document_id)
    services.agreement_document_remove(actor=request.user, document=document)
    return Status(204, None)


# --- Area programmes -------------------------------------------------------------------------


class ProgrammeProvinceOut(Schema):
    province: Ref
    plan: str | None = Field(None, alias="plan.code")
    note: str


class ProgrammeOut(Schema):
    code: str
    name_th: str
    name_en: str
    kind: str
    owner: Ref
    plan: str | None = Field(None, alias="plan.code")
    province_count: int = 0
    zone_count: int = 0
    centre_count: int = 0


class ProgrammeDetailOut(ProgrammeOut):
    description: str
    provinces: list[ProgrammeProvinceOut]
    sources: list[SourceOut]

    @staticmethod
    def resolve_provinces(obj: AreaProgramme) -> list[Any]:
        return list(obj.programme_provinces.all())

    @staticmethod
    def resolve_sources(obj: AreaProgramme) -> list[Any]:
        return list(obj.sources.all())


class ProgrammeIn(Schema):
    code: str
    name_th: str
    name_en: str = ""
    kind: str
    owner: str
    plan: str = ""
    description: str = ""
    sources: list[str] = []


class ProgrammePatch(Schema):
    code: str | None = None
    name_th: str | None = None
    name_en: str | None = None
    kind: str | None = None
    owner: str | None = None
    plan: str | None = None
    description: str | None = None
    sources: list[str] | None = None


class ProgrammeProvinceIn(Schema):
    province: str = Field(..., description="Two-digit province code")
    plan: str = Field("", description="Code of the provincial plan")
    note: str = ""


PROGRAMME_CODES = {"owner": "owner", "plan": "plan", "sources": "sources"}


def _programme_fields(data: dict[str, Any]) -> dict[str, Any]:
    codes = {name: data.pop(name) for name in PROGRAMME_CODES if name in data}
    data.update(selectors.resolve_fields(codes, PROGRAMME_CODES))
    return data


@programmes_router.get("", response=list[ProgrammeOut], summary="List area programmes")
@paginate(PagePagination)
def list_programmes(
    request: HttpRequest,
    kind: str | None = None,
    owner: str | None = None,
    province: str | None = None,
) -> Any:
    return selectors.area_programme_list(kind=kind, owner=owner, province=province)


@programmes_router.post(
    "", response={201: ProgrammeDetailOut}, auth=WRITE_AUTH, summary="Create an area programme"
)
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Any:
    programme = services.area_programme_create(
        actor=request.user, **_programme_fields(payload.dict())
    )
    return Status(201, selectors.area_programme_detail(programme.code))


@programmes_router.get(
    "/{code}", response=ProgrammeDetailOut, summary="One area programme, with its provinces"
)
def get_programme(request: HttpRequest, code: str) -> Any:
    return selectors.area_programme_detail(code)


@programmes_router.patch(
    "/{code}", response=ProgrammeDetailOut, auth=WRITE_AUTH, summary="Change an area programme"
)
def update_programme(request: HttpRequest, code: str, payload: ProgrammePatch) -> Any:
    programme = selectors.area_programme_get(code)
    saved = services.area_programme_update(
        actor=request.user,
        programme=programme,
        **_programme_fields(payload.dict(exclude_unset=True)),
    )
    return selectors.area_programme_detail(saved.code)


@programmes_router.delete(
    "/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete an area programme"
)
def delete_programme(request: HttpRequest, code: str) -> Any:
    services.area_programme_delete(actor=request.user, programme=selectors.area_programme_get(code))
    return Status(204, None)


@programmes_router.post(
    "/{code}/provinces",
    response={201: ProgrammeProvinceOut},
    auth=WRITE_AUTH,
    summary="Add a province to the programme",
)
def add_programme_province(request: HttpRequest, code: str, payload: ProgrammeProvinceIn) -> Any:
    programme = selectors.area_programme_get(code)
    related = selectors.resolve_codes(province=payload.province, plan=payload.plan)
    membership = services.programme_province_add(
        actor=request.user,
        programme=programme,
        province=related["province"],
        plan=related.get("plan"),
        note=payload.note,
    )
    return Status(201, membership)


@programmes_router.delete(
    "/{code}/provinces/{province}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Take a province out of the programme",
)
def remove_programme_province(request: HttpRequest, code: str, province: str) -> Any:
    membership = selectors.programme_province_get(selectors.area_programme_get(code), province)
    services.programme_province_remove(actor=request.user, membership=membership)
    return Status(204, None)


# --- Smart city zones ------------------------------------------------------------------------


class DecisionOut(Schema):
    stage: str
    decided_on: date | None
    decided_by: str | None = Field(None, alias="decided_by.code")
    reference: str
    note: str


class ZoneOut(Schema):
    code: str
    name_th: str
    name_en: str
    stage: str
    applicant: Ref
    province: Ref
    district: str | None = Field(None, alias="district.code")
    programme: str | None = Field(None, alias="programme.code")
    dimensions: list[str]
    criteria: dict[str, bool]
    targets_due: date | None


class ZoneDetailOut(ZoneOut):
    decisions: list[DecisionOut]
    sources: list[SourceOut]

    @staticmethod
    def resolve_decisions(obj: SmartCityZone) -> list[Any]:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_sources(obj: SmartCityZone) -> list[Any]:
        return list(obj.sources.all())


class ZoneIn(Schema):
    code: str
    name_th: str
    name_en: str = ""
    programme: str = Field("", description="Code of a smart city area programme")
    applicant: str
    province: str
    district: str = ""
    dimensions: list[str] = []
    criteria: dict[str, bool] = {}
    applied_on: date | None = None
    reference: str = ""
    note: str = ""
    sources: list[str] = []


class ZonePatch(Schema):
    code: str | None = None
    name_th: str | None = None
    name_en: str | None = None
    programme: str | None = None
    applicant: str | None = None
    province: str | None = None
    district: str | None = None
    dimensions: list[str] | None = None
    criteria: dict[str, bool] | None = None
    sources: list[str] | None = None


class StepIn(Schema):
    stage: str = Field(..., description="assessed, announced, certified, revoked or rejected")
    decided_on: date | None = Field(None, description="Required to certify")
    decided_by: str = Field("", description="Organisation code of the deciding body")
    reference: str = ""
    note: str = ""
    criteria: dict[str, bool] | None = None
    dimensions: list[str] | None = None


ZONE_CODES = {
    "programme": "area_programme",
    "applicant": "applicant",
    "province": "province",
    "district": "district",
    "sources": "sources",
}


def _zone_fields(data: dict[str, Any]) -> dict[str, Any]:
    codes = {name: data.pop(name) for name in ZONE_CODES if name in data}
    data.update(selectors.resolve_fields(codes, ZONE_CODES))
    return data


class ZoneFilter(Schema):
    q: str | None = None
    stage: str | None = None
    province: str | None = None
    programme: str | None = None
    applicant: str | None = None
    dimension: str | None = None


@zones_router.get("", response=list[ZoneOut], summary="List smart city zones")
@paginate(PagePagination)
def list_zones(request: HttpRequest, filters: Query[ZoneFilter]) -> Any:
    data = filters.dict()
    data["search"] = data.pop("q")
    return selectors.smart_city_zone_list(**{k: v for k, v in data.items() if v is not None})


@zones_router.post(
    "",
    response={201: ZoneDetailOut},
    auth=WRITE_AUTH,
    summary="Record an application for a smart city promotion zone",
)
def create_zone(request: HttpRequest, payload: ZoneIn) -> Any:
    zone = services.smart_city_zone_create(actor=request.user, **_zone_fields(payload.dict()))
    return Status(201, selectors.smart_city_zone_detail(zone.code))


@zones_router.get("/{code}", response=ZoneDetailOut, summary="One zone, with its steps")
def get_zone(request: HttpRequest, code: str) -> Any:
    return selectors.smart_city_zone_detail(code)


@zones_router.patch(
    "/{code}", response=ZoneDetailOut, auth=WRITE_AUTH, summary="Change a zone's record"
)
def update_zone(request: HttpRequest, code: str, payload: ZonePatch) -> Any:
    zone = selectors.smart_city_zone_get(code)
    saved = services.smart_city_zone_update(
        actor=request.user, zone=zone, **_zone_fields(payload.dict(exclude_unset=True))
    )
    return selectors.smart_city_zone_detail(saved.code)


@zones_router.delete("/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete a zone")
def delete_zone(request: HttpRequest, code: str) -> Any:
    services.smart_city_zone_delete(actor=request.user, zone=selectors.smart_city_zone_get(code))
    return Status(204, None)


@zones_router.post(
    "/{code}/steps",
    response={201: DecisionOut},
    auth=WRITE_AUTH,
    summary="Record the zone's next stage: applied → assessed → announced → certified; "
    "revoked from certified; rejected from applied or assessed",
)
def advance_zone(request: HttpRequest, code: str, payload: StepIn) -> Any:
    zone = selectors.smart_city_zone_get(code)
    data = payload.dict()
    data.update(
        selectors.resolve_fields(
            {"decided_by": data.pop("decided_by")}, {"decided_by": "decided_by"}
        )
    )
    decision: SmartCityDecision = services.smart_city_advance(actor=request.user, zone=zone, **data)
    return Status(201, decision)


# --- Digital community centres ---------------------------------------------------------------


class CentreOut(Schema):
    code: str
    name_th: str
    name_en: str
    host: Ref
    province: Ref
    district: str | None = Field(None, alias="district.code")
    subdistrict: str | None = Field(None, alias="subdistrict.code")
    programme: str | None = Field(None, alias="programme.code")
    opened_on: date | None
    equipment: str
    equipment_handed_on: date | None
    is_model: bool
    status: str


class CentreDetailOut(CentreOut):
    sources: list[SourceOut]

    @staticmethod
    def resolve_sources(obj: DigitalCommunityCentre) -> list[Any]:
        return list(obj.sources.all())


class CentreIn(Schema):
    code: str
    name_th: str
    name_en: str = ""
    programme: str = ""
    host: str
    province: str
    district: str = ""
    subdistrict: str = ""
    opened_on: date | None = None
    equipment: str = ""
    equipment_handed_on: date | None = None
    is_model: bool = False
    status: str = "open"
    sources: list[str] = []


class CentrePatch(Schema):
    code: str | None = None
    name_th: str | None = None
    name_en: str | None = None
    programme: str | None = None
    host: str | None = None
    province: str | None = None
    district: str | None = None
    subdistrict: str | None = None
    opened_on: date | None = None
    equipment: str | None = None
    equipment_handed_on: date | None = None
    is_model: bool | None = None
    status: str | None = None
    sources: list[str] | None = None


CENTRE_CODES = {
    "programme": "area_programme",
    "host": "host",
    "province": "province",
    "district": "district",
    "subdistrict": "subdistrict",
    "sources": "sources",
}


def _centre_fields(data: dict[str, Any]) -> dict[str, Any]:
    codes = {name: data.pop(name) for name in CENTRE_CODES if name in data}
    data.update(selectors.resolve_fields(codes, CENTRE_CODES))
    return data


class CentreFilter(Schema):
    q: str | None = None
    province: str | None = None
    district: str | None = None
    programme: str | None = None
    host: str | None = None
    status: str | None = None
    is_model: bool | None = None


@centres_router.get("", response=list[CentreOut], summary="List digital community centres")
@paginate(PagePagination)
def list_centres(request: HttpRequest, filters: Query[CentreFilter]) -> Any:
    data = filters.dict()
    data["search"] = data.pop("q")
    return selectors.community_centre_list(**{k: v for k, v in data.items() if v is not None})


@centres_router.post(
    "", response={201: CentreDetailOut}, auth=WRITE_AUTH, summary="Record a community centre"
)
def create_centre(request: HttpRequest, payload: CentreIn) -> Any:
    centre = services.community_centre_create(actor=request.user, **_centre_fields(payload.dict()))
    return Status(201, selectors.community_centre_detail(centre.code))


@centres_router.get("/{code}", response=CentreDetailOut, summary="One community centre")
def get_centre(request: HttpRequest, code: str) -> Any:
    return selectors.community_centre_detail(code)


@centres_router.patch(
    "/{code}", response=CentreDetailOut, auth=WRITE_AUTH, summary="Change a community centre"
)
def update_centre(request: HttpRequest, code: str, payload: CentrePatch) -> Any:
    centre = selectors.community_centre_get(code)
    saved = services.community_centre_update(
        actor=request.user, centre=centre, **_centre_fields(payload.dict(exclude_unset=True))
    )
    return selectors.community_centre_detail(saved.code)


@centres_router.delete(
    "/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete a community centre"
)
def delete_centre(request: HttpRequest, code: str) -> Any:
    services.community_centre_delete(
        actor=request.user, centre=selectors.community_centre_get(code)
    )
    return Status(204, None)


router.add_router("/projects", projects_router)
router.add_router("/agreements", agreements_router)
router.add_router("/area-programmes", programmes_router)
router.add_router("/smart-city-zones", zones_router)
router.add_router("/community-centres", centres_router)
router.add_router("/summaries", summaries_router)
