"""Pages of public hearings, mounted at /consultation/.

Public: the hearing list, a hearing's page (the draft's outline with each element's comments
and a comment form per element, the counts, documents, status, the published summary and the
answers), the comment form (htmx posts it and shows the result in place; without JavaScript it
is an ordinary form) and the author's private page (`comments/<pk>/?key=`).

Staff (planners of the organiser, system administrators; auditors read): the moderation page
(`<code>/manage/`), the hearing forms, the steps (open, close, publish the summary), entering
written and in-person comments, answering comments and groups, and the documents.

Views are thin: they read the request through a form, call selectors or one service, and
render. Domain errors are translated once, by `translate_domain_errors` (404, 403, or
`refused.html` with the error's status) and, on forms, by `add_service_errors`.
"""

from __future__ import annotations

from typing import Any

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
from phaen.consultation import permissions, selectors, services
from phaen.consultation.forms import (
    CommentEntryForm,
    CommentForm,
    DocumentForm,
    HearingFilterForm,
    HearingForm,
    ModerationForm,
    ResponseForm,
    SummaryForm,
    add_service_errors,
)
from phaen.consultation.models import CommentStatus, Hearing, Response
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.core.ratelimit import RateLimited, client_ip
from phaen.core.uploads import protected_file_response
from phaen.orgs.models import Organisation
from phaen.plans.views import HtmxRequest, translate_domain_errors

OWN_COMMENTS = "consultation_own_comments"
"""Session key: the comments this browser posted, so their author sees them while pending."""
VIEWED = "consultation_viewed"
"""Session key: the hearings whose page this session has been counted as viewing."""
MAX_REMEMBERED = 200
MANAGE_PAGE_SIZE = 50


def partial_for(request: HtmxRequest, target: str) -> bool:
    """Tell whether htmx asks for the element `target` only (not a history restore)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


def _back(request: HtmxRequest, url: str) -> HttpResponse:
    """Go to `url` (with HX-Redirect for htmx)."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def saved(request: HtmxRequest, message: str, url: str) -> HttpResponse:
    """Say what was saved on the next page, and go there."""
    messages.success(request, message)
    return _back(request, url)


def form_page(
    request: HtmxRequest, page: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """Render a form page, or only the form for htmx; 422 when the form was refused."""
    form = context["form"]
    status = 422 if form.is_bound and form.errors else 200
    template = partial if request.htmx and not request.htmx.history_restore_request else page
    return render(request, template, context, status=status)


def _manage_url(hearing: Hearing) -> str:
    return reverse("consultation:hearing_manage", args=[hearing.code])


def _own_ids(request: HttpRequest) -> list[int]:
    return [pk for pk in request.session.get(OWN_COMMENTS, []) if isinstance(pk, int)]


def _remember(request: HttpRequest, key: str, value: int) -> None:
    remembered = [v for v in request.session.get(key, []) if v != value]
    request.session[key] = [*remembered, value][-MAX_REMEMBERED:]


def _count_view(request: HttpRequest, hearing: Hearing) -> None:
    """Count one online view of the hearing's page, at most once per session."""
    if hearing.pk in request.session.get(VIEWED, []):
        return
    services.hearing_record_view(hearing=hearing)
    _remember(request, VIEWED, hearing.pk)


def _managed_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose hearings the user runs, for the form's organiser choice."""
    organisations = Organisation.objects.order_by("name_th")
    if permissions.is_system(user):
        return organisations
    return organisations.filter(pk__in=roles_of(user).organisations(Role.PLANNER))


def _warn(request: HttpRequest, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


# --- The hearing list --------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def hearing_list(request: HtmxRequest) -> HttpResponse:
    """List the hearings the viewer may read, with filters and pagination."""
    form = HearingFilterForm(request.GET or None)
    filters = form.filters()
    paginator = Paginator(selectors.hearing_list(viewer=request.user, **filters), 25)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filtered": bool(filters),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "can_create": permissions.can_create_hearing(request.user),
    }
    if partial_for(request, "hearing-results"):
        return render(request, "consultation/partials/hearing_results.html", context)
    return render(request, "consultation/pages/hearing_list.html", context)


# --- A hearing's page --------------------------------------------------------------------------


def _page_context(request: HttpRequest, hearing: Hearing) -> dict[str, Any]:
    page = selectors.hearing_detail(hearing, viewer=request.user, own_ids=_own_ids(request))
    open_online = permissions.can_comment(hearing)
    if open_online:
        for code, entry in page.entries_by_code.items():
            entry.form = CommentForm(element_code=code)  # type: ignore[attr-defined]
    return {
        "hearing": hearing,
        "page": page,
        "plan": hearing.plan,
        "counts": page.counts,
        "open_online": open_online,
        "general_form": CommentForm() if open_online else None,
        "warnings": services.period_warnings(hearing.starts_at, hearing.ends_at),
        "can_manage": permissions.can_manage_hearing(request.user, hearing),
        "own_ids": set(_own_ids(request)),
    }


@require_GET
@translate_domain_errors
def hearing_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The hearing's public page. Each view is counted once per session."""
    hearing = selectors.hearing_get(code, viewer=request.user)
    _count_view(request, hearing)
    return render(
        request, "consultation/pages/hearing_detail.html", _page_context(request, hearing)
    )


def _element_for(hearing: Hearing, code: str) -> Any:
    if not code:
        return None
    element = selectors.element_index(hearing).get(code)
    if element is None:
        raise Http404(code)
    return element


@require_http_methods(["GET", "POST"])
@translate_domain_errors
def comment_create(request: HtmxRequest, code: str) -> HttpResponse:
    """The comment form for one element (`?element=`), or for the plan as a whole.

    htmx posts it from the hearing's page and swaps the result in place of the form; without
    JavaScript, the answer is a page. Refusals show on the form (422; 429 when throttled, which
    htmx gets as 422 so that it shows the message).
    """
    hearing = selectors.hearing_get(code, viewer=request.user)
    element_code = (request.POST.get("element_code") or request.GET.get("element") or "").strip()
    element = _element_for(hearing, element_code)
    form = CommentForm(
        request.POST if request.method == "POST" else None, element_code=element_code
    )
    status = 200
    if form.is_bound and form.is_valid():
        arguments = form.service_arguments()
        try:
            comment, key = services.comment_post(
                actor=request.user if request.user.is_authenticated else None,
                hearing=hearing,
                client_key=services.client_key_material(request.user, client_ip(request)),
                **arguments,
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        except RateLimited as exc:
            form.add_error(None, str(exc.message))
            status = 422 if request.htmx else 429
        else:
            _remember(request, OWN_COMMENTS, comment.pk)
            context = {
                "hearing": hearing,
                "comment": comment,
                "element": element,
                "private_url": request.build_absolute_uri(
                    reverse("consultation:comment_author", args=[comment.pk]) + f"?key={key}"
                ),
                "counts": selectors.hearing_counts(hearing),
            }
            if request.htmx:
                return render(request, "consultation/partials/comment_posted.html", context)
            return render(request, "consultation/pages/comment_posted.html", context)
    if form.is_bound and form.errors and status == 200:
        status = 422
    context = {
        "hearing": hearing,
        "form": form,
        "element": element,
        "open_online": permissions.can_comment(hearing),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "consultation/partials/comment_form.html", context, status=status)
    return render(request, "consultation/pages/comment_form.html", context, status=status)


@require_GET
@translate_domain_errors
def comment_author(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's private page: the comment, its status and the organiser's answer."""
    comment = selectors.comment_for_author(pk, request.GET.get("key", ""))
    hearing = comment.hearing
    response = render(
        request,
        "consultation/pages/comment_author.html",
        {"comment": comment, "hearing": hearing},
    )
    response["Referrer-Policy"] = "no-referrer"  # the key must not leak through links
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@translate_domain_errors
def document_download(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """Download a hearing's document: whoever may read the hearing."""
    hearing = selectors.hearing_get(code, viewer=request.user)
    document = selectors.document_get(hearing, pk)
    if not document.file:
        raise Http404(str(pk))
    return protected_file_response(document.file, filename=document.file_name or None)


# --- Staff: hearings ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def hearing_create(request: HtmxRequest) -> HttpResponse:
    """Schedule a hearing (`services.hearing_create`)."""
    permissions.ensure(permissions.can_create_hearing(request.user), request.user, "hearing.create")
    initial = {"plan": request.GET.get("plan") or None, "online_comments": True}
    form = HearingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        organisers=_managed_organisations(request.user),
        viewer=request.user,
    )
    if form.is_bound and form.is_valid():
        try:
            hearing, warnings = services.hearing_create(
                actor=request.user, **form.service_arguments()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            _warn(request, warnings)
            message = _("The hearing “%(title)s” was scheduled.") % {"title": hearing.title_th}
            return saved(request, message, _manage_url(hearing))
    return form_page(
        request,
        "consultation/pages/hearing_form.html",
        "consultation/partials/hearing_form.html",
        {"form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def hearing_edit(request: HtmxRequest, code: str) -> HttpResponse:
    """Change a hearing (`services.hearing_update`)."""
    hearing = selectors.hearing_for_write(code)
    permissions.ensure(
        permissions.can_manage_hearing(request.user, hearing),
        request.user,
        "hearing.update",
        hearing,
    )
    form = HearingForm(
        request.POST if request.method == "POST" else None,
        hearing=hearing,
        organisers=_managed_organisations(request.user),
        viewer=request.user,
    )
    if form.is_bound and form.is_valid():
        arguments = form.service_arguments()
        try:
            hearing, warnings = services.hearing_update(
                actor=request.user, hearing=hearing, **arguments
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            _warn(request, warnings)
            message = _("The hearing “%(title)s” was saved.") % {"title": hearing.title_th}
            return saved(request, message, _manage_url(hearing))
    return form_page(
        request,
        "consultation/pages/hearing_form.html",
        "consultation/partials/hearing_form.html",
        {
            "form": form,
            "hearing": hearing,
            "warnings": services.period_warnings(hearing.starts_at, hearing.ends_at),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def hearing_delete(request: HtmxRequest, code: str) -> HttpResponse:
    """Ask, then delete a hearing nobody has commented on."""
    hearing = selectors.hearing_for_write(code)
    permissions.ensure(
        permissions.can_manage_hearing(request.user, hearing),
        request.user,
        "hearing.delete",
        hearing,
    )
    if request.method == "POST":
        services.hearing_delete(actor=request.user, hearing=hearing)
        message = _("The hearing “%(title)s” was deleted.") % {"title": hearing.title_th}
        return saved(request, message, reverse("consultation:hearing_list"))
    return render(request, "consultation/pages/hearing_delete.html", {"hearing": hearing})


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def hearing_step(request: HtmxRequest, code: str, step: str) -> HttpResponse:
    """Take a step of the hearing: open it, close it, or publish its summary."""
    if step not in services.STEP_SOURCES:
        raise Http404(step)
    hearing = selectors.hearing_for_write(code)
    label = services.STEP_LABELS[step]
    if hearing.status not in services.STEP_SOURCES[step]:
        raise ApplicationError(
            "hearing_status_invalid",
            _("A hearing that is “%(status)s” cannot take the step “%(step)s”.")
            % {"status": hearing.get_status_display(), "step": label},
            http_status=409,
        )
    permissions.ensure(
        permissions.can_manage_hearing(request.user, hearing),
        request.user,
        f"hearing.{step}",
        hearing,
    )
    form: SummaryForm | None = None
    if step == "publish_summary":
        form = SummaryForm(
            request.POST if request.method == "POST" else None,
            initial={"summary_th": hearing.summary_th},
        )
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if step == "open":
                services.hearing_open(actor=request.user, hearing=hearing)
            elif step == "close":
                services.hearing_close(actor=request.user, hearing=hearing)
            else:
                assert form is not None
                services.hearing_publish_summary(
                    actor=request.user,
                    hearing=hearing,
                    summary_th=form.cleaned_data["summary_th"],
                )
        except ValidationFailed as exc:
            if form is None:
                raise
            add_service_errors(form, exc)
        else:
            message = _("“%(title)s”: %(step)s — done.") % {
                "title": hearing.title_th,
                "step": label,
            }
            return saved(request, message, _manage_url(hearing))
    status = 422 if form is not None and form.is_bound and form.errors else 200
    context = {"hearing": hearing, "step": step, "label": label, "form": form}
    return render(request, "consultation/pages/hearing_step.html", context, status=status)


# --- Staff: moderation, entries and answers ----------------------------------------------------


@login_required
@require_GET
@translate_domain_errors
def hearing_manage(request: HttpRequest, code: str) -> HttpResponse:
    """The moderation page: every comment (pending first) with its log, the steps, the counts."""
    hearing = selectors.hearing_for_write(code)
    permissions.ensure(
        permissions.reads_all_comments(request.user, hearing),
        request.user,
        "hearing.moderation_read",
        hearing,
    )
    status = request.GET.get("status") or ""
    if status not in CommentStatus.values:
        status = ""
    paginator = Paginator(
        selectors.moderation_queue(hearing, status=status or None), MANAGE_PAGE_SIZE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    can_manage = permissions.can_manage_hearing(request.user, hearing)
    context = {
        "hearing": hearing,
        "page_obj": page_obj,
        "comments": selectors.decorate(page_obj.object_list),
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "status": status,
        "statuses": CommentStatus.choices,
        "counts": selectors.hearing_counts(hearing),
        "can_manage": can_manage,
        "steps": [
            (name, services.STEP_LABELS[name])
            for name in services.allowed_steps(request.user, hearing)
        ],
        "warnings": services.period_warnings(hearing.starts_at, hearing.ends_at),
        "documents": list(hearing.documents.order_by("created_at", "pk")),
        "document_form": DocumentForm() if can_manage else None,
        "can_enter": can_manage and hearing.status in services.ENTRY_STATUSES,
    }
    return render(request, "consultation/pages/hearing_manage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def comment_enter(request: HtmxRequest, code: str) -> HttpResponse:
    """Enter a written submission or an in-person remark (`services.comment_enter`)."""
    hearing = selectors.hearing_for_write(code)
    permissions.ensure(
        permissions.can_manage_hearing(request.user, hearing),
        request.user,
        "comment.enter",
        hearing,
    )
    elements = list(selectors.element_index(hearing).values())
    form = CommentEntryForm(
        request.POST if request.method == "POST" else None,
        hearing=hearing,
        elements=elements,
        initial={"element_code": request.GET.get("element", "")},
    )
    if form.is_bound and form.is_valid():
        try:
            services.comment_enter(actor=request.user, hearing=hearing, **form.service_arguments())
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            return saved(request, _("The comment was entered."), _manage_url(hearing))
    return form_page(
        request,
        "consultation/pages/comment_enter.html",
        "consultation/partials/comment_enter_form.html",
        {"form": form, "hearing": hearing},
    )


@login_required
@require_POST
@translate_domain_errors
def comment_moderate(request: HtmxRequest, pk: int) -> HttpResponse:
    """Publish, hide (with a reason) or restore a comment, then go back to the moderation page."""
    comment = selectors.comment_get(pk)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed(
            "moderation_action_invalid", _("Choose to publish, hide or restore the comment.")
        )
    back = _manage_url(comment.hearing)
    try:
        services.comment_moderate(
            actor=request.user,
            comment=comment,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return _back(request, back)
    labels = {
        "publish": _("The comment was published."),
        "hide": _("The comment was hidden."),
        "restore": _("The comment was restored."),
    }
    return saved(request, labels[form.cleaned_data["action"]], back)


def _respond(
    request: HtmxRequest, *, hearing: Hearing, target: Any, kind: str, lookup: dict[str, Any]
) -> HttpResponse:
    permissions.ensure(
        permissions.can_manage_hearing(request.user, hearing),
        request.user,
        "response.set",
        target,
    )
    existing = getattr(target, "response", None) if _has_response(target) else None
    initial = (
        {
            "decision": existing.decision,
            "reason": existing.reason,
            "change_made": existing.change_made,
            "changed_element_code": existing.changed_element_code,
        }
        if existing is not None
        else {}
    )
    form = ResponseForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.response_set(actor=request.user, **lookup, **form.cleaned_data)
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            return saved(request, _("The answer was saved."), _manage_url(hearing))
    return form_page(
        request,
        "consultation/pages/response_form.html",
        "consultation/partials/response_form.html",
        {"form": form, "hearing": hearing, "target": target, "kind": kind},
    )


def _has_response(target: Any) -> bool:
    try:
        return target.response is not None
    except Response.DoesNotExist:
        return False


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def comment_respond(request: HtmxRequest, pk: int) -> HttpResponse:
    """Answer a comment (`services.response_set`); answering again replaces the answer."""
    comment = selectors.comment_get(pk)
    return _respond(
        request,
        hearing=comment.hearing,
        target=comment,
        kind="comment",
        lookup={"comment": comment},
    )


@login_required
@require_http_methods(["GET", "POST"])
@translate_domain_errors
def group_respond(request: HtmxRequest, pk: int) -> HttpResponse:
    """Answer a group of comments together (`services.response_set`)."""
    group = selectors.group_get(pk)
    return _respond(
        request, hearing=group.hearing, target=group, kind="group", lookup={"group": group}
    )


@login_required
@require_POST
@translate_domain_errors
def document_add(request: HtmxRequest, code: str) -> HttpResponse:
    """Add a document (a link or a file) to the hearing."""
    hearing = selectors.hearing_for_write(code)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.hearing_document_add(
                actor=request.user,
                hearing=hearing,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"] or "",
                upload=form.cleaned_data["file"],
            )
        except ValidationFailed as exc:
            messages.error(request, str(exc.message))
            return _back(request, _manage_url(hearing))
        return saved(request, _("The document was added."), _manage_url(hearing))
    permissions.ensure(
        permissions.can_manage_hearing(request.user, hearing),
        request.user,
        "hearing.document_add",
        hearing,
    )
    messages.error(request, _("Give the document a title, and a link or a file."))
    return _back(request, _manage_url(hearing))


@login_required
@require_POST
@translate_domain_errors
def document_remove(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    """Remove a document from the hearing."""
    hearing = selectors.hearing_for_write(code)
    document = selectors.document_get(hearing, pk)
    services.hearing_document_remove(actor=request.user, document=document)
    return saved(request, _("The document was removed."), _manage_url(hearing))
