"""Pages of organisations: a searchable list and one organisation's page."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from phaen.core.errors import NotFound
from phaen.orgs import selectors
from phaen.orgs.forms import OrganisationFilterForm


def organisation_list(request: HttpRequest) -> HttpResponse:
    """List organisations, searched by any of their names (`q`) and filtered by `kind`."""
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisation_list(
        search=filters.get("q") or None, kind=filters.get("kind") or None
    )
    page = Paginator(organisations, settings.PHAEN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/pages/organisation_list.html",
        {
            "form": form,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
        },
    )


def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one organisation: its names, kind, place in the hierarchy and aliases."""
    try:
        organisation = selectors.organisation_get(code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return render(request, "orgs/pages/organisation_detail.html", {"organisation": organisation})
