"""Admin for the geography: browse and search only.

The rows come from `geothai` and the YAML files in `reference/`; an edit made here would be
overwritten by the next `phaen load-reference`, so the admin shows them read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from phaen.geography.models import District, Province, Region, SpecialZone, Subdistrict


class ReferenceDataAdmin(admin.ModelAdmin):
    """A model admin that lists and shows rows but never adds, changes or deletes them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name_th", "name_en", "position"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Province)
class ProvinceAdmin(ReferenceDataAdmin):
    list_display = ["code", "name_th", "name_en", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(ReferenceDataAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province__region"]
    list_select_related = ["province"]
    search_fields = ["code", "name_th", "name_en", "province__name_th", "province__name_en"]


@admin.register(Subdistrict)
class SubdistrictAdmin(ReferenceDataAdmin):
    list_display = ["code", "name_th", "name_en", "district", "postal_codes"]
    list_filter = ["district__province__region"]
    list_select_related = ["district"]
    search_fields = ["code", "name_th", "name_en", "postal_codes", "district__name_th"]


@admin.register(SpecialZone)
class SpecialZoneAdmin(ReferenceDataAdmin):
    list_display = ["code", "name_th", "name_en", "abbreviation"]
    search_fields = ["code", "name_th", "name_en", "abbreviation"]
    filter_horizontal = ["provinces"]
