"""Every role against every write action on indicators, targets and actuals, through the API.

An allowed action succeeds; any other is refused (401 for the anonymous, 403 for everyone
else), writes nothing, and leaves one audit record of the refusal naming the action.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from phaen.core.models import AuditRecord
from phaen.kpis import services
from phaen.kpis.models import Actual, Indicator, Target
from phaen.kpis.permissions import SYSTEM
from tests.conftest import signed_in
from tests.kpis.factories import World, actuals, targets, world

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "system_admin",
    "planner",
    "reporter",
    "approver",
    "other_planner",
    "other_reporter",
    "other_approver",
    "provincial_reporter",
    "auditor",
]
WRITERS = {"system_admin", "planner"}
REPORTERS = {"system_admin", "planner", "reporter"}
REVIEWERS = {"system_admin", "approver"}


def draft(w: World) -> Actual:
    return services.actual_save(actor=SYSTEM, indicator=w.indicator, fiscal_year=2567, value=5)


def submitted(w: World) -> Actual:
    return services.actual_submit(actor=SYSTEM, actual=draft(w))


def approved(w: World) -> Actual:
    return services.actual_approve(actor=SYSTEM, actual=submitted(w))


def target(w: World) -> Target:
    return services.target_set(actor=SYSTEM, indicator=w.indicator, fiscal_year=2567, value=5)


Request = tuple[str, str, dict[str, Any] | None]
# (action, what to prepare, the request built from the world and the prepared row, roles allowed)
ACTIONS: list[
    tuple[str, Callable[[World], Any] | None, Callable[[World, Any], Request], set[str]]
] = [
    (
        "indicator.create",
        None,
        lambda w, _row: (
            "post",
            "/api/indicators",
            {
                "code": "matrix-new",
                "name_th": "ตัวชี้วัดใหม่",
                "plan": w.indicator.plan.code,
                "owner": w.owner.code,
            },
        ),
        WRITERS,
    ),
    (
        "indicator.update",
        None,
        lambda w, _row: ("patch", "/api/indicators/kpi-world", {"unit": "แห่ง"}),
        WRITERS,
    ),
    (
        "indicator.delete",
        None,
        lambda w, _row: ("delete", "/api/indicators/kpi-world", None),
        WRITERS,
    ),
    (
        "target.set",
        None,
        lambda w, _row: (
            "put",
            "/api/indicators/targets",
            {"indicator": "kpi-world", "fiscal_year": 2567, "value": 9},
        ),
        WRITERS,
    ),
    (
        "target.delete",
        target,
        lambda w, row: ("delete", f"/api/indicators/targets/{row.pk}", None),
        WRITERS,
    ),
    (
        "actual.create",
        None,
        lambda w, _row: (
            "post",
            "/api/indicators/actuals",
            {"indicator": "kpi-world", "fiscal_year": 2567, "value": 9},
        ),
        REPORTERS,
    ),
    (
        "actual.update",
        draft,
        lambda w, row: ("patch", f"/api/indicators/actuals/{row.pk}", {"value": 9}),
        REPORTERS,
    ),
    (
        "actual.delete",
        draft,
        lambda w, row: ("delete", f"/api/indicators/actuals/{row.pk}", None),
        REPORTERS,
    ),
    (
        "actual.submit",
        draft,
        lambda w, row: ("post", f"/api/indicators/actuals/{row.pk}/submit", {}),
        REPORTERS,
    ),
    (
        "actual.approve",
        submitted,
        lambda w, row: ("post", f"/api/indicators/actuals/{row.pk}/approve", {}),
        REVIEWERS,
    ),
    (
        "actual.return",
        submitted,
        lambda w, row: ("post", f"/api/indicators/actuals/{row.pk}/return", {"note": "แก้"}),
        REVIEWERS,
    ),
    (
        "actual.reopen",
        approved,
        lambda w, row: ("post", f"/api/indicators/actuals/{row.pk}/reopen", {"note": "ผิด"}),
        {"system_admin"},
    ),
]


def state() -> list[Any]:
    """Everything the actions could change, to check that a refusal changed nothing."""
    return [
        sorted(Indicator.objects.values_list("code", "unit")),
        sorted(targets().values_list("pk", "value")),
        sorted(actuals().values_list("pk", "value", "status")),
    ]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "prepare", "build", "allowed"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_role_against_action(
    role: str,
    action: str,
    prepare: Callable[[World], Any] | None,
    build: Callable[[World, Any], Request],
    allowed: set[str],
) -> None:
    w = world()
    row = prepare(w) if prepare is not None else None
    method, url, body = build(w, row)
    client = Client() if role == "anonymous" else signed_in(w.users[role])
    before = state()
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    response = getattr(client, method)(url, **kwargs)
    if role in allowed:
        assert response.status_code in (200, 201, 204), (role, action, response.content)
        assert state() != before
        return
    expected = 401 if role == "anonymous" else 403
    assert response.status_code == expected, (role, action, response.content)
    assert state() == before
    denied = AuditRecord.objects.filter(action=action, outcome="denied")
    assert denied.count() == (0 if role == "anonymous" else 1)
    if role != "anonymous":
        assert response.json()["code"] == "permission_denied"
