"""The delivery pages as people meet them: reading, editing, refusals, permissions, queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from phaen.accounts.models import Role
from phaen.core.models import AuditRecord
from phaen.plans import services as plan_services
from phaen.plans.permissions import SYSTEM
from phaen.projects import services
from phaen.projects.models import (
    AgreementDocument,
    BudgetLine,
    Project,
    ProjectAlignment,
    SmartCityZone,
)
from tests.conftest import member, planning_office, signed_in
from tests.plans.factories import publish
from tests.projects.factories import (
    AgreementFactory,
    AlignmentFactory,
    BudgetLineFactory,
    CentreFactory,
    OrganisationFactory,
    PlanFactory,
    ProgrammeFactory,
    ProjectFactory,
    ZoneFactory,
    province,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def thai(message: str) -> str:
    """What a Thai reader sees for an interface message (its msgstr once translated)."""
    with translation.override("th"):
        return translation.gettext(message)


@pytest.fixture
def office() -> Any:
    return planning_office()


@pytest.fixture
def planner(office: Any) -> Any:
    return member("page-planner", Role.PLANNER, office)


@pytest.fixture
def planner_client(planner: Any) -> Client:
    return signed_in(planner)


@pytest.fixture
def stranger_client() -> Client:
    return signed_in(member("page-stranger", Role.PLANNER, OrganisationFactory(code="page-x")))


def html(response: Any) -> str:
    return response.content.decode()


# --- Reading -------------------------------------------------------------------------------


LIST_PAGES = [
    ("/delivery/", "project-results", lambda: ProjectFactory(area_level="province")),
    ("/delivery/agreements/", "agreement-results", lambda: AgreementFactory()),
    ("/delivery/programmes/", "programme-results", lambda: ProgrammeFactory()),
    ("/delivery/smart-cities/", "zone-results", lambda: ZoneFactory()),
    ("/delivery/centres/", "centre-results", lambda: CentreFactory()),
]


@pytest.mark.parametrize(("url", "target", "make"), LIST_PAGES)
def test_list_pages_run_a_fixed_number_of_queries(url, target, make, django_assert_num_queries):
    province()
    client = Client()
    for _ in range(2):
        make()
    client.get(url)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as small:
        first = client.get(url)
    for _ in range(10):
        make()
    with django_assert_num_queries(len(small)):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert f'id="{target}"' in html(second)


@pytest.mark.parametrize(("url", "target", "make"), LIST_PAGES)
def test_htmx_asks_for_the_results_only(url, target, make):
    province()
    make()

    response = Client().get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target)

    assert response.status_code == 200
    assert "<html" not in html(response)
    assert "results-bar" in html(response)


def test_the_project_list_filters_and_offers_downloads(office):
    ProjectFactory(name_th="ศูนย์ข้อมูลเมือง", is_flagship=True)
    ProjectFactory(name_th="อบรมดิจิทัลชุมชน")

    response = Client().get(f"/delivery/?flagship=yes&owner={office.code}")

    page = html(response)
    assert "ศูนย์ข้อมูลเมือง" in page
    assert "อบรมดิจิทัลชุมชน" not in page
    query = f"flagship=yes&amp;owner={office.code}"
    assert f"/delivery/export/projects/?{query}&amp;format=csv" in page
    assert f"/delivery/export/projects/?{query}&amp;format=xlsx" in page


def test_a_project_page_for_the_public_shows_no_edit_controls(office):
    plan = PlanFactory()
    element = plan_services.element_create(
        actor=SYSTEM, plan=plan, kind="strategy", title_th="ยุทธศาสตร์ดิจิทัล"
    )
    project = ProjectFactory(code="page-p", name_th="โครงการทดสอบหน้า", progress=Decimal("45.5"))
    AlignmentFactory(project=project, element=element)
    BudgetLineFactory(project=project, allocated=Decimal("1234567.5"))

    response = Client().get("/delivery/projects/page-p/")

    page = html(response)
    assert response.status_code == 200
    assert "โครงการทดสอบหน้า" in page
    assert "ยุทธศาสตร์ดิจิทัล" in page
    assert "1,234,567.50" in page
    assert '<progress max="100" value="45.50">' in page
    assert "/delivery/projects/page-p/edit/" not in page
    assert "budget-form" not in page


def test_the_owner_planner_sees_the_small_forms(planner_client):
    ProjectFactory(code="page-p")

    page = html(planner_client.get("/delivery/projects/page-p/"))

    for form_id in (
        "alignment-form",
        "milestone-form",
        "budget-form",
        "report-form",
        "partner-form",
    ):
        assert f'id="{form_id}"' in page
    assert "/delivery/projects/page-p/edit/" in page


def test_a_data_reporter_sees_the_report_form_but_not_the_planner_forms(office):
    ProjectFactory(code="page-p")
    client = signed_in(member("page-reporter", Role.DATA_REPORTER, office))

    page = html(client.get("/delivery/projects/page-p/"))

    assert 'id="report-form"' in page
    assert 'id="budget-form"' not in page


def test_the_project_page_runs_a_fixed_number_of_queries(django_assert_num_queries):
    project = ProjectFactory(code="page-p")

    def grow(n: int) -> None:
        for i in range(n):
            element = plan_services.element_create(
                actor=SYSTEM, plan=PlanFactory(), kind="strategy", title_th="ก"
            )
            AlignmentFactory(project=project, element=element)
            BudgetLineFactory(project=project, fiscal_year=2560 + project.budget_lines.count())
            services.milestone_create(actor=SYSTEM, project=project, name=f"ขั้น {i}")

    grow(1)
    Client().get("/delivery/projects/page-p/")
    with CaptureQueriesContext(connection) as small:
        Client().get("/delivery/projects/page-p/")
    grow(5)
    with django_assert_num_queries(len(small)):
        response = Client().get("/delivery/projects/page-p/")

    assert response.status_code == 200


def test_the_other_pages_read_without_signing_in():
    plan = PlanFactory(code="page-plan")
    s1 = plan_services.element_create(actor=SYSTEM, plan=plan, kind="strategy", title_th="ด้านหนึ่ง")
    publish(plan)
    project = ProjectFactory(progress=Decimal("60"))
    AlignmentFactory(project=project, element=s1)
    BudgetLineFactory(project=project, allocated=Decimal("900"))
    AgreementFactory(code="page-mou")
    ProgrammeFactory(code="page-prog")
    ZoneFactory(code="page-zone")
    CentreFactory(code="page-centre")
    client = Client()

    for url in (
        "/delivery/agreements/page-mou/",
        "/delivery/programmes/page-prog/",
        "/delivery/smart-cities/page-zone/",
        "/delivery/centres/page-centre/",
        "/delivery/budget/",
    ):
        assert client.get(url).status_code == 200, url
    progress = html(client.get("/delivery/plans/page-plan/progress/"))
    budget = html(client.get("/delivery/budget/?plan=page-plan"))
    assert '<progress max="100" value="60.00">' in progress
    assert "ด้านหนึ่ง" in budget
    assert "900.00" in budget


def test_an_unknown_record_is_404():
    assert Client().get("/delivery/projects/nothing/").status_code == 404
    assert Client().get("/delivery/smart-cities/nothing/").status_code == 404


# --- Editing -------------------------------------------------------------------------------


def test_create_a_project_through_the_form(planner_client, office):
    response = planner_client.post(
        "/delivery/projects/new/",
        {
            "code": "page-new",
            "name_th": "โครงการใหม่",
            "kind": "project",
            "owner": office.code,
            "status": "planned",
            "area_level": "nation",
            "weight": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/delivery/projects/page-new/"
    assert Project.objects.get(code="page-new").owner == office
    assert AuditRecord.objects.latest("id").action == "project.create"


def test_a_refused_project_form_comes_back_422_with_the_message_by_its_field(
    planner_client, office
):
    data = {
        "code": "page-new",
        "name_th": "โครงการใหม่",
        "kind": "project",
        "owner": office.code,
        "status": "planned",
        "area_level": "province",  # but no province chosen
        "weight": "1",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
    }

    response = planner_client.post("/delivery/projects/new/", data)
    partial = planner_client.post("/delivery/projects/new/", data, HTTP_HX_REQUEST="true")

    assert response.status_code == 422
    assert thai("Choose at least one province.") in html(response)
    assert 'id="id_provinces_error"' in html(response)
    assert partial.status_code == 422
    assert "<html" not in html(partial)
    assert not Project.objects.filter(code="page-new").exists()


def test_budget_lines_are_added_and_refused_with_the_reason(planner_client):
    ProjectFactory(code="page-p")
    base = {
        "budget-fiscal_year": "2569",
        "budget-category": "investment",
        "budget-funding_source": "government",
    }

    refused = planner_client.post(
        "/delivery/projects/page-p/budget/",
        {**base, "budget-allocated": "100", "budget-committed": "150"},
    )
    saved = planner_client.post(
        "/delivery/projects/page-p/budget/", {**base, "budget-allocated": "100"}
    )

    assert refused.status_code == 422
    assert 'id="id_budget-committed_error"' in html(refused)
    assert "150.00" in html(refused)
    assert saved.status_code == 302
    assert saved["Location"] == "/delivery/projects/page-p/#budget"
    assert BudgetLine.objects.get(project__code="page-p").allocated == Decimal("100.00")


def test_a_data_reporter_updates_the_actual_figures_on_the_page(office):
    line = BudgetLineFactory(project=ProjectFactory(code="page-p"), allocated=Decimal("100"))
    client = signed_in(member("page-reporter", Role.DATA_REPORTER, office))
    data = {
        "fiscal_year": "2569",
        "category": line.category,
        "funding_source": line.funding_source,
        "allocated": "100.00",
        "committed": "60",
        "disbursed": "",
    }

    ok = client.post(f"/delivery/projects/page-p/budget/{line.pk}/", data)
    refused = client.post(
        f"/delivery/projects/page-p/budget/{line.pk}/", {**data, "allocated": "500"}
    )
    adding = client.get("/delivery/projects/page-p/budget/")

    assert ok.status_code == 302
    assert refused.status_code == 403
    assert adding.status_code == 403
    line.refresh_from_db()
    assert (line.allocated, line.committed) == (Decimal("100.00"), Decimal("60.00"))


def test_a_progress_report_in_the_wrong_calendar_is_refused_then_filed(office):
    project = ProjectFactory(code="page-p")
    client = signed_in(member("page-reporter", Role.DATA_REPORTER, office))
    data = {"report-quarter": "1", "report-progress": "55", "report-summary": "ดำเนินการแล้ว"}

    refused = client.post(
        "/delivery/projects/page-p/reports/", {**data, "report-fiscal_year": "2026"}
    )
    filed = client.post(
        "/delivery/projects/page-p/reports/", {**data, "report-fiscal_year": "2569"}
    )

    assert refused.status_code == 422
    assert 'id="id_report-fiscal_year_error"' in html(refused)
    assert filed.status_code == 302
    assert Project.objects.get(pk=project.pk).progress == Decimal("55.00")


def test_link_a_project_to_a_plan_element_choosing_the_plan_first(planner_client):
    ProjectFactory(code="page-p")
    plan = PlanFactory(code="page-plan")
    element = plan_services.element_create(
        actor=SYSTEM, plan=plan, kind="strategy", title_th="ยุทธศาสตร์ที่เลือก"
    )

    chooser = planner_client.get(
        "/delivery/projects/page-p/alignment/?alignment-plan=page-plan", HTTP_HX_REQUEST="true"
    )
    plan_only = planner_client.post(
        "/delivery/projects/page-p/alignment/",
        {"alignment-plan": "page-plan", "alignment-weight": "1"},
    )
    saved = planner_client.post(
        "/delivery/projects/page-p/alignment/",
        {"alignment-plan": "page-plan", "alignment-element": element.code, "alignment-weight": "2"},
    )

    assert chooser.status_code == 200
    assert "ยุทธศาสตร์ที่เลือก" in html(chooser)
    assert "<html" not in html(chooser)
    assert plan_only.status_code == 422
    assert "ยุทธศาสตร์ที่เลือก" in html(plan_only)
    assert saved.status_code == 302
    assert ProjectAlignment.objects.get(project__code="page-p").weight == Decimal("2.00")


def test_remove_buttons_post_and_come_back(planner_client):
    project = ProjectFactory(code="page-p")
    milestone = services.milestone_create(actor=SYSTEM, project=project, name="ขั้นแรก")

    get = planner_client.get(f"/delivery/projects/page-p/milestones/{milestone.pk}/delete/")
    post = planner_client.post(f"/delivery/projects/page-p/milestones/{milestone.pk}/delete/")

    assert get.status_code == 405
    assert post.status_code == 302
    assert not project.milestones.exists()


def test_delete_a_project_after_confirming(planner_client):
    ProjectFactory(code="page-p", name_th="โครงการที่จะลบ")

    confirm = planner_client.get("/delivery/projects/page-p/delete/")
    deleted = planner_client.post("/delivery/projects/page-p/delete/")

    assert "โครงการที่จะลบ" in html(confirm)
    assert deleted.status_code == 302
    assert not Project.objects.filter(code="page-p").exists()


def test_a_refused_delete_says_why(planner_client, office):
    programme = ProgrammeFactory(code="page-prog", owner=office)
    ZoneFactory(code="page-zone-in", programme=programme)

    response = planner_client.post("/delivery/programmes/page-prog/delete/")

    assert response.status_code == 422
    assert "page-zone-in" in html(response)


def test_record_a_zone_and_its_stages(planner_client, office):
    programme = ProgrammeFactory(code="page-smart", owner=office)
    city = OrganisationFactory(code="page-city")

    created = planner_client.post(
        "/delivery/smart-cities/new/",
        {
            "code": "page-zone",
            "name_th": "เมืองอัจฉริยะทดสอบ",
            "programme": programme.code,
            "applicant": city.code,
            "province": province().code,
            "dimensions": ["mobility", "living"],
            "applied_on": "2023-01-10",
        },
    )
    assessed = planner_client.post(
        "/delivery/smart-cities/page-zone/step/",
        {"stage": "assessed", "decided_on": "2023-03-01", "criteria": ["data_platform"]},
    )
    planner_client.post(
        "/delivery/smart-cities/page-zone/step/", {"stage": "announced", "decided_on": "2023-06-01"}
    )
    undated = planner_client.post("/delivery/smart-cities/page-zone/step/", {"stage": "certified"})
    certified = planner_client.post(
        "/delivery/smart-cities/page-zone/step/", {"stage": "certified", "decided_on": "2023-09-01"}
    )
    page = html(planner_client.get("/delivery/smart-cities/page-zone/"))

    assert created.status_code == assessed.status_code == certified.status_code == 302
    assert undated.status_code == 422
    assert thai("Give the date of certification: the targets are due two years after it.") in html(
        undated
    )
    zone = SmartCityZone.objects.get(code="page-zone")
    assert (zone.stage, zone.targets_due) == ("certified", dt.date(2025, 9, 1))
    assert zone.criteria["data_platform"] is True
    assert zone.criteria["management"] is False
    assert page.count('class="card"') >= 4  # one card per dated step


def test_a_zone_with_no_further_stage_is_refused_with_409(planner_client, office):
    ZoneFactory(code="page-zone", stage="revoked", programme=ProgrammeFactory(owner=office))

    response = planner_client.get("/delivery/smart-cities/page-zone/step/")

    assert response.status_code == 409


def test_upload_an_agreement_document_and_download_it(planner_client, office):
    AgreementFactory(code="page-mou", owner=office)

    uploaded = planner_client.post(
        "/delivery/agreements/page-mou/documents/",
        {"document-title": "ฉบับลงนาม", "document-file": SimpleUploadedFile("mou.pdf", PDF)},
    )
    refused = planner_client.post(
        "/delivery/agreements/page-mou/documents/",
        {"document-title": "ปลอม", "document-file": SimpleUploadedFile("mou.pdf", b"MZ...")},
    )
    document = AgreementDocument.objects.get(agreement__code="page-mou")
    download = Client().get(f"/delivery/agreements/page-mou/documents/{document.pk}/")

    assert uploaded.status_code == 302
    assert refused.status_code == 422
    assert 'id="id_document-file_error"' in html(refused)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_a_centre_with_an_unknown_sub_district_code_is_refused_on_that_field(planner_client):
    host = OrganisationFactory(code="page-host")

    response = planner_client.post(
        "/delivery/centres/new/",
        {
            "code": "page-centre",
            "name_th": "ศูนย์",
            "host": host.code,
            "province": province().code,
            "status": "open",
            "subdistrict_code": "999999",
        },
    )

    assert response.status_code == 422
    assert 'id="id_subdistrict_code_error"' in html(response)


# --- Permissions on the pages --------------------------------------------------------------


NEW_PAGES = [
    "/delivery/projects/new/",
    "/delivery/agreements/new/",
    "/delivery/programmes/new/",
    "/delivery/smart-cities/new/",
    "/delivery/centres/new/",
]
EDIT_PAGES = [
    "/delivery/projects/page-p/edit/",
    "/delivery/projects/page-p/delete/",
    "/delivery/projects/page-p/budget/",
    "/delivery/projects/page-p/reports/",
    "/delivery/projects/page-p/milestones/",
    "/delivery/projects/page-p/alignment/",
    "/delivery/agreements/page-mou/edit/",
    "/delivery/agreements/page-mou/documents/",
    "/delivery/programmes/page-prog/edit/",
    "/delivery/smart-cities/page-zone/edit/",
    "/delivery/smart-cities/page-zone/step/",
    "/delivery/centres/page-centre/edit/",
]


@pytest.fixture
def records(office: Any) -> None:
    ProjectFactory(code="page-p", owner=office)
    AgreementFactory(code="page-mou", owner=office)
    programme = ProgrammeFactory(code="page-prog", owner=office)
    ZoneFactory(code="page-zone", programme=programme)
    CentreFactory(
        code="page-centre", programme=ProgrammeFactory(kind="community_centres", owner=office)
    )


@pytest.mark.parametrize("url", NEW_PAGES + EDIT_PAGES)
def test_edit_pages_send_the_anonymous_to_sign_in(records, url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", EDIT_PAGES)
def test_edit_pages_refuse_other_organisations_and_record_it(records, stranger_client, url):
    denials = AuditRecord.objects.filter(outcome="denied").count()

    get = stranger_client.get(url)
    post = stranger_client.post(url, {})

    assert (get.status_code, post.status_code) == (403, 403)
    assert AuditRecord.objects.filter(outcome="denied").count() == denials + 2


@pytest.mark.parametrize("url", NEW_PAGES)
def test_new_pages_are_for_planners(records, office, url):
    reporter = signed_in(member("page-reporter", Role.DATA_REPORTER, office))

    response = reporter.get(url)

    assert response.status_code == 403
    assert AuditRecord.objects.latest("id").outcome == "denied"


@pytest.mark.parametrize("url", NEW_PAGES + EDIT_PAGES)
def test_edit_pages_open_for_the_owner_planner(records, planner_client, url):
    assert planner_client.get(url).status_code == 200


def test_an_auditor_reads_but_cannot_edit(records, office):
    client = signed_in(member("page-auditor", Role.AUDITOR, office))

    assert client.get("/delivery/projects/page-p/").status_code == 200
    assert client.get("/delivery/projects/page-p/edit/").status_code == 403
    assert client.post("/delivery/projects/page-p/delete/").status_code == 403
    assert Project.objects.filter(code="page-p").exists()


def test_the_budget_summary_of_one_fiscal_year_and_of_a_draft_plan():
    project = ProjectFactory()
    BudgetLineFactory(project=project, fiscal_year=2568, allocated=Decimal("111"))
    BudgetLineFactory(project=project, fiscal_year=2569, allocated=Decimal("222"))
    owner = project.owner.code
    draft = PlanFactory(code="page-draft")
    AlignmentFactory(
        project=project,
        element=plan_services.element_create(
            actor=SYSTEM, plan=draft, kind="strategy", title_th="ยุทธศาสตร์ลับ"
        ),
    )

    one_year = html(Client().get(f"/delivery/budget/?fiscal_year=2569&owner={owner}"))
    of_draft = Client().get("/delivery/budget/?plan=page-draft")

    assert "222.00" in one_year
    assert "111.00" not in one_year
    assert of_draft.status_code == 404
    assert "ยุทธศาสตร์ลับ" not in html(of_draft)
    assert Client().get("/delivery/plans/page-draft/progress/").status_code == 404


def test_a_new_zone_with_no_criteria_ticked_is_not_yet_assessed(planner_client, office):
    programme = ProgrammeFactory(code="page-smart", owner=office)
    city = OrganisationFactory(code="page-city")

    planner_client.post(
        "/delivery/smart-cities/new/",
        {
            "code": "page-zone",
            "name_th": "เมืองใหม่",
            "programme": programme.code,
            "applicant": city.code,
            "province": province().code,
        },
    )
    page = html(planner_client.get("/delivery/smart-cities/page-zone/"))

    assert SmartCityZone.objects.get(code="page-zone").criteria == {}
    assert page.count(thai("Not assessed")) == 5
