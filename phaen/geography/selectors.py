"""Reads of the geography app, each with the joins its callers need (no query per row)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from phaen.core import thai_text
from phaen.core.errors import NotFound
from phaen.geography.errors import GeographyError
from phaen.geography.models import District, Province, Region, SpecialZone, Subdistrict


def region_list() -> QuerySet[Region]:
    """Return the regions in their official order, each with its provinces prefetched."""
    return Region.objects.prefetch_related(
        Prefetch("provinces", queryset=Province.objects.order_by("code"))
    )


def region_get(code: str) -> Region:
    """Return the region with `code`, or raise `NotFound`."""
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise NotFound(
            GeographyError.REGION_NOT_FOUND,
            _("There is no region with the code %(code)s.") % {"code": code},
            detail={"code": code},
        ) from None


def province_list(*, region: str | None = None, search: str | None = None) -> QuerySet[Province]:
    """Return provinces by code, with their region, optionally in one region or matching `search`.

    `search` matches the Thai or English name (any case, Thai digits and spacing folded) or the
    exact two-digit code. An unknown `region` raises `NotFound` rather than answering nothing,
    so a mistyped filter is noticed.
    """
    provinces = Province.objects.select_related("region").order_by("code")
    if region:
        provinces = provinces.filter(region=region_get(region))
    if search and (query := thai_text.normalize(search)):
        provinces = provinces.filter(
            Q(name_th__icontains=query) | Q(name_en__icontains=query) | Q(code=query)
        )
    return provinces


def province_get(code: str) -> Province:
    """Return the province with `code`, its region, districts and special zones; or `NotFound`."""
    province = (
        Province.objects.select_related("region")
        .prefetch_related(
            Prefetch(
                "districts",
                queryset=District.objects.annotate(subdistrict_count=Count("subdistricts")),
            ),
            "special_zones",
        )
        .filter(code=code)
        .first()
    )
    if province is None:
        raise _province_not_found(code)
    return province


def district_list(*, province_code: str | None = None) -> QuerySet[District]:
    """Return districts by code with their province, optionally those of one province.

    An unknown `province_code` raises `NotFound`.
    """
    districts = District.objects.select_related("province").order_by("code")
    if province_code:
        if not Province.objects.filter(code=province_code).exists():
            raise _province_not_found(province_code)
        districts = districts.filter(province__code=province_code)
    return districts


def subdistrict_list(*, district_code: str | None = None) -> QuerySet[Subdistrict]:
    """Return sub-districts by code with their district, optionally those of one district.

    An unknown `district_code` raises `NotFound`.
    """
    subdistricts = Subdistrict.objects.select_related("district").order_by("code")
    if district_code:
        if not District.objects.filter(code=district_code).exists():
            raise NotFound(
                GeographyError.DISTRICT_NOT_FOUND,
                _("There is no district with the code %(code)s.") % {"code": district_code},
                detail={"code": district_code},
            )
        subdistricts = subdistricts.filter(district__code=district_code)
    return subdistricts


def special_zone_list() -> QuerySet[SpecialZone]:
    """Return the special zones with their provinces prefetched."""
    return SpecialZone.objects.prefetch_related(
        Prefetch("provinces", queryset=Province.objects.order_by("code"))
    )


def _province_not_found(code: str) -> NotFound:
    return NotFound(
        GeographyError.PROVINCE_NOT_FOUND,
        _("There is no province with the code %(code)s.") % {"code": code},
        detail={"code": code},
    )
