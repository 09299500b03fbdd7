"""Django admin for indicators: a read-only view of indicators, targets and actuals.

They change only through the services (the indicator pages, the API, the importer, the
reference loader), which check the plan periods, areas and measure rules, keep the review flow
and its separation of duties, and record who did what. The admin shows the rows and links to
the pages where they are edited.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from phaen.core.admin import ReadOnlyAdmin
from phaen.kpis.models import Actual, Indicator, Target


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "owner", "plan", "measure_type", "frequency"]
    list_filter = ["measure_type", "frequency", "aggregation", "direction"]
    search_fields = ["code", "name_th", "name_en", "owner__name_th", "plan__code"]
    list_select_related = ["owner", "plan"]

    def view_on_site(self, obj: Indicator) -> str:
        return reverse("kpis:indicator_detail", args=[obj.code])


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "fiscal_year", "quarter", "area_key", "value"]
    list_filter = ["area_level", "fiscal_year"]
    search_fields = ["indicator__code", "area_key"]
    list_select_related = ["indicator"]

    def view_on_site(self, obj: Target) -> str:
        return reverse("kpis:indicator_detail", args=[obj.indicator.code])


@admin.register(Actual)
class ActualAdmin(ReadOnlyAdmin):
    list_display = [
        "indicator",
        "fiscal_year",
        "quarter",
        "area_key",
        "value",
        "status",
        "reporting_organisation",
    ]
    list_filter = ["status", "area_level", "fiscal_year"]
    search_fields = ["indicator__code", "area_key", "reporting_organisation__code"]
    list_select_related = ["indicator", "reporting_organisation"]

    def view_on_site(self, obj: Actual) -> str:
        return reverse("kpis:actual_detail", args=[obj.pk])
