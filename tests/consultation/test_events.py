"""Events (hearing meetings, workshops, seminars) and their registrations, through the services:
who may do what, what is refused and why, what is written and audited, and the selectors'
filters and queries.

The helpers at the top (`make_event`, `make_hearing`, `register`) are shared with
test_events_views.py and test_events_api.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phaen.accounts.models import Role
from phaen.consultation import event_selectors as selectors
from phaen.consultation import event_services as services
from phaen.consultation.event_services import EventError, RegistrationError
from phaen.consultation.models import (
    Channel,
    Comment,
    Event,
    EventKind,
    EventMode,
    Hearing,
    HearingStatus,
    Registration,
    Stance,
)
from phaen.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from phaen.core.models import AuditRecord
from phaen.geography.models import Province
from phaen.plans.permissions import SYSTEM
from tests.conftest import member, planning_office
from tests.plans.factories import ElementFactory, OrganisationFactory, PlanFactory, publish

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()


def soon(days: int = 10) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)


def make_hearing(plan: Any, *, code: str = "test-hearing", **fields: Any) -> Hearing:
    defaults: dict[str, Any] = {
        "title_th": "รับฟังความคิดเห็นทดสอบ",
        "organiser": plan.owner,
        "starts_at": soon(-5),
        "ends_at": soon(20),
        "status": HearingStatus.OPEN,
    }
    defaults.update(fields)
    return Hearing.objects.create(code=code, plan=plan, **defaults)


def make_event(code: str = "test-event", **fields: Any) -> Event:
    """An event made through the service by the system (so it is valid and audited)."""
    values: dict[str, Any] = {
        "kind": EventKind.WORKSHOP,
        "title_th": "ประชุมเชิงปฏิบัติการทดสอบ",
        "organiser": planning_office(),
        "starts_at": soon(),
    }
    values.update(fields)
    return services.event_create(actor=SYSTEM, code=code, **values)


def register(event: Event, name: str = "สมชาย ใจดี", **fields: Any) -> Registration:
    values: dict[str, Any] = {"consent": True}
    values.update(fields)
    return services.registration_add(actor=ANONYMOUS, event=event, name=name, **values)


@pytest.fixture
def planner() -> Any:
    return member("event-planner", Role.PLANNER, planning_office())


@pytest.fixture
def stranger() -> Any:
    return member("event-stranger", Role.PLANNER, OrganisationFactory(code="event-elsewhere"))


# --- Announcing events ----------------------------------------------------------------------


def test_a_planner_announces_an_event_of_their_organisation(planner):
    plan = publish(PlanFactory())
    event = services.event_create(
        actor=planner,
        code="kk-hearing",
        kind=EventKind.HEARING_MEETING,
        mode=EventMode.HYBRID,
        title_th="ประชุมรับฟังความคิดเห็น",
        organiser=planning_office(),
        plan=plan,
        starts_at=soon(),
        ends_at=soon() + dt.timedelta(hours=3),
        venue="ศาลากลางจังหวัด",
        province=Province.objects.get(code="40"),
        online_url="https://example.org/live",
        registration_open=True,
    )

    assert Event.objects.get(code="kk-hearing").plan == plan
    record = AuditRecord.objects.get(action="event.create", target_id=str(event.pk))
    assert record.actor_id == planner.pk
    assert record.after is not None and record.after["online_url"] == "https://example.org/live"


def test_a_planner_of_another_organisation_is_refused_and_the_refusal_is_audited(stranger):
    with pytest.raises(PermissionDenied):
        services.event_create(
            actor=stranger,
            code="not-theirs",
            kind=EventKind.SEMINAR,
            title_th="สัมมนา",
            organiser=planning_office(),
            starts_at=soon(),
        )

    assert not Event.objects.filter(code="not-theirs").exists()
    assert AuditRecord.objects.filter(
        action="event.create", outcome="denied", actor_id=stranger.pk
    ).exists()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"code": "new"}, EventError.CODE_INVALID, "code"),
        ({"code": "Not A Slug"}, EventError.CODE_INVALID, "code"),
        ({"title_th": "  "}, EventError.TITLE_REQUIRED, "title_th"),
        ({"kind": "party"}, EventError.CHOICE_INVALID, "kind"),
        ({"ends_at": soon(9)}, EventError.DATES_ORDER, "ends_at"),
        ({"online_url": "https://example.org/x"}, EventError.ONLINE_URL_IN_PERSON, "online_url"),
        (
            {"online_url": "javascript:alert(1)", "mode": EventMode.ONLINE},
            EventError.ONLINE_URL_INVALID,
            "online_url",
        ),
    ],
)
def test_invalid_events_are_refused_on_their_field(planner, change, code, field):
    values: dict[str, Any] = {
        "code": "bad-event",
        "kind": EventKind.WORKSHOP,
        "title_th": "ประชุม",
        "organiser": planning_office(),
        "starts_at": soon(10),
    }
    values.update(change)

    with pytest.raises(ValidationFailed) as err:
        services.event_create(actor=planner, **values)

    assert err.value.code == code
    assert field in err.value.detail["fields"]
    assert not Event.objects.filter(title_th="ประชุม").exists()


def test_a_code_is_used_once(planner):
    make_event("taken")

    with pytest.raises(ValidationFailed) as err:
        make_event("taken")

    assert err.value.code == EventError.CODE_TAKEN


def test_an_event_of_a_hearing_is_about_the_hearings_plan(planner):
    plan = publish(PlanFactory())
    hearing = make_hearing(plan)

    event = services.event_create(
        actor=planner,
        code="of-hearing",
        kind=EventKind.HEARING_MEETING,
        title_th="ประชุมรับฟัง",
        organiser=planning_office(),
        hearing=hearing,
        starts_at=soon(),
    )
    assert event.plan == plan

    with pytest.raises(ValidationFailed) as err:
        services.event_update(actor=planner, event=event, plan=PlanFactory())
    assert err.value.code == EventError.PLAN_NOT_HEARINGS


def test_only_the_hearings_organiser_ties_events_to_it(stranger):
    hearing = make_hearing(publish(PlanFactory()))
    theirs = OrganisationFactory(code="event-elsewhere")

    with pytest.raises(PermissionDenied):
        services.event_create(
            actor=stranger,
            code="hijack",
            kind=EventKind.HEARING_MEETING,
            title_th="ประชุม",
            organiser=theirs,
            hearing=hearing,
            starts_at=soon(),
        )

    assert not Event.objects.filter(code="hijack").exists()
    assert AuditRecord.objects.filter(action="event.create", outcome="denied").exists()


def test_updating_changes_only_what_is_given_and_is_audited(planner):
    event = make_event(venue="ห้องประชุม 1")

    services.event_update(actor=planner, event=event, venue="ห้องประชุม 2", registration_open=True)

    event.refresh_from_db()
    assert (event.venue, event.registration_open) == ("ห้องประชุม 2", True)
    assert event.title_th == "ประชุมเชิงปฏิบัติการทดสอบ"
    record = AuditRecord.objects.get(action="event.update", target_id=str(event.pk))
    assert record.before is not None and record.before["venue"] == "ห้องประชุม 1"
    assert record.after is not None and record.after["venue"] == "ห้องประชุม 2"


def test_a_stranger_cannot_change_or_delete_an_event(stranger):
    event = make_event()

    with pytest.raises(PermissionDenied):
        services.event_update(actor=stranger, event=event, venue="ที่อื่น")
    with pytest.raises(PermissionDenied):
        services.event_delete(actor=stranger, event=event)
    # Nor move an event of their own to an organisation they do not plan for.
    theirs = make_event("theirs", organiser=OrganisationFactory(code="event-elsewhere"))
    with pytest.raises(PermissionDenied):
        services.event_update(actor=stranger, event=theirs, organiser=planning_office())

    assert Event.objects.filter(pk=event.pk, venue="").exists()
    assert AuditRecord.objects.filter(action="event.delete", outcome="denied").exists()


def test_deleting_an_event_deletes_its_registrations_but_not_when_comments_were_made_there(
    planner,
):
    event = make_event(registration_open=True)
    register(event)

    services.event_delete(actor=planner, event=event)

    assert not Event.objects.filter(code="test-event").exists()
    assert not Registration.objects.exists()
    record = AuditRecord.objects.get(action="event.delete")
    assert record.before is not None and record.before["registrations"] == 1

    plan = publish(PlanFactory())
    hearing = make_hearing(plan)
    held = make_event("held", hearing=hearing)
    Comment.objects.create(
        hearing=hearing,
        event=held,
        channel=Channel.IN_PERSON,
        stance=Stance.SUPPORT,
        body="เห็นด้วย",
        commenter_key="k",
        fingerprint="f",
    )
    with pytest.raises(ApplicationError) as err:
        services.event_delete(actor=planner, event=held)
    assert err.value.code == EventError.HAS_COMMENTS
    assert err.value.http_status == 409
    assert Event.objects.filter(code="held").exists()


# --- Registering ----------------------------------------------------------------------------


def test_anyone_registers_with_consent_and_the_audit_record_names_no_one():
    event = make_event(registration_open=True)

    registration = register(
        event,
        name="  สมหญิง   รักดี ",
        organisation_name="อบต. ทดสอบ",
        email="Somying@Example.org",
        public_in_register=True,
    )

    assert registration.name == "สมหญิง รักดี"
    assert registration.email == "somying@example.org"
    assert registration.consent_at is not None
    record = AuditRecord.objects.get(action="registration.create")
    text = f"{record.target_repr} {record.after}"
    assert "สมหญิง" not in text and "example.org" not in text
    assert record.actor_repr == "anonymous"
    assert record.after is not None and record.after["event"] == "test-event"


def test_registering_needs_consent_and_writes_nothing_without_it():
    event = make_event(registration_open=True)

    with pytest.raises(ValidationFailed) as err:
        register(event, consent=False)

    assert err.value.code == RegistrationError.CONSENT_REQUIRED
    assert "consent" in err.value.detail["fields"]
    assert not Registration.objects.exists()


def test_registration_is_refused_while_closed_and_after_the_event():
    closed = make_event("closed-one")
    over = make_event("over-one", registration_open=True, starts_at=soon(-3))

    for event in (closed, over):
        with pytest.raises(ApplicationError) as err:
            register(event)
        assert err.value.code == RegistrationError.CLOSED
        assert err.value.http_status == 409
    assert not Registration.objects.exists()


def test_a_filled_honeypot_is_refused_and_nothing_is_written():
    event = make_event(registration_open=True)
    audit = AuditRecord.objects.count()

    with pytest.raises(ApplicationError) as err:
        register(event, honeypot="http://spam.example")

    assert err.value.code == RegistrationError.REJECTED
    assert err.value.http_status == 400
    assert not Registration.objects.exists()
    assert AuditRecord.objects.count() == audit


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "สมชาย 1234567890123"),
        ("name", "สมชาย 1-2345-67890-12-3"),
        ("organisation_name", "บัตร ๑๒๓๔๕๖๗๘๙๐๑๒๓"),
        ("organisation_name", "เลขที่ 1 2345 67890 12 3"),
    ],
)
def test_a_national_id_number_is_never_collected(field, value):
    event = make_event(registration_open=True)
    values = {"name": "สมชาย", field: value}

    with pytest.raises(ValidationFailed) as err:
        register(event, **values)

    assert err.value.code == RegistrationError.NATIONAL_ID
    assert field in err.value.detail["fields"]
    assert not Registration.objects.exists()


def test_phone_numbers_and_years_are_not_mistaken_for_national_ids():
    assert not services.has_national_id("โทร 081-234-5678 ปี 2568")
    assert services.has_national_id("3100600123456")


def test_the_same_person_registers_once():
    event = make_event(registration_open=True)
    register(event, email="a@example.org")
    register(event, name="ไม่มีอีเมล", organisation_name="กรม ก")

    with pytest.raises(ValidationFailed) as by_email:
        register(event, name="อีกชื่อ", email="A@example.org")
    with pytest.raises(ValidationFailed) as by_name:
        register(event, name="ไม่มีอีเมล ", organisation_name="กรม ก")

    assert by_email.value.code == by_name.value.code == RegistrationError.DUPLICATE
    assert Registration.objects.count() == 2


def test_a_malformed_email_is_refused():
    event = make_event(registration_open=True)

    with pytest.raises(ValidationFailed) as err:
        register(event, email="not-an-address")

    assert err.value.code == RegistrationError.EMAIL_INVALID


def test_the_organiser_marks_attendance_and_a_stranger_cannot(planner, stranger):
    event = make_event(registration_open=True)
    registration = register(event)

    services.registration_mark_attended(actor=planner, registration=registration)
    with pytest.raises(PermissionDenied):
        services.registration_mark_attended(
            actor=stranger, registration=registration, attended=False
        )

    registration.refresh_from_db()
    assert registration.attended is True
    record = AuditRecord.objects.get(action="registration.mark_attended", outcome="ok")
    assert "สมชาย" not in record.target_repr
    assert AuditRecord.objects.filter(
        action="registration.mark_attended", outcome="denied", actor_id=stranger.pk
    ).exists()


# --- Recording what an event produced --------------------------------------------------------


def test_the_organiser_records_minutes_outputs_attendance_and_views(planner):
    plan = publish(PlanFactory())
    first, second = ElementFactory(plan=plan), ElementFactory(plan=plan)
    event = make_event(mode=EventMode.HYBRID, plan=plan, starts_at=soon(-1))

    services.event_record_outputs(
        actor=planner,
        event=event,
        minutes="ที่ประชุมเสนอให้เพิ่มโครงการ",
        outputs=[first, second],
        attendance=120,
        online_views=900,
    )
    # Only what is given changes.
    services.event_record_outputs(actor=planner, event=event, attendance=125)

    event.refresh_from_db()
    assert event.minutes == "ที่ประชุมเสนอให้เพิ่มโครงการ"
    assert set(event.outputs.all()) == {first, second}
    assert (event.attendance, event.online_views) == (125, 900)
    records = AuditRecord.objects.filter(action="event.record_outputs", target_id=str(event.pk))
    assert records.count() == 2
    last = records.order_by("-id").first()
    assert last is not None and last.before is not None and last.after is not None
    assert (last.before["attendance"], last.after["attendance"]) == (120, 125)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"attendance": -1}, EventError.COUNT_INVALID),
        ({"online_views": 10}, EventError.ONLINE_VIEWS_IN_PERSON),
        ({"outputs": "other-plan"}, EventError.OUTPUT_OTHER_PLAN),
    ],
)
def test_impossible_records_are_refused(planner, fields, code):
    plan = publish(PlanFactory())
    event = make_event(plan=plan, starts_at=soon(-1))
    if fields.get("outputs") == "other-plan":
        fields = {"outputs": [ElementFactory(plan=PlanFactory())]}

    with pytest.raises(ValidationFailed) as err:
        services.event_record_outputs(actor=planner, event=event, **fields)

    assert err.value.code == code
    event.refresh_from_db()
    assert event.attendance is None and not event.outputs.exists()


def test_outputs_need_a_plan_and_an_event_that_took_place(planner):
    without_plan = make_event("no-plan", starts_at=soon(-1))
    future = make_event("future", plan=publish(PlanFactory()))

    with pytest.raises(ValidationFailed) as err:
        services.event_record_outputs(actor=planner, event=without_plan, outputs=[ElementFactory()])
    assert err.value.code == EventError.OUTPUTS_NEED_PLAN
    with pytest.raises(ApplicationError) as early:
        services.event_record_outputs(actor=planner, event=future, minutes="ยังไม่จัด")
    assert early.value.code == EventError.NOT_HELD_YET


def test_a_stranger_cannot_record_outputs(stranger):
    event = make_event(starts_at=soon(-1))

    with pytest.raises(PermissionDenied):
        services.event_record_outputs(actor=stranger, event=event, minutes="ไม่ใช่ของเขา")

    assert AuditRecord.objects.filter(action="event.record_outputs", outcome="denied").exists()


# --- Reading -------------------------------------------------------------------------------


def test_the_list_filters_by_kind_plan_province_hearing_and_time():
    plan = publish(PlanFactory(code="filter-plan"))
    hearing = make_hearing(plan, code="filter-hearing")
    khon_kaen = Province.objects.get(code="40")
    make_event("a-seminar", kind=EventKind.SEMINAR, province=khon_kaen)
    make_event("a-meeting", kind=EventKind.HEARING_MEETING, hearing=hearing)
    make_event("a-past-workshop", plan=plan, starts_at=soon(-30))

    def codes(**filters: Any) -> set[str]:
        return set(
            selectors.event_list(**filters)
            .filter(code__startswith="a-")
            .values_list("code", flat=True)
        )

    assert codes(kind=EventKind.SEMINAR) == {"a-seminar"}
    assert codes(plan="filter-plan") == {"a-meeting", "a-past-workshop"}
    assert codes(province="40") == {"a-seminar"}
    assert codes(hearing="filter-hearing") == {"a-meeting"}
    assert codes(when="past") == {"a-past-workshop"}
    assert codes(when="upcoming") == {"a-seminar", "a-meeting"}


def test_the_list_counts_registrations_in_a_fixed_number_of_queries(django_assert_num_queries):
    def grow(n: int) -> None:
        for _ in range(n):
            plan = publish(PlanFactory())
            event = make_event(
                f"q-{Event.objects.count()}",
                plan=plan,
                hearing=make_hearing(plan, code=f"qh-{Event.objects.count()}"),
                province=Province.objects.get(code="40"),
                registration_open=True,
            )
            register(event, public_in_register=True)

    grow(2)
    with CaptureQueriesContext(connection) as small:
        rows = list(selectors.event_list())
        [(e.organiser.name_th, e.province, e.plan, e.hearing, e.registered) for e in rows]
    grow(6)
    with django_assert_num_queries(len(small)):
        rows = list(selectors.event_list())
        [(e.organiser.name_th, e.province, e.plan, e.hearing, e.registered) for e in rows]

    counted = {e.code: e.registered for e in rows if e.code.startswith("q-")}
    assert len(counted) == 8 and set(counted.values()) == {1}


def test_the_public_register_holds_only_those_who_chose_it():
    event = make_event(registration_open=True)
    register(event, name="แสดงชื่อ", email="shown@example.org", public_in_register=True)
    register(event, name="ไม่แสดงชื่อ", email="hidden@example.org")

    detail = selectors.event_detail("test-event")

    assert [p.name for p in detail.public_register] == ["แสดงชื่อ"]
    assert detail.registered == 2  # type: ignore[attr-defined]
    assert [r.name for r in selectors.registration_list(detail)] == ["แสดงชื่อ", "ไม่แสดงชื่อ"]
