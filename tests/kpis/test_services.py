"""The indicator, target and actual services: every rule, the review flow and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phaen.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from phaen.core.models import AuditRecord
from phaen.core.uploads import upload_storage
from phaen.kpis import services
from phaen.kpis.models import Actual, ActualStatus, Indicator
from phaen.kpis.permissions import SYSTEM
from phaen.plans.models import Source
from tests.kpis.factories import (
    ActualFactory,
    IndicatorFactory,
    World,
    actuals,
    local_administration,
    province,
    targets,
    world,
)
from tests.plans.factories import ElementFactory, PlanFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def w() -> World:
    return world()


def denied(action: str) -> int:
    return AuditRecord.objects.filter(action=action, outcome="denied").count()


# --- Indicators --------------------------------------------------------------------------------


def test_create_an_indicator_of_an_element_takes_the_elements_plan(w: World) -> None:
    element = ElementFactory()
    source = Source.objects.create(key="kpi-src", title="แหล่ง")
    indicator = services.indicator_create(
        actor=w.users["planner"],
        code="broadband-households",
        name_th="ครัวเรือนที่เข้าถึงอินเทอร์เน็ตความเร็วสูง",
        element=element,
        owner=w.owner,
        measure_type="percent",
        baseline_value=Decimal("55.5"),
        baseline_date=dt.date(2024, 1, 1),
        sources=[source],
    )
    assert indicator.plan_id == element.plan_id
    assert "ครัวเรือน" in indicator.search_document
    record = w.records().get(action="indicator.create")
    assert record.after["code"] == "broadband-households"
    assert record.after["sources"] == ["kpi-src"]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"code": "Not A Slug"}, "indicator_code_invalid", "code"),
        ({"code": "actuals"}, "indicator_code_reserved", "code"),
        ({"code": "kpi-world"}, "indicator_code_taken", "code"),
        ({"name_th": "  "}, "indicator_name_required", "name_th"),
        ({"plan": None}, "indicator_plan_required", "plan"),
        ({"measure_type": "litres"}, "indicator_choice_invalid", "measure_type"),
        ({"frequency": "monthly"}, "indicator_choice_invalid", "frequency"),
        ({"aggregation": "weighted"}, "indicator_aggregation_invalid", "aggregation"),
        (
            {"measure_type": "percent", "baseline_value": Decimal("120")},
            "indicator_baseline_invalid",
            "baseline_value",
        ),
        (
            {"measure_type": "boolean", "baseline_value": Decimal("0.5")},
            "indicator_baseline_invalid",
            "baseline_value",
        ),
        ({"measure_type": "money", "baseline_value": -5}, "indicator_baseline_invalid", None),
        ({"baseline_value": "many"}, "indicator_baseline_invalid", "baseline_value"),
    ],
)
def test_indicator_rules(w: World, fields: dict[str, Any], code: str, field: str | None) -> None:
    arguments: dict[str, Any] = {
        "code": "new-indicator",
        "name_th": "ตัวชี้วัดใหม่",
        "plan": PlanFactory(),
        "owner": w.owner,
        **fields,
    }
    with pytest.raises(ValidationFailed) as caught:
        services.indicator_create(actor=w.users["planner"], **arguments)
    assert caught.value.code == code
    if field:
        assert field in caught.value.detail["fields"]
    assert not Indicator.objects.filter(code="new-indicator").exists()


def test_the_element_must_belong_to_the_plan(w: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.indicator_create(
            actor=w.users["planner"],
            code="mismatch",
            name_th="ไม่ตรงแผน",
            plan=PlanFactory(),
            element=ElementFactory(),
            owner=w.owner,
        )
    assert caught.value.code == "indicator_element_in_other_plan"


def test_only_the_owners_planners_create_indicators(w: World) -> None:
    for role in ("other_planner", "reporter", "approver", "auditor"):
        with pytest.raises(PermissionDenied):
            services.indicator_create(
                actor=w.users[role],
                code=f"by-{role}",
                name_th="ไม่ได้",
                plan=PlanFactory(),
                owner=w.owner,
            )
    assert denied("indicator.create") == 4
    services.indicator_create(
        actor=w.users["system_admin"],
        code="by-admin",
        name_th="ได้",
        plan=PlanFactory(),
        owner=w.owner,
    )


def test_update_changes_the_given_fields_and_records_both_states(w: World) -> None:
    indicator = services.indicator_update(
        actor=w.users["planner"], indicator=w.indicator, name_th="ชื่อใหม่", unit="ครัวเรือน"
    )
    assert indicator.name_th == "ชื่อใหม่"
    assert "ชื่อใหม่" in indicator.search_document
    record = w.records().get(action="indicator.update")
    assert record.before["name_th"] != "ชื่อใหม่"
    assert record.after["unit"] == "ครัวเรือน"


def test_update_refuses_a_plan_that_strands_figures(w: World) -> None:
    ActualFactory(indicator=w.indicator, fiscal_year=2567)
    short = PlanFactory(start_year=2025, end_year=2027)  # FY 2568-2570
    with pytest.raises(ValidationFailed) as caught:
        services.indicator_update(actor=w.users["planner"], indicator=w.indicator, plan=short)
    assert caught.value.code == "indicator_period_conflict"
    assert "2567" in caught.value.message


def test_update_refuses_yearly_when_quarterly_figures_exist(w: World) -> None:
    w.indicator.frequency = "quarterly"
    w.indicator.save()
    ActualFactory(indicator=w.indicator, quarter=2, status=ActualStatus.DRAFT)
    with pytest.raises(ValidationFailed) as caught:
        services.indicator_update(
            actor=w.users["planner"], indicator=w.indicator, frequency="yearly"
        )
    assert caught.value.code == "indicator_frequency_conflict"


def test_update_to_another_owner_needs_that_owner_too(w: World) -> None:
    with pytest.raises(PermissionDenied):
        services.indicator_update(actor=w.users["planner"], indicator=w.indicator, owner=w.other)
    assert denied("indicator.update") == 1


def test_delete_is_refused_while_actuals_exist(w: World) -> None:
    ActualFactory(indicator=w.indicator)
    with pytest.raises(ApplicationError) as caught:
        services.indicator_delete(actor=w.users["planner"], indicator=w.indicator)
    assert caught.value.code == "indicator_has_actuals"
    assert caught.value.http_status == 409
    assert Indicator.objects.filter(pk=w.indicator.pk).exists()


def test_delete_removes_the_indicator_and_its_targets(w: World) -> None:
    services.target_set(actor=w.users["planner"], indicator=w.indicator, fiscal_year=2567, value=5)
    services.indicator_delete(actor=w.users["planner"], indicator=w.indicator)
    assert not Indicator.objects.filter(code="kpi-world").exists()
    assert not targets().exists()
    assert w.records().filter(action="indicator.delete").count() == 1


# --- Targets -----------------------------------------------------------------------------------


def test_target_set_creates_then_replaces(w: World) -> None:
    first = services.target_set(
        actor=w.users["planner"], indicator=w.indicator, fiscal_year=2567, value=10
    )
    second = services.target_set(
        actor=w.users["planner"], indicator=w.indicator, fiscal_year=2567, value=12
    )
    assert first.pk == second.pk
    assert targets().get().value == Decimal("12.0000")
    records = w.records().filter(action="target.set").order_by("id")
    assert records[0].before is None
    assert records[1].before["value"] == "10.0000"
    assert records[1].after["value"] == "12.0000"


def test_target_delete(w: World) -> None:
    target = services.target_set(
        actor=w.users["planner"], indicator=w.indicator, fiscal_year=2567, value=10
    )
    with pytest.raises(PermissionDenied):
        services.target_delete(actor=w.users["other_planner"], target=target)
    services.target_delete(actor=w.users["planner"], target=target)
    assert not targets().exists()


def test_targets_are_for_the_owners_planners(w: World) -> None:
    for role in ("reporter", "approver", "other_planner"):
        with pytest.raises(PermissionDenied):
            services.target_set(
                actor=w.users[role], indicator=w.indicator, fiscal_year=2567, value=1
            )
    assert denied("target.set") == 3


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ({"fiscal_year": 2565}, "target_period_outside_plan", "fiscal_year"),
        ({"fiscal_year": 2571}, "target_period_outside_plan", "fiscal_year"),
        ({"fiscal_year": "ปีหน้า"}, "target_fiscal_year_invalid", "fiscal_year"),
        ({"fiscal_year": 2567, "quarter": 5}, "target_quarter_invalid", "quarter"),
        ({"fiscal_year": 2567, "quarter": 2}, "target_quarter_invalid", "quarter"),
        ({"fiscal_year": 2567, "area_level": "province"}, "target_area_invalid", "province"),
        ({"fiscal_year": 2567, "area_level": "galaxy"}, "target_area_invalid", "area_level"),
        ({"fiscal_year": 2567, "value": None}, "target_value_required", "value"),
        ({"fiscal_year": 2567, "value": "abc"}, "target_value_invalid", "value"),
    ],
)
def test_target_rules(w: World, arguments: dict[str, Any], code: str, field: str) -> None:
    arguments = {"value": 5, **arguments}
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(actor=w.users["planner"], indicator=w.indicator, **arguments)
    assert caught.value.code == code
    assert field in caught.value.detail["fields"]
    assert not targets().exists()


def test_the_period_message_names_the_plan_period_in_be(w: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(
            actor=w.users["planner"], indicator=w.indicator, fiscal_year=2565, value=1
        )
    assert "2566–2570" in caught.value.message
    assert caught.value.detail["plan_period_be"] == "2566–2570"


def test_the_plan_period_edges_are_inside(w: World) -> None:
    for year in (2566, 2570):
        services.target_set(
            actor=w.users["planner"], indicator=w.indicator, fiscal_year=year, value=1
        )
    assert targets().count() == 2


def test_quarterly_indicators_take_quarters(w: World) -> None:
    w.indicator.frequency = "quarterly"
    w.indicator.save()
    for quarter in (0, 1, 4):
        services.target_set(
            actor=w.users["planner"],
            indicator=w.indicator,
            fiscal_year=2567,
            quarter=quarter,
            value=1,
        )
    assert sorted(targets().values_list("quarter", flat=True)) == [0, 1, 4]


@pytest.mark.parametrize(
    ("measure_type", "value", "ok"),
    [
        ("percent", 100, True),
        ("percent", Decimal("100.5"), False),
        ("percent", -1, False),
        ("boolean", 1, True),
        ("boolean", 2, False),
        ("money", -10, False),
        ("number", -10, True),
    ],
)
def test_values_follow_the_measure_type(w: World, measure_type: str, value: Any, ok: bool) -> None:
    w.indicator.measure_type = measure_type
    w.indicator.save()
    if ok:
        services.target_set(
            actor=w.users["planner"], indicator=w.indicator, fiscal_year=2567, value=value
        )
    else:
        with pytest.raises(ValidationFailed) as caught:
            services.target_set(
                actor=w.users["planner"], indicator=w.indicator, fiscal_year=2567, value=value
            )
        assert caught.value.code == "target_value_invalid"


def test_a_percent_is_computed_from_its_parts(w: World) -> None:
    w.indicator.measure_type = "percent"
    w.indicator.save()
    target = services.target_set(
        actor=w.users["planner"],
        indicator=w.indicator,
        fiscal_year=2567,
        numerator=1,
        denominator=3,
    )
    assert target.value == Decimal("33.3333")
    assert target.numerator == 1 and target.denominator == 3


def test_a_ratio_is_computed_and_needs_a_positive_denominator(w: World) -> None:
    w.indicator.measure_type = "ratio"
    w.indicator.save()
    target = services.target_set(
        actor=w.users["planner"],
        indicator=w.indicator,
        fiscal_year=2567,
        numerator=3,
        denominator=4,
    )
    assert target.value == Decimal("0.75")
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(
            actor=w.users["planner"],
            indicator=w.indicator,
            fiscal_year=2568,
            numerator=3,
            denominator=0,
        )
    assert caught.value.code == "target_denominator_invalid"
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(
            actor=w.users["planner"], indicator=w.indicator, fiscal_year=2568, numerator=3
        )
    assert caught.value.code == "target_value_required"
    assert "denominator" in caught.value.detail["fields"]


def test_a_weighted_indicator_needs_both_parts(w: World) -> None:
    w.indicator.measure_type = "percent"
    w.indicator.aggregation = "weighted"
    w.indicator.save()
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(
            actor=w.users["planner"], indicator=w.indicator, fiscal_year=2567, value=50
        )
    assert caught.value.code == "target_value_required"


# --- Areas -------------------------------------------------------------------------------------


def test_area_keys_for_every_level(w: World) -> None:
    khon_kaen = province("40")
    lao = local_administration()
    region = khon_kaen.region
    from phaen.geography.models import SpecialZone

    zone = SpecialZone.objects.first()
    cases = [
        ({"area_level": "nation"}, "TH"),
        ({"area_level": "region", "region": region}, f"R:{region.code}"),
        ({"area_level": "special_zone", "special_zone": zone}, f"Z:{zone.code}"),
        ({"area_level": "province", "province": khon_kaen}, "P:40"),
        ({"area_level": "local", "local_organisation": lao}, "L:test-lao-40"),
    ]
    for area, key in cases:
        target = services.target_set(
            actor=w.users["planner"], indicator=w.indicator, fiscal_year=2567, value=1, **area
        )
        assert target.area_key == key
    local = targets().get(area_key="L:test-lao-40")
    assert local.province == khon_kaen
    province_row = targets().get(area_key="P:40")
    assert province_row.region is None


def test_local_area_rules(w: World) -> None:
    homeless = local_administration("test-lao-nowhere", province_code="")
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(
            actor=w.users["planner"],
            indicator=w.indicator,
            fiscal_year=2567,
            value=1,
            area_level="local",
            local_organisation=homeless,
        )
    assert caught.value.code == "target_area_invalid"
    assert "province" in caught.value.message
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(
            actor=w.users["planner"],
            indicator=w.indicator,
            fiscal_year=2567,
            value=1,
            area_level="local",
            local_organisation=w.other,
        )
    assert "not a local administration" in caught.value.message
    with pytest.raises(ValidationFailed) as caught:
        services.target_set(
            actor=w.users["planner"],
            indicator=w.indicator,
            fiscal_year=2567,
            value=1,
            area_level="local",
            local_organisation=local_administration(),
            province=province("10"),
        )
    assert caught.value.detail["fields"].keys() == {"province"}


# --- Actuals: saving ---------------------------------------------------------------------------


def report(w: World, role: str = "reporter", **extra: Any) -> Actual:
    arguments: dict[str, Any] = {"fiscal_year": 2567, "value": 42, **extra}
    return services.actual_save(actor=w.users[role], indicator=w.indicator, **arguments)


def test_a_reporter_saves_a_draft_for_the_owner(w: World) -> None:
    actual = report(w, note=" ไตรมาสแรก ")
    assert actual.status == ActualStatus.DRAFT
    assert actual.reporting_organisation == w.owner
    assert actual.reporter == w.users["reporter"]
    assert actual.note == "ไตรมาสแรก"
    record = w.records().get(action="actual.create")
    assert record.after["status"] == "draft"
    assert record.after["value"] == "42.0000"


def test_saving_the_same_slot_again_updates_the_draft(w: World) -> None:
    first = report(w)
    second = report(w, value=43)
    assert first.pk == second.pk
    assert actuals().get().value == 43
    assert w.records().filter(action="actual.update").count() == 1


def test_a_planner_of_the_owner_may_report_too(w: World) -> None:
    assert report(w, "planner").reporting_organisation == w.owner


def test_a_provincial_office_reports_its_province_only(w: World) -> None:
    actual = report(w, "provincial_reporter", area_level="province", province=province("40"))
    assert actual.reporting_organisation == w.provincial
    with pytest.raises(PermissionDenied):
        report(w, "provincial_reporter", area_level="province", province=province("10"))
    with pytest.raises(PermissionDenied):
        report(w, "provincial_reporter")  # the nation's figure is the owner's to report
    assert denied("actual.create") == 2


def test_a_provincial_office_reports_a_local_administration_of_its_province(w: World) -> None:
    actual = report(
        w, "provincial_reporter", area_level="local", local_organisation=local_administration()
    )
    assert actual.reporting_organisation == w.provincial
    assert actual.province == province("40")


def test_another_organisation_may_not_report(w: World) -> None:
    for role in ("other_reporter", "other_planner", "approver", "auditor"):
        with pytest.raises(PermissionDenied):
            report(w, role)
    with pytest.raises(PermissionDenied):
        report(w, "other_reporter", reporting_organisation=w.other)
    assert not actuals().exists()
    assert denied("actual.create") == 5


def test_naming_an_organisation_one_does_not_report_for_is_denied(w: World) -> None:
    with pytest.raises(PermissionDenied):
        report(
            w,
            "reporter",
            area_level="province",
            province=province("40"),
            reporting_organisation=w.provincial,
        )


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"fiscal_year": 2560}, "actual_period_outside_plan"),
        ({"quarter": 3}, "actual_quarter_invalid"),
        ({"value": None}, "actual_value_required"),
        ({"evidence_url": "not a link"}, "actual_evidence_url_invalid"),
        ({"evidence_url": "ftp://example.org/x"}, "actual_evidence_url_invalid"),
    ],
)
def test_actual_rules(w: World, extra: dict[str, Any], code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        report(w, **extra)
    assert caught.value.code == code
    assert not actuals().exists()


def test_the_evidence_file_is_checked_and_stored(w: World) -> None:
    upload = SimpleUploadedFile("หลักฐาน.pdf", PDF, content_type="application/pdf")
    actual = report(w, evidence_file=upload, evidence_url="https://example.org/report")
    assert actual.evidence_name == "หลักฐาน.pdf"
    assert actual.evidence_file.startswith("kpis/kpi-world/evidence/")
    assert upload_storage().exists(actual.evidence_file)
    kept = report(w, value=1)  # no new file: the old one stays
    assert kept.evidence_file == actual.evidence_file
    removed = report(w, value=1, remove_evidence_file=True)
    assert removed.evidence_file == ""
    fake = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as caught:
        report(w, evidence_file=fake)
    assert caught.value.code == "upload_type_not_allowed"


def test_editing_a_submitted_or_approved_actual_is_refused(w: World) -> None:
    actual = report(w)
    services.actual_submit(actor=w.users["reporter"], actual=actual)
    with pytest.raises(ApplicationError) as caught:
        report(w, value=1)
    assert caught.value.code == "actual_slot_taken"
    with pytest.raises(ApplicationError) as caught:
        services.actual_save(
            actor=w.users["reporter"],
            indicator=w.indicator,
            actual=actual,
            fiscal_year=2567,
            value=1,
        )
    assert caught.value.code == "actual_status_invalid"
    assert actuals().get().value == 42


def test_moving_an_actual_onto_an_occupied_slot_is_refused(w: World) -> None:
    first = report(w)
    report(w, fiscal_year=2568)
    with pytest.raises(ApplicationError) as caught:
        services.actual_save(
            actor=w.users["reporter"],
            indicator=w.indicator,
            actual=first,
            fiscal_year=2568,
            value=1,
        )
    assert caught.value.code == "actual_slot_taken"


# --- Actuals: review ---------------------------------------------------------------------------


def test_the_review_flow(w: World) -> None:
    actual = report(w)
    actual = services.actual_submit(actor=w.users["reporter"], actual=actual)
    assert actual.status == ActualStatus.SUBMITTED and actual.submitted_at is not None
    with pytest.raises(ValidationFailed) as caught:
        services.actual_return(actor=w.users["approver"], actual=actual, note=" ")
    assert caught.value.code == "actual_return_note_required"
    actual = services.actual_return(actor=w.users["approver"], actual=actual, note="แก้ตัวเลข")
    assert actual.status == ActualStatus.RETURNED
    assert actual.review_note == "แก้ตัวเลข" and actual.reviewer == w.users["approver"]
    actual = services.actual_save(
        actor=w.users["reporter"], indicator=w.indicator, actual=actual, fiscal_year=2567, value=40
    )
    assert actual.status == ActualStatus.RETURNED and actual.value == 40
    actual = services.actual_submit(actor=w.users["reporter"], actual=actual)
    actual = services.actual_approve(actor=w.users["approver"], actual=actual, note="ถูกต้อง")
    assert actual.status == ActualStatus.APPROVED
    actions = list(
        w.records()
        .filter(target_type="kpis.actual", target_id=str(actual.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "actual.create",
        "actual.submit",
        "actual.return",
        "actual.update",
        "actual.submit",
        "actual.approve",
    ]
    approve = w.records().get(action="actual.approve")
    assert approve.before["status"] == "submitted" and approve.after["status"] == "approved"


def test_steps_from_the_wrong_state_are_conflicts(w: World) -> None:
    actual = report(w)
    for step in (services.actual_approve, services.actual_reopen):
        with pytest.raises(ApplicationError) as caught:
            step(actor=w.users["system_admin"], actual=actual)
        assert caught.value.code == "actual_status_invalid"
        assert caught.value.http_status == 409
    with pytest.raises(ValidationFailed) as caught:
        services.actual_step(actor=w.users["approver"], actual=actual, name="publish")
    assert caught.value.code == "actual_step_unknown"


def test_only_the_owners_approvers_review(w: World) -> None:
    actual = services.actual_submit(actor=w.users["reporter"], actual=report(w))
    for role in ("other_approver", "reporter", "planner", "auditor"):
        with pytest.raises(PermissionDenied):
            services.actual_approve(actor=w.users[role], actual=actual)
        with pytest.raises(PermissionDenied):
            services.actual_return(actor=w.users[role], actual=actual, note="no")
    assert denied("actual.approve") == 4
    assert denied("actual.return") == 4
    assert actuals().get().status == ActualStatus.SUBMITTED


def test_nobody_approves_their_own_figure_except_an_administrator(w: World) -> None:
    from phaen.accounts.models import Membership, Role
    from phaen.accounts.permissions import forget_roles

    both = w.users["reporter"]
    Membership.objects.create(user=both, organisation=w.owner, role=Role.APPROVER)
    forget_roles(both)
    actual = services.actual_submit(actor=both, actual=report(w))
    with pytest.raises(PermissionDenied) as caught:
        services.actual_approve(actor=both, actual=actual)
    assert caught.value.code == "actual_self_approval"
    assert (
        w.records()
        .filter(action="actual.approve", outcome="denied", reason="separation of duties")
        .exists()
    )
    services.actual_return(actor=both, actual=actual, note="ตรวจเอง")  # returning is allowed
    admin = w.users["system_admin"]
    own = services.actual_save(actor=admin, indicator=w.indicator, fiscal_year=2568, value=1)
    services.actual_submit(actor=admin, actual=own)
    assert services.actual_approve(actor=admin, actual=own).status == ActualStatus.APPROVED


def test_only_administrators_reopen_approved_actuals(w: World) -> None:
    actual = services.actual_submit(actor=w.users["reporter"], actual=report(w))
    actual = services.actual_approve(actor=w.users["approver"], actual=actual)
    for role in ("approver", "planner", "reporter"):
        with pytest.raises(PermissionDenied):
            services.actual_reopen(actor=w.users[role], actual=actual)
    with pytest.raises(ApplicationError) as caught:
        report(w, value=1)
    assert caught.value.code == "actual_slot_taken"
    actual = services.actual_reopen(actor=w.users["system_admin"], actual=actual, note="ตัวเลขผิด")
    assert actual.status == ActualStatus.SUBMITTED and actual.reviewer is None
    record = w.records().get(action="actual.reopen", outcome="ok")
    assert record.before["status"] == "approved" and record.reason == "ตัวเลขผิด"


def test_delete_drafts_and_returned_only(w: World) -> None:
    actual = report(w, evidence_file=SimpleUploadedFile("e.pdf", PDF))
    stored = actual.evidence_file
    with pytest.raises(PermissionDenied):
        services.actual_delete(actor=w.users["other_reporter"], actual=actual)
    services.actual_submit(actor=w.users["reporter"], actual=actual)
    with pytest.raises(ApplicationError) as caught:
        services.actual_delete(actor=w.users["reporter"], actual=actual)
    assert caught.value.code == "actual_status_invalid"
    services.actual_return(actor=w.users["approver"], actual=actual, note="ลบได้")
    services.actual_delete(actor=w.users["reporter"], actual=actual)
    assert not actuals().exists()
    assert w.records().filter(action="actual.delete", outcome="ok").count() == 1
    assert stored  # the file is removed when the transaction commits (not in this test's)


def test_the_system_actor_reports_for_any_organisation(w: World) -> None:
    actual = services.actual_save(
        actor=SYSTEM,
        indicator=w.indicator,
        fiscal_year=2567,
        value=1,
        reporting_organisation=w.other,
    )
    assert actual.reporting_organisation == w.other and actual.reporter is None


def test_an_indicator_factory_is_inside_its_plan() -> None:
    indicator = IndicatorFactory()
    assert services.fiscal_year_in_plan(indicator.plan, 2566)
    assert not services.fiscal_year_in_plan(indicator.plan, 2571)
