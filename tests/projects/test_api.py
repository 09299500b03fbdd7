"""The delivery API as a program uses it: shapes, codes, errors, summaries, query counts."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from phaen.accounts.models import Role
from phaen.plans import services as plan_services
from phaen.plans.permissions import SYSTEM
from phaen.projects import services
from phaen.projects.models import AgreementDocument, Project, SmartCityZone
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

API = "/api/delivery"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def planner_api() -> Client:
    return signed_in(member("api-planner", Role.PLANNER, planning_office()))


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


@pytest.fixture
def plan() -> Any:
    plan = PlanFactory(code="api-plan")
    s1 = plan_services.element_create(actor=SYSTEM, plan=plan, kind="strategy", title_th="หนึ่ง")
    plan_services.element_create(actor=SYSTEM, plan=plan, kind="goal", title_th="ย่อย", parent=s1)
    plan_services.element_create(actor=SYSTEM, plan=plan, kind="strategy", title_th="สอง")
    publish(plan)
    return plan


def test_create_a_project_with_its_links_and_read_it_back(planner_api, plan):
    OrganisationFactory(code="api-partner")
    goal = plan.elements.get(title_th="ย่อย")

    response = send(
        planner_api,
        "post",
        f"{API}/projects",
        {
            "code": "api-project",
            "name_th": "ศูนย์ข้อมูลจังหวัด",
            "owner": planning_office().code,
            "status": "in_progress",
            "is_flagship": True,
            "start_date": "2025-10-01",
            "end_date": "2026-09-30",
            "area_level": "province",
            "provinces": [province().code],
            "partners": [{"organisation": "api-partner", "role": "funder"}],
            "elements": [{"element": goal.code, "weight": "2.5"}],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_flagship"] is True
    assert body["provinces"][0]["code"] == province().code
    assert body["partners"][0]["organisation"]["code"] == "api-partner"
    assert body["elements"][0]["element"] == {
        "code": goal.code,
        "plan": "api-plan",
        "number": goal.number,
        "title_th": "ย่อย",
        "title_en": "",
    }
    assert body["elements"][0]["weight"] == 2.5
    assert body["progress"] is None
    assert body["budget_years"] == []


def test_budget_lines_reports_and_milestones_through_the_api(planner_api):
    project = ProjectFactory(code="api-p")

    line = send(
        planner_api,
        "post",
        f"{API}/projects/api-p/budget-lines",
        {"fiscal_year": 2569, "allocated": "1000000", "committed": "400000.50"},
    )
    report = send(
        planner_api,
        "post",
        f"{API}/projects/api-p/reports",
        {"fiscal_year": 2569, "quarter": 2, "progress": "42.5", "summary": "ตามแผน"},
    )
    milestone = send(planner_api, "post", f"{API}/projects/api-p/milestones", {"name": "ลงนามสัญญา"})
    detail = send(Client(), "get", f"{API}/projects/api-p")

    assert (line.status_code, report.status_code, milestone.status_code) == (201, 201, 201)
    assert line.json()["committed"] == 400000.5
    assert Project.objects.get(pk=project.pk).progress == Decimal("42.50")
    body = detail.json()
    assert body["progress"] == 42.5
    assert body["budget_years"] == [
        {
            "fiscal_year": 2569,
            "planned": 0.0,
            "allocated": 1000000.0,
            "committed": 400000.5,
            "disbursed": 0.0,
            "disbursement_rate": 0.0,
        }
    ]
    assert body["reports"][0]["summary"] == "ตามแผน"
    assert body["milestones"][0]["position"] == 1


def test_a_refused_budget_line_answers_422_with_the_field(planner_api):
    ProjectFactory(code="api-p")

    response = send(
        planner_api,
        "post",
        f"{API}/projects/api-p/budget-lines",
        {"fiscal_year": 2569, "committed": "10", "disbursed": "20"},
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "budget_amounts_inconsistent"
    assert set(body["detail"]["fields"]) == {"disbursed"}
    assert "20.00" in body["message"]


def test_a_fiscal_year_given_in_ce_is_refused(planner_api):
    ProjectFactory(code="api-p")

    response = send(
        planner_api,
        "post",
        f"{API}/projects/api-p/reports",
        {"fiscal_year": 2026, "quarter": 1, "progress": "10"},
    )

    assert response.status_code == 422
    assert response.json()["code"] == "progress_fiscal_year_invalid"


def test_input_that_fails_the_schema_answers_422(planner_api):
    ProjectFactory(code="api-p")

    response = send(
        planner_api, "post", f"{API}/projects/api-p/reports", {"fiscal_year": "next", "quarter": 1}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert {"fiscal_year", "progress"} <= set(body["detail"]["fields"])


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"owner": "no-such-org"}, "owner"),
        ({"provinces": ["40", "99"]}, "provinces"),
        ({"elements": [{"element": "no-such-element"}]}, "elements"),
        ({"partners": [{"organisation": "nobody"}]}, "partners"),
        ({"parent": "no-such-programme"}, "parent"),
    ],
)
def test_unknown_codes_are_named_on_their_field(planner_api, payload, field):
    province()
    body = {"code": "api-new", "name_th": "ใหม่", "owner": planning_office().code, **payload}

    response = send(planner_api, "post", f"{API}/projects", body)

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_code"
    assert set(response.json()["detail"]["fields"]) == {field}
    assert not Project.objects.filter(code="api-new").exists()


def test_an_unknown_project_is_404():
    response = send(Client(), "get", f"{API}/projects/nothing-here")

    assert response.status_code == 404
    assert response.json()["code"] == "project_not_found"


def test_project_list_filters_and_pages(plan):
    s1 = plan.elements.get(title_th="หนึ่ง")
    flagship = ProjectFactory(code="api-a", is_flagship=True)
    AlignmentFactory(project=flagship, element=s1)
    ProjectFactory(code="api-b", status="completed")

    mine = f"{API}/projects?owner={planning_office().code}"
    flagships = send(Client(), "get", f"{mine}&flagship=true").json()
    serving = send(Client(), "get", f"{API}/projects?plan=api-plan").json()
    completed = send(Client(), "get", f"{mine}&status=completed&page_size=1").json()

    assert [p["code"] for p in flagships["items"]] == ["api-a"]
    assert [p["code"] for p in serving["items"]] == ["api-a"]
    assert (completed["count"], completed["page_size"]) == (1, 1)


@pytest.mark.parametrize(
    ("url", "make", "queries"),
    [
        # the count, the page, and the page's provinces or parties
        (f"{API}/projects", lambda: BudgetLineFactory(project=ProjectFactory()).project, 3),
        (f"{API}/agreements", lambda: AgreementFactory(), 3),
        # the count and the page (with their counts or related rows joined)
        (f"{API}/budget-lines", lambda: BudgetLineFactory(), 2),
        (f"{API}/area-programmes", lambda: ProgrammeFactory(), 2),
        (f"{API}/smart-city-zones", lambda: ZoneFactory(), 2),
        (f"{API}/community-centres", lambda: CentreFactory(), 2),
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(
    url, make, queries, django_assert_num_queries
):
    client = Client()
    province()
    for _ in range(2):
        make()
    with django_assert_num_queries(queries):
        first = client.get(url)
    for _ in range(8):
        make()
    with django_assert_num_queries(queries):
        second = client.get(url)

    assert second.json()["count"] == first.json()["count"] + 8


def test_project_detail_runs_a_fixed_number_of_queries(plan, django_assert_num_queries):
    project = ProjectFactory(code="api-detail")

    def grow() -> None:
        for element in plan.elements.all():
            other = ProjectFactory()
            AlignmentFactory(project=other, element=element)
        BudgetLineFactory(project=project, fiscal_year=2569 + project.budget_lines.count())
        services.milestone_create(actor=SYSTEM, project=project, name="ขั้น")

    grow()
    for element in plan.elements.all()[:1]:
        AlignmentFactory(project=project, element=element)
    with django_assert_num_queries(11) as small:
        Client().get(f"{API}/projects/api-detail")
    grow()
    grow()
    with django_assert_num_queries(len(small)):
        response = Client().get(f"{API}/projects/api-detail")

    assert len(response.json()["budget_lines"]) == 3


def test_plan_element_progress(plan):
    s1 = plan.elements.get(title_th="หนึ่ง")
    goal = plan.elements.get(title_th="ย่อย")
    AlignmentFactory(project=ProjectFactory(progress=Decimal("80")), element=goal)
    AlignmentFactory(project=ProjectFactory(progress=Decimal("20")), element=s1, weight=3)

    body = send(Client(), "get", f"{API}/plans/api-plan/progress").json()

    by_code = {row["element"]: row for row in body["elements"]}
    assert by_code[goal.code]["progress"] == 80.0
    assert by_code[goal.code]["parent"] == s1.code
    assert by_code[s1.code]["progress"] == 35.0  # (1×80 + 3×20) / 4
    assert by_code[plan.elements.get(title_th="สอง").code]["progress"] is None
    assert body["progress"] == 35.0
    assert body["excluded_statuses"] == ["cancelled", "proposed"]


def test_the_progress_of_an_unpublished_plan_is_not_found_for_the_public():
    PlanFactory(code="api-draft")

    response = send(Client(), "get", f"{API}/plans/api-draft/progress")

    assert response.status_code == 404


def test_budget_summaries(plan):
    s1 = plan.elements.get(title_th="หนึ่ง")
    goal = plan.elements.get(title_th="ย่อย")
    project = ProjectFactory(status="completed")
    AlignmentFactory(project=project, element=s1)
    AlignmentFactory(project=project, element=goal)
    BudgetLineFactory(project=project, fiscal_year=2569, allocated=Decimal("300"))

    by_strategy = send(Client(), "get", f"{API}/summaries/budget-by-strategy/api-plan").json()
    by_year = send(Client(), "get", f"{API}/summaries/budget-by-fiscal-year?plan=api-plan").json()
    by_status = send(Client(), "get", f"{API}/summaries/projects-by-status?plan=api-plan").json()

    assert [entry["element"]["title_th"] for entry in by_strategy] == ["หนึ่ง", "สอง"]
    assert by_strategy[0]["total"]["allocated"] == 300.0
    assert by_strategy[1]["years"] == []
    assert [row["allocated"] for row in by_year] == [300.0]
    assert {"status": "completed", "count": 1} in by_status


def test_a_zone_goes_through_its_steps(planner_api):
    programme = ProgrammeFactory(code="api-smart", owner=planning_office())
    OrganisationFactory(code="api-city")
    province()

    created = send(
        planner_api,
        "post",
        f"{API}/smart-city-zones",
        {
            "code": "api-zone",
            "name_th": "เขตส่งเสริมเมืองอัจฉริยะ",
            "programme": programme.code,
            "applicant": "api-city",
            "province": "40",
            "applied_on": "2023-01-10",
        },
    )
    steps = [
        send(
            planner_api,
            "post",
            f"{API}/smart-city-zones/api-zone/steps",
            {"stage": stage, "decided_on": day, "criteria": criteria},
        )
        for stage, day, criteria in (
            ("assessed", "2023-03-01", {"data_platform": True}),
            ("announced", "2023-06-01", None),
            ("certified", "2023-09-15", None),
        )
    ]
    zone = send(Client(), "get", f"{API}/smart-city-zones/api-zone").json()

    assert created.status_code == 201, created.content
    assert [s.status_code for s in steps] == [201, 201, 201]
    assert zone["stage"] == "certified"
    assert zone["targets_due"] == "2025-09-15"
    assert zone["criteria"] == {"data_platform": True}
    assert [d["stage"] for d in zone["decisions"]] == [
        "applied",
        "assessed",
        "announced",
        "certified",
    ]


def test_an_unknown_stage_answers_422(planner_api):
    ZoneFactory(code="api-zone", programme=ProgrammeFactory(owner=planning_office()))

    response = send(
        planner_api, "post", f"{API}/smart-city-zones/api-zone/steps", {"stage": "approved"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "smart_city_stage_unknown"
    assert SmartCityZone.objects.get(code="api-zone").stage == "applied"


def test_agreement_documents_upload_download_and_links(planner_api):
    AgreementFactory(code="api-mou", owner=planning_office())

    uploaded = planner_api.post(
        f"{API}/agreements/api-mou/documents",
        {"title": "ฉบับลงนาม", "file": SimpleUploadedFile("signed.pdf", PDF)},
    )
    linked = planner_api.post(
        f"{API}/agreements/api-mou/documents",
        {"title": "ข่าว", "url": "https://example.org/news"},
    )
    empty = planner_api.post(f"{API}/agreements/api-mou/documents", {"title": "ว่าง"})
    detail = send(Client(), "get", f"{API}/agreements/api-mou").json()
    download = Client().get(uploaded.json()["download"])
    no_file = Client().get(f"{API}/agreements/api-mou/documents/{linked.json()['id']}/file")

    assert (uploaded.status_code, linked.status_code, empty.status_code) == (201, 201, 422)
    assert empty.json()["code"] == "agreement_document_empty"
    assert [d["title"] for d in detail["documents"]] == ["ฉบับลงนาม", "ข่าว"]
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]
    assert no_file.status_code == 404
    assert AgreementDocument.objects.count() == 2


def test_agreement_create_with_parties(planner_api):
    OrganisationFactory(code="api-city", name_th="เทศบาลนครนครราชสีมา")

    response = send(
        planner_api,
        "post",
        f"{API}/agreements",
        {
            "code": "api-korat",
            "title_th": "บันทึกข้อตกลงความร่วมมือเมืองอัจฉริยะโคราช",
            "owner": planning_office().code,
            "signed_on": "2024-02-01",
            "dimensions": ["ความเท่าเทียม", "ความปลอดภัย", "โอกาสที่ดีกว่า", "การพัฒนาที่ยั่งยืน"],
            "parties": [
                {"organisation": "api-city", "signatory_name": "นายกเทศมนตรี"},
                {"organisation": planning_office().code, "role": "witness"},
            ],
        },
    )
    found = send(Client(), "get", f"{API}/agreements?q=โคราช&party=api-city").json()

    assert response.status_code == 201, response.content
    assert [p["organisation"]["code"] for p in response.json()["parties"]] == [
        "api-city",
        planning_office().code,
    ]
    assert len(response.json()["dimensions"]) == 4
    assert [a["code"] for a in found["items"]] == ["api-korat"]


def test_the_api_docs_list_the_delivery_endpoints(client):
    schema = client.get("/api/openapi.json").json()

    assert "/api/delivery/projects" in schema["paths"]
    assert "/api/delivery/smart-city-zones/{code}/steps" in schema["paths"]
    assert "/api/delivery/plans/{plan_code}/progress" in schema["paths"]
