"""JSON API of a hearing's comment groups, mounted at /api/consultation/groups.

For the hearing's staff: every endpoint needs a session or an API token (`WRITE_AUTH`; 401
without). Reading takes the organiser's planners, system administrators or auditors; changing
takes the planners or system administrators (403 `permission_denied` otherwise, recorded in the
audit trail). Thin: parse, call one service or selector, shape the answer; errors are
`{"code", "message", "detail"}` (phaen/api/errors.py).
"""

# No `from __future__ import annotations`: django-ninja reads the annotations at import time.
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from phaen.api.auth import WRITE_AUTH
from phaen.api.pagination import PagePagination
from phaen.consultation import grouping_selectors, grouping_services, permissions, selectors
from phaen.consultation.grouping_models import GroupingJob
from phaen.consultation.models import CommentGroup, Hearing
from phaen.core.errors import PermissionDenied

router = Router(tags=["comment groups"], auth=WRITE_AUTH)


class GroupOut(Schema):
    id: int
    name: str
    element_code: str
    keywords: list[str]
    automatic: bool = Field(..., description="Made by topic grouping and unchanged since.")
    answered: bool = Field(..., description="Whether the group has an official response.")
    comment_count: int
    comments: list[int] = Field(..., description="The numbers of its comments (not hidden).")


class SuggestIn(Schema):
    threshold: float = Field(
        grouping_services.grouping.THRESHOLD,
        ge=0.01,
        le=1.0,
        description="The least mean cosine similarity for two groups to be merged.",
    )


class SuggestOut(Schema):
    created: list[GroupOut]
    replaced: int
    kept: int
    ungrouped: int


class JobOut(Schema):
    id: int
    status: str = Field(..., description="pending, running, done or failed.")
    comment_count: int = Field(..., description="Comments (not hidden) when it was asked for.")
    threshold: float
    created: int = Field(..., description="Groups suggested (when done).")
    replaced: int
    kept: int
    ungrouped: int
    message: str = Field(..., description="Why it failed, in the asker's language.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def _job(job: GroupingJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "comment_count": job.comment_count,
        "threshold": job.threshold,
        "created": job.created,
        "replaced": job.replaced,
        "kept": job.kept,
        "ungrouped": job.ungrouped,
        "message": job.message,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


class GroupIn(Schema):
    name: str = Field("", description="Named by its comments' top terms when empty.")
    element_code: str = ""
    comments: list[int] = []


class RenameIn(Schema):
    name: str


class MergeIn(Schema):
    groups: list[int] = Field(..., description="The groups to merge (two or more).")
    target: int | None = Field(
        None, description="The group to keep; by default the answered one, else the largest."
    )


class SplitIn(Schema):
    comments: list[int]
    name: str = ""


class MoveIn(Schema):
    comments: list[int]
    group: int | None = Field(None, description="The group to move to; null: out of any group.")


def _reader(request: HttpRequest, code: str) -> Hearing:
    hearing = selectors.hearing_for_write(code)
    if not permissions.reads_all_comments(request.user, hearing):
        raise PermissionDenied()
    return hearing


def _shape(group: CommentGroup, comment_ids: list[int], answered: bool) -> dict[str, Any]:
    return {
        "id": group.pk,
        "name": group.name,
        "element_code": group.element_code,
        "keywords": list(group.keywords or []),
        "automatic": group.automatic,
        "answered": answered,
        "comment_count": len(comment_ids),
        "comments": comment_ids,
    }


def _out(groups: list[CommentGroup]) -> list[dict[str, Any]]:
    ids = grouping_selectors.group_comment_ids(groups)
    answered = grouping_selectors.answered_ids(groups)
    return [_shape(g, ids.get(g.pk, []), g.pk in answered) for g in groups]


def _one(group: CommentGroup) -> dict[str, Any]:
    return _out([group])[0]


class _GroupPage(PagePagination):
    """Pages of groups, each with its comments' numbers (one more query a page)."""

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        groups = page["items"]
        ids = grouping_selectors.group_comment_ids(groups)
        page["items"] = [_shape(g, ids.get(g.pk, []), bool(g.answered)) for g in groups]
        return page


@router.get("/{code}", response=list[GroupOut], summary="A hearing's comment groups")
@paginate(_GroupPage)
def list_groups(request: HttpRequest, code: str) -> Any:
    return grouping_selectors.group_list(_reader(request, code))


@router.post(
    "/{code}/suggest",
    response={200: SuggestOut, 202: JobOut},
    summary="Group the comments by element and topic (replaces unanswered suggested groups)",
)
def suggest_groups(request: HttpRequest, code: str, payload: SuggestIn | None = None) -> Any:
    """Suggests at once (200) for up to `PHAEN_GROUPING_BACKGROUND_COMMENTS` comments; for more,
    queues a background job (202) to follow at `GET /{code}/suggestions/{id}`. While one runs,
    another is refused (409 `comment_groups_suggesting`)."""
    hearing = selectors.hearing_for_write(code)
    threshold = payload.threshold if payload else grouping_services.grouping.THRESHOLD
    request_ = grouping_services.groups_suggest_request(
        actor=request.user, hearing=hearing, threshold=threshold
    )
    if request_.job is not None:
        return Status(202, _job(request_.job))
    result = request_.suggestion
    assert result is not None
    return {
        "created": _out(result.created),
        "replaced": result.replaced,
        "kept": result.kept,
        "ungrouped": result.ungrouped,
    }


@router.get(
    "/{code}/suggestions/{int:job_id}",
    response=JobOut,
    summary="A background suggestion of groups: waiting, running, done or failed",
)
def suggestion_job(request: HttpRequest, code: str, job_id: int) -> Any:
    hearing = _reader(request, code)
    return _job(grouping_selectors.grouping_job(hearing, job_id))


@router.post("/{code}", response={201: GroupOut}, summary="Make a group (of chosen comments)")
def create_group(request: HttpRequest, code: str, payload: GroupIn) -> Any:
    hearing = selectors.hearing_for_write(code)
    group = grouping_services.group_create(actor=request.user, hearing=hearing, **payload.dict())
    return Status(201, _one(group))


@router.patch("/{code}/{int:pk}", response=GroupOut, summary="Rename a group")
def rename_group(request: HttpRequest, code: str, pk: int, payload: RenameIn) -> Any:
    hearing = selectors.hearing_for_write(code)
    group = grouping_selectors.group_of(hearing, pk)
    return _one(grouping_services.group_rename(actor=request.user, group=group, name=payload.name))


@router.delete("/{code}/{int:pk}", response={204: None}, summary="Delete a group without an answer")
def delete_group(request: HttpRequest, code: str, pk: int) -> Any:
    hearing = selectors.hearing_for_write(code)
    grouping_services.group_delete(
        actor=request.user, group=grouping_selectors.group_of(hearing, pk)
    )
    return Status(204, None)


@router.post("/{code}/merge", response=GroupOut, summary="Merge groups into one")
def merge_groups(request: HttpRequest, code: str, payload: MergeIn) -> Any:
    hearing = selectors.hearing_for_write(code)
    groups = grouping_selectors.groups_of(hearing, payload.groups)
    target = (
        grouping_selectors.group_of(hearing, payload.target) if payload.target is not None else None
    )
    kept = grouping_services.group_merge(actor=request.user, groups=groups, target=target)
    return _one(kept)


@router.post(
    "/{code}/{int:pk}/split",
    response={201: GroupOut},
    summary="Split comments off into a new group",
)
def split_group(request: HttpRequest, code: str, pk: int, payload: SplitIn) -> Any:
    hearing = selectors.hearing_for_write(code)
    group = grouping_selectors.group_of(hearing, pk)
    new = grouping_services.group_split(
        actor=request.user, group=group, comments=payload.comments, name=payload.name
    )
    return Status(201, _one(new))


@router.post("/{code}/move", response={204: None}, summary="Move comments to a group (or none)")
def move_comments(request: HttpRequest, code: str, payload: MoveIn) -> Any:
    hearing = selectors.hearing_for_write(code)
    group = grouping_selectors.group_of(hearing, payload.group) if payload.group else None
    grouping_services.comments_move(
        actor=request.user, hearing=hearing, comments=payload.comments, group=group
    )
    return Status(204, None)
