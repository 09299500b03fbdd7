"""The summary report of a hearing (report.hearing_report): what it holds, what it never shows,
who reads it when, and its queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from phaen.accounts.models import Role
from phaen.consultation import selectors
from phaen.consultation.models import Comment, CommentStatus
from phaen.consultation.report import ReportError, hearing_report
from phaen.core.errors import NotFound
from tests.conftest import member
from tests.consultation.hearing_fixtures import organisation, planner_of
from tests.consultation.report_fixtures import (
    COMMENT_TH,
    EMAIL,
    GROUP_ANSWER_CHANGE,
    HIDDEN_BODY,
    HIDDEN_NAME,
    HIDDEN_ORGANISATION,
    NAMED_AUTHOR,
    NAMED_ORGANISATION,
    PENDING_BODY,
    PLAN_NAME_TH,
    SUMMARY_TH,
    heard_hearing,
    publish,
)

pytestmark = pytest.mark.django_db


def received(hearing: Any, field: str) -> dict[str, int]:
    """What the database holds: comments received (published and pending) by `field`."""
    rows = (
        Comment.objects.filter(
            hearing=hearing, status__in=[CommentStatus.PUBLISHED, CommentStatus.PENDING]
        )
        .order_by()
        .values_list(field)
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def all_text(report: Any) -> str:
    return repr(report)


def test_the_published_report_holds_the_hearing_counts_groups_answers_and_changes():
    heard = heard_hearing()
    publish(heard)
    hearing = selectors.hearing_get(heard.hearing.code, viewer=None)

    report = hearing_report(hearing, viewer=None)

    assert report.draft is False
    assert report.facts.plan_name_th == PLAN_NAME_TH
    assert report.facts.plan_version == hearing.version.number
    assert report.facts.summary_th == SUMMARY_TH
    assert report.facts.summary_published_on.endswith(
        str(hearing.summary_published_at.year + 543)
    )  # a Buddhist-Era year
    # Counts: 6 published and 1 pending received; the hidden one is not counted.
    assert report.comments == 7
    assert report.by_channel == {"online": 5, "written": 1, "in_person": 1}
    assert report.by_channel == received(hearing, "channel")
    assert report.by_stance == received(hearing, "stance")
    assert {row.code: row.total for row in report.elements} == received(hearing, "element_code")
    a1 = next(row for row in report.elements if row.code == "eec2-a1")
    assert a1.by_stance == {"suggest": 1, "support": 1, "oppose": 1}
    assert a1.label.startswith("1 พัฒนาโครงสร้างพื้นฐานด้านดิจิทัล")
    # In the outline's order, then the plan as a whole.
    assert [row.code for row in report.elements] == ["eec2-a1", "eec2-a2", "eec2-a2-p1", ""]
    # Who was heard.
    assert report.commenters == 7
    assert {(o.name, o.comments) for o in report.organisations} == {
        (NAMED_ORGANISATION, 1),
        ("เทศบาลเมืองศรีราชา", 1),
    }  # not the organisation of the commenter who kept it private
    (event,) = report.events
    assert (event.attendance, event.registered, event.online_views) == (45, 2, 320)
    # Groups with their published comments and answers.
    network, smart = report.groups
    assert network.comments[0].body == COMMENT_TH
    assert len(network.comments) == 2  # the hidden one is left out
    assert network.answer is not None and network.answer.decision == "partly"
    assert network.answer.changed_element_label.startswith("1 พัฒนาโครงสร้างพื้นฐาน")
    assert len(smart.comments) == 1 and smart.answer is None  # the pending one is left out
    assert {item.comment.number for item in report.answered_comments} == {
        heard.comments["whole"].pk,
        heard.comments["written"].pk,
    }
    assert [c.change_made for c in report.changes] == [
        GROUP_ANSWER_CHANGE,
        "ปรับถ้อยคำเป้าหมายของแนวทางที่ 1",
    ]
    assert report.changes[1].changed_element_code == "eec2-a1-p2"


def test_the_report_never_shows_hidden_or_pending_comments_emails_or_names_kept_private():
    heard = heard_hearing()
    publish(heard)
    hearing = selectors.hearing_get(heard.hearing.code, viewer=None)

    report = hearing_report(hearing, viewer=heard.planner)  # not even to the organiser
    text = all_text(report)

    assert COMMENT_TH in text
    assert NAMED_AUTHOR in text and NAMED_ORGANISATION in text
    for secret in (HIDDEN_BODY, PENDING_BODY, EMAIL, HIDDEN_NAME, HIDDEN_ORGANISATION):
        assert secret not in text
    authors = {c.number: c.author for g in report.groups for c in g.comments}
    assert authors[heard.comments["named"].pk] == f"{NAMED_AUTHOR}, {NAMED_ORGANISATION}"
    assert authors[heard.comments["unnamed"].pk] == ""


def test_before_the_summary_is_published_only_the_organiser_and_auditors_read_a_draft():
    heard = heard_hearing()
    hearing = selectors.hearing_get(heard.hearing.code, viewer=None)  # open: the public reads it
    stranger = planner_of("eeco")
    auditor = member("report-auditor", Role.AUDITOR, organisation("eeco"))

    for viewer in (None, stranger):
        with pytest.raises(NotFound) as refused:
            hearing_report(hearing, viewer=viewer)
        assert refused.value.code == ReportError.NOT_PUBLISHED

    preview = hearing_report(hearing, viewer=heard.planner)
    assert preview.draft is True and preview.facts.summary_th == ""
    assert hearing_report(hearing, viewer=auditor).draft is True

    publish(heard)
    hearing = selectors.hearing_get(heard.hearing.code, viewer=None)
    assert hearing_report(hearing, viewer=None).draft is False
    assert hearing_report(hearing, viewer=stranger).draft is False


def _queries(hearing: Any) -> int:
    hearing = selectors.hearing_get(hearing.code, viewer=None)
    with CaptureQueriesContext(connection) as captured:
        hearing_report(hearing, viewer=None)
    return len(captured.captured_queries)


def test_the_report_runs_as_many_queries_whatever_the_number_of_comments_and_groups():
    small = heard_hearing()
    publish(small)
    large = heard_hearing(extra_comments=12, extra_groups=4)
    publish(large)

    small_count = _queries(small.hearing)
    large_count = _queries(large.hearing)

    assert large_count == small_count, (small_count, large_count)
    assert small_count <= 16
    report = hearing_report(selectors.hearing_get(large.hearing.code, viewer=None), viewer=None)
    assert len(report.groups) == 6 and len(report.answered_comments) == 6  # it did grow
