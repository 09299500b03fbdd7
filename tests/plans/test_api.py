"""The plans API: lists, writes with their permission checks, errors and reports."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from phaen.plans import services
from phaen.plans.models import AlignmentLink, Plan, PlanElement, PlanKind
from phaen.plans.permissions import SYSTEM
from tests.conftest import planning_office
from tests.plans.factories import OrganisationFactory, PlanFactory, publish

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def post(client: Client, url: str, body: dict, method: str = "post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **EN)


def add(plan: Plan, title: str, kind: str = "strategy", parent=None) -> PlanElement:
    return services.element_create(
        actor=SYSTEM, plan=plan, kind=kind, title_th=title, parent=parent
    )


@pytest.fixture
def hierarchy():
    ns = PlanFactory(kind=PlanKind.NATIONAL_STRATEGY, start_year=2018, end_year=2037)
    master = PlanFactory(kind=PlanKind.MASTER_PLAN, start_year=2018, end_year=2037)
    action = PlanFactory(kind=PlanKind.ACTION_PLAN, start_year=2024, end_year=2027)
    made = {
        "ns": ns,
        "master": master,
        "action": action,
        "n2": add(ns, "ด้านการแข่งขัน"),
        "m7": add(master, "โครงสร้างพื้นฐาน"),
        "a1": add(action, "แนวทางที่ 1", kind="approach"),
    }
    for plan in (ns, master, action):
        publish(plan)
    return made


class TestReads:
    def test_list_filters_by_level_and_shows_top_elements(self, client, hierarchy):
        response = client.get("/api/plans", {"level": 1, "q": hierarchy["ns"].name_th})

        assert response.status_code == 200
        body = response.json()
        codes = [item["code"] for item in body["items"]]
        assert hierarchy["ns"].code in codes
        item = next(i for i in body["items"] if i["code"] == hierarchy["ns"].code)
        assert [e["title_th"] for e in item["top_elements"]] == ["ด้านการแข่งขัน"]
        assert item["start_year_be"] == 2561 and item["end_year_be"] == 2580

    def test_unknown_plan_is_a_404_with_the_error_shape(self, client):
        response = client.get("/api/plans/no-such-plan", **EN)

        assert response.status_code == 404
        assert response.json() == {
            "code": "plan_not_found",
            "message": "No plan has the code “no-such-plan”.",
            "detail": {},
        }

    def test_list_runs_a_fixed_number_of_queries(self, client, django_assert_max_num_queries):
        owner = OrganisationFactory()
        for _ in range(3):
            publish(PlanFactory(owner=owner))
        with django_assert_max_num_queries(6) as small:
            client.get("/api/plans", {"owner": owner.code})
        for _ in range(30):
            plan = PlanFactory(owner=owner)
            add(plan, "ก")
            publish(plan)
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get("/api/plans", {"owner": owner.code, "page_size": 50})
        assert response.json()["count"] == 33


class TestWrites:
    def test_anonymous_writes_are_refused(self, client, hierarchy):
        response = post(
            client,
            "/api/alignment-links",
            {
                "source_element": hierarchy["a1"].code,
                "target": hierarchy["m7"].code,
            },
        )
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert not AlignmentLink.objects.filter(source_plan=hierarchy["action"]).exists()

    def test_a_user_without_permission_gets_403_and_nothing_is_written(self, reader, hierarchy):
        client = Client()
        client.force_login(reader)
        response = post(
            client,
            "/api/alignment-links",
            {
                "source_element": hierarchy["a1"].code,
                "target": hierarchy["m7"].code,
            },
        )
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert not AlignmentLink.objects.filter(source_plan=hierarchy["action"]).exists()

    def test_planner_creates_a_plan_an_element_and_a_link(self, planner_client, hierarchy):
        owner = planning_office()
        response = post(
            planner_client,
            "/api/plans",
            {
                "code": "new-plan",
                "name_th": "แผนใหม่",
                "kind": "action_plan",
                "owner": owner.code,
                "start_year_be": 2567,
                "end_year_be": 2570,
            },
        )
        assert response.status_code == 201, response.content
        assert response.json()["level"] == 3
        assert response.json()["start_year"] == 2024

        response = post(
            planner_client,
            "/api/plans/new-plan/elements",
            {
                "kind": "strategy",
                "title_th": "ยุทธศาสตร์ที่ 1",
                "number": "1",
            },
        )
        assert response.status_code == 201, response.content
        element = response.json()["code"]

        response = post(
            planner_client,
            "/api/alignment-links",
            {
                "source_element": element,
                "target": hierarchy["m7"].code,
                "contribution": "supporting",
                "rationale": "เหตุผล",
            },
        )
        assert response.status_code == 201, response.content
        assert response.json()["target"]["plan_level"] == 2

        chain = planner_client.get(f"/api/reports/chain/{element}").json()
        assert chain["paths"][0][-1]["code"] == hierarchy["m7"].code

    @pytest.mark.parametrize(
        ("case", "code"),
        [
            ("downward", "alignment_points_downward"),
            ("disjoint", "alignment_periods_disjoint"),
            ("cycle", "alignment_cycle"),
        ],
    )
    def test_refused_links_write_nothing(self, planner_client, hierarchy, case, code):
        if case == "downward":
            body = {"source_element": hierarchy["n2"].code, "target": hierarchy["a1"].code}
        elif case == "disjoint":
            old = PlanFactory(kind=PlanKind.MASTER_PLAN, start_year=2005, end_year=2010)
            body = {"source_element": hierarchy["a1"].code, "target": add(old, "เก่า").code}
        else:
            one, two = PlanFactory(), PlanFactory()
            p1, p2 = add(one, "แผนงาน", "programme"), add(two, "แผนงาน", "programme")
            services.alignment_link(actor=SYSTEM, source_element=p1, target=p2)
            body = {"source_element": p2.code, "target": p1.code}
        before = AlignmentLink.objects.count()

        response = post(planner_client, "/api/alignment-links", body)

        assert response.status_code == 422
        error = response.json()
        assert error["code"] == code
        assert error["message"]
        assert AlignmentLink.objects.count() == before

    def test_invalid_payload_is_a_422_naming_the_field(self, planner_client):
        response = post(planner_client, "/api/plans", {"code": "x"})
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "invalid_input"
        assert "name_th" in body["detail"]["fields"]

    def test_unknown_owner_is_named(self, planner_client):
        response = post(
            planner_client,
            "/api/plans",
            {
                "code": "x-plan",
                "name_th": "แผน",
                "kind": "action_plan",
                "owner": "nobody",
                "start_year_be": 2567,
                "end_year_be": 2570,
            },
        )
        assert response.status_code == 422
        assert response.json()["detail"]["fields"] == {"owner": "Unknown code “nobody”."}
        assert not Plan.objects.filter(code="x-plan").exists()

    def test_delete_a_plan_others_depend_on_is_refused(self, planner_client, hierarchy):
        services.alignment_link(
            actor=SYSTEM, source_element=hierarchy["a1"], target=hierarchy["m7"]
        )
        response = planner_client.delete(f"/api/plans/{hierarchy['master'].code}", **EN)
        assert response.status_code == 422
        assert response.json()["code"] == "plan_has_dependents"
        assert Plan.objects.filter(pk=hierarchy["master"].pk).exists()


class TestReports:
    def test_matrix_and_gaps(self, client, hierarchy):
        services.alignment_link(
            actor=SYSTEM, source_element=hierarchy["a1"], target=hierarchy["m7"]
        )
        services.alignment_link(
            actor=SYSTEM, source_element=hierarchy["m7"], target=hierarchy["n2"]
        )
        ns_other = add(hierarchy["ns"], "ด้านความมั่นคง")
        for plan in ("ns", "master", "action"):  # publish the links for the public reports
            publish(hierarchy[plan])

        matrix = client.get(
            "/api/reports/matrix",
            {
                "plan": hierarchy["action"].code,
                "higher_plan": hierarchy["ns"].code,
            },
        ).json()
        assert matrix["cells"] == [["indirect", ""]]

        gaps = client.get(f"/api/reports/gaps/{hierarchy['ns'].code}", {"level": 3}).json()
        assert [e["code"] for e in gaps["unserved"]] == [ns_other.code]
        assert gaps["served"][0]["plans"] == [
            {"plan": hierarchy["action"].code, "level": 3, "how": "indirect"}
        ]
        assert gaps["served"][0]["strongest"] == "indirect"
