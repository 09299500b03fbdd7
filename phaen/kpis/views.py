"""Pages of indicators: the list, an indicator's page with its chart, the edit forms, targets,
the reporting of actuals, their review, and the "my work" queue.

Views are thin: they read the request through a form, call selectors or one service, and
render. Domain errors are translated once, by `translate_domain_errors` (404, 403, or
`refused.html` with the error's status) and, on forms, by `add_service_errors`. A form the
service refuses is answered with 422 and the form again (only the form for htmx).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.core import exports as core_exports
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.core.export_views import export_download
from phaen.core.uploads import protected_file_response
from phaen.kpis import aggregation, exports, permissions, selectors, services
from phaen.kpis.forms import (
    ActualForm,
    IndicatorFilterForm,
    IndicatorForm,
    ReviewForm,
    TargetForm,
    add_service_errors,
)
from phaen.kpis.models import Actual, ActualStatus, Indicator
from phaen.orgs.models import Organisation
from phaen.plans.views import HtmxRequest, translate_domain_errors


def _partial_for(request: HtmxRequest, target: str) -> bool:
    """Tell whether htmx asks for the element `target` only (not a history restore)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


def _saved(request: HtmxRequest, message: str, url: str) -> HttpResponse:
    """Say what was saved on the next page, and go there (with HX-Redirect for htmx)."""
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _form_page(
    request: HtmxRequest, page: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """Render a form page, or only the form for htmx; 422 when the form was refused."""
    form = context["form"]
    status = 422 if form.is_bound and form.errors else 200
    template = partial if request.htmx and not request.htmx.history_restore_request else page
    return render(request, template, context, status=status)


def _export(
    request: HttpRequest,
    export: core_exports.Export,
    rows: Iterable[dict[str, Any]],
    filename: str,
) -> HttpResponse:
    """Answer the rows as a CSV (with a BOM for Excel), XLSX or JSON download (`?format=`)."""
    return export_download(request, export, rows, filename=filename)


def _indicator_url(indicator: Indicator) -> str:
    return reverse("kpis:indicator_detail", args=[indicator.code])


def _actual_url(actual: Actual) -> str:
    return reverse("kpis:actual_detail", args=[actual.pk])


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


# --- The indicator list ------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def indicator_list(request: HtmxRequest) -> HttpResponse:
    """List indicators with filters, a Thai search, their latest standing, and pagination."""
    form = IndicatorFilterForm(request.GET or None)
    filters = form.filters()
    indicators = (
        selectors.indicator_list(**filters)
        .select_related(*aggregation.AREA_RELATED)
        .prefetch_related(*aggregation.AREA_PREFETCH)
    )
    paginator = Paginator(indicators, settings.PHAEN_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    summaries = aggregation.summaries_in_own_areas(page_obj.object_list)
    context = {
        "form": form,
        "filtered": bool(filters),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "rows": [(indicator, summaries[indicator.pk][1]) for indicator in page_obj.object_list],
        "can_create": permissions.can_create_indicator(request.user),
        "works": permissions.works_on_actuals(request.user),
    }
    if _partial_for(request, "indicator-results"):
        return render(request, "kpis/partials/indicator_results.html", context)
    return render(request, "kpis/pages/indicator_list.html", context)


@require_GET
def indicator_export(request: HttpRequest) -> HttpResponse:
    """Download the indicators the list's filters select (`?format=csv|xlsx|json`)."""
    filters = IndicatorFilterForm(request.GET).filters()
    export = core_exports.get("indicators")
    return _export(request, export, exports.indicator_rows(**filters), "phaen-indicators")


# --- An indicator's page -----------------------------------------------------------------------


def _chart_data(indicator: Indicator, points: list[aggregation.SeriesPoint]) -> dict[str, Any]:
    """The series as the chart script reads it from the page's JSON data island."""

    def number(value: Any) -> float | None:
        return float(value) if value is not None else None

    return {
        "years": [str(p.fiscal_year) for p in points],
        "target": [number(p.target) for p in points],
        "actual": [number(p.actual) for p in points],
        "unit": indicator.unit,
        "labels": {
            "target": _("Target"),
            "actual": _("Actual (approved)"),
            "year": _("Fiscal year"),
        },
    }


@require_GET
@translate_domain_errors
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show an indicator: its definition and baseline, the chart and table of its series in an
    area (`?area=P:40`), and its targets beside its approved actuals per year and area."""
    indicator = selectors.indicator_get(code)
    area_key = (request.GET.get("area") or "").strip()
    area = aggregation.Area.from_key(area_key) if area_key else aggregation.measured_area(indicator)
    points = aggregation.indicator_series(indicator, area=area)
    areas = selectors.areas_of(indicator)
    if area.key not in dict(areas):
        areas.append((area.key, area.key))
    working_count = 0
    if permissions.works_on_actuals(request.user) or permissions.sees_all_actuals(request.user):
        working_count = (
            selectors.actual_list(viewer=request.user, indicator=indicator.code)
            .exclude(status=ActualStatus.APPROVED)
            .count()
        )
    context = {
        "indicator": indicator,
        "area_key": area.key,
        "area_name": dict(areas).get(area.key, area.key),
        "areas": areas,
        "points": points,
        "chart": _chart_data(indicator, points),
        "table": selectors.indicator_table(indicator),
        "can_edit": permissions.can_edit_indicator(request.user, indicator),
        "can_report": permissions.reports_anything(request.user),
        "working_count": working_count,
    }
    return render(request, "kpis/pages/indicator_detail.html", context)


@require_GET
@translate_domain_errors
def indicator_series_export(request: HttpRequest, code: str) -> HttpResponse:
    """Download the indicator's series in an area, as the chart shows it (`?area=&format=`)."""
    indicator = selectors.indicator_get(code)
    area_key = (request.GET.get("area") or "").strip()
    area = aggregation.Area.from_key(area_key) if area_key else aggregation.measured_area(indicator)
    points = aggregation.indicator_series(indicator, area=area)
    export = core_exports.Export(
        "indicator-series", exports.SERIES_COLUMNS, lambda: [], exports.HEADERS
    )
    filename = f"phaen-{indicator.code}-{area.key.replace(':', '-')}"
    return _export(request, export, exports.series_rows(points), filename)


# --- Editing indicators ------------------------------------------------------------------------


def _refresh_initial(request: HttpRequest) -> dict[str, Any]:
    """The values typed so far, to show the form again (another plan's elements) unchecked."""
    initial: dict[str, Any] = {
        key: request.POST.get(key) for key in request.POST if not key.startswith("_")
    }
    initial.pop("csrfmiddlewaretoken", None)
    initial["sources"] = request.POST.getlist("sources")
    initial["cumulative"] = bool(request.POST.get("cumulative"))
    initial["element"] = None  # the element belonged to the plan chosen before
    return initial


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def indicator_create(request: HtmxRequest) -> HttpResponse:
    """Create an indicator with `services.indicator_create`."""
    permissions.ensure(
        permissions.can_create_indicator(request.user), request.user, "indicator.create"
    )
    initial = {"plan": request.GET.get("plan") or None}
    if request.method == "POST" and "_refresh" in request.POST:
        form = IndicatorForm(initial=_refresh_initial(request))
    else:
        form = IndicatorForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            indicator = services.indicator_create(actor=request.user, **form.service_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            message = _("The indicator “%(name)s” was created.") % {"name": indicator.name_th}
            return _saved(request, message, _indicator_url(indicator))
    return _form_page(
        request,
        "kpis/pages/indicator_form.html",
        "kpis/partials/indicator_form.html",
        {"form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def indicator_edit(request: HtmxRequest, code: str) -> HttpResponse:
    """Change an indicator with `services.indicator_update`."""
    indicator = selectors.indicator_get(code)
    permissions.ensure(
        permissions.can_edit_indicator(request.user, indicator),
        request.user,
        "indicator.update",
        indicator,
    )
    if request.method == "POST" and "_refresh" in request.POST:
        form = IndicatorForm(initial=_refresh_initial(request), indicator=indicator)
    else:
        form = IndicatorForm(
            request.POST if request.method == "POST" else None, indicator=indicator
        )
    if form.is_bound and form.is_valid():
        try:
            indicator = services.indicator_update(
                actor=request.user, indicator=indicator, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            message = _("The indicator “%(name)s” was saved.") % {"name": indicator.name_th}
            return _saved(request, message, _indicator_url(indicator))
    return _form_page(
        request,
        "kpis/pages/indicator_form.html",
        "kpis/partials/indicator_form.html",
        {"form": form, "indicator": indicator},
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def indicator_delete(request: HtmxRequest, code: str) -> HttpResponse:
    """Ask, then delete an indicator with its targets (refused while it has actuals)."""
    indicator = selectors.indicator_get(code)
    permissions.ensure(
        permissions.can_edit_indicator(request.user, indicator),
        request.user,
        "indicator.delete",
        indicator,
    )
    if request.method == "POST":
        services.indicator_delete(actor=request.user, indicator=indicator)
        message = _("The indicator “%(name)s” was deleted.") % {"name": indicator.name_th}
        return _saved(request, message, reverse("kpis:indicator_list"))
    return render(request, "kpis/pages/indicator_delete.html", {"indicator": indicator})


# --- Targets -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def indicator_targets(request: HtmxRequest, code: str) -> HttpResponse:
    """List an indicator's targets and set one (`services.target_set` creates or replaces)."""
    indicator = selectors.indicator_get(code)
    permissions.ensure(
        permissions.can_edit_indicator(request.user, indicator),
        request.user,
        "target.set",
        indicator,
    )
    form = TargetForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            target = services.target_set(
                actor=request.user, indicator=indicator, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            message = _("The target for FY%(year)s (%(area)s) was saved.") % {
                "year": target.fiscal_year,
                "area": selectors.area_name(target),
            }
            return _saved(request, message, reverse("kpis:indicator_targets", args=[code]))
    context = {
        "form": form,
        "indicator": indicator,
        "targets": selectors.target_list(indicator=indicator.code),
    }
    return _form_page(request, "kpis/pages/targets.html", "kpis/partials/target_form.html", context)


@login_required
@require_POST
@translate_domain_errors
def target_delete(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    """Remove one target of the indicator (`services.target_delete`)."""
    indicator = selectors.indicator_get(code)
    target = selectors.target_get(pk, indicator)
    services.target_delete(actor=request.user, target=target)
    message = _("The target for FY%(year)s (%(area)s) was removed.") % {
        "year": target.fiscal_year,
        "area": selectors.area_name(target),
    }
    return _saved(request, message, reverse("kpis:indicator_targets", args=[code]))


@require_GET
def target_export(request: HttpRequest) -> HttpResponse:
    """Download targets (`?indicator=<code>&fiscal_year=&format=csv|xlsx|json`)."""
    rows = exports.target_rows(
        indicator=request.GET.get("indicator") or None,
        fiscal_year=_int_or_none(request.GET.get("fiscal_year")),
    )
    return _export(request, core_exports.get("targets"), rows, "phaen-targets")


# --- Actuals: the work queue and export ----------------------------------------------------------


@login_required
@require_GET
def actual_queue(request: HttpRequest) -> HttpResponse:
    """The user's work: figures to send, figures in review, and figures awaiting their review."""
    queue = selectors.actual_queue(request.user)
    context = {
        "queue": queue,
        "can_report": permissions.reports_anything(request.user),
        "reviews": permissions.is_system(request.user) or roles_of(request.user).has(Role.APPROVER),
    }
    return render(request, "kpis/pages/actual_queue.html", context)


@require_GET
def actual_export(request: HttpRequest) -> HttpResponse:
    """Download the actuals the user may read: approved ones for the public (`?format=`,
    `indicator`, `fiscal_year`, `status`)."""
    rows = exports.actual_rows(
        request.user,
        indicator=request.GET.get("indicator") or None,
        fiscal_year=_int_or_none(request.GET.get("fiscal_year")),
        status=request.GET.get("status") or None,
    )
    return _export(request, core_exports.get("actuals"), rows, "phaen-actuals")


# --- Actuals: reporting ------------------------------------------------------------------------


def _reporting_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations a user may report for, for the form's "Reported for" choice."""
    if permissions.is_system(user):
        return Organisation.objects.order_by("name_th")
    roles = roles_of(user)
    ids = roles.organisations(Role.DATA_REPORTER) | roles.organisations(Role.PLANNER)
    return Organisation.objects.filter(pk__in=ids).order_by("name_th")


def _save_actual(
    request: HtmxRequest, form: ActualForm, save: Callable[..., Actual]
) -> HttpResponse | None:
    """Save the form's actual, and submit it when the user chose "Submit"; None if refused."""
    try:
        actual = save(actor=request.user, **form.service_arguments())
        if request.POST.get("action") == "submit":
            actual = services.actual_submit(actor=request.user, actual=actual)
    except ValidationFailed as exc:
        add_service_errors(form, exc)
        return None
    if actual.status == ActualStatus.SUBMITTED:
        message = _("The figure was sent for review.")
    else:
        message = _("The figure was saved as a draft.")
    return _saved(request, message, _actual_url(actual))


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def actual_create(request: HtmxRequest) -> HttpResponse:
    """Report a figure (`services.actual_save`), as a draft or straight to review."""
    permissions.ensure(permissions.reports_anything(request.user), request.user, "actual.create")
    initial: dict[str, Any] = {"area_level": "nation", "quarter": 0}
    if request.GET.get("indicator"):
        initial["indicator"] = request.GET["indicator"]
    for name in ("fiscal_year", "area_level", "province", "local_organisation"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = ActualForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        reporting_organisations=_reporting_organisations(request.user),
    )
    if form.is_bound and form.is_valid():
        done = _save_actual(request, form, services.actual_save)
        if done is not None:
            return done
    return _form_page(
        request, "kpis/pages/actual_form.html", "kpis/partials/actual_form.html", {"form": form}
    )


def _actual_for_work(request: HttpRequest, pk: int, action: str) -> Actual:
    """Return the actual for one of the reporter's actions: 403 or 409 otherwise."""
    actual = selectors.actual_get(pk, request.user)
    if not permissions.reports_for(request.user, actual.reporting_organisation_id):
        raise permissions.deny(request.user, action, actual)
    if actual.status not in permissions.EDITABLE_STATUSES:
        raise ApplicationError(
            "actual_status_invalid",
            _("An actual that is “%(status)s” cannot be changed.")
            % {"status": actual.get_status_display()},
            http_status=409,
        )
    return actual


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def actual_edit(request: HtmxRequest, pk: int) -> HttpResponse:
    """Correct a draft or returned figure (`services.actual_save` with the actual)."""
    actual = _actual_for_work(request, pk, "actual.update")
    form = ActualForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        actual=actual,
        reporting_organisations=_reporting_organisations(request.user),
    )
    if form.is_bound and form.is_valid():

        def save(**arguments: Any) -> Actual:
            return services.actual_save(indicator=actual.indicator, actual=actual, **arguments)

        done = _save_actual(request, form, save)
        if done is not None:
            return done
    return _form_page(
        request,
        "kpis/pages/actual_form.html",
        "kpis/partials/actual_form.html",
        {"form": form, "actual": actual},
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def actual_delete(request: HtmxRequest, pk: int) -> HttpResponse:
    """Ask, then delete a draft or returned figure (`services.actual_delete`)."""
    actual = _actual_for_work(request, pk, "actual.delete")
    if request.method == "POST":
        services.actual_delete(actor=request.user, actual=actual)
        return _saved(request, _("The figure was deleted."), reverse("kpis:actual_queue"))
    return render(request, "kpis/pages/actual_delete.html", {"actual": actual})


# --- Actuals: reading and review ---------------------------------------------------------------


@require_GET
@translate_domain_errors
def actual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a figure: its values and evidence, and for those who follow it, its review steps and
    its history from the audit trail. The public reads approved figures only."""
    actual = selectors.actual_get(pk, request.user)
    working = permissions.can_view_working(request.user, actual)
    steps = permissions.allowed_steps(request.user, actual)
    own_figure = (
        actual.status == ActualStatus.SUBMITTED
        and permissions.reviews_indicators_of(request.user, actual.indicator.owner_id)
        and permissions.is_self_approval(request.user, actual)
    )
    context = {
        "actual": actual,
        "indicator": actual.indicator,
        "area_name": selectors.area_name(actual),
        "working": working,
        "history": list(selectors.actual_history(actual)) if working else [],
        "steps": [(name, services.step_label(name)) for name in steps],
        "can_edit": permissions.can_edit_actual(request.user, actual),
        "own_figure": own_figure,
    }
    return render(request, "kpis/pages/actual_detail.html", context)


@require_GET
@translate_domain_errors
def actual_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download a figure's evidence file: for those who follow its work, nobody else."""
    actual = selectors.actual_get(pk, request.user)
    if not permissions.can_view_working(request.user, actual) or not actual.evidence_file:
        raise Http404(str(pk))
    return protected_file_response(actual.evidence_file, filename=actual.evidence_name or None)


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def actual_step(request: HtmxRequest, pk: int, step: str) -> HttpResponse:
    """Take a review step (submit, approve, return, reopen) with a note."""
    if step not in permissions.STEPS:
        raise Http404(step)
    actual = selectors.actual_get(pk, request.user)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            actual = services.actual_step(
                actor=request.user, actual=actual, name=step, note=form.cleaned_data["note"]
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            message = _("%(step)s — done.") % {"step": services.step_label(step)}
            back = (
                reverse("kpis:actual_queue")
                if step in ("approve", "return")
                else _actual_url(actual)
            )
            return _saved(request, message, back)
    elif not form.is_bound:
        sources, _target = permissions.STEPS[step]
        if actual.status not in sources:
            raise ApplicationError(
                "actual_status_invalid",
                _("An actual that is “%(status)s” cannot take the step “%(step)s”.")
                % {"status": actual.get_status_display(), "step": services.step_label(step)},
                http_status=409,
            )
        if not permissions.can_step(request.user, actual, step):
            raise permissions.deny(request.user, f"actual.{step}", actual)
    context = {
        "form": form,
        "actual": actual,
        "step": step,
        "step_label": services.step_label(step),
        "area_name": selectors.area_name(actual),
    }
    return _form_page(
        request, "kpis/pages/actual_step.html", "kpis/partials/actual_step_form.html", context
    )
