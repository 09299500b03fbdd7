"""Pages of events (hearing meetings, workshops, seminars), mounted at /consultation/events/.

Views are thin: they read the request through a form, call selectors or one service, and
render. Events are public: the list and an event's page need no sign-in, and anyone registers
while registration is open (rate-limited per client address, with a honeypot field). The
organiser's pages send an anonymous visitor to sign in, answer 403 (audited by the service's
permission check) to someone who may not make the change, and re-render the form with the
service's messages and status 422 when it refuses the input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from phaen.consultation import event_permissions as permissions
from phaen.consultation import event_selectors as selectors
from phaen.consultation import event_services as services
from phaen.consultation.event_forms import (
    EventFilterForm,
    EventForm,
    OutputsForm,
    RegistrationForm,
    add_service_errors,
)
from phaen.consultation.models import Event, EventMode
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.core.ratelimit import RateLimited
from phaen.plans.views import HtmxRequest, translate_domain_errors

RESULTS_ID = "event-results"


def _url(name: str, *args: Any) -> str:
    return reverse(f"consultation:{name}", args=args)


def hearing_url(code: str) -> str | None:
    """The address of a hearing's page, when the hearings pages are mounted."""
    try:
        return reverse("consultation:hearing_detail", args=[code])
    except NoReverseMatch:
        return None


def _crumbs(event: Event | None = None) -> list[tuple[str, str]]:
    crumbs = [(_url("event_list"), _("Events"))]
    if event is not None:
        crumbs.append((_url("event_detail", event.code), event.title_th))
    return crumbs


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
    context.setdefault("form_id", "event-form")
    status = context.pop("status", None) or (422 if form.is_bound and form.errors else 200)
    partial = request.htmx and not request.htmx.history_restore_request
    template = (
        "consultation/events/partials/form.html"
        if partial
        else "consultation/events/pages/form.html"
    )
    return render(request, template, context, status=status)


def _submit(
    request: HtmxRequest,
    form: Any,
    perform: Callable[[], Any],
    done: Callable[[Any], tuple[str, str]],
    context: dict[str, Any],
) -> HttpResponse:
    """Validate `form`, call the service through `perform`, and go on or show the form again."""
    if form.is_bound and form.is_valid():
        try:
            result = perform()
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            message, url = done(result)
            return _saved(request, message, url)
    return _form_page(request, {"form": form, **context})


# --- Reading ---------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def event_list(request: HtmxRequest) -> HttpResponse:
    """List hearing meetings, workshops and seminars, filtered by kind, plan, hearing, province."""
    form = EventFilterForm(request.GET or None)
    filters = form.filters()
    paginator = Paginator(selectors.event_list(**filters), settings.PHAEN_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filtered": bool(filters),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "results_id": RESULTS_ID,
        "can_create": permissions.can_create_event(request.user),
    }
    htmx = request.htmx
    if htmx and not htmx.history_restore_request and htmx.target == RESULTS_ID:
        return render(request, "consultation/events/partials/results.html", context)
    return render(request, "consultation/events/pages/list.html", context)


def _detail_context(
    request: HttpRequest, event: Event, registration_form: RegistrationForm | None = None
) -> dict[str, Any]:
    user = request.user
    can_edit = permissions.can_edit_event(user, event)
    registration_open = services.registration_is_open(event)
    context: dict[str, Any] = {
        "event": event,
        "can_edit": can_edit,
        "show_plan": permissions.plan_is_public(
            user, event.plan, getattr(event, "plan_published", None)
        ),
        "show_hearing": permissions.hearing_is_public(
            user, event.hearing, getattr(event, "hearing_public", None)
        ),
        "hearing_url": hearing_url(event.hearing.code) if event.hearing is not None else None,
        "online": event.mode != EventMode.IN_PERSON,
        "registration_open": registration_open,
        "is_over": selectors.event_is_over(event),
        "has_started": selectors.event_has_started(event),
    }
    if registration_open:
        context["registration_form"] = registration_form or RegistrationForm()
    if permissions.can_read_registrations(user, event):
        context["registrations"] = list(selectors.registration_list(event))
    return context


@require_GET
@translate_domain_errors
def event_detail(request: HttpRequest, code: str) -> HttpResponse:
    """An event: what, when, where and how to join, its agenda, registration while it is open,
    the public register, and its minutes and outputs."""
    event = selectors.event_detail(code)
    return render(request, "consultation/events/pages/detail.html", _detail_context(request, event))


@require_http_methods(["GET", "POST"])
@translate_domain_errors
def event_register(request: HtmxRequest, code: str) -> HttpResponse:
    """Register for an event (public). Throttled per client address; a filled honeypot is
    refused with 400 and nothing is written."""
    event = selectors.event_get(code)
    if request.method == "GET":
        return redirect(f"{_url('event_detail', code)}#register")
    form = RegistrationForm(request.POST)
    try:
        services.registration_rate_check(request)
    except RateLimited as exc:
        form.is_valid()
        form.add_error(None, str(exc.message))
        response = _registration_page(request, event, form, 429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    status = 422
    if form.is_valid():
        try:
            registration = services.registration_add(
                actor=request.user, event=event, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
            status = exc.http_status
        else:
            message = (
                _("You are registered. Your name appears in the list of participants.")
                if registration.public_in_register
                else _("You are registered. Your name is not shown in the list of participants.")
            )
            return _saved(request, message, f"{_url('event_detail', code)}#register")
    return _registration_page(request, event, form, status)


def _registration_page(
    request: HtmxRequest, event: Event, form: RegistrationForm, status: int
) -> HttpResponse:
    """The event's page again, with the refused registration form and its reasons."""
    detail = selectors.event_detail(event.code)
    context = _detail_context(request, detail, registration_form=form)
    context["registration_form"] = form
    return render(request, "consultation/events/pages/detail.html", context, status=status)


# --- The organiser's pages ---------------------------------------------------------------------


def _event_for_edit(request: HttpRequest, code: str, action: str) -> Event:
    event = selectors.event_get(code)
    permissions.ensure(permissions.can_edit_event(request.user, event), request.user, action, event)
    return event


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def event_create(request: HtmxRequest) -> HttpResponse:
    permissions.ensure(permissions.can_create_event(request.user), request.user, "event.create")
    initial = {}
    for name in ("plan", "hearing"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    form = EventForm(request.POST if request.method == "POST" else None, initial=initial)
    return _submit(
        request,
        form,
        lambda: services.event_create(actor=request.user, **form.service_arguments()),
        lambda event: (
            _("The event “%(title)s” was announced.") % {"title": event.title_th},
            _url("event_detail", event.code),
        ),
        {
            "title": _("New event"),
            "crumbs": _crumbs(),
            "submit_label": _("Announce the event"),
            "cancel_url": _url("event_list"),
            "grouped": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def event_edit(request: HtmxRequest, code: str) -> HttpResponse:
    event = _event_for_edit(request, code, "event.update")
    form = EventForm(request.POST if request.method == "POST" else None, event=event)
    return _submit(
        request,
        form,
        lambda: services.event_update(actor=request.user, event=event, **form.service_arguments()),
        lambda saved: (
            _("The event “%(title)s” was saved.") % {"title": saved.title_th},
            _url("event_detail", saved.code),
        ),
        {
            "title": _("Edit event"),
            "crumbs": _crumbs(event),
            "subject": event.title_th,
            "submit_label": _("Save the event"),
            "cancel_url": _url("event_detail", event.code),
            "grouped": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def event_outputs(request: HtmxRequest, code: str) -> HttpResponse:
    """Record the minutes, outputs (plan elements), attendance and online views of an event."""
    event = _event_for_edit(request, code, "event.record_outputs")
    form = OutputsForm(request.POST if request.method == "POST" else None, event=event)
    context: dict[str, Any] = {
        "title": _("Minutes and outputs"),
        "crumbs": _crumbs(event),
        "subject": event.title_th,
        "submit_label": _("Save the record"),
        "cancel_url": _url("event_detail", event.code),
    }
    if not event.plan_id:
        context["lead"] = _("Name the plan the event is about to link its outputs to elements.")
    return _submit(
        request,
        form,
        lambda: services.event_record_outputs(
            actor=request.user, event=event, **form.service_arguments()
        ),
        lambda saved: (
            _("The record of “%(title)s” was saved.") % {"title": saved.title_th},
            f"{_url('event_detail', saved.code)}#record",
        ),
        context,
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def event_delete(request: HtmxRequest, code: str) -> HttpResponse:
    event = _event_for_edit(request, code, "event.delete")
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.event_delete(actor=request.user, event=event)
        except ApplicationError as exc:
            if exc.http_status in (403, 404):
                raise
            error, status = exc.message, exc.http_status
        else:
            return _saved(
                request,
                _("The event “%(title)s” was deleted.") % {"title": event.title_th},
                _url("event_list"),
            )
    context = {
        "title": _("Delete event"),
        "name": event.title_th,
        "consequence": _("Its registrations will be deleted too. This cannot be undone."),
        "cancel_url": _url("event_detail", code),
        "crumbs": _crumbs(event),
        "error": error,
    }
    return render(request, "consultation/events/pages/confirm_delete.html", context, status=status)


@login_required
@require_POST
@translate_domain_errors
def event_attended(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    """Mark a registered person as present (`attended=1`) or not (`attended=0`)."""
    event = _event_for_edit(request, code, "registration.mark_attended")
    registration = selectors.registration_get(event, pk)
    attended = request.POST.get("attended", "1") not in ("0", "false", "")
    services.registration_mark_attended(
        actor=request.user, registration=registration, attended=attended
    )
    return _saved(
        request,
        _("Attendance was recorded.") if attended else _("The attendance mark was removed."),
        f"{_url('event_detail', code)}#registrations",
    )
