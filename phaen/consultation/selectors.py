"""Reads of hearings and their comments: the list, a hearing's page, counts, the author's view.

Every function here chooses its own `select_related` / `prefetch_related`, so pages and
endpoints run a fixed number of queries whatever the number of hearings, elements or comments.
Counts are computed with grouped queries each time they are read, so they always equal what
the database holds, however many people post at once.

The outline a hearing shows is the plan version it hears (`Hearing.version`, frozen when the
plan's hearing was opened), rebuilt from the version's snapshot; before the hearing opens it is
the plan's working outline. Comments are attached to elements by `Comment.element_code`, the
element's stable code, so they stay under their element when later versions revise its text.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from phaen.consultation import permissions
from phaen.consultation.errors import CommentError, HearingError, ResponseError
from phaen.consultation.models import (
    Channel,
    Comment,
    CommentGroup,
    CommentStatus,
    Hearing,
    HearingDocument,
    Response,
    Stance,
)
from phaen.core.errors import NotFound
from phaen.plans.models import PlanElement, PlanVersion
from phaen.plans.selectors import OutlineNode, outline_from_snapshot, plan_outline

COUNTED_STATUSES = (CommentStatus.PUBLISHED, CommentStatus.PENDING)
"""Comments that count as received: published and waiting for moderation (not hidden)."""


# --- Lists -----------------------------------------------------------------------------------


def _received_count() -> Subquery:
    rows = (
        Comment.objects.filter(hearing=OuterRef("pk"), status__in=COUNTED_STATUSES)
        .order_by()
        .values("hearing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(rows, output_field=IntegerField())


def hearing_list(
    *,
    viewer: Any = None,
    status: str | None = None,
    plan: str | None = None,
    organiser: str | None = None,
) -> QuerySet[Hearing]:
    """Return the hearings `viewer` may read, newest first, with their plan, organiser and
    the number of comments received, in one query (whatever the number of rows).

    The public reads open, closed and summarised hearings of published plans; the organiser's
    planners also read their scheduled ones; system administrators and auditors read all.
    `plan` and `organiser` are codes.
    """
    hearings = Hearing.objects.select_related("plan", "organiser", "version")
    visible = permissions.hearing_visibility_filter(viewer)
    if visible is not None:
        hearings = hearings.filter(visible)
    if status:
        hearings = hearings.filter(status=status)
    if plan:
        hearings = hearings.filter(plan__code=plan)
    if organiser:
        hearings = hearings.filter(organiser__code=organiser)
    return hearings.annotate(comment_count=Coalesce(_received_count(), 0)).order_by(
        "-starts_at", "code"
    )


def _not_found(code: str) -> NotFound:
    return NotFound(
        HearingError.NOT_FOUND, _("No hearing has the code “%(code)s”.") % {"code": code}
    )


def hearing_get(code: str, *, viewer: Any = None) -> Hearing:
    """Return the hearing (with its invited organisations and sources) if `viewer` may read
    it; `NotFound` otherwise: scheduled hearings and those of unpublished plans stay unknown to
    the public."""
    hearing = (
        Hearing.objects.select_related("plan", "plan__owner", "organiser", "version", "section")
        .prefetch_related("invited", "sources")
        .filter(code=code)
        .first()
    )
    if hearing is None or not permissions.can_view_hearing(viewer, hearing):
        raise _not_found(code)
    return hearing


def hearing_for_write(code: str) -> Hearing:
    """Return the hearing for a write, whoever asks: the service checks the permission (and
    records a refusal), so a stranger gets 403 rather than 404 for a hearing that exists."""
    hearing = (
        Hearing.objects.select_related("plan", "organiser", "version", "section")
        .filter(code=code)
        .first()
    )
    if hearing is None:
        raise _not_found(code)
    return hearing


# --- Outlines ----------------------------------------------------------------------------------


def _find(nodes: Iterable[OutlineNode], code: str) -> OutlineNode | None:
    for node in nodes:
        if node.element.code == code:
            return node
        found = _find(node.children, code)
        if found is not None:
            return found
    return None


def hearing_outline(hearing: Hearing) -> list[OutlineNode]:
    """Return the outline the hearing puts to the public: its version's (or, before it opens,
    the plan's working outline), narrowed to its section when it hears one section only."""
    if hearing.version_id is not None:
        roots = outline_from_snapshot(hearing.plan, hearing.version.snapshot)  # type: ignore[union-attr]
    else:
        roots = plan_outline(hearing.plan)
    if hearing.section_id is not None and hearing.section is not None:
        node = _find(roots, hearing.section.code)
        if node is not None:
            return [node]
    return roots


def _flatten(nodes: Iterable[OutlineNode]) -> Iterable[PlanElement]:
    for node in nodes:
        yield node.element
        yield from _flatten(node.children)


def element_index(hearing: Hearing) -> dict[str, PlanElement]:
    """Return the elements a comment on this hearing may be anchored to, by code."""
    return {element.code: element for element in _flatten(hearing_outline(hearing))}


def element_label(element: PlanElement) -> str:
    """An element's number and Thai title (English when there is no Thai), as stored with a
    comment: the title at the time of commenting."""
    title = element.title_th or element.title_en or element.code
    return f"{element.number} {title}".strip() if element.number else title


def newest_titles(hearing: Hearing) -> tuple[PlanVersion | None, dict[str, str]]:
    """Return the plan's newest version when it is newer than the one heard, with the label of
    each of its elements by code (one query); `(None, {})` when the hearing hears the newest."""
    newest = PlanVersion.objects.filter(plan_id=hearing.plan_id).order_by("-number").first()
    if newest is None or newest.pk == hearing.version_id or hearing.version_id is None:
        return None, {}
    labels = {
        element.code: element_label(element)
        for element in _flatten(outline_from_snapshot(hearing.plan, newest.snapshot))
    }
    return newest, labels


# --- Counts ------------------------------------------------------------------------------------


@dataclass
class HearingCounts:
    """What the hearing's counts box shows; every number is read from the database."""

    online_views: int
    reported_online_views: int | None
    reported_participants: int | None
    comments: int
    commenters: int
    by_channel: dict[str, int]
    by_stance: dict[str, int]
    by_element: dict[str, int]

    @property
    def channels(self) -> list[tuple[str, str, int]]:
        return [
            (value, str(label), self.by_channel.get(value, 0)) for value, label in Channel.choices
        ]

    @property
    def stances(self) -> list[tuple[str, str, int]]:
        return [
            (value, str(label), self.by_stance.get(value, 0)) for value, label in Stance.choices
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "online_views": self.online_views,
            "reported_online_views": self.reported_online_views,
            "reported_participants": self.reported_participants,
            "comments": self.comments,
            "commenters": self.commenters,
            "by_channel": {value: self.by_channel.get(value, 0) for value in Channel.values},
            "by_stance": {value: self.by_stance.get(value, 0) for value in Stance.values},
            "by_element": dict(sorted(self.by_element.items())),
        }


def hearing_counts(hearing: Hearing) -> HearingCounts:
    """Count the hearing's views, comments received (published and pending) and commenters, by
    channel, stance and element: two grouped queries, whatever the number of comments."""
    received = Q(comments__status__in=COUNTED_STATUSES)
    head = (
        Hearing.objects.filter(pk=hearing.pk)
        .annotate(
            commenters=Count("comments__commenter_key", filter=received, distinct=True),
        )
        .values("online_views", "reported_online_views", "reported_participants", "commenters")
        .get()
    )
    rows = (
        Comment.objects.filter(hearing=hearing, status__in=COUNTED_STATUSES)
        .order_by()
        .values_list("channel", "stance", "element_code")
        .annotate(n=Count("pk"))
    )
    by_channel: dict[str, int] = {}
    by_stance: dict[str, int] = {}
    by_element: dict[str, int] = {}
    total = 0
    for channel, stance, element_code, n in rows:
        total += n
        by_channel[channel] = by_channel.get(channel, 0) + n
        by_stance[stance] = by_stance.get(stance, 0) + n
        by_element[element_code] = by_element.get(element_code, 0) + n
    return HearingCounts(
        online_views=head["online_views"],
        reported_online_views=head["reported_online_views"],
        reported_participants=head["reported_participants"],
        comments=total,
        commenters=head["commenters"],
        by_channel=by_channel,
        by_stance=by_stance,
        by_element=by_element,
    )


# --- Comments ----------------------------------------------------------------------------------


def _comment_rows() -> QuerySet[Comment]:
    return Comment.objects.select_related(
        "response", "group", "group__response", "event", "hearing"
    ).order_by("created_at", "pk")


def answer_of(comment: Comment) -> Response | None:
    """The organiser's answer to a comment: its own response, else its group's (no query when
    the rows were read with `select_related("response", "group__response")`)."""
    try:
        return comment.response
    except Response.DoesNotExist:
        pass
    if comment.group is not None:
        try:
            return comment.group.response
        except Response.DoesNotExist:
            return None
    return None


def _decorate(comment: Comment) -> Comment:
    comment.answer = answer_of(comment)  # type: ignore[attr-defined]
    comment.answered_as_group = bool(  # type: ignore[attr-defined]
        comment.answer is not None  # type: ignore[attr-defined]
        and comment.answer.group_id is not None  # type: ignore[attr-defined]
    )
    return comment


def public_comment_filter(own_ids: Iterable[int] = ()) -> Q:
    """Comments the public reads: published ones, plus the viewer's own pending ones."""
    own = [pk for pk in own_ids if isinstance(pk, int)]
    condition = Q(status=CommentStatus.PUBLISHED)
    if own:
        condition |= Q(status=CommentStatus.PENDING, pk__in=own)
    return condition


def comment_list(
    hearing: Hearing,
    *,
    viewer: Any = None,
    element_code: str | None = None,
    status: str | None = None,
) -> QuerySet[Comment]:
    """Return the hearing's comments `viewer` may read, oldest first, with their answers.

    The public reads published comments only; moderators and auditors read every comment and
    may filter by `status`.
    """
    comments = _comment_rows().filter(hearing=hearing)
    if permissions.reads_all_comments(viewer, hearing):
        if status:
            comments = comments.filter(status=status)
    else:
        comments = comments.filter(status=CommentStatus.PUBLISHED)
    if element_code is not None:
        comments = comments.filter(element_code=element_code)
    return comments


def moderation_queue(hearing: Hearing, *, status: str | None = None) -> QuerySet[Comment]:
    """Every comment of the hearing for its moderators (pending first, then by age), with who
    entered it, its event, its answer and its moderation log (one more query for the logs)."""
    comments = (
        Comment.objects.filter(hearing=hearing)
        .select_related("response", "group", "group__response", "event", "entered_by", "user")
        .prefetch_related("moderation__actor")
    )
    if status:
        comments = comments.filter(status=status)
    pending_first = Case(When(status=CommentStatus.PENDING, then=0), default=1)
    return comments.order_by(pending_first, "-created_at", "-pk")


def decorate(comments: Iterable[Comment]) -> list[Comment]:
    """Attach `answer` and `answered_as_group` to each comment (no queries)."""
    return [_decorate(comment) for comment in comments]


def comment_get(pk: int) -> Comment:
    """Return comment `pk` for a write (the service checks the permission), or `NotFound`."""
    comment = (
        Comment.objects.select_related("hearing", "hearing__organiser", "hearing__plan", "group")
        .filter(pk=pk)
        .first()
    )
    if comment is None:
        raise NotFound(CommentError.NOT_FOUND, _("No comment has the number %(pk)s.") % {"pk": pk})
    return comment


def group_get(pk: int) -> CommentGroup:
    """Return comment group `pk` for a write, or `NotFound`."""
    group = (
        CommentGroup.objects.select_related("hearing", "hearing__organiser", "hearing__plan")
        .filter(pk=pk)
        .first()
    )
    if group is None:
        raise NotFound(
            ResponseError.GROUP_NOT_FOUND, _("No comment group has the number %(pk)s.") % {"pk": pk}
        )
    return group


def access_key_hash(key: str) -> str:
    """The stored form of a comment's private access key."""
    return hashlib.sha256(key.encode()).hexdigest()


def comment_for_author(pk: int, key: str) -> Comment:
    """Return the comment its author reads through the private link, with the answer to it
    (its own response or its group's); `NotFound` for a wrong key, as for a missing comment."""
    comment = (
        Comment.objects.select_related(
            "hearing",
            "hearing__plan",
            "hearing__organiser",
            "response",
            "group",
            "group__response",
        )
        .filter(pk=pk)
        .first()
    )
    if (
        comment is None
        or not key
        or not comment.access_key_hash
        or not hmac.compare_digest(comment.access_key_hash, access_key_hash(key))
    ):
        raise NotFound(CommentError.NOT_FOUND, _("No comment has the number %(pk)s.") % {"pk": pk})
    return _decorate(comment)


# --- A hearing's page --------------------------------------------------------------------------


@dataclass
class ElementEntry:
    """An element of the heard outline with its comments, for the hearing's page."""

    element: PlanElement
    children: list[ElementEntry] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    count: int = 0
    label: str = ""
    newer_label: str = ""  # its label in the plan's newest version, when that differs
    removed_later: bool = False  # the newest version no longer has it


@dataclass
class HearingPage:
    hearing: Hearing
    outline: list[ElementEntry]
    general_comments: list[Comment]  # on the plan as a whole
    other_comments: list[Comment]  # anchored to elements this outline no longer shows
    counts: HearingCounts
    documents: list[HearingDocument]
    answered_groups: Sequence[CommentGroup]
    newest_version: PlanVersion | None
    reads_all: bool
    entries_by_code: dict[str, ElementEntry] = field(default_factory=dict)


def _entries(
    nodes: Iterable[OutlineNode], index: dict[str, ElementEntry], newer: dict[str, str]
) -> list[ElementEntry]:
    out: list[ElementEntry] = []
    for node in nodes:
        element = node.element
        entry = ElementEntry(element=element, label=element_label(element))
        if newer:
            if element.code not in newer:
                entry.removed_later = True
            elif newer[element.code] != entry.label:
                entry.newer_label = newer[element.code]
        index[element.code] = entry
        entry.children = _entries(node.children, index, newer)
        out.append(entry)
    return out


def hearing_detail(
    hearing: Hearing, *, viewer: Any = None, own_ids: Iterable[int] = ()
) -> HearingPage:
    """Gather a hearing's page in a fixed number of queries: the heard outline with each
    element's comments and their answers, the counts, the documents, and the groups answered.

    The public reads published comments (and `own_ids`, the viewer's own pending comments, which
    the page marks); moderators and auditors read every comment with its status. A comment keeps
    the element title it was made on; when the plan's newest version titles the element
    differently, the entry carries that label too.
    """
    reads_all = permissions.reads_all_comments(viewer, hearing)
    newest, newer = newest_titles(hearing)
    index: dict[str, ElementEntry] = {}
    outline = _entries(hearing_outline(hearing), index, newer)
    comments = _comment_rows().filter(hearing=hearing)
    if not reads_all:
        comments = comments.filter(public_comment_filter(own_ids))
    general: list[Comment] = []
    other: list[Comment] = []
    for comment in decorate(comments):
        if not comment.element_code:
            general.append(comment)
        elif comment.element_code in index:
            index[comment.element_code].comments.append(comment)
        else:
            other.append(comment)
    counts = hearing_counts(hearing)
    for code, entry in index.items():
        entry.count = counts.by_element.get(code, 0)
    documents = list(HearingDocument.objects.filter(hearing=hearing).order_by("created_at", "pk"))
    groups = list(
        CommentGroup.objects.filter(hearing=hearing, response__isnull=False)
        .select_related("response")
        .annotate(size=Count("comments", filter=Q(comments__status=CommentStatus.PUBLISHED)))
        .order_by("element_code", "name")
    )
    return HearingPage(
        hearing=hearing,
        outline=outline,
        general_comments=general,
        other_comments=other,
        counts=counts,
        documents=documents,
        answered_groups=groups,
        newest_version=newest,
        reads_all=reads_all,
        entries_by_code=index,
    )


def document_get(hearing: Hearing, pk: int) -> HearingDocument:
    document = HearingDocument.objects.filter(hearing=hearing, pk=pk).first()
    if document is None:
        raise NotFound(HearingError.DOCUMENT_NOT_FOUND, _("The hearing has no such document."))
    return document
