"""Pages of delivery: projects and their budgets, agreements (MoUs), area programmes, smart city
zones and digital community centres, mounted at /delivery/.

Views are thin: they read the request through a form, call selectors or one service, and
render. Every page here reads public records, so the lists and detail pages need no sign-in;
the edit pages send an anonymous visitor to sign in, answer 403 (audited by the service's
permission check) to someone who may not make the change, and re-render the form with the
service's messages and status 422 when it refuses the input. htmx asks for a list's results or
a form only; a small form on a detail page is swapped in place when refused.
"""

from __future__ import annotations

from collections.abc import Callable
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

from phaen.core import exports as core_exports
from phaen.core.errors import ValidationFailed
from phaen.core.export_views import FORMATS, export_download
from phaen.core.uploads import protected_file_response
from phaen.plans import selectors as plan_selectors
from phaen.plans.permissions import ensure_readable
from phaen.plans.views import HtmxRequest, translate_domain_errors
from phaen.projects import exports, permissions, selectors, services
from phaen.projects.forms import (
    AgreementFilterForm,
    AgreementForm,
    AlignmentForm,
    BudgetFilterForm,
    BudgetLineForm,
    CentreFilterForm,
    CentreForm,
    DocumentForm,
    ElementChooserForm,
    MilestoneForm,
    PartnerForm,
    PartyForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    ProgrammeProvinceForm,
    ProgressReportForm,
    ProjectFilterForm,
    ProjectForm,
    ZoneFilterForm,
    ZoneForm,
    ZoneStepForm,
    add_service_errors,
)
from phaen.projects.models import (
    SMART_CITY_CRITERIA,
    SMART_CITY_DIMENSIONS,
    Agreement,
    Project,
    ProjectStatus,
    SmartCityZone,
)
from phaen.projects.services import SMART_CITY_STEPS

EXPORT_FILTERS: dict[str, Any] = {
    "projects": ProjectFilterForm,
    "budget-lines": ProjectFilterForm,
    "agreements": AgreementFilterForm,
    "area-programmes": ProgrammeFilterForm,
    "smart-city-zones": ZoneFilterForm,
    "community-centres": CentreFilterForm,
}


def export_formats() -> list[str]:
    """Return the formats the list pages offer."""
    return list(FORMATS)


def _saved(request: HtmxRequest, message: str, url: str) -> HttpResponse:
    """Say what was saved on the next page, and go there (with HX-Redirect for htmx)."""
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _form_page(request: HtmxRequest, context: dict[str, Any]) -> HttpResponse:
    """Render a form page, or only the form for htmx; 422 when the form was refused."""
    form = context["form"]
    context.setdefault("action", request.path)
    context.setdefault("form_id", "edit-form")
    status = 422 if form.is_bound and form.errors else 200
    partial = request.htmx and not request.htmx.history_restore_request
    template = "projects/partials/form.html" if partial else "projects/pages/form.html"
    return render(request, template, context, status=status)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _submit(
    request: HtmxRequest,
    form: Any,
    perform: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], tuple[str, str]],
    context: dict[str, Any],
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    """Validate `form`, call the service through `perform`, and go on or show the form again.

    `done(result)` gives the message and the address to go to after a successful save.
    """
    if form.is_bound and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc, field_map)
        else:
            message, url = done(result)
            return _saved(request, message, url)
    return _form_page(request, {"form": form, **context})


def _confirm_delete(
    request: HtmxRequest,
    *,
    title: str,
    name: str,
    consequence: str,
    cancel_url: str,
    crumbs: list[tuple[str, str]],
    perform: Callable[[], None],
    done_message: str,
    done_url: str,
) -> HttpResponse:
    """Ask, then delete with `perform` (a service); a refusal (422) shows on the page."""
    error = None
    status = 200
    if request.method == "POST":
        try:
            perform()
        except ValidationFailed as exc:
            error, status = exc.message, 422
        else:
            return _saved(request, done_message, done_url)
    context = {
        "title": title,
        "name": name,
        "consequence": consequence,
        "cancel_url": cancel_url,
        "crumbs": crumbs,
        "error": error,
    }
    return render(request, "projects/pages/confirm_delete.html", context, status=status)


def _partial_for(request: HtmxRequest, target: str) -> bool:
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


def _list_page(
    request: HtmxRequest,
    *,
    form: Any,
    items: QuerySet[Any],
    page: str,
    results: str,
    target: str,
    export: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render a filtered, paginated list page, or only its results for htmx."""
    paginator = Paginator(items, settings.PHAEN_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filtered": bool(form.filters()),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "export_name": export,
        "export_formats": export_formats(),
        "results_template": results,
        "results_id": target,
        **(extra or {}),
    }
    if _partial_for(request, target):
        return render(request, results, context)
    return render(request, page, context)


def _url(name: str, *args: Any) -> str:
    return reverse(f"projects:{name}", args=args)


# --- Exports ---------------------------------------------------------------------------------


@require_GET
def export(request: HttpRequest, name: str) -> HttpResponse:
    """Download a list as its filters select it: CSV (`?format=csv`), XLSX or JSON."""
    if name not in EXPORT_FILTERS:
        raise Http404(name)
    filters = EXPORT_FILTERS[name](request.GET).filters()
    _columns, rows = exports.EXPORTS[name]
    return export_download(
        request, core_exports.get(name), rows(**filters), filename=f"phaen-{name}"
    )


# --- Projects --------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def project_list(request: HtmxRequest) -> HttpResponse:
    """List projects and programmes with filters, a Thai search and pagination."""
    form = ProjectFilterForm(request.GET or None)
    return _list_page(
        request,
        form=form,
        items=selectors.project_list(**form.filters()),
        page="projects/pages/project_list.html",
        results="projects/partials/project_results.html",
        target="project-results",
        export="projects",
        extra={"can_create": permissions.can_create_project(request.user)},
    )


@require_GET
@translate_domain_errors
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show a project: facts, partners, plan elements served, indicators, timeline, budget per
    fiscal year and progress reports, with small forms for those who may change them."""
    project = selectors.project_detail(code)
    user = request.user
    can_edit = permissions.can_edit_project(user, project)
    can_report = permissions.can_report_progress(user, project)
    years = selectors.budget_years(project.budget_lines.all())
    context: dict[str, Any] = {
        "project": project,
        "budget_years": years,
        "budget_total": selectors.grand_total(years),
        "can_edit": can_edit,
        "can_report": can_report,
        "can_update_actuals": permissions.can_update_budget_actuals(user, project),
    }
    if can_edit:
        context.update(
            partner_form=PartnerForm(prefix="partner"),
            alignment_form=AlignmentForm(
                prefix="alignment",
                plan_code=request.GET.get("alignment-plan"),
                reload_url=_url("alignment_add", project.code),
            ),
            milestone_form=MilestoneForm(prefix="milestone"),
            budget_form=BudgetLineForm(prefix="budget"),
        )
    if can_report:
        context["report_form"] = ProgressReportForm(prefix="report")
    return render(request, "projects/pages/project_detail.html", context)


def _project_crumbs(project: Project | None = None) -> list[tuple[str, str]]:
    crumbs = [(_url("project_list"), _("Projects"))]
    if project is not None:
        crumbs.append((_url("project_detail", project.code), project.name_th))
    return crumbs


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def project_create(request: HtmxRequest) -> HttpResponse:
    """Create a project or programme with `services.project_create`."""
    permissions.ensure(permissions.can_create_project(request.user), request.user, "project.create")
    form = ProjectForm(_data(request))
    return _submit(
        request,
        form,
        lambda data: services.project_create(actor=request.user, **form.service_arguments()),
        lambda project: (
            _("The project “%(name)s” was created.") % {"name": project.name_th},
            _url("project_detail", project.code),
        ),
        {
            "title": _("New project"),
            "crumbs": _project_crumbs(),
            "submit_label": _("Create the project"),
            "cancel_url": _url("project_list"),
            "grouped": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def project_edit(request: HtmxRequest, code: str) -> HttpResponse:
    """Change a project with `services.project_update`."""
    project = selectors.project_get(code)
    permissions.ensure(
        permissions.can_edit_project(request.user, project), request.user, "project.update", project
    )
    form = ProjectForm(_data(request), project=project)
    return _submit(
        request,
        form,
        lambda data: services.project_update(
            actor=request.user, project=project, **form.service_arguments()
        ),
        lambda saved: (
            _("The project “%(name)s” was saved.") % {"name": saved.name_th},
            _url("project_detail", saved.code),
        ),
        {
            "title": _("Edit project"),
            "crumbs": _project_crumbs(project),
            "submit_label": _("Save the project"),
            "cancel_url": _url("project_detail", project.code),
            "grouped": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def project_delete(request: HtmxRequest, code: str) -> HttpResponse:
    """Ask, then delete a project with its budget lines, milestones and reports."""
    project = selectors.project_get(code)
    permissions.ensure(
        permissions.can_edit_project(request.user, project), request.user, "project.delete", project
    )
    return _confirm_delete(
        request,
        title=_("Delete project"),
        name=project.name_th,
        consequence=_(
            "Its budget lines, milestones, progress reports, partners and links to plan elements "
            "will be deleted too. This cannot be undone."
        ),
        cancel_url=_url("project_detail", code),
        crumbs=_project_crumbs(project),
        perform=lambda: services.project_delete(actor=request.user, project=project),
        done_message=_("The project “%(name)s” was deleted.") % {"name": project.name_th},
        done_url=_url("project_list"),
    )


def _project_for_edit(request: HttpRequest, code: str, action: str) -> Project:
    project = selectors.project_get(code)
    permissions.ensure(
        permissions.can_edit_project(request.user, project), request.user, action, project
    )
    return project


def _part_context(
    project: Project, title: str, submit: str, anchor: str, form_id: str = "edit-form"
) -> dict[str, Any]:
    """The context of a form for a part of a project; `form_id` is the id the form has on the
    project's page, so that htmx swaps it in place there."""
    return {
        "form_id": form_id,
        "title": title,
        "crumbs": _project_crumbs(project),
        "submit_label": submit,
        "cancel_url": f"{_url('project_detail', project.code)}#{anchor}",
        "subject": project.name_th,
    }


def _back_to(project: Project, anchor: str) -> str:
    return f"{_url('project_detail', project.code)}#{anchor}"


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def partner_add(request: HtmxRequest, code: str) -> HttpResponse:
    """Add a partner organisation, in a role, with `services.project_partner_add`."""
    project = _project_for_edit(request, code, "project.partner_add")
    form = PartnerForm(_data(request), prefix="partner")
    return _submit(
        request,
        form,
        lambda data: services.project_partner_add(
            actor=request.user,
            project=project,
            organisation=data["organisation"],
            role=data["role"],
        ),
        lambda partner: (
            _("“%(organisation)s” was added as a partner.")
            % {"organisation": partner.organisation.name_th},
            _back_to(project, "partners"),
        ),
        _part_context(
            project, _("Add a partner"), _("Add the partner"), "partners", "partner-form"
        ),
    )


@login_required
@require_POST
@translate_domain_errors
def partner_remove(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    project = _project_for_edit(request, code, "project.partner_remove")
    partner = selectors.partner_get(project, pk)
    services.project_partner_remove(actor=request.user, partner=partner)
    return _saved(
        request,
        _("“%(organisation)s” is no longer a partner.")
        % {"organisation": partner.organisation.name_th},
        _back_to(project, "partners"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def alignment_add(request: HtmxRequest, code: str) -> HttpResponse:
    """Link the project to a plan element it serves, with its weight (`project_align`).

    Choosing the plan reloads the form with that plan's elements (`?alignment-plan=` on a GET).
    """
    project = _project_for_edit(request, code, "project.align")
    form = AlignmentForm(
        _data(request),
        prefix="alignment",
        plan_code=request.GET.get("alignment-plan"),
        reload_url=request.path,
    )
    return _submit(
        request,
        form,
        lambda data: services.project_align(
            actor=request.user, project=project, element=data["element"], weight=data["weight"]
        ),
        lambda alignment: (
            _("The project now serves “%(element)s”.") % {"element": alignment.element},
            _back_to(project, "alignment"),
        ),
        _part_context(
            project, _("Link to a plan element"), _("Add the link"), "alignment", "alignment-form"
        ),
    )


@login_required
@require_POST
@translate_domain_errors
def alignment_remove(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    project = _project_for_edit(request, code, "project.unalign")
    alignment = selectors.alignment_get(project, pk)
    services.project_unalign(actor=request.user, alignment=alignment)
    return _saved(
        request,
        _("The link to “%(element)s” was removed.") % {"element": alignment.element},
        _back_to(project, "alignment"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def milestone_add(request: HtmxRequest, code: str) -> HttpResponse:
    project = _project_for_edit(request, code, "milestone.create")
    form = MilestoneForm(_data(request), prefix="milestone")
    return _submit(
        request,
        form,
        lambda data: services.milestone_create(actor=request.user, project=project, **data),
        lambda milestone: (
            _("The milestone “%(name)s” was added.") % {"name": milestone.name},
            _back_to(project, "timeline"),
        ),
        _part_context(
            project, _("Add a milestone"), _("Add the milestone"), "timeline", "milestone-form"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def milestone_edit(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    project = _project_for_edit(request, code, "milestone.update")
    milestone = selectors.milestone_get(project, pk)
    form = MilestoneForm(_data(request), milestone=milestone)
    return _submit(
        request,
        form,
        lambda data: services.milestone_update(actor=request.user, milestone=milestone, **data),
        lambda saved: (
            _("The milestone “%(name)s” was saved.") % {"name": saved.name},
            _back_to(project, "timeline"),
        ),
        _part_context(project, _("Edit milestone"), _("Save the milestone"), "timeline"),
    )


@login_required
@require_POST
@translate_domain_errors
def milestone_delete(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    project = _project_for_edit(request, code, "milestone.delete")
    milestone = selectors.milestone_get(project, pk)
    services.milestone_delete(actor=request.user, milestone=milestone)
    return _saved(
        request,
        _("The milestone “%(name)s” was removed.") % {"name": milestone.name},
        _back_to(project, "timeline"),
    )


def _project_for_reports(request: HttpRequest, code: str, action: str) -> Project:
    project = selectors.project_get(code)
    permissions.ensure(
        permissions.can_report_progress(request.user, project), request.user, action, project
    )
    return project


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def report_add(request: HtmxRequest, code: str) -> HttpResponse:
    """File a quarterly progress report (`progress_report_create`)."""
    project = _project_for_reports(request, code, "progress_report.create")
    form = ProgressReportForm(_data(request), prefix="report")
    return _submit(
        request,
        form,
        lambda data: services.progress_report_create(actor=request.user, project=project, **data),
        lambda report: (
            _("The report for quarter %(quarter)s of FY%(year)s was filed.")
            % {"quarter": report.quarter, "year": report.fiscal_year},
            _back_to(project, "reports"),
        ),
        _part_context(
            project, _("File a progress report"), _("File the report"), "reports", "report-form"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def report_edit(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    project = _project_for_reports(request, code, "progress_report.update")
    report = selectors.report_get(project, pk)
    form = ProgressReportForm(_data(request), report=report)
    return _submit(
        request,
        form,
        lambda data: services.progress_report_update(actor=request.user, report=report, **data),
        lambda saved: (
            _("The report for quarter %(quarter)s of FY%(year)s was saved.")
            % {"quarter": saved.quarter, "year": saved.fiscal_year},
            _back_to(project, "reports"),
        ),
        _part_context(project, _("Correct a progress report"), _("Save the report"), "reports"),
    )


@login_required
@require_POST
@translate_domain_errors
def report_delete(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    project = _project_for_reports(request, code, "progress_report.delete")
    report = selectors.report_get(project, pk)
    services.progress_report_delete(actor=request.user, report=report)
    return _saved(
        request,
        _("The report for quarter %(quarter)s of FY%(year)s was removed.")
        % {"quarter": report.quarter, "year": report.fiscal_year},
        _back_to(project, "reports"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def budget_add(request: HtmxRequest, code: str) -> HttpResponse:
    """Add a budget line for a fiscal year (`budget_line_create`)."""
    project = selectors.project_get(code)
    permissions.ensure(
        permissions.can_edit_budget(request.user, project),
        request.user,
        "budget_line.create",
        project,
    )
    form = BudgetLineForm(_data(request), prefix="budget")
    return _submit(
        request,
        form,
        lambda data: services.budget_line_create(actor=request.user, project=project, **data),
        lambda line: (
            _("The budget line for FY%(year)s was added.") % {"year": line.fiscal_year},
            _back_to(project, "budget"),
        ),
        _part_context(
            project, _("Add a budget line"), _("Add the budget line"), "budget", "budget-form"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def budget_edit(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    """Change a budget line; data reporters may change only the committed and disbursed
    figures (the service decides on the fields that actually change)."""
    project = selectors.project_get(code)
    permissions.ensure(
        permissions.can_update_budget_actuals(request.user, project),
        request.user,
        "budget_line.update",
        project,
    )
    line = selectors.budget_line_get(project, pk)
    form = BudgetLineForm(_data(request), line=line)
    return _submit(
        request,
        form,
        lambda data: services.budget_line_update(actor=request.user, line=line, **data),
        lambda saved: (
            _("The budget line for FY%(year)s was saved.") % {"year": saved.fiscal_year},
            _back_to(project, "budget"),
        ),
        _part_context(project, _("Edit budget line"), _("Save the budget line"), "budget"),
    )


@login_required
@require_POST
@translate_domain_errors
def budget_delete(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    project = selectors.project_get(code)
    permissions.ensure(
        permissions.can_edit_budget(request.user, project),
        request.user,
        "budget_line.delete",
        project,
    )
    line = selectors.budget_line_get(project, pk)
    services.budget_line_delete(actor=request.user, line=line)
    return _saved(
        request,
        _("The budget line for FY%(year)s was removed.") % {"year": line.fiscal_year},
        _back_to(project, "budget"),
    )


@require_GET
@translate_domain_errors
def budget_summary(request: HttpRequest) -> HttpResponse:
    """Budgets per fiscal year of the projects the filters select, and per strategy of a plan."""
    form = BudgetFilterForm(request.GET or None)
    filters = form.filters()
    scope = {k: v for k, v in filters.items() if k in ("plan", "province", "owner", "status")}
    if "flagship" in filters:
        scope["flagship"] = filters["flagship"]
    fiscal_year = filters.get("fiscal_year")
    years = selectors.budget_by_fiscal_year(
        **scope, fiscal_years=[fiscal_year] if fiscal_year else None
    )
    strategies = None
    if filters.get("plan"):
        plan = plan_selectors.plan_get(filters["plan"])
        ensure_readable(request.user, plan)
        strategies = selectors.budget_by_strategy(
            plan,
            fiscal_year=fiscal_year,
            province=scope.get("province"),
            owner=scope.get("owner"),
            status=scope.get("status"),
            flagship=scope.get("flagship"),
        )
    context = {
        "form": form,
        "years": years,
        "total": selectors.grand_total(years),
        "strategies": strategies,
        "statuses": [
            (status, ProjectStatus(status).label, count)
            for status, count in selectors.projects_by_status(
                **{k: v for k, v in scope.items() if k != "status"}
            ).items()
        ],
        "export_formats": export_formats(),
    }
    return render(request, "projects/pages/budget_summary.html", context)


@require_GET
@translate_domain_errors
def plan_progress(request: HttpRequest, code: str) -> HttpResponse:
    """Show a plan's outline with each element's implementation progress (`element_progress`)."""
    plan = plan_selectors.plan_get(code)
    ensure_readable(request.user, plan)
    rows = selectors.progress_rows(plan)
    context = {
        "plan": plan,
        "rows": rows,
        "excluded": settings.PHAEN_PROGRESS_EXCLUDED_STATUSES,
    }
    return render(request, "projects/pages/plan_progress.html", context)


# --- Agreements ------------------------------------------------------------------------------


def _agreement_crumbs(agreement: Agreement | None = None) -> list[tuple[str, str]]:
    crumbs = [(_url("agreement_list"), _("Agreements"))]
    if agreement is not None:
        crumbs.append((_url("agreement_detail", agreement.code), agreement.title_th))
    return crumbs


@require_GET
@vary_on_headers("HX-Request")
def agreement_list(request: HtmxRequest) -> HttpResponse:
    """List agreements (MoUs) with filters and a Thai search."""
    form = AgreementFilterForm(request.GET or None)
    return _list_page(
        request,
        form=form,
        items=selectors.agreement_list(**form.filters()),
        page="projects/pages/agreement_list.html",
        results="projects/partials/agreement_results.html",
        target="agreement-results",
        export="agreements",
        extra={"can_create": permissions.can_create_agreement(request.user)},
    )


@require_GET
@translate_domain_errors
def agreement_detail(request: HttpRequest, code: str) -> HttpResponse:
    agreement = selectors.agreement_detail(code)
    can_edit = permissions.can_edit_agreement(request.user, agreement)
    context: dict[str, Any] = {"agreement": agreement, "can_edit": can_edit}
    if can_edit:
        context.update(
            party_form=PartyForm(prefix="party"),
            document_form=DocumentForm(prefix="document"),
            element_form=ElementChooserForm(
                prefix="element",
                plan_code=request.GET.get("element-plan"),
                reload_url=_url("agreement_element_add", agreement.code),
            ),
        )
    return render(request, "projects/pages/agreement_detail.html", context)


def _agreement_for_edit(request: HttpRequest, code: str, action: str) -> Agreement:
    agreement = selectors.agreement_get(code)
    permissions.ensure(
        permissions.can_edit_agreement(request.user, agreement), request.user, action, agreement
    )
    return agreement


def _agreement_part(
    agreement: Agreement, title: str, submit: str, anchor: str, form_id: str = "edit-form"
) -> dict[str, Any]:
    return {
        "form_id": form_id,
        "title": title,
        "crumbs": _agreement_crumbs(agreement),
        "submit_label": submit,
        "cancel_url": f"{_url('agreement_detail', agreement.code)}#{anchor}",
        "subject": agreement.title_th,
    }


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def agreement_create(request: HtmxRequest) -> HttpResponse:
    permissions.ensure(
        permissions.can_create_agreement(request.user), request.user, "agreement.create"
    )
    form = AgreementForm(_data(request))
    return _submit(
        request,
        form,
        lambda data: services.agreement_create(actor=request.user, **form.service_arguments()),
        lambda agreement: (
            _("The agreement “%(title)s” was recorded.") % {"title": agreement.title_th},
            _url("agreement_detail", agreement.code),
        ),
        {
            "title": _("New agreement"),
            "crumbs": _agreement_crumbs(),
            "submit_label": _("Record the agreement"),
            "cancel_url": _url("agreement_list"),
            "grouped": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def agreement_edit(request: HtmxRequest, code: str) -> HttpResponse:
    agreement = _agreement_for_edit(request, code, "agreement.update")
    form = AgreementForm(_data(request), agreement=agreement)
    return _submit(
        request,
        form,
        lambda data: services.agreement_update(
            actor=request.user, agreement=agreement, **form.service_arguments()
        ),
        lambda saved: (
            _("The agreement “%(title)s” was saved.") % {"title": saved.title_th},
            _url("agreement_detail", saved.code),
        ),
        {
            "title": _("Edit agreement"),
            "crumbs": _agreement_crumbs(agreement),
            "submit_label": _("Save the agreement"),
            "cancel_url": _url("agreement_detail", agreement.code),
            "grouped": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def agreement_delete(request: HtmxRequest, code: str) -> HttpResponse:
    agreement = _agreement_for_edit(request, code, "agreement.delete")
    return _confirm_delete(
        request,
        title=_("Delete agreement"),
        name=agreement.title_th,
        consequence=_("Its parties and documents will be deleted too. This cannot be undone."),
        cancel_url=_url("agreement_detail", code),
        crumbs=_agreement_crumbs(agreement),
        perform=lambda: services.agreement_delete(actor=request.user, agreement=agreement),
        done_message=_("The agreement “%(title)s” was deleted.") % {"title": agreement.title_th},
        done_url=_url("agreement_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def party_add(request: HtmxRequest, code: str) -> HttpResponse:
    agreement = _agreement_for_edit(request, code, "agreement.party_add")
    form = PartyForm(_data(request), prefix="party")
    return _submit(
        request,
        form,
        lambda data: services.agreement_party_add(actor=request.user, agreement=agreement, **data),
        lambda party: (
            _("“%(organisation)s” was added to the agreement.")
            % {"organisation": party.organisation.name_th},
            f"{_url('agreement_detail', agreement.code)}#parties",
        ),
        _agreement_part(agreement, _("Add a party"), _("Add the party"), "parties", "party-form"),
    )


@login_required
@require_POST
@translate_domain_errors
def party_remove(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    agreement = _agreement_for_edit(request, code, "agreement.party_remove")
    party = selectors.party_get(agreement, pk)
    services.agreement_party_remove(actor=request.user, party=party)
    return _saved(
        request,
        _("“%(organisation)s” was removed from the agreement.")
        % {"organisation": party.organisation.name_th},
        f"{_url('agreement_detail', agreement.code)}#parties",
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def document_add(request: HtmxRequest, code: str) -> HttpResponse:
    """Attach a document: an upload (checked and kept out of the web root) or a link."""
    agreement = _agreement_for_edit(request, code, "agreement.document_add")
    form = DocumentForm(_data(request), _files(request), prefix="document")
    return _submit(
        request,
        form,
        lambda data: services.agreement_document_add(
            actor=request.user,
            agreement=agreement,
            title=data["title"],
            upload=data.get("file"),
            url=data.get("url") or "",
        ),
        lambda document: (
            _("The document “%(title)s” was added.") % {"title": document.title},
            f"{_url('agreement_detail', agreement.code)}#documents",
        ),
        _agreement_part(
            agreement, _("Add a document"), _("Add the document"), "documents", "document-form"
        ),
    )


@require_GET
@translate_domain_errors
def document_download(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """Download an agreement's uploaded document (agreements are public records)."""
    agreement = selectors.agreement_get(code)
    document = selectors.document_get(agreement, pk)
    if not document.file:
        raise Http404(str(pk))
    return protected_file_response(document.file, filename=document.file_name or None)


@login_required
@require_POST
@translate_domain_errors
def document_remove(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    agreement = _agreement_for_edit(request, code, "agreement.document_remove")
    document = selectors.document_get(agreement, pk)
    services.agreement_document_remove(actor=request.user, document=document)
    return _saved(
        request,
        _("The document “%(title)s” was removed.") % {"title": document.title},
        f"{_url('agreement_detail', agreement.code)}#documents",
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def agreement_element_add(request: HtmxRequest, code: str) -> HttpResponse:
    """Name a plan element the agreement serves (`agreement_update` with one more element)."""
    agreement = _agreement_for_edit(request, code, "agreement.update")
    form = ElementChooserForm(
        _data(request),
        prefix="element",
        plan_code=request.GET.get("element-plan"),
        reload_url=request.path,
    )

    def perform(data: dict[str, Any]) -> Any:
        current = list(agreement.elements.all())
        if data["element"] not in current:
            current.append(data["element"])
        services.agreement_update(actor=request.user, agreement=agreement, elements=current)
        return data["element"]

    return _submit(
        request,
        form,
        perform,
        lambda element: (
            _("The agreement now names “%(element)s”.") % {"element": element},
            f"{_url('agreement_detail', agreement.code)}#elements",
        ),
        _agreement_part(
            agreement, _("Link to a plan element"), _("Add the link"), "elements", "element-form"
        ),
    )


@login_required
@require_POST
@translate_domain_errors
def agreement_element_remove(request: HtmxRequest, code: str, element: str) -> HttpResponse:
    agreement = _agreement_for_edit(request, code, "agreement.update")
    current = list(agreement.elements.all())
    remaining = [e for e in current if e.code != element]
    if len(remaining) == len(current):
        raise Http404(element)
    services.agreement_update(actor=request.user, agreement=agreement, elements=remaining)
    return _saved(
        request,
        _("The link to the plan element was removed."),
        f"{_url('agreement_detail', agreement.code)}#elements",
    )


# --- Area programmes -------------------------------------------------------------------------


def _programme_crumbs(programme: Any = None) -> list[tuple[str, str]]:
    crumbs = [(_url("programme_list"), _("Area programmes"))]
    if programme is not None:
        crumbs.append((_url("programme_detail", programme.code), programme.name_th))
    return crumbs


@require_GET
@vary_on_headers("HX-Request")
def programme_list(request: HtmxRequest) -> HttpResponse:
    form = ProgrammeFilterForm(request.GET or None)
    return _list_page(
        request,
        form=form,
        items=selectors.area_programme_list(**form.filters()),
        page="projects/pages/programme_list.html",
        results="projects/partials/programme_results.html",
        target="programme-results",
        export="area-programmes",
        extra={"can_create": permissions.can_create_programme(request.user)},
    )


@require_GET
@translate_domain_errors
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.area_programme_detail(code)
    can_edit = permissions.can_edit_programme(request.user, programme)
    context: dict[str, Any] = {
        "programme": programme,
        "can_edit": can_edit,
        "zone_counts": selectors.smart_city_zone_counts(programme=code)
        if programme.zone_count  # type: ignore[attr-defined]
        else None,
        "centre_provinces": selectors.community_centres_by_province(programme=code)
        if programme.centre_count  # type: ignore[attr-defined]
        else None,
    }
    if can_edit:
        context["province_form"] = ProgrammeProvinceForm(prefix="province")
    return render(request, "projects/pages/programme_detail.html", context)


def _programme_for_edit(request: HttpRequest, code: str, action: str) -> Any:
    programme = selectors.area_programme_get(code)
    permissions.ensure(
        permissions.can_edit_programme(request.user, programme), request.user, action, programme
    )
    return programme


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def programme_create(request: HtmxRequest) -> HttpResponse:
    permissions.ensure(
        permissions.can_create_programme(request.user), request.user, "area_programme.create"
    )
    form = ProgrammeForm(_data(request))
    return _submit(
        request,
        form,
        lambda data: services.area_programme_create(actor=request.user, **form.service_arguments()),
        lambda programme: (
            _("The area programme “%(name)s” was created.") % {"name": programme.name_th},
            _url("programme_detail", programme.code),
        ),
        {
            "title": _("New area programme"),
            "crumbs": _programme_crumbs(),
            "submit_label": _("Create the programme"),
            "cancel_url": _url("programme_list"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def programme_edit(request: HtmxRequest, code: str) -> HttpResponse:
    programme = _programme_for_edit(request, code, "area_programme.update")
    form = ProgrammeForm(_data(request), programme=programme)
    return _submit(
        request,
        form,
        lambda data: services.area_programme_update(
            actor=request.user, programme=programme, **form.service_arguments()
        ),
        lambda saved: (
            _("The area programme “%(name)s” was saved.") % {"name": saved.name_th},
            _url("programme_detail", saved.code),
        ),
        {
            "title": _("Edit area programme"),
            "crumbs": _programme_crumbs(programme),
            "submit_label": _("Save the programme"),
            "cancel_url": _url("programme_detail", programme.code),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def programme_delete(request: HtmxRequest, code: str) -> HttpResponse:
    programme = _programme_for_edit(request, code, "area_programme.delete")
    return _confirm_delete(
        request,
        title=_("Delete area programme"),
        name=programme.name_th,
        consequence=_("Its list of provinces will be deleted too. This cannot be undone."),
        cancel_url=_url("programme_detail", code),
        crumbs=_programme_crumbs(programme),
        perform=lambda: services.area_programme_delete(actor=request.user, programme=programme),
        done_message=_("The area programme “%(name)s” was deleted.") % {"name": programme.name_th},
        done_url=_url("programme_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def programme_province_add(request: HtmxRequest, code: str) -> HttpResponse:
    programme = _programme_for_edit(request, code, "area_programme.province_add")
    form = ProgrammeProvinceForm(_data(request), prefix="province")
    return _submit(
        request,
        form,
        lambda data: services.programme_province_add(
            actor=request.user, programme=programme, **data
        ),
        lambda membership: (
            _("%(province)s was added to the programme.")
            % {"province": membership.province.name_th},
            f"{_url('programme_detail', programme.code)}#provinces",
        ),
        {
            "form_id": "province-form",
            "title": _("Add a province"),
            "crumbs": _programme_crumbs(programme),
            "submit_label": _("Add the province"),
            "cancel_url": f"{_url('programme_detail', programme.code)}#provinces",
            "subject": programme.name_th,
        },
    )


@login_required
@require_POST
@translate_domain_errors
def programme_province_remove(request: HtmxRequest, code: str, province: str) -> HttpResponse:
    programme = _programme_for_edit(request, code, "area_programme.province_remove")
    membership = selectors.programme_province_get(programme, province)
    services.programme_province_remove(actor=request.user, membership=membership)
    return _saved(
        request,
        _("%(province)s was taken out of the programme.")
        % {"province": membership.province.name_th},
        f"{_url('programme_detail', programme.code)}#provinces",
    )


# --- Smart city zones ------------------------------------------------------------------------


def _zone_crumbs(zone: SmartCityZone | None = None) -> list[tuple[str, str]]:
    crumbs = [(_url("zone_list"), _("Smart city zones"))]
    if zone is not None:
        crumbs.append((_url("zone_detail", zone.code), zone.name_th))
    return crumbs


def _zone_steps(zone: SmartCityZone) -> list[str]:
    """The stages the zone may move to now, in the order of `SMART_CITY_STEPS`."""
    return [stage for stage, sources in SMART_CITY_STEPS.items() if zone.stage in sources]


@require_GET
@vary_on_headers("HX-Request")
def zone_list(request: HtmxRequest) -> HttpResponse:
    form = ZoneFilterForm(request.GET or None)
    return _list_page(
        request,
        form=form,
        items=selectors.smart_city_zone_list(**form.filters()),
        page="projects/pages/zone_list.html",
        results="projects/partials/zone_results.html",
        target="zone-results",
        export="smart-city-zones",
        extra={
            "can_create": permissions.can_create_zone(request.user),
            "counts": selectors.smart_city_zone_counts(),
        },
    )


@require_GET
@translate_domain_errors
def zone_detail(request: HttpRequest, code: str) -> HttpResponse:
    zone = selectors.smart_city_zone_detail(code)
    can_decide = permissions.can_decide_zone(request.user, zone)
    criteria = zone.criteria or {}
    context = {
        "zone": zone,
        "can_edit": permissions.can_edit_zone(request.user, zone),
        "steps": _zone_steps(zone) if can_decide else [],
        "criteria_labels": SMART_CITY_CRITERIA,
        "met": {key for key, met in criteria.items() if met},
        "assessed": set(criteria),
        "dimension_labels": [
            label for key, label in SMART_CITY_DIMENSIONS if key in (zone.dimensions or [])
        ],
    }
    return render(request, "projects/pages/zone_detail.html", context)


def _zone_for_edit(request: HttpRequest, code: str, action: str) -> SmartCityZone:
    zone = selectors.smart_city_zone_get(code)
    permissions.ensure(permissions.can_edit_zone(request.user, zone), request.user, action, zone)
    return zone


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def zone_create(request: HtmxRequest) -> HttpResponse:
    """Record a municipality's application for a smart city promotion zone."""
    permissions.ensure(permissions.can_create_zone(request.user), request.user, "smart_city.create")
    form = ZoneForm(_data(request))
    return _submit(
        request,
        form,
        lambda data: services.smart_city_zone_create(
            actor=request.user, **form.service_arguments()
        ),
        lambda zone: (
            _("The application of “%(name)s” was recorded.") % {"name": zone.name_th},
            _url("zone_detail", zone.code),
        ),
        {
            "title": _("New smart city zone"),
            "crumbs": _zone_crumbs(),
            "submit_label": _("Record the application"),
            "cancel_url": _url("zone_list"),
            "grouped": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def zone_edit(request: HtmxRequest, code: str) -> HttpResponse:
    zone = _zone_for_edit(request, code, "smart_city.update")
    form = ZoneForm(_data(request), zone=zone)
    return _submit(
        request,
        form,
        lambda data: services.smart_city_zone_update(
            actor=request.user, zone=zone, **form.service_arguments()
        ),
        lambda saved: (
            _("The zone “%(name)s” was saved.") % {"name": saved.name_th},
            _url("zone_detail", saved.code),
        ),
        {
            "title": _("Edit smart city zone"),
            "crumbs": _zone_crumbs(zone),
            "submit_label": _("Save the zone"),
            "cancel_url": _url("zone_detail", zone.code),
            "grouped": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def zone_delete(request: HtmxRequest, code: str) -> HttpResponse:
    zone = _zone_for_edit(request, code, "smart_city.delete")
    return _confirm_delete(
        request,
        title=_("Delete smart city zone"),
        name=zone.name_th,
        consequence=_("Its dated decisions will be deleted too. This cannot be undone."),
        cancel_url=_url("zone_detail", code),
        crumbs=_zone_crumbs(zone),
        perform=lambda: services.smart_city_zone_delete(actor=request.user, zone=zone),
        done_message=_("The zone “%(name)s” was deleted.") % {"name": zone.name_th},
        done_url=_url("zone_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def zone_step(request: HtmxRequest, code: str) -> HttpResponse:
    """Record the zone's next stage with its date and decision (`smart_city_advance`)."""
    zone = selectors.smart_city_zone_get(code)
    steps = _zone_steps(zone)
    if not steps:
        return render(
            request,
            "refused.html",
            {
                "message": _("A zone that is “%(stage)s” has no further stage.")
                % {"stage": zone.get_stage_display()}
            },
            status=409,
        )
    permissions.ensure(
        permissions.can_decide_zone(request.user, zone), request.user, "smart_city.step", zone
    )
    form = ZoneStepForm(_data(request), zone=zone, steps=steps)
    return _submit(
        request,
        form,
        lambda data: services.smart_city_advance(
            actor=request.user, zone=zone, **form.service_arguments()
        ),
        lambda decision: (
            _("“%(name)s” is now “%(stage)s”.")
            % {"name": zone.name_th, "stage": decision.get_stage_display()},
            _url("zone_detail", zone.code),
        ),
        {
            "title": _("Record the next stage"),
            "crumbs": _zone_crumbs(zone),
            "submit_label": _("Record the stage"),
            "cancel_url": _url("zone_detail", zone.code),
            "subject": f"{zone.name_th} · {zone.get_stage_display()}",
        },
    )


# --- Digital community centres ---------------------------------------------------------------


def _centre_crumbs(centre: Any = None) -> list[tuple[str, str]]:
    crumbs = [(_url("centre_list"), _("Community centres"))]
    if centre is not None:
        crumbs.append((_url("centre_detail", centre.code), centre.name_th))
    return crumbs


@require_GET
@vary_on_headers("HX-Request")
def centre_list(request: HtmxRequest) -> HttpResponse:
    form = CentreFilterForm(request.GET or None)
    return _list_page(
        request,
        form=form,
        items=selectors.community_centre_list(**form.filters()),
        page="projects/pages/centre_list.html",
        results="projects/partials/centre_results.html",
        target="centre-results",
        export="community-centres",
        extra={"can_create": permissions.can_create_centre(request.user)},
    )


@require_GET
@translate_domain_errors
def centre_detail(request: HttpRequest, code: str) -> HttpResponse:
    centre = selectors.community_centre_detail(code)
    context = {"centre": centre, "can_edit": permissions.can_edit_centre(request.user, centre)}
    return render(request, "projects/pages/centre_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def centre_create(request: HtmxRequest) -> HttpResponse:
    permissions.ensure(
        permissions.can_create_centre(request.user), request.user, "community_centre.create"
    )
    form = CentreForm(_data(request))
    return _submit(
        request,
        form,
        lambda data: services.community_centre_create(
            actor=request.user, **form.service_arguments()
        ),
        lambda centre: (
            _("The centre “%(name)s” was recorded.") % {"name": centre.name_th},
            _url("centre_detail", centre.code),
        ),
        {
            "title": _("New community centre"),
            "crumbs": _centre_crumbs(),
            "submit_label": _("Record the centre"),
            "cancel_url": _url("centre_list"),
            "grouped": True,
        },
        CentreForm.field_map,
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def centre_edit(request: HtmxRequest, code: str) -> HttpResponse:
    centre = selectors.community_centre_get(code)
    permissions.ensure(
        permissions.can_edit_centre(request.user, centre),
        request.user,
        "community_centre.update",
        centre,
    )
    form = CentreForm(_data(request), centre=centre)
    return _submit(
        request,
        form,
        lambda data: services.community_centre_update(
            actor=request.user, centre=centre, **form.service_arguments()
        ),
        lambda saved: (
            _("The centre “%(name)s” was saved.") % {"name": saved.name_th},
            _url("centre_detail", saved.code),
        ),
        {
            "title": _("Edit community centre"),
            "crumbs": _centre_crumbs(centre),
            "submit_label": _("Save the centre"),
            "cancel_url": _url("centre_detail", centre.code),
            "grouped": True,
        },
        CentreForm.field_map,
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def centre_delete(request: HtmxRequest, code: str) -> HttpResponse:
    centre = selectors.community_centre_get(code)
    permissions.ensure(
        permissions.can_edit_centre(request.user, centre),
        request.user,
        "community_centre.delete",
        centre,
    )
    return _confirm_delete(
        request,
        title=_("Delete community centre"),
        name=centre.name_th,
        consequence=_("This cannot be undone."),
        cancel_url=_url("centre_detail", code),
        crumbs=_centre_crumbs(centre),
        perform=lambda: services.community_centre_delete(actor=request.user, centre=centre),
        done_message=_("The centre “%(name)s” was deleted.") % {"name": centre.name_th},
        done_url=_url("centre_list"),
    )
