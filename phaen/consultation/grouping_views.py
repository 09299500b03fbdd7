"""The comment-groups page of a hearing, for its staff: /consultation/<code>/groups/.

The page lists the hearing's comments (not hidden ones) by element, each element with its
groups (name, keywords, whether answered, comments) and its comments without a group. The
organiser's planners and system administrators suggest groups, rename, merge, split and delete
them and move comments; auditors read the page without the forms.

Views are thin: each reads the request through a form, calls one service and goes back to the
page (POST, redirect, GET), with the service's message on top. A refused input shows the page
again with the message and status 422. Every form works without JavaScript; with htmx, the
board boosts its forms and swaps only the page's main part (`hx-select`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from phaen.consultation import grouping_selectors, grouping_services, permissions, selectors
from phaen.consultation.grouping_forms import CommentsForm, MergeForm, RenameForm
from phaen.consultation.grouping_services import GroupError
from phaen.consultation.models import Hearing, HearingStatus
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.plans.views import HtmxRequest, translate_domain_errors


def board_url(code: str) -> str:
    return reverse("consultation:group_board", args=[code])


def _hearing_url(code: str) -> str | None:
    try:
        return reverse("consultation:hearing_detail", args=[code])
    except NoReverseMatch:
        return None


def _group_choices(overview: grouping_selectors.GroupsOverview) -> list[tuple[int, str]]:
    labels = {e.code: e.label for e in overview.elements}
    return [
        (g.pk, f"{g.name} ({labels.get(g.element_code, g.element_code) or _('whole hearing')})")
        for g in overview.groups
    ]


def _board(
    request: HtmxRequest,
    hearing: Hearing,
    *,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    overview = grouping_selectors.groups_overview(hearing)
    choices = _group_choices(overview)
    can_edit = (
        permissions.can_manage_hearing(request.user, hearing)
        and hearing.status != HearingStatus.SUMMARISED
    )
    context = {
        "hearing": hearing,
        "overview": overview,
        "group_choices": choices,
        "can_edit": can_edit,
        "final": hearing.status == HearingStatus.SUMMARISED,
        "errors": errors or [],
        "hearing_url": _hearing_url(hearing.code),
        "merge_form": MergeForm(group_choices=choices),
        "job": grouping_selectors.latest_grouping_job(hearing),
    }
    return render(request, "consultation/groups/pages/board.html", context, status=status)


def _form_errors(form: Any) -> list[str]:
    return [str(message) for messages_ in form.errors.values() for message in messages_]


def _perform(
    request: HtmxRequest,
    hearing: Hearing,
    form: Any,
    perform: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Run `perform(cleaned_data)` (a service call returning the message to show) and go back
    to the board; show the board with the problem (422) when the form or the service refuses."""
    if not form.is_valid():
        return _board(request, hearing, errors=_form_errors(form), status=422)
    try:
        message = perform(form.cleaned_data)
    except ValidationFailed as exc:
        problems = [str(m) for m in (exc.detail.get("fields") or {}).values()]
        return _board(request, hearing, errors=problems or [str(exc.message)], status=422)
    messages.success(request, message)
    return redirect(board_url(hearing.code))


def _staff_hearing(request: HtmxRequest, code: str, action: str) -> Hearing:
    """The hearing, once `request.user` is known to group its comments (a refusal is audited
    and answers 403 before any input is read)."""
    hearing = selectors.hearing_for_write(code)
    permissions.ensure(
        permissions.can_manage_hearing(request.user, hearing), request.user, action, hearing
    )
    return hearing


def _choices(hearing: Hearing) -> list[tuple[int, str]]:
    return [(g.pk, g.name) for g in grouping_selectors.group_list(hearing)]


# --- Reading ---------------------------------------------------------------------------------


@login_required
@require_GET
@translate_domain_errors
def group_board(request: HtmxRequest, code: str) -> HttpResponse:
    """The hearing's comments by element and group, with the grouping forms for its staff."""
    hearing = selectors.hearing_for_write(code)
    if not permissions.reads_all_comments(request.user, hearing):
        raise DjangoPermissionDenied
    return _board(request, hearing)


# --- Changing --------------------------------------------------------------------------------


@login_required
@require_POST
@translate_domain_errors
def groups_suggest(request: HtmxRequest, code: str) -> HttpResponse:
    """Group the comments by topic (`grouping_services.groups_suggest`)."""
    hearing = _staff_hearing(request, code, "comment_group.suggest")
    try:
        outcome = grouping_services.groups_suggest_request(actor=request.user, hearing=hearing)
    except ApplicationError as exc:
        if exc.code != GroupError.SUGGESTING:
            raise
        return _board(request, hearing, errors=[str(exc.message)], status=409)
    if outcome.job is not None:
        messages.info(
            request,
            _(
                "The hearing has %(count)s comments, so the groups are being suggested in the "
                "background. Reload this page in a minute or two to see them."
            )
            % {"count": outcome.job.comment_count},
        )
        return redirect(board_url(hearing.code))
    result = outcome.suggestion
    assert result is not None
    messages.success(
        request,
        ngettext(
            "%(count)s group was suggested.",
            "%(count)s groups were suggested.",
            len(result.created),
        )
        % {"count": len(result.created)}
        + " "
        + ngettext(
            "%(count)s comment shares no topic with others and stays without a group.",
            "%(count)s comments share no topic with others and stay without a group.",
            result.ungrouped,
        )
        % {"count": result.ungrouped},
    )
    return redirect(board_url(hearing.code))


@login_required
@require_POST
@translate_domain_errors
def group_rename(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    hearing = _staff_hearing(request, code, "comment_group.rename")
    group = grouping_selectors.group_of(hearing, pk)

    def perform(data: dict[str, Any]) -> str:
        saved = grouping_services.group_rename(actor=request.user, group=group, name=data["name"])
        return _("The group is now called “%(name)s”.") % {"name": saved.name}

    return _perform(request, hearing, RenameForm(request.POST, prefix=f"g{pk}"), perform)


@login_required
@require_POST
@translate_domain_errors
def group_merge(request: HtmxRequest, code: str) -> HttpResponse:
    hearing = _staff_hearing(request, code, "comment_group.merge")
    form = MergeForm(request.POST, group_choices=_choices(hearing))

    def perform(data: dict[str, Any]) -> str:
        groups = grouping_selectors.groups_of(hearing, data["groups"])
        target = grouping_selectors.group_of(hearing, data["target"]) if data["target"] else None
        kept = grouping_services.group_merge(actor=request.user, groups=groups, target=target)
        return _("The groups were merged into “%(name)s”.") % {"name": kept.name}

    return _perform(request, hearing, form, perform)


@login_required
@require_POST
@translate_domain_errors
def group_delete(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    hearing = _staff_hearing(request, code, "comment_group.delete")
    group = grouping_selectors.group_of(hearing, pk)
    grouping_services.group_delete(actor=request.user, group=group)
    messages.success(
        request,
        _("The group “%(name)s” was deleted; its comments have no group now.")
        % {"name": group.name},
    )
    return redirect(board_url(hearing.code))


def _comments_action(request: HtmxRequest, hearing: Hearing, group_pk: int | None) -> HttpResponse:
    """Split (from a group) or create a group of, or move, the comments chosen."""
    source = grouping_selectors.group_of(hearing, group_pk) if group_pk is not None else None
    prefix = f"g{group_pk}" if group_pk is not None else "free"
    form = CommentsForm(request.POST, prefix=prefix, group_choices=_choices(hearing))

    def perform(data: dict[str, Any]) -> str:
        op, chosen = data["op"], data["comments"]
        if op == "move":
            to = form.destination()
            group = grouping_selectors.group_of(hearing, to) if to is not None else None
            moved = grouping_services.comments_move(
                actor=request.user, hearing=hearing, comments=chosen, group=group
            )
            if group is None:
                return ngettext(
                    "%(count)s comment now has no group.",
                    "%(count)s comments now have no group.",
                    len(moved),
                ) % {"count": len(moved)}
            return ngettext(
                "%(count)s comment was moved to “%(name)s”.",
                "%(count)s comments were moved to “%(name)s”.",
                len(moved),
            ) % {"count": len(moved), "name": group.name}
        if op == "split" and source is not None:
            new = grouping_services.group_split(
                actor=request.user, group=source, comments=chosen, name=data["name"]
            )
        else:
            new = grouping_services.group_create(
                actor=request.user, hearing=hearing, name=data["name"], comments=chosen
            )
        return _("The new group “%(name)s” was made.") % {"name": new.name}

    return _perform(request, hearing, form, perform)


@login_required
@require_POST
@translate_domain_errors
def group_comments(request: HtmxRequest, code: str, pk: int) -> HttpResponse:
    """Act on comments chosen in a group: split them off into a new group, or move them."""
    return _comments_action(request, _staff_hearing(request, code, "comment.group_move"), pk)


@login_required
@require_POST
@translate_domain_errors
def free_comments(request: HtmxRequest, code: str) -> HttpResponse:
    """Act on comments chosen among those without a group: make a group of them, or move them."""
    return _comments_action(request, _staff_hearing(request, code, "comment.group_move"), None)
