"""The event pages as people meet them: reading, registering, the organiser's forms, privacy,
refusals and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from phaen.accounts.models import Role
from phaen.consultation.models import Event, EventKind, EventMode, Registration
from phaen.core.models import AuditRecord
from phaen.geography.models import Province
from tests.conftest import member, planning_office, signed_in
from tests.consultation.test_events import make_event, make_hearing, register, soon
from tests.plans.factories import ElementFactory, OrganisationFactory, PlanFactory, publish

pytestmark = pytest.mark.django_db

LIST = "/consultation/events/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def planner_client() -> Client:
    return signed_in(member("page-event-planner", Role.PLANNER, planning_office()))


@pytest.fixture
def stranger_client() -> Client:
    organisation = OrganisationFactory(code="page-event-x")
    return signed_in(member("page-event-stranger", Role.PLANNER, organisation))


def html(response: Any) -> str:
    return response.content.decode()


def page(code: str) -> str:
    return f"{LIST}{code}/"


# --- Reading -------------------------------------------------------------------------------


def test_the_list_runs_a_fixed_number_of_queries(django_assert_num_queries):
    def grow(n: int) -> None:
        for _ in range(n):
            number = Event.objects.count()
            plan = publish(PlanFactory())
            event = make_event(
                f"list-{number}",
                plan=plan,
                hearing=make_hearing(plan, code=f"list-h-{number}"),
                province=Province.objects.get(code="40"),
                mode=EventMode.HYBRID,
                registration_open=True,
            )
            register(event)

    grow(2)
    client = Client()
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        first = client.get(LIST)
    grow(8)
    with django_assert_num_queries(len(small)):
        second = client.get(LIST)

    assert first.status_code == second.status_code == 200
    assert 'id="event-results"' in html(second)


def test_the_list_filters_and_htmx_asks_for_the_results_only():
    make_event("seminar-one", kind=EventKind.SEMINAR, title_th="สัมมนาหนึ่ง")
    make_event("workshop-one", kind=EventKind.WORKSHOP, title_th="ประชุมหนึ่ง")

    response = Client().get(
        LIST, {"kind": "seminar"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="event-results"
    )

    body = html(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert "สัมมนาหนึ่ง" in body and "ประชุมหนึ่ง" not in body


def test_the_reference_eec_hearing_meeting_shows_its_counts_place_and_hearing():
    response = Client().get(page("eec-digital-infra-2-hearing-chonburi"), HTTP_ACCEPT_LANGUAGE="en")

    body = html(response)
    assert response.status_code == 200
    assert "เดอะไทด์" in body
    assert ">200<" in body and ">1400<" in body
    assert "No online link recorded." in body
    assert "/consultation/eec-digital-infra-2-hearing/" in body  # the hearing, which is public
    assert "/plans/eec-digital-infra-2/" in body
    assert "ดีอี หนุนหน่วยงานรัฐ" in body  # the source
    # The date only: the source gives no time.
    assert "2025-02-22" in body and "00:00" not in body


def test_an_events_page_shows_the_agenda_the_link_and_the_registration_form():
    make_event(
        "open-one",
        mode=EventMode.ONLINE,
        online_url="https://example.org/live",
        agenda="วาระที่ 1 ชี้แจงร่างแผน",
        registration_open=True,
    )

    body = html(Client().get(page("open-one")))

    assert "วาระที่ 1 ชี้แจงร่างแผน" in body
    assert 'href="https://example.org/live"' in body
    assert 'id="registration-form"' in body
    assert 'name="website"' in body  # the honeypot, kept out of sight
    assert "hidden" in body.split('name="website"')[0].rsplit("<div", 1)[1]


def test_the_public_sees_only_listed_names_and_never_emails(planner_client):
    event = make_event("privacy", registration_open=True)
    register(event, name="คนที่ขอแสดงชื่อ", email="shown@example.org", public_in_register=True)
    register(event, name="คนที่ไม่แสดงชื่อ", email="hidden@example.org")

    public = html(Client().get(page("privacy")))
    staff = html(planner_client.get(page("privacy")))

    assert "คนที่ขอแสดงชื่อ" in public
    assert "คนที่ไม่แสดงชื่อ" not in public
    assert "@example.org" not in public
    assert "คนที่ไม่แสดงชื่อ" in staff and "hidden@example.org" in staff


def test_auditors_read_the_full_register_without_changing_it():
    event = make_event("audited", registration_open=True)
    register(event, name="ผู้เข้าร่วม", email="p@example.org")
    auditor = signed_in(member("event-auditor", Role.AUDITOR, OrganisationFactory(code="oag-x")))

    body = html(auditor.get(page("audited")))

    assert "p@example.org" in body
    assert "/attended/" not in body  # no attendance buttons
    registration = Registration.objects.get(event=event)
    url = f"{page('audited')}registrations/{registration.pk}/attended/"
    assert auditor.post(url).status_code == 403
    registration.refresh_from_db()
    assert registration.attended is False


def test_a_draft_plan_is_not_named_on_an_events_page():
    draft = PlanFactory(code="secret-draft", name_th="แผนลับยังไม่เผยแพร่")
    make_event("about-a-draft", plan=draft)

    body = html(Client().get(page("about-a-draft")))

    assert "แผนลับยังไม่เผยแพร่" not in body
    assert "secret-draft" not in body


def test_an_unknown_event_is_404():
    assert Client().get(page("no-such-event")).status_code == 404


# --- Registering -----------------------------------------------------------------------------


def test_registering_on_the_page(client):
    make_event("join-me", registration_open=True)

    response = client.post(
        f"{page('join-me')}register/",
        {"name": "สมศรี", "email": "somsri@example.org", "consent": "on", "website": ""},
    )

    assert response.status_code == 302
    registration = Registration.objects.get(event__code="join-me")
    assert (registration.name, registration.public_in_register) == ("สมศรี", False)
    followed = html(client.get(response["Location"]))
    assert "สมศรี" not in followed.split('id="participants"')[1].split("</section>")[0]


def test_registering_without_consent_shows_the_reason_on_the_form(client):
    make_event("join-me", registration_open=True)

    response = client.post(
        f"{page('join-me')}register/", {"name": "สมศรี"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 422
    assert "needs your consent" in html(response)
    assert not Registration.objects.exists()


def test_a_honeypot_filled_registration_is_dropped(client):
    make_event("join-me", registration_open=True)

    response = client.post(
        f"{page('join-me')}register/",
        {"name": "robot", "consent": "on", "website": "http://spam.example"},
    )

    assert response.status_code == 400
    assert not Registration.objects.exists()


def test_registrations_from_one_address_are_throttled():
    make_event("popular", registration_open=True)
    client = Client(REMOTE_ADDR="203.0.113.9")

    statuses = [
        client.post(
            f"{page('popular')}register/",
            {"name": f"ผู้สมัคร {n}", "consent": "on"},
        ).status_code
        for n in range(15)
    ]

    assert statuses[:10] == [302] * 10
    assert set(statuses[10:]) == {429}
    assert Registration.objects.count() == 10
    other = Client(REMOTE_ADDR="203.0.113.10").post(
        f"{page('popular')}register/", {"name": "อีกเครื่อง", "consent": "on"}
    )
    assert other.status_code == 302


def test_registering_for_a_closed_event_is_refused(client):
    make_event("closed", registration_open=False)

    response = client.post(f"{page('closed')}register/", {"name": "สาย", "consent": "on"})

    assert response.status_code == 409
    assert not Registration.objects.exists()


# --- The organiser's pages ------------------------------------------------------------------


def test_a_planner_announces_an_event_on_the_page(planner_client):
    plan = publish(PlanFactory(code="page-plan"))
    start = soon(7).strftime("%Y-%m-%dT%H:%M")

    response = planner_client.post(
        f"{LIST}new/",
        {
            "code": "page-event",
            "kind": "hearing_meeting",
            "title_th": "ประชุมรับฟังความคิดเห็นร่างแผน",
            "organiser": planning_office().code,
            "plan": "page-plan",
            "starts_at": start,
            "mode": "in_person",
            "province": "40",
            "registration_open": "on",
        },
    )

    assert response.status_code == 302
    event = Event.objects.get(code="page-event")
    assert event.plan == plan and event.registration_open
    assert AuditRecord.objects.filter(action="event.create", target_id=str(event.pk)).exists()


def test_the_services_refusal_shows_on_the_form(planner_client):
    start = soon(7)

    response = planner_client.post(
        f"{LIST}new/",
        {
            "code": "bad-times",
            "kind": "seminar",
            "title_th": "สัมมนา",
            "organiser": planning_office().code,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "mode": "in_person",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    assert "must end after it starts" in html(response)
    assert not Event.objects.filter(code="bad-times").exists()


def test_anonymous_visitors_sign_in_and_strangers_are_refused(stranger_client):
    make_event("guarded", starts_at=soon(-1))

    anonymous = Client().get(f"{page('guarded')}edit/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for suffix in ("edit/", "record/", "delete/"):
        assert stranger_client.get(f"{page('guarded')}{suffix}").status_code == 403
    assert AuditRecord.objects.filter(action="event.update", outcome="denied").exists()


def test_a_stranger_cannot_announce_events_for_another_organisation(stranger_client):
    response = stranger_client.post(
        f"{LIST}new/",
        {
            "code": "for-others",
            "kind": "seminar",
            "title_th": "สัมมนา",
            "organiser": planning_office().code,
            "starts_at": soon().strftime("%Y-%m-%dT%H:%M"),
            "mode": "in_person",
        },
    )

    assert response.status_code == 403
    assert not Event.objects.filter(code="for-others").exists()


def test_recording_minutes_and_outputs_shows_them_linked_to_the_plan(planner_client):
    plan = publish(PlanFactory(code="record-plan"))
    element = ElementFactory(plan=plan, code="record-el", title_th="ยุทธศาสตร์ที่ปรับจากเวที")
    publish(plan)
    make_event("held", plan=plan, starts_at=soon(-2))

    response = planner_client.post(
        f"{page('held')}record/",
        {"minutes": "เสนอเพิ่มยุทธศาสตร์", "outputs": ["record-el"], "attendance": "85"},
    )

    assert response.status_code == 302
    event = Event.objects.get(code="held")
    assert list(event.outputs.all()) == [element] and event.attendance == 85
    body = html(Client().get(page("held")))
    assert "เสนอเพิ่มยุทธศาสตร์" in body
    assert "/plans/record-plan/#element-record-el" in body
    assert ">85<" in body


def test_marking_attendance_and_deleting(planner_client):
    event = make_event("attend", registration_open=True)
    registration = register(event)

    marked = planner_client.post(
        f"{page('attend')}registrations/{registration.pk}/attended/", {"attended": "1"}
    )
    assert marked.status_code == 302
    registration.refresh_from_db()
    assert registration.attended is True

    assert planner_client.get(f"{page('attend')}delete/").status_code == 200
    deleted = planner_client.post(f"{page('attend')}delete/")
    assert deleted.status_code == 302
    assert not Event.objects.filter(code="attend").exists()
