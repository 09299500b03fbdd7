"""Who may run a hearing's staff actions, through the API and the pages.

Anonymous requests get 401 (API) or the sign-in page (pages) and leave no record; a planner of
another organisation and an auditor are refused with 403, and the refusal is in the audit
trail; the organiser's planners and system administrators may act. Auditors read the
moderation list but change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from phaen.consultation.models import Comment, Hearing
from phaen.core.models import AuditRecord
from tests.conftest import member, signed_in
from tests.consultation.hearing_fixtures import (  # noqa: F401
    clear_rate_limits,
    make_hearing,
    organisation,
    planner_of,
    post,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other_planner", "auditor", "planner", "system_admin")


@dataclass
class World:
    hearing: Hearing  # open, with one comment
    scheduled: Hearing  # without comments
    comment: Comment
    users: dict[str, Any]

    def client(self, role: str) -> Client:
        if role == "anonymous":
            return Client()
        return signed_in(self.users[role])


@pytest.fixture
def world() -> World:
    hearing = make_hearing(code="matrix-open")
    scheduled = make_hearing(code="matrix-scheduled", opened=False)
    comment, _ = post(hearing)
    users = {
        "other_planner": planner_of("depa", "m-other"),
        "auditor": member("m-auditor", "auditor", organisation("depa")),
        "planner": planner_of("mdes", "m-planner"),
        "system_admin": get_user_model().objects.create_superuser("m-admin", password="x-pw"),
    }
    return World(hearing, scheduled, comment, users)


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    path: Callable[[World], str]
    body: dict[str, Any] | None
    audit: str  # the action a refusal is recorded as
    readers_allowed: bool = False  # auditors may (a read)


API_ACTIONS = [
    Action(
        "create",
        "post",
        lambda w: "/api/consultation/hearings",
        {
            "code": "matrix-new",
            "title_th": "ใหม่",
            "plan": "eec-digital-infra-2",
            "organiser": "mdes",
            "starts_at": "2030-01-01T09:00:00",
            "ends_at": "2030-02-01T09:00:00",
        },
        "hearing.create",
    ),
    Action(
        "update",
        "patch",
        lambda w: f"/api/consultation/hearings/{w.hearing.code}",
        {"title_th": "แก้ชื่อ"},
        "hearing.update",
    ),
    Action(
        "close",
        "post",
        lambda w: f"/api/consultation/hearings/{w.hearing.code}/steps/close",
        {},
        "hearing.close",
    ),
    Action(
        "open",
        "post",
        lambda w: f"/api/consultation/hearings/{w.scheduled.code}/steps/open",
        {},
        "hearing.open",
    ),
    Action(
        "delete",
        "delete",
        lambda w: f"/api/consultation/hearings/{w.scheduled.code}",
        None,
        "hearing.delete",
    ),
    Action(
        "moderate",
        "post",
        lambda w: f"/api/consultation/comments/{w.comment.pk}/moderation",
        {"action": "hide", "reason": "ทดสอบ"},
        "comment.hide",
    ),
    Action(
        "respond",
        "put",
        lambda w: f"/api/consultation/comments/{w.comment.pk}/response",
        {"decision": "accepted", "reason": "รับ"},
        "response.set",
    ),
    Action(
        "enter",
        "post",
        lambda w: f"/api/consultation/hearings/{w.hearing.code}/entries",
        {"channel": "written", "stance": "support", "body": "หนังสือ"},
        "comment.enter",
    ),
    Action(
        "moderation list",
        "get",
        lambda w: f"/api/consultation/hearings/{w.hearing.code}/moderation",
        None,
        "hearing.moderation_read",
        readers_allowed=True,
    ),
]


def call(client: Client, action: Action, world: World) -> Any:
    path = action.path(world)
    method = getattr(client, action.method)
    if action.body is None:
        return method(path)
    return method(path, data=json.dumps(action.body), content_type="application/json")


def denied(world: World, role: str, action: str) -> bool:
    user = world.users[role]
    return AuditRecord.objects.filter(actor_id=user.pk, action=action, outcome="denied").exists()


@pytest.mark.parametrize("action", API_ACTIONS, ids=lambda a: a.name)
@pytest.mark.parametrize("role", ROLES)
def test_api_matrix(world: World, role: str, action: Action) -> None:
    records = AuditRecord.objects.count()
    response = call(world.client(role), action, world)

    if role == "anonymous":
        assert response.status_code == 401
        assert AuditRecord.objects.count() == records  # never reached a service
    elif role in ("planner", "system_admin") or (role == "auditor" and action.readers_allowed):
        assert response.status_code in (200, 201, 204), response.content
    else:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "permission_denied"
        assert denied(world, role, action.audit)


PAGE_ACTIONS = [
    Action(
        "edit", "get", lambda w: f"/consultation/{w.hearing.code}/edit/", None, "hearing.update"
    ),
    Action(
        "manage",
        "get",
        lambda w: f"/consultation/{w.hearing.code}/manage/",
        None,
        "hearing.moderation_read",
        readers_allowed=True,
    ),
    Action(
        "step",
        "get",
        lambda w: f"/consultation/{w.hearing.code}/steps/close/",
        None,
        "hearing.close",
    ),
    Action(
        "enter",
        "get",
        lambda w: f"/consultation/{w.hearing.code}/entries/new/",
        None,
        "comment.enter",
    ),
    Action(
        "moderate",
        "post",
        lambda w: f"/consultation/comments/{w.comment.pk}/moderate/",
        {"action": "hide", "reason": "ทดสอบ"},
        "comment.hide",
    ),
    Action(
        "respond",
        "get",
        lambda w: f"/consultation/comments/{w.comment.pk}/response/",
        None,
        "response.set",
    ),
    Action(
        "delete",
        "post",
        lambda w: f"/consultation/{w.scheduled.code}/delete/",
        {},
        "hearing.delete",
    ),
]


def page_call(client: Client, action: Action, world: World) -> Any:
    method = getattr(client, action.method)
    if action.body is None:
        return method(action.path(world))
    return method(action.path(world), action.body)


@pytest.mark.parametrize("action", PAGE_ACTIONS, ids=lambda a: a.name)
@pytest.mark.parametrize("role", ROLES)
def test_page_matrix(world: World, role: str, action: Action) -> None:
    records = AuditRecord.objects.count()
    response = page_call(world.client(role), action, world)

    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
        assert AuditRecord.objects.count() == records
    elif role in ("planner", "system_admin") or (role == "auditor" and action.readers_allowed):
        assert response.status_code in (200, 302), response.content[:300]
        if response.status_code == 302:
            assert "/login" not in response["Location"]
    else:
        assert response.status_code == 403
        assert denied(world, role, action.audit)


def test_the_create_page_is_for_planners(world: World) -> None:
    assert Client().get("/consultation/new/").status_code == 302
    assert world.client("auditor").get("/consultation/new/").status_code == 403
    assert denied(world, "auditor", "hearing.create")
    page = world.client("planner").get("/consultation/new/").content.decode()
    organisers = page.split('name="organiser"')[1].split("</select>")[0]
    assert 'value="mdes"' in organisers and 'value="depa"' not in organisers
