"""Django admin for plans: a read-only view of plans, outlines and links; sources editable.

Plans, elements and alignment links change only through the services (the plan pages, the API,
the CLI), which check the alignment rules, keep outline paths and search text up to date and
record who did what. The admin shows them, links to the pages where they are edited, and
offers no add, change or delete of its own. Sources have no rules and are edited here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from phaen.core.admin import ReadOnlyAdmin
from phaen.plans.models import AlignmentLink, Plan, PlanElement, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "publisher", "published"]
    search_fields = ["key", "title", "publisher", "url"]
    list_filter = ["publisher"]
    date_hierarchy = "published"


class PlanElementInline(admin.TabularInline):
    """The plan's outline, in order, read only."""

    model = PlanElement
    fk_name = "plan"
    fields = ("path", "number", "kind", "label_th", "title_th", "content_recorded", "code")
    readonly_fields = fields
    ordering = ["path"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "level", "kind", "owner", "start_year", "end_year", "status"]
    list_filter = ["level", "kind", "status", "area_type", "content_status"]
    search_fields = ["code", "name_th", "name_en", "short_name_th", "owner__name_th"]
    list_select_related = ["owner"]
    inlines = [PlanElementInline]

    def view_on_site(self, obj: Plan) -> str:
        return reverse("plans:plan_detail", args=[obj.code])


@admin.register(PlanElement)
class PlanElementAdmin(ReadOnlyAdmin):
    list_display = ["code", "plan", "number", "kind", "title_th", "depth", "content_recorded"]
    list_filter = ["kind", "content_recorded", "plan__level"]
    search_fields = ["code", "title_th", "title_en", "plan__code", "plan__name_th"]
    list_select_related = ["plan"]
    ordering = ["plan__level", "plan__code", "path"]

    def view_on_site(self, obj: PlanElement) -> str:
        return reverse("plans:element_chain", args=[obj.code])


@admin.register(AlignmentLink)
class AlignmentLinkAdmin(ReadOnlyAdmin):
    list_display = [
        "source_plan",
        "source_element",
        "target_plan",
        "target_element",
        "contribution",
        "asserted_by",
    ]
    list_filter = ["contribution", "source_plan__level", "target_plan__level"]
    search_fields = [
        "source_plan__code",
        "source_plan__name_th",
        "target_plan__code",
        "target_plan__name_th",
        "rationale",
    ]
    list_select_related = ["source_plan", "source_element", "target_plan", "target_element"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AlignmentLink]:
        return super().get_queryset(request).select_related("asserted_by")

    def view_on_site(self, obj: AlignmentLink) -> str:
        return reverse("plans:plan_detail", args=[obj.source_plan.code])
