"""The plan lifecycle, frozen versions, what the public sees, and the version diff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from phaen.accounts.models import Role
from phaen.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from phaen.plans import selectors, services
from phaen.plans.models import PlanStatus, VersionKind
from phaen.plans.permissions import SYSTEM
from tests.conftest import member, signed_in

pytestmark = pytest.mark.django_db
KK_PLAN = "digital-economy-khon-kaen-2565-2569"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def khon_kaen():
    """The Khon Kaen plan of the reference data, its planner and its committee's member."""
    plan = selectors.plan_get(KK_PLAN)
    office = plan.owner
    committee = selectors.resolve_codes(owner="kbj-40")["owner"]
    return {
        "plan": plan,
        "committee": committee,
        "planner": member("kk-planner", Role.PLANNER, office),
        "approver": member("kk-approver", Role.APPROVER, committee),
        "other": member(
            "cm-planner", Role.PLANNER, selectors.resolve_codes(owner="province-office-50")["owner"]
        ),
    }


def test_reference_plans_are_published_as_version_one(khon_kaen):
    versions = selectors.version_list(khon_kaen["plan"])

    assert [v.number for v in versions] == [1]
    assert versions[0].kind == VersionKind.REFERENCE


def test_draft_submit_approve_publishes_a_new_version_with_exactly_the_change(khon_kaen):
    plan, planner, approver = khon_kaen["plan"], khon_kaen["planner"], khon_kaen["approver"]

    element = services.element_create(
        actor=planner, plan=plan, kind="strategy", number="1", title_th="ยกระดับเศรษฐกิจดิจิทัล"
    )
    services.plan_transition(
        actor=planner, plan=plan, name="submit", deciding_organisation=khon_kaen["committee"]
    )
    decision = services.plan_transition(
        actor=approver,
        plan=plan,
        name="approve",
        decision_date=dt.date(2026, 11, 20),
        resolution_number="ก.บ.จ. 3/2569",
    )

    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    assert decision.version.number == 2
    diff = selectors.version_diff(
        selectors.version_get(plan, 1).snapshot, selectors.version_get(plan, 2).snapshot
    )
    assert [(c.kind, c.key) for c in diff.elements] == [("added", element.code)]
    assert diff.links == [] and diff.plan_fields == []

    # the public page now shows version 2, with the new element
    page = Client().get(reverse("plans:plan_detail", args=[plan.code]))
    assert page.context["shown_version"].number == 2
    assert "ยกระดับเศรษฐกิจดิจิทัล" in page.content.decode()


def test_an_approved_plan_is_read_only_until_a_revision_starts(khon_kaen):
    plan, planner = khon_kaen["plan"], khon_kaen["planner"]
    services.plan_transition(
        actor=planner, plan=plan, name="submit", deciding_organisation=khon_kaen["committee"]
    )
    services.plan_transition(actor=khon_kaen["approver"], plan=plan, name="approve")

    with pytest.raises(ApplicationError) as err:
        services.element_create(actor=planner, plan=plan, kind="goal", title_th="ใหม่")
    assert err.value.code == "plan_read_only" and err.value.http_status == 409

    services.plan_transition(actor=planner, plan=plan, name="revise")
    element = services.element_create(actor=planner, plan=plan, kind="goal", title_th="ใหม่")

    # the working copy has it, the public still sees version 2 without it
    page = Client().get(reverse("plans:plan_detail", args=[plan.code]))
    assert page.context["shown_version"].number == 2
    assert element.code not in page.content.decode()
    own = signed_in(planner).get(reverse("plans:plan_detail", args=[plan.code]))
    assert own.context["shown_version"] is None
    assert "ใหม่" in own.content.decode()


def test_an_illegal_step_is_refused_with_the_state_named(khon_kaen):
    with pytest.raises(ApplicationError) as err:
        services.plan_transition(
            actor=khon_kaen["approver"], plan=khon_kaen["plan"], name="approve"
        )

    assert err.value.code == "plan_transition_invalid"
    assert "Draft" in str(err.value.message)


def test_submitting_needs_the_deciding_body(khon_kaen):
    with pytest.raises(ValidationFailed) as err:
        services.plan_transition(actor=khon_kaen["planner"], plan=khon_kaen["plan"], name="submit")

    assert err.value.code == "plan_deciding_body_required"
    khon_kaen["plan"].refresh_from_db()
    assert khon_kaen["plan"].status == PlanStatus.DRAFT


def test_the_planner_of_another_province_cannot_edit_or_submit(khon_kaen):
    with pytest.raises(PermissionDenied):
        services.element_create(
            actor=khon_kaen["other"], plan=khon_kaen["plan"], kind="goal", title_th="แทรก"
        )
    with pytest.raises(PermissionDenied):
        services.plan_transition(
            actor=khon_kaen["other"],
            plan=khon_kaen["plan"],
            name="submit",
            deciding_organisation=khon_kaen["committee"],
        )


def test_an_approver_of_another_body_cannot_approve(khon_kaen):
    services.plan_transition(
        actor=khon_kaen["planner"],
        plan=khon_kaen["plan"],
        name="submit",
        deciding_organisation=khon_kaen["committee"],
    )
    stranger = member(
        "cm-approver", Role.APPROVER, selectors.resolve_codes(owner="kbj-50")["owner"]
    )

    with pytest.raises(PermissionDenied):
        services.plan_transition(actor=stranger, plan=khon_kaen["plan"], name="approve")


def test_an_unpublished_draft_is_hidden_from_the_public(khon_kaen):
    draft = services.plan_create(
        actor=khon_kaen["planner"],
        code="kk-new-draft",
        name_th="ร่างแผนใหม่ขอนแก่น",
        kind="provincial",
        owner=khon_kaen["plan"].owner,
        area_type="province",
        provinces=list(khon_kaen["plan"].provinces.all()),
        start_year=2027,
        end_year=2030,
    )

    assert Client().get(reverse("plans:plan_detail", args=[draft.code])).status_code == 404
    assert Client().get("/api/plans/kk-new-draft").status_code == 404
    assert "kk-new-draft" not in Client().get("/", {"q": "ร่างแผนใหม่"}).content.decode()
    mine = signed_in(khon_kaen["planner"]).get(reverse("plans:plan_detail", args=[draft.code]))
    assert mine.status_code == 200


def test_versions_api_and_diff(khon_kaen):
    plan, planner = khon_kaen["plan"], khon_kaen["planner"]
    services.element_create(actor=planner, plan=plan, kind="strategy", title_th="ยุทธศาสตร์ใหม่")
    client = signed_in(planner)

    versions = client.get(f"/api/plans/{plan.code}/versions").json()
    diff = client.get(f"/api/plans/{plan.code}/versions/diff", {"old": 1, "new": "working"}).json()
    public = Client().get(f"/api/plans/{plan.code}/versions/diff", {"old": 1, "new": "working"})

    assert [v["number"] for v in versions] == [1]
    assert [c["kind"] for c in diff["elements"]] == ["added"]
    assert public.status_code in (401, 403)
    assert SYSTEM is not None


def test_reports_show_the_public_only_published_links(khon_kaen, client):
    plan, planner = khon_kaen["plan"], khon_kaen["planner"]
    element = services.element_create(
        actor=planner, plan=plan, kind="strategy", number="1", title_th="ยุทธศาสตร์ร่าง"
    )
    services.alignment_link(
        actor=planner, source_element=element, target=selectors.element_get("mp-07")
    )
    mp07 = selectors.plan_get("master-plan-07")

    public_gaps = client.get(f"/api/reports/gaps/{mp07.code}", {"level": 3}).json()
    own_gaps = signed_in(planner).get(f"/api/reports/gaps/{mp07.code}", {"level": 3}).json()
    public_chain = client.get(reverse("plans:plan_chain", args=[plan.code]))
    own_chain = signed_in(planner).get(reverse("plans:plan_chain", args=[plan.code]))

    def serving(gaps):
        return {p["plan"] for s in gaps["served"] for p in s["plans"]}

    assert plan.code not in serving(public_gaps)
    assert plan.code in serving(own_gaps)
    assert "mp-07" not in public_chain.content.decode()
    assert "mp-07" in own_chain.content.decode() or "โครงสร้างพื้นฐาน" in own_chain.content.decode()

    # once approved, the link is published and the public sees it too
    services.plan_transition(
        actor=planner, plan=plan, name="submit", deciding_organisation=khon_kaen["committee"]
    )
    services.plan_transition(actor=khon_kaen["approver"], plan=plan, name="approve")
    after = client.get(f"/api/reports/gaps/{mp07.code}", {"level": 3}).json()
    assert plan.code in serving(after)


def test_an_unpublished_draft_is_not_found_anywhere_for_the_public(khon_kaen):
    draft = services.plan_create(
        actor=khon_kaen["planner"],
        code="kk-hidden-draft",
        name_th="ร่างที่ยังไม่เผยแพร่",
        kind="provincial",
        owner=khon_kaen["plan"].owner,
        area_type="province",
        provinces=list(khon_kaen["plan"].provinces.all()),
        start_year=2027,
        end_year=2030,
    )
    element = services.element_create(
        actor=khon_kaen["planner"], plan=draft, kind="strategy", title_th="ลับ"
    )
    public = Client()

    for url in (
        f"/api/plans/{draft.code}/elements",
        f"/api/plans/{draft.code}/links",
        f"/api/elements/{element.code}",
        f"/api/reports/chain/{element.code}",
        f"/api/reports/gaps/{draft.code}",
        reverse("plans:element_chain", args=[element.code]),
        reverse("plans:plan_chain", args=[draft.code]),
        reverse("plans:plan_matrix", args=[draft.code]),
        reverse("plans:plan_gaps", args=[draft.code]),
    ):
        assert public.get(url).status_code == 404, url
    listed = public.get("/api/elements", {"plan": draft.code}).json()
    assert listed["count"] == 0
    assert signed_in(khon_kaen["planner"]).get(f"/api/elements/{element.code}").status_code == 200


def test_the_public_outline_api_serves_the_published_version(khon_kaen):
    plan, planner = khon_kaen["plan"], khon_kaen["planner"]
    services.element_create(actor=planner, plan=plan, kind="strategy", title_th="ยังเป็นร่าง")

    public = Client().get(f"/api/plans/{plan.code}/elements").json()
    own = signed_in(planner).get(f"/api/plans/{plan.code}/elements").json()

    assert [e["title_th"] for e in public] == []
    assert [e["title_th"] for e in own] == ["ยังเป็นร่าง"]


def test_a_step_the_plan_cannot_take_is_a_409_page_not_a_refusal(khon_kaen):
    url = reverse("plans:plan_transition", args=[khon_kaen["plan"].code, "approve"])

    response = signed_in(khon_kaen["approver"]).get(url)

    assert response.status_code == 409
