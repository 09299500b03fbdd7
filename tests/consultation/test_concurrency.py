"""Counts stay equal to the database while people post from several threads at once."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Count
from django.test import Client

from phaen.consultation import services
from phaen.consultation.models import Comment, CommentStatus
from phaen.plans.permissions import SYSTEM
from tests.consultation.hearing_fixtures import clear_rate_limits, make_hearing  # noqa: F401
from tests.plans.factories import ElementFactory, PlanFactory, publish

THREADS = 6
PER_THREAD = 8
VIEWS_PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="on SQLite the test database is in memory with a shared cache, where a second writer "
    "fails at once with 'database table is locked' rather than waiting; PostgreSQL runs it",
)
def test_the_counts_on_the_page_equal_the_database_under_concurrent_posting(settings: Any):
    # Two threads share an address and post 16 comments in all: above the default rate.
    settings.PHAEN_RATE_COMMENT_HEARING = "100/m"
    # Given a published plan with two elements and an open hearing on it (made here: a
    # transactional test cannot count on the reference data, which such tests empty)
    plan = PlanFactory()
    first = ElementFactory(plan=plan, code="conc-a", position=1, path="0001")
    second = ElementFactory(plan=plan, code="conc-b", position=2, path="0002")
    publish(plan)
    hearing = make_hearing(plan=plan, code="concurrent-hearing")
    stances = ["support", "oppose", "suggest"]
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(PER_THREAD):
                # Two threads share each address: unique commenters are fewer than threads.
                client = services.client_key_material(None, f"10.0.0.{worker // 2}")
                services.comment_post(
                    actor=None,
                    hearing=hearing,
                    element_code=[first.code, second.code, ""][n % 3],
                    stance=stances[(worker + n) % 3],
                    body=f"ความเห็นจากเธรด {worker} ลำดับ {n}",
                    consent=True,
                    client_key=client,
                )
                if n < VIEWS_PER_THREAD:
                    services.hearing_record_view(hearing=hearing)
            services.comment_enter(
                actor=SYSTEM,
                hearing=hearing,
                channel="written",
                stance="support",
                body=f"หนังสือจากหน่วยงาน {worker}",
            )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    # When several threads post and view at once
    workers = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []

    # Then the page's counts equal what the database holds
    html = Client().get(f"/consultation/{hearing.code}/").content.decode()
    shown = {name: int(v) for name, v in re.findall(r'data-count="([\w-]+)">(\d+)<', html)}
    received = Comment.objects.filter(
        hearing=hearing, status__in=[CommentStatus.PUBLISHED, CommentStatus.PENDING]
    )
    assert shown["comments"] == received.count() == THREADS * (PER_THREAD + 1)
    assert shown["commenters"] == received.values("commenter_key").distinct().count()
    assert shown["commenters"] == THREADS // 2 + THREADS  # shared addresses + each letter
    by_channel = dict(received.values_list("channel").annotate(n=Count("pk")))
    by_stance = dict(received.values_list("stance").annotate(n=Count("pk")))
    for channel in ("online", "written", "in_person"):
        assert shown[f"channel-{channel}"] == by_channel.get(channel, 0)
    for stance in stances:
        assert shown[f"stance-{stance}"] == by_stance.get(stance, 0)
    hearing.refresh_from_db()
    # every recorded view, plus this page's own
    assert shown["online_views"] == hearing.online_views == THREADS * VIEWS_PER_THREAD + 1
    per_element = dict(received.values_list("element_code").annotate(n=Count("pk")))
    api = Client().get(f"/api/consultation/hearings/{hearing.code}/counts").json()
    assert api["by_element"] == dict(sorted(per_element.items()))
