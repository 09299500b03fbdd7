"""Suggesting topic groups in the background, for hearings with more comments than a request
should group (`PHAEN_GROUPING_BACKGROUND_COMMENTS`), and grouping outside the hearing's lock."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from phaen.accounts.models import Membership
from phaen.consultation import grouping_services as services
from phaen.consultation.grouping_models import GroupingJob, GroupingJobStatus
from phaen.consultation.models import Comment, CommentGroup
from phaen.core.actors import SYSTEM
from phaen.core.errors import ApplicationError
from phaen.core.models import AuditRecord
from tests.conftest import member, signed_in
from tests.consultation.grouping_fixtures import (
    COMMENTS,
    TOPIC,
    add_comment,
    add_comments,
    make_hearing,
)
from tests.plans.factories import OrganisationFactory
from tests.tasks import DATABASE_TASKS, run_worker_once

pytestmark = pytest.mark.django_db

BACKGROUND = override_settings(PHAEN_GROUPING_BACKGROUND_COMMENTS=10, TASKS=DATABASE_TASKS)


@pytest.fixture
def hearing() -> Any:
    return make_hearing()


@pytest.fixture
def comments(hearing: Any) -> dict[int, Comment]:
    return add_comments(hearing)


def request_groups(actor: Any, hearing: Any, capture: Any, **kwargs: Any) -> Any:
    with capture(execute=True):
        return services.groups_suggest_request(actor=actor, hearing=hearing, **kwargs)


@BACKGROUND
def test_many_comments_are_grouped_by_the_worker_as_the_planner(
    hearing, comments, planner, django_capture_on_commit_callbacks
):
    outcome = request_groups(planner, hearing, django_capture_on_commit_callbacks)

    assert outcome.suggestion is None and outcome.job is not None
    job = outcome.job
    assert job.status == GroupingJobStatus.PENDING and job.comment_count == len(comments)
    assert not CommentGroup.objects.filter(hearing=hearing).exists()
    assert AuditRecord.objects.filter(action="comment_group.suggest_queued").exists()

    assert run_worker_once() == 1

    job.refresh_from_db()
    assert job.status == GroupingJobStatus.DONE, job.message
    groups = CommentGroup.objects.filter(hearing=hearing)
    assert job.created == groups.count() >= 3
    assert job.started_at and job.finished_at
    suggested = AuditRecord.objects.get(action="comment_group.suggest", outcome="ok")
    assert suggested.actor_id == planner.pk
    # The same groups as suggesting at once would make
    by_topic: dict[str, set[int | None]] = {}
    for number, comment in comments.items():
        comment.refresh_from_db()
        by_topic.setdefault(TOPIC[number], set()).add(comment.group_id)
    assert all(len(ids) == 1 for topic, ids in by_topic.items() if topic != "mixed")


@BACKGROUND
def test_few_comments_are_grouped_at_once(hearing, planner, django_capture_on_commit_callbacks):
    add_comments(hearing, COMMENTS[:8])
    outcome = request_groups(planner, hearing, django_capture_on_commit_callbacks)
    assert outcome.job is None and outcome.suggestion is not None
    assert not GroupingJob.objects.exists()


@BACKGROUND
def test_the_system_actor_and_background_false_group_at_once(
    hearing, comments, planner, django_capture_on_commit_callbacks
):
    assert request_groups(SYSTEM, hearing, django_capture_on_commit_callbacks).job is None
    outcome = request_groups(planner, hearing, django_capture_on_commit_callbacks, background=False)
    assert outcome.job is None
    assert not GroupingJob.objects.exists()


@BACKGROUND
def test_a_second_request_waits_for_the_first(
    hearing, comments, planner, django_capture_on_commit_callbacks
):
    request_groups(planner, hearing, django_capture_on_commit_callbacks)
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        request_groups(planner, hearing, django_capture_on_commit_callbacks)
    assert refused.value.code == "comment_groups_suggesting"
    assert "already being suggested" in str(refused.value.message)
    assert GroupingJob.objects.count() == 1


@BACKGROUND
def test_a_job_whose_planner_lost_the_role_fails_with_the_reason(
    hearing, comments, planner, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        job = request_groups(planner, hearing, django_capture_on_commit_callbacks).job
    Membership.objects.filter(user=planner).delete()

    run_worker_once()

    job.refresh_from_db()
    assert job.status == GroupingJobStatus.FAILED and job.message
    assert job.language == "en"
    assert not CommentGroup.objects.filter(hearing=hearing).exists()
    assert AuditRecord.objects.filter(action="comment_group.suggest", outcome="denied").exists()


def test_a_threshold_outside_0_to_1_is_refused(hearing, comments, planner):
    with pytest.raises(ApplicationError) as refused:
        services.groups_suggest_request(actor=planner, hearing=hearing, threshold=1.5)
    assert refused.value.code == "comment_groups_threshold_invalid"
    assert not CommentGroup.objects.exists()


def test_a_comment_posted_while_grouping_runs_is_taken_into_account(
    hearing, comments, planner, monkeypatch
):
    """The grouping is worked out before the hearing is locked; a comment that arrives in
    between makes the service work it out again under the lock, so no comment is left out of
    the state the groups were made from."""
    real = services._draft
    calls: list[int] = []

    def draft_then_comment(hearing_: Any, threshold: float) -> Any:
        result = real(hearing_, threshold)
        calls.append(1)
        if len(calls) == 1:
            add_comment(hearing_, "สัญญาณอินเทอร์เน็ตในหมู่บ้านห่างไกลยังไม่ดี ควรเร่งขยายโครงข่าย", "grp-s1")
        return result

    monkeypatch.setattr(services, "_draft", draft_then_comment)
    services.groups_suggest(actor=planner, hearing=hearing)
    assert len(calls) == 2  # worked out again under the lock
    late = Comment.objects.filter(hearing=hearing).order_by("-pk").first()
    assert late is not None and late.group_id is not None


def test_without_a_change_the_grouping_is_worked_out_once(hearing, comments, planner, monkeypatch):
    real = services._draft
    calls: list[int] = []

    def counted(hearing_: Any, threshold: float) -> Any:
        calls.append(1)
        return real(hearing_, threshold)

    monkeypatch.setattr(services, "_draft", counted)
    services.groups_suggest(actor=planner, hearing=hearing)
    assert len(calls) == 1


@BACKGROUND
def test_the_page_queues_a_job_and_shows_it_until_it_is_done(
    hearing, comments, planner, django_capture_on_commit_callbacks
):
    client = signed_in(planner)
    url = f"/consultation/{hearing.code}/groups/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}suggest/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    page = response.content.decode()
    assert "being suggested in the background" in page
    assert f"Groups for {len(comments)} comments" in page
    assert "Suggest groups</button>" not in page  # no second request while one waits

    again = client.post(f"{url}suggest/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "already being suggested" in again.content.decode()

    run_worker_once()
    done = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The last background suggestion" in done
    assert "Suggest groups</button>" in done
    assert CommentGroup.objects.filter(hearing=hearing).exists()


@BACKGROUND
def test_the_api_answers_202_with_the_job_and_reports_its_progress(
    hearing, comments, planner, django_capture_on_commit_callbacks
):
    client = signed_in(planner)
    base = f"/api/consultation/groups/{hearing.code}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{base}/suggest", data=json.dumps({}), content_type="application/json"
        )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "pending" and job["comment_count"] == len(comments)

    busy = client.post(
        f"{base}/suggest", data="{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert busy.status_code == 409 and busy.json()["code"] == "comment_groups_suggesting"

    run_worker_once()
    status = client.get(f"{base}/suggestions/{job['id']}").json()
    assert status["status"] == "done" and status["created"] >= 3
    assert client.get(f"{base}/suggestions/{job['id'] + 1000}").status_code == 404
    assert signed_in_stranger_status(base, job["id"]) == 403


def signed_in_stranger_status(base: str, job_id: int) -> int:
    stranger = member("grouping-stranger", "planner", OrganisationFactory())
    return signed_in(stranger).get(f"{base}/suggestions/{job_id}").status_code
