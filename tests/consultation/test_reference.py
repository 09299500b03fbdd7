"""The reference hearings and events of `phaen load-reference`.

tests/conftest.py runs every registered loader once per session; these tests read what the
"consultation" loader wrote from phaen/consultation/reference/, then reload to check that a
second load writes nothing, never moves a hearing back, keeps what users added, and that a bad
file names its entry and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from phaen.consultation.models import (
    Event,
    EventKind,
    EventMode,
    Hearing,
    HearingStatus,
    Registration,
)
from phaen.consultation.reference_loader import REFERENCE_DIR, consultation_load_reference
from phaen.core.models import AuditRecord
from phaen.core.reference import ReferenceError, loaders
from phaen.core.services import reference_load_all
from phaen.orgs.models import Organisation
from phaen.plans.models import PlanVersion

pytestmark = pytest.mark.django_db

THAI = dt.timezone(dt.timedelta(hours=7))


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, THAI)


def test_the_consultation_loader_runs_after_the_delivery_loader():
    order = [loader.name for loader in loaders()]

    assert order.index("consultation") == order.index("delivery") + 1


def test_the_eec_phase_two_hearing_with_the_counts_the_report_gives():
    hearing = Hearing.objects.select_related("plan", "organiser", "version").get(
        code="eec-digital-infra-2-hearing"
    )

    assert hearing.plan.code == "eec-digital-infra-2"
    assert hearing.organiser.code == "mdes"
    newest = PlanVersion.objects.filter(plan=hearing.plan).order_by("-number").first()
    assert newest is not None and hearing.version == newest
    # The report gives the meeting day only: the hearing is recorded as that whole day.
    assert _local(hearing.starts_at) == dt.datetime(2025, 2, 22, 0, 0, tzinfo=THAI)
    assert _local(hearing.ends_at).date() == dt.date(2025, 2, 22)
    assert hearing.ends_at > hearing.starts_at
    # Held, with no published summary in the sources: closed, not summarised.
    assert hearing.status == HearingStatus.CLOSED
    assert hearing.summary_th == "" and hearing.summary_published_at is None
    assert (hearing.reported_participants, hearing.reported_online_views) == (200, 1400)
    assert hearing.online_views == 0  # Phaen's own count: nobody has read it on Phaen yet
    assert (hearing.in_person, hearing.online_comments) == (True, False)
    assert "ชลบุรี ระยอง และฉะเชิงเทรา" in hearing.affected_groups
    assert "กว่า" in hearing.description  # the counts are minimums, and the text says so
    assert list(hearing.sources.values_list("key", flat=True)) == ["seed-003"]
    # No invented comments.
    assert not hearing.comments.exists()


def test_the_eec_hearing_meeting_in_chonburi_is_hybrid_with_its_counts():
    event = Event.objects.select_related("hearing", "plan", "province", "organiser").get(
        code="eec-digital-infra-2-hearing-chonburi"
    )

    assert event.kind == EventKind.HEARING_MEETING
    assert event.mode == EventMode.HYBRID
    assert event.hearing is not None and event.hearing.code == "eec-digital-infra-2-hearing"
    assert event.plan is not None and event.plan.code == "eec-digital-infra-2"
    assert event.organiser.code == "mdes"
    assert event.province is not None and event.province.code == "20"
    assert "เดอะไทด์" in event.venue
    assert _local(event.starts_at).date() == dt.date(2025, 2, 22)
    assert event.ends_at is None
    assert (event.attendance, event.online_views) == (200, 1400)
    assert event.online_url == ""  # the report gives no address for the stream
    assert event.registration_open is False
    assert not event.outputs.exists()
    assert list(event.sources.values_list("key", flat=True)) == ["seed-003"]


def test_the_mdes_strategy_workshop_without_a_head_count():
    event = Event.objects.select_related("plan", "organiser").get(
        code="mdes-strategy-workshop-2564"
    )

    assert event.kind == EventKind.WORKSHOP
    assert event.plan is not None and event.plan.code == "mdes-strategy-2566-2570"
    assert event.organiser.code == "mdes"
    assert _local(event.starts_at) == dt.datetime(2021, 12, 24, 0, 0, tzinfo=THAI)
    assert event.attendance is None
    assert event.hearing is None
    assert "หัวหน้าหน่วยงานในสังกัด" in event.minutes
    assert list(event.sources.values_list("key", flat=True)) == ["seed-002"]


def test_ondes_fourth_seminar_in_bangkok():
    event = Event.objects.select_related("plan", "organiser", "province").get(
        code="onde-social-development-seminar-4"
    )

    assert event.kind == EventKind.SEMINAR
    assert event.mode == EventMode.IN_PERSON
    assert event.plan is not None and event.plan.code == "onde-social-development-2563-2565"
    assert event.organiser.code == "onde"
    assert event.province is not None and event.province.code == "10"
    assert "แจ้งวัฒนะ" in event.venue
    assert _local(event.starts_at).date() == dt.date(2019, 6, 17)
    assert event.attendance is None and event.online_views is None
    assert list(event.sources.values_list("key", flat=True)) == ["seed-004"]


def _state() -> tuple[tuple[int, ...], set[object]]:
    counts = (Hearing.objects.count(), Event.objects.count(), Registration.objects.count())
    stamps = set(Hearing.objects.values_list("updated_at", flat=True)) | set(
        Event.objects.values_list("updated_at", flat=True)
    )
    return counts, stamps


def test_loading_twice_changes_nothing_and_adds_no_audit_records():
    before = _state()
    audit = AuditRecord.objects.count()

    reference_load_all()
    consultation_load_reference()

    assert _state() == before
    assert AuditRecord.objects.count() == audit


def test_a_reload_keeps_what_users_added_and_repairs_what_the_file_states():
    hearing = Hearing.objects.get(code="eec-digital-infra-2-hearing")
    event = Event.objects.get(code="eec-digital-infra-2-hearing-chonburi")
    invited = Organisation.objects.get(code="eeco")
    hearing.invited.add(invited)
    registration = Registration.objects.create(
        event=event, name="ผู้ลงทะเบียน", consent_at=timezone.now()
    )
    # The organiser publishes a summary: a reload must not take the hearing back to closed.
    Hearing.objects.filter(pk=hearing.pk).update(
        status=HearingStatus.SUMMARISED, summary_th="สรุปผล", summary_published_at=timezone.now()
    )
    # A figure the file states comes back; one it leaves unknown stays as a user set it.
    Event.objects.filter(pk=event.pk).update(attendance=150, online_url="https://example.org/live")

    consultation_load_reference()

    hearing.refresh_from_db()
    event.refresh_from_db()
    assert hearing.status == HearingStatus.SUMMARISED
    assert hearing.summary_th == "สรุปผล"
    assert invited in hearing.invited.all()
    assert Registration.objects.filter(pk=registration.pk).exists()
    assert event.attendance == 200
    assert event.online_url == "https://example.org/live"
    assert AuditRecord.objects.filter(
        action="event.update", target_id=str(event.pk), actor_repr="system"
    ).exists()


def test_a_hearing_deleted_reloads_on_the_plans_newest_version():
    Event.objects.filter(hearing__code="eec-digital-infra-2-hearing").update(hearing=None)
    Hearing.objects.filter(code="eec-digital-infra-2-hearing").delete()

    consultation_load_reference()

    hearing = Hearing.objects.get(code="eec-digital-infra-2-hearing")
    assert hearing.version == hearing.plan.versions.order_by("-number").first()
    assert Event.objects.get(code="eec-digital-infra-2-hearing-chonburi").hearing == hearing
    assert AuditRecord.objects.filter(action="hearing.create", target_id=str(hearing.pk)).exists()


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, copy)
    return copy


def test_a_broken_entry_names_the_file_and_entry_and_writes_nothing(reference_copy):
    hearings = reference_copy / "hearings.yaml"
    text = hearings.read_text(encoding="utf-8")
    assert "reported_participants: 200\n" in text
    # A valid change in the first file, then a broken entry in the second.
    hearings.write_text(
        text.replace("reported_participants: 200\n", "reported_participants: 201\n"), "utf-8"
    )
    events = reference_copy / "events.yaml"
    text = events.read_text(encoding="utf-8")
    assert "province: '10'" in text
    events.write_text(text.replace("province: '10'", "province: '99'"), "utf-8")
    before = _state()
    audit = AuditRecord.objects.count()

    with pytest.raises(ReferenceError) as err:
        consultation_load_reference(reference_copy)

    message = str(err.value.message)
    assert "events.yaml" in message
    assert "onde-social-development-seminar-4" in message
    assert "'99'" in message
    assert Hearing.objects.get(code="eec-digital-infra-2-hearing").reported_participants == 200
    assert _state() == before
    assert AuditRecord.objects.count() == audit


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("hearings.yaml", "plan: eec-digital-infra-2\n", "plan: no-such-plan\n", "no-such-plan"),
        ("hearings.yaml", "status: closed", "status: finished", "'finished'"),
        (
            "hearings.yaml",
            "ends_at: '2025-02-22T23:59:00+07:00'",
            "ends_at: '2025-02-21T23:59:00+07:00'",
            "close after it opens",
        ),
        ("hearings.yaml", "status: closed", "status: summarised", "summary"),
        ("hearings.yaml", "sources: [seed-003]", "sources: []", "'sources' is required"),
        ("events.yaml", "mode: hybrid", "mode: in_person", "in-person event"),
        ("events.yaml", "kind: seminar", "kind: party", "'party'"),
        (
            "events.yaml",
            "hearing: eec-digital-infra-2-hearing\n",
            "hearing: no-such-hearing\n",
            "no-such-hearing",
        ),
        (
            "events.yaml",
            "    plan: eec-digital-infra-2\n",
            "    plan: eec-digital-infra-1\n",
            "not the plan of the hearing",
        ),
        ("events.yaml", "attendance: 200", "attendance: more than 200", "'attendance'"),
        ("events.yaml", "starts_at: 2019-06-17", "starts_at: 17 June 2562", "'starts_at'"),
        ("events.yaml", "sources: [seed-004]", "sources: [seed-999]", "seed-999"),
    ],
)
def test_bad_references_are_refused_with_the_file_and_entry_named(
    reference_copy, file, old, new, expected
):
    path = reference_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(ReferenceError) as err:
        consultation_load_reference(reference_copy)

    message = str(err.value.message)
    assert file in message
    assert "'" in message  # the entry is named by its code
    assert expected in message


def test_an_output_outside_the_events_plan_is_refused(reference_copy):
    path = reference_copy / "events.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    sources: [seed-002]", "    outputs: [eec2-a1]\n    sources: [seed-002]"),
        encoding="utf-8",
    )

    with pytest.raises(ReferenceError) as err:
        consultation_load_reference(reference_copy)

    assert "mdes-strategy-workshop-2564" in str(err.value.message)
    assert "eec2-a1" in str(err.value.message)
