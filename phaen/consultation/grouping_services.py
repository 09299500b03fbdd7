"""Every change to the groups of a hearing's comments: suggest, create, rename, merge, split,
delete, and move comments between groups.

Who: the planners of the hearing's organiser and system administrators
(`permissions.can_manage_hearing`); a refusal is written to the audit trail before it is
raised, outside the transaction it would roll back. Each function then validates and writes
inside its own `transaction.atomic()` together with its audit record.

What stays put. `groups_suggest` (topic grouping, `phaen.consultation.grouping`) replaces only
the groups it made itself that nobody has answered yet: a planner's own groups and every group
with an official response keep their comments, and only the other comments are grouped again.
A group a planner has touched (renamed, merged into, split, given or relieved of a comment) is
the planner's from then on (`automatic` false), so the next suggestion leaves it alone.
Hidden comments are never grouped.

Once the hearing's summary is published the groups are final, as the answers given to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from phaen.consultation import grouping, permissions
from phaen.consultation.grouping_models import GroupingJob, GroupingJobStatus
from phaen.consultation.models import (
    Comment,
    CommentGroup,
    CommentStatus,
    Hearing,
    HearingStatus,
    Response,
)
from phaen.core.audit import audit_record
from phaen.core.errors import ApplicationError, NotFound, ValidationFailed
from phaen.plans.models import PlanElement

NAME_MAX = 300
ELEMENT_MAX = 64


class GroupError(StrEnum):
    NOT_FOUND = "comment_group_not_found"
    COMMENT_NOT_FOUND = "comment_not_found"
    NAME_REQUIRED = "comment_group_name_required"
    NAME_TOO_LONG = "comment_group_name_too_long"
    ELEMENT_UNKNOWN = "comment_group_element_unknown"
    MERGE_TOO_FEW = "comment_group_merge_too_few"
    MERGE_TARGET = "comment_group_merge_target"
    MERGE_ANSWERED = "comment_group_merge_answered"
    SPLIT_EMPTY = "comment_group_split_empty"
    SPLIT_OUTSIDE = "comment_group_split_outside"
    SPLIT_ALL = "comment_group_split_all"
    MOVE_EMPTY = "comment_group_move_empty"
    ANSWERED = "comment_group_answered"
    FINAL = "comment_groups_final"
    OTHER_HEARING = "comment_group_other_hearing"
    THRESHOLD = "comment_groups_threshold_invalid"
    SUGGESTING = "comment_groups_suggesting"
    JOB_NOT_FOUND = "comment_groups_suggestion_not_found"


@dataclass(frozen=True)
class Suggestion:
    """What `groups_suggest` did."""

    created: list[CommentGroup]
    replaced: int
    """How many automatic groups without a response were replaced."""
    kept: int
    """How many groups (a planner's own, or answered) kept their comments."""
    ungrouped: int
    """How many comments no topic group took (they stay without a group)."""


# --- Shared checks ---------------------------------------------------------------------------


def _fail(code: str, message: str, field: str | None = None, **detail: Any) -> ValidationFailed:
    if field is not None:
        detail = {"fields": {field: message}, **detail}
    return ValidationFailed(code, message, detail=detail)


def _ensure_can_group(actor: Any, hearing: Hearing, action: str, target: Any = None) -> None:
    permissions.ensure(
        permissions.can_manage_hearing(actor, hearing), actor, action, target or hearing
    )


def _ensure_not_final(hearing: Hearing) -> None:
    status = Hearing.objects.filter(pk=hearing.pk).values_list("status", flat=True).first()
    if status == HearingStatus.SUMMARISED:
        raise ApplicationError(
            GroupError.FINAL,
            _(
                "The hearing's summary is published, so its groups of comments and their "
                "answers are final."
            ),
            http_status=409,
        )


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise _fail(GroupError.NAME_REQUIRED, _("Give the group a name."), "name")
    if len(name) > NAME_MAX:
        raise _fail(
            GroupError.NAME_TOO_LONG,
            _("A group's name has at most %(max)s characters.") % {"max": NAME_MAX},
            "name",
        )
    return name


def _clean_element(hearing: Hearing, element_code: str) -> str:
    """An element of the hearing's plan, or one its comments are anchored to; "" for none."""
    element_code = (element_code or "").strip()
    if not element_code:
        return ""
    known = len(element_code) <= ELEMENT_MAX and (
        PlanElement.objects.filter(plan_id=hearing.plan_id, code=element_code).exists()
        or hearing.comments.filter(element_code=element_code).exists()
    )
    if not known:
        raise _fail(
            GroupError.ELEMENT_UNKNOWN,
            _("The hearing's plan has no element “%(code)s”.") % {"code": element_code},
            "element_code",
        )
    return element_code


def _same_hearing(hearing: Hearing, group: CommentGroup) -> None:
    if group.hearing_id != hearing.pk:
        raise _fail(
            GroupError.OTHER_HEARING,
            _("Group %(pk)s belongs to another hearing.") % {"pk": group.pk},
            "group",
        )


def _comments_of(hearing: Hearing, ids: Iterable[int], field: str) -> list[Comment]:
    """The hearing's (not hidden) comments with these ids; an unknown id is refused."""
    wanted = sorted({int(pk) for pk in ids})
    found = list(
        Comment.objects.filter(hearing=hearing, pk__in=wanted)
        .exclude(status=CommentStatus.HIDDEN)
        .order_by("pk")
    )
    missing = sorted(set(wanted) - {c.pk for c in found})
    if missing:
        raise _fail(
            GroupError.COMMENT_NOT_FOUND,
            _("The hearing has no comment numbered %(numbers)s that may be grouped.")
            % {"numbers": ", ".join(map(str, missing))},
            field,
            missing=missing,
        )
    return found


def _answered(groups: Iterable[CommentGroup]) -> set[int]:
    ids = [g.pk for g in groups]
    return set(Response.objects.filter(group_id__in=ids).values_list("group_id", flat=True))


def _state(group: CommentGroup, comment_ids: Sequence[int] | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "name": group.name,
        "element_code": group.element_code,
        "keywords": list(group.keywords or []),
        "automatic": group.automatic,
    }
    if comment_ids is not None:
        state["comments"] = sorted(comment_ids)
    return state


def _member_ids(group: CommentGroup) -> list[int]:
    return list(group.comments.order_by("pk").values_list("pk", flat=True))


def _context_texts(hearing: Hearing, exclude: Iterable[int]) -> list[str]:
    return list(
        Comment.objects.filter(hearing=hearing)
        .exclude(status=CommentStatus.HIDDEN)
        .exclude(pk__in=list(exclude))
        .order_by("pk")
        .values_list("body", flat=True)
    )


def _make_manual(groups: Iterable[CommentGroup | None]) -> None:
    """Mark groups a planner changed as the planner's, so a suggestion leaves them alone."""
    touched = [g for g in groups if g is not None]
    ids = [g.pk for g in touched if g.automatic]
    if ids:
        CommentGroup.objects.filter(pk__in=ids).update(automatic=False)
    for group in touched:
        group.automatic = False


# --- Suggesting groups -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Draft:
    """What a suggestion reads, and the groups it would make from it."""

    groups: list[CommentGroup]
    replaceable: list[CommentGroup]
    result: grouping.Grouping
    state: tuple[Any, ...]
    """The groups (with whether each may be replaced) and the comments (with their group)."""


def _draft(hearing: Hearing, threshold: float) -> _Draft:
    groups = list(CommentGroup.objects.filter(hearing=hearing).order_by("pk"))
    answered = _answered(groups)
    replaceable = [g for g in groups if g.automatic and g.pk not in answered]
    replaceable_ids = {g.pk for g in replaceable}
    rows = list(
        Comment.objects.filter(hearing=hearing)
        .exclude(status=CommentStatus.HIDDEN)
        .order_by("pk")
        .values_list("pk", "element_code", "body", "group_id")
    )
    free = [
        grouping.Document(pk, element, body)
        for pk, element, body, group_id in rows
        if group_id is None or group_id in replaceable_ids
    ]
    context = [
        body
        for _pk, _element, body, group_id in rows
        if group_id is not None and group_id not in replaceable_ids
    ]
    state = (
        tuple((g.pk, g.pk in replaceable_ids) for g in groups),
        tuple((pk, group_id) for pk, _element, _body, group_id in rows),
    )
    result = grouping.group_comments(free, context=context, threshold=threshold)
    return _Draft(groups=groups, replaceable=replaceable, result=result, state=state)


def _state_now(hearing: Hearing) -> tuple[Any, ...]:
    groups = list(CommentGroup.objects.filter(hearing=hearing).order_by("pk"))
    answered = _answered(groups)
    rows = (
        Comment.objects.filter(hearing=hearing)
        .exclude(status=CommentStatus.HIDDEN)
        .order_by("pk")
        .values_list("pk", "group_id")
    )
    return (
        tuple((g.pk, g.automatic and g.pk not in answered) for g in groups),
        tuple(rows),
    )


def groups_suggest(
    *, actor: Any, hearing: Hearing, threshold: float = grouping.THRESHOLD
) -> Suggestion:
    """Group the hearing's comments by element and topic (see `phaen.consultation.grouping`).

    Replaces the automatic groups nobody has answered; the comments of the other groups stay
    where they are and are not regrouped (they still count in the term weights). Comments that
    no topic takes stay without a group.

    The grouping is worked out before the hearing is locked, so comments keep coming in while it
    runs; under the lock, if a comment or a group changed meanwhile, it is worked out again from
    what is there now, so the groups written always match the comments.
    """
    _ensure_can_group(actor, hearing, "comment_group.suggest")
    _ensure_not_final(hearing)
    draft = _draft(hearing, threshold)
    with transaction.atomic():
        Hearing.objects.select_for_update().filter(
            pk=hearing.pk
        ).first()  # one suggestion at a time
        _ensure_not_final(hearing)
        if _state_now(hearing) != draft.state:
            draft = _draft(hearing, threshold)
        groups, replaceable, result = draft.groups, draft.replaceable, draft.result
        replaceable_ids = {g.pk for g in replaceable}

        before = [{"id": g.pk, "name": g.name, "element_code": g.element_code} for g in replaceable]
        CommentGroup.objects.filter(pk__in=replaceable_ids).delete()  # their comments: no group
        created = CommentGroup.objects.bulk_create(
            [
                CommentGroup(
                    hearing=hearing,
                    name=topic.name[:NAME_MAX],
                    element_code=topic.element_code,
                    keywords=list(topic.keywords),
                    automatic=True,
                )
                for topic in result.topics
            ]
        )
        for group, topic in zip(created, result.topics, strict=True):
            Comment.objects.filter(pk__in=topic.comment_ids).update(group=group)
        audit_record(
            actor=actor,
            action="comment_group.suggest",
            target=hearing,
            before={"replaced": before},
            after={
                "groups": [
                    {
                        "id": group.pk,
                        "name": group.name,
                        "element_code": group.element_code,
                        "keywords": group.keywords,
                        "comments": list(topic.comment_ids),
                        "cohesion": topic.cohesion,
                    }
                    for group, topic in zip(created, result.topics, strict=True)
                ],
                "ungrouped": list(result.ungrouped),
                "kept": len(groups) - len(replaceable),
                "threshold": threshold,
            },
        )
    return Suggestion(
        created=created,
        replaced=len(replaceable),
        kept=len(groups) - len(replaceable),
        ungrouped=len(result.ungrouped),
    )


# --- Suggesting groups in the background -----------------------------------------------------

RUNNING_FOR_AT_MOST = dt.timedelta(hours=1)
"""A background suggestion still waiting or running after this long is taken to have died (its
worker stopped), so it no longer stops a new one."""


@dataclass(frozen=True)
class SuggestRequest:
    """What `groups_suggest_request` did: suggested at once, or queued a background job."""

    suggestion: Suggestion | None = None
    job: GroupingJob | None = None


def _valid_threshold(threshold: float) -> float:
    if not 0 < threshold <= 1:
        raise _fail(
            GroupError.THRESHOLD,
            _("The threshold is a similarity above 0 and at most 1."),
            "threshold",
        )
    return threshold


def groups_suggest_request(
    *,
    actor: Any,
    hearing: Hearing,
    threshold: float = grouping.THRESHOLD,
    background: bool | None = None,
) -> SuggestRequest:
    """Suggest groups now, or queue the suggestion as a background job.

    `background=None` suggests at once for at most `settings.PHAEN_GROUPING_BACKGROUND_COMMENTS`
    comments and queues more; True always queues; False never does. The system actor (which has
    no user to run as later) always suggests at once. While a job of the hearing waits or runs,
    another is refused (`comment_groups_suggesting`, 409).
    """
    _ensure_can_group(actor, hearing, "comment_group.suggest")
    _ensure_not_final(hearing)
    threshold = _valid_threshold(threshold)
    user_pk = getattr(actor, "pk", None)
    count = Comment.objects.filter(hearing=hearing).exclude(status=CommentStatus.HIDDEN).count()
    if background is None:
        background = count > settings.PHAEN_GROUPING_BACKGROUND_COMMENTS
    if user_pk is None or not background:
        return SuggestRequest(
            suggestion=groups_suggest(actor=actor, hearing=hearing, threshold=threshold)
        )
    with transaction.atomic():
        Hearing.objects.select_for_update().filter(pk=hearing.pk).first()
        running = GroupingJob.objects.filter(
            hearing=hearing,
            status__in=(GroupingJobStatus.PENDING, GroupingJobStatus.RUNNING),
            created_at__gte=timezone.now() - RUNNING_FOR_AT_MOST,
        ).exists()
        if running:
            raise ApplicationError(
                GroupError.SUGGESTING,
                _(
                    "Groups are already being suggested for this hearing in the background. "
                    "Reload the page in a minute to see them."
                ),
                http_status=409,
            )
        job = GroupingJob.objects.create(
            hearing=hearing,
            requested_by_id=user_pk,
            threshold=threshold,
            comment_count=count,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        audit_record(
            actor=actor,
            action="comment_group.suggest_queued",
            target=hearing,
            after={"job": job.pk, "comments": count, "threshold": threshold},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return SuggestRequest(job=job)


def _enqueue(job_id: int) -> None:
    from phaen.consultation.tasks import run_grouping

    run_grouping.enqueue(job_id)


def grouping_job_run(job_id: int) -> GroupingJob:
    """Run a queued suggestion as the planner who asked, in their language; record the outcome.

    A refusal (the planner lost the right, the summary was published meanwhile) fails the job
    with the service's message. An unexpected error fails it too, then is raised again for the
    worker's log.
    """
    job = GroupingJob.objects.select_related("hearing", "requested_by").get(pk=job_id)
    if not job.in_progress:
        return job
    job.status = GroupingJobStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    with translation.override(job.language):
        try:
            if job.requested_by is None or not job.requested_by.is_active:
                raise ApplicationError(
                    GroupError.SUGGESTING,
                    _("The person who asked for the groups can no longer suggest them."),
                    http_status=409,
                )
            result = groups_suggest(
                actor=job.requested_by, hearing=job.hearing, threshold=job.threshold
            )
        except ApplicationError as exc:
            _finish(job, GroupingJobStatus.FAILED, message=str(exc.message))
            return job
        except Exception:
            _finish(job, GroupingJobStatus.FAILED, message=_("An unexpected error stopped it."))
            raise
    job.created = len(result.created)
    job.replaced = result.replaced
    job.kept = result.kept
    job.ungrouped = result.ungrouped
    _finish(job, GroupingJobStatus.DONE)
    return job


def _finish(job: GroupingJob, status: str, *, message: str = "") -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save()


# --- A planner's groups ----------------------------------------------------------------------


def group_create(
    *,
    actor: Any,
    hearing: Hearing,
    name: str = "",
    element_code: str = "",
    comments: Iterable[int] = (),
) -> CommentGroup:
    """Make a group, optionally with chosen comments (moved out of their groups).

    Without a name, the group is named like a suggested one, by its comments' top terms. Without
    an element, it takes the element of its comments when they share one.
    """
    _ensure_can_group(actor, hearing, "comment_group.create")
    _ensure_not_final(hearing)
    chosen = _comments_of(hearing, comments, "comments")
    if not element_code:
        elements = {c.element_code for c in chosen}
        element_code = elements.pop() if len(elements) == 1 else ""
    element_code = _clean_element(hearing, element_code)
    keywords: tuple[str, ...] = ()
    if chosen:
        keywords, suggested = grouping.describe(
            [c.body for c in chosen], context=_context_texts(hearing, [c.pk for c in chosen])
        )
        name = name or suggested
    name = _clean_name(name)
    with transaction.atomic():
        group = CommentGroup.objects.create(
            hearing=hearing,
            name=name,
            element_code=element_code,
            keywords=list(keywords),
            automatic=False,
        )
        _move(actor, chosen, group)
        audit_record(
            actor=actor,
            action="comment_group.create",
            target=group,
            after=_state(group, [c.pk for c in chosen]),
        )
    return group


def group_rename(*, actor: Any, group: CommentGroup, name: str) -> CommentGroup:
    """Rename a group; from then on it is the planner's (a suggestion leaves it alone)."""
    hearing = group.hearing
    _ensure_can_group(actor, hearing, "comment_group.rename", group)
    _ensure_not_final(hearing)
    name = _clean_name(name)
    with transaction.atomic():
        group = CommentGroup.objects.select_for_update().get(pk=group.pk)
        before = _state(group)
        group.name = name
        group.automatic = False
        group.save(update_fields=["name", "automatic", "updated_at"])
        audit_record(
            actor=actor,
            action="comment_group.rename",
            target=group,
            before=before,
            after=_state(group),
        )
    return group


def group_merge(
    *,
    actor: Any,
    groups: Sequence[CommentGroup],
    target: CommentGroup | None = None,
) -> CommentGroup:
    """Merge `groups` into one: `target` (one of them) keeps its name, element and response
    and receives every comment; the others are deleted.

    Without a target: the group with a response if one has it, else the one with the most
    comments (the oldest among equals). A response given to any group but the target would be
    lost, so that merge is refused: choose the answered group as the target.
    """
    if not groups:
        raise _fail(GroupError.MERGE_TOO_FEW, _("Choose at least two groups to merge."), "groups")
    hearing = groups[0].hearing
    _ensure_can_group(actor, hearing, "comment_group.merge", target or groups[0])
    _ensure_not_final(hearing)
    distinct = {g.pk: g for g in groups}
    if len(distinct) < 2:
        raise _fail(GroupError.MERGE_TOO_FEW, _("Choose at least two groups to merge."), "groups")
    for group in distinct.values():
        _same_hearing(hearing, group)
    if target is not None and target.pk not in distinct:
        raise _fail(
            GroupError.MERGE_TARGET,
            _("The group to keep must be one of the groups merged."),
            "target",
        )
    with transaction.atomic():
        members = list(
            CommentGroup.objects.select_for_update().filter(pk__in=list(distinct)).order_by("pk")
        )
        if len(members) != len(distinct):
            raise NotFound(GroupError.NOT_FOUND, _("One of the groups no longer exists."))
        answered = _answered(members)
        sizes = dict.fromkeys(distinct, 0)
        for group_id in Comment.objects.filter(group_id__in=list(distinct)).values_list(
            "group_id", flat=True
        ):
            sizes[group_id] += 1
        if target is None:
            ranked = sorted(members, key=lambda g: (g.pk not in answered, -sizes[g.pk], g.pk))
            keep = ranked[0]
        else:
            keep = next(g for g in members if g.pk == target.pk)
        lost = sorted(answered - {keep.pk})
        if lost:
            raise ApplicationError(
                GroupError.MERGE_ANSWERED,
                _(
                    "Group %(groups)s already has an answer, which merging into another group "
                    "would delete. Keep the answered group as the one merged into."
                )
                % {"groups": ", ".join(map(str, lost))},
                detail={"answered": lost},
                http_status=409,
            )
        others = [g for g in members if g.pk != keep.pk]
        before = {"groups": [{"id": g.pk, **_state(g, _member_ids(g))} for g in members]}
        Comment.objects.filter(group__in=others).update(group=keep)
        keywords = list(keep.keywords or [])
        for other in others:
            keywords.extend(k for k in other.keywords or [] if k not in keywords)
        keep.keywords = keywords[: grouping.KEYWORDS]
        keep.automatic = False
        keep.save(update_fields=["keywords", "automatic", "updated_at"])
        CommentGroup.objects.filter(pk__in=[g.pk for g in others]).delete()
        audit_record(
            actor=actor,
            action="comment_group.merge",
            target=keep,
            before=before,
            after={"id": keep.pk, **_state(keep, _member_ids(keep))},
        )
    return keep


def group_split(
    *, actor: Any, group: CommentGroup, comments: Iterable[int], name: str = ""
) -> CommentGroup:
    """Move some of a group's comments into a new group of the same element.

    Without a name, the new group is named by its comments' top terms. The group's response,
    if any, stays with the group and no longer answers the comments split off.
    """
    hearing = group.hearing
    _ensure_can_group(actor, hearing, "comment_group.split", group)
    _ensure_not_final(hearing)
    ids = sorted({int(pk) for pk in comments})
    if not ids:
        raise _fail(GroupError.SPLIT_EMPTY, _("Choose the comments to split off."), "comments")
    members = set(_member_ids(group))
    outside = [pk for pk in ids if pk not in members]
    if outside:
        raise _fail(
            GroupError.SPLIT_OUTSIDE,
            _("Comments %(numbers)s are not in this group.")
            % {"numbers": ", ".join(map(str, outside))},
            "comments",
        )
    if set(ids) == members:
        raise _fail(
            GroupError.SPLIT_ALL,
            _("Leave at least one comment in the group; to name all of them anew, rename it."),
            "comments",
        )
    chosen = _comments_of(hearing, ids, "comments")
    keywords, suggested = grouping.describe(
        [c.body for c in chosen], context=_context_texts(hearing, ids)
    )
    name = _clean_name(name or suggested)
    with transaction.atomic():
        group = CommentGroup.objects.select_for_update().get(pk=group.pk)
        before = _state(group, sorted(members))
        new = CommentGroup.objects.create(
            hearing=hearing,
            name=name,
            element_code=group.element_code,
            keywords=list(keywords),
            automatic=False,
        )
        Comment.objects.filter(pk__in=ids, group=group).update(group=new)
        _make_manual([group])
        audit_record(
            actor=actor,
            action="comment_group.split",
            target=group,
            before=before,
            after={
                **_state(group, _member_ids(group)),
                "new_group": {"id": new.pk, **_state(new, ids)},
            },
        )
    return new


def group_delete(*, actor: Any, group: CommentGroup) -> None:
    """Delete a group without a response; its comments are left without a group."""
    hearing = group.hearing
    _ensure_can_group(actor, hearing, "comment_group.delete", group)
    _ensure_not_final(hearing)
    if Response.objects.filter(group_id=group.pk).exists():
        raise ApplicationError(
            GroupError.ANSWERED,
            _("The group has an answer; merge it into another group instead of deleting it."),
            http_status=409,
        )
    with transaction.atomic():
        before = _state(group, _member_ids(group))
        audit_record(actor=actor, action="comment_group.delete", target=group, before=before)
        group.delete()


# --- Moving comments -------------------------------------------------------------------------


def _move(actor: Any, comments: Sequence[Comment], group: CommentGroup | None) -> None:
    """Move comments into `group` (None: out of any group), one audit record each."""
    touched = {c.group_id for c in comments if c.group_id is not None}
    if group is not None:
        touched.discard(group.pk)
    moving = [c for c in comments if c.group_id != (group.pk if group else None)]
    if not moving:
        return
    Comment.objects.filter(pk__in=[c.pk for c in moving]).update(group=group)
    _make_manual([group, *CommentGroup.objects.filter(pk__in=touched)])
    for comment in moving:
        audit_record(
            actor=actor,
            action="comment.group_move",
            target=comment,
            before={"group": comment.group_id},
            after={"group": group.pk if group else None},
        )
        comment.group = group


def comments_move(
    *, actor: Any, hearing: Hearing, comments: Iterable[int], group: CommentGroup | None
) -> list[Comment]:
    """Move the hearing's comments numbered `comments` into `group` (None: into no group)."""
    _ensure_can_group(actor, hearing, "comment.group_move", group or hearing)
    _ensure_not_final(hearing)
    if group is not None:
        _same_hearing(hearing, group)
    ids = sorted({int(pk) for pk in comments})
    if not ids:
        raise _fail(GroupError.MOVE_EMPTY, _("Choose the comments to move."), "comments")
    chosen = _comments_of(hearing, ids, "comments")
    with transaction.atomic():
        _move(actor, chosen, group)
    return chosen


def comment_move(*, actor: Any, comment: Comment, group: CommentGroup | None) -> Comment:
    """Move one comment into `group` (None: out of any group)."""
    (moved,) = comments_move(
        actor=actor, hearing=comment.hearing, comments=[comment.pk], group=group
    )
    return moved
