"""Reads of a hearing's comment groups, for the staff page and the API.

A fixed number of queries whatever the number of groups and comments: the groups (with whether
each has a response), the comments that are not hidden, and the outline the hearing puts to the
public (for the elements' numbers, titles and order).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from phaen.consultation import selectors
from phaen.consultation.grouping_models import GroupingJob
from phaen.consultation.grouping_services import GroupError
from phaen.consultation.models import Comment, CommentGroup, CommentStatus, Hearing, Response
from phaen.core.errors import NotFound

COMMENT_FIELDS = (
    "id",
    "hearing_id",
    "element_code",
    "element_title",
    "quote",
    "stance",
    "body",
    "channel",
    "status",
    "group_id",
    "created_at",
)
"""What the groups page shows of a comment: not the commenter's identity nor e-mail."""


@dataclass
class GroupEntry:
    group: CommentGroup
    answered: bool
    comments: list[Comment] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        """The field prefix of the group's forms on the page (`CommentsForm`, `RenameForm`)."""
        return f"g{self.group.pk}"


@dataclass
class ElementEntry:
    """One element of the hearing (or "" for the hearing as a whole) with its groups."""

    code: str
    label: str
    groups: list[GroupEntry] = field(default_factory=list)
    ungrouped: list[Comment] = field(default_factory=list)

    @property
    def comment_count(self) -> int:
        return len(self.ungrouped) + sum(len(g.comments) for g in self.groups)

    @property
    def dom_id(self) -> str:
        """A unique id for the element's section and forms on the page."""
        return f"element-{self.code}" if self.code else "element--hearing"


@dataclass
class GroupsOverview:
    hearing: Hearing
    elements: list[ElementEntry]
    groups: list[CommentGroup]
    """Every group of the hearing, by element and name (for the "move to" choices)."""

    @property
    def comment_count(self) -> int:
        return sum(e.comment_count for e in self.elements)

    @property
    def ungrouped_count(self) -> int:
        return sum(len(e.ungrouped) for e in self.elements)


def _answered() -> Exists:
    return Exists(Response.objects.filter(group=OuterRef("pk")))


def group_list(hearing: Hearing) -> QuerySet[CommentGroup]:
    """The hearing's groups by element and name, with `answered` and `comment_count` (the
    comments that are not hidden), in one query."""
    return (
        CommentGroup.objects.filter(hearing=hearing)
        .annotate(
            answered=_answered(),
            comment_count=Count("comments", filter=~Q(comments__status=CommentStatus.HIDDEN)),
        )
        .order_by("element_code", "name", "pk")
    )


def group_comment_ids(groups: list[CommentGroup]) -> dict[int, list[int]]:
    """The ids of each group's comments that are not hidden, in one query."""
    ids: dict[int, list[int]] = defaultdict(list)
    rows = (
        Comment.objects.filter(group__in=[g.pk for g in groups])
        .exclude(status=CommentStatus.HIDDEN)
        .order_by("pk")
        .values_list("group_id", "pk")
    )
    for group_id, pk in rows:
        ids[group_id].append(pk)
    return ids


def answered_ids(groups: list[CommentGroup]) -> set[int]:
    """The ids of those of `groups` that have an official response, in one query."""
    ids = [g.pk for g in groups]
    return set(Response.objects.filter(group_id__in=ids).values_list("group_id", flat=True))


def group_of(hearing: Hearing, pk: int) -> CommentGroup:
    """Return the hearing's group `pk` (with its hearing), or `NotFound`."""
    group = CommentGroup.objects.filter(hearing=hearing, pk=pk).first()
    if group is None:
        raise NotFound(
            GroupError.NOT_FOUND,
            _("The hearing has no comment group numbered %(pk)s.") % {"pk": pk},
        )
    group.hearing = hearing
    return group


def grouping_job(hearing: Hearing, pk: int) -> GroupingJob:
    """Return the hearing's background suggestion `pk`, or `NotFound`."""
    job = GroupingJob.objects.filter(hearing=hearing, pk=pk).first()
    if job is None:
        raise NotFound(
            GroupError.JOB_NOT_FOUND,
            _("The hearing has no background suggestion numbered %(pk)s.") % {"pk": pk},
        )
    return job


def latest_grouping_job(hearing: Hearing) -> GroupingJob | None:
    """The hearing's newest background suggestion (with who asked), if any, in one query."""
    return (
        GroupingJob.objects.filter(hearing=hearing)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def groups_of(hearing: Hearing, pks: list[int]) -> list[CommentGroup]:
    """Return the hearing's groups numbered `pks`, in that order; `NotFound` for any other."""
    found = {g.pk: g for g in CommentGroup.objects.filter(hearing=hearing, pk__in=pks)}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise NotFound(
            GroupError.NOT_FOUND,
            _("The hearing has no comment group numbered %(pk)s.") % {"pk": missing[0]},
        )
    for group in found.values():
        group.hearing = hearing
    return [found[pk] for pk in dict.fromkeys(pks)]


def groups_overview(hearing: Hearing) -> GroupsOverview:
    """The hearing's comments (not hidden) by element, in the outline's order, each element
    with its groups and its comments without a group.

    A group sits under its own element; a comment of another element moved into it is shown
    in it all the same. Elements that comments name but the outline lacks (removed since)
    come after the outline's, under the title the comment was made on.
    """
    groups = list(group_list(hearing))
    comments = list(
        Comment.objects.filter(hearing=hearing)
        .exclude(status=CommentStatus.HIDDEN)
        .only(*COMMENT_FIELDS)
        .order_by("pk")
    )
    outline = selectors.element_index(hearing)

    entries: dict[str, ElementEntry] = {}

    def entry(code: str, fallback: str = "") -> ElementEntry:
        if code not in entries:
            if not code:
                label = _("The hearing as a whole")
            elif code in outline:
                label = selectors.element_label(outline[code])
            else:
                label = fallback or code
            entries[code] = ElementEntry(code=code, label=label)
        return entries[code]

    by_group: dict[int, GroupEntry] = {}
    for group in groups:
        group_entry = GroupEntry(group=group, answered=bool(group.answered))  # type: ignore[attr-defined]
        by_group[group.pk] = group_entry
        entry(group.element_code).groups.append(group_entry)
    for comment in comments:
        if comment.group_id in by_group:
            by_group[comment.group_id].comments.append(comment)
        else:
            entry(comment.element_code, comment.element_title).ungrouped.append(comment)
    # Outline order first, then the whole hearing, then codes the outline lacks.
    position = {code: index for index, code in enumerate(outline)}
    ordered = sorted(
        entries.values(),
        key=lambda e: (
            0 if e.code in position else (1 if not e.code else 2),
            position.get(e.code, 0),
            e.code,
        ),
    )
    return GroupsOverview(hearing=hearing, elements=ordered, groups=groups)
