"""The summary report of a hearing: who was heard and how, what they said, what the organiser
answered and changed (issue 5, point 7).

`hearing_report` gathers everything the report shows into a `HearingReport`, with the text
ready to print (labels in the active language, dates in the Buddhist Era for Thai readers), in
a fixed number of queries whatever the number of comments, groups, answers and events. The web
page (`report_views`), the JSON API (`report_api`), the PDF and the DOCX (`report_render`) and
the command line all read that one object, so they show the same numbers.

What the report shows of people follows the hearing's public page (PDPA): only published
comments (never pending nor hidden ones), never an e-mail address, and a commenter's name and
organisation only when they chose to show them. The counts are those of the page's counts box
(`selectors.hearing_counts`): comments received, published and waiting for moderation alike.

Who reads it: the public, once the organiser has published the summary (the hearing's step
"Publish the summary", which makes it "summarised"); before that it does not exist for them
(404, code `hearing_report_not_published`). The organiser's planners and system administrators,
and auditors (who read everything), may preview it at any time; the preview is marked as a draft.

Known limitation of the PDF (WeasyPrint's ToUnicode map, measured with pdftotext): text copied
or extracted from the PDF turns SARA AM (ำ) into SARA AA (า), because HarfBuzz draws ำ as two
glyphs and the map gives each glyph one meaning. With the Sarabun files the PDF embeds, the
other stacked marks (ผู้, ปู่ย่า, ที่นี่) come out intact; with the fallback fonts of
fonts-thai-tlwg some do not. The PDF reads correctly on screen and on paper; the web page and
the DOCX hold the exact text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from phaen.consultation import event_selectors, permissions, selectors
from phaen.consultation.models import (
    Channel,
    Comment,
    CommentGroup,
    CommentStatus,
    Decision,
    Hearing,
    HearingStatus,
    Response,
    Stance,
)
from phaen.core.errors import NotFound
from phaen.core.templatetags.thai import thai_date
from phaen.plans.models import PlanElement


class ReportError(StrEnum):
    NOT_PUBLISHED = "hearing_report_not_published"


# --- What the report holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    """One line of a counts table: a channel or a stance, its label and its count."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class ElementCount:
    """The comments received on one element (or, with code "", on the plan as a whole)."""

    code: str
    label: str
    by_stance: dict[str, int]
    total: int

    @property
    def stance_counts(self) -> list[int]:
        """The counts in `Stance` order, for tables."""
        return [self.by_stance.get(value, 0) for value in Stance.values]


@dataclass(frozen=True)
class EventLine:
    """An event of the hearing, with how many people came, registered and watched."""

    code: str
    title: str
    kind: str
    kind_label: str
    mode_label: str
    date: str
    venue: str
    attendance: int | None
    registered: int
    online_views: int | None


@dataclass(frozen=True)
class OrganisationLine:
    """An organisation named by commenters who chose to show it, with their comments."""

    name: str
    comments: int


@dataclass(frozen=True)
class ReportComment:
    """A published comment as the report shows it: never its e-mail address, and its author
    only when they chose to be named."""

    number: int
    element_code: str
    element_label: str
    stance: str
    stance_label: str
    channel: str
    channel_label: str
    quote: str
    body: str
    author: str
    date: str


@dataclass(frozen=True)
class ReportAnswer:
    """The organiser's official answer to a group or a comment."""

    decision: str
    decision_label: str
    reason: str
    change_made: str
    changed_element_code: str
    changed_element_label: str
    """The changed element's label in the plan's newest version (else as heard)."""

    @property
    def has_change(self) -> bool:
        return bool(self.change_made or self.changed_element_code)


@dataclass(frozen=True)
class ReportGroup:
    name: str
    element_code: str
    element_label: str
    comments: list[ReportComment]
    answer: ReportAnswer | None


@dataclass(frozen=True)
class AnsweredComment:
    """A comment answered on its own, outside any group's answer."""

    comment: ReportComment
    answer: ReportAnswer


@dataclass(frozen=True)
class ChangeLine:
    """A change made to the plan in answer to a group or a comment."""

    answers: str
    """What was answered: the group's name, or "comment #n"."""
    decision_label: str
    change_made: str
    changed_element_code: str
    changed_element_label: str


@dataclass(frozen=True)
class ReportFacts:
    code: str
    title_th: str
    title_en: str
    plan_code: str
    plan_name_th: str
    plan_version: int | None
    organiser_name_th: str
    period: str
    """The hearing's period, dates in BE for Thai readers: `1 มีนาคม 2569 09:00 – …`."""
    status: str
    status_label: str
    summary_th: str
    summary_published_at: dt.datetime | None
    summary_published_on: str
    channels: list[str]
    """The ways the hearing took comments (labels)."""


@dataclass(frozen=True)
class HearingReport:
    """The summary report of a hearing; see the module's docstring."""

    facts: ReportFacts
    draft: bool
    """The summary is not published yet: an organiser's preview."""
    generated_at: dt.datetime
    generated_on: str
    comments: int
    commenters: int
    online_views: int
    reported_participants: int | None
    reported_online_views: int | None
    channels: list[CountRow]
    stances: list[CountRow]
    elements: list[ElementCount]
    organisations: list[OrganisationLine]
    events: list[EventLine]
    groups: list[ReportGroup]
    answered_comments: list[AnsweredComment]
    changes: list[ChangeLine]
    stance_labels: list[str] = field(default_factory=list)
    """The column heads of the elements table, in `Stance` order."""

    @property
    def by_channel(self) -> dict[str, int]:
        return {row.value: row.count for row in self.channels}

    @property
    def by_stance(self) -> dict[str, int]:
        return {row.value: row.count for row in self.stances}

    @property
    def stance_totals(self) -> list[int]:
        return [row.count for row in self.stances]


# --- Who reads it ----------------------------------------------------------------------------


def summary_published(hearing: Hearing) -> bool:
    """Tell whether the hearing's summary is published, so the public reads its report."""
    return hearing.status == HearingStatus.SUMMARISED and hearing.summary_published_at is not None


def can_preview_report(viewer: Any, hearing: Hearing) -> bool:
    """Tell whether `viewer` reads the report before the summary is published."""
    return permissions.reads_all_comments(viewer, hearing)


def _not_published() -> NotFound:
    return NotFound(
        ReportError.NOT_PUBLISHED,
        _("The summary of this hearing has not been published yet."),
    )


# --- Building it -------------------------------------------------------------------------------


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{thai_date(local)} {local:%H:%M}"


def _element_labels(hearing: Hearing) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Return the labels of the heard outline's elements by code, their codes in outline
    order, and the labels of the plan's newest version (when newer than the one heard)."""
    index = selectors.element_index(hearing)
    heard = {code: selectors.element_label(element) for code, element in index.items()}
    _newest, newer = selectors.newest_titles(hearing)
    return heard, list(index), newer


def _author(comment: Comment) -> str:
    if not comment.show_identity:
        return ""
    parts = [comment.author_name.strip(), comment.author_organisation.strip()]
    return ", ".join(part for part in parts if part)


def _comment(comment: Comment, labels: dict[str, str]) -> ReportComment:
    if comment.element_code:
        label = comment.element_title or labels.get(comment.element_code, comment.element_code)
    else:
        label = _("The plan as a whole")
    return ReportComment(
        number=comment.pk,
        element_code=comment.element_code,
        element_label=label,
        stance=comment.stance,
        stance_label=str(Stance(comment.stance).label)
        if comment.stance in Stance.values
        else comment.stance,
        channel=comment.channel,
        channel_label=str(Channel(comment.channel).label)
        if comment.channel in Channel.values
        else comment.channel,
        quote=comment.quote,
        body=comment.body,
        author=_author(comment),
        date=thai_date(comment.created_at),
    )


def _answer(response: Response, changed_labels: dict[str, str]) -> ReportAnswer:
    code = response.changed_element_code
    return ReportAnswer(
        decision=response.decision,
        decision_label=str(Decision(response.decision).label)
        if response.decision in Decision.values
        else response.decision,
        reason=response.reason,
        change_made=response.change_made,
        changed_element_code=code,
        changed_element_label=changed_labels.get(code, "") if code else "",
    )


def _changed_labels(
    hearing: Hearing, responses: list[Response], heard: dict[str, str], newer: dict[str, str]
) -> dict[str, str]:
    """Label each element an answer names as changed: as the plan's newest version titles it,
    else as heard, else as the plan's working outline does (one query for those, if any)."""
    labels = {**heard, **newer}
    missing = {r.changed_element_code for r in responses if r.changed_element_code} - set(labels)
    if missing:
        for element in PlanElement.objects.filter(plan_id=hearing.plan_id, code__in=missing):
            labels[element.code] = selectors.element_label(element)
    return labels


def _element_rows(hearing: Hearing, heard: dict[str, str], order: list[str]) -> list[ElementCount]:
    """Count the comments received by element and stance (one grouped query), in the outline's
    order; then the plan as a whole; then elements the outline no longer has."""
    rows = (
        Comment.objects.filter(hearing=hearing, status__in=selectors.COUNTED_STATUSES)
        .order_by()
        .values_list("element_code", "stance")
        .annotate(n=Count("pk"))
    )
    by_element: dict[str, dict[str, int]] = {}
    for code, stance, n in rows:
        by_element.setdefault(code, {})[stance] = n
    fallback: dict[str, str] = {}
    unknown = [code for code in by_element if code and code not in heard]
    if unknown:
        # The title the comments were made on (one more query, only when needed).
        for code, title in (
            Comment.objects.filter(hearing=hearing, element_code__in=unknown)
            .exclude(element_title="")
            .order_by("element_code", "-created_at")
            .values_list("element_code", "element_title")
        ):
            fallback.setdefault(code, title)
    position = {code: index for index, code in enumerate(order)}

    def key(code: str) -> tuple[int, int, str]:
        if code in position:
            return (0, position[code], code)
        return (1, 0, code) if not code else (2, 0, code)

    out: list[ElementCount] = []
    for code in sorted(by_element, key=key):
        if not code:
            label = _("The plan as a whole")
        else:
            label = heard.get(code) or fallback.get(code) or code
        counts = by_element[code]
        out.append(
            ElementCount(code=code, label=label, by_stance=counts, total=sum(counts.values()))
        )
    return out


def _events(hearing: Hearing) -> list[EventLine]:
    events = event_selectors.event_list(hearing=hearing.code).order_by("starts_at", "code")
    return [
        EventLine(
            code=event.code,
            title=event.title_th or event.title_en,
            kind=event.kind,
            kind_label=event.get_kind_display(),
            mode_label=event.get_mode_display(),
            date=thai_date(event.starts_at),
            venue=event.venue,
            attendance=event.attendance,
            registered=event.registered,  # type: ignore[attr-defined]
            online_views=event.online_views,
        )
        for event in events
    ]


def _organisations(hearing: Hearing) -> list[OrganisationLine]:
    rows = (
        Comment.objects.filter(hearing=hearing, status=CommentStatus.PUBLISHED, show_identity=True)
        .exclude(author_organisation="")
        .order_by()
        .values_list("author_organisation")
        .annotate(n=Count("pk"))
        .order_by("-n", "author_organisation")
    )
    return [OrganisationLine(name=name, comments=n) for name, n in rows]


def _channels_taken(hearing: Hearing) -> list[str]:
    taken = []
    if hearing.online_comments:
        taken.append(str(Channel.ONLINE.label))
    if hearing.in_person:
        taken.append(str(Channel.IN_PERSON.label))
    if hearing.written:
        taken.append(str(Channel.WRITTEN.label))
    return taken


def _facts(hearing: Hearing) -> ReportFacts:
    plan = hearing.plan
    return ReportFacts(
        code=hearing.code,
        title_th=hearing.title_th,
        title_en=hearing.title_en,
        plan_code=plan.code,
        plan_name_th=plan.name_th,
        plan_version=hearing.version.number if hearing.version is not None else None,
        organiser_name_th=hearing.organiser.name_th,
        period=f"{_when(hearing.starts_at)} – {_when(hearing.ends_at)}",
        status=hearing.status,
        status_label=hearing.get_status_display(),
        summary_th=hearing.summary_th,
        summary_published_at=hearing.summary_published_at,
        summary_published_on=thai_date(hearing.summary_published_at)
        if hearing.summary_published_at
        else "",
        channels=_channels_taken(hearing),
    )


def _group_response(group: CommentGroup) -> Response | None:
    """The group's official answer (read with `select_related("response")`: no query)."""
    try:
        return group.response
    except Response.DoesNotExist:
        return None


def hearing_report(hearing: Hearing, *, viewer: Any) -> HearingReport:
    """Gather the summary report of `hearing` for `viewer`, in a fixed number of queries.

    `hearing` comes from `selectors.hearing_get` (so `viewer` may read it, and its plan,
    organiser and version are loaded). The public reads the report once the summary is
    published; `NotFound` (`hearing_report_not_published`) before. The organiser's staff and
    auditors read it at any time, as a draft until then.
    """
    published = summary_published(hearing)
    if not published and not can_preview_report(viewer, hearing):
        raise _not_published()

    heard, order, newer = _element_labels(hearing)
    counts = selectors.hearing_counts(hearing)
    published_comments = Prefetch(
        "comments",
        queryset=Comment.objects.filter(status=CommentStatus.PUBLISHED).order_by(
            "created_at", "pk"
        ),
        to_attr="published_comments",
    )
    groups = list(
        CommentGroup.objects.filter(hearing=hearing)
        .select_related("response")
        .prefetch_related(published_comments)
        .order_by("element_code", "name", "pk")
    )
    own_responses = list(
        Response.objects.filter(
            hearing=hearing, comment__isnull=False, comment__status=CommentStatus.PUBLISHED
        )
        .select_related("comment")
        .order_by("comment__created_at", "comment__pk")
    )
    answers_by_group = {
        group.pk: answered_by for group in groups if (answered_by := _group_response(group))
    }
    changed = _changed_labels(hearing, [*answers_by_group.values(), *own_responses], heard, newer)

    position = {code: index for index, code in enumerate(order)}
    groups.sort(key=lambda g: (g.element_code not in position, position.get(g.element_code, 0)))
    report_groups: list[ReportGroup] = []
    changes: list[ChangeLine] = []
    for group in groups:
        comments = [_comment(c, heard) for c in group.published_comments]
        response = answers_by_group.get(group.pk)
        if not comments and response is None:
            continue
        answer = _answer(response, changed) if response is not None else None
        if group.element_code:
            element_label = heard.get(group.element_code, group.element_code)
        else:
            element_label = _("The plan as a whole")
        report_groups.append(
            ReportGroup(
                name=group.name,
                element_code=group.element_code,
                element_label=element_label,
                comments=comments,
                answer=answer,
            )
        )
        if answer is not None and answer.has_change:
            changes.append(_change(group.name, answer))
    answered: list[AnsweredComment] = []
    for response in own_responses:
        comment = response.comment
        assert comment is not None
        answer = _answer(response, changed)
        answered.append(AnsweredComment(comment=_comment(comment, heard), answer=answer))
        if answer.has_change:
            changes.append(_change(_("Comment #%(number)s") % {"number": comment.pk}, answer))

    now = timezone.now()
    return HearingReport(
        facts=_facts(hearing),
        draft=not published,
        generated_at=now,
        generated_on=_when(now),
        comments=counts.comments,
        commenters=counts.commenters,
        online_views=counts.online_views,
        reported_participants=counts.reported_participants,
        reported_online_views=counts.reported_online_views,
        channels=[CountRow(value, label, n) for value, label, n in counts.channels],
        stances=[CountRow(value, label, n) for value, label, n in counts.stances],
        elements=_element_rows(hearing, heard, order),
        organisations=_organisations(hearing),
        events=_events(hearing),
        groups=report_groups,
        answered_comments=answered,
        changes=changes,
        stance_labels=[str(label) for _value, label in Stance.choices],
    )


def _change(answers: str, answer: ReportAnswer) -> ChangeLine:
    return ChangeLine(
        answers=answers,
        decision_label=answer.decision_label,
        change_made=answer.change_made,
        changed_element_code=answer.changed_element_code,
        changed_element_label=answer.changed_element_label,
    )
