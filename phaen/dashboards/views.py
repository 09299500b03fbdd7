"""Dashboard pages: the nation's, a plan's and a province's, and the CSV of each chart.

Thin: read the query string, call one selector, render. Each chart's CSV download is served by
`*_csv` from the same selector as the chart and its table. Domain errors are translated by
`phaen.plans.views.translate_domain_errors` (unknown plan, province, indicator or chart: 404).
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from phaen.dashboards import selectors
from phaen.dashboards.charts import Table
from phaen.dashboards.geo import BOUNDARIES_STATIC
from phaen.plans.views import HtmxRequest, translate_domain_errors

CHOROPLETH_PANEL = "choropleth-panel"


def _partial_for(request: HtmxRequest, target: str) -> bool:
    """Tell whether htmx asks for the element `target` only (not a history restore)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


def _choropleth_params(request: HttpRequest) -> dict[str, Any]:
    """The indicator and fiscal year the reader chose for the map (invalid years ignored)."""
    year = request.GET.get("fiscal_year", "").strip()
    return {
        "indicator": request.GET.get("indicator", "").strip() or None,
        "fiscal_year": int(year) if year.isdigit() else None,
    }


def map_labels() -> dict[str, str]:
    """The map script's texts, in the reader's language."""
    return {
        "agreements": _("MoUs"),
        "zones": _("Smart city zones"),
        "centres": _("Community centres"),
        "pilot": _("Pilot province"),
        "noData": _("No data"),
        "openProvince": _("Open the province's dashboard"),
        "failed": _("The map could not be loaded. The table below has the same data."),
        "attribution": _(
            "Boundaries: Royal Thai Survey Department 2019, via OCHA HDX (CC BY-IGO); "
            "simplified by mapthai"
        ),
    }


def _map_data(places: list[dict[str, Any]], pilots: list[str], focus: str | None) -> dict:
    return {
        "boundaries": static(BOUNDARIES_STATIC),
        "focus": focus,
        "pilots": pilots,
        "places": places,
        "provinceUrl": reverse("dashboards:province", args=["__code__"]),
        "labels": map_labels(),
    }


def _csv(table: Table, filename: str) -> HttpResponse:
    """The table's rows as CSV, with a BOM so that Excel reads the Thai text as UTF-8."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.DictWriter(response, fieldnames=table.csv_columns(), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(table.csv_rows())
    return response


# --- The nation ---------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@translate_domain_errors
def national(request: HtmxRequest) -> HttpResponse:
    """The national dashboard; for htmx, only the choropleth panel of the chosen indicator."""
    params = _choropleth_params(request)
    if _partial_for(request, CHOROPLETH_PANEL):
        choropleth = selectors.choropleth(params["indicator"], params["fiscal_year"])
        return render(request, "dashboards/partials/choropleth.html", {"choropleth": choropleth})
    dashboard = selectors.national_dashboard(**params)
    places = [{key: row[key] for key in _PLACE_KEYS} for row in dashboard.places.rows]
    pilots = sorted({row["code"] for row in dashboard.choropleth.pilots})
    return render(
        request,
        "dashboards/pages/national.html",
        {"dashboard": dashboard, "map_data": _map_data(places, pilots, None)},
    )


_PLACE_KEYS = (
    "province",
    "province_name",
    "province_url",
    "pilot",
    "agreements",
    "zones",
    "centres",
    "lat",
    "lon",
)


@require_GET
@translate_domain_errors
def national_csv(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart of the national dashboard as CSV (`choropleth` takes the map's choice)."""
    table = selectors.national_table(chart, _choropleth_params(request))
    return _csv(table, f"phaen-dashboard-national-{chart}.csv")


# --- A plan -------------------------------------------------------------------------------------


@require_GET
@translate_domain_errors
def plan(request: HttpRequest, code: str) -> HttpResponse:
    """A plan's dashboard, with the indicators of its earlier editions too."""
    dashboard = selectors.plan_dashboard(code, request.user)
    return render(request, "dashboards/pages/plan.html", {"dashboard": dashboard})


@require_GET
@translate_domain_errors
def plan_csv(request: HttpRequest, code: str, chart: str) -> HttpResponse:
    """One chart of a plan's dashboard as CSV (`indicator-series?indicator=` narrows to one)."""
    params = {"indicator": request.GET.get("indicator", "").strip() or None}
    table = selectors.plan_table(code, chart, params, request.user)
    return _csv(table, f"phaen-dashboard-{code}-{chart}.csv")


# --- A province ---------------------------------------------------------------------------------


@require_GET
@translate_domain_errors
def province(request: HttpRequest, code: str) -> HttpResponse:
    """A province's dashboard: its indicators, projects, MoUs, smart city zones and centres."""
    dashboard = selectors.province_dashboard(code)
    data = dashboard.map_data()
    return render(
        request,
        "dashboards/pages/province.html",
        {
            "dashboard": dashboard,
            "map_data": _map_data(data["places"], data["pilots"], data["focus"]),
        },
    )


@require_GET
@translate_domain_errors
def province_csv(request: HttpRequest, code: str, chart: str) -> HttpResponse:
    """One table of a province's dashboard as CSV."""
    params = {"indicator": request.GET.get("indicator", "").strip() or None}
    table = selectors.province_table(code, chart, params)
    return _csv(table, f"phaen-dashboard-province-{code}-{chart}.csv")
