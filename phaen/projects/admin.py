"""Django admin for delivery: read-only views of projects, budgets, agreements and area
programmes.

These rows change only through the services (the delivery pages, the API, the reference
loader), which check permissions, validate dates, fiscal years and amounts, keep the search
text and progress up to date, and record every change in the audit trail. The admin shows
them and links to the pages where they are edited.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from phaen.core.admin import ReadOnlyAdmin
from phaen.projects.models import (
    Agreement,
    AreaProgramme,
    BudgetLine,
    DigitalCommunityCentre,
    ProgressReport,
    Project,
    SmartCityZone,
)


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "kind", "owner", "status", "is_flagship", "progress"]
    list_filter = ["kind", "status", "is_flagship", "area_level"]
    search_fields = ["code", "name_th", "name_en", "owner__name_th"]
    list_select_related = ["owner"]

    def view_on_site(self, obj: Project) -> str:
        return reverse("projects:project_detail", args=[obj.code])


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = [
        "project",
        "fiscal_year",
        "category",
        "funding_source",
        "planned",
        "allocated",
        "committed",
        "disbursed",
    ]
    list_filter = ["fiscal_year", "category", "funding_source"]
    search_fields = ["project__code", "project__name_th"]
    list_select_related = ["project"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["project", "fiscal_year", "quarter", "progress", "reporter"]
    list_filter = ["fiscal_year", "quarter"]
    search_fields = ["project__code", "project__name_th"]
    list_select_related = ["project", "reporter"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_th", "status", "signed_on", "province", "owner"]
    list_filter = ["status"]
    search_fields = ["code", "title_th", "title_en"]
    list_select_related = ["province", "owner"]

    def view_on_site(self, obj: Agreement) -> str:
        return reverse("projects:agreement_detail", args=[obj.code])


@admin.register(AreaProgramme)
class AreaProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "kind", "owner"]
    list_filter = ["kind"]
    search_fields = ["code", "name_th", "name_en"]
    list_select_related = ["owner"]

    def view_on_site(self, obj: AreaProgramme) -> str:
        return reverse("projects:programme_detail", args=[obj.code])


@admin.register(SmartCityZone)
class SmartCityZoneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "province", "applicant", "stage", "targets_due"]
    list_filter = ["stage"]
    search_fields = ["code", "name_th", "name_en"]
    list_select_related = ["province", "applicant"]

    def view_on_site(self, obj: SmartCityZone) -> str:
        return reverse("projects:zone_detail", args=[obj.code])


@admin.register(DigitalCommunityCentre)
class DigitalCommunityCentreAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "province", "host", "status", "opened_on"]
    list_filter = ["status", "is_model"]
    search_fields = ["code", "name_th", "name_en"]
    list_select_related = ["province", "host"]

    def view_on_site(self, obj: DigitalCommunityCentre) -> str:
        return reverse("projects:centre_detail", args=[obj.code])
