"""The consultation API: public reads and posting (privacy, consent, honeypot, rate limits),
the author's view by key, and the staff endpoints."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from phaen.consultation import services
from phaen.consultation.models import Comment, CommentGroup, CommentStatus, Hearing
from phaen.plans.permissions import SYSTEM
from tests.conftest import signed_in
from tests.consultation.hearing_fixtures import (  # noqa: F401
    EEC_CHILD,
    EEC_ELEMENT,
    clear_rate_limits,
    make_hearing,
    planner_of,
    post,
)

pytestmark = pytest.mark.django_db

API = "/api/consultation"
SECRETS = ("email", "commenter_key", "fingerprint", "access_key_hash", "consent_text_version")


def send(client: Client, method: str, url: str, body: Any = None, **extra: Any) -> Any:
    call = getattr(client, method)
    if body is None:
        return call(url, **extra)
    return call(url, data=json.dumps(body), content_type="application/json", **extra)


def comment_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "element_code": EEC_ELEMENT,
        "stance": "suggest",
        "body": "ขอให้มีศูนย์ข้อมูลกลางของ EEC",
        "consent": True,
    }
    body.update(fields)
    return body


def walk_keys(data: Any) -> set[str]:
    keys: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            keys.add(key)
            keys |= walk_keys(value)
    elif isinstance(data, list):
        for value in data:
            keys |= walk_keys(value)
    return keys


# --- Public reads ------------------------------------------------------------------------------


def test_the_public_lists_and_reads_hearings_with_their_outline_and_counts():
    hearing = make_hearing(title_th="รับฟังผ่าน API")
    make_hearing(opened=False, code="not-yet")
    post(hearing)
    post(hearing, element_code=EEC_CHILD, stance="support")

    listed = Client().get(f"{API}/hearings").json()
    codes = [row["code"] for row in listed["items"]]
    assert hearing.code in codes and "not-yet" not in codes
    row = next(r for r in listed["items"] if r["code"] == hearing.code)
    assert row["comment_count"] == 2 and row["version"] == 1

    detail = Client().get(f"{API}/hearings/{hearing.code}").json()
    assert detail["plan"]["code"] == "eec-digital-infra-2"
    outline = {element["code"]: element for element in detail["outline"]}
    assert outline[EEC_ELEMENT]["comment_count"] == 1
    assert outline[EEC_CHILD]["parent"] == EEC_ELEMENT
    assert detail["counts"]["by_stance"] == {"support": 1, "oppose": 0, "suggest": 1}

    counts = Client().get(f"{API}/hearings/{hearing.code}/counts").json()
    assert counts["comments"] == 2 and counts["commenters"] == 2
    assert counts["by_element"] == {EEC_ELEMENT: 1, EEC_CHILD: 1}
    assert Client().get(f"{API}/hearings/not-yet").status_code == 404


@pytest.mark.parametrize("count", [2, 7])
def test_the_list_endpoint_runs_a_fixed_number_of_queries(count, django_assert_num_queries):
    for _ in range(count):
        post(make_hearing())
    with django_assert_num_queries(2):  # the count and the page
        assert Client().get(f"{API}/hearings").status_code == 200


def test_public_answers_never_hold_private_data():
    hearing = make_hearing(moderation=True)
    shown, _ = post(hearing, author_name="ปรากฏ ชื่อ", show_identity=True, email="p@example.org")
    hidden_name, _ = post(hearing, author_name="ซ่อน ชื่อ", author_organisation="องค์กรลับ")
    pending, _ = post(hearing, body="ยังรอตรวจสอบอยู่")
    spam, _ = post(hearing, body="โฆษณาขายของ")
    for comment in (shown, hidden_name, spam):
        services.comment_moderate(actor=SYSTEM, comment=comment, action="publish")
    services.comment_moderate(actor=SYSTEM, comment=spam, action="hide", reason="spam")

    answers = [
        Client().get(f"{API}/hearings/{hearing.code}/comments").json(),
        Client().get(f"{API}/hearings/{hearing.code}").json(),
        Client().get(f"{API}/hearings").json(),
    ]
    text = json.dumps(answers, ensure_ascii=False)
    assert not walk_keys(answers) & set(SECRETS)
    for private in ("p@example.org", "ซ่อน ชื่อ", "องค์กรลับ", pending.body, spam.body):
        assert private not in text
    for comment in (shown, hidden_name, pending, spam):
        assert comment.commenter_key not in text and comment.fingerprint not in text
    listed = answers[0]["items"]
    assert [row["id"] for row in listed] == [shown.pk, hidden_name.pk]
    assert listed[0]["author_name"] == "ปรากฏ ชื่อ" and listed[1]["author_name"] == ""


# --- Posting -----------------------------------------------------------------------------------


def test_posting_a_comment_returns_the_private_key_once_and_the_author_reads_it_back():
    hearing = make_hearing(moderation=True)

    response = send(Client(), "post", f"{API}/hearings/{hearing.code}/comments", comment_body())

    assert response.status_code == 201
    data = response.json()
    assert data["comment"]["status"] == "pending"
    assert not walk_keys(data) & set(SECRETS)
    key = data["access_key"]
    assert data["private_url"].endswith(
        f"/consultation/comments/{data['comment']['id']}/?key={key}"
    )
    comment = Comment.objects.get(pk=data["comment"]["id"])
    assert comment.user is None and comment.access_key_hash != key

    services.response_set(actor=SYSTEM, comment=comment, decision="accepted", reason="รับไว้")
    own = Client().get(f"{API}/comments/{comment.pk}", {"key": key}).json()
    assert own["response"]["decision"] == "accepted" and own["status"] == "pending"
    assert Client().get(f"{API}/comments/{comment.pk}", {"key": "nope"}).status_code == 404


def test_consent_is_required():
    hearing = make_hearing()
    response = send(
        Client(), "post", f"{API}/hearings/{hearing.code}/comments", comment_body(consent=False)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "comment_consent_required"
    assert not Comment.objects.exists()


def test_the_honeypot_field_is_accepted_and_honoured():
    hearing = make_hearing()
    response = send(
        Client(),
        "post",
        f"{API}/hearings/{hearing.code}/comments",
        comment_body(website="http://buy.example"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "comment_rejected"
    assert not Comment.objects.exists()


def test_fifty_posts_from_one_address_are_throttled():
    hearing = make_hearing()
    client = Client(REMOTE_ADDR="192.0.2.77")
    left = 60 - time.time() % 60
    if left < 20:  # stay inside one minute window
        time.sleep(left + 0.2)

    statuses = [
        send(
            client,
            "post",
            f"{API}/hearings/{hearing.code}/comments",
            comment_body(body=f"ความเห็นผ่าน API หมายเลข {n}"),
        ).status_code
        for n in range(50)
    ]

    assert statuses.count(201) == 10 and statuses[:10] == [201] * 10
    assert statuses.count(429) == 40
    assert Comment.objects.filter(hearing=hearing).count() == 10
    last = send(client, "post", f"{API}/hearings/{hearing.code}/comments", comment_body(body="x y"))
    assert last.json()["code"] == "rate_limited" and last.json()["detail"]["retry_after"] > 0


def test_a_session_does_not_post_in_a_users_name_but_a_token_does():
    from phaen.accounts.services import token_create

    hearing = make_hearing()
    user = planner_of("depa")
    send(signed_in(user), "post", f"{API}/hearings/{hearing.code}/comments", comment_body())
    assert Comment.objects.get().user is None

    _token, secret = token_create(actor=user, user=user, name="cli")
    response = send(
        Client(),
        "post",
        f"{API}/hearings/{hearing.code}/comments",
        comment_body(body="ผ่านโทเคน"),
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201
    assert Comment.objects.get(body="ผ่านโทเคน").user == user


# --- Staff endpoints ---------------------------------------------------------------------------


def test_staff_moderate_answer_and_enter_comments():
    planner = planner_of("mdes")
    staff = signed_in(planner)
    hearing = make_hearing(moderation=True)
    comment, _ = post(hearing, author_name="ชื่อจริง", email="real@example.org")

    queue = staff.get(f"{API}/hearings/{hearing.code}/moderation").json()
    row = queue["items"][0]
    assert row["status"] == "pending" and row["author_name"] == "ชื่อจริง"
    assert row["has_email"] is True and "real@example.org" not in json.dumps(queue)

    hidden = send(
        staff,
        "post",
        f"{API}/comments/{comment.pk}/moderation",
        {"action": "hide", "reason": "ไม่สุภาพ"},
    )
    assert hidden.status_code == 200 and hidden.json()["status"] == "hidden"
    assert hidden.json()["moderation"][0]["reason"] == "ไม่สุภาพ"
    no_reason = send(staff, "post", f"{API}/comments/{comment.pk}/moderation", {"action": "hide"})
    assert no_reason.status_code in (409, 422)

    answer = send(
        staff,
        "put",
        f"{API}/comments/{comment.pk}/response",
        {"decision": "not_accepted", "reason": "ไม่อยู่ในขอบเขต"},
    )
    assert answer.status_code == 200 and answer.json()["decision"] == "not_accepted"

    group = CommentGroup.objects.create(hearing=hearing, name="ความปลอดภัยไซเบอร์")
    grouped = send(
        staff,
        "put",
        f"{API}/comment-groups/{group.pk}/response",
        {"decision": "accepted", "reason": "เพิ่มมาตรการแล้ว", "changed_element_code": EEC_CHILD},
    )
    assert grouped.json()["group"] == "ความปลอดภัยไซเบอร์"

    entered = send(
        staff,
        "post",
        f"{API}/hearings/{hearing.code}/entries",
        {"channel": "in_person", "stance": "support", "body": "เห็นด้วยในที่ประชุม"},
    )
    assert entered.status_code == 201 and entered.json()["entered_by"] == planner.username
    assert Comment.objects.get(pk=entered.json()["id"]).status == CommentStatus.PUBLISHED


def test_staff_create_change_step_and_delete_hearings():
    staff = signed_in(planner_of("mdes"))
    body = {
        "code": "api-hearing",
        "title_th": "รับฟังผ่าน API",
        "plan": "eec-digital-infra-2",
        "organiser": "mdes",
        "starts_at": "2026-01-01T09:00:00",
        "ends_at": "2026-01-05T16:30:00",
        "invited": ["eeco"],
    }
    created = send(staff, "post", f"{API}/hearings", body)
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "scheduled" and len(created.json()["warnings"]) == 1
    starts = dt.datetime.fromisoformat(created.json()["starts_at"].replace("Z", "+00:00"))
    assert starts == dt.datetime(2026, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Bangkok"))  # Thai time

    bad = send(staff, "post", f"{API}/hearings", {**body, "code": "other", "plan": "nowhere"})
    assert bad.status_code == 422

    changed = send(
        staff, "patch", f"{API}/hearings/api-hearing", {"ends_at": "2030-02-01T16:30:00+07:00"}
    )
    assert changed.status_code == 200 and changed.json()["warnings"] == []

    opened = send(staff, "post", f"{API}/hearings/api-hearing/steps/open", {})
    assert opened.json()["status"] == "open" and opened.json()["version"] == 1
    unknown = send(staff, "post", f"{API}/hearings/api-hearing/steps/reopen", {})
    assert unknown.status_code == 422
    send(staff, "post", f"{API}/hearings/api-hearing/steps/close", {})
    summary = send(
        staff, "post", f"{API}/hearings/api-hearing/steps/publish_summary", {"summary_th": "สรุป"}
    )
    assert summary.json()["status"] == "summarised" and summary.json()["summary_th"] == "สรุป"
    assert Client().get(f"{API}/hearings/api-hearing").json()["summary_th"] == "สรุป"

    assert staff.delete(f"{API}/hearings/api-hearing").status_code == 204
    assert not Hearing.objects.filter(code="api-hearing").exists()


@pytest.mark.parametrize("count", [2, 9])
def test_the_comment_lists_run_a_fixed_number_of_queries(
    count: int, django_assert_num_queries: Any
) -> None:
    hearing = make_hearing()
    for n in range(count):
        comment, _ = post(hearing)
        services.comment_moderate(actor=SYSTEM, comment=comment, action="hide", reason="ซ้ำ")
        services.comment_moderate(actor=SYSTEM, comment=comment, action="restore")
        if n % 2:
            services.response_set(actor=SYSTEM, comment=comment, decision="accepted", reason="รับ")
    public, staff = Client(), signed_in(planner_of("mdes"))
    # the hearing (with its invited organisations and sources), its plan's versions, the count
    # and the page of comments with their answers
    with django_assert_num_queries(6):
        assert public.get(f"{API}/hearings/{hearing.code}/comments").status_code == 200
    staff.get(f"{API}/hearings/{hearing.code}/moderation")  # reads the session and roles once
    with django_assert_num_queries(8):
        # the session, the user, the roles, the hearing, the count, the page, its moderation log
        # and the moderators
        response = staff.get(f"{API}/hearings/{hearing.code}/moderation")
    assert len(response.json()["items"]) == count
