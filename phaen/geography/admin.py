"""Admin for the geography: browse and search only.

The rows come from `geothai` and the YAML files in `reference/`; an edit made here would be
overwritten by the next `phaen load-reference`, so the admin shows them read-only.
"""

from __future__ import annotations

from django.contrib import admin

from phaen.core.admin import ReadOnlyAdmin
from phaen.geography.models import District, Province, Region, SpecialZone, Subdistrict


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "position"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province__region"]
    list_select_related = ["province"]
    search_fields = ["code", "name_th", "name_en", "province__name_th", "province__name_en"]


@admin.register(Subdistrict)
class SubdistrictAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "district", "postal_codes"]
    list_filter = ["district__province__region"]
    list_select_related = ["district"]
    search_fields = ["code", "name_th", "name_en", "postal_codes", "district__name_th"]


@admin.register(SpecialZone)
class SpecialZoneAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_th", "name_en", "abbreviation"]
    search_fields = ["code", "name_th", "name_en", "abbreviation"]
    filter_horizontal = ["provinces"]
