"""The survey pages as people meet them: reading and answering (privacy, honeypot, throttling),
the results page, the organiser's form builder, steps, evidence and export, refusals and query
counts."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from phaen.accounts.models import Role
from phaen.consultation.survey_models import (
    Evidence,
    Question,
    Survey,
    SurveyResponse,
    SurveyStatus,
)
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

LIST = "/consultation/surveys/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def planner_client() -> Client:
    return signed_in(member("page-survey-planner", Role.PLANNER, planning_office()))


@pytest.fixture
def stranger_client() -> Client:
    organisation = OrganisationFactory(code="page-survey-x")
    return signed_in(member("page-survey-stranger", Role.PLANNER, organisation))


def html(response: Any) -> str:
    return response.content.decode()


def page(code: str, rest: str = "") -> str:
    return f"{LIST}{code}/{rest}"


def form_data(questions: dict[str, Question], **change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "respondent_kind": "citizen",
        f"q_{questions['choice'].pk}": str(option_id(questions["choice"], "แพง")),
        f"q_{questions['multi'].pk}": [
            str(option_id(questions["multi"], "Wi-Fi สาธารณะ")),
            str(option_id(questions["multi"], "อบรมทักษะ")),
        ],
        f"q_{questions['scale'].pk}": "4",
        f"q_{questions['text'].pk}": "อยากให้มีศูนย์ดิจิทัลชุมชน",
        "consent": "on",
        "website": "",
    }
    data.update(change)
    return {key: value for key, value in data.items() if value is not None}


# --- Reading ----------------------------------------------------------------------------------


def test_the_list_shows_open_surveys_and_hides_drafts():
    survey = make_survey(title_th="สำรวจความต้องการเปิดอยู่")
    build(survey)
    make_survey(title_th="ร่างที่ยังไม่เผยแพร่")

    response = Client().get(LIST)
    assert response.status_code == 200
    assert "สำรวจความต้องการเปิดอยู่" in html(response)
    assert "ร่างที่ยังไม่เผยแพร่" not in html(response)


def test_the_list_runs_a_fixed_number_of_queries(django_assert_num_queries):
    def grow(n: int) -> None:
        for _ in range(n):
            survey = make_survey(regions=[region("east")], provinces=[province("40")])
            answer(survey, build(survey), province=province("20"))

    grow(2)
    client = Client()
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        first = client.get(LIST)
    grow(6)
    with django_assert_num_queries(len(small)):
        second = client.get(LIST)
    assert first.status_code == second.status_code == 200


def test_the_hearing_list_links_to_the_surveys():
    response = Client().get("/consultation/")
    assert f'href="{LIST}"' in html(response)


def test_a_draft_is_not_found_by_the_public_but_read_by_its_organiser(planner_client):
    survey = make_survey()
    assert Client().get(page(survey.code)).status_code == 404
    assert Client().get(page(survey.code, "results/")).status_code == 404
    assert planner_client.get(page(survey.code)).status_code == 200


# --- Answering --------------------------------------------------------------------------------


def test_a_citizen_answers_on_the_page_and_sees_the_thank_you_page():
    survey = make_survey()
    questions = build(survey)
    client = Client()
    shown = client.get(page(survey.code), **EN)
    assert shown.status_code == 200
    assert 'name="website"' in html(shown) and "hidden" in html(shown)
    assert f'name="q_{questions["choice"].pk}"' in html(shown)

    response = client.post(page(survey.code), form_data(questions), **EN)
    assert response.status_code == 302
    assert response["Location"] == page(survey.code, "thanks/")
    saved = SurveyResponse.objects.get(survey=survey)
    assert saved.respondent_kind == "citizen"
    assert saved.answers.filter(question=questions["multi"]).count() == 2
    thanks = client.get(response["Location"], **EN)
    assert "Thank you for your answers" in html(thanks)


def test_a_refused_answer_shows_the_form_again_with_422_and_writes_nothing():
    survey = make_survey()
    questions = build(survey)
    client = Client()

    no_consent = client.post(page(survey.code), form_data(questions, consent=None), **EN)
    assert no_consent.status_code == 422
    assert "Please agree to how Phaen keeps your answers" in html(no_consent)

    with_id = client.post(
        page(survey.code),
        form_data(questions, **{f"q_{questions['text'].pk}": "บัตร 1 2345 67890 12 3"}),
        **EN,
    )
    assert with_id.status_code == 422
    assert "national ID number" in html(with_id)

    missing = client.post(
        page(survey.code), form_data(questions, **{f"q_{questions['choice'].pk}": ""}), **EN
    )
    assert missing.status_code == 422
    assert not SurveyResponse.objects.filter(survey=survey).exists()


def test_the_province_choice_is_limited_to_the_surveys_areas():
    survey = make_survey(regions=[region("east")], provinces=[province("40")])
    questions = build(survey)
    client = Client()
    shown = html(client.get(page(survey.code)))
    assert 'value="20"' in shown and 'value="40"' in shown
    assert 'value="50"' not in shown

    outside = client.post(page(survey.code), form_data(questions, province="50"), **EN)
    assert outside.status_code == 422
    missing = client.post(page(survey.code), form_data(questions), **EN)
    assert missing.status_code == 422
    assert "Choose the province you answer from." in html(missing)
    assert client.post(page(survey.code), form_data(questions, province="21")).status_code == 302
    assert SurveyResponse.objects.get(survey=survey).province == province("21")


def test_a_filled_honeypot_looks_accepted_but_writes_nothing():
    survey = make_survey()
    questions = build(survey)
    response = Client().post(page(survey.code), form_data(questions, website="http://spam"))

    assert response.status_code == 302
    assert not SurveyResponse.objects.filter(survey=survey).exists()


@override_settings(PHAEN_RATE_SURVEY_CLIENT="1/h")
def test_answers_from_one_client_are_throttled():
    survey = make_survey()
    questions = build(survey)
    client = Client(REMOTE_ADDR="192.0.2.44")
    assert client.post(page(survey.code), form_data(questions)).status_code == 302

    second = client.post(page(survey.code), form_data(questions), **EN)
    assert second.status_code == 429
    assert "Too many requests" in html(second)
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_a_closed_survey_shows_no_form_and_refuses_answers():
    survey = make_survey()
    questions = build(survey)
    from phaen.consultation import survey_services
    from phaen.plans.permissions import SYSTEM

    survey_services.survey_close(actor=SYSTEM, survey=survey)
    shown = Client().get(page(survey.code), **EN)
    assert 'name="consent"' not in html(shown)
    refused = Client().post(page(survey.code), form_data(questions), **EN)
    assert refused.status_code == 409
    assert not SurveyResponse.objects.exists()


# --- Results ----------------------------------------------------------------------------------


def _chart(content: str, question: Question) -> dict[str, Any]:
    match = re.search(
        rf'<script id="question-{question.pk}-data" type="application/json">(.*?)</script>',
        content,
        re.S,
    )
    assert match is not None
    return dict(json.loads(match.group(1)))


def test_the_results_page_shows_charts_and_tables_and_hides_texts_from_the_public(
    planner_client,
):
    survey = make_survey()
    questions = build(survey)
    answer(survey, questions, province=province("20"), choice="ช้า", text="ข้อความส่วนตัว")
    answer(survey, questions, province=province("21"), choice="ช้า")
    answer(survey, questions, province=province("40"), choice="แพง")

    public = Client().get(page(survey.code, "results/"), **EN)
    content = html(public)
    assert public.status_code == 200
    assert _chart(content, questions["choice"])["series"][0]["data"] == [0, 2, 1]
    assert "66.7%" in content  # ช้า: 2 of 3, in the table beside the chart
    assert "ข้อความส่วนตัว" not in content
    assert "echarts.min.js" in content and "<script>" not in content

    organiser = planner_client.get(page(survey.code, "results/"))
    assert "ข้อความส่วนตัว" in html(organiser)

    east = Client().get(page(survey.code, "results/"), {"region": "east"}, **EN)
    assert _chart(html(east), questions["choice"])["series"][0]["data"] == [0, 2, 0]
    khon_kaen = Client().get(page(survey.code, "results/"), {"province": "40"}, **EN)
    assert _chart(html(khon_kaen), questions["choice"])["series"][0]["data"] == [0, 0, 1]
    assert "1 of 3 responses" in html(khon_kaen)


def test_the_results_page_runs_a_fixed_number_of_queries(django_assert_num_queries):
    survey = make_survey()
    questions = build(survey)

    def grow(n: int) -> None:
        for index in range(n):
            answer(survey, questions, province=province(["20", "40", "50"][index % 3]))

    grow(2)
    client = Client()
    client.get(page(survey.code, "results/"))
    with CaptureQueriesContext(connection) as small:
        client.get(page(survey.code, "results/"))
    grow(9)
    with django_assert_num_queries(len(small)):
        assert client.get(page(survey.code, "results/")).status_code == 200


# --- The organiser's pages --------------------------------------------------------------------


def test_the_organiser_builds_opens_and_closes_a_survey_on_the_pages(planner_client):
    created = planner_client.post(
        f"{LIST}new/",
        {
            "code": "needs-page",
            "title_th": "สำรวจผ่านหน้าเว็บ",
            "organiser": planning_office().code,
            "audience": "both",
            "regions": ["east"],
            "opens_at": soon(-1).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": soon(20).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert created.status_code == 302 and created["Location"] == page("needs-page", "manage/")
    survey = Survey.objects.get(code="needs-page")
    assert list(survey.regions.values_list("code", flat=True)) == ["east"]

    add = page("needs-page", "questions/")
    assert (
        planner_client.post(
            add, {"kind": "choice", "prompt": "ปัญหาหลัก", "options": "ช้า\nแพง\n", "required": "on"}
        ).status_code
        == 302
    )
    assert (
        planner_client.post(
            add, {"kind": "scale", "prompt": "ความพึงพอใจ", "scale_min": "1", "scale_max": "5"}
        ).status_code
        == 302
    )
    bad = planner_client.post(add, {"kind": "choice", "prompt": "เดียว", "options": "ช้า"}, **EN)
    assert bad.status_code == 422
    assert "A choice question needs at least two options." in html(bad)
    assert survey.questions.count() == 2

    first, second = survey.questions.order_by("order")
    edited = planner_client.post(
        page("needs-page", f"questions/{first.pk}/"),
        {"kind": "choice", "prompt": "ปัญหาหลักคืออะไร", "options": "ช้า\nแพง\nไม่มีสัญญาณ"},
    )
    assert edited.status_code == 302
    assert first.options.count() == 3
    moved = planner_client.post(
        page("needs-page", f"questions/{second.pk}/move/"), {"direction": "up"}
    )
    assert moved.status_code == 302
    assert list(survey.questions.order_by("order").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    manage = planner_client.get(page("needs-page", "manage/"))
    assert manage.status_code == 200 and "ปัญหาหลักคืออะไร" in html(manage)

    assert planner_client.post(page("needs-page", "steps/open/")).status_code == 302
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN
    late = planner_client.post(add, {"kind": "text", "prompt": "เพิ่ม"}, **EN)
    assert late.status_code == 409
    assert planner_client.post(page("needs-page", "steps/close/")).status_code == 302
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.CLOSED


def test_a_bad_survey_form_is_shown_again_with_422(planner_client):
    response = planner_client.post(
        f"{LIST}new/",
        {
            "code": "bad-dates",
            "title_th": "สำรวจ",
            "organiser": planning_office().code,
            "audience": "both",
            "opens_at": soon(5).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": soon(1).strftime("%Y-%m-%dT%H:%M"),
        },
        **EN,
    )
    assert response.status_code == 422
    assert "The survey must close after it opens." in html(response)
    assert not Survey.objects.filter(code="bad-dates").exists()


def test_a_question_is_removed_and_a_draft_deleted(planner_client):
    survey = make_survey()
    questions = build(survey, open_it=False)
    removed = planner_client.post(page(survey.code, f"questions/{questions['text'].pk}/remove/"))
    assert removed.status_code == 302
    assert survey.questions.count() == 3
    assert planner_client.get(page(survey.code, "delete/")).status_code == 200
    assert planner_client.post(page(survey.code, "delete/")).status_code == 302
    assert not Survey.objects.filter(pk=survey.pk).exists()


def test_strangers_and_the_public_cannot_use_the_organisers_pages(stranger_client):
    survey = make_survey()
    questions = build(survey)
    for url in ("manage/", "edit/", "delete/", "export/"):
        assert stranger_client.get(page(survey.code, url)).status_code == 403
        anonymous = Client().get(page(survey.code, url))
        assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert stranger_client.post(page(survey.code, "steps/close/")).status_code == 403
    assert (
        stranger_client.post(
            page(survey.code, f"questions/{questions['text'].pk}/remove/")
        ).status_code
        == 403
    )
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.OPEN
    assert AuditRecord.objects.filter(outcome="denied", action="survey.close").exists()


def test_the_organiser_cites_the_results_for_an_element_and_the_results_page_shows_it(
    planner_client,
):
    plan = publish(PlanFactory())
    ElementFactory(plan=plan, code="needs-page-el", title_th="ยกระดับโครงข่ายในชุมชน")
    survey = make_survey(plan=plan)
    questions = build(survey)

    bad = planner_client.post(page(survey.code, "evidence/"), {"element_code": "nope"}, **EN)
    assert bad.status_code == 422
    linked = planner_client.post(
        page(survey.code, "evidence/"),
        {"element_code": "needs-page-el", "question": questions["choice"].pk, "note": "ช้า 60%"},
    )
    assert linked.status_code == 302
    evidence = Evidence.objects.get(survey=survey)

    results = html(Client().get(page(survey.code, "results/")))
    assert "ยกระดับโครงข่ายในชุมชน" in results and "ช้า 60%" in results
    assert (
        planner_client.post(page(survey.code, f"evidence/{evidence.pk}/remove/")).status_code == 302
    )
    assert not Evidence.objects.filter(survey=survey).exists()


def test_the_organiser_exports_the_responses_as_csv_and_xlsx(planner_client):
    survey = make_survey()
    questions = build(survey)
    answer(
        survey,
        questions,
        province=province("20"),
        multi=("Wi-Fi สาธารณะ", "อบรมทักษะ"),
        text="ขอจุดบริการ",
    )

    response = planner_client.get(page(survey.code, "export/"), {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["q1"] == "ช้า" and rows[0]["q2"] == "Wi-Fi สาธารณะ;อบรมทักษะ"
    assert rows[0]["q3"] == "3" and rows[0]["q4"] == "ขอจุดบริการ"
    assert rows[0]["province"] == "ชลบุรี"
    xlsx = planner_client.get(page(survey.code, "export/"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
