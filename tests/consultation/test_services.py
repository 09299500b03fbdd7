"""The hearing and comment services: scheduling and steps, comments with PDPA consent and spam
protection, moderation with its log, official answers, the author's view, and comments that
stay anchored to their element when the plan is revised."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from phaen.consultation import selectors, services
from phaen.consultation.models import (
    Comment,
    CommentGroup,
    CommentStatus,
    Event,
    Hearing,
    HearingStatus,
    ModerationAction,
    Response,
)
from phaen.core.audit import audit_verify
from phaen.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from phaen.core.models import AuditRecord
from phaen.core.ratelimit import RateLimited
from phaen.plans import services as plan_services
from phaen.plans.models import PlanStatus, PlanVersion, VersionKind
from phaen.plans.permissions import SYSTEM
from tests.conftest import member, planning_office
from tests.consultation.hearing_fixtures import (  # noqa: F401
    EEC_CHILD,
    EEC_ELEMENT,
    clear_rate_limits,
    eec_plan,
    make_hearing,
    new_client,
    organisation,
    planner_of,
    post,
)
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db


def comment_audits() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(target_type="consultation.comment").order_by("id"))


# --- Hearings --------------------------------------------------------------------------------


def test_a_planner_of_the_owner_schedules_a_hearing_and_a_short_period_is_warned_not_refused():
    planner = planner_of("mdes")
    now = timezone.now()

    hearing, warnings = services.hearing_create(
        actor=planner,
        code="eec-hearing",
        title_th="รับฟังความคิดเห็นร่างแผน EEC",
        plan=eec_plan(),
        organiser=organisation("mdes"),
        starts_at=now,
        ends_at=now + dt.timedelta(days=7),
        invited=[organisation("eeco")],
    )

    assert hearing.status == HearingStatus.SCHEDULED
    assert len(warnings) == 1 and "15" in warnings[0]
    assert list(hearing.invited.values_list("code", flat=True)) == ["eeco"]
    record = AuditRecord.objects.get(action="hearing.create", target_id=str(hearing.pk))
    assert record.after["invited"] == ["eeco"]

    _same, longer = services.hearing_update(
        actor=planner, hearing=hearing, ends_at=now + dt.timedelta(days=15)
    )
    assert longer == []


def test_the_partner_may_organise_but_an_unrelated_organisation_may_not():
    now = timezone.now()
    arguments: dict[str, Any] = {
        "title_th": "รับฟัง",
        "plan": eec_plan(),
        "starts_at": now,
        "ends_at": now + dt.timedelta(days=20),
    }
    hearing, _ = services.hearing_create(
        actor=planner_of("eeco"), code="by-eeco", organiser=organisation("eeco"), **arguments
    )
    assert hearing.organiser.code == "eeco"

    with pytest.raises(ValidationFailed) as refused:
        services.hearing_create(
            actor=planner_of("depa"), code="by-depa", organiser=organisation("depa"), **arguments
        )
    assert refused.value.code == "hearing_organiser_unrelated"


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"code": "Not A Slug"}, "hearing_code_invalid", "code"),
        ({"code": "new"}, "hearing_code_invalid", "code"),
        ({"title_th": "  "}, "hearing_title_required", "title_th"),
        ({"ends_at": timezone.now() - dt.timedelta(days=3)}, "hearing_period_invalid", "ends_at"),
        (
            {"online_comments": False, "in_person": False, "written": False},
            "hearing_channel_required",
            "online_comments",
        ),
    ],
)
def test_invalid_hearings_are_refused_on_their_field(change, code, field):
    arguments: dict[str, Any] = {
        "code": "a-hearing",
        "title_th": "รับฟัง",
        "plan": eec_plan(),
        "organiser": organisation("mdes"),
        "starts_at": timezone.now(),
        "ends_at": timezone.now() + dt.timedelta(days=20),
    }
    arguments.update(change)

    with pytest.raises(ValidationFailed) as refused:
        services.hearing_create(actor=SYSTEM, **arguments)

    assert refused.value.code == code
    assert field in refused.value.detail["fields"]
    assert not Hearing.objects.filter(code=arguments["code"]).exists()


def test_a_planner_of_another_organisation_is_refused_and_the_refusal_is_audited():
    hearing = make_hearing(opened=False)
    stranger = planner_of("depa")

    with pytest.raises(PermissionDenied):
        services.hearing_update(actor=stranger, hearing=hearing, title_th="แก้")
    with pytest.raises(PermissionDenied):
        services.hearing_open(actor=stranger, hearing=hearing)

    denied = AuditRecord.objects.filter(outcome="denied", actor_id=stranger.pk)
    assert set(denied.values_list("action", flat=True)) == {"hearing.update", "hearing.open"}
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.SCHEDULED


def test_opening_links_the_newest_published_version_and_freezes_nothing():
    plan = eec_plan()
    versions = PlanVersion.objects.filter(plan=plan).count()

    hearing = make_hearing()

    assert hearing.status == HearingStatus.OPEN
    assert hearing.version == PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    assert PlanVersion.objects.filter(plan=plan).count() == versions
    record = AuditRecord.objects.get(action="hearing.open", target_id=str(hearing.pk))
    assert record.after["status"] == "open"


def test_opening_uses_the_hearing_version_the_plans_step_froze():
    planner = planner_of(planning_office().code)
    plan = PlanFactory()
    plan_services.element_create(actor=planner, plan=plan, kind="strategy", title_th="ยุทธศาสตร์ 1")
    hearing = make_hearing(plan=plan, organiser=planning_office(), opened=False)

    with pytest.raises(ApplicationError) as unpublished:
        services.hearing_open(actor=planner, hearing=hearing)
    assert unpublished.value.code == "hearing_plan_unpublished"

    plan_services.plan_transition(actor=planner, plan=plan, name="open_hearing")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_HEARING

    hearing = services.hearing_open(actor=planner, hearing=hearing)
    frozen = PlanVersion.objects.get(plan=plan)
    assert frozen.kind == VersionKind.HEARING
    assert hearing.version == frozen


def test_a_hearing_past_its_closing_time_cannot_open():
    now = timezone.now()
    hearing = make_hearing(
        opened=False, starts_at=now - dt.timedelta(days=20), ends_at=now - dt.timedelta(days=1)
    )
    with pytest.raises(ApplicationError) as refused:
        services.hearing_open(actor=SYSTEM, hearing=hearing)
    assert refused.value.code == "hearing_period_over"


def test_close_and_publish_the_summary_as_steps_of_the_hearing():
    planner = planner_of("mdes")
    hearing = make_hearing()

    with pytest.raises(ApplicationError) as too_early:
        services.hearing_publish_summary(actor=planner, hearing=hearing, summary_th="สรุป")
    assert too_early.value.code == "hearing_status_invalid"
    assert too_early.value.http_status == 409

    services.hearing_close(actor=planner, hearing=hearing)
    with pytest.raises(ValidationFailed) as empty:
        services.hearing_publish_summary(actor=planner, hearing=hearing, summary_th="  ")
    assert empty.value.code == "hearing_summary_required"

    hearing = services.hearing_publish_summary(
        actor=planner, hearing=hearing, summary_th="มีผู้แสดงความคิดเห็น 3 ราย"
    )
    assert hearing.status == HearingStatus.SUMMARISED
    assert hearing.summary_th == "มีผู้แสดงความคิดเห็น 3 ราย"
    assert hearing.summary_published_at is not None
    actions = AuditRecord.objects.filter(
        target_id=str(hearing.pk), target_type="consultation.hearing"
    )
    assert {"hearing.close", "hearing.publish_summary"} <= set(
        actions.values_list("action", flat=True)
    )


def test_the_plan_heard_cannot_change_once_open_and_a_heard_hearing_is_kept():
    hearing = make_hearing()
    post(hearing)

    with pytest.raises(ApplicationError) as locked:
        services.hearing_update(actor=SYSTEM, hearing=hearing, plan=PlanFactory())
    assert locked.value.code == "hearing_plan_locked"

    with pytest.raises(ApplicationError) as kept:
        services.hearing_delete(actor=SYSTEM, hearing=hearing)
    assert kept.value.code == "hearing_has_comments"
    assert Hearing.objects.filter(pk=hearing.pk).exists()

    unheard = make_hearing(opened=False)
    services.hearing_delete(actor=planner_of("mdes"), hearing=unheard)
    assert not Hearing.objects.filter(pk=unheard.pk).exists()


# --- Posting comments --------------------------------------------------------------------------


def test_a_comment_is_posted_with_consent_anchored_to_an_element_of_the_version_heard():
    hearing = make_hearing()

    comment, key = post(
        hearing,
        element_code=EEC_CHILD,
        quote="ASEAN Digital Hub",
        author_name="สมศรี มีสุข",
        author_organisation="สภาอุตสาหกรรมจังหวัดชลบุรี",
        show_identity=True,
        email="somsri@example.org",
    )

    assert comment.status == CommentStatus.PUBLISHED
    assert comment.element_code == EEC_CHILD
    assert comment.element_title.startswith("โครงการยกระดับโครงสร้างพื้นฐานโทรคมนาคม")
    assert comment.consent_at is not None
    assert comment.consent_text_version == services.CONSENT_TEXT_VERSION
    assert len(key) >= 30
    assert comment.access_key_hash == selectors.access_key_hash(key)
    assert key not in comment.access_key_hash
    assert len(comment.commenter_key) == 64 and "198.51.100" not in comment.commenter_key
    assert comment.fingerprint == services.fingerprint(comment.body)


def test_consent_is_required_and_nothing_is_written_without_it():
    hearing = make_hearing()

    with pytest.raises(ValidationFailed) as refused:
        post(hearing, consent=False)

    assert refused.value.code == "comment_consent_required"
    assert refused.value.http_status == 422
    assert "consent" in refused.value.detail["fields"]
    assert Comment.objects.filter(hearing=hearing).count() == 0


@pytest.mark.parametrize("field", ["body", "author_name", "author_organisation"])
@pytest.mark.parametrize(
    "number", ["1101700203451", "1-1017-00203-45-1", "1 1017 00203 45 1", "๑๑๐๑๗๐๐๒๐๓๔๕๑"]
)
def test_a_national_id_number_is_refused_wherever_it_is_typed(field, number):
    hearing = make_hearing()
    fields = {field: f"ข้อมูลของฉัน {number} ขอบคุณ"}
    if field == "body":
        fields["body"] = f"เลขบัตรประชาชนของฉันคือ {number} ช่วยติดต่อกลับ"

    with pytest.raises(ValidationFailed) as refused:
        post(hearing, **fields)

    assert refused.value.code == "comment_national_id"
    assert field in refused.value.detail["fields"]
    assert not Comment.objects.filter(hearing=hearing).exists()


def test_phone_numbers_years_and_amounts_are_not_mistaken_for_id_numbers():
    hearing = make_hearing()
    comment, _ = post(
        hearing,
        body="โทร 038-123-456 หรือ 081-234-5678 ช่วงปี 2567 2568 2569 2570 งบ 1,250,000,000 บาท",
    )
    assert comment.pk is not None


def test_a_filled_honeypot_drops_the_submission_and_writes_nothing():
    hearing = make_hearing()
    audits = AuditRecord.objects.count()

    with pytest.raises(ApplicationError) as dropped:
        post(hearing, honeypot="http://spam.example")

    assert dropped.value.code == "comment_rejected"
    assert dropped.value.http_status == 400
    assert Comment.objects.count() == 0
    assert AuditRecord.objects.count() == audits


def test_posting_fifty_comments_from_one_address_is_throttled():
    hearing = make_hearing()
    client = new_client()
    accepted = throttled = 0

    for n in range(50):
        try:
            post(hearing, client=client, body=f"ความเห็นที่ {n} เรื่องโครงข่ายอินเทอร์เน็ต")
        except RateLimited as exc:
            throttled += 1
            assert exc.http_status == 429 and exc.detail["retry_after"] > 0
        else:
            accepted += 1

    assert throttled > 0
    assert Comment.objects.filter(hearing=hearing).count() == accepted
    # At most 10 a minute: 10 in one window, up to 20 when the loop straddles a minute.
    assert 10 <= accepted <= 20
    # Another address is not held back.
    assert post(hearing)[0].pk is not None


def test_the_same_comment_from_the_same_commenter_is_refused_as_a_duplicate():
    hearing = make_hearing()
    client = new_client()
    post(hearing, client=client, body="ควรขยาย  5G ให้ครอบคลุมนิคมอุตสาหกรรม")

    with pytest.raises(ValidationFailed) as duplicate:
        post(hearing, client=client, body="ควรขยาย 5G ให้ครอบคลุมนิคมอุตสาหกรรม ")
    assert duplicate.value.code == "comment_duplicate"

    # Someone else may say the same thing.
    post(hearing, body="ควรขยาย 5G ให้ครอบคลุมนิคมอุตสาหกรรม")
    assert Comment.objects.filter(hearing=hearing).count() == 2


def test_comments_are_taken_only_on_elements_heard_and_only_while_open():
    hearing = make_hearing()
    with pytest.raises(ValidationFailed) as unknown:
        post(hearing, element_code="ns-strategy-1")
    assert unknown.value.code == "comment_element_unknown"

    general, _ = post(hearing, element_code="")
    assert general.element_code == "" and general.element_title == ""

    services.hearing_close(actor=SYSTEM, hearing=hearing)
    with pytest.raises(ApplicationError) as closed:
        post(hearing)
    assert closed.value.code == "hearing_not_open"
    assert closed.value.http_status == 409


def test_with_moderation_a_comment_waits_and_the_audit_holds_no_personal_data():
    hearing = make_hearing(moderation=True)

    comment, _ = post(
        hearing,
        author_name="นายทดสอบ ลับมาก",
        author_organisation="บริษัทลับ จำกัด",
        email="secret@example.org",
        show_identity=False,
    )

    assert comment.status == CommentStatus.PENDING
    record = comment_audits()[-1]
    assert record.action == "comment.post"
    assert record.actor_id is None
    text = str(record.after) + record.target_repr + str(record.before)
    for private in ("นายทดสอบ", "บริษัทลับ", "secret@example.org", comment.body):
        assert private not in text
    assert record.after["status"] == "pending"


# --- Staff entries -----------------------------------------------------------------------------


def test_staff_enter_written_and_in_person_comments_with_consent_for_personal_data():
    planner = planner_of("mdes")
    hearing = make_hearing()
    event = Event.objects.create(
        code="eec-chonburi-meeting",
        kind="hearing_meeting",
        title_th="ประชุมรับฟังความคิดเห็น ชลบุรี",
        hearing=hearing,
        plan=hearing.plan,
        organiser=hearing.organiser,
        starts_at=timezone.now(),
    )

    with pytest.raises(ValidationFailed) as no_consent:
        services.comment_enter(
            actor=planner,
            hearing=hearing,
            channel="written",
            stance="oppose",
            body="ไม่เห็นด้วยกับการตั้งเสาสัญญาณใกล้โรงเรียน",
            author_name="นายสมชาย",
        )
    assert no_consent.value.code == "comment_consent_required"

    written = services.comment_enter(
        actor=planner,
        hearing=hearing,
        channel="written",
        stance="oppose",
        body="ไม่เห็นด้วยกับการตั้งเสาสัญญาณใกล้โรงเรียน",
        author_name="นายสมชาย",
        consent=True,
        element_code=EEC_ELEMENT,
    )
    remark = services.comment_enter(
        actor=planner,
        hearing=hearing,
        channel="in_person",
        stance="support",
        body="เห็นด้วยกับ Smart Region",
        event=event,
    )

    assert written.status == CommentStatus.PUBLISHED and written.entered_by == planner
    assert written.consent_at is not None and written.channel == "written"
    assert remark.event == event and remark.consent_at is None
    with pytest.raises(ValidationFailed) as online:
        services.comment_enter(
            actor=planner, hearing=hearing, channel="online", stance="support", body="x"
        )
    assert online.value.code == "comment_channel_invalid"
    with pytest.raises(PermissionDenied):
        services.comment_enter(
            actor=planner_of("depa"), hearing=hearing, channel="written", stance="support", body="y"
        )


# --- Moderation --------------------------------------------------------------------------------


def test_moderation_publishes_hides_with_a_reason_and_restores_with_a_log():
    moderator = planner_of("mdes")
    hearing = make_hearing(moderation=True)
    comment, _ = post(hearing)

    comment = services.comment_moderate(actor=moderator, comment=comment, action="publish")
    assert comment.status == CommentStatus.PUBLISHED

    with pytest.raises(ValidationFailed) as no_reason:
        services.comment_moderate(actor=moderator, comment=comment, action="hide")
    assert no_reason.value.code == "moderation_reason_required"

    comment = services.comment_moderate(
        actor=moderator, comment=comment, action="hide", reason="ข้อความโฆษณา"
    )
    assert comment.status == CommentStatus.HIDDEN
    with pytest.raises(ApplicationError) as again:
        services.comment_moderate(actor=moderator, comment=comment, action="publish")
    assert again.value.http_status == 409

    comment = services.comment_moderate(actor=moderator, comment=comment, action="restore")
    assert comment.status == CommentStatus.PUBLISHED

    log = list(ModerationAction.objects.filter(comment=comment).order_by("id"))
    assert [(a.action, a.reason, a.actor) for a in log] == [
        ("publish", "", moderator),
        ("hide", "ข้อความโฆษณา", moderator),
        ("restore", "", moderator),
    ]
    actions = [r.action for r in comment_audits() if r.target_id == str(comment.pk)]
    assert actions == ["comment.post", "comment.publish", "comment.hide", "comment.restore"]
    assert audit_verify().ok


def test_only_the_organisers_planners_moderate_and_refusals_are_audited():
    hearing = make_hearing()
    comment, _ = post(hearing)
    stranger = planner_of("depa")
    auditor = member("auditor-x", "auditor", organisation("depa"))

    for actor in (stranger, auditor):
        with pytest.raises(PermissionDenied):
            services.comment_moderate(actor=actor, comment=comment, action="hide", reason="x")
        assert AuditRecord.objects.filter(
            actor_id=actor.pk, action="comment.hide", outcome="denied"
        ).exists()
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PUBLISHED
    assert not ModerationAction.objects.exists()


# --- Answers and the author's view -------------------------------------------------------------


def test_answers_to_a_comment_and_to_its_group_reach_the_author_through_the_key():
    planner = planner_of("mdes")
    hearing = make_hearing()
    first, first_key = post(hearing)
    second, second_key = post(hearing)

    with pytest.raises(ValidationFailed) as no_reason:
        services.response_set(actor=planner, comment=first, decision="accepted", reason=" ")
    assert no_reason.value.code == "response_reason_required"
    with pytest.raises(ValidationFailed) as unknown:
        services.response_set(
            actor=planner,
            comment=first,
            decision="accepted",
            reason="ปรับแก้แล้ว",
            changed_element_code="nowhere",
        )
    assert unknown.value.code == "response_element_unknown"

    response = services.response_set(
        actor=planner,
        comment=first,
        decision="partly",
        reason="เพิ่มในแผนงานที่ 2",
        change_made="เพิ่มจุดบริการ Wi-Fi",
        changed_element_code=EEC_ELEMENT,
    )
    again = services.response_set(
        actor=planner, comment=first, decision="accepted", reason="รับไว้ทั้งหมด"
    )
    assert again.pk == response.pk and Response.objects.filter(comment=first).count() == 1

    group = CommentGroup.objects.create(hearing=hearing, name="อินเทอร์เน็ตสาธารณะ")
    Comment.objects.filter(pk=second.pk).update(group=group)
    services.response_set(actor=planner, group=group, decision="out_of_scope", reason="อยู่ในแผนอื่น")

    seen_first = selectors.comment_for_author(first.pk, first_key)
    assert seen_first.answer.decision == "accepted"  # type: ignore[attr-defined]
    assert seen_first.answer.reason == "รับไว้ทั้งหมด"  # type: ignore[attr-defined]
    seen_second = selectors.comment_for_author(second.pk, second_key)
    assert seen_second.answer.decision == "out_of_scope"  # type: ignore[attr-defined]
    assert seen_second.answered_as_group  # type: ignore[attr-defined]

    with pytest.raises(NotFound):
        selectors.comment_for_author(first.pk, second_key)
    with pytest.raises(NotFound):
        selectors.comment_for_author(first.pk, "")
    records = AuditRecord.objects.filter(action="response.set")
    assert records.count() == 3
    assert records.order_by("id")[1].before["decision"] == "partly"


def test_a_stranger_cannot_answer():
    hearing = make_hearing()
    comment, _ = post(hearing)
    with pytest.raises(PermissionDenied):
        services.response_set(
            actor=planner_of("depa"), comment=comment, decision="accepted", reason="ok"
        )
    assert not Response.objects.exists()
    assert AuditRecord.objects.filter(action="response.set", outcome="denied").exists()


# --- Anchors survive revisions -----------------------------------------------------------------


def test_a_comment_stays_under_its_element_with_its_quote_after_the_element_is_revised(client):
    planner = planner_of(planning_office().code)
    plan = PlanFactory()
    element = plan_services.element_create(
        actor=planner,
        plan=plan,
        kind="strategy",
        number="1",
        code="rev-e",
        title_th="พัฒนาโครงข่ายบรอดแบนด์ในชุมชน",
    )
    plan_services.plan_transition(actor=planner, plan=plan, name="open_hearing")  # version 1
    hearing = make_hearing(plan=plan, organiser=planning_office(), code="rev-hearing")
    comment, key = post(
        hearing, element_code="rev-e", quote="บรอดแบนด์ในชุมชน", body="ควรรวมหมู่บ้านห่างไกล"
    )
    assert comment.element_title == "1 พัฒนาโครงข่ายบรอดแบนด์ในชุมชน"

    # The plan is revised: the element's text changes and a new version is frozen.
    services.hearing_close(actor=planner, hearing=hearing)
    plan_services.plan_transition(actor=planner, plan=plan, name="close_hearing")
    plan_services.element_update(
        actor=planner, element=element, title_th="พัฒนาโครงข่ายบรอดแบนด์ความเร็วสูงทุกหมู่บ้าน"
    )
    plan_services.plan_transition(actor=planner, plan=plan, name="open_hearing")  # version 2
    assert PlanVersion.objects.filter(plan=plan).count() == 2

    page = selectors.hearing_detail(hearing)
    entry = page.entries_by_code["rev-e"]
    assert [c.pk for c in entry.comments] == [comment.pk]
    assert entry.comments[0].quote == "บรอดแบนด์ในชุมชน"
    assert entry.newer_label == "1 พัฒนาโครงข่ายบรอดแบนด์ความเร็วสูงทุกหมู่บ้าน"

    html = client.get(f"/consultation/{hearing.code}/").content.decode()
    assert "บรอดแบนด์ในชุมชน" in html  # the quote
    assert "ควรรวมหมู่บ้านห่างไกล" in html
    assert "พัฒนาโครงข่ายบรอดแบนด์ความเร็วสูงทุกหมู่บ้าน" in html  # the new title, noted
    assert "1 พัฒนาโครงข่ายบรอดแบนด์ในชุมชน" in html  # the title when commented, noted
    assert html.index('id="element-rev-e"') < html.index(f'id="comment-{comment.pk}"')

    # A second round heard on version 2 still anchors to the same code.
    second = make_hearing(plan=plan, organiser=planning_office(), code="rev-hearing-2")
    assert second.version.number == 2  # type: ignore[union-attr]
    later, _ = post(second, element_code="rev-e", body="ดีขึ้นแล้ว")
    assert later.element_title == "1 พัฒนาโครงข่ายบรอดแบนด์ความเร็วสูงทุกหมู่บ้าน"
    assert selectors.comment_for_author(comment.pk, key).element_code == "rev-e"


def test_a_hearing_on_one_section_takes_comments_on_that_section_only():
    plan = eec_plan()
    section = plan.elements.get(code=EEC_ELEMENT)
    hearing = make_hearing(section=section)

    assert set(selectors.element_index(hearing)) == {EEC_ELEMENT, EEC_CHILD, "eec2-a1-p2"}
    assert post(hearing, element_code=EEC_CHILD)[0].pk
    with pytest.raises(ValidationFailed) as outside:
        post(hearing, element_code="eec2-a2")
    assert outside.value.code == "comment_element_unknown"
