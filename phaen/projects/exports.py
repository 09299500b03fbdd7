"""Rows for `phaen export projects|budget-lines|agreements|area-programmes|smart-city-zones|
community-centres` and the list pages' export links.

Each row function reads through the selectors and takes the same filters as the list it
exports; with none, it yields every row. Everything here is a public record, so there is no
viewer. Lists inside a cell are joined with `;` by the writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from phaen.projects import selectors
from phaen.projects.models import ProgrammeProvince, ProjectAlignment, ProjectPartner

PROJECT_COLUMNS = [
    "code",
    "name_th",
    "name_en",
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
    "provinces",
    "partners",
    "elements",
    "indicators",
    "progress",
    "budget_planned",
    "budget_allocated",
]
BUDGET_LINE_COLUMNS = [
    "project",
    "owner",
    "fiscal_year",
    "category",
    "funding_source",
    "planned",
    "allocated",
    "committed",
    "disbursed",
    "note",
]
AGREEMENT_COLUMNS = [
    "code",
    "title_th",
    "title_en",
    "status",
    "signed_on",
    "signed_place",
    "start_date",
    "end_date",
    "owner",
    "province",
    "parties",
    "dimensions",
    "programme",
]
PROGRAMME_COLUMNS = [
    "code",
    "name_th",
    "name_en",
    "kind",
    "owner",
    "plan",
    "provinces",
    "zone_count",
    "centre_count",
]
ZONE_COLUMNS = [
    "code",
    "name_th",
    "name_en",
    "stage",
    "applicant",
    "province",
    "district",
    "programme",
    "dimensions",
    "criteria_met",
    "targets_due",
]
CENTRE_COLUMNS = [
    "code",
    "name_th",
    "name_en",
    "host",
    "province",
    "district",
    "subdistrict",
    "programme",
    "opened_on",
    "equipment",
    "equipment_handed_on",
    "is_model",
    "status",
]


def _code(obj: Any) -> str:
    return obj.code if obj is not None else ""


def _date(value: Any) -> Any:
    """Dates stay dates (XLSX cells hold them as dates; CSV and JSON write them in ISO form)."""
    return value


def project_rows(**filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per project matching `filters` (those of `selectors.project_list`)."""
    projects = selectors.project_list(**filters).prefetch_related(
        Prefetch(
            "partners",
            queryset=ProjectPartner.objects.select_related("organisation").order_by("pk"),
        ),
        Prefetch(
            "alignments",
            queryset=ProjectAlignment.objects.select_related("element").order_by("pk"),
        ),
        "indicators",
    )
    for project in projects:
        yield {
            "code": project.code,
            "name_th": project.name_th,
            "name_en": project.name_en,
            "kind": project.kind,
            "parent": _code(project.parent),
            "is_flagship": project.is_flagship,
            "owner": project.owner.code,
            "status": project.status,
            "start_date": _date(project.start_date),
            "end_date": _date(project.end_date),
            "area_level": project.area_level,
            "region": _code(project.region),
            "special_zone": _code(project.special_zone),
            "provinces": [p.code for p in project.provinces.all()],
            "partners": [f"{p.organisation.code}:{p.role}" for p in project.partners.all()],
            "elements": [f"{a.element.code}:{a.weight}" for a in project.alignments.all()],
            "indicators": [i.code for i in project.indicators.all()],
            "progress": project.progress,
            "budget_planned": selectors.money(project.budget_planned),  # type: ignore[attr-defined]
            "budget_allocated": selectors.money(project.budget_allocated),  # type: ignore[attr-defined]
        }


def budget_line_rows(**filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per budget line of the projects `filters` select (and `fiscal_year`)."""
    for line in selectors.budget_line_list(**filters):
        yield {
            "project": line.project.code,
            "owner": line.project.owner.code,
            "fiscal_year": line.fiscal_year,
            "category": line.category,
            "funding_source": line.funding_source,
            **{name: getattr(line, name) for name in selectors.AMOUNTS},
            "note": line.note,
        }


def agreement_rows(**filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per agreement matching `filters` (those of `selectors.agreement_list`)."""
    for agreement in selectors.agreement_list(**filters):
        yield {
            "code": agreement.code,
            "title_th": agreement.title_th,
            "title_en": agreement.title_en,
            "status": agreement.status,
            "signed_on": _date(agreement.signed_on),
            "signed_place": agreement.signed_place,
            "start_date": _date(agreement.start_date),
            "end_date": _date(agreement.end_date),
            "owner": agreement.owner.code,
            "province": _code(agreement.province),
            "parties": [f"{p.organisation.code}:{p.role}" for p in agreement.parties.all()],
            "dimensions": list(agreement.dimensions or []),
            "programme": _code(agreement.programme),
        }


def programme_rows(**filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per area programme matching `filters`, with its provinces' codes."""
    programmes = selectors.area_programme_list(**filters).prefetch_related(
        Prefetch(
            "programme_provinces",
            queryset=ProgrammeProvince.objects.select_related("province").order_by(
                "province__code"
            ),
        )
    )
    for programme in programmes:
        yield {
            "code": programme.code,
            "name_th": programme.name_th,
            "name_en": programme.name_en,
            "kind": programme.kind,
            "owner": programme.owner.code,
            "plan": _code(programme.plan),
            "provinces": [m.province.code for m in programme.programme_provinces.all()],
            "zone_count": programme.zone_count,  # type: ignore[attr-defined]
            "centre_count": programme.centre_count,  # type: ignore[attr-defined]
        }


def zone_rows(**filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per smart city zone matching `filters`."""
    for zone in selectors.smart_city_zone_list(**filters):
        yield {
            "code": zone.code,
            "name_th": zone.name_th,
            "name_en": zone.name_en,
            "stage": zone.stage,
            "applicant": zone.applicant.code,
            "province": zone.province.code,
            "district": _code(zone.district),
            "programme": _code(zone.programme),
            "dimensions": list(zone.dimensions or []),
            "criteria_met": [key for key, met in (zone.criteria or {}).items() if met],
            "targets_due": _date(zone.targets_due),
        }


def centre_rows(**filters: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per digital community centre matching `filters`."""
    for centre in selectors.community_centre_list(**filters):
        yield {
            "code": centre.code,
            "name_th": centre.name_th,
            "name_en": centre.name_en,
            "host": centre.host.code,
            "province": centre.province.code,
            "district": _code(centre.district),
            "subdistrict": _code(centre.subdistrict),
            "programme": _code(centre.programme),
            "opened_on": _date(centre.opened_on),
            "equipment": centre.equipment,
            "equipment_handed_on": _date(centre.equipment_handed_on),
            "is_model": centre.is_model,
            "status": centre.status,
        }


HEADERS: dict[str, Any] = {
    "code": _("Code"),
    "name_th": _("Thai name"),
    "name_en": _("English name"),
    "title_th": _("Thai title"),
    "title_en": _("English title"),
    "kind": _("Kind"),
    "parent": _("Programme"),
    "is_flagship": _("Flagship"),
    "owner": _("Owner"),
    "status": _("Status"),
    "start_date": _("Start date"),
    "end_date": _("End date"),
    "area_level": _("Area"),
    "region": _("Region"),
    "special_zone": _("Special zone"),
    "provinces": _("Provinces"),
    "partners": _("Partners (code:role)"),
    "elements": _("Plan elements (code:weight)"),
    "indicators": _("Indicators"),
    "progress": _("Progress (%)"),
    "budget_planned": _("Planned, all years (baht)"),
    "budget_allocated": _("Allocated, all years (baht)"),
    "project": _("Project"),
    "fiscal_year": _("Fiscal year (BE)"),
    "category": _("Budget category"),
    "funding_source": _("Funding source"),
    "planned": _("Planned (baht)"),
    "allocated": _("Allocated (baht)"),
    "committed": _("Committed (baht)"),
    "disbursed": _("Disbursed (baht)"),
    "note": _("Note"),
    "signed_on": _("Signed on"),
    "signed_place": _("Signed at"),
    "province": _("Province"),
    "parties": _("Parties (code:role)"),
    "dimensions": _("Dimensions"),
    "programme": _("Programme"),
    "stage": _("Stage"),
    "applicant": _("Applicant"),
    "district": _("District"),
    "subdistrict": _("Sub-district"),
    "criteria_met": _("Criteria met"),
    "targets_due": _("Targets due by"),
    "host": _("Host organisation"),
    "opened_on": _("Opened on"),
    "equipment": _("Equipment handed over"),
    "equipment_handed_on": _("Equipment handed over on"),
    "is_model": _("Model centre"),
    "plan": _("Plan"),
    "zone_count": _("Smart city zones"),
    "centre_count": _("Community centres"),
}
"""Column names for people (the XLSX header row); CSV and JSON keep the column names."""

EXPORTS = {
    "projects": (PROJECT_COLUMNS, project_rows),
    "budget-lines": (BUDGET_LINE_COLUMNS, budget_line_rows),
    "agreements": (AGREEMENT_COLUMNS, agreement_rows),
    "area-programmes": (PROGRAMME_COLUMNS, programme_rows),
    "smart-city-zones": (ZONE_COLUMNS, zone_rows),
    "community-centres": (CENTRE_COLUMNS, centre_rows),
}
"""The exports this app registers (`ProjectsConfig.ready`): name → (columns, rows)."""


def headers_for(columns: list[str]) -> dict[str, Any]:
    """Return the people's names of `columns`."""
    return {column: HEADERS[column] for column in columns if column in HEADERS}
