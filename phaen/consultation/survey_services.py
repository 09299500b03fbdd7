"""Every change to surveys of problems and needs: the survey, its questions, its status, the
answers people send, and the evidence it gives plan elements.

Each function checks permission first (a refusal is audited outside the transaction), then
validates, then writes inside its own `transaction.atomic()` together with its audit record.
Failures raise `ApplicationError` subclasses with the codes of `SurveyError`; input problems
are `ValidationFailed` with `detail["fields"]` naming the field (`q_<id>` for an answer), so
forms put the message next to it. Nothing is half-written.

A survey is built while it is a draft (its fields and questions change only then), opened for
answers, and closed. Managing a survey follows the rule of the organiser's hearings
(`survey_permissions`).

Personal data (PDPA), as for comments (`services.py`): a response holds no name; it needs
explicit consent; national ID numbers are refused in every free text (`contains_national_id`);
the client's address is kept only as the comments' keyed hash (`commenter_key`), to throttle
(`PHAEN_RATE_SURVEY_CLIENT`, default 20 responses an hour per client, on all surveys). A
filled honeypot field drops the response silently: nothing is written and the sender is told
nothing different. Audit records of responses hold the survey, the kind of respondent and the
province, never the answers or the organisation's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaen.consultation import survey_permissions as permissions
from phaen.consultation.services import commenter_key, contains_national_id
from phaen.consultation.survey_models import (
    Answer,
    Evidence,
    Option,
    Question,
    QuestionKind,
    RespondentKind,
    Survey,
    SurveyAudience,
    SurveyResponse,
    SurveyStatus,
)
from phaen.core.audit import audit_record, snapshot
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.core.ratelimit import RateLimited, hit
from phaen.geography.models import Province, Region
from phaen.plans.models import PlanElement


class SurveyError(StrEnum):
    CODE_INVALID = "survey_code_invalid"
    CODE_TAKEN = "survey_code_taken"
    TITLE_REQUIRED = "survey_title_required"
    FIELD_REQUIRED = "survey_field_required"
    CHOICE_INVALID = "survey_choice_invalid"
    PERIOD_INVALID = "survey_period_invalid"
    NOT_DRAFT = "survey_not_draft"
    STATUS_INVALID = "survey_status_invalid"
    NO_QUESTIONS = "survey_no_questions"
    NOT_FOUND = "survey_not_found"
    QUESTION_NOT_FOUND = "survey_question_not_found"
    PROMPT_REQUIRED = "survey_prompt_required"
    TOO_LONG = "survey_too_long"
    OPTIONS_INVALID = "survey_options_invalid"
    SCALE_INVALID = "survey_scale_invalid"
    POSITION_INVALID = "survey_position_invalid"
    NOT_OPEN = "survey_not_open"
    CONSENT_REQUIRED = "survey_consent_required"
    NATIONAL_ID = "survey_national_id"
    RESPONDENT_INVALID = "survey_respondent_invalid"
    PROVINCE_REQUIRED = "survey_province_required"
    PROVINCE_OUTSIDE = "survey_province_outside"
    ANSWER_REQUIRED = "survey_answer_required"
    ANSWER_INVALID = "survey_answer_invalid"
    EVIDENCE_NO_PLAN = "survey_evidence_no_plan"
    EVIDENCE_ELEMENT = "survey_evidence_element"
    EVIDENCE_QUESTION = "survey_evidence_question"
    EVIDENCE_DUPLICATE = "survey_evidence_duplicate"
    EVIDENCE_NOT_FOUND = "survey_evidence_not_found"


SURVEY_FIELDS = (
    "code",
    "title_th",
    "title_en",
    "description",
    "organiser",
    "plan",
    "audience",
    "opens_at",
    "closes_at",
)
QUESTION_FIELDS = (
    "kind",
    "prompt",
    "required",
    "topic",
    "options",
    "scale_min",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
)
RESERVED_CODES = frozenset({"new", "evidence"})
"""Codes that would clash with the pages' and the API's addresses."""

CHOICE_KINDS = frozenset({QuestionKind.CHOICE, QuestionKind.MULTI_CHOICE})
MAX_PROMPT = 1000
MAX_TOPIC = 200
MAX_OPTION = 300
MAX_OPTIONS = 30
MAX_SCALE_LABEL = 100
MAX_SCALE_SPAN = 20
"""A scale has at most 21 points (0–20), enough for any rating people answer."""
MAX_TEXT_ANSWER = 2000
MAX_ORGANISATION = 300
MAX_NOTE = 2000

DEFAULT_RATE = "20/h"
"""Responses one client may send an hour on all surveys, unless `PHAEN_RATE_SURVEY_CLIENT`."""

CONSENT_TEXT_VERSION = "2569-1"
CONSENT_TEXT = gettext_lazy(
    "I agree that Phaen keeps my answers, the province and the organisation I give, so that the "
    "organiser can summarise this survey and use it in planning, under the Personal Data "
    "Protection Act B.E. 2562. My answers are published only as counts and summaries; what I "
    "write in text answers is read only by the organiser."
)


# --- Shared checks ----------------------------------------------------------------------------


def _fail(code: str, message: str, field: str | None = None, **detail: Any) -> ValidationFailed:
    if field is not None:
        detail = {"fields": {field: message}, **detail}
    return ValidationFailed(code, message, detail=detail)


def _unknown_fields(function: str, fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{function}() got unknown fields: {sorted(unknown)}")


def _aware(value: Any) -> Any:
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _user_or_none(actor: Any) -> Any:
    """The actor as a user row to store (`created_by`), or None for the system and the public."""
    return (
        actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    )


def _refuse_national_id(text: str, field: str) -> None:
    if contains_national_id(text):
        raise _fail(
            SurveyError.NATIONAL_ID,
            _(
                "Please remove the national ID number: Phaen never collects ID numbers, "
                "and a survey does not need them."
            ),
            field,
        )


def _require_draft(survey: Survey) -> None:
    if survey.status != SurveyStatus.DRAFT:
        raise ApplicationError(
            SurveyError.NOT_DRAFT,
            _(
                "The survey is “%(status)s”: its form changes only while it is a draft, so that "
                "every answer is to the same questions."
            )
            % {"status": SurveyStatus(survey.status).label},
            detail={"status": survey.status},
            http_status=409,
        )


# --- Surveys ----------------------------------------------------------------------------------


def _validate_survey(survey: Survey) -> None:
    if not survey.code or slugify(survey.code) != survey.code or survey.code in RESERVED_CODES:
        raise _fail(
            SurveyError.CODE_INVALID,
            _("The code may hold only lower-case letters, digits and hyphens."),
            "code",
        )
    if Survey.objects.filter(code=survey.code).exclude(pk=survey.pk).exists():
        raise _fail(
            SurveyError.CODE_TAKEN,
            _("Another survey already has the code “%(code)s”.") % {"code": survey.code},
            "code",
        )
    if not (survey.title_th or "").strip():
        raise _fail(SurveyError.TITLE_REQUIRED, _("The Thai title is required."), "title_th")
    if survey.organiser_id is None:
        raise _fail(
            SurveyError.FIELD_REQUIRED, _("Choose the organisation that runs it."), "organiser"
        )
    if survey.audience not in SurveyAudience.values:
        raise _fail(
            SurveyError.CHOICE_INVALID,
            _("Unknown value “%(value)s”; choose one of: %(choices)s.")
            % {"value": survey.audience, "choices": ", ".join(SurveyAudience.values)},
            "audience",
        )
    if not isinstance(survey.opens_at, dt.datetime) or not isinstance(
        survey.closes_at, dt.datetime
    ):
        raise _fail(
            SurveyError.PERIOD_INVALID, _("Give the opening and closing times."), "closes_at"
        )
    if survey.closes_at <= survey.opens_at:
        raise _fail(
            SurveyError.PERIOD_INVALID, _("The survey must close after it opens."), "closes_at"
        )
    for name, limit in (("title_th", 500), ("title_en", 500)):
        if len(getattr(survey, name) or "") > limit:
            raise _fail(
                SurveyError.TOO_LONG, _("At most %(limit)s characters.") % {"limit": limit}, name
            )


def _clean_survey_fields(fields: dict[str, Any]) -> None:
    for name in ("code", "title_th", "title_en", "description"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
        elif name in fields and fields[name] is None and name != "code":
            fields[name] = ""
    for name in ("opens_at", "closes_at"):
        if name in fields:
            fields[name] = _aware(fields[name])


def _survey_state(survey: Survey) -> dict[str, Any]:
    state = snapshot(survey)
    state["regions"] = sorted(survey.regions.values_list("code", flat=True))
    state["provinces"] = sorted(survey.provinces.values_list("code", flat=True))
    return state


def survey_create(
    *,
    actor: Any,
    regions: Sequence[Region] = (),
    provinces: Sequence[Province] = (),
    **fields: Any,
) -> Survey:
    """Start a survey as a draft (see `SURVEY_FIELDS`), national or for some areas.

    `organiser` is the organisation that runs it; `plan` the plan it informs (optional);
    `regions` and `provinces` the areas people answer from (none: the whole country).
    """
    _unknown_fields("survey_create", fields, SURVEY_FIELDS)
    permissions.ensure(
        permissions.can_create_survey(actor, fields.get("organiser")), actor, "survey.create"
    )
    _clean_survey_fields(fields)
    fields.setdefault("audience", SurveyAudience.BOTH)
    survey = Survey(**fields, status=SurveyStatus.DRAFT, created_by=_user_or_none(actor))
    _validate_survey(survey)
    with transaction.atomic():
        survey.save()
        survey.regions.set(regions)
        survey.provinces.set(provinces)
        audit_record(
            actor=actor, action="survey.create", target=survey, after=_survey_state(survey)
        )
    return survey


def survey_update(
    *,
    actor: Any,
    survey: Survey,
    regions: Sequence[Region] | None = None,
    provinces: Sequence[Province] | None = None,
    **fields: Any,
) -> Survey:
    """Change a draft survey; only the fields given change (areas given replace the old)."""
    _unknown_fields("survey_update", fields, SURVEY_FIELDS)
    permissions.ensure(permissions.can_manage_survey(actor, survey), actor, "survey.update", survey)
    if "organiser" in fields and not permissions.can_create_survey(actor, fields["organiser"]):
        raise permissions.deny(actor, "survey.update", survey)
    _clean_survey_fields(fields)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        _require_draft(survey)
        before = _survey_state(survey)
        for name, value in fields.items():
            setattr(survey, name, value)
        _validate_survey(survey)
        survey.save()
        if regions is not None:
            survey.regions.set(regions)
        if provinces is not None:
            survey.provinces.set(provinces)
        audit_record(
            actor=actor,
            action="survey.update",
            target=survey,
            before=before,
            after=_survey_state(survey),
        )
    return survey


def survey_delete(*, actor: Any, survey: Survey) -> None:
    """Delete a draft survey with its questions (a draft has no answers yet)."""
    permissions.ensure(permissions.can_manage_survey(actor, survey), actor, "survey.delete", survey)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        _require_draft(survey)
        before = _survey_state(survey)
        before["questions"] = survey.questions.count()
        audit_record(actor=actor, action="survey.delete", target=survey, before=before)
        survey.delete()


def _step(actor: Any, survey: Survey, action: str, source: str, target: str) -> Survey:
    permissions.ensure(permissions.can_manage_survey(actor, survey), actor, action, survey)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.status != source:
            raise ApplicationError(
                SurveyError.STATUS_INVALID,
                _("The survey is “%(status)s”; this step is not possible now.")
                % {"status": SurveyStatus(survey.status).label},
                detail={"status": survey.status},
                http_status=409,
            )
        if target == SurveyStatus.OPEN:
            if not survey.questions.exists():
                raise ApplicationError(
                    SurveyError.NO_QUESTIONS,
                    _("Add at least one question before opening the survey."),
                    http_status=409,
                )
            if survey.closes_at <= timezone.now():
                raise ApplicationError(
                    SurveyError.PERIOD_INVALID,
                    _("The survey's closing time has passed; change it before opening."),
                    http_status=409,
                )
        before = {"status": survey.status}
        survey.status = target
        survey.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, action=action, target=survey, before=before, after={"status": target}
        )
    return survey


def survey_open(*, actor: Any, survey: Survey) -> Survey:
    """Open a draft survey for answers (it needs a question and a closing time to come).

    People answer between `opens_at` and `closes_at`; the form no longer changes.
    """
    return _step(actor, survey, "survey.open", SurveyStatus.DRAFT, SurveyStatus.OPEN)


def survey_close(*, actor: Any, survey: Survey) -> Survey:
    """Close an open survey: no more answers; its results stay public."""
    return _step(actor, survey, "survey.close", SurveyStatus.OPEN, SurveyStatus.CLOSED)


# --- Questions --------------------------------------------------------------------------------


def _text(value: Any, field: str, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise _fail(
            SurveyError.TOO_LONG, _("At most %(limit)s characters.") % {"limit": limit}, field
        )
    return text


def _scale_value(value: Any, field: str) -> int:
    if isinstance(value, bool):
        value = None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _fail(
            SurveyError.SCALE_INVALID,
            _("A scale runs between two whole numbers; give both."),
            field,
        ) from None


def _clean_question(values: dict[str, Any]) -> tuple[dict[str, Any], list[str] | None]:
    """Check a question's values (all of them, merged); return them cleaned, and the option
    labels (None for a question without options)."""
    kind = values.get("kind")
    if kind not in QuestionKind.values:
        raise _fail(
            SurveyError.CHOICE_INVALID,
            _("Unknown value “%(value)s”; choose one of: %(choices)s.")
            % {"value": kind, "choices": ", ".join(QuestionKind.values)},
            "kind",
        )
    prompt = _text(values.get("prompt"), "prompt", MAX_PROMPT)
    if not prompt:
        raise _fail(SurveyError.PROMPT_REQUIRED, _("Write the question."), "prompt")
    cleaned: dict[str, Any] = {
        "kind": kind,
        "prompt": prompt,
        "required": bool(values.get("required", True)),
        "topic": _text(values.get("topic"), "topic", MAX_TOPIC),
        "scale_min": None,
        "scale_max": None,
        "scale_min_label": "",
        "scale_max_label": "",
    }
    for name in ("prompt", "topic"):
        _refuse_national_id(cleaned[name], name)
    labels: list[str] | None = None
    raw_options = [str(label) for label in values.get("options") or []]
    if kind in CHOICE_KINDS:
        labels = [" ".join(label.split()) for label in raw_options]
        labels = [label for label in labels if label]
        if len(labels) < 2:
            raise _fail(
                SurveyError.OPTIONS_INVALID,
                _("A choice question needs at least two options."),
                "options",
            )
        if len(labels) > MAX_OPTIONS:
            raise _fail(
                SurveyError.OPTIONS_INVALID,
                _("A question offers at most %(limit)s options.") % {"limit": MAX_OPTIONS},
                "options",
            )
        if any(len(label) > MAX_OPTION for label in labels):
            raise _fail(
                SurveyError.TOO_LONG,
                _("An option has at most %(limit)s characters.") % {"limit": MAX_OPTION},
                "options",
            )
        if len(set(labels)) != len(labels):
            raise _fail(
                SurveyError.OPTIONS_INVALID, _("Two options have the same label."), "options"
            )
    elif any(label.strip() for label in raw_options):
        raise _fail(
            SurveyError.OPTIONS_INVALID,
            _("Only choice questions have options; remove them or choose another kind."),
            "options",
        )
    if kind == QuestionKind.SCALE:
        low = _scale_value(values.get("scale_min"), "scale_min")
        high = _scale_value(values.get("scale_max"), "scale_max")
        if low >= high:
            raise _fail(
                SurveyError.SCALE_INVALID,
                _("The highest value must be above the lowest."),
                "scale_max",
            )
        if high - low > MAX_SCALE_SPAN or low < -100 or high > 100:
            raise _fail(
                SurveyError.SCALE_INVALID,
                _("A scale has at most %(points)s points.") % {"points": MAX_SCALE_SPAN + 1},
                "scale_max",
            )
        cleaned.update(
            scale_min=low,
            scale_max=high,
            scale_min_label=_text(values.get("scale_min_label"), "scale_min_label", 100),
            scale_max_label=_text(values.get("scale_max_label"), "scale_max_label", 100),
        )
    return cleaned, labels


def _question_state(question: Question, labels: Sequence[str] | None = None) -> dict[str, Any]:
    state = snapshot(question)
    state["survey"] = question.survey.code
    if labels is None:
        labels = [option.label for option in question.options.all()]
    state["options"] = list(labels)
    return state


def _lock_draft(survey: Survey) -> Survey:
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    _require_draft(locked)
    return locked


def question_add(*, actor: Any, survey: Survey, **fields: Any) -> Question:
    """Add a question at the end of a draft survey (see `QUESTION_FIELDS`).

    `options` are the labels of a choice question's options (two at least); a scale question
    needs `scale_min` < `scale_max` (and may label both ends); a text question has neither.
    """
    _unknown_fields("question_add", fields, QUESTION_FIELDS)
    permissions.ensure(
        permissions.can_manage_survey(actor, survey), actor, "survey.question_add", survey
    )
    cleaned, labels = _clean_question(fields)
    with transaction.atomic():
        survey = _lock_draft(survey)
        last = survey.questions.aggregate(last=Max("order"))["last"]
        question = Question.objects.create(
            survey=survey, order=0 if last is None else last + 1, **cleaned
        )
        Option.objects.bulk_create(
            Option(question=question, order=index, label=label)
            for index, label in enumerate(labels or [])
        )
        audit_record(
            actor=actor,
            action="survey.question_add",
            target=question,
            after=_question_state(question, labels or []),
        )
    return question


def question_update(*, actor: Any, question: Question, **fields: Any) -> Question:
    """Change a question of a draft survey; only the fields given change, `options` given
    replace the old ones (a choice question keeps its options when none are given)."""
    _unknown_fields("question_update", fields, QUESTION_FIELDS)
    survey = question.survey
    permissions.ensure(
        permissions.can_manage_survey(actor, survey), actor, "survey.question_update", survey
    )
    with transaction.atomic():
        _lock_draft(survey)
        question = Question.objects.select_related("survey").get(pk=question.pk)
        old_labels = [option.label for option in question.options.all()]
        merged = {
            "kind": question.kind,
            "prompt": question.prompt,
            "required": question.required,
            "topic": question.topic,
            "options": old_labels,
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "scale_min_label": question.scale_min_label,
            "scale_max_label": question.scale_max_label,
        }
        if "kind" in fields and fields["kind"] not in CHOICE_KINDS and "options" not in fields:
            merged["options"] = []
        merged.update(fields)
        cleaned, labels = _clean_question(merged)
        before = _question_state(question, old_labels)
        for name, value in cleaned.items():
            setattr(question, name, value)
        question.save()
        if (labels or []) != old_labels:
            question.options.all().delete()
            Option.objects.bulk_create(
                Option(question=question, order=index, label=label)
                for index, label in enumerate(labels or [])
            )
        audit_record(
            actor=actor,
            action="survey.question_update",
            target=question,
            before=before,
            after=_question_state(question, labels or []),
        )
    return question


def question_remove(*, actor: Any, question: Question) -> None:
    """Remove a question (with its options) from a draft survey."""
    survey = question.survey
    permissions.ensure(
        permissions.can_manage_survey(actor, survey), actor, "survey.question_remove", survey
    )
    with transaction.atomic():
        _lock_draft(survey)
        before = _question_state(question)
        audit_record(actor=actor, action="survey.question_remove", target=question, before=before)
        question.delete()
        _renumber(list(survey.questions.order_by("order", "id")))


def _renumber(questions: list[Question]) -> None:
    for index, question in enumerate(questions):
        question.order = index
    Question.objects.bulk_update(questions, ["order"])


def question_move(*, actor: Any, question: Question, position: int) -> Question:
    """Move a question of a draft survey to `position` (1 is first), shifting the others."""
    survey = question.survey
    permissions.ensure(
        permissions.can_manage_survey(actor, survey), actor, "survey.question_move", survey
    )
    with transaction.atomic():
        _lock_draft(survey)
        questions = list(survey.questions.order_by("order", "id"))
        if isinstance(position, bool) or not isinstance(position, int):
            position = 0
        if not 1 <= position <= len(questions):
            raise _fail(
                SurveyError.POSITION_INVALID,
                _("Choose a position between 1 and %(count)s.") % {"count": len(questions)},
                "position",
            )
        current = next(q for q in questions if q.pk == question.pk)
        before = {"position": questions.index(current) + 1}
        questions.remove(current)
        questions.insert(position - 1, current)
        _renumber(questions)
        audit_record(
            actor=actor,
            action="survey.question_move",
            target=current,
            before=before,
            after={"position": position},
        )
    current.refresh_from_db()
    return current


# --- Responses --------------------------------------------------------------------------------


def survey_is_open(survey: Survey, now: dt.datetime | None = None) -> bool:
    """Tell whether the survey takes answers now: open, and within its period."""
    now = now or timezone.now()
    return survey.status == SurveyStatus.OPEN and survey.opens_at <= now < survey.closes_at


def allowed_respondents(survey: Survey) -> list[str]:
    """The kinds of respondent the survey's audience admits."""
    if survey.audience == SurveyAudience.AGENCIES:
        return [RespondentKind.AGENCY]
    if survey.audience == SurveyAudience.CITIZENS:
        return [RespondentKind.CITIZEN]
    return [RespondentKind.AGENCY, RespondentKind.CITIZEN]


def area_province_ids(survey: Survey) -> set[int] | None:
    """The ids of the provinces people answer from, or None for a national survey."""
    region_ids = [region.pk for region in survey.regions.all()]
    province_ids = {province.pk for province in survey.provinces.all()}
    if not region_ids and not province_ids:
        return None
    if region_ids:
        province_ids |= set(
            Province.objects.filter(region_id__in=region_ids).values_list("pk", flat=True)
        )
    return province_ids


def _not_open(survey: Survey) -> ApplicationError:
    return ApplicationError(
        SurveyError.NOT_OPEN,
        _("This survey is not taking answers now."),
        detail={"status": survey.status},
        http_status=409,
    )


def _throttle(key: str) -> None:
    rate = getattr(settings, "PHAEN_RATE_SURVEY_CLIENT", DEFAULT_RATE) or DEFAULT_RATE
    usage = hit("consultation-survey", key, rate)
    if usage.exceeded:
        raise RateLimited(usage.retry_after)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return not any(not _is_empty(item) for item in value)
    return False


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _clean_answer(question: Question, value: Any) -> list[dict[str, Any]]:
    """Check one question's answer; return the rows to write (none when left unanswered)."""
    field = f"q_{question.pk}"
    if _is_empty(value):
        if question.required:
            raise _fail(SurveyError.ANSWER_REQUIRED, _("Please answer this question."), field)
        return []
    invalid = _fail(SurveyError.ANSWER_INVALID, _("Choose one of the options offered."), field)
    options = {option.pk for option in question.options.all()}
    if question.kind == QuestionKind.CHOICE:
        if isinstance(value, list | tuple):
            if len(value) != 1:
                raise invalid
            value = value[0]
        chosen = _as_int(value)
        if chosen not in options:
            raise invalid
        return [{"option_id": chosen}]
    if question.kind == QuestionKind.MULTI_CHOICE:
        values = value if isinstance(value, list | tuple | set) else [value]
        picked = [_as_int(item) for item in values if not _is_empty(item)]
        if any(item not in options for item in picked):
            raise invalid
        return [{"option_id": item} for item in dict.fromkeys(picked)]
    if question.kind == QuestionKind.SCALE:
        number = _as_int(value)
        assert question.scale_min is not None and question.scale_max is not None
        if number is None or not question.scale_min <= number <= question.scale_max:
            raise _fail(
                SurveyError.ANSWER_INVALID,
                _("Choose a value from %(low)s to %(high)s.")
                % {"low": question.scale_min, "high": question.scale_max},
                field,
            )
        return [{"scale_value": number}]
    text = str(value).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise _fail(
            SurveyError.TOO_LONG,
            _("Please keep this under %(limit)s characters.") % {"limit": MAX_TEXT_ANSWER},
            field,
        )
    _refuse_national_id(text, field)
    return [{"text": text}]


def response_submit(
    *,
    actor: Any,
    survey: Survey,
    respondent_kind: str,
    answers: Mapping[Any, Any],
    province: Province | None = None,
    organisation_name: str = "",
    consent: bool = False,
    client_key: str,
    honeypot: str = "",
) -> SurveyResponse | None:
    """Answer an open survey; return the response, or None when the honeypot dropped it.

    `answers` maps a question's id (an int, or "q_<id>") to its answer: an option's id for a
    choice question, a list of them for a multiple-choice one, a whole number for a scale, a
    text. `province` is where the respondent answers from: required, and one of the survey's
    areas, when the survey is not national. `client_key` identifies the client (see
    `services.client_key_material`) and is kept only as a keyed hash.

    Order of checks: the survey takes answers now (409), the rate limit (429), the honeypot
    (dropped: None, nothing written), the respondent, province and organisation (422), every
    answer (422), consent (422).
    """
    survey = Survey.objects.prefetch_related("regions", "provinces").get(pk=survey.pk)
    if not survey_is_open(survey):
        raise _not_open(survey)
    key = commenter_key(client_key)
    _throttle(key)
    if honeypot and honeypot.strip():
        return None
    if respondent_kind not in allowed_respondents(survey):
        raise _fail(
            SurveyError.RESPONDENT_INVALID,
            _("This survey asks %(audience)s.")
            % {"audience": SurveyAudience(survey.audience).label},
            "respondent_kind",
        )
    area = area_province_ids(survey)
    if province is None and area is not None:
        raise _fail(
            SurveyError.PROVINCE_REQUIRED, _("Choose the province you answer from."), "province"
        )
    if province is not None and area is not None and province.pk not in area:
        raise _fail(
            SurveyError.PROVINCE_OUTSIDE,
            _("This survey is for other provinces; choose one of those it lists."),
            "province",
        )
    organisation_name = _text(organisation_name, "organisation_name", MAX_ORGANISATION)
    _refuse_national_id(organisation_name, "organisation_name")
    questions = list(survey.questions.prefetch_related("options").order_by("order", "id"))
    by_id = {question.pk: question for question in questions}
    given: dict[int, Any] = {}
    for raw_key, value in answers.items():
        number = _as_int(str(raw_key).removeprefix("q_"))
        if number not in by_id:
            raise _fail(
                SurveyError.ANSWER_INVALID,
                _("The survey has no question %(id)s.") % {"id": raw_key},
                "answers",
            )
        given[number] = value
    rows: list[tuple[Question, dict[str, Any]]] = []
    for question in questions:
        for row in _clean_answer(question, given.get(question.pk)):
            rows.append((question, row))
    if not consent:
        raise _fail(
            SurveyError.CONSENT_REQUIRED,
            _("Please agree to how Phaen keeps your answers (PDPA) to send them."),
            "consent",
        )
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if not survey_is_open(locked):
            raise _not_open(locked)
        response = SurveyResponse.objects.create(
            survey=survey,
            respondent_kind=respondent_kind,
            province=province,
            organisation_name=organisation_name,
            consented_at=timezone.now(),
            consent_text_version=CONSENT_TEXT_VERSION,
            commenter_key=key,
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=question, **row) for question, row in rows
        )
        audit_record(
            actor=_actor_or_none(actor),
            action="survey.respond",
            target=response,
            target_repr=f"{survey.code} #{response.pk}",
            after={
                "survey": survey.code,
                "respondent_kind": respondent_kind,
                "province": province.code if province is not None else None,
                "questions_answered": len({question.pk for question, _row in rows}),
                "consent": True,
            },
        )
    return response


# --- Evidence ---------------------------------------------------------------------------------


def _evidence_state(evidence: Evidence) -> dict[str, Any]:
    return {
        "survey": evidence.survey.code,
        "question": evidence.question_id,
        "plan": evidence.plan.code,
        "element_code": evidence.element_code,
        "note": evidence.note,
    }


def evidence_link(
    *,
    actor: Any,
    survey: Survey,
    element_code: str,
    question: Question | None = None,
    note: str = "",
) -> Evidence:
    """Cite the survey's results (or one question's) as evidence for an element of the plan
    the survey informs, by the element's stable code."""
    permissions.ensure(
        permissions.can_manage_survey(actor, survey), actor, "survey.evidence_link", survey
    )
    if survey.plan_id is None:
        raise _fail(
            SurveyError.EVIDENCE_NO_PLAN,
            _("Name the plan the survey informs before citing it as evidence."),
            "element_code",
        )
    element_code = (element_code or "").strip()
    element = (
        PlanElement.objects.filter(plan_id=survey.plan_id, code=element_code)
        .select_related("plan")
        .first()
    )
    if element is None:
        raise _fail(
            SurveyError.EVIDENCE_ELEMENT,
            _("The plan has no element “%(code)s”.") % {"code": element_code},
            "element_code",
        )
    if question is not None and question.survey_id != survey.pk:
        raise _fail(
            SurveyError.EVIDENCE_QUESTION,
            _("The question is not one of this survey's."),
            "question",
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise _fail(
            SurveyError.TOO_LONG, _("At most %(limit)s characters.") % {"limit": MAX_NOTE}, "note"
        )
    _refuse_national_id(note, "note")
    with transaction.atomic():
        Survey.objects.select_for_update().get(pk=survey.pk)
        if Evidence.objects.filter(
            survey=survey, question=question, element_code=element_code
        ).exists():
            raise _fail(
                SurveyError.EVIDENCE_DUPLICATE,
                _("These results are already cited for this element."),
                "element_code",
            )
        evidence = Evidence.objects.create(
            survey=survey,
            question=question,
            plan=element.plan,
            element_code=element_code,
            note=note,
            created_by=_user_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="survey.evidence_link",
            target=evidence,
            after=_evidence_state(evidence),
        )
    return evidence


def evidence_unlink(*, actor: Any, evidence: Evidence) -> None:
    """Withdraw a citation of the survey's results as evidence for a plan element."""
    survey = evidence.survey
    permissions.ensure(
        permissions.can_manage_survey(actor, survey), actor, "survey.evidence_unlink", survey
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="survey.evidence_unlink",
            target=evidence,
            before=_evidence_state(evidence),
        )
        evidence.delete()
