"""The indicators API: reads, writes, the review flow, what each viewer may read, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from phaen.kpis import services
from phaen.kpis.models import ActualStatus, Indicator
from phaen.kpis.permissions import SYSTEM
from tests.conftest import signed_in
from tests.kpis.factories import (
    IndicatorFactory,
    World,
    actuals,
    local_administration,
    targets,
    world,
)
from tests.plans.factories import ElementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return world()


def send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def as_(w: World, role: str) -> Client:
    return signed_in(w.users[role])


# --- Indicators --------------------------------------------------------------------------------


def test_create_read_update_delete_an_indicator(w: World) -> None:
    element = ElementFactory(plan=w.indicator.plan, code="kpi-api-element")
    planner = as_(w, "planner")
    created = send(
        planner,
        "post",
        "/api/indicators",
        {
            "code": "api-made",
            "name_th": "ตัวชี้วัดผ่าน API",
            "element": "kpi-api-element",
            "owner": w.owner.code,
            "measure_type": "percent",
            "baseline_value": "12.5",
            "sources": [],
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["plan"] == w.indicator.plan.code and body["element"] == element.code
    assert body["baseline_value"] == 12.5
    got = send(Client(), "get", "/api/indicators/api-made").json()
    assert got["owner"]["code"] == w.owner.code
    patched = send(planner, "patch", "/api/indicators/api-made", {"unit": "ร้อยละ"})
    assert patched.status_code == 200 and patched.json()["unit"] == "ร้อยละ"
    assert send(planner, "delete", "/api/indicators/api-made").status_code == 204
    assert not Indicator.objects.filter(code="api-made").exists()


def test_api_validation_errors_name_the_field(w: World) -> None:
    planner = as_(w, "planner")
    response = send(
        planner,
        "post",
        "/api/indicators",
        {"code": "targets", "name_th": "ก", "plan": w.indicator.plan.code, "owner": w.owner.code},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "indicator_code_reserved"
    unknown = send(
        planner,
        "post",
        "/api/indicators",
        {"code": "x-1", "name_th": "ก", "plan": "no-such-plan", "owner": w.owner.code},
    )
    assert unknown.status_code == 422
    assert "plan" in unknown.json()["detail"]["fields"]
    schema = send(planner, "post", "/api/indicators", {"code": "x-2"})
    assert schema.status_code == 422 and schema.json()["code"] == "invalid_input"


def test_list_filters(w: World) -> None:
    IndicatorFactory(code="kpi-percent", measure_type="percent")
    anonymous = Client()
    listed = send(anonymous, "get", "/api/indicators?page_size=200").json()["items"]
    assert {"kpi-world", "kpi-percent"} <= {i["code"] for i in listed}
    only = send(anonymous, "get", "/api/indicators?measure_type=percent&page_size=200").json()
    codes = [i["code"] for i in only["items"]]
    assert "kpi-percent" in codes and "kpi-world" not in codes
    assert all(i["measure_type"] == "percent" for i in only["items"])
    by_owner = send(anonymous, "get", f"/api/indicators?owner={w.owner.code}").json()["items"]
    assert "kpi-world" in [i["code"] for i in by_owner]


@pytest.mark.parametrize("count", [2, 15])
def test_list_endpoints_run_a_fixed_number_of_queries(
    w: World, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        indicator = IndicatorFactory(code=f"kpi-api-many-{n}")
        services.target_set(actor=SYSTEM, indicator=indicator, fiscal_year=2567, value=n + 1)
        actual = services.actual_save(actor=SYSTEM, indicator=indicator, fiscal_year=2567, value=n)
        services.actual_submit(actor=SYSTEM, actual=actual)
        services.actual_approve(actor=SYSTEM, actual=actual)
    anonymous = Client()
    for url in ("/api/indicators", "/api/indicators/targets", "/api/indicators/actuals"):
        with django_assert_num_queries(2):  # count, page
            assert send(anonymous, "get", f"{url}?page_size=50").status_code == 200


# --- Targets -----------------------------------------------------------------------------------


def test_put_targets_and_delete(w: World) -> None:
    planner = as_(w, "planner")
    body = {"indicator": "kpi-world", "fiscal_year": 2567, "area": "P:40", "value": 10}
    first = send(planner, "put", "/api/indicators/targets", body)
    assert first.status_code == 200, first.json()
    assert first.json()["area_key"] == "P:40" and first.json()["area_name"] == "ขอนแก่น"
    again = send(planner, "put", "/api/indicators/targets", {**body, "value": 12})
    assert again.json()["id"] == first.json()["id"] and again.json()["value"] == 12
    listed = send(Client(), "get", "/api/indicators/targets?indicator=kpi-world&area=P:40")
    assert [t["value"] for t in listed.json()["items"]] == [12]
    outside = send(planner, "put", "/api/indicators/targets", {**body, "fiscal_year": 2590})
    assert outside.status_code == 422
    assert outside.json()["code"] == "target_period_outside_plan"
    assert "2566–2570" in outside.json()["message"]
    bad_area = send(planner, "put", "/api/indicators/targets", {**body, "area": "P:99"})
    assert bad_area.status_code == 422 and bad_area.json()["code"] == "target_area_invalid"
    target_id = first.json()["id"]
    assert send(planner, "delete", f"/api/indicators/targets/{target_id}").status_code == 204
    assert not targets().exists()


# --- Actuals -----------------------------------------------------------------------------------


def test_the_review_flow_through_the_api(w: World) -> None:
    reporter, approver = as_(w, "reporter"), as_(w, "approver")
    created = send(
        reporter,
        "post",
        "/api/indicators/actuals",
        {
            "indicator": "kpi-world",
            "fiscal_year": 2567,
            "value": 5,
            "evidence_url": "https://example.org/report.pdf",
        },
    )
    assert created.status_code == 201, created.json()
    actual_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["reporting_organisation"] == w.owner.code
    patched = send(reporter, "patch", f"/api/indicators/actuals/{actual_id}", {"value": 6})
    assert patched.json()["value"] == 6
    assert patched.json()["evidence_url"] == "https://example.org/report.pdf"  # kept
    submitted = send(reporter, "post", f"/api/indicators/actuals/{actual_id}/submit", {})
    assert submitted.json()["status"] == "submitted"
    no_note = send(approver, "post", f"/api/indicators/actuals/{actual_id}/return", {})
    assert no_note.status_code == 422
    assert no_note.json()["code"] == "actual_return_note_required"
    returned = send(approver, "post", f"/api/indicators/actuals/{actual_id}/return", {"note": "แก้"})
    assert returned.json()["status"] == "returned" and returned.json()["review_note"] == "แก้"
    send(reporter, "post", f"/api/indicators/actuals/{actual_id}/submit", {})
    approved = send(approver, "post", f"/api/indicators/actuals/{actual_id}/approve", {})
    assert approved.json()["status"] == "approved"
    locked = send(reporter, "patch", f"/api/indicators/actuals/{actual_id}", {"value": 7})
    assert locked.status_code == 409 and locked.json()["code"] == "actual_status_invalid"
    series = send(Client(), "get", "/api/indicators/kpi-world/series").json()
    assert series["points"][0]["actual"] == 6.0
    unknown = send(approver, "post", f"/api/indicators/actuals/{actual_id}/publish", {})
    assert unknown.status_code == 422 and unknown.json()["code"] == "actual_step_unknown"
    assert send(approver, "post", "/api/indicators/actuals/999999/approve", {}).status_code == 404


def test_patching_the_parts_computes_the_value_again(w: World) -> None:
    w.indicator.measure_type = "percent"
    w.indicator.save()
    reporter = as_(w, "reporter")
    created = send(
        reporter,
        "post",
        "/api/indicators/actuals",
        {"indicator": "kpi-world", "fiscal_year": 2567, "numerator": 1, "denominator": 4},
    )
    assert created.json()["value"] == 25
    patched = send(
        reporter, "patch", f"/api/indicators/actuals/{created.json()['id']}", {"numerator": 3}
    )
    assert patched.json()["value"] == 75


def test_the_series_endpoint_by_area(w: World) -> None:
    lao = local_administration()
    services.target_set(
        actor=SYSTEM,
        indicator=w.indicator,
        fiscal_year=2567,
        area_level="province",
        province=lao.province,
        value=10,
    )
    actual = services.actual_save(
        actor=SYSTEM,
        indicator=w.indicator,
        fiscal_year=2567,
        area_level="local",
        local_organisation=lao,
        value=4,
    )
    assert send(Client(), "get", "/api/indicators/kpi-world/series?area=P:40").json()["points"] == [
        {
            "fiscal_year": 2567,
            "target": 10.0,
            "actual": None,
            "achievement": None,
            "band": "no_data",
            "target_year": 2567,
        }
    ]
    services.actual_submit(actor=SYSTEM, actual=actual)
    services.actual_approve(actor=SYSTEM, actual=actual)
    point = send(Client(), "get", "/api/indicators/kpi-world/series?area=P:40").json()["points"][0]
    assert point["actual"] == 4.0 and point["achievement"] == 40.0 and point["band"] == "off_track"
    assert send(Client(), "get", "/api/indicators/kpi-world/series?area=Q").status_code == 404


# --- What each viewer reads --------------------------------------------------------------------


def test_unapproved_actuals_are_read_only_by_those_who_follow_them(w: World) -> None:
    draft = services.actual_save(
        actor=w.users["reporter"], indicator=w.indicator, fiscal_year=2567, value=1
    )
    done = services.actual_save(actor=SYSTEM, indicator=w.indicator, fiscal_year=2568, value=2)
    services.actual_submit(actor=SYSTEM, actual=done)
    services.actual_approve(actor=SYSTEM, actual=done)

    def statuses(client: Client, query: str = "") -> list[str]:
        url = f"/api/indicators/actuals?indicator=kpi-world&{query}"
        items = send(client, "get", url).json()["items"]
        return sorted(item["status"] for item in items)

    assert statuses(Client()) == ["approved"]
    assert statuses(Client(), "status=draft") == []
    assert statuses(as_(w, "other_reporter")) == ["approved"]
    assert statuses(as_(w, "other_approver"), "status=draft") == []
    for role in ("reporter", "planner", "approver", "auditor", "system_admin"):
        assert statuses(as_(w, role)) == ["approved", "draft"], role
        assert statuses(as_(w, role), "status=draft") == ["draft"], role
    assert send(Client(), "get", f"/api/indicators/actuals/{draft.pk}").status_code == 404
    assert send(as_(w, "reporter"), "get", f"/api/indicators/actuals/{draft.pk}").status_code == 200


def test_a_provincial_office_sees_its_own_drafts(w: World) -> None:
    reporter = as_(w, "provincial_reporter")
    created = send(
        reporter,
        "post",
        "/api/indicators/actuals",
        {"indicator": "kpi-world", "fiscal_year": 2567, "area": "P:40", "value": 3},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["reporting_organisation"] == w.provincial.code
    items = send(reporter, "get", "/api/indicators/actuals?indicator=kpi-world").json()["items"]
    assert [i["status"] for i in items] == ["draft"]
    assert actuals().get().status == ActualStatus.DRAFT
