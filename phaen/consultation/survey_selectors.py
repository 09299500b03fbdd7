"""Reads of surveys: the list, a survey with its form, its results, its evidence.

Every function chooses its own `select_related` / `prefetch_related` and counts in the database
(`values(...)` with `Count`), so pages and endpoints run a fixed number of queries whatever the
number of surveys, questions, responses or answers.

`survey_results` summarises the answers for everyone who may read the survey: per question
(counts and shares of each option, the count, mean and distribution of a scale, the number of
text answers), per area (responses per province, grouped by region) and per topic (questions
grouped by their topic label). What people wrote in text answers is included only for the
organiser and auditors (`survey_permissions.reads_text_answers`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from phaen.consultation import survey_permissions as permissions
from phaen.consultation.event_permissions import published_plan_q
from phaen.consultation.survey_models import (
    Answer,
    Evidence,
    Question,
    QuestionKind,
    Survey,
    SurveyResponse,
    SurveyStatus,
)
from phaen.consultation.survey_services import SurveyError
from phaen.core.errors import NotFound
from phaen.geography.models import Province, Region
from phaen.plans.models import PlanElement

__all__ = [
    "AreaRow",
    "OptionResult",
    "QuestionResult",
    "RegionRow",
    "ScaleResult",
    "SurveyResults",
    "TopicResult",
    "element_titles",
    "evidence_for_element",
    "evidence_list",
    "survey_area_provinces",
    "survey_detail",
    "survey_element_choices",
    "survey_get",
    "survey_list",
    "survey_results",
]


def _not_found(code: str) -> NotFound:
    return NotFound(SurveyError.NOT_FOUND, _("No survey has the code “%(code)s”.") % {"code": code})


def _questions_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "questions",
        queryset=Question.objects.order_by("order", "id").prefetch_related("options"),
    )


def survey_list(
    *,
    viewer: Any,
    region: str | None = None,
    province: str | None = None,
    status: str | None = None,
    organiser: str | None = None,
    plan: str | None = None,
) -> QuerySet[Survey]:
    """Return the surveys `viewer` may read, the latest first, with their response and
    question counts and `plan_published` (whether the plan they inform is published).

    `region` and `province` (codes) keep the surveys people of that area may answer: national
    surveys, and those listing the area, its region or one of its provinces.
    """
    surveys = Survey.objects.all()
    visible = permissions.survey_visibility_filter(viewer)
    if visible is not None:
        surveys = surveys.filter(visible)
    national = Q(regions__isnull=True, provinces__isnull=True)
    if region:
        surveys = surveys.filter(
            national | Q(regions__code=region) | Q(provinces__region__code=region)
        )
    if province:
        surveys = surveys.filter(
            national | Q(provinces__code=province) | Q(regions__provinces__code=province)
        )
    if status in SurveyStatus.values:
        surveys = surveys.filter(status=status)
    if organiser:
        surveys = surveys.filter(organiser__code=organiser)
    if plan:
        surveys = surveys.filter(plan__code=plan)
    ids = surveys.values("pk")
    return (
        Survey.objects.filter(pk__in=ids)
        .select_related("organiser", "plan")
        .prefetch_related("regions", "provinces")
        .annotate(
            response_count=Count("responses", distinct=True),
            question_count=Count("questions", distinct=True),
            plan_published=published_plan_q("plan"),
        )
        .order_by("-opens_at", "code")
    )


def survey_get(code: str) -> Survey:
    """Return the survey with this code (with its organiser and plan), or 404."""
    survey = Survey.objects.select_related("organiser", "plan").filter(code=code).first()
    if survey is None:
        raise _not_found(code)
    return survey


def survey_detail(code: str, *, viewer: Any) -> Survey:
    """Return a survey the viewer may read, with its areas and its questions and options.

    A draft is "not found" to those who may not read it, so drafts do not reveal that they exist.
    """
    survey = (
        Survey.objects.select_related("organiser", "plan")
        .prefetch_related("regions", "provinces", _questions_prefetch())
        .filter(code=code)
        .first()
    )
    if survey is None or not permissions.can_view_survey(viewer, survey):
        raise _not_found(code)
    return survey


def survey_area_provinces(survey: Survey) -> QuerySet[Province]:
    """The provinces people answer the survey from: every province of a national survey, else
    those it lists and those of the regions it lists."""
    provinces = Province.objects.select_related("region").order_by("name_th")
    region_ids = [region.pk for region in survey.regions.all()]
    province_ids = [province.pk for province in survey.provinces.all()]
    if not region_ids and not province_ids:
        return provinces
    return provinces.filter(Q(pk__in=province_ids) | Q(region_id__in=region_ids))


def survey_element_choices(survey: Survey) -> QuerySet[PlanElement]:
    """The elements the survey's results may be cited for: its plan's outline, in order."""
    if survey.plan_id is None:
        return PlanElement.objects.none()
    return PlanElement.objects.filter(plan_id=survey.plan_id).order_by("path")


def element_titles(evidence: list[Evidence]) -> dict[tuple[int, str], PlanElement]:
    """The elements cited by these evidence rows, by (plan id, code), in one query."""
    wanted = {(row.plan_id, row.element_code) for row in evidence}
    if not wanted:
        return {}
    condition = Q()
    for plan_id, code in wanted:
        condition |= Q(plan_id=plan_id, code=code)
    return {(e.plan_id, e.code): e for e in PlanElement.objects.filter(condition)}


def evidence_list(survey: Survey) -> list[Evidence]:
    """The survey's citations as evidence, each with `element` (the cited element, or None
    when it was since removed from the plan)."""
    rows = list(
        Evidence.objects.filter(survey=survey)
        .select_related("plan", "question")
        .order_by("element_code", "id")
    )
    elements = element_titles(rows)
    for row in rows:
        row.element = elements.get((row.plan_id, row.element_code))  # type: ignore[attr-defined]
    return rows


def evidence_for_element(
    *, viewer: Any, element: str, plan: str | None = None
) -> QuerySet[Evidence]:
    """Survey results cited as evidence for an element (by code), from surveys `viewer` reads."""
    rows = Evidence.objects.filter(element_code=element)
    if plan:
        rows = rows.filter(plan__code=plan)
    visible = permissions.survey_visibility_filter(viewer)
    if visible is not None:
        rows = rows.filter(survey__in=Survey.objects.filter(visible))
    return rows.select_related("survey", "survey__organiser", "plan", "question").order_by(
        "-survey__opens_at", "id"
    )


# --- Results ----------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class OptionResult:
    option_id: int
    label: str
    count: int
    percent: Decimal | None
    """Share of the people who answered the question (several choices may add up past 100)."""


@dataclass
class ScaleResult:
    count: int
    mean: Decimal | None
    distribution: list[tuple[int, int]]
    """(value, count) for every point of the scale, lowest first."""


@dataclass
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionResult] = field(default_factory=list)
    scale: ScaleResult | None = None
    texts: list[str] | None = None
    """What people wrote, for readers of text answers; None for everyone else."""

    @property
    def kind(self) -> str:
        return self.question.kind

    def chart(self) -> dict[str, Any] | None:
        """The bar chart of the answers, in the dashboards' chart format (dashboard-charts.js)."""
        if self.question.kind in (QuestionKind.CHOICE, QuestionKind.MULTI_CHOICE):
            categories = [option.label for option in self.options]
            data = [option.count for option in self.options]
            kind = "hbar"
        elif self.scale is not None:
            categories = [str(value) for value, _count in self.scale.distribution]
            data = [count for _value, count in self.scale.distribution]
            kind = "bar"
        else:
            return None
        if not self.answered:
            return None
        return {
            "kind": kind,
            "title": self.question.prompt,
            "categories": categories,
            "series": [{"name": _("Responses"), "type": "bar", "data": data}],
            "valueKind": "integer",
            "unit": "",
            "noData": _("No data"),
        }


@dataclass
class TopicResult:
    topic: str
    questions: list[QuestionResult]


@dataclass
class AreaRow:
    province: Province | None
    count: int
    percent: Decimal | None


@dataclass
class RegionRow:
    region: Region | None
    count: int
    provinces: list[AreaRow]


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    """Responses counted (within the area filter, when one is given)."""
    total: int
    """All responses to the survey."""
    by_kind: dict[str, int]
    regions: list[RegionRow]
    questions: list[QuestionResult]
    topics: list[TopicResult]
    region: Region | None = None
    province: Province | None = None
    shows_texts: bool = False


def _region_rows(
    counts: dict[int | None, int], provinces: dict[int, Province], responses: int
) -> list[RegionRow]:
    grouped: dict[int | None, list[AreaRow]] = defaultdict(list)
    regions: dict[int | None, Region | None] = {}
    for province_id, count in counts.items():
        province = provinces.get(province_id) if province_id is not None else None
        region = province.region if province is not None else None
        key = region.pk if region is not None else None
        regions[key] = region
        grouped[key].append(AreaRow(province, count, _percent(count, responses)))
    rows = []
    for key, areas in grouped.items():
        areas.sort(key=lambda row: (row.province is None, -row.count, _name(row.province)))
        rows.append(RegionRow(regions[key], sum(row.count for row in areas), areas))
    rows.sort(
        key=lambda row: (
            row.region is None,
            row.region.position if row.region is not None else 0,
            row.region.code if row.region is not None else "",
        )
    )
    return rows


def _name(province: Province | None) -> str:
    return province.name_th if province is not None else ""


def survey_results(
    survey: Survey,
    *,
    viewer: Any,
    region: Region | None = None,
    province: Province | None = None,
) -> SurveyResults:
    """Summarise the survey's answers (all of them, or those from a region or a province).

    `survey` should come from `survey_detail` (questions and options prefetched). Runs the same
    number of queries whatever the number of responses, questions and answers.
    """
    questions = list(survey.questions.all())
    responses = SurveyResponse.objects.filter(survey=survey)
    every = responses
    if province is not None:
        responses = responses.filter(province=province)
    elif region is not None:
        responses = responses.filter(province__region=region)
    answers = Answer.objects.filter(response__in=responses.values("pk"))

    per_province: dict[int | None, int] = {
        row["province_id"]: row["n"]
        for row in every.order_by().values("province_id").annotate(n=Count("pk"))
    }
    province_rows = {
        p.pk: p
        for p in Province.objects.select_related("region").filter(
            pk__in=[pk for pk in per_province if pk is not None]
        )
    }
    total = sum(per_province.values())
    if province is not None:
        counted = per_province.get(province.pk, 0)
    elif region is not None:
        counted = sum(
            n
            for pk, n in per_province.items()
            if pk is not None and province_rows[pk].region_id == region.pk
        )
    else:
        counted = total
    by_kind = {
        row["respondent_kind"]: row["n"]
        for row in responses.order_by().values("respondent_kind").annotate(n=Count("pk"))
    }
    answered = {
        row["question_id"]: row["n"]
        for row in answers.order_by()
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
    }
    option_counts = {
        row["option_id"]: row["n"]
        for row in answers.filter(option__isnull=False)
        .order_by()
        .values("option_id")
        .annotate(n=Count("pk"))
    }
    scale_counts: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        answers.filter(scale_value__isnull=False)
        .order_by()
        .values("question_id", "scale_value")
        .annotate(n=Count("pk"))
    ):
        if row["scale_value"] is not None:
            scale_counts[row["question_id"]][row["scale_value"]] = row["n"]
    shows_texts = permissions.reads_text_answers(viewer, survey)
    texts: dict[int, list[str]] = defaultdict(list)
    if shows_texts:
        for question_id, text in (
            answers.filter(question__kind=QuestionKind.TEXT)
            .exclude(text="")
            .order_by("response__created_at", "pk")
            .values_list("question_id", "text")
        ):
            texts[question_id].append(text)

    results: list[QuestionResult] = []
    for question in questions:
        count = answered.get(question.pk, 0)
        result = QuestionResult(question=question, answered=count)
        if question.kind in (QuestionKind.CHOICE, QuestionKind.MULTI_CHOICE):
            result.options = [
                OptionResult(
                    option.pk,
                    option.label,
                    option_counts.get(option.pk, 0),
                    _percent(option_counts.get(option.pk, 0), count),
                )
                for option in question.options.all()
            ]
        elif question.kind == QuestionKind.SCALE:
            low = question.scale_min if question.scale_min is not None else 0
            high = question.scale_max if question.scale_max is not None else low
            values = scale_counts.get(question.pk, {})
            distribution = [(value, values.get(value, 0)) for value in range(low, high + 1)]
            scored = sum(values.values())
            mean = (
                (Decimal(sum(value * n for value, n in values.items())) / Decimal(scored)).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
                if scored
                else None
            )
            result.scale = ScaleResult(count=scored, mean=mean, distribution=distribution)
        elif shows_texts:
            result.texts = texts.get(question.pk, [])
        results.append(result)

    topics: dict[str, list[QuestionResult]] = {}
    for result in results:
        topics.setdefault(result.question.topic, []).append(result)
    return SurveyResults(
        survey=survey,
        responses=counted,
        total=total,
        by_kind=by_kind,
        regions=_region_rows(per_province, province_rows, total),
        questions=results,
        topics=[TopicResult(topic, rows) for topic, rows in topics.items()],
        region=region,
        province=province,
        shows_texts=shows_texts,
    )


def response_rows(survey: Survey) -> tuple[list[str], dict[str, str], list[dict[str, Any]]]:
    """Every response as one row for the organiser's CSV / XLSX export: when, as whom, from
    which province, the organisation, then one column per question (options joined by ";").

    Returns the column names, their headers for people, and the rows. Two queries (after the
    survey's questions, prefetched by `survey_detail`).
    """
    questions = list(survey.questions.all())
    columns = ["response", "answered_at", "respondent_kind", "province", "organisation"]
    headers: dict[str, str] = {
        "response": _("Response"),
        "answered_at": _("Answered at"),
        "respondent_kind": _("Answered as"),
        "province": _("Province"),
        "organisation": _("Organisation"),
    }
    for index, question in enumerate(questions, start=1):
        column = f"q{index}"
        columns.append(column)
        headers[column] = f"{index}. {question.prompt}"
    position: dict[int, str] = {
        question.pk: f"q{index}" for index, question in enumerate(questions, start=1)
    }
    rows: dict[int, dict[str, Any]] = {}
    for response in (
        SurveyResponse.objects.filter(survey=survey)
        .select_related("province")
        .order_by("created_at", "pk")
    ):
        rows[response.pk] = {
            "response": response.pk,
            "answered_at": response.created_at,
            "respondent_kind": response.get_respondent_kind_display(),
            "province": response.province.name_th if response.province else "",
            "organisation": response.organisation_name,
        }
    for answer in (
        Answer.objects.filter(response__survey=survey)
        .select_related("option")
        .order_by("response_id", "question_id", "option__order", "pk")
    ):
        row = rows.get(answer.response_id)
        target = position.get(answer.question_id)
        if row is None or target is None:
            continue
        if answer.option is not None:
            value: Any = answer.option.label
        elif answer.scale_value is not None:
            value = answer.scale_value
        else:
            value = answer.text
        if target in row:
            row[target] = f"{row[target]};{value}"
        else:
            row[target] = value
    return columns, headers, list(rows.values())
