"""Surveys of problems and needs, through the services and selectors: building the form, who may
do what, what each refusal leaves unchanged, answering (PDPA, honeypot, rate limit), the results'
exact counts per area and topic, evidence, and the selectors' query counts.

The helpers at the top (`make_survey`, `build`, `answer`) are shared with test_surveys_views.py
and test_surveys_api.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phaen.accounts.models import Role
from phaen.consultation import survey_permissions as permissions
from phaen.consultation import survey_selectors as selectors
from phaen.consultation import survey_services as services
from phaen.consultation.services import client_key_material
from phaen.consultation.survey_models import (
    Answer,
    Evidence,
    Option,
    Question,
    QuestionKind,
    Survey,
    SurveyAudience,
    SurveyResponse,
    SurveyStatus,
)
from phaen.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from phaen.core.models import AuditRecord
from phaen.core.ratelimit import RateLimited
from phaen.geography.models import Province, Region
from phaen.plans.permissions import SYSTEM
from tests.conftest import member, planning_office
from tests.plans.factories import ElementFactory, OrganisationFactory, PlanFactory, publish

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
_clients = itertools.count(1)
_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def soon(days: float = 10) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0)


def province(code: str) -> Province:
    return Province.objects.select_related("region").get(code=code)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def make_survey(code: str | None = None, **fields: Any) -> Survey:
    """A draft survey made by the system through the service (valid and audited)."""
    regions = fields.pop("regions", ())
    provinces = fields.pop("provinces", ())
    values: dict[str, Any] = {
        "title_th": "สำรวจปัญหาและความต้องการด้านดิจิทัล",
        "organiser": planning_office(),
        "opens_at": soon(-1),
        "closes_at": soon(30),
    }
    values.update(fields)
    return services.survey_create(
        actor=SYSTEM,
        code=code or f"test-survey-{next(_codes)}",
        regions=regions,
        provinces=provinces,
        **values,
    )


def build(survey: Survey, *, open_it: bool = True) -> dict[str, Question]:
    """Give the survey one question of each kind (two topics), and open it unless told not to."""
    questions = {
        "choice": services.question_add(
            actor=SYSTEM,
            survey=survey,
            kind=QuestionKind.CHOICE,
            prompt="ปัญหาหลักด้านอินเทอร์เน็ตคืออะไร",
            topic="อินเทอร์เน็ต",
            options=["ไม่มีสัญญาณ", "ช้า", "แพง"],
        ),
        "multi": services.question_add(
            actor=SYSTEM,
            survey=survey,
            kind=QuestionKind.MULTI_CHOICE,
            prompt="บริการใดที่ต้องการ",
            topic="บริการ",
            options=["Wi-Fi สาธารณะ", "ศูนย์ดิจิทัลชุมชน", "อบรมทักษะ"],
            required=False,
        ),
        "scale": services.question_add(
            actor=SYSTEM,
            survey=survey,
            kind=QuestionKind.SCALE,
            prompt="ความพึงพอใจต่อบริการภาครัฐออนไลน์",
            topic="บริการ",
            scale_min=1,
            scale_max=5,
            scale_min_label="น้อยที่สุด",
            scale_max_label="มากที่สุด",
        ),
        "text": services.question_add(
            actor=SYSTEM,
            survey=survey,
            kind=QuestionKind.TEXT,
            prompt="ข้อเสนอแนะอื่น",
            required=False,
        ),
    }
    if open_it:
        services.survey_open(actor=SYSTEM, survey=survey)
    return questions


def option_id(question: Question, label: str) -> int:
    return Option.objects.get(question=question, label=label).pk


def new_client() -> str:
    return client_key_material(None, f"203.0.113.{next(_clients) % 250 + 1}")


def answer(
    survey: Survey,
    questions: dict[str, Question],
    *,
    choice: str = "ช้า",
    multi: tuple[str, ...] = (),
    scale: int = 3,
    text: str = "",
    client: str | None = None,
    **fields: Any,
) -> SurveyResponse | None:
    """Answer the survey built by `build` as the public, from a new client by default."""
    values: dict[str, Any] = {
        "actor": ANONYMOUS,
        "survey": survey,
        "respondent_kind": "citizen",
        "answers": {
            questions["choice"].pk: option_id(questions["choice"], choice),
            questions["multi"].pk: [option_id(questions["multi"], label) for label in multi],
            questions["scale"].pk: scale,
            questions["text"].pk: text,
        },
        "consent": True,
        "client_key": client or new_client(),
    }
    values.update(fields)
    return services.response_submit(**values)


@pytest.fixture
def planner() -> Any:
    return member("survey-planner", Role.PLANNER, planning_office())


@pytest.fixture
def stranger() -> Any:
    return member("survey-stranger", Role.PLANNER, OrganisationFactory(code="survey-elsewhere"))


@pytest.fixture
def auditor() -> Any:
    return member("survey-auditor", Role.AUDITOR, planning_office())


# --- Building a survey ------------------------------------------------------------------------


def test_a_planner_starts_a_draft_survey_for_some_areas(planner):
    survey = services.survey_create(
        actor=planner,
        code="needs-east",
        title_th="สำรวจความต้องการภาคตะวันออก",
        organiser=planning_office(),
        audience=SurveyAudience.CITIZENS,
        regions=[region("east")],
        provinces=[province("40")],
        opens_at=soon(-1),
        closes_at=soon(30),
    )

    saved = Survey.objects.get(code="needs-east")
    assert saved.status == SurveyStatus.DRAFT and saved.created_by == planner
    record = AuditRecord.objects.get(action="survey.create", target_id=str(survey.pk))
    assert record.actor_id == planner.pk
    assert record.after is not None
    assert record.after["regions"] == ["east"] and record.after["provinces"] == ["40"]


def test_a_planner_of_another_organisation_is_refused_and_the_refusal_is_audited(stranger):
    with pytest.raises(PermissionDenied):
        services.survey_create(
            actor=stranger,
            code="not-yours",
            title_th="สำรวจ",
            organiser=planning_office(),
            opens_at=soon(-1),
            closes_at=soon(30),
        )

    assert not Survey.objects.filter(code="not-yours").exists()
    assert AuditRecord.objects.filter(action="survey.create", outcome="denied").exists()


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"code": "Bad Code"}, services.SurveyError.CODE_INVALID, "code"),
        ({"code": "new"}, services.SurveyError.CODE_INVALID, "code"),
        ({"title_th": "  "}, services.SurveyError.TITLE_REQUIRED, "title_th"),
        ({"audience": "robots"}, services.SurveyError.CHOICE_INVALID, "audience"),
        ({"closes_at": soon(-2)}, services.SurveyError.PERIOD_INVALID, "closes_at"),
    ],
)
def test_bad_survey_fields_are_refused_and_nothing_is_written(fields, code, field):
    values: dict[str, Any] = {
        "code": "bad-survey",
        "title_th": "สำรวจ",
        "organiser": planning_office(),
        "opens_at": soon(-1),
        "closes_at": soon(30),
    }
    values.update(fields)
    before = Survey.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.survey_create(actor=SYSTEM, **values)

    assert caught.value.code == code
    assert field in caught.value.detail["fields"]
    assert Survey.objects.count() == before


def test_a_code_already_taken_is_refused():
    make_survey("taken")
    with pytest.raises(ValidationFailed) as caught:
        make_survey("taken")
    assert caught.value.code == services.SurveyError.CODE_TAKEN


def test_questions_are_added_in_order_with_their_options_and_audited():
    survey = make_survey()
    questions = build(survey, open_it=False)

    assert [q.kind for q in survey.questions.order_by("order")] == [
        "choice",
        "multi_choice",
        "scale",
        "text",
    ]
    assert list(questions["choice"].options.values_list("label", flat=True)) == [
        "ไม่มีสัญญาณ",
        "ช้า",
        "แพง",
    ]
    record = AuditRecord.objects.get(
        action="survey.question_add", target_id=str(questions["choice"].pk)
    )
    assert record.after is not None and record.after["options"] == ["ไม่มีสัญญาณ", "ช้า", "แพง"]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"kind": "essay", "prompt": "ถาม"}, services.SurveyError.CHOICE_INVALID, "kind"),
        ({"kind": "text", "prompt": " "}, services.SurveyError.PROMPT_REQUIRED, "prompt"),
        (
            {"kind": "choice", "prompt": "ถาม", "options": ["เดียว"]},
            services.SurveyError.OPTIONS_INVALID,
            "options",
        ),
        (
            {"kind": "multi_choice", "prompt": "ถาม", "options": ["ก", "ก"]},
            services.SurveyError.OPTIONS_INVALID,
            "options",
        ),
        (
            {"kind": "text", "prompt": "ถาม", "options": ["ก", "ข"]},
            services.SurveyError.OPTIONS_INVALID,
            "options",
        ),
        (
            {"kind": "scale", "prompt": "ถาม", "scale_min": 5, "scale_max": 1},
            services.SurveyError.SCALE_INVALID,
            "scale_max",
        ),
        (
            {"kind": "scale", "prompt": "ถาม", "scale_min": 1},
            services.SurveyError.SCALE_INVALID,
            "scale_max",
        ),
        (
            {"kind": "scale", "prompt": "ถาม", "scale_min": 0, "scale_max": 50},
            services.SurveyError.SCALE_INVALID,
            "scale_max",
        ),
        ({"kind": "text", "prompt": "ถ" * 1001}, services.SurveyError.TOO_LONG, "prompt"),
    ],
)
def test_bad_questions_are_refused_and_nothing_is_written(fields, code, field):
    survey = make_survey()
    with pytest.raises(ValidationFailed) as caught:
        services.question_add(actor=SYSTEM, survey=survey, **fields)

    assert caught.value.code == code
    assert field in caught.value.detail["fields"]
    assert not Question.objects.filter(survey=survey).exists()
    assert not Option.objects.filter(question__survey=survey).exists()


def test_a_question_is_changed_and_its_options_replaced():
    survey = make_survey()
    questions = build(survey, open_it=False)
    question = services.question_update(
        actor=SYSTEM, question=questions["choice"], options=["ไม่มีสัญญาณ", "ช้ามาก"], topic="เน็ต"
    )

    assert question.topic == "เน็ต"
    assert list(question.options.values_list("label", flat=True)) == ["ไม่มีสัญญาณ", "ช้ามาก"]


def test_a_refused_question_change_leaves_the_question_as_it_was():
    survey = make_survey()
    questions = build(survey, open_it=False)
    with pytest.raises(ValidationFailed):
        services.question_update(actor=SYSTEM, question=questions["scale"], scale_max=0)

    questions["scale"].refresh_from_db()
    assert (questions["scale"].scale_min, questions["scale"].scale_max) == (1, 5)


def test_changing_a_choice_question_to_text_drops_its_options():
    survey = make_survey()
    questions = build(survey, open_it=False)
    services.question_update(actor=SYSTEM, question=questions["choice"], kind="text")

    assert not Option.objects.filter(question=questions["choice"]).exists()


def test_questions_move_and_are_removed_keeping_a_tidy_order():
    survey = make_survey()
    questions = build(survey, open_it=False)
    services.question_move(actor=SYSTEM, question=questions["text"], position=1)
    assert survey.questions.order_by("order")[0].pk == questions["text"].pk

    with pytest.raises(ValidationFailed) as caught:
        services.question_move(actor=SYSTEM, question=questions["text"], position=9)
    assert caught.value.code == services.SurveyError.POSITION_INVALID

    services.question_remove(actor=SYSTEM, question=questions["choice"])
    orders = list(survey.questions.order_by("order").values_list("order", flat=True))
    assert orders == [0, 1, 2]
    assert AuditRecord.objects.filter(action="survey.question_remove").exists()


def test_the_form_no_longer_changes_once_the_survey_is_open():
    survey = make_survey()
    questions = build(survey)
    with pytest.raises(ApplicationError) as caught:
        services.question_add(actor=SYSTEM, survey=survey, kind="text", prompt="เพิ่ม")
    assert caught.value.code == services.SurveyError.NOT_DRAFT
    assert caught.value.http_status == 409
    with pytest.raises(ApplicationError):
        services.question_remove(actor=SYSTEM, question=questions["text"])
    with pytest.raises(ApplicationError):
        services.survey_update(actor=SYSTEM, survey=survey, title_th="ใหม่")
    with pytest.raises(ApplicationError):
        services.survey_delete(actor=SYSTEM, survey=survey)

    assert survey.questions.count() == 4
    assert Survey.objects.get(pk=survey.pk).title_th == "สำรวจปัญหาและความต้องการด้านดิจิทัล"


def test_a_survey_opens_only_with_a_question_and_closes_once():
    survey = make_survey()
    with pytest.raises(ApplicationError) as caught:
        services.survey_open(actor=SYSTEM, survey=survey)
    assert caught.value.code == services.SurveyError.NO_QUESTIONS
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.DRAFT

    build(survey)
    services.survey_close(actor=SYSTEM, survey=survey)
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.CLOSED
    with pytest.raises(ApplicationError) as caught:
        services.survey_close(actor=SYSTEM, survey=survey)
    assert caught.value.code == services.SurveyError.STATUS_INVALID


def test_a_draft_is_deleted_with_its_questions(planner):
    survey = make_survey()
    build(survey, open_it=False)
    services.survey_delete(actor=planner, survey=survey)

    assert not Survey.objects.filter(pk=survey.pk).exists()
    assert not Question.objects.filter(survey_id=survey.pk).exists()
    assert AuditRecord.objects.filter(action="survey.delete", actor_id=planner.pk).exists()


def test_strangers_cannot_build_open_or_close_anothers_survey(stranger):
    survey = make_survey()
    questions = build(survey, open_it=False)
    attempts = [
        lambda: services.survey_update(actor=stranger, survey=survey, title_th="x"),
        lambda: services.survey_delete(actor=stranger, survey=survey),
        lambda: services.question_add(actor=stranger, survey=survey, kind="text", prompt="x"),
        lambda: services.question_remove(actor=stranger, question=questions["text"]),
        lambda: services.question_move(actor=stranger, question=questions["text"], position=1),
        lambda: services.survey_open(actor=stranger, survey=survey),
        lambda: services.survey_close(actor=stranger, survey=survey),
        lambda: services.evidence_link(actor=stranger, survey=survey, element_code="x"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()

    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.DRAFT
    assert survey.questions.count() == 4
    assert AuditRecord.objects.filter(outcome="denied", actor_id=stranger.pk).count() == len(
        attempts
    )


def test_the_permissions_follow_the_organisers_hearing_rule(planner, stranger, auditor):
    survey = make_survey()

    assert permissions.can_manage_survey(planner, survey)
    assert not permissions.can_manage_survey(stranger, survey)
    assert not permissions.can_manage_survey(auditor, survey)
    assert not permissions.can_manage_survey(ANONYMOUS, survey)
    # A draft is its organiser's (and auditors') alone.
    assert permissions.can_view_survey(planner, survey)
    assert permissions.can_view_survey(auditor, survey)
    assert not permissions.can_view_survey(stranger, survey)
    assert not permissions.can_view_survey(ANONYMOUS, survey)
    build(survey)
    survey.refresh_from_db()
    assert permissions.can_view_survey(ANONYMOUS, survey)
    assert permissions.reads_text_answers(planner, survey)
    assert permissions.reads_text_answers(auditor, survey)
    assert not permissions.reads_text_answers(stranger, survey)
    assert not permissions.reads_text_answers(ANONYMOUS, survey)


# --- Answering --------------------------------------------------------------------------------


def test_a_citizen_answers_and_only_the_keyed_hash_of_the_client_is_kept():
    survey = make_survey()
    questions = build(survey)
    response = answer(
        survey,
        questions,
        multi=("Wi-Fi สาธารณะ", "อบรมทักษะ"),
        scale=4,
        text="อยากให้มีจุดให้บริการที่ อบต.",
        client="ip:198.51.100.7",
    )

    assert response is not None
    assert response.consented_at is not None
    assert "198.51.100.7" not in response.commenter_key and len(response.commenter_key) == 64
    rows = Answer.objects.filter(response=response)
    assert rows.count() == 5  # one choice, two options of the multiple choice, a scale, a text
    assert rows.get(question=questions["scale"]).scale_value == 4
    record = AuditRecord.objects.get(action="survey.respond")
    assert record.after is not None
    assert record.after["questions_answered"] == 4
    assert "อบต" not in str(record.after) and "198.51.100.7" not in str(record.after)


def _nothing_written(survey: Survey) -> bool:
    return not SurveyResponse.objects.filter(survey=survey).exists() and not (
        Answer.objects.filter(response__survey=survey).exists()
    )


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"consent": False}, services.SurveyError.CONSENT_REQUIRED, "consent"),
        ({"respondent_kind": "robot"}, services.SurveyError.RESPONDENT_INVALID, "respondent_kind"),
        ({"text": "เลขบัตร 1-2345-67890-12-3"}, services.SurveyError.NATIONAL_ID, "text"),
        ({"text": "ก" * 2001}, services.SurveyError.TOO_LONG, "text"),
        ({"scale": 6}, services.SurveyError.ANSWER_INVALID, "scale"),
        (
            {"organisation_name": "อบต. 1234567890123"},
            services.SurveyError.NATIONAL_ID,
            "organisation_name",
        ),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(change, code, field):
    survey = make_survey()
    questions = build(survey)
    with pytest.raises(ValidationFailed) as caught:
        answer(survey, questions, **change)

    assert caught.value.code == code
    expected = f"q_{questions[field].pk}" if field in questions else field
    assert expected in caught.value.detail["fields"]
    assert _nothing_written(survey)


def test_a_required_question_left_empty_and_foreign_options_are_refused():
    survey = make_survey()
    questions = build(survey)
    other = make_survey()
    other_questions = build(other)
    base = {
        questions["choice"].pk: option_id(questions["choice"], "ช้า"),
        questions["scale"].pk: 3,
    }
    cases = [
        ({questions["scale"].pk: 3}, services.SurveyError.ANSWER_REQUIRED),
        (
            {**base, questions["choice"].pk: option_id(other_questions["choice"], "ช้า")},
            services.SurveyError.ANSWER_INVALID,
        ),
        (
            {**base, questions["multi"].pk: [option_id(questions["choice"], "แพง")]},
            services.SurveyError.ANSWER_INVALID,
        ),
        ({**base, other_questions["text"].pk: "x"}, services.SurveyError.ANSWER_INVALID),
        ({**base, questions["scale"].pk: "สาม"}, services.SurveyError.ANSWER_INVALID),
    ]
    for answers, code in cases:
        with pytest.raises(ValidationFailed) as caught:
            services.response_submit(
                actor=None,
                survey=survey,
                respondent_kind="agency",
                answers=answers,
                consent=True,
                client_key=new_client(),
            )
        assert caught.value.code == code
    assert _nothing_written(survey)
    # The optional questions may be left unanswered.
    assert services.response_submit(
        actor=None,
        survey=survey,
        respondent_kind="agency",
        answers=base,
        consent=True,
        client_key=new_client(),
    )


def test_an_area_survey_needs_a_province_of_its_areas():
    survey = make_survey(regions=[region("east")], provinces=[province("40")])
    questions = build(survey)

    with pytest.raises(ValidationFailed) as caught:
        answer(survey, questions)
    assert caught.value.code == services.SurveyError.PROVINCE_REQUIRED
    with pytest.raises(ValidationFailed) as caught:
        answer(survey, questions, province=province("50"))  # Chiang Mai: not in the areas
    assert caught.value.code == services.SurveyError.PROVINCE_OUTSIDE
    assert _nothing_written(survey)

    assert answer(survey, questions, province=province("21"))  # Rayong, in the East
    assert answer(survey, questions, province=province("40"))  # Khon Kaen, listed itself


def test_the_audience_decides_who_answers():
    survey = make_survey(audience=SurveyAudience.AGENCIES)
    questions = build(survey)
    with pytest.raises(ValidationFailed) as caught:
        answer(survey, questions, respondent_kind="citizen")
    assert caught.value.code == services.SurveyError.RESPONDENT_INVALID
    assert answer(survey, questions, respondent_kind="agency", organisation_name="อบจ.ระยอง")


def test_answers_are_taken_only_while_the_survey_is_open_and_within_its_period():
    draft = make_survey()
    questions = build(draft, open_it=False)
    with pytest.raises(ApplicationError) as caught:
        answer(draft, questions)
    assert caught.value.code == services.SurveyError.NOT_OPEN
    assert caught.value.http_status == 409

    later = make_survey(opens_at=soon(2), closes_at=soon(9))
    later_questions = build(later)
    with pytest.raises(ApplicationError) as caught:
        answer(later, later_questions)
    assert caught.value.code == services.SurveyError.NOT_OPEN

    services.survey_close(actor=SYSTEM, survey=later)
    assert _nothing_written(draft) and _nothing_written(later)


def test_a_filled_honeypot_drops_the_answer_silently():
    survey = make_survey()
    questions = build(survey)
    audit_before = AuditRecord.objects.count()

    assert answer(survey, questions, honeypot="http://spam.example") is None
    assert _nothing_written(survey)
    assert AuditRecord.objects.count() == audit_before


@override_settings(PHAEN_RATE_SURVEY_CLIENT="2/h")
def test_one_client_is_throttled_on_all_surveys():
    first = make_survey()
    first_questions = build(first)
    second = make_survey()
    second_questions = build(second)
    client = new_client()
    answer(first, first_questions, client=client)
    answer(second, second_questions, client=client)

    with pytest.raises(RateLimited):
        answer(first, first_questions, client=client)
    assert SurveyResponse.objects.filter(survey__in=[first, second]).count() == 2
    assert answer(first, first_questions)  # another client is not held back


# --- Results ----------------------------------------------------------------------------------


def _known_answers() -> tuple[Survey, dict[str, Question]]:
    """Five responses: three from the East (two Chonburi, one Rayong), one from Khon Kaen (the
    Northeast) and one from Chiang Mai (the North)."""
    survey = make_survey()
    questions = build(survey)
    rows = [
        ("20", "ช้า", ("Wi-Fi สาธารณะ",), 5, "agency", "ขอศูนย์ดิจิทัลที่ตำบล"),
        ("20", "ช้า", ("Wi-Fi สาธารณะ", "อบรมทักษะ"), 4, "citizen", ""),
        ("21", "แพง", (), 2, "citizen", ""),
        ("40", "ไม่มีสัญญาณ", ("ศูนย์ดิจิทัลชุมชน",), 1, "citizen", "ไม่มีเสาสัญญาณ"),
        ("50", "ช้า", ("อบรมทักษะ",), 3, "agency", ""),
    ]
    for code, choice, multi, scale, kind, text in rows:
        answer(
            survey,
            questions,
            province=province(code),
            choice=choice,
            multi=multi,
            scale=scale,
            respondent_kind=kind,
            text=text,
        )
    return selectors.survey_detail(survey.code, viewer=SYSTEM), questions


def _by_id(results: selectors.SurveyResults) -> dict[int, selectors.QuestionResult]:
    return {result.question.pk: result for result in results.questions}


def test_the_results_count_every_option_scale_and_area_exactly():
    survey, questions = _known_answers()
    results = selectors.survey_results(survey, viewer=ANONYMOUS)
    by_id = _by_id(results)

    assert results.responses == results.total == 5
    assert results.by_kind == {"agency": 2, "citizen": 3}
    choice = {o.label: (o.count, o.percent) for o in by_id[questions["choice"].pk].options}
    assert choice == {
        "ไม่มีสัญญาณ": (1, Decimal("20.0")),
        "ช้า": (3, Decimal("60.0")),
        "แพง": (1, Decimal("20.0")),
    }
    multi = by_id[questions["multi"].pk]
    assert multi.answered == 4  # the Rayong response left it empty
    assert {o.label: o.count for o in multi.options} == {
        "Wi-Fi สาธารณะ": 2,
        "ศูนย์ดิจิทัลชุมชน": 1,
        "อบรมทักษะ": 2,
    }
    assert {o.label: o.percent for o in multi.options}["อบรมทักษะ"] == Decimal("50.0")
    scale = by_id[questions["scale"].pk].scale
    assert scale is not None
    assert scale.count == 5 and scale.mean == Decimal("3.00")
    assert scale.distribution == [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1)]
    # The public reads no text answers, only how many there are.
    text = by_id[questions["text"].pk]
    assert text.answered == 2 and text.texts is None

    areas = {
        row.region.code if row.region else None: (
            row.count,
            {a.province.code: a.count for a in row.provinces if a.province},
        )
        for row in results.regions
    }
    assert areas == {
        "east": (3, {"20": 2, "21": 1}),
        "northeast": (1, {"40": 1}),
        "north": (1, {"50": 1}),
    }


def test_the_results_narrow_to_a_region_or_a_province():
    survey, questions = _known_answers()

    east = selectors.survey_results(survey, viewer=ANONYMOUS, region=region("east"))
    by_id = _by_id(east)
    assert east.responses == 3 and east.total == 5
    assert {o.label: o.count for o in by_id[questions["choice"].pk].options} == {
        "ไม่มีสัญญาณ": 0,
        "ช้า": 2,
        "แพง": 1,
    }
    scale = by_id[questions["scale"].pk].scale
    assert scale is not None and scale.mean == Decimal("3.67")  # (5 + 4 + 2) / 3

    chonburi = selectors.survey_results(survey, viewer=ANONYMOUS, province=province("20"))
    assert chonburi.responses == 2
    assert chonburi.by_kind == {"agency": 1, "citizen": 1}
    choice = _by_id(chonburi)[questions["choice"].pk]
    assert [(o.label, o.count, o.percent) for o in choice.options][1] == (
        "ช้า",
        2,
        Decimal("100.0"),
    )


def test_the_results_group_questions_by_topic():
    survey, questions = _known_answers()
    results = selectors.survey_results(survey, viewer=ANONYMOUS)

    topics = {topic.topic: [r.question.pk for r in topic.questions] for topic in results.topics}
    assert topics == {
        "อินเทอร์เน็ต": [questions["choice"].pk],
        "บริการ": [questions["multi"].pk, questions["scale"].pk],
        "": [questions["text"].pk],
    }


def test_the_organiser_and_auditors_read_the_text_answers(planner, auditor, stranger):
    survey, questions = _known_answers()
    for viewer in (planner, auditor):
        text = _by_id(selectors.survey_results(survey, viewer=viewer))[questions["text"].pk]
        assert text.texts == ["ขอศูนย์ดิจิทัลที่ตำบล", "ไม่มีเสาสัญญาณ"]
    hidden = _by_id(selectors.survey_results(survey, viewer=stranger))[questions["text"].pk]
    assert hidden.texts is None


def test_the_charts_carry_the_same_counts_as_the_tables():
    survey, questions = _known_answers()
    by_id = _by_id(selectors.survey_results(survey, viewer=ANONYMOUS))

    chart = by_id[questions["choice"].pk].chart()
    assert chart is not None
    assert chart["categories"] == ["ไม่มีสัญญาณ", "ช้า", "แพง"]
    assert chart["series"][0]["data"] == [1, 3, 1]
    scale_chart = by_id[questions["scale"].pk].chart()
    assert scale_chart is not None and scale_chart["series"][0]["data"] == [1, 1, 1, 1, 1]
    assert by_id[questions["text"].pk].chart() is None


def test_results_run_a_fixed_number_of_queries(planner):
    survey = make_survey()
    questions = build(survey)

    def grow(n: int) -> None:
        for index in range(n):
            answer(
                survey,
                questions,
                province=province(["20", "21", "40", "50"][index % 4]),
                multi=("อบรมทักษะ",),
                text=f"ความเห็น {index}",
            )

    grow(2)
    detail = selectors.survey_detail(survey.code, viewer=planner)
    east = region("east")
    selectors.survey_results(detail, viewer=planner)  # the planner's roles are read once
    with CaptureQueriesContext(connection) as small:
        selectors.survey_results(detail, viewer=planner, region=east)
    grow(12)
    detail = selectors.survey_detail(survey.code, viewer=planner)
    with CaptureQueriesContext(connection) as large:
        results = selectors.survey_results(detail, viewer=planner, region=east)

    assert len(large) == len(small)
    assert results.total == 14


def test_the_list_runs_a_fixed_number_of_queries_and_hides_drafts(planner):
    def grow(n: int) -> None:
        for _ in range(n):
            survey = make_survey(regions=[region("east")], plan=publish(PlanFactory()))
            answer(survey, build(survey), province=province("20"))

    grow(2)
    draft = make_survey()
    with CaptureQueriesContext(connection) as small:
        first = list(selectors.survey_list(viewer=ANONYMOUS))
    grow(6)
    with CaptureQueriesContext(connection) as large:
        second = list(selectors.survey_list(viewer=ANONYMOUS))

    assert len(large) == len(small)
    assert len(second) == len(first) + 6
    assert draft not in second
    assert draft in list(selectors.survey_list(viewer=planner))
    assert all(survey.response_count == 1 for survey in second)


def test_the_list_filters_by_area_keeping_national_surveys():
    national = make_survey()
    east = make_survey(regions=[region("east")])
    khon_kaen = make_survey(provinces=[province("40")])
    for survey in (national, east, khon_kaen):
        build(survey)

    def codes(**filters: Any) -> set[str]:
        return {s.code for s in selectors.survey_list(viewer=ANONYMOUS, **filters)}

    assert {national.code, east.code} <= codes(province="20")
    assert khon_kaen.code not in codes(province="20")
    assert {national.code, khon_kaen.code} <= codes(region="northeast")
    assert east.code not in codes(region="northeast")
    assert codes(status="closed").isdisjoint({national.code, east.code, khon_kaen.code})


# --- Evidence ---------------------------------------------------------------------------------


def test_results_are_cited_as_evidence_for_an_element_of_the_surveys_plan(planner):
    plan = publish(PlanFactory())
    element = ElementFactory(plan=plan, code="needs-el-1")
    survey = make_survey(plan=plan)
    questions = build(survey)

    evidence = services.evidence_link(
        actor=planner,
        survey=survey,
        element_code="needs-el-1",
        question=questions["choice"],
        note="สัญญาณช้าเป็นปัญหาหลัก",
    )
    assert evidence.plan == plan and evidence.created_by == planner
    listed = selectors.evidence_list(survey)
    assert [row.element for row in listed] == [element]  # type: ignore[attr-defined]
    assert list(selectors.evidence_for_element(viewer=ANONYMOUS, element="needs-el-1")) == [
        evidence
    ]

    services.evidence_unlink(actor=planner, evidence=evidence)
    assert not Evidence.objects.filter(survey=survey).exists()
    assert AuditRecord.objects.filter(action="survey.evidence_unlink").exists()


def test_bad_evidence_is_refused_and_nothing_is_written():
    plan = publish(PlanFactory())
    ElementFactory(plan=plan, code="needs-el-2")
    elsewhere = ElementFactory(code="needs-el-other")
    survey = make_survey(plan=plan)
    other = make_survey()
    other_question = build(other)["text"]
    no_plan = make_survey()

    cases = [
        (no_plan, {"element_code": "needs-el-2"}, services.SurveyError.EVIDENCE_NO_PLAN),
        (survey, {"element_code": elsewhere.code}, services.SurveyError.EVIDENCE_ELEMENT),
        (
            survey,
            {"element_code": "needs-el-2", "question": other_question},
            services.SurveyError.EVIDENCE_QUESTION,
        ),
    ]
    for target, fields, code in cases:
        with pytest.raises(ValidationFailed) as caught:
            services.evidence_link(actor=SYSTEM, survey=target, **fields)
        assert caught.value.code == code
    assert not Evidence.objects.exists()

    services.evidence_link(actor=SYSTEM, survey=survey, element_code="needs-el-2")
    with pytest.raises(ValidationFailed) as caught:
        services.evidence_link(actor=SYSTEM, survey=survey, element_code="needs-el-2")
    assert caught.value.code == services.SurveyError.EVIDENCE_DUPLICATE
    assert Evidence.objects.count() == 1


def test_evidence_of_a_draft_survey_is_not_listed_to_the_public():
    plan = publish(PlanFactory())
    ElementFactory(plan=plan, code="needs-el-3")
    survey = make_survey(plan=plan)
    services.evidence_link(actor=SYSTEM, survey=survey, element_code="needs-el-3")

    assert not list(selectors.evidence_for_element(viewer=ANONYMOUS, element="needs-el-3"))
    assert len(list(selectors.evidence_for_element(viewer=SYSTEM, element="needs-el-3"))) == 1
