"""The surveys API as a program uses it: shapes, privacy, answering (honeypot, throttling,
consent), results, evidence by element, permissions and query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from phaen.accounts.models import Role
from phaen.consultation.survey_models import Evidence, Survey, SurveyResponse, SurveyStatus
from phaen.core.models import AuditRecord
from tests.conftest import member, planning_office, signed_in
from tests.consultation.test_surveys import (
    answer,
    build,
    make_survey,
    option_id,
    province,
    region,
    soon,
)
from tests.plans.factories import ElementFactory, OrganisationFactory, PlanFactory, publish

pytestmark = pytest.mark.django_db

API = "/api/consultation/surveys"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def planner_api() -> Client:
    return signed_in(member("api-survey-planner", Role.PLANNER, planning_office()))


@pytest.fixture
def stranger_api() -> Client:
    return signed_in(member("api-survey-x", Role.PLANNER, OrganisationFactory(code="api-sv-x")))


def send(client: Client, method: str, url: str, body: Any = None, **extra: Any) -> Any:
    kwargs: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en", **extra}
    if body is not None:
        kwargs.update(data=json.dumps(body, default=str), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def payload(questions: dict[str, Any], **change: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "respondent_kind": "citizen",
        "answers": {
            str(questions["choice"].pk): option_id(questions["choice"], "ช้า"),
            str(questions["multi"].pk): [option_id(questions["multi"], "อบรมทักษะ")],
            str(questions["scale"].pk): 5,
            str(questions["text"].pk): "ขอบริการออนไลน์มากขึ้น",
        },
        "consent": True,
    }
    body.update(change)
    return body


# --- Reading ----------------------------------------------------------------------------------


def test_the_list_runs_a_fixed_number_of_queries(django_assert_num_queries):
    def grow(n: int) -> None:
        for _ in range(n):
            survey = make_survey(regions=[region("east")], plan=publish(PlanFactory()))
            answer(survey, build(survey), province=province("20"))

    grow(2)
    client = Client()
    client.get(API)
    with CaptureQueriesContext(connection) as small:
        first = client.get(API)
    grow(8)
    with django_assert_num_queries(len(small)):
        second = client.get(API)

    assert first.status_code == second.status_code == 200
    assert second.json()["count"] >= 10


def test_the_list_filters_and_names_only_published_plans():
    public = make_survey(code="api-public", plan=publish(PlanFactory()), regions=[region("east")])
    hidden = make_survey(code="api-hidden-plan", plan=PlanFactory(), provinces=[province("50")])
    draft = make_survey(code="api-draft")
    build(public)
    build(hidden)

    items = {item["code"]: item for item in Client().get(API).json()["items"]}
    assert "api-draft" not in items and draft.code == "api-draft"
    assert items["api-public"]["plan"] == public.plan.code  # type: ignore[union-attr]
    assert items["api-public"]["regions"] == ["east"]
    assert items["api-hidden-plan"]["plan"] is None
    by_province = {i["code"] for i in Client().get(API, {"province": "20"}).json()["items"]}
    assert "api-public" in by_province and "api-hidden-plan" not in by_province


def test_a_survey_reads_with_its_questions_and_a_draft_is_not_found():
    survey = make_survey()
    questions = build(survey)
    data = Client().get(f"{API}/{survey.code}").json()

    assert data["accepting_answers"] is True
    assert [q["kind"] for q in data["questions"]] == ["choice", "multi_choice", "scale", "text"]
    assert [o["label"] for o in data["questions"][0]["options"]] == ["ไม่มีสัญญาณ", "ช้า", "แพง"]
    assert data["questions"][2]["scale_max"] == 5
    assert questions["choice"].pk == data["questions"][0]["id"]
    draft = make_survey()
    missing = send(Client(), "get", f"{API}/{draft.code}")
    assert missing.status_code == 404 and missing.json()["code"] == "survey_not_found"


# --- Answering --------------------------------------------------------------------------------


def test_anyone_answers_an_open_survey():
    survey = make_survey(provinces=[province("40")])
    questions = build(survey)
    response = send(
        Client(), "post", f"{API}/{survey.code}/responses", payload(questions, province="40")
    )

    assert response.status_code == 201
    assert response.json() == {"survey": survey.code, "received": True}
    saved = SurveyResponse.objects.get(survey=survey)
    assert saved.province is not None and saved.province.code == "40"
    assert saved.answers.get(question=questions["scale"]).scale_value == 5


def test_bad_answers_get_a_coded_error_and_nothing_is_written():
    survey = make_survey(provinces=[province("40")])
    questions = build(survey)
    url = f"{API}/{survey.code}/responses"
    client = Client()

    no_consent = send(client, "post", url, payload(questions, province="40", consent=False))
    assert no_consent.status_code == 422
    assert no_consent.json()["code"] == "survey_consent_required"
    assert "consent" in no_consent.json()["detail"]["fields"]
    no_province = send(client, "post", url, payload(questions))
    assert no_province.json()["code"] == "survey_province_required"
    unknown = send(client, "post", url, payload(questions, province="99"))
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_code"
    out_of_range = payload(questions, province="40")
    out_of_range["answers"][str(questions["scale"].pk)] = 9
    bad = send(client, "post", url, out_of_range)
    assert bad.status_code == 422 and bad.json()["code"] == "survey_answer_invalid"
    assert f"q_{questions['scale'].pk}" in bad.json()["detail"]["fields"]
    assert not SurveyResponse.objects.filter(survey=survey).exists()


def test_a_filled_honeypot_is_answered_like_any_other_but_nothing_is_kept():
    survey = make_survey()
    questions = build(survey)
    response = send(
        Client(), "post", f"{API}/{survey.code}/responses", payload(questions, website="x")
    )

    assert response.status_code == 201
    assert not SurveyResponse.objects.filter(survey=survey).exists()


@override_settings(PHAEN_RATE_SURVEY_CLIENT="2/h")
def test_answers_from_one_client_are_throttled():
    survey = make_survey()
    questions = build(survey)
    client = Client(REMOTE_ADDR="192.0.2.90")
    url = f"{API}/{survey.code}/responses"
    for _ in range(2):
        assert send(client, "post", url, payload(questions)).status_code == 201
    third = send(client, "post", url, payload(questions))

    assert third.status_code == 429
    assert third.json()["code"] == "rate_limited" and third.json()["detail"]["retry_after"] > 0
    assert SurveyResponse.objects.filter(survey=survey).count() == 2


def test_a_closed_survey_refuses_answers_with_409():
    survey = make_survey()
    questions = build(survey)
    survey.status = SurveyStatus.CLOSED
    survey.save()
    response = send(Client(), "post", f"{API}/{survey.code}/responses", payload(questions))
    assert response.status_code == 409 and response.json()["code"] == "survey_not_open"


# --- Results ----------------------------------------------------------------------------------


def test_the_results_count_exactly_and_keep_texts_for_the_organiser(planner_api):
    survey = make_survey()
    questions = build(survey)
    answer(survey, questions, province=province("20"), scale=5, text="ส่วนตัว")
    answer(survey, questions, province=province("21"), scale=2, choice="แพง")
    answer(survey, questions, province=province("40"), scale=2)

    public = Client().get(f"{API}/{survey.code}/results").json()
    assert public["responses"] == public["total"] == 3
    by_id = {q["id"]: q for q in public["questions"]}
    assert [(o["label"], o["count"]) for o in by_id[questions["choice"].pk]["options"]] == [
        ("ไม่มีสัญญาณ", 0),
        ("ช้า", 2),
        ("แพง", 1),
    ]
    assert by_id[questions["scale"].pk]["scale"]["mean"] == 3.0
    assert by_id[questions["text"].pk]["texts"] is None
    areas = {a["code"]: a["count"] for a in public["areas"]}
    assert areas == {"east": 2, "northeast": 1}
    assert {t["topic"] for t in public["topics"]} == {"อินเทอร์เน็ต", "บริการ", ""}

    east = Client().get(f"{API}/{survey.code}/results", {"region": "east"}).json()
    assert east["responses"] == 2 and east["region"] == "east"
    rayong = Client().get(f"{API}/{survey.code}/results", {"province": "21"}).json()
    assert {q["id"]: q for q in rayong["questions"]}[questions["scale"].pk]["scale"]["mean"] == 2.0

    organiser = planner_api.get(f"{API}/{survey.code}/results").json()
    texts = {q["id"]: q for q in organiser["questions"]}[questions["text"].pk]["texts"]
    assert texts == ["ส่วนตัว"]


# --- The organiser's endpoints ----------------------------------------------------------------


def test_the_organiser_builds_and_runs_a_survey_through_the_api(planner_api):
    created = send(
        planner_api,
        "post",
        API,
        {
            "code": "api-needs",
            "title_th": "สำรวจผ่าน API",
            "organiser": planning_office().code,
            "audience": "agencies",
            "regions": ["north"],
            "opens_at": soon(-1).isoformat(),
            "closes_at": soon(20).isoformat(),
        },
    )
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "draft" and created.json()["regions"] == ["north"]
    base = f"{API}/api-needs"

    choice = send(
        planner_api,
        "post",
        f"{base}/questions",
        {"kind": "choice", "prompt": "ปัญหาหลัก", "options": ["ช้า", "แพง"]},
    )
    assert choice.status_code == 201 and len(choice.json()["options"]) == 2
    text = send(planner_api, "post", f"{base}/questions", {"kind": "text", "prompt": "อื่น ๆ"})
    bad = send(planner_api, "post", f"{base}/questions", {"kind": "scale", "prompt": "x"})
    assert bad.status_code == 422 and bad.json()["code"] == "survey_scale_invalid"

    patched = send(
        planner_api,
        "patch",
        f"{base}/questions/{choice.json()['id']}",
        {"options": ["ช้า", "แพง", "ไม่มี"]},
    )
    assert [o["label"] for o in patched.json()["options"]] == ["ช้า", "แพง", "ไม่มี"]
    moved = send(planner_api, "post", f"{base}/questions/{text.json()['id']}/move", {"position": 1})
    assert moved.json()["questions"][0]["id"] == text.json()["id"]
    renamed = send(planner_api, "patch", base, {"title_th": "สำรวจผ่าน API (แก้)"})
    assert renamed.json()["title_th"] == "สำรวจผ่าน API (แก้)"

    opened = send(planner_api, "post", f"{base}/open")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    late = send(planner_api, "post", f"{base}/questions", {"kind": "text", "prompt": "เพิ่ม"})
    assert late.status_code == 409 and late.json()["code"] == "survey_not_draft"
    closed = send(planner_api, "post", f"{base}/close")
    assert closed.json()["status"] == "closed"


def test_a_draft_is_deleted_and_questions_removed(planner_api):
    survey = make_survey()
    questions = build(survey, open_it=False)
    removed = send(planner_api, "delete", f"{API}/{survey.code}/questions/{questions['text'].pk}")
    assert removed.status_code == 204 and survey.questions.count() == 3
    assert send(planner_api, "delete", f"{API}/{survey.code}").status_code == 204
    assert not Survey.objects.filter(pk=survey.pk).exists()


def test_write_endpoints_need_credentials_and_permission(stranger_api):
    survey = make_survey()
    build(survey)
    anonymous = send(Client(), "post", f"{API}/{survey.code}/close")
    assert anonymous.status_code == 401
    refused = send(stranger_api, "post", f"{API}/{survey.code}/close")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    created = send(
        stranger_api,
        "post",
        API,
        {
            "code": "api-not-yours",
            "title_th": "x",
            "organiser": planning_office().code,
            "opens_at": soon(-1).isoformat(),
            "closes_at": soon(5).isoformat(),
        },
    )
    assert created.status_code == 403
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN
    assert not Survey.objects.filter(code="api-not-yours").exists()
    assert AuditRecord.objects.filter(action="survey.close", outcome="denied").exists()


def test_evidence_is_linked_listed_by_element_and_withdrawn(planner_api):
    plan = publish(PlanFactory())
    ElementFactory(plan=plan, code="api-needs-el")
    survey = make_survey(plan=plan)
    questions = build(survey)

    unknown = send(planner_api, "post", f"{API}/{survey.code}/evidence", {"element_code": "x"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "survey_evidence_element"
    linked = send(
        planner_api,
        "post",
        f"{API}/{survey.code}/evidence",
        {"element_code": "api-needs-el", "question": questions["scale"].pk, "note": "พอใจต่ำ"},
    )
    assert linked.status_code == 201
    assert linked.json()["plan"] == plan.code and linked.json()["survey"] == survey.code

    listed = Client().get(f"{API}/evidence", {"element": "api-needs-el"}).json()
    assert [row["survey"] for row in listed["items"]] == [survey.code]
    results = Client().get(f"{API}/{survey.code}/results").json()
    assert [row["element_code"] for row in results["evidence"]] == ["api-needs-el"]

    withdrawn = send(planner_api, "delete", f"{API}/{survey.code}/evidence/{linked.json()['id']}")
    assert withdrawn.status_code == 204
    assert not Evidence.objects.filter(survey=survey).exists()


def test_evidence_by_element_runs_a_fixed_number_of_queries(django_assert_num_queries):
    plan = publish(PlanFactory())
    ElementFactory(plan=plan, code="api-count-el")

    def grow(n: int) -> None:
        from phaen.consultation import survey_services
        from phaen.plans.permissions import SYSTEM

        for _ in range(n):
            survey = make_survey(plan=plan)
            build(survey)
            survey_services.evidence_link(actor=SYSTEM, survey=survey, element_code="api-count-el")

    grow(2)
    client = Client()
    client.get(f"{API}/evidence", {"element": "api-count-el"})
    with CaptureQueriesContext(connection) as small:
        client.get(f"{API}/evidence", {"element": "api-count-el"})
    grow(5)
    with django_assert_num_queries(len(small)):
        response = client.get(f"{API}/evidence", {"element": "api-count-el"})
    assert response.json()["count"] == 7
