"""Reads of projects, budgets, agreements and area programmes: lists, pages and summaries.

Every function here chooses its own `select_related` / `prefetch_related` or aggregates in the
database (GROUP BY), so pages, endpoints and dashboards run a fixed number of queries whatever
the number of rows. Everything in this app is a public record: no read takes a viewer.

The summaries (`budget_by_fiscal_year`, `budget_by_strategy`, `projects_by_status`,
`smart_city_zone_counts`, `community_centres_by_province`) take the same optional filters,
by code: `plan`, `element`, `province`, `owner`, and for projects `status` and `flagship`.
Amounts are `Decimal` baht; a sum over nothing is 0, and a sum over only blanks is 0 too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from phaen.core import thai_calendar, thai_text
from phaen.core.errors import NotFound, ValidationFailed
from phaen.geography.models import District, Province, Region, SpecialZone, Subdistrict
from phaen.kpis.models import Indicator
from phaen.orgs.models import Organisation, OrganisationAlias
from phaen.plans.models import Plan, PlanElement, Source
from phaen.projects.errors import (
    AgreementError,
    BudgetError,
    CentreError,
    MilestoneError,
    ProgrammeError,
    ProgressError,
    ProjectError,
    SmartCityError,
)
from phaen.projects.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AreaProgramme,
    BudgetLine,
    DigitalCommunityCentre,
    Milestone,
    ProgrammeProvince,
    ProgressReport,
    Project,
    ProjectAlignment,
    ProjectPartner,
    ProjectStatus,
    SmartCityDecision,
    SmartCityStage,
    SmartCityZone,
)
from phaen.projects.progress import element_progress

AMOUNTS = ("planned", "allocated", "committed", "disbursed")
ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)
TOP_PATH_LENGTH = 4  # a top-level element's path: four digits (docs/architecture.md, Outlines)


# --- Search ---------------------------------------------------------------------------------


def _search_filter(query: str, *, owner_fields: Iterable[str] = ()) -> Q:
    """Return a filter matching rows whose `search_document` holds every word of `query`.

    The query is normalised and segmented as the stored document was. A word that is an
    organisation's alias (ดีป้า, MDES) also matches the rows of that organisation through
    `owner_fields` (such as `owner_id`, `partners__organisation_id`).
    """
    words = thai_text.tokens(query)
    if not words:
        return Q()
    aliases = dict(
        OrganisationAlias.objects.filter(normalized__in=words).values_list(
            "normalized", "organisation_id"
        )
    )
    condition = Q()
    for word in words:
        term = Q(search_document__icontains=word)
        if word in aliases:
            for name in owner_fields:
                term |= Q(**{name: aliases[word]})
        condition &= term
    return condition | Q(search_document__icontains=thai_text.normalize(query))


def _name_filter(query: str) -> Q:
    """Match names and codes for rows without a search document (zones, centres)."""
    text = " ".join(query.split())
    if not text:
        return Q()
    return Q(name_th__icontains=text) | Q(name_en__icontains=text) | Q(code__icontains=text)


def _province_q(prefix: str, province: str) -> Q:
    """Match projects whose area includes the province: listed, or by their region or zone."""
    return (
        Q(**{f"{prefix}provinces__code": province})
        | Q(**{f"{prefix}region__provinces__code": province})
        | Q(**{f"{prefix}special_zone__provinces__code": province})
    )


# --- Projects -------------------------------------------------------------------------------


def _project_scope(
    *,
    search: str | None = None,
    status: str | Iterable[str] | None = None,
    kind: str | None = None,
    flagship: bool | None = None,
    owner: str | None = None,
    province: str | None = None,
    element: str | None = None,
    plan: str | None = None,
    fiscal_year: int | None = None,
    parent: str | None = None,
) -> QuerySet[Project] | None:
    """Return the projects the filters select (possibly repeated by joins), or None for all."""
    conditions = Q()
    if search and search.strip():
        conditions &= _search_filter(search, owner_fields=("owner_id", "partners__organisation_id"))
    if status:
        conditions &= Q(status=status) if isinstance(status, str) else Q(status__in=list(status))
    if kind:
        conditions &= Q(kind=kind)
    if flagship is not None:
        conditions &= Q(is_flagship=flagship)
    if owner:
        conditions &= Q(owner__code=owner)
    if province:
        conditions &= _province_q("", province)
    if plan:
        conditions &= Q(alignments__element__plan__code=plan)
    if element:
        found = PlanElement.objects.filter(code=element).values_list("plan_id", "path").first()
        if found is None:
            return Project.objects.none()
        plan_id, path = found
        # The element itself or any element below it, by the materialised path.
        conditions &= Q(alignments__element__plan_id=plan_id) & (
            Q(alignments__element__path=path) | Q(alignments__element__path__startswith=f"{path}.")
        )
    if fiscal_year is not None:
        year = thai_calendar.FiscalYear(fiscal_year)
        conditions &= Q(budget_lines__fiscal_year=fiscal_year) | (
            Q(start_date__isnull=False, start_date__lte=year.end)
            & (Q(end_date__isnull=True) | Q(end_date__gte=year.start))
        )
    if parent:
        conditions &= Q(parent__code=parent)
    if not conditions:
        return None
    return Project.objects.filter(conditions)


def project_list(**filters: Any) -> QuerySet[Project]:
    """Return projects matching the filters, with what a list shows, in a fixed number of queries.

    Filters (all optional): `search` (Thai or English words; an organisation's alias matches
    its projects), `status` (one or several), `kind`, `flagship` (True/False), `owner`
    (organisation code), `province` (two-digit code; listed, or through the project's region
    or special zone), `plan` (projects serving any element of the plan), `element` (serving the
    element or an element below it), `fiscal_year` (BE: with a budget line that year, or
    running during it), `parent` (the programme's code).

    Each row has `budget_planned` and `budget_allocated`: sums over every fiscal year.
    """
    scope = _project_scope(**filters)
    projects = Project.objects.all()
    if scope is not None:  # joins may repeat a project: keep each once
        projects = projects.filter(pk__in=scope.values("pk"))
    totals = BudgetLine.objects.filter(project=OuterRef("pk")).order_by().values("project")
    return (
        projects.select_related("owner", "parent", "region", "special_zone")
        .prefetch_related("provinces")
        .annotate(
            budget_planned=Coalesce(
                Subquery(totals.annotate(s=Sum("planned")).values("s")),
                Value(ZERO),
                output_field=MONEY_FIELD,
            ),
            budget_allocated=Coalesce(
                Subquery(totals.annotate(s=Sum("allocated")).values("s")),
                Value(ZERO),
                output_field=MONEY_FIELD,
            ),
        )
        .order_by("code")
    )


def project_get(code: str) -> Project:
    """Return the project with `code` (and its owner), or raise `NotFound`."""
    project = Project.objects.select_related("owner", "parent").filter(code=code).first()
    if project is None:
        raise NotFound(
            ProjectError.NOT_FOUND, _("No project has the code “%(code)s”.") % {"code": code}
        )
    return project


def project_detail(code: str) -> Project:
    """Return a project with everything its page shows, in a fixed number of queries.

    Partners with their organisations, the plan elements it serves with their plans (through
    `alignments`), indicators, milestones, progress reports (newest first) with their
    reporters, budget lines by fiscal year, provinces, sources, the projects of a programme,
    and the agreements it is part of. `budget_years(project.budget_lines.all())` gives the
    totals per fiscal year without another query.
    """
    project = (
        Project.objects.select_related("owner", "parent", "region", "special_zone")
        .prefetch_related(
            "provinces",
            "indicators",
            "sources",
            Prefetch(
                "partners",
                queryset=ProjectPartner.objects.select_related("organisation").order_by(
                    "role", "organisation__name_th"
                ),
            ),
            Prefetch(
                "alignments",
                queryset=ProjectAlignment.objects.select_related(
                    "element", "element__plan"
                ).order_by("element__plan__level", "element__plan__code", "element__path"),
            ),
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_date")),
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.select_related("reporter").order_by(
                    "-fiscal_year", "-quarter"
                ),
            ),
            Prefetch(
                "budget_lines",
                queryset=BudgetLine.objects.order_by("fiscal_year", "category", "funding_source"),
            ),
            Prefetch("children", queryset=Project.objects.select_related("owner").order_by("code")),
            Prefetch("agreements", queryset=Agreement.objects.order_by("-signed_on", "code")),
        )
        .filter(code=code)
        .first()
    )
    if project is None:
        raise NotFound(
            ProjectError.NOT_FOUND, _("No project has the code “%(code)s”.") % {"code": code}
        )
    return project


# --- Budgets ---------------------------------------------------------------------------------


@dataclass
class BudgetTotals:
    """Sums of budget lines for one fiscal year (or for all years when `fiscal_year` is None)."""

    fiscal_year: int | None
    planned: Decimal = ZERO
    allocated: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO

    @property
    def disbursement_rate(self) -> Decimal | None:
        """Disbursed as a percentage of allocated, or None when nothing was allocated."""
        if not self.allocated:
            return None
        return (self.disbursed * 100 / self.allocated).quantize(Decimal("0.01"))

    def add(self, other: BudgetTotals | BudgetLine) -> None:
        for name in AMOUNTS:
            setattr(self, name, getattr(self, name) + (getattr(other, name) or ZERO))

    def as_dict(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year,
            **{name: getattr(self, name) for name in AMOUNTS},
            "disbursement_rate": self.disbursement_rate,
        }


def money(value: Decimal | None) -> Decimal:
    """Return a sum as baht and satang (SQLite's sums of decimals come back unscaled)."""
    return (value or ZERO).quantize(ZERO)


def _totals(row: Mapping[str, Any], fiscal_year: int | None) -> BudgetTotals:
    return BudgetTotals(fiscal_year, **{name: money(row.get(name)) for name in AMOUNTS})


def budget_years(lines: Iterable[BudgetLine]) -> list[BudgetTotals]:
    """Sum budget lines already in memory per fiscal year, in order (no query)."""
    years: dict[int, BudgetTotals] = {}
    for line in lines:
        years.setdefault(line.fiscal_year, BudgetTotals(line.fiscal_year)).add(line)
    return [years[year] for year in sorted(years)]


def grand_total(rows: Iterable[BudgetTotals]) -> BudgetTotals:
    """Sum rows of totals (several fiscal years) into one, with `fiscal_year` None."""
    total = BudgetTotals(None)
    for row in rows:
        total.add(row)
    return total


def _amount_sums(prefix: str = "") -> dict[str, Any]:
    return {name: Sum(f"{prefix}{name}") for name in AMOUNTS}


def budget_by_fiscal_year(
    *,
    plan: str | None = None,
    element: str | None = None,
    province: str | None = None,
    owner: str | None = None,
    status: str | Iterable[str] | None = None,
    flagship: bool | None = None,
    fiscal_years: Iterable[int] | None = None,
) -> list[BudgetTotals]:
    """Return the planned, allocated, committed and disbursed baht per fiscal year, in order.

    One GROUP BY query over the budget lines of the projects the filters select (each project
    once, however many elements of the plan it serves). Years without lines are absent.
    """
    lines = BudgetLine.objects.all()
    scope = _project_scope(
        plan=plan,
        element=element,
        province=province,
        owner=owner,
        status=status,
        flagship=flagship,
    )
    if scope is not None:
        lines = lines.filter(project_id__in=scope.values("pk"))
    if fiscal_years is not None:
        lines = lines.filter(fiscal_year__in=list(fiscal_years))
    rows = lines.order_by().values("fiscal_year").annotate(**_amount_sums()).order_by("fiscal_year")
    return [_totals(row, row["fiscal_year"]) for row in rows]


@dataclass
class StrategyBudget:
    """The budget of the projects serving one top-level element of a plan, per fiscal year."""

    element: PlanElement
    years: list[BudgetTotals] = field(default_factory=list)

    @property
    def total(self) -> BudgetTotals:
        return grand_total(self.years)


def budget_by_strategy(
    plan: Plan,
    *,
    fiscal_year: int | None = None,
    province: str | None = None,
    owner: str | None = None,
    status: str | Iterable[str] | None = None,
    flagship: bool | None = None,
) -> list[StrategyBudget]:
    """Return, for each top-level element of `plan` (its strategies), the budget per fiscal year
    of the projects serving that element or any element below it.

    A project counts once under a strategy even when it serves several of its elements, and
    under each strategy it serves. Two queries: the top-level elements, and one GROUP BY over
    (strategy, fiscal year), where the strategy is the first segment of the served element's
    materialised path. Every top-level element is in the result, with no years when nothing
    is budgeted under it.
    """
    tops = list(PlanElement.objects.filter(plan=plan, parent__isnull=True).order_by("path"))
    result = {top.path[:TOP_PATH_LENGTH]: StrategyBudget(top) for top in tops}
    # Keep, per project and strategy, only the project's first link under that strategy.
    earlier = (
        ProjectAlignment.objects.filter(
            project_id=OuterRef("project_id"),
            element__plan=plan,
            pk__lt=OuterRef("link"),
        )
        .annotate(top=Substr("element__path", 1, TOP_PATH_LENGTH))
        .filter(top=OuterRef("top"))
    )
    # Annotated in one go, so that both read the same join of the project's links.
    lines = BudgetLine.objects.filter(project__alignments__element__plan=plan).annotate(
        top=Substr("project__alignments__element__path", 1, TOP_PATH_LENGTH),
        link=F("project__alignments__pk"),
    )
    lines = lines.filter(~Exists(earlier))
    if fiscal_year is not None:
        lines = lines.filter(fiscal_year=fiscal_year)
    scope = _project_scope(province=province, owner=owner, status=status, flagship=flagship)
    if scope is not None:
        lines = lines.filter(project_id__in=scope.values("pk"))
    rows = (
        lines.order_by()
        .values("top", "fiscal_year")
        .annotate(**_amount_sums())
        .order_by("top", "fiscal_year")
    )
    for row in rows:
        entry = result.get(row["top"])
        if entry is not None:
            entry.years.append(_totals(row, row["fiscal_year"]))
    return list(result.values())


def projects_by_status(
    *,
    plan: str | None = None,
    element: str | None = None,
    province: str | None = None,
    owner: str | None = None,
    flagship: bool | None = None,
    fiscal_year: int | None = None,
) -> dict[str, int]:
    """Count projects per status (every status present, in `ProjectStatus` order); one query."""
    projects = Project.objects.all()
    scope = _project_scope(
        plan=plan,
        element=element,
        province=province,
        owner=owner,
        flagship=flagship,
        fiscal_year=fiscal_year,
    )
    if scope is not None:
        projects = projects.filter(pk__in=scope.values("pk"))
    counts = dict(
        projects.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in ProjectStatus.values}


def budget_line_list(*, fiscal_year: int | None = None, **filters: Any) -> QuerySet[BudgetLine]:
    """Return budget lines with their projects and owners, for the export and the API.

    `filters` are those of `project_list`; `fiscal_year` keeps the lines of that year only.
    """
    lines = BudgetLine.objects.select_related("project", "project__owner")
    scope = _project_scope(**filters)
    if scope is not None:
        lines = lines.filter(project_id__in=scope.values("pk"))
    if fiscal_year is not None:
        lines = lines.filter(fiscal_year=fiscal_year)
    return lines.order_by("project__code", "fiscal_year", "category", "funding_source")


def budget_line_get(project: Project, pk: int) -> BudgetLine:
    line = (
        BudgetLine.objects.select_related("project", "project__owner")
        .filter(project=project, pk=pk)
        .first()
    )
    if line is None:
        raise NotFound(
            BudgetError.NOT_FOUND, _("The project has no budget line %(id)s.") % {"id": pk}
        )
    return line


def milestone_get(project: Project, pk: int) -> Milestone:
    milestone = Milestone.objects.select_related("project").filter(project=project, pk=pk).first()
    if milestone is None:
        raise NotFound(
            MilestoneError.NOT_FOUND, _("The project has no milestone %(id)s.") % {"id": pk}
        )
    return milestone


def report_get(project: Project, pk: int) -> ProgressReport:
    report = ProgressReport.objects.select_related("project").filter(project=project, pk=pk).first()
    if report is None:
        raise NotFound(
            ProgressError.NOT_FOUND, _("The project has no progress report %(id)s.") % {"id": pk}
        )
    return report


def partner_get(project: Project, pk: int) -> ProjectPartner:
    partner = (
        ProjectPartner.objects.select_related("project", "organisation")
        .filter(project=project, pk=pk)
        .first()
    )
    if partner is None:
        raise NotFound(
            ProjectError.PARTNER_NOT_FOUND, _("The project has no partner %(id)s.") % {"id": pk}
        )
    return partner


def alignment_get(project: Project, pk: int) -> ProjectAlignment:
    alignment = (
        ProjectAlignment.objects.select_related("project", "element")
        .filter(project=project, pk=pk)
        .first()
    )
    if alignment is None:
        raise NotFound(
            ProjectError.ALIGNMENT_NOT_FOUND,
            _("The project has no link to a plan element with the id %(id)s.") % {"id": pk},
        )
    return alignment


# --- Agreements ------------------------------------------------------------------------------


def agreement_list(
    *,
    search: str | None = None,
    status: str | None = None,
    province: str | None = None,
    owner: str | None = None,
    party: str | None = None,
    project: str | None = None,
    plan: str | None = None,
    signed_year: int | None = None,
) -> QuerySet[Agreement]:
    """Return agreements matching the filters, with their parties, newest signing first.

    `owner` is the recording organisation's code, `party` any party's code, `project` a linked
    project's code, `plan` a plan any of whose elements the agreement names, and `signed_year`
    the BE year of signing.
    """
    conditions = Q()
    if search and search.strip():
        conditions &= _search_filter(search, owner_fields=("owner_id", "parties__organisation_id"))
    if status:
        conditions &= Q(status=status)
    if province:
        conditions &= Q(province__code=province)
    if owner:
        conditions &= Q(owner__code=owner)
    if party:
        conditions &= Q(parties__organisation__code=party)
    if project:
        conditions &= Q(projects__code=project) | Q(programme__code=project)
    if plan:
        conditions &= Q(elements__plan__code=plan)
    if signed_year is not None:
        conditions &= Q(signed_on__year=thai_calendar.be_to_ce(signed_year))
    agreements = Agreement.objects.all()
    if conditions:
        agreements = agreements.filter(pk__in=Agreement.objects.filter(conditions).values("pk"))
    return (
        agreements.select_related("owner", "province", "programme")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=AgreementParty.objects.select_related("organisation").order_by("position"),
            )
        )
        .order_by("-signed_on", "code")
    )


def agreement_get(code: str) -> Agreement:
    agreement = Agreement.objects.select_related("owner").filter(code=code).first()
    if agreement is None:
        raise NotFound(
            AgreementError.NOT_FOUND, _("No agreement has the code “%(code)s”.") % {"code": code}
        )
    return agreement


def agreement_detail(code: str) -> Agreement:
    """Return an agreement with its parties, documents, projects, plan elements and sources."""
    agreement = (
        Agreement.objects.select_related("owner", "province", "programme")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=AgreementParty.objects.select_related("organisation").order_by("position"),
            ),
            Prefetch("documents", queryset=AgreementDocument.objects.order_by("created_at")),
            Prefetch("projects", queryset=Project.objects.select_related("owner").order_by("code")),
            Prefetch(
                "elements",
                queryset=PlanElement.objects.select_related("plan").order_by(
                    "plan__level", "plan__code", "path"
                ),
            ),
            "sources",
        )
        .filter(code=code)
        .first()
    )
    if agreement is None:
        raise NotFound(
            AgreementError.NOT_FOUND, _("No agreement has the code “%(code)s”.") % {"code": code}
        )
    return agreement


def party_get(agreement: Agreement, pk: int) -> AgreementParty:
    party = (
        AgreementParty.objects.select_related("agreement", "organisation")
        .filter(agreement=agreement, pk=pk)
        .first()
    )
    if party is None:
        raise NotFound(
            AgreementError.PARTY_NOT_FOUND, _("The agreement has no party %(id)s.") % {"id": pk}
        )
    return party


def document_get(agreement: Agreement, pk: int) -> AgreementDocument:
    document = (
        AgreementDocument.objects.select_related("agreement").filter(agreement=agreement, pk=pk)
    ).first()
    if document is None:
        raise NotFound(
            AgreementError.DOCUMENT_NOT_FOUND,
            _("The agreement has no document %(id)s.") % {"id": pk},
        )
    return document


# --- Area programmes -------------------------------------------------------------------------


def _count_of(model: Any, field_name: str) -> Subquery:
    return Subquery(
        model.objects.filter(**{field_name: OuterRef("pk")})
        .order_by()
        .values(field_name)
        .annotate(n=Count("pk"))
        .values("n")
    )


def area_programme_list(
    *, kind: str | None = None, owner: str | None = None, province: str | None = None
) -> QuerySet[AreaProgramme]:
    """Return area programmes with their counts of provinces, zones and centres."""
    programmes = AreaProgramme.objects.select_related("owner", "plan")
    if kind:
        programmes = programmes.filter(kind=kind)
    if owner:
        programmes = programmes.filter(owner__code=owner)
    if province:
        programmes = programmes.filter(
            pk__in=ProgrammeProvince.objects.filter(province__code=province).values("programme_id")
        )
    return programmes.annotate(
        province_count=Coalesce(_count_of(ProgrammeProvince, "programme"), 0),
        zone_count=Coalesce(_count_of(SmartCityZone, "programme"), 0),
        centre_count=Coalesce(_count_of(DigitalCommunityCentre, "programme"), 0),
    ).order_by("code")


def area_programme_get(code: str) -> AreaProgramme:
    programme = AreaProgramme.objects.select_related("owner").filter(code=code).first()
    if programme is None:
        raise NotFound(
            ProgrammeError.NOT_FOUND,
            _("No area programme has the code “%(code)s”.") % {"code": code},
        )
    return programme


def area_programme_detail(code: str) -> AreaProgramme:
    """Return an area programme with its provinces (and their plans), sources and counts."""
    programme = (
        area_programme_list()
        .prefetch_related(
            Prefetch(
                "programme_provinces",
                queryset=ProgrammeProvince.objects.select_related(
                    "province", "province__region", "plan"
                ).order_by("province__code"),
            ),
            "sources",
        )
        .filter(code=code)
        .first()
    )
    if programme is None:
        raise NotFound(
            ProgrammeError.NOT_FOUND,
            _("No area programme has the code “%(code)s”.") % {"code": code},
        )
    return programme


def programme_province_get(programme: AreaProgramme, province: str) -> ProgrammeProvince:
    membership = (
        ProgrammeProvince.objects.select_related("programme", "province")
        .filter(programme=programme, province__code=province)
        .first()
    )
    if membership is None:
        raise NotFound(
            ProgrammeError.PROVINCE_NOT_FOUND,
            _("The province %(code)s is not in this programme.") % {"code": province},
        )
    return membership


# --- Smart city zones ------------------------------------------------------------------------


def smart_city_zone_list(
    *,
    search: str | None = None,
    stage: str | None = None,
    province: str | None = None,
    programme: str | None = None,
    applicant: str | None = None,
    dimension: str | None = None,
) -> QuerySet[SmartCityZone]:
    """Return smart city zones with their applicant, province, district and programme.

    `dimension` keeps zones that work in that dimension (one of SMART_CITY_DIMENSIONS).
    """
    zones = SmartCityZone.objects.select_related("applicant", "province", "district", "programme")
    if search and search.strip():
        zones = zones.filter(_name_filter(search))
    if stage:
        zones = zones.filter(stage=stage)
    if province:
        zones = zones.filter(province__code=province)
    if programme:
        zones = zones.filter(programme__code=programme)
    if applicant:
        zones = zones.filter(applicant__code=applicant)
    if dimension:
        zones = zones.filter(dimensions__icontains=f'"{dimension}"')
    return zones.order_by("province__code", "code")


def smart_city_zone_get(code: str) -> SmartCityZone:
    zone = (
        SmartCityZone.objects.select_related("applicant", "programme", "province")
        .filter(code=code)
        .first()
    )
    if zone is None:
        raise NotFound(
            SmartCityError.NOT_FOUND,
            _("No smart city zone has the code “%(code)s”.") % {"code": code},
        )
    return zone


def smart_city_zone_detail(code: str) -> SmartCityZone:
    """Return a zone with its dated decisions (oldest first) and sources."""
    zone = (
        SmartCityZone.objects.select_related(
            "applicant", "province", "district", "programme", "programme__owner"
        )
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=SmartCityDecision.objects.select_related("decided_by", "source").order_by(
                    "created_at", "id"
                ),
            ),
            "sources",
        )
        .filter(code=code)
        .first()
    )
    if zone is None:
        raise NotFound(
            SmartCityError.NOT_FOUND,
            _("No smart city zone has the code “%(code)s”.") % {"code": code},
        )
    return zone


def smart_city_zone_counts(
    *, programme: str | None = None, province: str | None = None
) -> dict[str, int]:
    """Count zones per stage (every stage present, in `SmartCityStage` order); one query."""
    zones = SmartCityZone.objects.all()
    if programme:
        zones = zones.filter(programme__code=programme)
    if province:
        zones = zones.filter(province__code=province)
    counts = dict(
        zones.order_by().values("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    return {stage: counts.get(stage, 0) for stage in SmartCityStage.values}


# --- Digital community centres ---------------------------------------------------------------


def community_centre_list(
    *,
    search: str | None = None,
    province: str | None = None,
    district: str | None = None,
    programme: str | None = None,
    host: str | None = None,
    status: str | None = None,
    is_model: bool | None = None,
) -> QuerySet[DigitalCommunityCentre]:
    """Return community centres with their host and place down to the sub-district."""
    centres = DigitalCommunityCentre.objects.select_related(
        "host", "province", "district", "subdistrict", "programme"
    )
    if search and search.strip():
        centres = centres.filter(_name_filter(search))
    if province:
        centres = centres.filter(province__code=province)
    if district:
        centres = centres.filter(district__code=district)
    if programme:
        centres = centres.filter(programme__code=programme)
    if host:
        centres = centres.filter(host__code=host)
    if status:
        centres = centres.filter(status=status)
    if is_model is not None:
        centres = centres.filter(is_model=is_model)
    return centres.order_by("province__code", "code")


def community_centre_get(code: str) -> DigitalCommunityCentre:
    centre = (
        DigitalCommunityCentre.objects.select_related(
            "host", "programme", "province", "district", "subdistrict"
        )
        .filter(code=code)
        .first()
    )
    if centre is None:
        raise NotFound(
            CentreError.NOT_FOUND,
            _("No community centre has the code “%(code)s”.") % {"code": code},
        )
    return centre


def community_centre_detail(code: str) -> DigitalCommunityCentre:
    """Return a centre with its host, place, programme and sources."""
    centre = (
        DigitalCommunityCentre.objects.select_related(
            "host", "programme", "programme__owner", "province", "district", "subdistrict"
        )
        .prefetch_related("sources")
        .filter(code=code)
        .first()
    )
    if centre is None:
        raise NotFound(
            CentreError.NOT_FOUND,
            _("No community centre has the code “%(code)s”.") % {"code": code},
        )
    return centre


@dataclass(frozen=True)
class ProvinceCount:
    code: str
    name_th: str
    name_en: str
    count: int


def community_centres_by_province(
    *, programme: str | None = None, status: str | None = None
) -> list[ProvinceCount]:
    """Count centres per province (provinces with none are absent), by province code; one
    query."""
    centres = DigitalCommunityCentre.objects.all()
    if programme:
        centres = centres.filter(programme__code=programme)
    if status:
        centres = centres.filter(status=status)
    rows = (
        centres.order_by()
        .values("province__code", "province__name_th", "province__name_en")
        .annotate(n=Count("pk"))
        .order_by("province__code")
    )
    return [
        ProvinceCount(
            row["province__code"], row["province__name_th"], row["province__name_en"], row["n"]
        )
        for row in rows
    ]


# --- Codes -----------------------------------------------------------------------------------


def _unknown(codes: str, field_name: str) -> ValidationFailed:
    message = _("Unknown code “%(code)s”.") % {"code": codes}
    return ValidationFailed(
        ProjectError.UNKNOWN_CODE, message, detail={"fields": {field_name: message}}
    )


SINGLE_CODES: dict[str, tuple[Any, str]] = {
    "owner": (Organisation, "code"),
    "applicant": (Organisation, "code"),
    "host": (Organisation, "code"),
    "organisation": (Organisation, "code"),
    "decided_by": (Organisation, "code"),
    "region": (Region, "code"),
    "special_zone": (SpecialZone, "code"),
    "province": (Province, "code"),
    "district": (District, "code"),
    "subdistrict": (Subdistrict, "code"),
    "parent": (Project, "code"),
    "programme_project": (Project, "code"),
    "area_programme": (AreaProgramme, "code"),
    "plan": (Plan, "code"),
    "element": (PlanElement, "code"),
    "source": (Source, "key"),
}
MANY_CODES: dict[str, tuple[Any, str]] = {
    "provinces": (Province, "code"),
    "indicators": (Indicator, "code"),
    "sources": (Source, "key"),
    "projects": (Project, "code"),
    "elements": (PlanElement, "code"),
    "organisations": (Organisation, "code"),
}


def resolve_codes(**codes: Any) -> dict[str, Any]:
    """Turn codes from the API or other callers into rows, naming any unknown code.

    Single look-ups (`owner`, `province`, `parent`, `plan`, `element` …, see `SINGLE_CODES`)
    take a code, "" for none (→ None), or None to leave out. Lists (`provinces`,
    `indicators`, `sources`, `projects`, `elements`, `organisations`) take codes, kept in the
    order given. Unknown codes raise `ValidationFailed` (`unknown_code`) on the field.
    """
    return resolve_fields(codes, {name: name for name in codes})


def resolve_fields(values: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """Resolve `values[field]` as the kind of code `kinds[field]` names (a key of
    `SINGLE_CODES` or `MANY_CODES`); an unknown code is reported on `field` itself."""
    resolved: dict[str, Any] = {}
    for name, value in values.items():
        kind = kinds[name]
        if value is None:
            continue
        if kind in SINGLE_CODES:
            if value == "":
                resolved[name] = None
                continue
            model, key = SINGLE_CODES[kind]
            obj = model.objects.filter(**{key: value}).first()
            if obj is None:
                raise _unknown(str(value), name)
            resolved[name] = obj
        elif kind in MANY_CODES:
            model, key = MANY_CODES[kind]
            wanted = list(dict.fromkeys(value))
            found = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": wanted})}
            missing = [c for c in wanted if c not in found]
            if missing:
                raise _unknown(", ".join(missing), name)
            resolved[name] = [found[c] for c in wanted]
        else:
            raise TypeError(f"resolve_fields() got an unknown kind of code: {kind}")
    return resolved


def progress_rows(plan: Plan) -> list[tuple[PlanElement, Decimal | None]]:
    """Return the plan's elements in outline order with their implementation progress.

    Three queries: the outline, and the two of `progress.element_progress`.
    """
    values = element_progress(plan)
    elements = PlanElement.objects.filter(plan=plan).order_by("path")
    return [(element, values.get(element.pk)) for element in elements]
