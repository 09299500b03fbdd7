"""The main write actions through the web pages, for each kind of user.

Allowed users get the page and their change is saved; anyone else gets the 403 page (or the
sign-in page when anonymous), nothing is written, and a refusal is audited.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from phaen.accounts.models import Role
from phaen.core.models import AuditRecord
from phaen.plans import services
from phaen.plans.models import Plan, PlanElement, PlanKind
from phaen.plans.permissions import SYSTEM
from tests.conftest import member, signed_in
from tests.plans.factories import OrganisationFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    office = OrganisationFactory(code="pages-office")
    committee = OrganisationFactory(code="pages-committee", kind="committee")
    plan = PlanFactory(owner=office, kind=PlanKind.PROVINCIAL, start_year=2022, end_year=2026)
    element = services.element_create(actor=SYSTEM, plan=plan, kind="strategy", title_th="ก")
    return {
        "plan": plan,
        "element": element,
        "committee": committee,
        "planner": member("p-planner", Role.PLANNER, office),
        "other": member("p-other", Role.PLANNER, OrganisationFactory(code="pages-other")),
        "auditor": member("p-auditor", Role.AUDITOR, office),
        "approver": member("p-approver", Role.APPROVER, committee),
    }


def client_for(who: str, world: dict[str, Any]) -> Client:
    return Client() if who == "anonymous" else signed_in(world[who])


PAGES = [
    (
        "add element",
        lambda w: (
            reverse("plans:element_create", args=[w["plan"].code]),
            {"kind": "goal", "title_th": "เป้าประสงค์ใหม่"},
        ),
        lambda w: PlanElement.objects.filter(plan=w["plan"], title_th="เป้าประสงค์ใหม่").exists(),
        {"planner"},
    ),
    (
        "edit element",
        lambda w: (
            reverse("plans:element_edit", args=[w["element"].code]),
            {"kind": "strategy", "title_th": "แก้แล้ว"},
        ),
        lambda w: PlanElement.objects.filter(pk=w["element"].pk, title_th="แก้แล้ว").exists(),
        {"planner"},
    ),
    (
        "submit",
        lambda w: (
            reverse("plans:plan_transition", args=[w["plan"].code, "submit"]),
            {"deciding_organisation": "pages-committee"},
        ),
        lambda w: Plan.objects.get(pk=w["plan"].pk).status == "submitted",
        {"planner"},
    ),
]


@pytest.mark.parametrize("who", ["anonymous", "planner", "other", "auditor", "approver"])
@pytest.mark.parametrize(("name", "build", "done", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_main_actions_through_the_pages(world, who, name, build, done, allowed):
    url, data = build(world)
    denials = AuditRecord.objects.filter(outcome="denied").count()

    response = client_for(who, world).post(url, data)

    if who in allowed:
        assert response.status_code == 302, response.content.decode()[:500]
        assert done(world)
    else:
        assert not done(world)
        if who == "anonymous":
            assert response.status_code == 302
            assert reverse("core:login") in response["Location"]
        else:
            assert response.status_code == 403
            assert AuditRecord.objects.filter(outcome="denied").count() == denials + 1


def test_the_approver_approves_through_the_page(world):
    services.plan_transition(
        actor=SYSTEM, plan=world["plan"], name="submit", deciding_organisation=world["committee"]
    )
    url = reverse("plans:plan_transition", args=[world["plan"].code, "approve"])

    refused = signed_in(world["planner"]).post(url, {"resolution_number": "1/2569"})
    approved = signed_in(world["approver"]).post(
        url, {"resolution_number": "1/2569", "decision_date": "2026-11-20"}
    )

    assert refused.status_code == 403
    assert approved.status_code == 302
    plan = Plan.objects.get(pk=world["plan"].pk)
    assert plan.status == "approved"
    assert plan.decisions.get(transition="approve").resolution_number == "1/2569"


def test_the_decision_document_is_checked_stored_and_served_only_to_the_plan_s_people(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.plan_transition(
        actor=SYSTEM, plan=world["plan"], name="submit", deciding_organisation=world["committee"]
    )
    url = reverse("plans:plan_transition", args=[world["plan"].code, "approve"])
    fake = SimpleUploadedFile("มติ.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    pdf = SimpleUploadedFile("มติ.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")

    refused = signed_in(world["approver"]).post(url, {"document": fake})
    approved = signed_in(world["approver"]).post(url, {"document": pdf})

    assert refused.status_code == 422
    assert approved.status_code == 302
    decision = world["plan"].decisions.get(transition="approve")
    assert decision.document_name == "มติ.pdf"
    document_url = reverse("plans:decision_document", args=[world["plan"].code, decision.pk])
    assert signed_in(world["planner"]).get(document_url).status_code == 200
    assert Client().get(document_url).status_code == 404
