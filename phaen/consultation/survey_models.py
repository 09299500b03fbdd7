"""Surveys of problems and needs: a short form (choice, multiple-choice, scale and text
questions) published nationally or for some regions and provinces, answered by agencies and
citizens, summarised per area and topic, and cited as evidence for plan elements.

Imported at the end of `phaen.consultation.models`, so Django finds the models in the app's
models module.

Personal data (PDPA). A response holds no name: who answered is only a kind (agency or citizen),
the province answered from, optionally an organisation's name, and the moment consent was
given. The client's address is never stored: `commenter_key` is the same keyed hash the
comments use (`services.commenter_key`), used only to throttle.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phaen.core.models import TimeStampedModel
from phaen.geography.models import Province, Region
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan

__all__ = [
    "Answer",
    "Evidence",
    "Option",
    "Question",
    "QuestionKind",
    "RespondentKind",
    "Survey",
    "SurveyAudience",
    "SurveyResponse",
    "SurveyStatus",
]


class SurveyAudience(models.TextChoices):
    AGENCIES = "agencies", _("Agencies")
    CITIZENS = "citizens", _("Citizens")
    BOTH = "both", _("Agencies and citizens")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    CHOICE = "choice", _("One choice")
    MULTI_CHOICE = "multi_choice", _("Several choices")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Text")


class RespondentKind(models.TextChoices):
    AGENCY = "agency", _("An agency")
    CITIZEN = "citizen", _("A citizen")


class Survey(TimeStampedModel):
    """A survey of problems and needs, run by an organisation, optionally to inform a plan.

    With no region and no province it is national; otherwise people answer from one of its
    provinces or a province of one of its regions.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_th = models.CharField(_("Thai title"), max_length=500)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="surveys"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan it informs"),
        on_delete=models.PROTECT,
        related_name="surveys",
        null=True,
        blank=True,
    )
    audience = models.CharField(
        _("audience"), max_length=16, choices=SurveyAudience.choices, default=SurveyAudience.BOTH
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), related_name="surveys", blank=True
    )
    provinces = models.ManyToManyField(
        Province, verbose_name=_("provinces"), related_name="surveys", blank=True
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(
        _("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-opens_at", "code"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="survey_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_th}"


class Question(models.Model):
    """One question of a survey. `topic` is a free label that groups questions in the results."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    prompt = models.CharField(_("question"), max_length=1000)
    required = models.BooleanField(_("required"), default=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    scale_min = models.SmallIntegerField(_("lowest value"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("highest value"), null=True, blank=True)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=100, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=100, blank=True)

    class Meta:
        ordering = ["survey", "order", "id"]
        verbose_name = _("survey question")

    def __str__(self) -> str:
        return self.prompt


class Option(models.Model):
    """A choice offered by a choice or multiple-choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=300)

    class Meta:
        ordering = ["question", "order", "id"]
        verbose_name = _("survey option")

    def __str__(self) -> str:
        return self.label


class SurveyResponse(models.Model):
    """One person's or agency's answers to a survey; no name, only what the summary needs."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent_kind = models.CharField(
        _("answered as"), max_length=16, choices=RespondentKind.choices
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    consented_at = models.DateTimeField(_("consent given"))
    consent_text_version = models.CharField(max_length=16, blank=True)
    commenter_key = models.CharField(max_length=64, editable=False, db_index=True)
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        ordering = ["survey", "created_at", "id"]
        verbose_name = _("survey response")
        indexes = [models.Index(fields=["survey", "province"], name="survey_response_area")]

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class Answer(models.Model):
    """The answer to one question: an option (one row per option chosen), a value on the
    scale, or a text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    scale_value = models.SmallIntegerField(_("value"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["response", "question", "id"]
        verbose_name = _("survey answer")
        indexes = [models.Index(fields=["question", "option"], name="survey_answer_option")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class Evidence(TimeStampedModel):
    """A survey's results (or one question's) cited as evidence for an element of a plan.

    The element is named by its stable code, as comments are, so the link survives revisions
    of the plan.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="evidence")
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="survey_evidence"
    )
    element_code = models.CharField(_("element"), max_length=64, db_index=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["survey", "element_code", "id"]
        verbose_name = _("survey evidence")
        verbose_name_plural = _("survey evidence")

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.element_code}"
