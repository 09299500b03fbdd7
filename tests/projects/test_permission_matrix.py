"""Every role against every write of the delivery API.

An allowed action succeeds; any other is refused (401 for the anonymous, 403 for everyone else),
writes nothing, and leaves one audit record of the refusal naming the action. Reads are public.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from phaen.accounts.models import Role
from phaen.core.models import AuditRecord
from phaen.plans.permissions import SYSTEM
from phaen.projects import services
from phaen.projects.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AreaProgramme,
    BudgetLine,
    DigitalCommunityCentre,
    Milestone,
    ProgrammeProvince,
    ProgressReport,
    Project,
    ProjectAlignment,
    ProjectPartner,
    SmartCityDecision,
    SmartCityZone,
)
from tests.conftest import member, signed_in
from tests.projects.factories import (
    AgreementFactory,
    AlignmentFactory,
    BudgetLineFactory,
    CentreFactory,
    ElementFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    ZoneFactory,
    province,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "system_admin",
    "org_admin",
    "planner",
    "other_planner",
    "approver",
    "data_reporter",
    "auditor",
]
PLANNERS = {"system_admin", "planner"}
REPORTERS = {"system_admin", "planner", "data_reporter"}
API = "/api/delivery"


@pytest.fixture
def world() -> dict[str, Any]:
    office = OrganisationFactory(code="pm-office", name_th="สำนักงานทดสอบ")
    other = OrganisationFactory(code="pm-other", name_th="หน่วยงานอื่น")
    city = OrganisationFactory(code="pm-city", name_th="เทศบาลทดสอบ", kind="local_administration")
    committee = OrganisationFactory(code="pm-committee", name_th="คณะกรรมการ", kind="committee")
    # Made directly (no services, no audit records), to keep each of the many tests quick.
    element, element2 = ElementFactory(), ElementFactory()
    project = ProjectFactory(code="pm-project", owner=office)
    line = BudgetLineFactory(project=project, fiscal_year=2569, allocated=Decimal("100"))
    report = ProgressReport.objects.create(
        project=project, fiscal_year=2569, quarter=1, progress=Decimal("10")
    )
    milestone = Milestone.objects.create(project=project, name="ทีโออาร์", position=1)
    partner = ProjectPartner.objects.create(project=project, organisation=other)
    alignment = AlignmentFactory(project=project, element=element)
    agreement = AgreementFactory(code="pm-mou", owner=office)
    party = AgreementParty.objects.create(agreement=agreement, organisation=city, position=1)
    document = AgreementDocument.objects.create(
        agreement=agreement, title="ข่าว", url="https://example.org/mou"
    )
    programme = ProgrammeFactory(code="pm-smart", kind="smart_city", owner=office)
    centres = ProgrammeFactory(code="pm-centres", kind="community_centres", owner=office)
    ProgrammeProvince.objects.create(programme=programme, province=province())
    province("50", "เชียงใหม่")
    ZoneFactory(code="pm-zone", programme=programme, applicant=city)
    CentreFactory(code="pm-centre", host=city, programme=centres)
    users = {
        "system_admin": member("pm-admin", Role.SYSTEM_ADMIN, office),
        "org_admin": member("pm-orgadmin", Role.ORG_ADMIN, office),
        "planner": member("pm-planner", Role.PLANNER, office),
        "other_planner": member("pm-other", Role.PLANNER, other),
        "approver": member("pm-approver", Role.APPROVER, committee),
        "data_reporter": member("pm-reporter", Role.DATA_REPORTER, office),
        "auditor": member("pm-auditor", Role.AUDITOR, office),
    }
    return {
        "element2": element2,
        "line": line,
        "report": report,
        "milestone": milestone,
        "partner": partner,
        "alignment": alignment,
        "party": party,
        "document": document,
        "users": users,
    }


P = f"{API}/projects/pm-project"
A = f"{API}/agreements/pm-mou"

# (action, request builder, roles allowed): the request is built from the world.
ACTIONS: list[tuple[str, Any, set[str]]] = [
    (
        "project.create",
        lambda w: (
            "post",
            f"{API}/projects",
            {"code": "pm-new", "name_th": "ใหม่", "owner": "pm-office"},
        ),
        PLANNERS,
    ),
    ("project.update", lambda w: ("patch", P, {"name_en": "Changed"}), PLANNERS),
    ("project.delete", lambda w: ("delete", P, None), PLANNERS),
    (
        "budget_line.create",
        lambda w: ("post", f"{P}/budget-lines", {"fiscal_year": 2570, "planned": "5"}),
        PLANNERS,
    ),
    (
        "budget_line.update",
        lambda w: ("patch", f"{P}/budget-lines/{w['line'].pk}", {"allocated": "200"}),
        PLANNERS,
    ),
    (
        "budget_line.update",  # the actual figures: data reporters too
        lambda w: ("patch", f"{P}/budget-lines/{w['line'].pk}", {"committed": "50"}),
        REPORTERS,
    ),
    (
        "budget_line.delete",
        lambda w: ("delete", f"{P}/budget-lines/{w['line'].pk}", None),
        PLANNERS,
    ),
    (
        "progress_report.create",
        lambda w: ("post", f"{P}/reports", {"fiscal_year": 2569, "quarter": 2, "progress": "30"}),
        REPORTERS,
    ),
    (
        "progress_report.update",
        lambda w: ("patch", f"{P}/reports/{w['report'].pk}", {"progress": "15"}),
        REPORTERS,
    ),
    (
        "progress_report.delete",
        lambda w: ("delete", f"{P}/reports/{w['report'].pk}", None),
        REPORTERS,
    ),
    ("milestone.create", lambda w: ("post", f"{P}/milestones", {"name": "ส่งมอบ"}), PLANNERS),
    (
        "milestone.update",
        lambda w: ("patch", f"{P}/milestones/{w['milestone'].pk}", {"status": "done"}),
        PLANNERS,
    ),
    (
        "milestone.delete",
        lambda w: ("delete", f"{P}/milestones/{w['milestone'].pk}", None),
        PLANNERS,
    ),
    (
        "project.partner_add",
        lambda w: ("post", f"{P}/partners", {"organisation": "pm-city", "role": "funder"}),
        PLANNERS,
    ),
    (
        "project.partner_remove",
        lambda w: ("delete", f"{P}/partners/{w['partner'].pk}", None),
        PLANNERS,
    ),
    (
        "project.align",
        lambda w: ("post", f"{P}/elements", {"element": w["element2"].code, "weight": "2"}),
        PLANNERS,
    ),
    (
        "project.align",
        lambda w: ("patch", f"{P}/elements/{w['alignment'].pk}", {"weight": "3"}),
        PLANNERS,
    ),
    ("project.unalign", lambda w: ("delete", f"{P}/elements/{w['alignment'].pk}", None), PLANNERS),
    (
        "agreement.create",
        lambda w: (
            "post",
            f"{API}/agreements",
            {"code": "pm-new-mou", "title_th": "ใหม่", "owner": "pm-office"},
        ),
        PLANNERS,
    ),
    ("agreement.update", lambda w: ("patch", A, {"status": "in_force"}), PLANNERS),
    ("agreement.delete", lambda w: ("delete", A, None), PLANNERS),
    (
        "agreement.party_add",
        lambda w: ("post", f"{A}/parties", {"organisation": "pm-other", "role": "witness"}),
        PLANNERS,
    ),
    (
        "agreement.party_update",
        lambda w: ("patch", f"{A}/parties/{w['party'].pk}", {"signatory_name": "นายก"}),
        PLANNERS,
    ),
    (
        "agreement.party_remove",
        lambda w: ("delete", f"{A}/parties/{w['party'].pk}", None),
        PLANNERS,
    ),
    (
        "agreement.document_add",
        lambda w: ("form", f"{A}/documents", {"title": "ข่าว", "url": "https://example.org/2"}),
        PLANNERS,
    ),
    (
        "agreement.document_remove",
        lambda w: ("delete", f"{A}/documents/{w['document'].pk}", None),
        PLANNERS,
    ),
    (
        "area_programme.create",
        lambda w: (
            "post",
            f"{API}/area-programmes",
            {"code": "pm-new-p", "name_th": "ใหม่", "kind": "pilot_provinces", "owner": "pm-office"},
        ),
        PLANNERS,
    ),
    (
        "area_programme.update",
        lambda w: ("patch", f"{API}/area-programmes/pm-smart", {"name_en": "Smart"}),
        PLANNERS,
    ),
    (
        "area_programme.province_add",
        lambda w: ("post", f"{API}/area-programmes/pm-smart/provinces", {"province": "50"}),
        PLANNERS,
    ),
    (
        "area_programme.province_remove",
        lambda w: ("delete", f"{API}/area-programmes/pm-smart/provinces/40", None),
        PLANNERS,
    ),
    (
        "area_programme.delete",
        lambda w: ("delete", f"{API}/area-programmes/pm-centres", None),
        set(),  # a centre belongs to it: refused for everyone (422), see below
    ),
    (
        "smart_city.create",
        lambda w: (
            "post",
            f"{API}/smart-city-zones",
            {
                "code": "pm-new-zone",
                "name_th": "ใหม่",
                "programme": "pm-smart",
                "applicant": "pm-city",
                "province": "40",
            },
        ),
        PLANNERS,
    ),
    (
        "smart_city.update",
        lambda w: ("patch", f"{API}/smart-city-zones/pm-zone", {"dimensions": ["mobility"]}),
        PLANNERS,
    ),
    (
        "smart_city.assessed",
        lambda w: (
            "post",
            f"{API}/smart-city-zones/pm-zone/steps",
            {"stage": "assessed", "decided_on": "2024-01-05"},
        ),
        PLANNERS,
    ),
    ("smart_city.delete", lambda w: ("delete", f"{API}/smart-city-zones/pm-zone", None), PLANNERS),
    (
        "community_centre.create",
        lambda w: (
            "post",
            f"{API}/community-centres",
            {
                "code": "pm-new-c",
                "name_th": "ใหม่",
                "host": "pm-city",
                "province": "40",
                "programme": "pm-centres",
            },
        ),
        PLANNERS,
    ),
    (
        "community_centre.update",
        lambda w: ("patch", f"{API}/community-centres/pm-centre", {"status": "closed"}),
        PLANNERS,
    ),
    (
        "community_centre.delete",
        lambda w: ("delete", f"{API}/community-centres/pm-centre", None),
        PLANNERS,
    ),
]

MODELS = [
    Project,
    BudgetLine,
    ProgressReport,
    Milestone,
    ProjectPartner,
    ProjectAlignment,
    Agreement,
    AgreementParty,
    AgreementDocument,
    AreaProgramme,
    ProgrammeProvince,
    SmartCityZone,
    SmartCityDecision,
    DigitalCommunityCentre,
]


def state() -> list[Any]:
    """Every row of the app, as values: any write shows as a difference."""
    return [sorted(model.objects.values_list(), key=str) for model in MODELS]


def client_for(role: str, world: dict[str, Any]) -> Client:
    if role == "anonymous":
        return Client()
    return signed_in(world["users"][role])


def send(client: Client, method: str, url: str, body: dict | None = None) -> Any:
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if method == "form":
        return client.post(url, data=body, **kwargs)
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "build", "allowed"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_role_against_action(world, role, action, build, allowed):
    method, url, body = build(world)
    before = state()
    denials = AuditRecord.objects.filter(outcome="denied").count()

    response = send(client_for(role, world), method, url, body)

    if role in allowed:
        assert response.status_code in (200, 201, 204), (role, action, response.content)
        assert state() != before
    elif not allowed and role in PLANNERS:  # nobody may: the rule, not the role, refuses
        assert response.status_code == 422, (role, action, response.content)
        assert state() == before
    else:
        expected = 401 if role == "anonymous" else 403
        assert response.status_code == expected, (role, action, response.content)
        assert state() == before
        if role != "anonymous":
            assert AuditRecord.objects.filter(outcome="denied").count() == denials + 1
            assert AuditRecord.objects.filter(outcome="denied").latest("id").action == action
            assert response.json()["code"] == "permission_denied"
        else:
            assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/projects",
        f"{API}/projects/pm-project",
        f"{API}/projects/pm-project/budget-lines",
        f"{API}/projects/pm-project/reports",
        f"{API}/projects/pm-project/milestones",
        f"{API}/budget-lines",
        f"{API}/agreements",
        f"{API}/agreements/pm-mou",
        f"{API}/area-programmes",
        f"{API}/area-programmes/pm-smart",
        f"{API}/smart-city-zones",
        f"{API}/smart-city-zones/pm-zone",
        f"{API}/community-centres",
        f"{API}/community-centres/pm-centre",
        f"{API}/summaries/budget-by-fiscal-year",
        f"{API}/summaries/projects-by-status",
        f"{API}/summaries/smart-city-stages",
    ],
)
def test_reads_are_public(world, url):
    response = Client().get(url)

    assert response.status_code == 200, response.content


def test_a_data_reporter_of_another_organisation_cannot_report(world):
    stranger = member("pm-far-reporter", Role.DATA_REPORTER, OrganisationFactory(code="pm-far"))

    response = send(
        signed_in(stranger),
        "post",
        f"{P}/reports",
        {"fiscal_year": 2569, "quarter": 3, "progress": "50"},
    )

    assert response.status_code == 403
    assert not ProgressReport.objects.filter(quarter=3).exists()


def test_a_planner_of_a_parent_organisation_reaches_below_when_granted(world):
    from phaen.orgs.models import Organisation

    office = Organisation.objects.get(code="pm-office")
    below = Organisation.objects.create(
        code="pm-below", name_th="หน่วยย่อย", kind="department", parent=office
    )
    project = services.project_create(actor=SYSTEM, code="pm-below-p", name_th="ก", owner=below)
    wide = member("pm-wide", Role.PLANNER, office, includes_sub_organisations=True)

    ok = send(signed_in(wide), "patch", f"{API}/projects/pm-below-p", {"name_en": "Wide"})
    refused = send(
        signed_in(world["users"]["planner"]),
        "patch",
        f"{API}/projects/pm-below-p",
        {"name_en": "N"},
    )

    assert (ok.status_code, refused.status_code) == (200, 403)
    assert Project.objects.get(pk=project.pk).name_en == "Wide"


def test_a_smart_city_step_out_of_order_answers_409(world):
    """The state, not the role, refuses: no permission record, the zone unchanged."""
    client = signed_in(world["users"]["planner"])

    out_of_order = send(
        client, "post", f"{API}/smart-city-zones/pm-zone/steps", {"stage": "certified"}
    )

    assert out_of_order.status_code == 409
    assert out_of_order.json()["code"] == "smart_city_step_invalid"
    assert SmartCityZone.objects.get(code="pm-zone").stage == "applied"
