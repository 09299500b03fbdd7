"""The services: what they write, what they refuse and why, and what they record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phaen.accounts.models import Role
from phaen.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from phaen.core.models import AuditRecord
from phaen.core.uploads import upload_storage
from phaen.plans import services as plan_services
from phaen.plans.permissions import SYSTEM
from phaen.projects import services
from phaen.projects.models import (
    BudgetLine,
    Project,
    SmartCityDecision,
    SmartCityZone,
)
from tests.conftest import member, planning_office
from tests.projects.factories import (
    AgreementFactory,
    BudgetLineFactory,
    OrganisationFactory,
    PlanFactory,
    ProgrammeFactory,
    ProjectFactory,
    ZoneFactory,
    district,
    province,
    subdistrict,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def office() -> Any:
    return planning_office()


@pytest.fixture
def planner(office: Any) -> Any:
    return member("svc-planner", Role.PLANNER, office)


@pytest.fixture
def reporter(office: Any) -> Any:
    return member("svc-reporter", Role.DATA_REPORTER, office)


@pytest.fixture
def stranger() -> Any:
    return member("svc-stranger", Role.PLANNER, OrganisationFactory(code="svc-other"))


def last_audit() -> AuditRecord:
    return AuditRecord.objects.latest("id")


def refusal(function: Any, **kwargs: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        function(**kwargs)
    return caught.value


def field_of(error: ApplicationError) -> str:
    (name,) = error.detail["fields"]
    return name


# --- Projects ------------------------------------------------------------------------------


def test_project_create_writes_the_project_its_links_and_an_audit_record(planner, office):
    plan = PlanFactory()
    element = plan_services.element_create(actor=SYSTEM, plan=plan, kind="strategy", title_th="ก")
    partner = OrganisationFactory(code="svc-partner", name_th="มหาวิทยาลัยขอนแก่น")

    project = services.project_create(
        actor=planner,
        code="svc-smart-city",
        name_th="เมืองอัจฉริยะขอนแก่น",
        owner=office,
        kind="project",
        status="in_progress",
        start_date=dt.date(2025, 10, 1),
        end_date=dt.date(2027, 9, 30),
        area_level="province",
        provinces=[province("40", "ขอนแก่น")],
        partners=[(partner, "co_implementer")],
        alignments=[(element, Decimal("2"))],
    )

    assert project.alignments.get().weight == Decimal("2.00")
    assert project.partners.get().role == "co_implementer"
    assert "อัจฉริยะ" in project.search_document
    assert "มหาวิทยาลัยขอนแก่น" in project.search_document
    record = last_audit()
    assert (record.action, record.actor_id, record.outcome) == ("project.create", planner.pk, "ok")
    assert record.after["provinces"] == ["40"]
    assert record.after["partners"] == ["svc-partner:co_implementer"]
    assert record.after["elements"] == [f"{element.code}:2.00"]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"code": "Bad Code"}, "project_code_invalid", "code"),
        ({"name_th": "  "}, "project_name_required", "name_th"),
        ({"status": "done"}, "project_choice_invalid", "status"),
        (
            {"start_date": dt.date(2026, 1, 1), "end_date": dt.date(2025, 1, 1)},
            "project_dates_order",
            "end_date",
        ),
        ({"area_level": "province"}, "project_area_incomplete", "provinces"),
        ({"area_level": "region"}, "project_area_incomplete", "region"),
        ({"weight": Decimal("-1")}, "project_weight_invalid", "weight"),
    ],
)
def test_project_create_refuses_invalid_fields(planner, office, fields, code, field):
    arguments = {"code": "svc-p", "name_th": "โครงการ", "owner": office, **fields}

    error = refusal(services.project_create, actor=planner, **arguments)

    assert error.code == code
    assert field_of(error) == field
    assert not Project.objects.filter(code="svc-p").exists()


def test_an_unknown_choice_is_named_in_the_message(planner, office):
    error = refusal(
        services.project_create,
        actor=planner,
        code="svc-p",
        name_th="ก",
        owner=office,
        status="done",
    )

    assert "done" in str(error.message)
    assert "in_progress" in str(error.message)


def test_a_project_code_is_unique(planner, office):
    ProjectFactory(code="svc-taken")

    error = refusal(
        services.project_create, actor=planner, code="svc-taken", name_th="ก", owner=office
    )

    assert error.code == "project_code_taken"


def test_a_project_belongs_only_to_a_programme_and_never_to_itself(planner, office):
    project = ProjectFactory(kind="project")
    programme = ProjectFactory(kind="programme")
    inner = ProjectFactory(kind="programme", parent=programme)

    not_programme = refusal(
        services.project_create,
        actor=planner,
        code="svc-c",
        name_th="ก",
        owner=office,
        parent=project,
    )
    cycle = refusal(services.project_update, actor=planner, project=programme, parent=inner)

    assert not_programme.code == cycle.code == "project_parent_invalid"


def test_project_update_changes_only_what_is_given_and_records_before_and_after(planner):
    project = ProjectFactory(name_th="ชื่อเดิม", status="planned")

    services.project_update(actor=planner, project=project, name_th="ชื่อใหม่")

    project.refresh_from_db()
    assert (project.name_th, project.status) == ("ชื่อใหม่", "planned")
    record = last_audit()
    assert record.action == "project.update"
    assert (record.before["name_th"], record.after["name_th"]) == ("ชื่อเดิม", "ชื่อใหม่")


def test_a_planner_cannot_give_a_project_to_an_organisation_they_do_not_plan_for(planner):
    project = ProjectFactory()
    other = OrganisationFactory(code="svc-elsewhere")

    with pytest.raises(PermissionDenied):
        services.project_update(actor=planner, project=project, owner=other)

    assert Project.objects.get(pk=project.pk).owner_id == project.owner_id
    assert last_audit().outcome == "denied"


def test_a_stranger_is_refused_and_the_refusal_is_recorded(stranger):
    project = ProjectFactory(name_th="เดิม")

    with pytest.raises(PermissionDenied):
        services.project_update(actor=stranger, project=project, name_th="ใหม่")

    record = last_audit()
    assert (record.action, record.outcome, record.actor_id) == (
        "project.update",
        "denied",
        stranger.pk,
    )
    assert Project.objects.get(pk=project.pk).name_th == "เดิม"


def test_a_programme_with_projects_cannot_be_deleted(planner):
    programme = ProjectFactory(kind="programme")
    ProjectFactory(parent=programme, code="svc-child")

    error = refusal(services.project_delete, actor=planner, project=programme)

    assert error.code == "project_has_dependents"
    assert "svc-child" in str(error.message)


def test_project_delete_removes_it_and_records_what_it_was(planner):
    project = ProjectFactory(code="svc-gone")
    BudgetLineFactory(project=project)

    services.project_delete(actor=planner, project=project)

    assert not Project.objects.filter(code="svc-gone").exists()
    assert not BudgetLine.objects.filter(project_id=project.pk).exists()
    assert (last_audit().action, last_audit().target_id) == ("project.delete", str(project.pk))


def test_partners_and_plan_elements_are_added_once(planner):
    project = ProjectFactory()
    partner = OrganisationFactory()
    element = plan_services.element_create(
        actor=SYSTEM, plan=PlanFactory(), kind="strategy", title_th="ก"
    )
    services.project_partner_add(
        actor=planner, project=project, organisation=partner, role="funder"
    )
    services.project_align(actor=planner, project=project, element=element, weight=3)

    twice = refusal(
        services.project_partner_add,
        actor=planner,
        project=project,
        organisation=partner,
        role="funder",
    )
    linked_twice = refusal(services.project_align, actor=planner, project=project, element=element)

    assert twice.code == "project_partner_duplicate"
    assert linked_twice.code == "project_alignment_duplicate"
    assert last_audit().action == "project.align"


# --- Progress reports ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"fiscal_year": 2026}, "progress_fiscal_year_invalid", "fiscal_year"),
        ({"fiscal_year": 2701}, "progress_fiscal_year_invalid", "fiscal_year"),
        ({"quarter": 5}, "progress_quarter_invalid", "quarter"),
        ({"quarter": 0}, "progress_quarter_invalid", "quarter"),
        ({"progress": Decimal("100.01")}, "progress_percent_invalid", "progress"),
        ({"progress": Decimal("-1")}, "progress_percent_invalid", "progress"),
    ],
)
def test_progress_reports_refuse_bad_periods_and_percentages(reporter, fields, code, field):
    project = ProjectFactory()
    arguments = {"fiscal_year": 2569, "quarter": 1, "progress": Decimal("10"), **fields}

    error = refusal(services.progress_report_create, actor=reporter, project=project, **arguments)

    assert (error.code, field_of(error)) == (code, field)
    assert not project.reports.exists()


def test_the_project_progress_follows_its_latest_report(reporter):
    project = ProjectFactory()

    services.progress_report_create(
        actor=reporter, project=project, fiscal_year=2569, quarter=2, progress=40
    )
    older = services.progress_report_create(
        actor=reporter, project=project, fiscal_year=2569, quarter=1, progress=20
    )
    assert Project.objects.get(pk=project.pk).progress == Decimal("40.00")

    latest = services.progress_report_create(
        actor=reporter, project=project, fiscal_year=2570, quarter=1, progress=65
    )
    assert Project.objects.get(pk=project.pk).progress == Decimal("65.00")
    assert latest.reporter == reporter

    services.progress_report_update(actor=reporter, report=latest, progress=70)
    assert Project.objects.get(pk=project.pk).progress == Decimal("70.00")

    services.progress_report_delete(actor=reporter, report=latest)
    assert Project.objects.get(pk=project.pk).progress == Decimal("40.00")
    services.progress_report_update(actor=reporter, report=older, quarter=3, progress=90)
    assert Project.objects.get(pk=project.pk).progress == Decimal("90.00")
    assert last_audit().action == "progress_report.update"
    assert last_audit().after["project_progress"] == "90.00"


def test_one_report_a_quarter(reporter):
    project = ProjectFactory()
    services.progress_report_create(
        actor=reporter, project=project, fiscal_year=2569, quarter=1, progress=5
    )

    error = refusal(
        services.progress_report_create,
        actor=reporter,
        project=project,
        fiscal_year=2569,
        quarter=1,
        progress=6,
    )

    assert error.code == "progress_report_duplicate"


def test_an_auditor_may_not_file_a_report(office):
    auditor = member("svc-auditor", Role.AUDITOR, office)

    with pytest.raises(PermissionDenied):
        services.progress_report_create(
            actor=auditor, project=ProjectFactory(), fiscal_year=2569, quarter=1, progress=5
        )

    assert (last_audit().action, last_audit().outcome) == ("progress_report.create", "denied")


# --- Budget lines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "code", "field"),
    [
        ({"fiscal_year": 2025}, "budget_fiscal_year_invalid", "fiscal_year"),
        ({"planned": Decimal("-1")}, "budget_amount_negative", "planned"),
        (
            {"allocated": Decimal("100"), "committed": Decimal("120")},
            "budget_amounts_inconsistent",
            "committed",
        ),
        (
            {"committed": Decimal("50"), "disbursed": Decimal("60")},
            "budget_amounts_inconsistent",
            "disbursed",
        ),
        (
            {"allocated": Decimal("50"), "disbursed": Decimal("60")},
            "budget_amounts_inconsistent",
            "disbursed",
        ),
        ({"category": "gifts"}, "budget_choice_invalid", "category"),
        ({"funding_source": "lottery"}, "budget_choice_invalid", "funding_source"),
    ],
)
def test_budget_lines_refuse_bad_years_amounts_and_choices(planner, amounts, code, field):
    project = ProjectFactory()
    arguments = {"fiscal_year": 2569, **amounts}

    error = refusal(services.budget_line_create, actor=planner, project=project, **arguments)

    assert (error.code, field_of(error)) == (code, field)
    assert not project.budget_lines.exists()


def test_the_inconsistency_message_names_both_amounts(planner):
    error = refusal(
        services.budget_line_create,
        actor=planner,
        project=ProjectFactory(),
        fiscal_year=2569,
        allocated=Decimal("1000000"),
        committed=Decimal("1250000.50"),
    )

    assert "1,250,000.50" in str(error.message)
    assert "1,000,000.00" in str(error.message)


def test_a_consistent_budget_line_is_saved_rounded_to_the_satang(planner):
    project = ProjectFactory()

    line = services.budget_line_create(
        actor=planner,
        project=project,
        fiscal_year=2569,
        category="investment",
        planned="1200000",
        allocated=Decimal("1000000"),
        committed=Decimal("800000.004"),
        disbursed=Decimal("500000"),
    )

    line.refresh_from_db()
    assert line.committed == Decimal("800000.00")
    assert last_audit().after["allocated"] == "1000000.00"


def test_one_line_per_year_category_and_funding_source(planner):
    project = ProjectFactory()
    BudgetLineFactory(project=project, fiscal_year=2569, category="operating")

    error = refusal(
        services.budget_line_create,
        actor=planner,
        project=project,
        fiscal_year=2569,
        category="operating",
        funding_source="government",
    )

    assert error.code == "budget_line_duplicate"


def test_a_data_reporter_updates_actual_figures_but_nothing_else(reporter):
    line = BudgetLineFactory(allocated=Decimal("100"), note="เดิม")

    services.budget_line_update(
        actor=reporter,
        line=line,
        committed=Decimal("80"),
        disbursed=Decimal("30"),
        allocated=Decimal("100.00"),  # unchanged: does not count as a change
    )
    with pytest.raises(PermissionDenied):
        services.budget_line_update(actor=reporter, line=line, allocated=Decimal("200"))

    line.refresh_from_db()
    assert (line.allocated, line.committed, line.disbursed) == (
        Decimal("100.00"),
        Decimal("80.00"),
        Decimal("30.00"),
    )
    assert (last_audit().action, last_audit().outcome) == ("budget_line.update", "denied")
    with pytest.raises(PermissionDenied):
        services.budget_line_delete(actor=reporter, line=line)


def test_budget_update_checks_the_amounts_together(planner):
    line = BudgetLineFactory(allocated=Decimal("100"), committed=Decimal("90"))

    error = refusal(services.budget_line_update, actor=planner, line=line, allocated=Decimal("50"))

    assert error.code == "budget_amounts_inconsistent"
    assert BudgetLine.objects.get(pk=line.pk).allocated == Decimal("100.00")


# --- Milestones ------------------------------------------------------------------------------


def test_milestones_need_a_name_and_cannot_be_done_before_the_project_starts(planner):
    project = ProjectFactory(start_date=dt.date(2025, 10, 1))

    unnamed = refusal(services.milestone_create, actor=planner, project=project, name=" ")
    early = refusal(
        services.milestone_create,
        actor=planner,
        project=project,
        name="ส่งมอบ",
        done_date=dt.date(2025, 9, 1),
    )
    first = services.milestone_create(actor=planner, project=project, name="ทีโออาร์")
    second = services.milestone_create(actor=planner, project=project, name="ส่งมอบ")

    assert (unnamed.code, early.code) == ("milestone_name_required", "milestone_dates_order")
    assert (first.position, second.position) == (1, 2)
    services.milestone_update(actor=planner, milestone=first, status="done")
    assert last_audit().after["status"] == "done"


# --- Agreements ------------------------------------------------------------------------------


def test_agreement_create_with_parties_dimensions_and_projects(planner, office):
    city = OrganisationFactory(code="svc-city", name_th="เทศบาลนครขอนแก่น")
    project = ProjectFactory()

    agreement = services.agreement_create(
        actor=planner,
        code="svc-mou",
        title_th="บันทึกความเข้าใจเมืองอัจฉริยะ",
        owner=office,
        signed_on=dt.date(2024, 3, 1),
        signed_place="ศาลากลางจังหวัด",
        start_date=dt.date(2024, 3, 1),
        end_date=dt.date(2027, 3, 1),
        dimensions=[" ความเท่าเทียม ", "ความปลอดภัย", "ความเท่าเทียม", ""],
        status="in_force",
        parties=[
            {"organisation": city, "signatory_name": "นายกเทศมนตรี"},
            {"organisation": office, "role": "witness"},
        ],
        projects=[project],
    )

    assert agreement.dimensions == ["ความเท่าเทียม", "ความปลอดภัย"]
    assert [p.organisation.code for p in agreement.parties.order_by("position")] == [
        "svc-city",
        office.code,
    ]
    assert "เทศบาลนครขอนแก่น" in agreement.search_document
    assert last_audit().after["parties"] == ["svc-city:party", f"{office.code}:witness"]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        (
            {"start_date": dt.date(2025, 1, 1), "end_date": dt.date(2024, 1, 1)},
            "agreement_dates_order",
            "end_date",
        ),
        (
            {"signed_on": dt.date(2025, 1, 1), "end_date": dt.date(2024, 1, 1)},
            "agreement_dates_order",
            "end_date",
        ),
        ({"status": "draft"}, "agreement_status_invalid", "status"),
        ({"title_th": ""}, "agreement_title_required", "title_th"),
        ({"dimensions": "ความเท่าเทียม"}, "agreement_dimensions_invalid", "dimensions"),
    ],
)
def test_agreement_create_refuses_invalid_fields(planner, office, fields, code, field):
    arguments = {"code": "svc-mou", "title_th": "บันทึก", "owner": office, **fields}

    error = refusal(services.agreement_create, actor=planner, **arguments)

    assert (error.code, field_of(error)) == (code, field)


def test_a_party_is_named_once(planner):
    agreement = AgreementFactory()
    city = OrganisationFactory()
    services.agreement_party_add(actor=planner, agreement=agreement, organisation=city)

    error = refusal(
        services.agreement_party_add, actor=planner, agreement=agreement, organisation=city
    )

    assert error.code == "agreement_party_duplicate"


def test_documents_are_uploads_checked_by_their_bytes_or_links(
    planner, django_capture_on_commit_callbacks
):
    agreement = AgreementFactory(code="svc-docs")
    upload = SimpleUploadedFile("mou.pdf", PDF, content_type="application/pdf")
    fake = SimpleUploadedFile("mou.pdf", b"MZ not a pdf", content_type="application/pdf")

    stored = services.agreement_document_add(
        actor=planner, agreement=agreement, title="ฉบับลงนาม", upload=upload
    )
    link = services.agreement_document_add(
        actor=planner, agreement=agreement, title="ข่าว", url="https://example.org/mou"
    )
    empty = refusal(services.agreement_document_add, actor=planner, agreement=agreement, title="ก")
    refused = refusal(
        services.agreement_document_add, actor=planner, agreement=agreement, title="ก", upload=fake
    )

    assert stored.file.startswith("agreements/svc-docs/")
    assert stored.file_name == "mou.pdf"
    assert upload_storage().exists(stored.file)
    assert link.file == ""
    assert empty.code == "agreement_document_empty"
    assert refused.code == "upload_type_not_allowed"
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_document_remove(actor=planner, document=stored)
    assert not upload_storage().exists(stored.file)


# --- Area programmes -------------------------------------------------------------------------


def test_programme_provinces_and_dependents(planner, office):
    programme = services.area_programme_create(
        actor=planner,
        code="svc-pilot",
        name_th="จังหวัดนำร่อง",
        kind="pilot_provinces",
        owner=office,
    )
    services.programme_province_add(actor=planner, programme=programme, province=province())

    twice = refusal(
        services.programme_province_add, actor=planner, programme=programme, province=province()
    )
    wrong_kind = refusal(
        services.area_programme_create,
        actor=planner,
        code="svc-x",
        name_th="ก",
        kind="other",
        owner=office,
    )
    smart = ProgrammeFactory(code="svc-smart")
    ZoneFactory(programme=smart, code="svc-zone-in")
    in_use = refusal(services.area_programme_delete, actor=planner, programme=smart)

    assert twice.code == "programme_province_duplicate"
    assert wrong_kind.code == "programme_kind_invalid"
    assert in_use.code == "programme_has_dependents"
    assert "svc-zone-in" in str(in_use.message)


# --- Smart city zones ------------------------------------------------------------------------


@pytest.fixture
def zone(planner, office) -> SmartCityZone:
    programme = ProgrammeFactory(owner=office)
    city = OrganisationFactory(code="svc-municipality", kind="local_administration")
    return services.smart_city_zone_create(
        actor=planner,
        code="svc-zone",
        name_th="เมืองอัจฉริยะขอนแก่น",
        programme=programme,
        applicant=city,
        province=province(),
        district=district(),
        dimensions=["mobility", "living"],
        applied_on=dt.date(2023, 1, 10),
        reference="หนังสือที่ 1/2566",
    )


def step(actor: Any, zone: SmartCityZone, stage: str, day: dt.date | None, **extra: Any) -> Any:
    return services.smart_city_advance(actor=actor, zone=zone, stage=stage, decided_on=day, **extra)


def test_a_zone_starts_applied_with_a_dated_decision(zone):
    decision = zone.decisions.get()

    assert zone.stage == "applied"
    assert (decision.stage, decision.decided_on, decision.reference) == (
        "applied",
        dt.date(2023, 1, 10),
        "หนังสือที่ 1/2566",
    )
    assert decision.decided_by.code == "svc-municipality"
    assert last_audit().action == "smart_city.create"


def test_a_zone_moves_through_its_stages_in_order(planner, zone):
    step(
        planner,
        zone,
        "assessed",
        dt.date(2023, 3, 1),
        criteria={"boundary_goals": True, "data_platform": False},
        dimensions=["mobility", "governance"],
    )
    step(planner, zone, "announced", dt.date(2023, 6, 1), reference="ประกาศ ดศ.")
    decision = step(planner, zone, "certified", dt.date(2024, 2, 29))

    zone.refresh_from_db()
    assert zone.stage == "certified"
    assert zone.targets_due == dt.date(2026, 2, 28)  # two years on, 29 February having none
    assert zone.criteria == {"boundary_goals": True, "data_platform": False}
    assert zone.dimensions == ["mobility", "governance"]
    assert decision.actor == planner
    assert list(zone.decisions.values_list("stage", flat=True)) == [
        "applied",
        "assessed",
        "announced",
        "certified",
    ]
    record = last_audit()
    assert (record.action, record.after["targets_due"]) == ("smart_city.certified", "2026-02-28")

    step(planner, zone, "revoked", dt.date(2026, 3, 1), note="ไม่บรรลุเป้าหมาย")
    assert SmartCityZone.objects.get(pk=zone.pk).stage == "revoked"


@pytest.mark.parametrize(
    ("done", "stage"),
    [
        ([], "announced"),
        ([], "certified"),
        ([], "revoked"),
        (["assessed"], "certified"),
        (["assessed", "announced"], "rejected"),
        (["assessed", "announced", "certified"], "assessed"),
    ],
)
def test_a_step_out_of_order_is_a_conflict(planner, zone, done, stage):
    day = dt.date(2023, 2, 1)
    for earlier in done:
        step(planner, zone, earlier, day)

    with pytest.raises(ApplicationError) as caught:
        step(planner, zone, stage, day)

    assert (caught.value.code, caught.value.http_status) == ("smart_city_step_invalid", 409)
    assert SmartCityZone.objects.get(pk=zone.pk).stage == (done[-1] if done else "applied")


def test_an_application_is_rejected_while_applied_or_assessed(planner, zone):
    step(planner, zone, "assessed", None)
    step(planner, zone, "rejected", dt.date(2023, 5, 1))

    assert SmartCityZone.objects.get(pk=zone.pk).stage == "rejected"


def test_certification_needs_its_date_and_no_step_goes_back_in_time(planner, zone):
    step(planner, zone, "assessed", dt.date(2023, 3, 1))
    step(planner, zone, "announced", dt.date(2023, 6, 1))

    undated = refusal(step, actor=planner, zone=zone, stage="certified", day=None)
    earlier = refusal(step, actor=planner, zone=zone, stage="certified", day=dt.date(2023, 5, 1))

    assert (undated.code, field_of(undated)) == ("smart_city_date_required", "decided_on")
    assert (earlier.code, field_of(earlier)) == ("smart_city_date_before_previous", "decided_on")
    assert SmartCityDecision.objects.filter(zone=zone, stage="certified").count() == 0


def test_unknown_stages_criteria_and_dimensions_are_named(planner, zone):
    stage = refusal(step, actor=planner, zone=zone, stage="approved", day=None)
    criterion = refusal(
        step, actor=planner, zone=zone, stage="assessed", day=None, criteria={"budget": True}
    )
    dimension = refusal(
        services.smart_city_zone_update, actor=planner, zone=zone, dimensions=["tourism"]
    )

    assert (stage.code, criterion.code, dimension.code) == (
        "smart_city_stage_unknown",
        "smart_city_criterion_unknown",
        "smart_city_dimension_unknown",
    )
    assert "approved" in str(stage.message)
    assert "budget" in str(criterion.message)
    assert "tourism" in str(dimension.message)


def test_the_programme_owner_decides_not_the_applicant(zone):
    applicant_planner = member("svc-city-planner", Role.PLANNER, zone.applicant)

    services.smart_city_zone_update(actor=applicant_planner, zone=zone, name_en="Khon Kaen")
    with pytest.raises(PermissionDenied):
        step(applicant_planner, zone, "assessed", None)

    assert SmartCityZone.objects.get(pk=zone.pk).stage == "applied"
    assert (last_audit().action, last_audit().outcome) == ("smart_city.assessed", "denied")


def test_a_zone_without_a_programme_has_its_stages_recorded_by_the_applicant():
    city = OrganisationFactory(code="svc-lone-city")
    applicant_planner = member("svc-lone", Role.PLANNER, city)
    zone = services.smart_city_zone_create(
        actor=applicant_planner,
        code="svc-lone-zone",
        name_th="ก",
        applicant=city,
        province=province(),
    )

    step(applicant_planner, zone, "assessed", None)

    assert SmartCityZone.objects.get(pk=zone.pk).stage == "assessed"


def test_a_zone_district_must_be_in_its_province(planner, zone):
    elsewhere = district("5001", "50", "เมืองเชียงใหม่")

    error = refusal(services.smart_city_zone_update, actor=planner, zone=zone, district=elsewhere)

    assert (error.code, field_of(error)) == ("smart_city_district_outside_province", "district")


def test_a_zone_programme_must_be_a_smart_city_programme(planner, zone):
    centres = ProgrammeFactory(kind="community_centres")

    error = refusal(services.smart_city_zone_update, actor=planner, zone=zone, programme=centres)

    assert error.code == "smart_city_programme_kind"


# --- Community centres -----------------------------------------------------------------------


def test_a_centre_is_placed_down_to_its_sub_district(planner, office):
    host = OrganisationFactory(code="svc-tambon")
    place = subdistrict()

    centre = services.community_centre_create(
        actor=planner,
        code="svc-centre",
        name_th="ศูนย์ดิจิทัลชุมชน",
        host=host,
        province=province(),
        subdistrict=place,
        opened_on=dt.date(2019, 5, 1),
        programme=ProgrammeFactory(kind="community_centres", owner=office),
    )

    assert centre.district == place.district  # follows from the sub-district
    assert last_audit().action == "community_centre.create"


def test_a_centre_place_must_be_consistent(planner, office):
    host = OrganisationFactory()
    other_district = district("4002", "40", "บ้านฝาง")

    wrong_district = refusal(
        services.community_centre_create,
        actor=planner,
        code="svc-c1",
        name_th="ก",
        host=host,
        province=province(),
        district=other_district,
        subdistrict=subdistrict(),
        programme=ProgrammeFactory(kind="community_centres", owner=office),
    )
    wrong_province = refusal(
        services.community_centre_create,
        actor=planner,
        code="svc-c2",
        name_th="ก",
        host=host,
        province=province("50", "เชียงใหม่"),
        district=district(),
        programme=ProgrammeFactory(kind="community_centres", owner=office),
    )
    wrong_kind = refusal(
        services.community_centre_create,
        actor=planner,
        code="svc-c3",
        name_th="ก",
        host=host,
        province=province(),
        programme=ProgrammeFactory(kind="smart_city", owner=office),
    )

    assert (wrong_district.code, field_of(wrong_district)) == (
        "centre_place_inconsistent",
        "subdistrict",
    )
    assert (wrong_province.code, field_of(wrong_province)) == (
        "centre_place_inconsistent",
        "district",
    )
    assert wrong_kind.code == "centre_programme_kind"


def test_the_host_planner_keeps_the_centre_record(office):
    host = OrganisationFactory(code="svc-host")
    host_planner = member("svc-host-planner", Role.PLANNER, host)
    centre = services.community_centre_create(
        actor=host_planner, code="svc-hosted", name_th="ศูนย์", host=host, province=province()
    )

    services.community_centre_update(actor=host_planner, centre=centre, status="closed")
    with pytest.raises(PermissionDenied):
        services.community_centre_update(
            actor=host_planner, centre=centre, host=OrganisationFactory(code="svc-not-mine")
        )

    centre.refresh_from_db()
    assert (centre.status, centre.host_id) == ("closed", host.pk)
