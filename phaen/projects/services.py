"""Every change to projects, budgets, agreements and area programmes.

Each function checks permission first (a refusal is audited outside the transaction), then
validates, then writes inside its own `transaction.atomic()` together with its audit record.
Failures raise `ApplicationError` subclasses with the codes in `errors.py` and, for input
problems, `detail["fields"]` naming the field, so forms put the message next to it.

Fiscal years are the Buddhist-Era years they are named by (FY2569 = 2569). Money is in baht with
two decimals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Model
from django.utils.text import slugify
from django.utils.translation import gettext as _

from phaen.core import thai_calendar, thai_text, uploads
from phaen.core.audit import audit_record, snapshot
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.geography.models import Province
from phaen.kpis.models import Indicator
from phaen.orgs.models import Organisation
from phaen.plans.models import PlanElement, Source
from phaen.projects import permissions
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
    SMART_CITY_CRITERIA,
    SMART_CITY_DIMENSIONS,
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementStatus,
    AreaProgramme,
    AreaProgrammeKind,
    BudgetCategory,
    BudgetLine,
    CentreStatus,
    DigitalCommunityCentre,
    FundingSource,
    Milestone,
    MilestoneStatus,
    PartnerRole,
    PartyRole,
    ProgrammeProvince,
    ProgressReport,
    Project,
    ProjectAlignment,
    ProjectAreaLevel,
    ProjectKind,
    ProjectPartner,
    ProjectStatus,
    SmartCityDecision,
    SmartCityStage,
    SmartCityZone,
)

MIN_FISCAL_YEAR = 2400
MAX_FISCAL_YEAR = 2700
"""Fiscal years (BE) Phaen accepts; anything outside is a typing mistake (a CE year, say)."""

MAX_MONEY = Decimal("10") ** 16
MAX_WEIGHT = Decimal("1000000")
CENT = Decimal("0.01")

PROJECT_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "description",
    "kind",
    "parent",
    "is_flagship",
    "owner",
    "status",
    "start_date",
    "end_date",
    "area_level",
    "region",
    "special_zone",
    "weight",
)
BUDGET_FIELDS = (
    "fiscal_year",
    "category",
    "funding_source",
    "planned",
    "allocated",
    "committed",
    "disbursed",
    "note",
)
MONEY_FIELDS = ("planned", "allocated", "committed", "disbursed")
MILESTONE_FIELDS = ("name", "due_date", "done_date", "status", "position")
REPORT_FIELDS = ("fiscal_year", "quarter", "progress", "summary", "problems")
AGREEMENT_FIELDS = (
    "code",
    "title_th",
    "title_en",
    "signed_on",
    "signed_place",
    "start_date",
    "end_date",
    "aims",
    "dimensions",
    "status",
    "province",
    "programme",
    "owner",
)
PARTY_FIELDS = ("role", "signatory_name", "signatory_position", "position")
PROGRAMME_FIELDS = ("code", "name_th", "name_en", "kind", "owner", "plan", "description")
ZONE_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "programme",
    "applicant",
    "province",
    "district",
    "dimensions",
    "criteria",
)
CENTRE_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "programme",
    "host",
    "province",
    "district",
    "subdistrict",
    "opened_on",
    "equipment",
    "equipment_handed_on",
    "is_model",
    "status",
)

SMART_CITY_STEPS: dict[str, frozenset[str]] = {
    SmartCityStage.ASSESSED: frozenset({SmartCityStage.APPLIED}),
    SmartCityStage.ANNOUNCED: frozenset({SmartCityStage.ASSESSED}),
    SmartCityStage.CERTIFIED: frozenset({SmartCityStage.ANNOUNCED}),
    SmartCityStage.REVOKED: frozenset({SmartCityStage.CERTIFIED}),
    SmartCityStage.REJECTED: frozenset({SmartCityStage.APPLIED, SmartCityStage.ASSESSED}),
}
"""The stages a zone may move to, each from the stages it may follow.

applied → assessed → announced → certified; a certificate is revoked only once certified; an
application is rejected while applied or assessed.
"""

TARGETS_YEARS = 2
"""A certified zone must meet its targets within this many years, or lose the certificate."""


# --- Shared checks ----------------------------------------------------------------------------


def _fail(code: str, message: str, field: str | None = None, **detail: Any) -> ValidationFailed:
    if field is not None:
        detail = {"fields": {field: message}, **detail}
    return ValidationFailed(code, message, detail=detail)


def _unknown_fields(function: str, fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{function}() got unknown fields: {sorted(unknown)}")


def _check_code(
    model: type[Model], code: str, pk: int | None, invalid: str, taken: str, taken_message: str
) -> None:
    """Check a code's form and that no other row has it; `taken_message` has `%(code)s`."""
    if not code or slugify(code) != code:
        raise _fail(
            invalid, _("The code may hold only lower-case letters, digits and hyphens."), "code"
        )
    if model._default_manager.filter(code=code).exclude(pk=pk).exists():
        raise _fail(taken, taken_message % {"code": code}, "code")


def _check_required(value: str, code: str, field: str, message: str) -> None:
    if not (value or "").strip():
        raise _fail(code, message, field)


def _check_choice(value: Any, choices: Any, code: str, field: str) -> None:
    if value not in choices.values:
        raise _fail(
            code,
            _("Unknown value “%(value)s”; choose one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices.values)},
            field,
        )


def _check_dates(
    start: dt.date | None, end: dt.date | None, code: str, field: str, message: str
) -> None:
    if start is not None and end is not None and end < start:
        raise _fail(code, message, field)


def _check_fiscal_year(year: Any, code: str, field: str = "fiscal_year") -> int:
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR
    ):
        raise _fail(
            code,
            _(
                "Give the fiscal year as a Buddhist-Era year between %(low)s and %(high)s, "
                "such as 2569."
            )
            % {"low": MIN_FISCAL_YEAR, "high": MAX_FISCAL_YEAR},
            field,
        )
    return year


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("NaN")
    return number


def _money(value: Any, field: str) -> Decimal | None:
    """Return an amount in baht rounded to the satang; refuse negative or absurd amounts."""
    number = _decimal(value)
    if number is None:
        return None
    if number.is_nan() or number < 0 or number >= MAX_MONEY:
        raise _fail(
            BudgetError.AMOUNT_NEGATIVE,
            _("An amount of money is a number of baht of 0 or more."),
            field,
        )
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _weight(value: Any, field: str = "weight") -> Decimal:
    number = _decimal(value)
    if number is None or number.is_nan() or number < 0 or number >= MAX_WEIGHT:
        raise _fail(
            ProjectError.WEIGHT_INVALID,
            _("A weight is a number of 0 or more (1 for an ordinary share)."),
            field,
        )
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(value: Any) -> Decimal:
    number = _decimal(value)
    if number is None or number.is_nan() or not Decimal(0) <= number <= Decimal(100):
        raise _fail(
            ProgressError.PERCENT_INVALID,
            _("Progress is a percentage from 0 to 100."),
            "progress",
        )
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _baht(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _related_codes(instance: Model, *names: str) -> dict[str, list[str]]:
    """Return the codes (sources: keys) of the rows in many-to-many fields, sorted, for audit
    records."""
    state: dict[str, list[str]] = {}
    for name in names:
        key = "key" if name == "sources" else "code"
        state[name] = sorted(getattr(instance, name).values_list(key, flat=True))
    return state


def _clean_text(fields: dict[str, Any], *names: str) -> None:
    for name in names:
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()


# --- Projects ---------------------------------------------------------------------------------


def _validate_project(project: Project, provinces: Sequence[Province]) -> None:
    _check_code(
        Project,
        project.code,
        project.pk,
        ProjectError.CODE_INVALID,
        ProjectError.CODE_TAKEN,
        _("Another project already has the code “%(code)s”."),
    )
    _check_required(
        project.name_th, ProjectError.NAME_REQUIRED, "name_th", _("The Thai name is required.")
    )
    _check_choice(project.kind, ProjectKind, ProjectError.CHOICE_INVALID, "kind")
    _check_choice(project.status, ProjectStatus, ProjectError.CHOICE_INVALID, "status")
    _check_choice(project.area_level, ProjectAreaLevel, ProjectError.CHOICE_INVALID, "area_level")
    _check_dates(
        project.start_date,
        project.end_date,
        ProjectError.DATES_ORDER,
        "end_date",
        _("The end date cannot come before the start date."),
    )
    project.weight = _weight(project.weight)
    area = project.area_level
    if area == ProjectAreaLevel.REGION and project.region is None:
        raise _fail(ProjectError.AREA_INCOMPLETE, _("Choose the region."), "region")
    if area == ProjectAreaLevel.SPECIAL_ZONE and project.special_zone is None:
        raise _fail(ProjectError.AREA_INCOMPLETE, _("Choose the special zone."), "special_zone")
    if area == ProjectAreaLevel.PROVINCE and not provinces:
        raise _fail(ProjectError.AREA_INCOMPLETE, _("Choose at least one province."), "provinces")
    parent = project.parent
    if parent is not None:
        if parent.kind != ProjectKind.PROGRAMME:
            raise _fail(
                ProjectError.PARENT_INVALID,
                _(
                    "“%(parent)s” is a project, not a programme; a project belongs only to a "
                    "programme."
                )
                % {"parent": parent.name_th},
                "parent",
            )
        seen: set[int | None] = set()
        current: Project | None = parent
        while current is not None and current.pk not in seen:
            if project.pk is not None and current.pk == project.pk:
                raise _fail(
                    ProjectError.PARENT_INVALID,
                    _("A programme cannot belong to itself, directly or through others."),
                    "parent",
                )
            seen.add(current.pk)
            current = current.parent


def _refresh_project_search(project: Project) -> None:
    owner = project.owner
    partners = [p.organisation for p in project.partners.select_related("organisation")]
    project.search_document = thai_text.search_document(
        project.name_th,
        project.name_en,
        project.code,
        owner.name_th,
        owner.name_en,
        owner.abbreviation_th,
        owner.abbreviation_en,
        " ".join(f"{o.name_th} {o.abbreviation_th}" for o in partners),
        " ".join(p.name_th for p in project.provinces.all()),
    )
    project.save(update_fields=["search_document"])


def _project_state(project: Project) -> dict[str, Any]:
    state = snapshot(project)
    state.pop("search_document", None)
    state.update(_related_codes(project, "provinces", "indicators", "sources"))
    state["partners"] = sorted(
        f"{code}:{role}"
        for code, role in project.partners.values_list("organisation__code", "role")
    )
    state["elements"] = sorted(
        f"{code}:{weight}"
        for code, weight in project.alignments.values_list("element__code", "weight")
    )
    return state


def _set_partners(project: Project, partners: Sequence[tuple[Organisation, str]]) -> None:
    seen: set[tuple[int, str]] = set()
    rows = []
    for organisation, role in partners:
        _check_choice(role, PartnerRole, ProjectError.CHOICE_INVALID, "partners")
        if (organisation.pk, role) in seen:
            continue
        seen.add((organisation.pk, role))
        rows.append(ProjectPartner(project=project, organisation=organisation, role=role))
    project.partners.all().delete()
    ProjectPartner.objects.bulk_create(rows)


def _set_alignments(project: Project, alignments: Sequence[tuple[PlanElement, Any]]) -> None:
    weights: dict[int, tuple[PlanElement, Decimal]] = {}
    for element, weight in alignments:
        weights[element.pk] = (element, _weight(1 if weight is None else weight, "elements"))
    project.alignments.all().delete()
    ProjectAlignment.objects.bulk_create(
        ProjectAlignment(project=project, element=element, weight=weight)
        for element, weight in weights.values()
    )


def project_create(
    *,
    actor: Any,
    provinces: Sequence[Province] = (),
    indicators: Sequence[Indicator] = (),
    sources: Sequence[Source] = (),
    partners: Sequence[tuple[Organisation, str]] = (),
    alignments: Sequence[tuple[PlanElement, Any]] = (),
    **fields: Any,
) -> Project:
    """Create a project or programme (see `PROJECT_FIELDS`) with its areas and links.

    `partners` are (organisation, role) pairs; `alignments` are (plan element, weight) pairs.
    The project's progress is not given: it follows its progress reports.
    """
    permissions.ensure(
        permissions.can_create_project(actor, fields.get("owner")), actor, "project.create"
    )
    _unknown_fields("project_create", fields, PROJECT_FIELDS)
    _clean_text(fields, "code", "name_th", "name_en")
    if fields.get("owner") is None:
        raise _fail(ProjectError.FIELD_REQUIRED, _("Choose the owner."), "owner")
    project = Project(**fields)
    _validate_project(project, provinces)
    with transaction.atomic():
        project.save()
        project.provinces.set(provinces)
        project.indicators.set(indicators)
        project.sources.set(sources)
        _set_partners(project, partners)
        _set_alignments(project, alignments)
        _refresh_project_search(project)
        audit_record(
            actor=actor, action="project.create", target=project, after=_project_state(project)
        )
    return project


def project_update(
    *,
    actor: Any,
    project: Project,
    provinces: Sequence[Province] | None = None,
    indicators: Sequence[Indicator] | None = None,
    sources: Sequence[Source] | None = None,
    partners: Sequence[tuple[Organisation, str]] | None = None,
    alignments: Sequence[tuple[PlanElement, Any]] | None = None,
    **fields: Any,
) -> Project:
    """Change a project's fields; only those given change. Lists given replace the old ones."""
    _unknown_fields("project_update", fields, PROJECT_FIELDS)
    permissions.ensure(
        permissions.can_edit_project(actor, project), actor, "project.update", project
    )
    if "owner" in fields and not permissions.can_create_project(actor, fields["owner"]):
        raise permissions.deny(actor, "project.update", project)
    _clean_text(fields, "code", "name_th", "name_en")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        before = _project_state(project)
        for name, value in fields.items():
            setattr(project, name, value)
        area_provinces = list(provinces) if provinces is not None else list(project.provinces.all())
        _validate_project(project, area_provinces)
        project.save()
        if provinces is not None:
            project.provinces.set(provinces)
        if indicators is not None:
            project.indicators.set(indicators)
        if sources is not None:
            project.sources.set(sources)
        if partners is not None:
            _set_partners(project, partners)
        if alignments is not None:
            _set_alignments(project, alignments)
        _refresh_project_search(project)
        audit_record(
            actor=actor,
            action="project.update",
            target=project,
            before=before,
            after=_project_state(project),
        )
    return project


def project_delete(*, actor: Any, project: Project) -> None:
    """Delete a project with its budget lines, milestones and reports, unless others need it."""
    permissions.ensure(
        permissions.can_edit_project(actor, project), actor, "project.delete", project
    )
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        dependents = sorted(
            set(project.children.values_list("code", flat=True))
            | set(project.programme_agreements.values_list("code", flat=True))
        )
        if dependents:
            raise ValidationFailed(
                ProjectError.HAS_DEPENDENTS,
                _("Other records belong to this programme (%(codes)s); move them first.")
                % {"codes": ", ".join(dependents)},
                detail={"dependents": dependents},
            )
        audit_record(
            actor=actor, action="project.delete", target=project, before=_project_state(project)
        )
        project.delete()


def project_partner_add(
    *, actor: Any, project: Project, organisation: Organisation, role: str = PartnerRole.PARTNER
) -> ProjectPartner:
    """Add a partner organisation to a project, in a role (lead agency, funder …)."""
    permissions.ensure(
        permissions.can_edit_project(actor, project), actor, "project.partner_add", project
    )
    _check_choice(role, PartnerRole, ProjectError.CHOICE_INVALID, "role")
    if ProjectPartner.objects.filter(
        project=project, organisation=organisation, role=role
    ).exists():
        raise _fail(
            ProjectError.PARTNER_DUPLICATE,
            _("“%(organisation)s” is already a partner in this role.")
            % {"organisation": organisation.name_th},
            "organisation",
        )
    with transaction.atomic():
        partner = ProjectPartner.objects.create(
            project=project, organisation=organisation, role=role
        )
        _refresh_project_search(project)
        audit_record(
            actor=actor,
            action="project.partner_add",
            target=project,
            after={"organisation": organisation.code, "role": role},
        )
    return partner


def project_partner_remove(*, actor: Any, partner: ProjectPartner) -> None:
    """Remove a partner from its project."""
    project = partner.project
    permissions.ensure(
        permissions.can_edit_project(actor, project), actor, "project.partner_remove", project
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="project.partner_remove",
            target=project,
            before={"organisation": partner.organisation.code, "role": partner.role},
        )
        partner.delete()
        _refresh_project_search(project)


def project_align(
    *, actor: Any, project: Project, element: PlanElement, weight: Any = 1
) -> ProjectAlignment:
    """Record that the project serves a plan element, with its weight in that element's
    progress."""
    permissions.ensure(
        permissions.can_edit_project(actor, project), actor, "project.align", project
    )
    value = _weight(weight)
    if ProjectAlignment.objects.filter(project=project, element=element).exists():
        raise _fail(
            ProjectError.ALIGNMENT_DUPLICATE,
            _("The project already serves “%(element)s”.") % {"element": element},
            "element",
        )
    with transaction.atomic():
        alignment = ProjectAlignment.objects.create(project=project, element=element, weight=value)
        audit_record(
            actor=actor,
            action="project.align",
            target=project,
            after={"element": element.code, "weight": value},
        )
    return alignment


def project_alignment_update(
    *, actor: Any, alignment: ProjectAlignment, weight: Any
) -> ProjectAlignment:
    """Change the weight of a project in a plan element's progress."""
    project = alignment.project
    permissions.ensure(
        permissions.can_edit_project(actor, project), actor, "project.align", project
    )
    value = _weight(weight)
    with transaction.atomic():
        before = {"element": alignment.element.code, "weight": alignment.weight}
        alignment.weight = value
        alignment.save(update_fields=["weight"])
        audit_record(
            actor=actor,
            action="project.align",
            target=project,
            before=before,
            after={"element": alignment.element.code, "weight": value},
        )
    return alignment


def project_unalign(*, actor: Any, alignment: ProjectAlignment) -> None:
    """Remove the link between a project and a plan element."""
    project = alignment.project
    permissions.ensure(
        permissions.can_edit_project(actor, project), actor, "project.unalign", project
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="project.unalign",
            target=project,
            before={"element": alignment.element.code, "weight": alignment.weight},
        )
        alignment.delete()


# --- Milestones -------------------------------------------------------------------------------


def _validate_milestone(milestone: Milestone) -> None:
    _check_required(milestone.name, MilestoneError.NAME_REQUIRED, "name", _("Name the milestone."))
    _check_choice(milestone.status, MilestoneStatus, MilestoneError.STATUS_INVALID, "status")
    if (
        milestone.done_date is not None
        and milestone.project.start_date is not None
        and milestone.done_date < milestone.project.start_date
    ):
        raise _fail(
            MilestoneError.DATES_ORDER,
            _("A milestone cannot be done before the project starts."),
            "done_date",
        )


def milestone_create(
    *,
    actor: Any,
    project: Project,
    name: str,
    due_date: dt.date | None = None,
    done_date: dt.date | None = None,
    status: str = MilestoneStatus.PENDING,
    position: int | None = None,
) -> Milestone:
    """Add a milestone to the project's timeline, at the end unless `position` says."""
    permissions.ensure(
        permissions.can_edit_project(actor, project), actor, "milestone.create", project
    )
    milestone = Milestone(
        project=project,
        name=(name or "").strip(),
        due_date=due_date,
        done_date=done_date,
        status=status,
    )
    _validate_milestone(milestone)
    with transaction.atomic():
        if position is None:
            position = (project.milestones.aggregate(m=Max("position"))["m"] or 0) + 1
        milestone.position = position
        milestone.save()
        audit_record(
            actor=actor, action="milestone.create", target=milestone, after=snapshot(milestone)
        )
    return milestone


def milestone_update(*, actor: Any, milestone: Milestone, **fields: Any) -> Milestone:
    """Change a milestone: its name, dates, status or place in the timeline."""
    _unknown_fields("milestone_update", fields, MILESTONE_FIELDS)
    permissions.ensure(
        permissions.can_edit_project(actor, milestone.project),
        actor,
        "milestone.update",
        milestone,
    )
    _clean_text(fields, "name")
    with transaction.atomic():
        milestone = (
            Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
        )
        before = snapshot(milestone)
        for name, value in fields.items():
            setattr(milestone, name, value)
        _validate_milestone(milestone)
        milestone.save()
        audit_record(
            actor=actor,
            action="milestone.update",
            target=milestone,
            before=before,
            after=snapshot(milestone),
        )
    return milestone


def milestone_delete(*, actor: Any, milestone: Milestone) -> None:
    """Remove a milestone from the timeline."""
    permissions.ensure(
        permissions.can_edit_project(actor, milestone.project),
        actor,
        "milestone.delete",
        milestone,
    )
    with transaction.atomic():
        audit_record(
            actor=actor, action="milestone.delete", target=milestone, before=snapshot(milestone)
        )
        milestone.delete()


# --- Progress reports -------------------------------------------------------------------------


def _validate_report(report: ProgressReport) -> None:
    _check_fiscal_year(report.fiscal_year, ProgressError.FISCAL_YEAR_INVALID)
    if isinstance(report.quarter, bool) or report.quarter not in (1, 2, 3, 4):
        raise _fail(
            ProgressError.QUARTER_INVALID,
            _("A fiscal quarter is 1, 2, 3 or 4 (quarter 1 is October to December)."),
            "quarter",
        )
    report.progress = _percent(report.progress)
    duplicate = ProgressReport.objects.filter(
        project_id=report.project_id, fiscal_year=report.fiscal_year, quarter=report.quarter
    ).exclude(pk=report.pk)
    if duplicate.exists():
        raise _fail(
            ProgressError.DUPLICATE,
            _("A report for quarter %(quarter)s of FY%(year)s already exists; correct that one.")
            % {"quarter": report.quarter, "year": report.fiscal_year},
            "quarter",
        )


def _refresh_progress(project: Project) -> None:
    """Set the project's progress to that of its latest report (none: unknown)."""
    latest = (
        ProgressReport.objects.filter(project=project)
        .order_by("-fiscal_year", "-quarter")
        .values_list("progress", flat=True)
        .first()
    )
    Project.objects.filter(pk=project.pk).update(progress=latest)
    project.progress = latest


def progress_report_create(
    *,
    actor: Any,
    project: Project,
    fiscal_year: int,
    quarter: int,
    progress: Any,
    summary: str = "",
    problems: str = "",
) -> ProgressReport:
    """File a quarterly progress report; the project's progress follows its latest report."""
    permissions.ensure(
        permissions.can_report_progress(actor, project), actor, "progress_report.create", project
    )
    report = ProgressReport(
        project=project,
        fiscal_year=fiscal_year,
        quarter=quarter,
        progress=progress,
        summary=(summary or "").strip(),
        problems=(problems or "").strip(),
        reporter=_actor_user(actor),
    )
    _validate_report(report)
    with transaction.atomic():
        report.save()
        _refresh_progress(project)
        audit_record(
            actor=actor,
            action="progress_report.create",
            target=report,
            after={**snapshot(report), "project_progress": project.progress},
        )
    return report


def progress_report_update(*, actor: Any, report: ProgressReport, **fields: Any) -> ProgressReport:
    """Correct a progress report; the project's progress follows its latest report."""
    _unknown_fields("progress_report_update", fields, REPORT_FIELDS)
    project = report.project
    permissions.ensure(
        permissions.can_report_progress(actor, project), actor, "progress_report.update", report
    )
    _clean_text(fields, "summary", "problems")
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        before = snapshot(report)
        for name, value in fields.items():
            setattr(report, name, value)
        _validate_report(report)
        report.save()
        _refresh_progress(project)
        audit_record(
            actor=actor,
            action="progress_report.update",
            target=report,
            before=before,
            after={**snapshot(report), "project_progress": project.progress},
        )
    return report


def progress_report_delete(*, actor: Any, report: ProgressReport) -> None:
    """Remove a progress report; the project's progress falls back to the one before."""
    project = report.project
    permissions.ensure(
        permissions.can_report_progress(actor, project), actor, "progress_report.delete", report
    )
    with transaction.atomic():
        audit_record(
            actor=actor, action="progress_report.delete", target=report, before=snapshot(report)
        )
        report.delete()
        _refresh_progress(project)


# --- Budget lines -----------------------------------------------------------------------------


def _validate_budget(line: BudgetLine) -> None:
    _check_fiscal_year(line.fiscal_year, BudgetError.FISCAL_YEAR_INVALID)
    _check_choice(line.category, BudgetCategory, BudgetError.CHOICE_INVALID, "category")
    _check_choice(line.funding_source, FundingSource, BudgetError.CHOICE_INVALID, "funding_source")
    for name in MONEY_FIELDS:
        setattr(line, name, _money(getattr(line, name), name))
    # Money moves down the chain: allocated, then committed (contracts), then disbursed. Each
    # pair is checked when both amounts are given, the nearest pair first.
    pairs = (
        (
            "committed",
            "allocated",
            _(
                "The committed amount (%(low)s baht) cannot be more than the allocated amount "
                "(%(high)s baht)."
            ),
        ),
        (
            "disbursed",
            "committed",
            _(
                "The disbursed amount (%(low)s baht) cannot be more than the committed amount "
                "(%(high)s baht)."
            ),
        ),
        (
            "disbursed",
            "allocated",
            _(
                "The disbursed amount (%(low)s baht) cannot be more than the allocated amount "
                "(%(high)s baht)."
            ),
        ),
    )
    for low_name, high_name, message in pairs:
        low, high = getattr(line, low_name), getattr(line, high_name)
        if low is not None and high is not None and low > high:
            raise _fail(
                BudgetError.AMOUNTS_INCONSISTENT,
                message % {"low": _baht(low), "high": _baht(high)},
                low_name,
            )
    duplicate = BudgetLine.objects.filter(
        project_id=line.project_id,
        fiscal_year=line.fiscal_year,
        category=line.category,
        funding_source=line.funding_source,
    ).exclude(pk=line.pk)
    if duplicate.exists():
        raise _fail(
            BudgetError.DUPLICATE,
            _(
                "The project already has a budget line for FY%(year)s with this category and "
                "funding source; change that line instead."
            )
            % {"year": line.fiscal_year},
            "fiscal_year",
        )


def budget_line_create(
    *,
    actor: Any,
    project: Project,
    fiscal_year: int,
    category: str = BudgetCategory.OTHER,
    funding_source: str = FundingSource.GOVERNMENT,
    planned: Any = None,
    allocated: Any = None,
    committed: Any = None,
    disbursed: Any = None,
    note: str = "",
) -> BudgetLine:
    """Add a project's money for one fiscal year, category and funding source.

    Amounts are baht of 0 or more; when given, disbursed ≤ committed ≤ allocated.
    """
    permissions.ensure(
        permissions.can_edit_budget(actor, project), actor, "budget_line.create", project
    )
    line = BudgetLine(
        project=project,
        fiscal_year=fiscal_year,
        category=category,
        funding_source=funding_source,
        planned=planned,
        allocated=allocated,
        committed=committed,
        disbursed=disbursed,
        note=(note or "").strip(),
    )
    _validate_budget(line)
    with transaction.atomic():
        line.save()
        audit_record(actor=actor, action="budget_line.create", target=line, after=snapshot(line))
    return line


def budget_line_update(*, actor: Any, line: BudgetLine, **fields: Any) -> BudgetLine:
    """Change a budget line. Data reporters may change only the committed and disbursed
    figures; a field given with its present value counts as unchanged."""
    _unknown_fields("budget_line_update", fields, BUDGET_FIELDS)
    _clean_text(fields, "note")
    project = line.project
    current = BudgetLine.objects.filter(pk=line.pk).first() or line
    changed = {
        name
        for name, value in fields.items()
        if _comparable(name, value) != _comparable(name, getattr(current, name))
    }
    if changed <= permissions.BUDGET_ACTUAL_FIELDS:
        allowed = permissions.can_update_budget_actuals(actor, project)
    else:
        allowed = permissions.can_edit_budget(actor, project)
    permissions.ensure(allowed, actor, "budget_line.update", line)
    with transaction.atomic():
        line = BudgetLine.objects.select_for_update().get(pk=line.pk)
        before = snapshot(line)
        for name, value in fields.items():
            setattr(line, name, value)
        _validate_budget(line)
        line.save()
        audit_record(
            actor=actor,
            action="budget_line.update",
            target=line,
            before=before,
            after=snapshot(line),
        )
    return line


def _comparable(name: str, value: Any) -> Any:
    if name in MONEY_FIELDS:
        number = _decimal(value)
        if number is None or number.is_nan():
            return number if number is None else str(value)
        return number.quantize(CENT, rounding=ROUND_HALF_UP)
    return value


def budget_line_delete(*, actor: Any, line: BudgetLine) -> None:
    """Remove a budget line."""
    permissions.ensure(
        permissions.can_edit_budget(actor, line.project), actor, "budget_line.delete", line
    )
    with transaction.atomic():
        audit_record(actor=actor, action="budget_line.delete", target=line, before=snapshot(line))
        line.delete()


# --- Agreements -------------------------------------------------------------------------------


def _clean_dimensions(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise _fail(
            AgreementError.DIMENSIONS_INVALID,
            _("Give the dimensions as a list of short texts."),
            "dimensions",
        )
    cleaned: list[str] = []
    for value in values:
        if not isinstance(value, str) or len(value.strip()) > 200:
            raise _fail(
                AgreementError.DIMENSIONS_INVALID,
                _("Each dimension is a short text of at most 200 characters."),
                "dimensions",
            )
        text = value.strip()
        if text and text not in cleaned:
            cleaned.append(text)
    return cleaned


def _validate_agreement(agreement: Agreement) -> None:
    _check_code(
        Agreement,
        agreement.code,
        agreement.pk,
        AgreementError.CODE_INVALID,
        AgreementError.CODE_TAKEN,
        _("Another agreement already has the code “%(code)s”."),
    )
    _check_required(
        agreement.title_th,
        AgreementError.TITLE_REQUIRED,
        "title_th",
        _("The Thai title is required."),
    )
    _check_choice(agreement.status, AgreementStatus, AgreementError.STATUS_INVALID, "status")
    _check_dates(
        agreement.start_date,
        agreement.end_date,
        AgreementError.DATES_ORDER,
        "end_date",
        _("The agreement cannot end before it comes into force."),
    )
    _check_dates(
        agreement.signed_on,
        agreement.end_date,
        AgreementError.DATES_ORDER,
        "end_date",
        _("The agreement cannot end before it was signed."),
    )
    agreement.dimensions = _clean_dimensions(agreement.dimensions)
    if agreement.programme is not None and agreement.programme.kind != ProjectKind.PROGRAMME:
        raise _fail(
            AgreementError.PROGRAMME_INVALID,
            _("“%(project)s” is a project, not a programme.")
            % {"project": agreement.programme.name_th},
            "programme",
        )


def _refresh_agreement_search(agreement: Agreement) -> None:
    owner = agreement.owner
    parties = [p.organisation for p in agreement.parties.select_related("organisation")]
    agreement.search_document = thai_text.search_document(
        agreement.title_th,
        agreement.title_en,
        agreement.code,
        agreement.signed_place,
        owner.name_th,
        owner.abbreviation_th,
        owner.abbreviation_en,
        " ".join(f"{o.name_th} {o.name_en} {o.abbreviation_th}" for o in parties),
        agreement.province.name_th if agreement.province else "",
    )
    agreement.save(update_fields=["search_document"])


def _agreement_state(agreement: Agreement) -> dict[str, Any]:
    state = snapshot(agreement)
    state.pop("search_document", None)
    state.update(_related_codes(agreement, "projects", "elements", "sources"))
    state["parties"] = [
        f"{code}:{role}"
        for code, role in agreement.parties.values_list("organisation__code", "role")
    ]
    return state


def _party_rows(agreement: Agreement, parties: Sequence[Mapping[str, Any]]) -> list[AgreementParty]:
    rows: list[AgreementParty] = []
    seen: set[int] = set()
    for index, party in enumerate(parties, start=1):
        organisation = party["organisation"]
        role = party.get("role") or PartyRole.PARTY
        _check_choice(role, PartyRole, AgreementError.PARTY_ROLE_INVALID, "parties")
        if organisation.pk in seen:
            raise _fail(
                AgreementError.PARTY_DUPLICATE,
                _("“%(organisation)s” is named twice among the parties.")
                % {"organisation": organisation.name_th},
                "parties",
            )
        seen.add(organisation.pk)
        rows.append(
            AgreementParty(
                agreement=agreement,
                organisation=organisation,
                role=role,
                signatory_name=(party.get("signatory_name") or "").strip(),
                signatory_position=(party.get("signatory_position") or "").strip(),
                position=index,
            )
        )
    return rows


def agreement_create(
    *,
    actor: Any,
    projects: Sequence[Project] = (),
    elements: Sequence[PlanElement] = (),
    sources: Sequence[Source] = (),
    parties: Sequence[Mapping[str, Any]] = (),
    **fields: Any,
) -> Agreement:
    """Record an agreement (see `AGREEMENT_FIELDS`) with its parties and linked projects.

    `owner` is the organisation that records it. Each party is a mapping with `organisation`,
    and optionally `role`, `signatory_name` and `signatory_position`.
    """
    permissions.ensure(
        permissions.can_create_agreement(actor, fields.get("owner")), actor, "agreement.create"
    )
    _unknown_fields("agreement_create", fields, AGREEMENT_FIELDS)
    _clean_text(fields, "code", "title_th", "title_en", "signed_place")
    if fields.get("owner") is None:
        raise _fail(
            AgreementError.FIELD_REQUIRED, _("Choose the organisation that records it."), "owner"
        )
    fields.setdefault("dimensions", [])
    agreement = Agreement(**fields)
    _validate_agreement(agreement)
    rows = _party_rows(agreement, parties)
    with transaction.atomic():
        agreement.save()
        AgreementParty.objects.bulk_create(rows)
        agreement.projects.set(projects)
        agreement.elements.set(elements)
        agreement.sources.set(sources)
        _refresh_agreement_search(agreement)
        audit_record(
            actor=actor,
            action="agreement.create",
            target=agreement,
            after=_agreement_state(agreement),
        )
    return agreement


def agreement_update(
    *,
    actor: Any,
    agreement: Agreement,
    projects: Sequence[Project] | None = None,
    elements: Sequence[PlanElement] | None = None,
    sources: Sequence[Source] | None = None,
    parties: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> Agreement:
    """Change an agreement; only the fields given change, lists given replace the old ones."""
    _unknown_fields("agreement_update", fields, AGREEMENT_FIELDS)
    permissions.ensure(
        permissions.can_edit_agreement(actor, agreement), actor, "agreement.update", agreement
    )
    if "owner" in fields and not permissions.can_create_agreement(actor, fields["owner"]):
        raise permissions.deny(actor, "agreement.update", agreement)
    _clean_text(fields, "code", "title_th", "title_en", "signed_place")
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        before = _agreement_state(agreement)
        for name, value in fields.items():
            setattr(agreement, name, value)
        _validate_agreement(agreement)
        rows = _party_rows(agreement, parties) if parties is not None else None
        agreement.save()
        if rows is not None:
            agreement.parties.all().delete()
            AgreementParty.objects.bulk_create(rows)
        if projects is not None:
            agreement.projects.set(projects)
        if elements is not None:
            agreement.elements.set(elements)
        if sources is not None:
            agreement.sources.set(sources)
        _refresh_agreement_search(agreement)
        audit_record(
            actor=actor,
            action="agreement.update",
            target=agreement,
            before=before,
            after=_agreement_state(agreement),
        )
    return agreement


def agreement_delete(*, actor: Any, agreement: Agreement) -> None:
    """Delete an agreement with its parties and documents (stored files too, once committed)."""
    permissions.ensure(
        permissions.can_edit_agreement(actor, agreement), actor, "agreement.delete", agreement
    )
    files = [f for f in agreement.documents.values_list("file", flat=True) if f]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="agreement.delete",
            target=agreement,
            before=_agreement_state(agreement),
        )
        agreement.delete()
        _delete_files_on_commit(files)


def _delete_files_on_commit(paths: list[str]) -> None:
    def delete() -> None:
        storage = uploads.upload_storage()
        for path in paths:
            storage.delete(path)

    if paths:
        transaction.on_commit(delete)


def agreement_party_add(
    *,
    actor: Any,
    agreement: Agreement,
    organisation: Organisation,
    role: str = PartyRole.PARTY,
    signatory_name: str = "",
    signatory_position: str = "",
) -> AgreementParty:
    """Add a party (or a witness, or a coordinator) to an agreement, with its signatory."""
    permissions.ensure(
        permissions.can_edit_agreement(actor, agreement),
        actor,
        "agreement.party_add",
        agreement,
    )
    _check_choice(role, PartyRole, AgreementError.PARTY_ROLE_INVALID, "role")
    if agreement.parties.filter(organisation=organisation).exists():
        raise _fail(
            AgreementError.PARTY_DUPLICATE,
            _("“%(organisation)s” is already a party to this agreement.")
            % {"organisation": organisation.name_th},
            "organisation",
        )
    with transaction.atomic():
        position = (agreement.parties.aggregate(m=Max("position"))["m"] or 0) + 1
        party = AgreementParty.objects.create(
            agreement=agreement,
            organisation=organisation,
            role=role,
            signatory_name=signatory_name.strip(),
            signatory_position=signatory_position.strip(),
            position=position,
        )
        _refresh_agreement_search(agreement)
        audit_record(
            actor=actor,
            action="agreement.party_add",
            target=agreement,
            after={
                "organisation": organisation.code,
                "role": role,
                "signatory_name": party.signatory_name,
                "signatory_position": party.signatory_position,
            },
        )
    return party


def agreement_party_update(*, actor: Any, party: AgreementParty, **fields: Any) -> AgreementParty:
    """Change a party's role, signatory or place in the list."""
    _unknown_fields("agreement_party_update", fields, PARTY_FIELDS)
    agreement = party.agreement
    permissions.ensure(
        permissions.can_edit_agreement(actor, agreement),
        actor,
        "agreement.party_update",
        agreement,
    )
    if "role" in fields:
        _check_choice(fields["role"], PartyRole, AgreementError.PARTY_ROLE_INVALID, "role")
    _clean_text(fields, "signatory_name", "signatory_position")
    with transaction.atomic():
        before = snapshot(party)
        for name, value in fields.items():
            setattr(party, name, value)
        party.save()
        audit_record(
            actor=actor,
            action="agreement.party_update",
            target=agreement,
            before=before,
            after=snapshot(party),
        )
    return party


def agreement_party_remove(*, actor: Any, party: AgreementParty) -> None:
    """Remove a party from an agreement."""
    agreement = party.agreement
    permissions.ensure(
        permissions.can_edit_agreement(actor, agreement),
        actor,
        "agreement.party_remove",
        agreement,
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="agreement.party_remove",
            target=agreement,
            before={"organisation": party.organisation.code, "role": party.role},
        )
        party.delete()
        _refresh_agreement_search(agreement)


def agreement_document_add(
    *,
    actor: Any,
    agreement: Agreement,
    title: str,
    upload: Any = None,
    url: str = "",
) -> AgreementDocument:
    """Attach a document to an agreement: an uploaded file (checked and stored out of the web
    root), a link to where it is published, or both."""
    permissions.ensure(
        permissions.can_edit_agreement(actor, agreement),
        actor,
        "agreement.document_add",
        agreement,
    )
    title = (title or "").strip()
    url = (url or "").strip()
    if not title:
        raise _fail(
            AgreementError.DOCUMENT_TITLE_REQUIRED, _("Give the document a title."), "title"
        )
    if upload is None and not url:
        raise _fail(
            AgreementError.DOCUMENT_EMPTY,
            _("Upload the document or give the link where it is published."),
            "file",
        )
    checked = uploads.validate_upload(upload) if upload is not None else None
    with transaction.atomic():
        stored = stored_name = ""
        if upload is not None and checked is not None:
            stored = uploads.save_upload(upload, checked, folder=f"agreements/{agreement.code}")
            stored_name = checked.original_name[:255]
        document = AgreementDocument.objects.create(
            agreement=agreement, title=title[:300], file=stored, file_name=stored_name, url=url
        )
        audit_record(
            actor=actor,
            action="agreement.document_add",
            target=agreement,
            after={"title": document.title, "file_name": stored_name, "url": url},
        )
    return document


def agreement_document_remove(*, actor: Any, document: AgreementDocument) -> None:
    """Remove a document from an agreement, and its stored file once the change is committed."""
    agreement = document.agreement
    permissions.ensure(
        permissions.can_edit_agreement(actor, agreement),
        actor,
        "agreement.document_remove",
        agreement,
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="agreement.document_remove",
            target=agreement,
            before={"title": document.title, "file_name": document.file_name, "url": document.url},
        )
        path = document.file
        document.delete()
        _delete_files_on_commit([path] if path else [])


# --- Area programmes --------------------------------------------------------------------------


def _validate_programme(programme: AreaProgramme) -> None:
    _check_code(
        AreaProgramme,
        programme.code,
        programme.pk,
        ProgrammeError.CODE_INVALID,
        ProgrammeError.CODE_TAKEN,
        _("Another area programme already has the code “%(code)s”."),
    )
    _check_required(
        programme.name_th, ProgrammeError.NAME_REQUIRED, "name_th", _("The Thai name is required.")
    )
    _check_choice(programme.kind, AreaProgrammeKind, ProgrammeError.KIND_INVALID, "kind")


def _programme_state(programme: AreaProgramme) -> dict[str, Any]:
    state = snapshot(programme)
    state.update(_related_codes(programme, "sources"))
    state["provinces"] = sorted(
        programme.programme_provinces.values_list("province__code", flat=True)
    )
    return state


def area_programme_create(
    *, actor: Any, sources: Sequence[Source] = (), **fields: Any
) -> AreaProgramme:
    """Create an area programme: pilot provinces, smart city promotion or community centres."""
    permissions.ensure(
        permissions.can_create_programme(actor, fields.get("owner")),
        actor,
        "area_programme.create",
    )
    _unknown_fields("area_programme_create", fields, PROGRAMME_FIELDS)
    _clean_text(fields, "code", "name_th", "name_en")
    if fields.get("owner") is None:
        raise _fail(ProgrammeError.FIELD_REQUIRED, _("Choose the owner."), "owner")
    programme = AreaProgramme(**fields)
    _validate_programme(programme)
    with transaction.atomic():
        programme.save()
        programme.sources.set(sources)
        audit_record(
            actor=actor,
            action="area_programme.create",
            target=programme,
            after=_programme_state(programme),
        )
    return programme


def area_programme_update(
    *,
    actor: Any,
    programme: AreaProgramme,
    sources: Sequence[Source] | None = None,
    **fields: Any,
) -> AreaProgramme:
    """Change an area programme; only the fields given change."""
    _unknown_fields("area_programme_update", fields, PROGRAMME_FIELDS)
    permissions.ensure(
        permissions.can_edit_programme(actor, programme),
        actor,
        "area_programme.update",
        programme,
    )
    if "owner" in fields and not permissions.can_create_programme(actor, fields["owner"]):
        raise permissions.deny(actor, "area_programme.update", programme)
    _clean_text(fields, "code", "name_th", "name_en")
    with transaction.atomic():
        programme = AreaProgramme.objects.select_for_update().get(pk=programme.pk)
        before = _programme_state(programme)
        for name, value in fields.items():
            setattr(programme, name, value)
        _validate_programme(programme)
        programme.save()
        if sources is not None:
            programme.sources.set(sources)
        audit_record(
            actor=actor,
            action="area_programme.update",
            target=programme,
            before=before,
            after=_programme_state(programme),
        )
    return programme


def area_programme_delete(*, actor: Any, programme: AreaProgramme) -> None:
    """Delete an area programme with its provinces, unless zones or centres belong to it."""
    permissions.ensure(
        permissions.can_edit_programme(actor, programme),
        actor,
        "area_programme.delete",
        programme,
    )
    with transaction.atomic():
        dependents = sorted(
            set(programme.smart_city_zones.values_list("code", flat=True))
            | set(programme.community_centres.values_list("code", flat=True))
        )
        if dependents:
            raise ValidationFailed(
                ProgrammeError.HAS_DEPENDENTS,
                _("Zones or centres belong to this programme (%(codes)s); move them first.")
                % {"codes": ", ".join(dependents[:20])},
                detail={"dependents": dependents},
            )
        audit_record(
            actor=actor,
            action="area_programme.delete",
            target=programme,
            before=_programme_state(programme),
        )
        programme.delete()


def programme_province_add(
    *,
    actor: Any,
    programme: AreaProgramme,
    province: Province,
    plan: Any = None,
    note: str = "",
) -> ProgrammeProvince:
    """Choose a province for the programme (one of depa's pilot provinces, say)."""
    permissions.ensure(
        permissions.can_edit_programme(actor, programme),
        actor,
        "area_programme.province_add",
        programme,
    )
    if programme.programme_provinces.filter(province=province).exists():
        raise _fail(
            ProgrammeError.PROVINCE_DUPLICATE,
            _("%(province)s is already in this programme.") % {"province": province.name_th},
            "province",
        )
    with transaction.atomic():
        membership = ProgrammeProvince.objects.create(
            programme=programme, province=province, plan=plan, note=(note or "").strip()
        )
        audit_record(
            actor=actor,
            action="area_programme.province_add",
            target=programme,
            after={
                "province": province.code,
                "plan": plan.code if plan is not None else None,
                "note": membership.note,
            },
        )
    return membership


def programme_province_remove(*, actor: Any, membership: ProgrammeProvince) -> None:
    """Take a province out of its programme."""
    programme = membership.programme
    permissions.ensure(
        permissions.can_edit_programme(actor, programme),
        actor,
        "area_programme.province_remove",
        programme,
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="area_programme.province_remove",
            target=programme,
            before={"province": membership.province.code, "note": membership.note},
        )
        membership.delete()


# --- Smart city zones -------------------------------------------------------------------------


DIMENSION_KEYS = tuple(key for key, _label in SMART_CITY_DIMENSIONS)
CRITERION_KEYS = tuple(key for key, _label in SMART_CITY_CRITERIA)


def _clean_zone_dimensions(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, list | tuple):
        values = [values]
    unknown = [str(v) for v in values if v not in DIMENSION_KEYS]
    if unknown:
        raise _fail(
            SmartCityError.DIMENSION_UNKNOWN,
            _("Unknown smart city dimension “%(codes)s”; the seven are: %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(DIMENSION_KEYS)},
            "dimensions",
        )
    return [key for key in DIMENSION_KEYS if key in values]


def _clean_criteria(values: Any) -> dict[str, bool]:
    """Return the assessment as {criterion: met}, in the criteria's order."""
    if values is None:
        return {}
    if isinstance(values, list | tuple):  # the criteria that are met
        values = dict.fromkeys(values, True)
    if not isinstance(values, Mapping):
        raise _fail(
            SmartCityError.CRITERION_UNKNOWN,
            _("Give the assessment as each criterion and whether it is met."),
            "criteria",
        )
    unknown = [str(k) for k in values if k not in CRITERION_KEYS]
    if unknown:
        raise _fail(
            SmartCityError.CRITERION_UNKNOWN,
            _("Unknown smart city criterion “%(codes)s”; the five are: %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(CRITERION_KEYS)},
            "criteria",
        )
    return {key: bool(values[key]) for key in CRITERION_KEYS if key in values}


def _validate_zone(zone: SmartCityZone) -> None:
    _check_code(
        SmartCityZone,
        zone.code,
        zone.pk,
        SmartCityError.CODE_INVALID,
        SmartCityError.CODE_TAKEN,
        _("Another smart city zone already has the code “%(code)s”."),
    )
    _check_required(
        zone.name_th, SmartCityError.NAME_REQUIRED, "name_th", _("The Thai name is required.")
    )
    if zone.district is not None and zone.district.province_id != zone.province.pk:
        raise _fail(
            SmartCityError.DISTRICT_OUTSIDE_PROVINCE,
            _("The district %(district)s is not in %(province)s.")
            % {"district": zone.district.name_th, "province": zone.province.name_th},
            "district",
        )
    if zone.programme is not None and zone.programme.kind != AreaProgrammeKind.SMART_CITY:
        raise _fail(
            SmartCityError.PROGRAMME_KIND,
            _("“%(programme)s” is not a smart city programme.")
            % {"programme": zone.programme.name_th},
            "programme",
        )
    zone.dimensions = _clean_zone_dimensions(zone.dimensions)
    zone.criteria = _clean_criteria(zone.criteria)


def _zone_state(zone: SmartCityZone) -> dict[str, Any]:
    return snapshot(zone)


def smart_city_zone_create(
    *,
    actor: Any,
    applied_on: dt.date | None = None,
    reference: str = "",
    note: str = "",
    sources: Sequence[Source] = (),
    **fields: Any,
) -> SmartCityZone:
    """Record a municipality's application for a smart city promotion zone.

    The zone starts at the stage "applied", with a dated decision row for the application.
    """
    programme = fields.get("programme")
    permissions.ensure(
        permissions.can_create_zone(actor, fields.get("applicant"), programme),
        actor,
        "smart_city.create",
    )
    _unknown_fields("smart_city_zone_create", fields, ZONE_FIELDS)
    _clean_text(fields, "code", "name_th", "name_en")
    for name, label in (
        ("applicant", _("Choose the applicant.")),
        ("province", _("Choose the province.")),
    ):
        if fields.get(name) is None:
            raise _fail(SmartCityError.FIELD_REQUIRED, label, name)
    zone = SmartCityZone(stage=SmartCityStage.APPLIED, **fields)
    _validate_zone(zone)
    with transaction.atomic():
        zone.save()
        zone.sources.set(sources)
        SmartCityDecision.objects.create(
            zone=zone,
            stage=SmartCityStage.APPLIED,
            decided_on=applied_on,
            decided_by=zone.applicant,
            reference=(reference or "").strip()[:300],
            note=(note or "").strip(),
            actor=_actor_user(actor),
        )
        audit_record(
            actor=actor,
            action="smart_city.create",
            target=zone,
            after={**_zone_state(zone), "applied_on": applied_on},
        )
    return zone


def smart_city_zone_update(
    *,
    actor: Any,
    zone: SmartCityZone,
    sources: Sequence[Source] | None = None,
    **fields: Any,
) -> SmartCityZone:
    """Change a zone's record (names, place, dimensions, assessment). The stage changes only
    through `smart_city_advance`."""
    _unknown_fields("smart_city_zone_update", fields, ZONE_FIELDS)
    permissions.ensure(permissions.can_edit_zone(actor, zone), actor, "smart_city.update", zone)
    new_applicant = fields.get("applicant", zone.applicant)
    new_programme = fields.get("programme", zone.programme)
    if ("applicant" in fields or "programme" in fields) and not permissions.can_create_zone(
        actor, new_applicant, new_programme
    ):
        raise permissions.deny(actor, "smart_city.update", zone)
    _clean_text(fields, "code", "name_th", "name_en")
    with transaction.atomic():
        zone = SmartCityZone.objects.select_for_update().get(pk=zone.pk)
        before = _zone_state(zone)
        for name, value in fields.items():
            setattr(zone, name, value)
        _validate_zone(zone)
        zone.save()
        if sources is not None:
            zone.sources.set(sources)
        audit_record(
            actor=actor,
            action="smart_city.update",
            target=zone,
            before=before,
            after=_zone_state(zone),
        )
    return zone


def smart_city_zone_delete(*, actor: Any, zone: SmartCityZone) -> None:
    """Delete a zone's record with its decisions."""
    permissions.ensure(permissions.can_edit_zone(actor, zone), actor, "smart_city.delete", zone)
    with transaction.atomic():
        audit_record(actor=actor, action="smart_city.delete", target=zone, before=_zone_state(zone))
        zone.delete()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def smart_city_advance(
    *,
    actor: Any,
    zone: SmartCityZone,
    stage: str,
    decided_on: dt.date | None = None,
    decided_by: Organisation | None = None,
    reference: str = "",
    note: str = "",
    criteria: Mapping[str, Any] | Sequence[str] | None = None,
    dimensions: Sequence[str] | None = None,
    source: Source | None = None,
) -> SmartCityDecision:
    """Move a zone to its next stage and record the dated decision behind it.

    The order is applied → assessed (against the five criteria and the seven dimensions, which
    may be given here) → announced as a promotion zone → certified with the Smart City Thailand
    logo. A certificate may be revoked only once certified, when the targets are missed within
    two years: certifying sets `targets_due` to the certificate's date plus two years, so the
    date of certification is required. An application is rejected while applied or assessed.
    A decision may not be dated before the zone's previous decision.
    """
    if stage not in SMART_CITY_STEPS:
        raise _fail(
            SmartCityError.STAGE_UNKNOWN,
            _("Unknown stage “%(stage)s”; the steps are: %(steps)s.")
            % {"stage": stage, "steps": ", ".join(SMART_CITY_STEPS)},
            "stage",
        )
    zone = SmartCityZone.objects.select_related("programme", "applicant").get(pk=zone.pk)

    def refuse_state(current: SmartCityZone) -> ApplicationError:
        return ApplicationError(
            SmartCityError.STEP_INVALID,
            _("A zone that is “%(current)s” cannot become “%(stage)s”.")
            % {
                "current": SmartCityStage(current.stage).label,
                "stage": SmartCityStage(stage).label,
            },
            detail={"stage": current.stage, "step": stage},
            http_status=409,
        )

    if zone.stage not in SMART_CITY_STEPS[stage]:
        raise refuse_state(zone)
    permissions.ensure(permissions.can_decide_zone(actor, zone), actor, f"smart_city.{stage}", zone)
    if stage == SmartCityStage.CERTIFIED and decided_on is None:
        raise _fail(
            SmartCityError.DATE_REQUIRED,
            _("Give the date of certification: the targets are due two years after it."),
            "decided_on",
        )
    clean_criteria = _clean_criteria(criteria) if criteria is not None else None
    clean_dimensions = _clean_zone_dimensions(dimensions) if dimensions is not None else None
    with transaction.atomic():
        zone = SmartCityZone.objects.select_for_update().get(pk=zone.pk)
        if zone.stage not in SMART_CITY_STEPS[stage]:  # someone moved it meanwhile
            raise refuse_state(zone)
        previous = (
            zone.decisions.filter(decided_on__isnull=False)
            .order_by("-decided_on")
            .values_list("decided_on", flat=True)
            .first()
        )
        if decided_on is not None and previous is not None and decided_on < previous:
            raise _fail(
                SmartCityError.DATE_BEFORE_PREVIOUS,
                _("The decision cannot be dated before the zone's previous step (%(date)s).")
                % {"date": thai_calendar.format_thai_date(previous)},
                "decided_on",
            )
        before = {"stage": zone.stage, "targets_due": zone.targets_due}
        decision = SmartCityDecision.objects.create(
            zone=zone,
            stage=stage,
            decided_on=decided_on,
            decided_by=decided_by,
            reference=(reference or "").strip()[:300],
            note=(note or "").strip(),
            actor=_actor_user(actor),
            source=source,
        )
        zone.stage = stage
        if stage == SmartCityStage.CERTIFIED and decided_on is not None:
            zone.targets_due = _add_years(decided_on, TARGETS_YEARS)
        if clean_criteria is not None:
            zone.criteria = clean_criteria
        if clean_dimensions is not None:
            zone.dimensions = clean_dimensions
        zone.save(update_fields=["stage", "targets_due", "criteria", "dimensions", "updated_at"])
        audit_record(
            actor=actor,
            action=f"smart_city.{stage}",
            target=zone,
            before=before,
            after={
                "stage": zone.stage,
                "targets_due": zone.targets_due,
                "decided_on": decided_on,
                "decided_by": decided_by.code if decided_by is not None else None,
                "reference": decision.reference,
                "criteria": zone.criteria,
                "dimensions": zone.dimensions,
            },
        )
    return decision


# --- Digital community centres ----------------------------------------------------------------


def _validate_centre(centre: DigitalCommunityCentre) -> None:
    _check_code(
        DigitalCommunityCentre,
        centre.code,
        centre.pk,
        CentreError.CODE_INVALID,
        CentreError.CODE_TAKEN,
        _("Another community centre already has the code “%(code)s”."),
    )
    _check_required(
        centre.name_th, CentreError.NAME_REQUIRED, "name_th", _("The Thai name is required.")
    )
    _check_choice(centre.status, CentreStatus, CentreError.STATUS_INVALID, "status")
    if centre.subdistrict is not None:
        if centre.district is None:
            centre.district = centre.subdistrict.district
        elif centre.subdistrict.district_id != centre.district.pk:
            raise _fail(
                CentreError.PLACE_INCONSISTENT,
                _("The sub-district %(subdistrict)s is not in the district %(district)s.")
                % {"subdistrict": centre.subdistrict.name_th, "district": centre.district.name_th},
                "subdistrict",
            )
    if centre.district is not None and centre.district.province_id != centre.province.pk:
        raise _fail(
            CentreError.PLACE_INCONSISTENT,
            _("The district %(district)s is not in %(province)s.")
            % {"district": centre.district.name_th, "province": centre.province.name_th},
            "district",
        )
    if (
        centre.programme is not None
        and centre.programme.kind != AreaProgrammeKind.COMMUNITY_CENTRES
    ):
        raise _fail(
            CentreError.PROGRAMME_KIND,
            _("“%(programme)s” is not a community centres programme.")
            % {"programme": centre.programme.name_th},
            "programme",
        )


def community_centre_create(
    *, actor: Any, sources: Sequence[Source] = (), **fields: Any
) -> DigitalCommunityCentre:
    """Record a digital community centre with its host, place (down to the sub-district),
    opening date, equipment and status."""
    permissions.ensure(
        permissions.can_create_centre(actor, fields.get("host"), fields.get("programme")),
        actor,
        "community_centre.create",
    )
    _unknown_fields("community_centre_create", fields, CENTRE_FIELDS)
    _clean_text(fields, "code", "name_th", "name_en", "equipment")
    for name, label in (
        ("host", _("Choose the host organisation.")),
        ("province", _("Choose the province.")),
    ):
        if fields.get(name) is None:
            raise _fail(CentreError.FIELD_REQUIRED, label, name)
    centre = DigitalCommunityCentre(**fields)
    _validate_centre(centre)
    with transaction.atomic():
        centre.save()
        centre.sources.set(sources)
        audit_record(
            actor=actor, action="community_centre.create", target=centre, after=snapshot(centre)
        )
    return centre


def community_centre_update(
    *,
    actor: Any,
    centre: DigitalCommunityCentre,
    sources: Sequence[Source] | None = None,
    **fields: Any,
) -> DigitalCommunityCentre:
    """Change a centre's record; only the fields given change."""
    _unknown_fields("community_centre_update", fields, CENTRE_FIELDS)
    permissions.ensure(
        permissions.can_edit_centre(actor, centre), actor, "community_centre.update", centre
    )
    new_host = fields.get("host", centre.host)
    new_programme = fields.get("programme", centre.programme)
    if ("host" in fields or "programme" in fields) and not permissions.can_create_centre(
        actor, new_host, new_programme
    ):
        raise permissions.deny(actor, "community_centre.update", centre)
    _clean_text(fields, "code", "name_th", "name_en", "equipment")
    with transaction.atomic():
        centre = DigitalCommunityCentre.objects.select_for_update().get(pk=centre.pk)
        before = snapshot(centre)
        for name, value in fields.items():
            setattr(centre, name, value)
        if fields.get("subdistrict") is not None and "district" not in fields:
            centre.district = None  # follows the new sub-district
        _validate_centre(centre)
        centre.save()
        if sources is not None:
            centre.sources.set(sources)
        audit_record(
            actor=actor,
            action="community_centre.update",
            target=centre,
            before=before,
            after=snapshot(centre),
        )
    return centre


def community_centre_delete(*, actor: Any, centre: DigitalCommunityCentre) -> None:
    """Delete a centre's record."""
    permissions.ensure(
        permissions.can_edit_centre(actor, centre), actor, "community_centre.delete", centre
    )
    with transaction.atomic():
        audit_record(
            actor=actor, action="community_centre.delete", target=centre, before=snapshot(centre)
        )
        centre.delete()
