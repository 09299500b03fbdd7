"""The events API as a program uses it: shapes, privacy, throttling, permissions, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from phaen.accounts.models import Role
from phaen.consultation.models import Event, EventMode, Registration
from phaen.core.models import AuditRecord
from phaen.geography.models import Province
from tests.conftest import member, planning_office, signed_in
from tests.consultation.test_events import make_event, make_hearing, register, soon
from tests.plans.factories import ElementFactory, OrganisationFactory, PlanFactory, publish

pytestmark = pytest.mark.django_db

API = "/api/consultation/events"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def planner_api() -> Client:
    return signed_in(member("api-event-planner", Role.PLANNER, planning_office()))


@pytest.fixture
def stranger_api() -> Client:
    return signed_in(member("api-event-x", Role.PLANNER, OrganisationFactory(code="api-x")))


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def test_the_list_runs_a_fixed_number_of_queries(django_assert_num_queries):
    def grow(n: int) -> None:
        for _ in range(n):
            number = Event.objects.count()
            plan = publish(PlanFactory())
            event = make_event(
                f"api-list-{number}",
                plan=plan,
                hearing=make_hearing(plan, code=f"api-h-{number}"),
                province=Province.objects.get(code="40"),
                registration_open=True,
            )
            register(event)

    grow(2)
    client = Client()
    client.get(API)
    with CaptureQueriesContext(connection) as small:
        first = client.get(API)
    grow(8)
    with django_assert_num_queries(len(small)):
        second = client.get(API)

    assert first.status_code == second.status_code == 200
    assert second.json()["count"] >= 10


def test_the_list_filters_and_names_only_published_plans():
    publish(PlanFactory(code="api-public"))
    PlanFactory(code="api-draft")
    make_event("on-public", plan=PlanFactory._meta.model.objects.get(code="api-public"))
    make_event("on-draft", plan=PlanFactory._meta.model.objects.get(code="api-draft"))

    items = {e["code"]: e for e in Client().get(API, {"kind": "workshop"}).json()["items"]}
    only = Client().get(API, {"plan": "api-public"}).json()["items"]

    assert items["on-public"]["plan"] == "api-public"
    assert items["on-draft"]["plan"] is None
    assert [e["code"] for e in only] == ["on-public"]


def test_the_reference_eec_meeting_in_the_api():
    data = Client().get(f"{API}/eec-digital-infra-2-hearing-chonburi").json()

    assert data["kind"] == "hearing_meeting" and data["mode"] == "hybrid"
    assert (data["attendance"], data["online_views"]) == (200, 1400)
    assert data["province"] == "20"
    assert data["hearing"]["code"] == "eec-digital-infra-2-hearing"
    assert data["plan"] == "eec-digital-infra-2"
    assert [s["key"] for s in data["sources"]] == ["seed-003"]
    assert data["participants"] == []


def test_registering_through_the_api_and_the_public_register_keeps_emails_out():
    make_event("api-join", registration_open=True)

    listed = send(
        Client(),
        "post",
        f"{API}/api-join/registrations",
        {
            "name": "สมปอง",
            "organisation_name": "เทศบาลทดสอบ",
            "email": "sompong@example.org",
            "public_in_register": True,
            "consent": True,
        },
    )
    hidden = send(
        Client(),
        "post",
        f"{API}/api-join/registrations",
        {"name": "ไม่ประสงค์ออกนาม", "email": "anon@example.org", "consent": True},
    )
    detail = Client().get(f"{API}/api-join")

    assert listed.status_code == hidden.status_code == 201
    assert listed.json()["public_in_register"] is True
    assert detail.json()["participants"] == [{"name": "สมปอง", "organisation": "เทศบาลทดสอบ"}]
    assert detail.json()["registered"] == 2
    assert "example.org" not in detail.content.decode()
    assert "ไม่ประสงค์ออกนาม" not in detail.content.decode()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "ไม่ยินยอม"}, 422, "registration_consent_required"),
        ({"name": "หุ่นยนต์", "consent": True, "website": "x"}, 400, "registration_rejected"),
        ({"name": "เลข 1234567890123", "consent": True}, 422, "registration_national_id"),
        ({"consent": True}, 422, "invalid_input"),
    ],
)
def test_refused_registrations_write_nothing(body, status, code):
    make_event("api-join", registration_open=True)

    response = send(Client(), "post", f"{API}/api-join/registrations", body)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Registration.objects.exists()


def test_fifty_registrations_in_a_minute_from_one_address_are_throttled():
    make_event("api-busy", registration_open=True)
    client = Client(REMOTE_ADDR="198.51.100.7")

    statuses = [
        send(
            client,
            "post",
            f"{API}/api-busy/registrations",
            {"name": f"คนที่ {n}", "consent": True},
        ).status_code
        for n in range(50)
    ]

    assert statuses.count(201) == 10
    assert statuses.count(429) == 40
    assert Registration.objects.count() == 10


def test_staff_announce_change_record_and_delete_an_event(planner_api):
    plan = publish(PlanFactory(code="api-crud-plan"))
    element = ElementFactory(plan=plan, code="api-crud-el")

    created = send(
        planner_api,
        "post",
        API,
        {
            "code": "api-crud",
            "kind": "seminar",
            "mode": "hybrid",
            "title_th": "สัมมนาทดสอบ",
            "organiser": planning_office().code,
            "plan": "api-crud-plan",
            "starts_at": soon(-1).isoformat(),
            "province": "10",
            "online_url": "https://example.org/stream",
            "sources": ["seed-004"],
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["online_url"] == "https://example.org/stream"

    changed = send(planner_api, "patch", f"{API}/api-crud", {"venue": "ห้องประชุมใหญ่"})
    assert changed.status_code == 200 and changed.json()["venue"] == "ห้องประชุมใหญ่"

    recorded = send(
        planner_api,
        "put",
        f"{API}/api-crud/record",
        {"minutes": "บันทึก", "outputs": ["api-crud-el"], "attendance": 40, "online_views": 300},
    )
    assert recorded.status_code == 200, recorded.content
    data = recorded.json()
    assert [o["code"] for o in data["outputs"]] == [element.code]
    assert (data["attendance"], data["online_views"], data["minutes"]) == (40, 300, "บันทึก")

    unknown = send(planner_api, "put", f"{API}/api-crud/record", {"outputs": ["nope"]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_code"

    assert send(planner_api, "delete", f"{API}/api-crud").status_code == 204
    assert not Event.objects.filter(code="api-crud").exists()


def test_writes_need_a_user_and_strangers_are_refused(stranger_api):
    make_event("api-guarded", starts_at=soon(-1))
    body = {
        "code": "api-new",
        "kind": "workshop",
        "title_th": "ประชุม",
        "organiser": planning_office().code,
        "starts_at": soon().isoformat(),
    }

    assert send(Client(), "post", API, body).status_code == 401
    assert send(Client(), "patch", f"{API}/api-guarded", {"venue": "x"}).status_code == 401
    assert send(Client(), "get", f"{API}/api-guarded/registrations").status_code == 401
    refused = send(stranger_api, "post", API, body)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert send(stranger_api, "patch", f"{API}/api-guarded", {"venue": "x"}).status_code == 403
    assert (
        send(stranger_api, "put", f"{API}/api-guarded/record", {"minutes": "x"}).status_code == 403
    )
    assert send(stranger_api, "delete", f"{API}/api-guarded").status_code == 403
    assert send(stranger_api, "get", f"{API}/api-guarded/registrations").status_code == 403
    assert AuditRecord.objects.filter(action="registration.list", outcome="denied").exists()
    assert Event.objects.filter(code="api-guarded", venue="").exists()


def test_unknown_codes_are_named_on_their_field(planner_api):
    response = send(
        planner_api,
        "post",
        API,
        {
            "code": "api-unknown",
            "kind": "workshop",
            "title_th": "ประชุม",
            "organiser": planning_office().code,
            "hearing": "no-such-hearing",
            "starts_at": soon().isoformat(),
        },
    )

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_code"
    assert "hearing" in response.json()["detail"]["fields"]


def test_the_organiser_and_auditors_read_everyone_registered(planner_api):
    event = make_event("api-reg", registration_open=True)
    registration = register(event, name="ผู้ร่วม", email="r@example.org")
    auditor = signed_in(member("api-auditor", Role.AUDITOR, OrganisationFactory(code="api-oag")))

    staff = send(planner_api, "get", f"{API}/api-reg/registrations")
    audit = send(auditor, "get", f"{API}/api-reg/registrations")
    marked = send(
        planner_api, "patch", f"{API}/api-reg/registrations/{registration.pk}", {"attended": True}
    )
    refused = send(
        auditor, "patch", f"{API}/api-reg/registrations/{registration.pk}", {"attended": False}
    )

    assert staff.status_code == audit.status_code == 200
    assert staff.json()["items"][0]["email"] == "r@example.org"
    assert marked.status_code == 200 and marked.json()["attended"] is True
    assert refused.status_code == 403
    registration.refresh_from_db()
    assert registration.attended is True


def test_online_views_belong_to_online_events(planner_api):
    make_event("api-room", starts_at=soon(-1), mode=EventMode.IN_PERSON)

    response = send(planner_api, "put", f"{API}/api-room/record", {"online_views": 10})

    assert response.status_code == 422
    assert response.json()["code"] == "event_online_views_in_person"
