"""JSON API for surveys of problems and needs, mounted at /api/consultation/surveys.

Thin: parse, call one service or selector, shape the answer. Reads are public (a draft is "not
found" to the public, and a plan nobody published yet is left out: null): the list, a survey
with its questions, its results (text answers only for the organiser and auditors), and the
survey results cited as evidence for a plan element (`GET /evidence?element=`). Answering is
public too: throttled per client (429 `rate_limited`), consent required (422), with the same
honeypot field as the pages (`website`, left empty by people; a filled one is dropped silently
and answered like any other). A request with an API token answers as the token's user;
otherwise anonymously (a browser session is not used there, so another site cannot answer in a
signed-in person's name). Everything else (starting, changing, deleting a survey, its
questions, opening and closing it, citing it as evidence) takes `auth=WRITE_AUTH` and answers
401 without a session or token. Times are ISO 8601; a time without an offset is Thai time.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from phaen.api.auth import WRITE_AUTH, token_auth
from phaen.api.pagination import PagePagination
from phaen.consultation import survey_permissions as permissions
from phaen.consultation import survey_selectors as selectors
from phaen.consultation import survey_services as services
from phaen.consultation.services import client_key_material
from phaen.consultation.survey_models import Evidence, Question, Survey
from phaen.core.errors import NotFound, ValidationFailed
from phaen.core.ratelimit import client_ip
from phaen.geography.models import Province, Region
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan

router = Router(tags=["consultation surveys"])


# --- Schemas ---------------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name_th: str
    name_en: str = ""


class OptionOut(Schema):
    id: int
    label: str


class QuestionOut(Schema):
    id: int
    order: int
    kind: str
    prompt: str
    required: bool
    topic: str
    scale_min: int | None
    scale_max: int | None
    scale_min_label: str
    scale_max_label: str
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj: Question) -> list[Any]:
        return list(obj.options.all())


def _viewer(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


class SurveyOut(Schema):
    code: str
    title_th: str
    title_en: str
    status: str
    audience: str
    organiser: Ref
    plan: str | None = Field(None, description="The plan it informs, once the plan is published")
    regions: list[str]
    provinces: list[str]
    opens_at: datetime
    closes_at: datetime
    responses: int = Field(0, description="How many responses (a count only)")

    @staticmethod
    def resolve_plan(obj: Survey, context: Any) -> str | None:
        plan = obj.plan
        if plan is None:
            return None
        published = getattr(obj, "plan_published", None)
        return plan.code if permissions.plan_is_public(_viewer(context), plan, published) else None

    @staticmethod
    def resolve_regions(obj: Survey) -> list[str]:
        return [region.code for region in obj.regions.all()]

    @staticmethod
    def resolve_provinces(obj: Survey) -> list[str]:
        return [province.code for province in obj.provinces.all()]

    @staticmethod
    def resolve_responses(obj: Survey) -> int:
        count = getattr(obj, "response_count", None)
        return count if count is not None else obj.responses.count()


class SurveyDetailOut(SurveyOut):
    description: str
    accepting_answers: bool
    questions: list[QuestionOut]

    @staticmethod
    def resolve_accepting_answers(obj: Survey) -> bool:
        return services.survey_is_open(obj)

    @staticmethod
    def resolve_questions(obj: Survey) -> list[Question]:
        return list(obj.questions.all())


class SurveyFilter(Schema):
    region: str | None = Field(None, description="Region code: national surveys and the region's")
    province: str | None = Field(None, description="Two-digit province code (10 = Bangkok)")
    status: str | None = Field(None, description="draft (organisers only), open or closed")
    organiser: str | None = Field(None, description="Code of the organising organisation")
    plan: str | None = Field(None, description="Code of the plan the surveys inform")


class SurveyIn(Schema):
    code: str
    title_th: str
    title_en: str = ""
    description: str = ""
    organiser: str = Field(..., description="Code of the organisation that runs it")
    plan: str = Field("", description="Code of the plan it informs")
    audience: str = Field("both", description="agencies, citizens or both")
    regions: list[str] = Field([], description="Region codes (none and no provinces: national)")
    provinces: list[str] = Field([], description="Two-digit province codes")
    opens_at: datetime
    closes_at: datetime


class SurveyPatch(Schema):
    code: str | None = None
    title_th: str | None = None
    title_en: str | None = None
    description: str | None = None
    organiser: str | None = None
    plan: str | None = None
    audience: str | None = None
    regions: list[str] | None = None
    provinces: list[str] | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class QuestionIn(Schema):
    kind: str = Field(..., description="choice, multi_choice, scale or text")
    prompt: str
    required: bool = True
    topic: str = ""
    options: list[str] = Field([], description="Labels of a choice question's options (2+)")
    scale_min: int | None = None
    scale_max: int | None = None
    scale_min_label: str = ""
    scale_max_label: str = ""


class QuestionPatch(Schema):
    kind: str | None = None
    prompt: str | None = None
    required: bool | None = None
    topic: str | None = None
    options: list[str] | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    scale_min_label: str | None = None
    scale_max_label: str | None = None


class MoveIn(Schema):
    position: int = Field(..., description="The new position, 1 for first")


class ResponseIn(Schema):
    respondent_kind: str = Field(..., description="agency or citizen")
    province: str = Field("", description="Province answered from; required for area surveys")
    organisation_name: str = Field("", description="Optional; never a person's name")
    answers: dict[str, Any] = Field(
        ...,
        description=(
            "By question id: an option id (choice), a list of option ids (multi_choice), a "
            "whole number (scale) or a text"
        ),
    )
    consent: bool = Field(False, description="Consent to keep the answers (PDPA); required")
    website: str = Field("", description="Leave empty (a field robots fill).")


class ReceivedOut(Schema):
    survey: str
    received: bool


class AreaOut(Schema):
    code: str | None
    name_th: str
    count: int
    percent: float | None


class RegionOut(Schema):
    code: str | None
    name_th: str
    count: int
    provinces: list[AreaOut]


class OptionResultOut(Schema):
    id: int
    label: str
    count: int
    percent: float | None


class ScalePointOut(Schema):
    value: int
    count: int


class ScaleOut(Schema):
    count: int
    mean: float | None
    distribution: list[ScalePointOut]


class QuestionResultOut(Schema):
    id: int
    kind: str
    prompt: str
    topic: str
    answered: int
    options: list[OptionResultOut] = []
    scale: ScaleOut | None = None
    texts: list[str] | None = Field(None, description="Text answers: the organiser and auditors")


class TopicOut(Schema):
    topic: str
    questions: list[int]


class EvidenceOut(Schema):
    id: int
    survey: str = Field(..., alias="survey.code")
    question: int | None = Field(None, alias="question_id")
    plan: str = Field(..., alias="plan.code")
    element_code: str
    note: str
    created_at: datetime


class ResultsOut(Schema):
    survey: str
    responses: int
    total: int
    by_kind: dict[str, int]
    region: str | None
    province: str | None
    areas: list[RegionOut]
    questions: list[QuestionResultOut]
    topics: list[TopicOut]
    evidence: list[EvidenceOut]


class ResultsFilter(Schema):
    region: str | None = Field(None, description="Region code")
    province: str | None = Field(None, description="Two-digit province code")


class EvidenceIn(Schema):
    element_code: str = Field(..., description="Code of an element of the survey's plan")
    question: int | None = Field(None, description="Id of one question, or none: the survey")
    note: str = ""


class EvidenceFilter(Schema):
    element: str = Field(..., description="Code of the plan element")
    plan: str | None = Field(None, description="Code of the plan")


# --- Helpers -----------------------------------------------------------------------------------


def _unknown(code: str, field: str) -> ValidationFailed:
    message = _("Unknown code “%(code)s”.") % {"code": code}
    return ValidationFailed("unknown_code", message, detail={"fields": {field: message}})


def _rows(model: Any, codes: list[str], field: str) -> list[Any]:
    found = {row.code: row for row in model.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise _unknown(", ".join(missing), field)
    return [found[code] for code in dict.fromkeys(codes)]


def _survey_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Turn codes into rows, naming an unknown code on its field."""
    for name, model in (("organiser", Organisation), ("plan", Plan)):
        if name not in data:
            continue
        value = data[name]
        if value in (None, ""):
            if name == "organiser":
                data.pop(name)
            else:
                data[name] = None
            continue
        row = model.objects.filter(code=value).first()
        if row is None:
            raise _unknown(str(value), name)
        data[name] = row
    for name, area in (("regions", Region), ("provinces", Province)):
        if name in data:
            if data[name] is None:
                data.pop(name)
            else:
                data[name] = _rows(area, data[name], name)
    for name in ("code", "title_th", "audience", "opens_at", "closes_at"):
        if name in data and data[name] is None:
            data.pop(name)
    return data


def _readable(request: HttpRequest, code: str) -> Survey:
    return selectors.survey_detail(code, viewer=request.user)


def _question(survey: Survey, question_id: int) -> Question:
    for question in survey.questions.all():
        if question.pk == question_id:
            return question
    raise NotFound(services.SurveyError.QUESTION_NOT_FOUND, _("The survey has no such question."))


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _results(results: selectors.SurveyResults, evidence: list[Evidence]) -> dict[str, Any]:
    areas = []
    for row in results.regions:
        areas.append(
            {
                "code": row.region.code if row.region else None,
                "name_th": row.region.name_th if row.region else "",
                "count": row.count,
                "provinces": [
                    {
                        "code": area.province.code if area.province else None,
                        "name_th": area.province.name_th if area.province else "",
                        "count": area.count,
                        "percent": _number(area.percent),
                    }
                    for area in row.provinces
                ],
            }
        )
    questions = []
    for result in results.questions:
        question = result.question
        entry: dict[str, Any] = {
            "id": question.pk,
            "kind": question.kind,
            "prompt": question.prompt,
            "topic": question.topic,
            "answered": result.answered,
            "options": [
                {
                    "id": option.option_id,
                    "label": option.label,
                    "count": option.count,
                    "percent": _number(option.percent),
                }
                for option in result.options
            ],
            "texts": result.texts,
        }
        if result.scale is not None:
            entry["scale"] = {
                "count": result.scale.count,
                "mean": _number(result.scale.mean),
                "distribution": [
                    {"value": value, "count": count} for value, count in result.scale.distribution
                ],
            }
        questions.append(entry)
    return {
        "survey": results.survey.code,
        "responses": results.responses,
        "total": results.total,
        "by_kind": results.by_kind,
        "region": results.region.code if results.region else None,
        "province": results.province.code if results.province else None,
        "areas": areas,
        "questions": questions,
        "topics": [
            {"topic": topic.topic, "questions": [r.question.pk for r in topic.questions]}
            for topic in results.topics
        ],
        "evidence": evidence,
    }


def _anyone(request: HttpRequest) -> bool:
    """Admit a request without credentials (after `token_auth` found none)."""
    return True


# --- Public ------------------------------------------------------------------------------------


@router.get("", response=list[SurveyOut], summary="List surveys of problems and needs")
@paginate(PagePagination)
def list_surveys(request: HttpRequest, filters: Query[SurveyFilter]) -> Any:
    values = {k: v for k, v in filters.dict().items() if v is not None}
    return selectors.survey_list(viewer=request.user, **values)


@router.get(
    "/evidence",
    response=list[EvidenceOut],
    summary="Survey results cited as evidence for a plan element",
)
@paginate(PagePagination)
def list_evidence(request: HttpRequest, filters: Query[EvidenceFilter]) -> Any:
    return selectors.evidence_for_element(
        viewer=request.user, element=filters.element, plan=filters.plan
    )


@router.get("/{code}", response=SurveyDetailOut, summary="One survey with its questions")
def get_survey(request: HttpRequest, code: str) -> Any:
    return _readable(request, code)


@router.get("/{code}/results", response=ResultsOut, summary="A survey's results")
def get_results(request: HttpRequest, code: str, filters: Query[ResultsFilter]) -> Any:
    """Per question, per area (region → province) and per topic; `region` or `province`
    narrow them to the responses from that area."""
    survey = _readable(request, code)
    region = province = None
    if filters.province:
        province = Province.objects.filter(code=filters.province).first()
        if province is None:
            raise _unknown(filters.province, "province")
    elif filters.region:
        region = Region.objects.filter(code=filters.region).first()
        if region is None:
            raise _unknown(filters.region, "region")
    results = selectors.survey_results(
        survey, viewer=request.user, region=region, province=province
    )
    evidence = selectors.evidence_list(survey)
    if survey.plan is None or not permissions.plan_is_public(request.user, survey.plan):
        evidence = []
    return _results(results, evidence)


@router.post(
    "/{code}/responses",
    response={201: ReceivedOut},
    auth=[token_auth, _anyone],
    summary="Answer an open survey (public; throttled; consent required)",
)
def submit_response(request: HttpRequest, code: str, payload: ResponseIn) -> Any:
    """Over the rate limit: 429 with `retry_after`. Not open: 409. Bad answers or no consent:
    422, nothing kept."""
    survey = _readable(request, code)
    user = request.auth if getattr(request.auth, "pk", None) else None  # type: ignore[attr-defined]
    data = payload.dict()
    province = None
    if data["province"]:
        province = Province.objects.filter(code=data["province"]).first()
        if province is None:
            raise _unknown(data["province"], "province")
    services.response_submit(
        actor=user,
        survey=survey,
        respondent_kind=data["respondent_kind"],
        province=province,
        organisation_name=data["organisation_name"],
        answers=data["answers"],
        consent=data["consent"],
        client_key=client_key_material(user, client_ip(request)),
        honeypot=data["website"],
    )
    return Status(201, {"survey": survey.code, "received": True})


# --- The organiser's -----------------------------------------------------------------------------


@router.post("", response={201: SurveyDetailOut}, auth=WRITE_AUTH, summary="Start a survey")
def create_survey(request: HttpRequest, payload: SurveyIn) -> Any:
    survey = services.survey_create(actor=request.user, **_survey_fields(payload.dict()))
    return Status(201, selectors.survey_detail(survey.code, viewer=request.user))


@router.patch("/{code}", response=SurveyDetailOut, auth=WRITE_AUTH, summary="Change a draft survey")
def update_survey(request: HttpRequest, code: str, payload: SurveyPatch) -> Any:
    survey = _readable(request, code)
    saved = services.survey_update(
        actor=request.user, survey=survey, **_survey_fields(payload.dict(exclude_unset=True))
    )
    return selectors.survey_detail(saved.code, viewer=request.user)


@router.delete("/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete a draft survey")
def delete_survey(request: HttpRequest, code: str) -> Any:
    services.survey_delete(actor=request.user, survey=_readable(request, code))
    return Status(204, None)


@router.post("/{code}/open", response=SurveyDetailOut, auth=WRITE_AUTH, summary="Open for answers")
def open_survey(request: HttpRequest, code: str) -> Any:
    services.survey_open(actor=request.user, survey=_readable(request, code))
    return selectors.survey_detail(code, viewer=request.user)


@router.post("/{code}/close", response=SurveyDetailOut, auth=WRITE_AUTH, summary="Close")
def close_survey(request: HttpRequest, code: str) -> Any:
    services.survey_close(actor=request.user, survey=_readable(request, code))
    return selectors.survey_detail(code, viewer=request.user)


@router.post(
    "/{code}/questions",
    response={201: QuestionOut},
    auth=WRITE_AUTH,
    summary="Add a question to a draft survey",
)
def add_question(request: HttpRequest, code: str, payload: QuestionIn) -> Any:
    survey = _readable(request, code)
    question = services.question_add(actor=request.user, survey=survey, **payload.dict())
    return Status(201, question)


@router.patch(
    "/{code}/questions/{question_id}",
    response=QuestionOut,
    auth=WRITE_AUTH,
    summary="Change a question of a draft survey",
)
def update_question(
    request: HttpRequest, code: str, question_id: int, payload: QuestionPatch
) -> Any:
    survey = _readable(request, code)
    data = payload.dict(exclude_unset=True)
    for name in ("kind", "prompt", "required"):
        if name in data and data[name] is None:
            data.pop(name)
    return services.question_update(
        actor=request.user, question=_question(survey, question_id), **data
    )


@router.delete(
    "/{code}/questions/{question_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Remove a question of a draft survey",
)
def remove_question(request: HttpRequest, code: str, question_id: int) -> Any:
    survey = _readable(request, code)
    services.question_remove(actor=request.user, question=_question(survey, question_id))
    return Status(204, None)


@router.post(
    "/{code}/questions/{question_id}/move",
    response=SurveyDetailOut,
    auth=WRITE_AUTH,
    summary="Move a question of a draft survey",
)
def move_question(request: HttpRequest, code: str, question_id: int, payload: MoveIn) -> Any:
    survey = _readable(request, code)
    services.question_move(
        actor=request.user, question=_question(survey, question_id), position=payload.position
    )
    return selectors.survey_detail(code, viewer=request.user)


@router.post(
    "/{code}/evidence",
    response={201: EvidenceOut},
    auth=WRITE_AUTH,
    summary="Cite the survey's results as evidence for an element of its plan",
)
def link_evidence(request: HttpRequest, code: str, payload: EvidenceIn) -> Any:
    survey = _readable(request, code)
    question = _question(survey, payload.question) if payload.question is not None else None
    evidence = services.evidence_link(
        actor=request.user,
        survey=survey,
        element_code=payload.element_code,
        question=question,
        note=payload.note,
    )
    return Status(201, evidence)


@router.delete(
    "/{code}/evidence/{evidence_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Withdraw a citation as evidence",
)
def unlink_evidence(request: HttpRequest, code: str, evidence_id: int) -> Any:
    survey = _readable(request, code)
    evidence = (
        Evidence.objects.select_related("survey", "plan")
        .filter(survey=survey, pk=evidence_id)
        .first()
    )
    if evidence is None:
        raise NotFound(services.SurveyError.EVIDENCE_NOT_FOUND, _("No such evidence."))
    services.evidence_unlink(actor=request.user, evidence=evidence)
    return Status(204, None)
