"""Forms of the survey pages: the list's filters, a survey, a question, the answer form, the
results' area filter and the evidence form.

As elsewhere, the forms check types, choices and required fields; every rule (a choice question
has two options, a scale runs upwards, answers belong to their question, consent, no national ID
numbers, the province lies in the survey's areas) lives in `survey_services`, and
`add_service_errors` puts the service's message next to the field it names. Times are typed in
Thai time (Asia/Bangkok, the site's time zone).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from phaen.consultation.survey_models import (
    Question,
    QuestionKind,
    RespondentKind,
    Survey,
    SurveyAudience,
    SurveyStatus,
)
from phaen.consultation.survey_selectors import survey_area_provinces, survey_element_choices
from phaen.consultation.survey_services import CONSENT_TEXT, allowed_respondents
from phaen.geography.models import Province, Region
from phaen.orgs.models import Organisation
from phaen.plans.forms import (
    NamedModelChoiceField,
    NamedModelMultipleChoiceField,
    PlanChoiceField,
    add_service_errors,
    element_label,
)
from phaen.plans.models import Plan, PlanElement

__all__ = [
    "AnswerForm",
    "AreaFilterForm",
    "EvidenceForm",
    "QuestionForm",
    "SurveyFilterForm",
    "SurveyForm",
    "add_service_errors",
]

HONEYPOT_FIELD = "website"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Thai time."),
    )


def _set_queryset(form: forms.Form, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, PlanElement)
        return element_label(obj)


class QuestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.prompt)


class SurveyFilterForm(forms.Form):
    """The filters of the survey list and of `GET /api/consultation/surveys`; invalid values are
    ignored rather than refused."""

    region = NamedModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("position", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("All regions"),
    )
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("All provinces"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Open and closed")), *SurveyStatus.choices],
        required=False,
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}
        filters = {
            "region": data["region"].code if data.get("region") else None,
            "province": data["province"].code if data.get("province") else None,
            "status": data.get("status"),
        }
        return {name: value for name, value in filters.items() if value}


class SurveyForm(forms.Form):
    """Start or change a draft survey: what it asks about, who runs it, where and when."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; used in the page's address."),
    )
    title_th = forms.CharField(label=_("Thai title"), max_length=500)
    title_en = forms.CharField(label=_("English title"), max_length=500, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    organiser = NamedModelChoiceField(
        label=_("Organiser"),
        queryset=Organisation.objects.order_by("name_th"),
        to_field_name="code",
        empty_label=_("Choose the organisation that runs it"),
    )
    plan = PlanChoiceField(
        label=_("Plan it informs"),
        queryset=Plan.objects.order_by("level", "start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
        help_text=_("Its results may then be cited as evidence for the plan's elements."),
    )
    audience = forms.ChoiceField(
        label=_("Who answers"), choices=SurveyAudience.choices, initial=SurveyAudience.BOTH
    )
    regions = NamedModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.order_by("position", "code"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Leave regions and provinces empty for a national survey."),
    )
    provinces = NamedModelMultipleChoiceField(
        label=_("Provinces"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    opens_at = _moment(_("Opens"))
    closes_at = _moment(_("Closes"))

    def __init__(self, *args: Any, survey: Survey | None = None, **kwargs: Any) -> None:
        if survey is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": survey.code,
                "title_th": survey.title_th,
                "title_en": survey.title_en,
                "description": survey.description,
                "organiser": survey.organiser,
                "plan": survey.plan,
                "audience": survey.audience,
                "regions": list(survey.regions.all()),
                "provinces": list(survey.provinces.all()),
                "opens_at": survey.opens_at,
                "closes_at": survey.closes_at,
            }
        super().__init__(*args, **kwargs)

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["regions"] = list(data["regions"])
        data["provinces"] = list(data["provinces"])
        return data


class QuestionForm(forms.Form):
    """Add or change a question: its kind, wording, topic, options or scale."""

    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    prompt = forms.CharField(
        label=_("Question"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        required=False,
        help_text=_("A short label; the results group questions by topic."),
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For choice questions: one option a line, two at least."),
    )
    scale_min = forms.IntegerField(
        label=_("Lowest value"),
        required=False,
        initial=1,
        help_text=_("For scale questions."),
    )
    scale_max = forms.IntegerField(label=_("Highest value"), required=False, initial=5)
    scale_min_label = forms.CharField(
        label=_("Label of the lowest value"), max_length=100, required=False
    )
    scale_max_label = forms.CharField(
        label=_("Label of the highest value"), max_length=100, required=False
    )

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": question.kind,
                "prompt": question.prompt,
                "required": question.required,
                "topic": question.topic,
                "options": "\n".join(option.label for option in question.options.all()),
                "scale_min": question.scale_min,
                "scale_max": question.scale_max,
                "scale_min_label": question.scale_min_label,
                "scale_max_label": question.scale_max_label,
            }
        kwargs.setdefault("auto_id", "question-%s")
        super().__init__(*args, **kwargs)

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["options"] = (data.get("options") or "").splitlines()
        return data


class AnswerForm(forms.Form):
    """The survey's form as people answer it: one field a question (named `q_<id>`), who
    answers and from where, consent, and the honeypot `website` robots fill in."""

    respondent_kind = forms.ChoiceField(label=_("You answer as"), choices=RespondentKind.choices)
    province = NamedModelChoiceField(
        label=_("Province you answer from"),
        queryset=Province.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Choose a province"),
    )
    organisation_name = forms.CharField(
        label=_("Your organisation (optional)"),
        max_length=300,
        required=False,
        help_text=_("For agencies. Please do not give your name or national ID number."),
    )

    def __init__(self, *args: Any, survey: Survey, national: bool, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "answer-%s")
        super().__init__(*args, **kwargs)
        self.survey = survey
        kinds = allowed_respondents(survey)
        kind_field = self.fields["respondent_kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        choices = [(value, RespondentKind(value).label) for value in kinds]
        if len(kinds) == 1:
            kind_field.initial = kinds[0]
        else:
            choices.insert(0, ("", _("Choose")))
        kind_field.choices = choices
        _set_queryset(self, "province", survey_area_provinces(survey))
        self.fields["province"].required = not national
        self.fields["province"].error_messages["required"] = _(
            "Choose the province you answer from."
        )
        self.question_names: list[str] = []
        for question in survey.questions.all():
            name = f"q_{question.pk}"
            self.fields[name] = self._field(question)
            self.question_names.append(name)
        self.fields["consent"] = forms.BooleanField(
            label=CONSENT_TEXT,
            required=True,
            error_messages={
                "required": _("Please agree to how Phaen keeps your answers (PDPA) to send them.")
            },
        )
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )

    @staticmethod
    def _field(question: Question) -> forms.Field:
        label = question.prompt
        required = question.required
        options = [(str(option.pk), option.label) for option in question.options.all()]
        if question.kind == QuestionKind.CHOICE:
            return forms.ChoiceField(
                label=label, required=required, choices=options, widget=forms.RadioSelect
            )
        if question.kind == QuestionKind.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                label=label,
                required=required,
                choices=options,
                widget=forms.CheckboxSelectMultiple,
            )
        if question.kind == QuestionKind.SCALE:
            low = question.scale_min if question.scale_min is not None else 1
            high = question.scale_max if question.scale_max is not None else 5
            choices = []
            for value in range(low, high + 1):
                text = str(value)
                if value == low and question.scale_min_label:
                    text = f"{value} {question.scale_min_label}"
                elif value == high and question.scale_max_label:
                    text = f"{value} {question.scale_max_label}"
                choices.append((str(value), text))
            return forms.ChoiceField(
                label=label, required=required, choices=choices, widget=forms.RadioSelect
            )
        return forms.CharField(
            label=label,
            required=required,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("Please do not write names or national ID numbers."),
        )

    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_names]

    def respondent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("respondent_kind", "province", "organisation_name")]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "respondent_kind": data["respondent_kind"],
            "province": data.get("province"),
            "organisation_name": data.get("organisation_name") or "",
            "answers": {name: data.get(name) for name in self.question_names},
            "consent": bool(data.get("consent")),
            "honeypot": data.get(HONEYPOT_FIELD) or "",
        }


class AreaFilterForm(forms.Form):
    """The results' filter: one region or one province among those people answered from."""

    region = NamedModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("position", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("All regions"),
    )
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All provinces"),
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "province", survey_area_provinces(survey))

    def area(self) -> tuple[Region | None, Province | None]:
        if not self.is_bound or not self.is_valid():
            return None, None
        return self.cleaned_data.get("region"), self.cleaned_data.get("province")


class EvidenceForm(forms.Form):
    """Cite the survey's results (or one question's) for an element of the plan it informs."""

    element_code = ElementChoiceField(
        label=_("Plan element"),
        queryset=PlanElement.objects.none(),
        to_field_name="code",
        empty_label=_("Choose an element"),
    )
    question = QuestionChoiceField(
        label=_("Question"),
        queryset=Question.objects.none(),
        required=False,
        empty_label=_("The whole survey"),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the results show for this element."),
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "evidence-%s")
        super().__init__(*args, **kwargs)
        _set_queryset(self, "element_code", survey_element_choices(survey))
        _set_queryset(self, "question", survey.questions.order_by("order", "id"))

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["element_code"] = data["element_code"].code
        return data
