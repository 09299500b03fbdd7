"""Every role against every write action on plans, elements, links and lifecycle steps.

Through the API: an allowed action succeeds; any other is refused (401 for the anonymous, 403
for everyone else), writes nothing, and leaves an audit record of the refusal.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from phaen.accounts.models import Role
from phaen.core.models import AuditRecord
from phaen.orgs.models import Organisation
from phaen.plans import services
from phaen.plans.models import AlignmentLink, Plan, PlanElement, PlanKind, PlanStatus
from phaen.plans.permissions import SYSTEM
from tests.conftest import member, signed_in
from tests.plans.factories import OrganisationFactory, PlanFactory, publish

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


@pytest.fixture
def world() -> dict[str, Any]:
    office = OrganisationFactory(code="matrix-office", name_th="สำนักงานจังหวัดทดสอบ")
    other = OrganisationFactory(code="matrix-other", name_th="สำนักงานจังหวัดอื่น")
    committee = OrganisationFactory(
        code="matrix-committee", name_th="คณะกรรมการทดสอบ", kind="committee"
    )
    higher = PlanFactory(kind=PlanKind.MASTER_PLAN, start_year=2018, end_year=2037, owner=other)
    target = services.element_create(actor=SYSTEM, plan=higher, kind="strategy", title_th="เป้า")
    target2 = services.element_create(actor=SYSTEM, plan=higher, kind="strategy", title_th="ที่สอง")
    publish(higher)
    plan = PlanFactory(owner=office, kind=PlanKind.PROVINCIAL, start_year=2022, end_year=2026)
    element = services.element_create(actor=SYSTEM, plan=plan, kind="strategy", title_th="ก")
    link = services.alignment_link(actor=SYSTEM, source_element=element, target=target)
    users = {
        "system_admin": member("m-admin", Role.SYSTEM_ADMIN, office),
        "org_admin": member("m-orgadmin", Role.ORG_ADMIN, office),
        "planner": member("m-planner", Role.PLANNER, office),
        "other_planner": member("m-other", Role.PLANNER, other),
        "approver": member("m-approver", Role.APPROVER, committee),
        "data_reporter": member("m-reporter", Role.DATA_REPORTER, office),
        "auditor": member("m-auditor", Role.AUDITOR, office),
    }
    return {
        "office": office,
        "committee": committee,
        "plan": plan,
        "element": element,
        "target": target,
        "target2": target2,
        "link": link,
        "users": users,
    }


def client_for(role: str, world: dict[str, Any]) -> Client:
    if role == "anonymous":
        return Client()
    return signed_in(world["users"][role])


def send(client: Client, method: str, url: str, body: dict | None = None) -> Any:
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def submitted(world: dict[str, Any]) -> None:
    services.plan_transition(
        actor=SYSTEM,
        plan=world["plan"],
        name="submit",
        deciding_organisation=world["committee"],
    )


def steps(*names: str) -> Any:
    """Return a preparation that takes the plan through these lifecycle steps first."""

    def prepare(world: dict[str, Any]) -> None:
        for name in names:
            services.plan_transition(
                actor=SYSTEM,
                plan=world["plan"],
                name=name,
                deciding_organisation=world["committee"] if name == "submit" else None,
            )

    return prepare


def transition(name: str, prepare: Any) -> tuple[str, Any, set[str], Any]:
    return (
        f"plan.{name}",
        lambda w: ("post", f"/api/plans/{w['plan'].code}/transitions/{name}", {}),
        {"system_admin", "planner"},
        prepare,
    )


# (action, request builder, roles allowed, prepare) — the request is built from the world.
ACTIONS: list[tuple[str, Any, set[str], Any]] = [
    (
        "plan.create",
        lambda w: (
            "post",
            "/api/plans",
            {
                "code": "matrix-new",
                "name_th": "แผนใหม่",
                "kind": "provincial",
                "owner": "matrix-office",
                "area_type": "province",
                "provinces": ["40"],
                "start_year_be": 2567,
                "end_year_be": 2570,
            },
        ),
        {"system_admin", "planner"},
        None,
    ),
    (
        "plan.update",
        lambda w: ("patch", f"/api/plans/{w['plan'].code}", {"name_en": "Changed"}),
        {"system_admin", "planner"},
        None,
    ),
    (
        "plan.delete",
        lambda w: ("delete", f"/api/plans/{w['plan'].code}", None),
        {"system_admin", "planner"},
        None,
    ),
    (
        "element.create",
        lambda w: (
            "post",
            f"/api/plans/{w['plan'].code}/elements",
            {
                "kind": "goal",
                "title_th": "เป้าประสงค์",
            },
        ),
        {"system_admin", "planner"},
        None,
    ),
    (
        "element.update",
        lambda w: ("patch", f"/api/elements/{w['element'].code}", {"title_th": "แก้ไข"}),
        {"system_admin", "planner"},
        None,
    ),
    (
        "element.delete",
        lambda w: ("delete", f"/api/elements/{w['element'].code}", None),
        {"system_admin", "planner"},
        None,
    ),
    (
        "link.create",
        lambda w: (
            "post",
            "/api/alignment-links",
            {
                "source_element": w["element"].code,
                "target": w["target2"].code,
            },
        ),
        {"system_admin", "planner"},
        None,
    ),
    (
        "link.update",
        lambda w: ("patch", f"/api/alignment-links/{w['link'].pk}", {"contribution": "supporting"}),
        {"system_admin", "planner"},
        None,
    ),
    (
        "link.delete",
        lambda w: ("delete", f"/api/alignment-links/{w['link'].pk}", None),
        {"system_admin", "planner"},
        None,
    ),
    (
        "plan.submit",
        lambda w: (
            "post",
            f"/api/plans/{w['plan'].code}/transitions/submit",
            {
                "deciding_organisation": "matrix-committee",
            },
        ),
        {"system_admin", "planner"},
        None,
    ),
    (
        "plan.open_hearing",
        lambda w: ("post", f"/api/plans/{w['plan'].code}/transitions/open_hearing", {}),
        {"system_admin", "planner"},
        None,
    ),
    (
        "plan.withdraw",
        lambda w: ("post", f"/api/plans/{w['plan'].code}/transitions/withdraw", {}),
        {"system_admin", "planner"},
        None,
    ),
    (
        "plan.approve",
        lambda w: (
            "post",
            f"/api/plans/{w['plan'].code}/transitions/approve",
            {
                "decision_date": "2026-11-20",
                "resolution_number": "1/2569",
            },
        ),
        {"system_admin", "approver"},
        submitted,
    ),
    (
        "plan.return",
        lambda w: (
            "post",
            f"/api/plans/{w['plan'].code}/transitions/return",
            {
                "note": "แก้ไขยุทธศาสตร์ที่ 1",
            },
        ),
        {"system_admin", "approver"},
        submitted,
    ),
    transition("close_hearing", steps("open_hearing")),
    transition("put_in_force", steps("submit", "approve")),
    transition("revise", steps("submit", "approve")),
    transition("end", steps("submit", "approve", "put_in_force")),
    transition("supersede", steps("submit", "approve")),
]


def state(world: dict[str, Any]) -> tuple[Any, ...]:
    plan = (
        Plan.objects.get(pk=world["plan"].pk)
        if Plan.objects.filter(pk=world["plan"].pk).exists()
        else None
    )
    return (
        Plan.objects.count(),
        plan.status if plan else None,
        plan.name_en if plan else None,
        sorted(PlanElement.objects.filter(plan=world["plan"]).values_list("code", "title_th")),
        sorted(
            AlignmentLink.objects.filter(source_plan=world["plan"]).values_list(
                "target_element__code", "contribution"
            )
        ),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "build", "allowed", "prepare"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_role_against_action(world, role, action, build, allowed, prepare):
    if prepare is not None:
        prepare(world)
    method, url, body = build(world)
    before = state(world)
    denials = AuditRecord.objects.filter(outcome="denied").count()

    response = send(client_for(role, world), method, url, body)

    if role in allowed:
        assert response.status_code in (200, 201, 204), (role, action, response.content)
        assert state(world) != before
    else:
        expected = 401 if role == "anonymous" else 403
        assert response.status_code == expected, (role, action, response.content)
        assert state(world) == before
        if role != "anonymous":
            assert AuditRecord.objects.filter(outcome="denied").count() == denials + 1
            assert AuditRecord.objects.filter(outcome="denied").latest("id").action == action


def test_an_approved_plan_is_read_only_even_for_its_planner(world):
    submitted(world)
    services.plan_transition(actor=SYSTEM, plan=world["plan"], name="approve")

    response = send(
        signed_in(world["users"]["planner"]),
        "patch",
        f"/api/plans/{world['plan'].code}",
        {"name_en": "Changed"},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "plan_read_only"
    assert Plan.objects.get(pk=world["plan"].pk).name_en == ""


def test_sub_organisations_when_granted(world):
    below = Organisation.objects.create(
        code="matrix-district", name_th="อำเภอทดสอบ", kind="department", parent=world["office"]
    )
    plan = PlanFactory(owner=below)
    wide = member("m-wide", Role.PLANNER, world["office"], includes_sub_organisations=True)
    narrow = world["users"]["planner"]

    ok = send(signed_in(wide), "patch", f"/api/plans/{plan.code}", {"name_en": "Wide"})
    refused = send(signed_in(narrow), "patch", f"/api/plans/{plan.code}", {"name_en": "Narrow"})

    assert ok.status_code == 200
    assert refused.status_code == 403
    assert Plan.objects.get(pk=plan.pk).name_en == "Wide"
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_the_matrix_covers_every_lifecycle_step():
    from phaen.plans.permissions import TRANSITIONS

    covered = {action for action, *_ in ACTIONS}
    assert {f"plan.{name}" for name in TRANSITIONS} <= covered
