"""Pages of plans: the plan browser, a plan's page, the alignment reports and the edit forms.

Views are thin: they read the request through a form, call selectors or one service, and
render. Domain errors are translated here, once: `NotFound` becomes a 404 page,
`PermissionDenied` a 403 page, and `ValidationFailed` becomes messages next to the form's
fields (`forms.add_service_errors`). Pages that htmx asks for a part of (the plan list's
results, a form after a failed save, the link form's inline check) get only that part.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from phaen.core import exports as core_exports
from phaen.core.errors import ApplicationError, NotFound, ValidationFailed
from phaen.core.errors import PermissionDenied as DomainPermissionDenied
from phaen.core.export_views import export_download
from phaen.core.uploads import protected_file_response
from phaen.plans import permissions, selectors, services
from phaen.plans.exports import plan_rows
from phaen.plans.forms import (
    ElementForm,
    GapsForm,
    LinkForm,
    MatrixForm,
    PlanFilterForm,
    PlanForm,
    TransitionForm,
    VersionDiffForm,
    add_service_errors,
)
from phaen.plans.models import AlignmentLink, Plan, PlanElement
from phaen.plans.selectors import OutlineNode


class HtmxRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it, for type checking."""

    htmx: HtmxDetails


View = Callable[..., HttpResponseBase]


def translate_domain_errors(view: View) -> View:
    """Turn the services' `NotFound` and `PermissionDenied` into Django's 404 and 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except DomainPermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from exc
        except ApplicationError as exc:  # a refusal that is not about who asks, e.g. read-only
            return render(request, "refused.html", {"message": exc.message}, status=exc.http_status)

    return wrapper


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
    request: HtmxRequest,
    page: str,
    partial: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Render a form page, or only the form for htmx; 422 when the form was refused."""
    form = context["form"]
    status = 422 if form.is_bound and form.errors else 200
    template = partial if request.htmx and not request.htmx.history_restore_request else page
    return render(request, template, context, status=status)


def _plan_or_404(code: str) -> Plan:
    plan = selectors.plan_detail(code)
    if plan is None:
        raise Http404(code)
    return plan


def _plan_url(plan: Plan) -> str:
    return reverse("plans:plan_detail", args=[plan.code])


# --- The plan browser --------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def plan_list(request: HtmxRequest) -> HttpResponse:
    """List plans with filters, a Thai search and pagination; htmx refreshes the results only."""
    form = PlanFilterForm(request.GET or None)
    filters = form.filters()
    paginator = Paginator(
        selectors.plan_list(**filters, viewer=request.user), settings.PHAEN_PAGE_SIZE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filtered": bool(filters),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "can_edit": permissions.can_create_plan(request.user),
    }
    if _partial_for(request, "plan-results"):
        return render(request, "plans/partials/plan_results.html", context)
    return render(request, "plans/pages/plan_list.html", context)


@require_GET
def plan_export(request: HttpRequest) -> HttpResponse:
    """Download the plans the browser's filters select, as CSV (`?format=csv`), XLSX or JSON."""
    filters = PlanFilterForm(request.GET).filters()
    rows = plan_rows(request.user, **filters)
    return export_download(request, core_exports.get("plans"), rows, filename="phaen-plans")


# --- A plan's page -----------------------------------------------------------------------------


@dataclass
class OutlineEntry:
    """An element of the outline with the links up and down that the page shows beside it."""

    element: PlanElement
    serves: list[AlignmentLink]
    served_by: list[AlignmentLink]
    children: list[OutlineEntry] = field(default_factory=list)


@dataclass
class CascadeBox:
    """A plan in the cascade diagram, with the plans it serves directly."""

    plan: Plan
    serves: list[Plan]
    current: bool


def _outline_entries(
    nodes: Iterable[OutlineNode], up: list[AlignmentLink], down: list[AlignmentLink]
) -> list[OutlineEntry]:
    """Attach each element's links (read once for the whole plan) to its place in the tree."""
    # Keyed by element code, so a frozen version's unsaved elements match their links too.
    serves: dict[str | None, list[AlignmentLink]] = defaultdict(list)
    served_by: dict[str, list[AlignmentLink]] = defaultdict(list)
    for link in up:
        serves[link.source_element.code if link.source_element else None].append(link)
    for link in down:
        served_by[link.target_element.code].append(link)

    def build(node: OutlineNode) -> OutlineEntry:
        code = node.element.code
        return OutlineEntry(
            element=node.element,
            serves=serves.get(code, []),
            served_by=served_by.get(code, []),
            children=[build(child) for child in node.children],
        )

    return [build(node) for node in nodes]


def _cascade_levels(cascade: selectors.Cascade) -> list[tuple[int, list[CascadeBox]]]:
    """Lay the cascade out level by level, top first, the page's plan last in its level."""
    plans = {p.pk: p for level in cascade.levels.values() for p in level}
    targets: dict[int, list[Plan]] = defaultdict(list)
    for source_id, target_id in cascade.edges:
        if target_id in plans:
            targets[source_id].append(plans[target_id])
    current = cascade.plan.pk
    return [
        (
            level,
            sorted(
                (CascadeBox(p, targets.get(p.pk, []), p.pk == current) for p in level_plans),
                key=lambda box: box.current,
            ),
        )
        for level, level_plans in sorted(cascade.levels.items())
    ]


def _public_links_down(plan: Plan, viewer: Any) -> list[AlignmentLink]:
    """Links into the plan, leaving out those from plans the viewer may not read yet."""
    links = selectors.plan_links_down(plan)
    if permissions.can_view_working_copy(viewer, plan):
        return links
    published = selectors.published_plan_ids({link.source_plan_id for link in links})
    return [link for link in links if link.source_plan_id in published]


@require_GET
@translate_domain_errors
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show a plan: its facts, sources, outline with links up and down, and its cascade.

    The plan's own planners, the approvers it was submitted to, auditors and administrators see
    the working copy; everyone else sees the newest published version (`?version=N` shows an
    older one). A plan that was never published is not found for them.
    """
    plan = _plan_or_404(code)
    working = permissions.can_view_working_copy(request.user, plan)
    versions = selectors.version_list(plan)
    wanted = request.GET.get("version", "")
    shown = None
    if wanted.isdigit():
        shown = next((v for v in versions if v.number == int(wanted)), None)
        if shown is None:
            raise Http404(wanted)
    elif not working:
        if not versions:
            raise Http404(code)
        shown = versions[0]
    if shown is None:
        outline = selectors.plan_outline(plan)
        links_up = selectors.plan_links_up(plan)
    else:
        outline = selectors.outline_from_snapshot(plan, shown.snapshot)
        links_up = selectors.links_from_snapshot(plan, shown.snapshot)
    links_down = _public_links_down(plan, request.user)
    context = {
        "plan": plan,
        "outline": _outline_entries(outline, links_up, links_down),
        "whole_plan_links": [link for link in links_up if link.source_element is None],
        "links_up_count": len(links_up),
        "links_down_count": len(links_down),
        "cascade": _cascade_levels(selectors.plan_cascade(plan, viewer=request.user)),
        "can_edit": shown is None and permissions.can_edit_plan(request.user, plan),
        "working": working,
        "shown_version": shown,
        "versions": versions,
        "decisions": selectors.decision_list(plan) if working else [],
        "transitions": permissions.allowed_transitions(request.user, plan) if working else [],
    }
    return render(request, "plans/pages/plan_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def plan_transition(request: HtmxRequest, code: str, name: str) -> HttpResponse:
    """Take a lifecycle step (submit, approve, return …) with `services.plan_transition`."""
    plan = _plan_or_404(code)
    transition = permissions.TRANSITIONS.get(name)
    if transition is None:
        raise Http404(name)
    if plan.status not in transition.sources:  # the plan's state, not the user, says no
        raise ApplicationError(
            "plan_transition_invalid",
            _("A plan that is “%(status)s” cannot take the step “%(step)s”.")
            % {"status": plan.get_status_display(), "step": transition.label},
            http_status=409,
        )
    permissions.ensure(
        permissions.can_transition(request.user, plan, name), request.user, f"plan.{name}", plan
    )
    form = TransitionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        plan=plan,
        transition=transition,
    )
    if form.is_bound and form.is_valid():
        try:
            services.plan_transition(
                actor=request.user, plan=plan, name=name, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            message = _("“%(plan)s”: %(step)s — done.") % {
                "plan": plan.name_th,
                "step": transition.label,
            }
            return _saved(request, message, _plan_url(plan))
    return _form_page(
        request,
        "plans/pages/transition_form.html",
        "plans/partials/transition_form.html",
        {"form": form, "plan": plan, "transition": transition},
    )


@require_GET
@translate_domain_errors
def decision_document(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """Download a decision's document: for those who follow the plan's work, nobody else."""
    plan = _plan_or_404(code)
    if not permissions.can_view_working_copy(request.user, plan):
        raise Http404(code)
    decision = next((d for d in selectors.decision_list(plan) if d.pk == pk), None)
    if decision is None or not decision.document:
        raise Http404(str(pk))
    return protected_file_response(decision.document, filename=decision.document_name)


@require_GET
@translate_domain_errors
def plan_versions(request: HttpRequest, code: str) -> HttpResponse:
    """List a plan's versions and compare two of them (`?from=1&to=2`, `to=working`)."""
    plan = _plan_or_404(code)
    working = permissions.can_view_working_copy(request.user, plan)
    versions = selectors.version_list(plan)
    if not versions and not working:
        raise Http404(code)
    form = VersionDiffForm(request.GET or None, versions=versions, working=working)
    diff = None
    if form.is_bound and form.is_valid():
        old, new = form.snapshots(plan)
        diff = selectors.version_diff(old, new)
    context = {"plan": plan, "versions": versions, "form": form, "diff": diff}
    return render(request, "plans/pages/versions.html", context)


# --- Reports -----------------------------------------------------------------------------------


@require_GET
@translate_domain_errors
def element_chain(request: HttpRequest, code: str) -> HttpResponse:
    """Show every path from an element up the alignment links, and whether one reaches level 1."""
    element = selectors.element_get(code)
    permissions.ensure_readable(request.user, element.plan)
    chain = selectors.alignment_chain(element, viewer=request.user)
    return render(
        request,
        "plans/pages/chain.html",
        {"chain": chain, "element": element, "plan": element.plan},
    )


@require_GET
@translate_domain_errors
def plan_chain(request: HttpRequest, code: str) -> HttpResponse:
    """Show every path up from a plan's linked elements and its whole-plan links."""
    plan = selectors.plan_get(code)
    permissions.ensure_readable(request.user, plan)
    chain = selectors.alignment_chain(plan, viewer=request.user)
    return render(request, "plans/pages/chain.html", {"chain": chain, "plan": plan})


def _nearest_above(plan: Plan, candidates: list[Plan]) -> Plan | None:
    """Choose the matrix's default columns: the nearest plan above that this plan reaches."""
    above = [c for c in candidates if c.level < plan.level]
    if not above:
        return candidates[0] if candidates else None
    return max(above, key=lambda c: c.level)


@require_GET
@translate_domain_errors
def plan_matrix(request: HttpRequest, code: str) -> HttpResponse:
    """Cross this plan's elements with a higher plan's top-level elements."""
    plan = selectors.plan_get(code)
    permissions.ensure_readable(request.user, plan)
    candidates = selectors.matrix_candidates(plan, viewer=request.user)
    default = _nearest_above(plan, candidates)
    form = MatrixForm(
        request.GET if "higher" in request.GET else None,
        plan=plan,
        candidates=candidates,
        initial={"higher": default.code if default else "", "depth": 0},
    )
    higher, depth = default, 0
    if form.is_bound:
        higher, depth = None, 0
        if form.is_valid():
            higher = form.cleaned_data["higher"]
            depth = form.cleaned_data["depth"] or 0
    matrix = (
        selectors.alignment_matrix(plan, higher, row_depth=depth, viewer=request.user)
        if higher
        else None
    )
    context = {
        "plan": plan,
        "form": form,
        "matrix": matrix,
        "rows": list(zip(matrix.rows, matrix.cells, strict=True)) if matrix else [],
    }
    return render(request, "plans/pages/matrix.html", context)


@require_GET
@translate_domain_errors
def plan_gaps(request: HttpRequest, code: str) -> HttpResponse:
    """Show which elements of this plan nothing below serves, and which serve nothing above."""
    plan = selectors.plan_get(code)
    permissions.ensure_readable(request.user, plan)
    form = GapsForm(request.GET or None, initial={"level": "", "depth": 0})
    level, depth = None, 0
    if form.is_bound and form.is_valid():
        level = form.cleaned_data["level"]
        depth = form.cleaned_data["depth"] or 0
    gaps = selectors.alignment_gaps(plan, level=level, depth=depth, viewer=request.user)
    return render(request, "plans/pages/gaps.html", {"plan": plan, "form": form, "gaps": gaps})


# --- Editing plans -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def plan_create(request: HtmxRequest) -> HttpResponse:
    """Create a plan with `services.plan_create`."""
    permissions.ensure(permissions.can_create_plan(request.user), request.user, "plan.create")
    form = PlanForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, **form.service_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc, PlanForm.field_map)
        else:
            message = _("The plan “%(name)s” was created.") % {"name": plan.name_th}
            return _saved(request, message, _plan_url(plan))
    return _form_page(
        request, "plans/pages/plan_form.html", "plans/partials/plan_form.html", {"form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def plan_edit(request: HtmxRequest, code: str) -> HttpResponse:
    """Change a plan with `services.plan_update`."""
    plan = _plan_or_404(code)
    permissions.ensure_can_edit(request.user, plan, "plan.update")
    form = PlanForm(request.POST if request.method == "POST" else None, plan=plan)
    if form.is_bound and form.is_valid():
        try:
            plan = services.plan_update(actor=request.user, plan=plan, **form.service_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc, PlanForm.field_map)
        else:
            message = _("The plan “%(name)s” was saved.") % {"name": plan.name_th}
            return _saved(request, message, _plan_url(plan))
    return _form_page(
        request,
        "plans/pages/plan_form.html",
        "plans/partials/plan_form.html",
        {"form": form, "plan": plan},
    )


# --- Editing the outline -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def element_create(request: HtmxRequest, code: str) -> HttpResponse:
    """Add an element to a plan's outline with `services.element_create`."""
    plan = selectors.plan_get(code)
    permissions.ensure_can_edit(request.user, plan, "element.create")
    data = request.POST if request.method == "POST" else None
    initial = {"parent": request.GET.get("parent") or None, "content_recorded": True}
    form = ElementForm(data, plan=plan, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            element = services.element_create(
                actor=request.user, plan=plan, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            message = _("The element “%(element)s” was added.") % {"element": element}
            return _saved(request, message, f"{_plan_url(plan)}#element-{element.code}")
    return _form_page(
        request,
        "plans/pages/element_form.html",
        "plans/partials/element_form.html",
        {"form": form, "plan": plan},
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def element_edit(request: HtmxRequest, code: str) -> HttpResponse:
    """Change an element's text, kind or place in the outline with `services.element_update`."""
    element = selectors.element_get(code)
    permissions.ensure_can_edit(request.user, element.plan, "element.update", element)
    plan = element.plan
    data = request.POST if request.method == "POST" else None
    form = ElementForm(data, plan=plan, element=element)
    if form.is_bound and form.is_valid():
        try:
            element = services.element_update(
                actor=request.user, element=element, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            message = _("The element “%(element)s” was saved.") % {"element": element}
            return _saved(request, message, f"{_plan_url(plan)}#element-{element.code}")
    return _form_page(
        request,
        "plans/pages/element_form.html",
        "plans/partials/element_form.html",
        {"form": form, "plan": plan, "element": element},
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def element_delete(request: HtmxRequest, code: str) -> HttpResponse:
    """Ask, then delete an element with its sub-elements and links (`element_delete`)."""
    element = selectors.element_get(code)
    permissions.ensure_can_edit(request.user, element.plan, "element.delete", element)
    plan = element.plan
    if request.method == "POST":
        services.element_delete(actor=request.user, element=element)
        message = _("The element “%(element)s” was deleted.") % {"element": element}
        return _saved(request, message, _plan_url(plan))
    return render(request, "plans/pages/element_delete.html", {"element": element, "plan": plan})


# --- Editing alignment links -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def link_create(request: HtmxRequest, code: str) -> HttpResponse:
    """Record that an element of this plan (or the plan) serves an element of a plan above."""
    plan = selectors.plan_get(code)
    permissions.ensure_can_edit(request.user, plan, "link.create")
    data = request.POST if request.method == "POST" else None
    initial = {"source_element": request.GET.get("source") or None}
    form = LinkForm(data, plan=plan, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            link = services.alignment_link(actor=request.user, **form.service_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc, LinkForm.field_map)
        else:
            message = _("The link to “%(target)s” was added.") % {"target": link.target_element}
            anchor = f"#element-{link.source_element.code}" if link.source_element else ""
            return _saved(request, message, f"{_plan_url(plan)}{anchor}")
    return _form_page(
        request,
        "plans/pages/link_form.html",
        "plans/partials/link_form.html",
        {"form": form, "plan": plan},
    )


@login_required
@require_POST
@translate_domain_errors
def link_validate(request: HtmxRequest, code: str) -> HttpResponse:
    """Check the link form as filled in so far, with the service's rules, writing nothing.

    Answers the form's fields again, with the target plan's elements to choose from and each
    message next to its field; htmx swaps them in while the planner is still choosing.
    """
    plan = selectors.plan_get(code)
    permissions.ensure_can_edit(request.user, plan, "link.create")
    form = LinkForm(request.POST, plan=plan, validating=True)
    allowed = False
    if form.is_valid() and form.complete:
        try:
            services.alignment_check(actor=request.user, **form.check_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc, LinkForm.field_map)
        else:
            allowed = True
    return render(
        request,
        "plans/partials/link_fields.html",
        {"form": form, "plan": plan, "link_allowed": allowed, "validating": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def link_delete(request: HtmxRequest, pk: int) -> HttpResponse:
    """Ask, then remove an alignment link (`alignment_unlink`)."""
    link = selectors.link_list().filter(pk=pk).first()
    if link is None:
        raise Http404(str(pk))
    permissions.ensure_can_edit(request.user, link.source_plan, "link.delete", link)
    plan = link.source_plan
    if request.method == "POST":
        services.alignment_unlink(actor=request.user, link=link)
        message = _("The link to “%(target)s” was removed.") % {"target": link.target_element}
        return _saved(request, message, _plan_url(plan))
    return render(request, "plans/pages/link_delete.html", {"link": link, "plan": plan})
