"""Read-only JSON API of the geography (mounted at /api/geography).

Short, bounded lists (6 regions, 77 provinces, the special zones) answer a plain JSON array, so
`GET /provinces` gives all 77 provinces in one response. Lists that can be long (districts,
sub-districts) are paginated with `PagePagination`: `{"count", "page", "page_size", "items"}`,
`?page_size=` up to 200. Unknown codes answer 404 with `{"code", "message", "detail"}`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from phaen.api.pagination import PagePagination
from phaen.geography import selectors
from phaen.geography.models import District, Province, Region, SpecialZone, Subdistrict

router = Router(tags=["geography"])


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict[str, Any]


class RegionOut(Schema):
    code: str
    name_th: str
    name_en: str
    provinces: list[str]

    @staticmethod
    def resolve_provinces(obj: Region) -> list[str]:
        return [province.code for province in obj.provinces.all()]


class ProvinceOut(Schema):
    code: str
    name_th: str
    name_en: str
    region: str | None

    @staticmethod
    def resolve_region(obj: Province) -> str | None:
        return obj.region.code if obj.region else None


class DistrictSummaryOut(Schema):
    code: str
    name_th: str
    name_en: str
    subdistrict_count: int


class ProvinceDetailOut(ProvinceOut):
    districts: list[DistrictSummaryOut]
    special_zones: list[str]

    @staticmethod
    def resolve_districts(obj: Province) -> list[District]:
        return list(obj.districts.all())

    @staticmethod
    def resolve_special_zones(obj: Province) -> list[str]:
        return [zone.code for zone in obj.special_zones.all()]


class DistrictOut(Schema):
    code: str
    name_th: str
    name_en: str
    province: str

    @staticmethod
    def resolve_province(obj: District) -> str:
        return obj.province.code


class SubdistrictOut(Schema):
    code: str
    name_th: str
    name_en: str
    district: str
    postal_codes: list[str]

    @staticmethod
    def resolve_district(obj: Subdistrict) -> str:
        return obj.district.code

    @staticmethod
    def resolve_postal_codes(obj: Subdistrict) -> list[str]:
        return obj.postal_codes.split()


class SpecialZoneOut(Schema):
    code: str
    name_th: str
    name_en: str
    abbreviation: str
    legal_basis: str
    source: str
    provinces: list[str]

    @staticmethod
    def resolve_provinces(obj: SpecialZone) -> list[str]:
        return [province.code for province in obj.provinces.all()]


@router.get("/regions", response=list[RegionOut], summary="List the six development regions")
def list_regions(request: HttpRequest) -> QuerySet[Region]:
    """The regions of area-based plans, in order, each with its province codes."""
    return selectors.region_list()


@router.get(
    "/provinces",
    response={200: list[ProvinceOut], 404: ErrorOut},
    summary="List the provinces (all 77, not paginated)",
)
def list_provinces(
    request: HttpRequest, region: str | None = None, q: str | None = None
) -> QuerySet[Province]:
    """All provinces by code; `region` keeps one region's, `q` searches Thai and English names."""
    return selectors.province_list(region=region, search=q)


@router.get(
    "/provinces/{code}",
    response={200: ProvinceDetailOut, 404: ErrorOut},
    summary="Get a province with its districts",
)
def get_province(request: HttpRequest, code: str) -> Province:
    """One province, its region, its districts (with sub-district counts) and special zones."""
    return selectors.province_get(code)


@router.get(
    "/districts",
    response={200: list[DistrictOut], 404: ErrorOut},
    summary="List districts (paginated)",
)
@paginate(PagePagination)
def list_districts(request: HttpRequest, province: str | None = None) -> QuerySet[District]:
    """Districts by code; `province` (a two-digit code) keeps one province's."""
    return selectors.district_list(province_code=province)


@router.get(
    "/subdistricts",
    response={200: list[SubdistrictOut], 404: ErrorOut},
    summary="List sub-districts (paginated)",
)
@paginate(PagePagination)
def list_subdistricts(request: HttpRequest, district: str | None = None) -> QuerySet[Subdistrict]:
    """Sub-districts by code; `district` (a four-digit code) keeps one district's."""
    return selectors.subdistrict_list(district_code=district)


@router.get(
    "/special-zones", response=list[SpecialZoneOut], summary="List the special development zones"
)
def list_special_zones(request: HttpRequest) -> QuerySet[SpecialZone]:
    """Special zones such as the EEC, with their province codes."""
    return selectors.special_zone_list()
