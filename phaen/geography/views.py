"""Pages of the geography: the regions with their provinces, and one province's districts."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from phaen.core.errors import NotFound
from phaen.geography import selectors


def geography_index(request: HttpRequest) -> HttpResponse:
    """Show the development regions, their provinces and the special zones."""
    return render(
        request,
        "geography/pages/index.html",
        {"regions": selectors.region_list(), "special_zones": selectors.special_zone_list()},
    )


def province_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one province: its region, special zones and districts."""
    try:
        province = selectors.province_get(code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return render(request, "geography/pages/province_detail.html", {"province": province})
