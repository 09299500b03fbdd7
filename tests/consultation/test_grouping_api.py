"""The comment-groups API, /api/consultation/groups/<hearing code>: shapes, errors, queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from phaen.accounts.models import Role
from phaen.consultation import grouping_services as services
from phaen.consultation.models import CommentGroup, Decision, Response
from phaen.core.models import AuditRecord
from tests.conftest import member, planning_office, signed_in
from tests.consultation.grouping_fixtures import COMMENTS, add_comment, add_comments, make_hearing
from tests.plans.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

API = "/api/consultation/groups/grp-hearing"


@pytest.fixture
def hearing() -> Any:
    return make_hearing()


@pytest.fixture
def comments(hearing: Any) -> dict[int, Any]:
    return add_comments(hearing)


@pytest.fixture
def api(planner: Any) -> Client:
    return signed_in(planner)


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def test_suggest_then_list(hearing, comments, api):
    response = send(api, "post", f"{API}/suggest", {})

    assert response.status_code == 200
    body = response.json()
    assert body["replaced"] == 0 and body["created"]
    created = {g["id"]: g for g in body["created"]}
    listed = send(api, "get", API).json()
    assert listed["count"] == len(created)
    for item in listed["items"]:
        assert item == created[item["id"]]
        assert item["automatic"] and not item["answered"]
        assert item["comment_count"] == len(item["comments"]) >= 2
        assert 2 <= len(item["name"].split(" · ")) <= 3


def test_suggest_takes_a_threshold(hearing, comments, api):
    strict = send(api, "post", f"{API}/suggest", {"threshold": 1.0}).json()

    assert strict["created"] == [] and strict["ungrouped"] == len(COMMENTS)
    assert send(api, "post", f"{API}/suggest", {"threshold": 0}).status_code == 422


def test_create_rename_split_move_merge_delete(hearing, comments, api):
    ids = {n: c.pk for n, c in comments.items()}
    made = send(api, "post", API, {"comments": [ids[n] for n in (12, 14, 18, 19, 20)]})
    assert made.status_code == 201
    group = made.json()
    assert group["element_code"] == "grp-s2" and not group["automatic"]
    assert group["comments"] == sorted(ids[n] for n in (12, 14, 18, 19, 20))

    renamed = send(api, "patch", f"{API}/{group['id']}", {"name": "ทักษะดิจิทัล"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "ทักษะดิจิทัล"

    split = send(api, "post", f"{API}/{group['id']}/split", {"comments": [ids[18], ids[19]]})
    assert split.status_code == 201
    new = split.json()
    assert new["comments"] == sorted([ids[18], ids[19]])

    moved = send(api, "post", f"{API}/move", {"comments": [ids[20]], "group": new["id"]})
    assert moved.status_code == 204
    assert CommentGroup.objects.get(pk=new["id"]).comments.count() == 3

    merged = send(api, "post", f"{API}/merge", {"groups": [group["id"], new["id"]]})
    assert merged.status_code == 200
    assert merged.json()["id"] == new["id"]  # the larger group is kept
    assert merged.json()["comment_count"] == 5

    out = send(api, "post", f"{API}/move", {"comments": [ids[12]], "group": None})
    assert out.status_code == 204
    assert send(api, "delete", f"{API}/{new['id']}").status_code == 204
    assert not CommentGroup.objects.filter(hearing=hearing).exists()
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {
        "comment_group.create",
        "comment_group.rename",
        "comment_group.split",
        "comment.group_move",
        "comment_group.merge",
        "comment_group.delete",
    } <= actions


def test_errors_have_a_code_and_fields(hearing, comments, api, planner):
    group = services.group_create(actor=planner, hearing=hearing, name="ก")
    Response.objects.create(hearing=hearing, group=group, decision=Decision.ACCEPTED, reason="ร")

    empty = send(api, "patch", f"{API}/{group.pk}", {"name": " "})
    assert empty.status_code == 422
    assert empty.json()["code"] == "comment_group_name_required"
    assert "name" in empty.json()["detail"]["fields"]
    answered = send(api, "delete", f"{API}/{group.pk}")
    assert answered.status_code == 409 and answered.json()["code"] == "comment_group_answered"
    missing = send(api, "patch", f"{API}/999999", {"name": "x"})
    assert missing.status_code == 404 and missing.json()["code"] == "comment_group_not_found"
    unknown = send(api, "post", f"{API}/move", {"comments": [999999], "group": None})
    assert unknown.status_code == 422 and unknown.json()["code"] == "comment_not_found"
    no_hearing = send(api, "get", "/api/consultation/groups/no-such-hearing")
    assert no_hearing.status_code == 404


def test_who_may_use_the_api(hearing, comments):
    assert send(Client(), "get", API).status_code == 401
    assert send(Client(), "post", f"{API}/suggest", {}).status_code == 401

    stranger = signed_in(member("grp-stranger", Role.PLANNER, OrganisationFactory(code="grp-o")))
    assert send(stranger, "get", API).status_code == 403
    refused = send(stranger, "post", f"{API}/suggest", {})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert AuditRecord.objects.filter(action="comment_group.suggest", outcome="denied").exists()

    auditor = signed_in(member("grp-auditor", Role.AUDITOR, planning_office()))
    assert send(auditor, "get", API).status_code == 200
    assert send(auditor, "post", f"{API}/suggest", {}).status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(hearing, planner, api, django_assert_num_queries):
    def grow(n: int, start: int) -> None:
        for i in range(n):
            _number, element, _topic, body = COMMENTS[(start + i) % len(COMMENTS)]
            first = add_comment(hearing, f"{body} ({start + i})", element)
            second = add_comment(hearing, f"{body} [{start + i}]", element)
            group = services.group_create(
                actor=planner,
                hearing=hearing,
                name=f"กลุ่ม {start + i}",
                comments=[first.pk, second.pk],
            )
            if i % 2:
                Response.objects.create(
                    hearing=hearing, group=group, decision=Decision.ACCEPTED, reason="ร"
                )

    grow(2, 0)
    send(api, "get", API)
    with CaptureQueriesContext(connection) as small:
        first = send(api, "get", API)
    grow(12, 2)
    with django_assert_num_queries(len(small)):
        second = send(api, "get", API)

    assert first.json()["count"] == 2 and second.json()["count"] == 14
    assert sum(item["answered"] for item in second.json()["items"]) == 7
