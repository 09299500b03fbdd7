"""Forms of the hearing pages: the list's filters, hearings, comments, moderation, answers.

The forms check only what a form can know: types, choices and required fields. Every rule of
the domain (periods, organisers, consent, ID numbers, duplicates, rate limits) lives in
`services.py`; a view hands a service's `ValidationFailed` to `add_service_errors`, which puts
each message next to the field it is about.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from phaen.consultation.models import (
    Channel,
    Decision,
    Event,
    Hearing,
    HearingStatus,
    ModerationAction,
    Stance,
)
from phaen.consultation.services import CONSENT_TEXT, ENTRY_CHANNELS
from phaen.orgs.models import Organisation
from phaen.plans.forms import (
    NamedModelChoiceField,
    NamedModelMultipleChoiceField,
    add_service_errors,
    element_label,
    plan_label,
)
from phaen.plans.models import Plan, PlanElement, Source
from phaen.plans.selectors import plan_visibility_filter

__all__ = [
    "CommentEntryForm",
    "CommentForm",
    "DocumentForm",
    "HearingFilterForm",
    "HearingForm",
    "ModerationForm",
    "ResponseForm",
    "SummaryForm",
    "add_service_errors",
]

HONEYPOT_FIELD = "website"


def _blank(choices: Any, label: Any) -> list[tuple[Any, Any]]:
    return [("", label), *choices]


class HearingFilterForm(forms.Form):
    """The hearing list's filters; invalid values are ignored rather than refused."""

    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(HearingStatus.choices, _("Any status")), required=False
    )
    plan = forms.CharField(label=_("Plan code"), required=False, max_length=64)
    organiser = forms.ModelChoiceField(
        label=_("Organiser"),
        queryset=Organisation.objects.filter(hearings__isnull=False).distinct().order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("Any organiser"),
    )

    def filters(self) -> dict[str, Any]:
        """Return the valid filters as keyword arguments of `selectors.hearing_list`."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out: dict[str, Any] = {}
        if data.get("status"):
            out["status"] = data["status"]
        if data.get("plan"):
            out["plan"] = data["plan"].strip()
        if data.get("organiser") is not None:
            out["organiser"] = data["organiser"].code
        return out


class _PlanField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, Plan)
        return plan_label(obj)


class _SourceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, Source)
        return obj.title


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class HearingForm(forms.Form):
    """A hearing's fields. The plan's section is given by its element code."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; it becomes the page's address."),
    )
    title_th = forms.CharField(label=_("Thai title"), max_length=500)
    title_en = forms.CharField(label=_("English title"), max_length=500, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    plan = _PlanField(label=_("Plan heard"), queryset=Plan.objects.none(), to_field_name="code")
    section = forms.CharField(
        label=_("Section heard (element code)"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to hear the whole plan."),
    )
    organiser = NamedModelChoiceField(
        label=_("Organiser"), queryset=Organisation.objects.none(), to_field_name="code"
    )
    starts_at = forms.DateTimeField(label=_("Opens"), widget=_DateTimeInput())
    ends_at = forms.DateTimeField(
        label=_("Closes"),
        widget=_DateTimeInput(),
        help_text=_("A hearing should run at least 15 days."),
    )
    online_comments = forms.BooleanField(
        label=_("Online comments on Phaen"), required=False, initial=True
    )
    in_person = forms.BooleanField(label=_("In-person events"), required=False)
    written = forms.BooleanField(label=_("Written submissions"), required=False)
    moderation = forms.BooleanField(
        label=_("Comments wait for moderation before they are shown"), required=False
    )
    invited = NamedModelMultipleChoiceField(
        label=_("Invited organisations"),
        queryset=Organisation.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    affected_groups = forms.CharField(
        label=_("Affected groups"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    reported_participants = forms.IntegerField(
        label=_("Participants reported"),
        min_value=0,
        required=False,
        help_text=_("People heard outside Phaen, as the organiser reported them."),
    )
    reported_online_views = forms.IntegerField(
        label=_("Online views reported"),
        min_value=0,
        required=False,
        help_text=_("Views of a live stream or video outside Phaen."),
    )
    sources = _SourceField(
        label=_("Sources"),
        queryset=Source.objects.none(),
        to_field_name="key",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    def __init__(
        self,
        *args: Any,
        hearing: Hearing | None = None,
        organisers: QuerySet[Organisation] | None = None,
        viewer: Any = None,
        **kwargs: Any,
    ) -> None:
        if hearing is not None:
            kwargs.setdefault("initial", {}).update(self._initial_of(hearing))
        super().__init__(*args, **kwargs)
        self.hearing = hearing
        plans = Plan.objects.all()
        visible = plan_visibility_filter(viewer)
        if visible is not None:  # published plans, and the drafts the viewer's roles reach
            plans = Plan.objects.filter(pk__in=plans.filter(visible).values("pk"))
        self._field("plan").queryset = plans.order_by("level", "start_year", "code")
        self._field("organiser").queryset = (
            organisers if organisers is not None else Organisation.objects.order_by("name_th")
        )
        self._field("invited").queryset = Organisation.objects.order_by("name_th")
        self._field("sources").queryset = Source.objects.order_by("key")
        if hearing is not None:
            self.fields["code"].disabled = True
            if hearing.status != HearingStatus.SCHEDULED:
                self.fields["plan"].disabled = True
                self.fields["section"].disabled = True

    def _field(self, name: str) -> Any:
        return self.fields[name]

    @staticmethod
    def _initial_of(hearing: Hearing) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(hearing, name)
            for name in (
                "code",
                "title_th",
                "title_en",
                "description",
                "starts_at",
                "ends_at",
                "online_comments",
                "in_person",
                "written",
                "moderation",
                "affected_groups",
                "reported_participants",
                "reported_online_views",
            )
        }
        initial["plan"] = hearing.plan.code
        initial["organiser"] = hearing.organiser.code
        initial["section"] = hearing.section.code if hearing.section else ""
        initial["invited"] = [o.code for o in hearing.invited.all()]
        initial["sources"] = [s.key for s in hearing.sources.all()]
        return initial

    def clean_section(self) -> PlanElement | None:
        code = (self.cleaned_data.get("section") or "").strip()
        if not code:
            return None
        element = PlanElement.objects.filter(code=code).first()
        if element is None:
            raise forms.ValidationError(
                _("No element has the code “%(code)s”."), params={"code": code}
            )
        return element

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `hearing_create` / `hearing_update`."""
        data = dict(self.cleaned_data)
        if self.hearing is not None:
            data.pop("code", None)
            for name in ("plan", "section"):
                if self.fields[name].disabled:
                    data.pop(name, None)
        data["invited"] = list(data.get("invited") or [])
        data["sources"] = list(data.get("sources") or [])
        return data


def _stance_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Your stance"), choices=Stance.choices, widget=forms.RadioSelect
    )


class CommentForm(forms.Form):
    """A comment from the public on one element of the draft (or on the plan as a whole).

    `website` is the honeypot: hidden from people (and from screen readers), left empty by
    them, filled in by robots that fill every field.
    """

    element_code = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    quote = forms.CharField(
        label=_("Quoted passage (optional)"),
        widget=forms.Textarea(attrs={"rows": 2, "data-quote-field": ""}),
        required=False,
        max_length=2000,
        help_text=_("Select words in the draft above to quote them here, or paste them."),
    )
    stance = _stance_field()
    body = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    author_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=300,
        help_text=_("Please do not give your national ID number."),
    )
    author_organisation = forms.CharField(
        label=_("Your organisation (optional)"), required=False, max_length=300
    )
    show_identity = forms.BooleanField(
        label=_("Show my name and organisation with my comment"), required=False
    )
    email = forms.EmailField(
        label=_("E-mail (optional, never shown)"),
        required=False,
        help_text=_("Only the organiser may use it, to reach you about your comment."),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        required=True,
        error_messages={
            "required": _("Please agree to how Phaen keeps your comment (PDPA) to send it.")
        },
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args: Any, element_code: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"c-{element_code or 'plan'}-%s")
        kwargs.setdefault("initial", {}).setdefault("element_code", element_code)
        super().__init__(*args, **kwargs)
        self.anchor = element_code
        website = self.fields[HONEYPOT_FIELD].widget
        website.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `comment_post`."""
        data = dict(self.cleaned_data)
        data["honeypot"] = data.pop(HONEYPOT_FIELD, "") or ""
        return data


class CommentEntryForm(forms.Form):
    """A written submission or an in-person remark entered by the organiser's staff."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(value, label) for value, label in Channel.choices if value in ENTRY_CHANNELS],
    )
    event = forms.ModelChoiceField(
        label=_("Event"),
        queryset=Event.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("No event"),
    )
    element_code = forms.ChoiceField(label=_("Element"), required=False)
    quote = forms.CharField(
        label=_("Quoted passage"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    stance = _stance_field()
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 6}))
    author_name = forms.CharField(label=_("Name"), required=False, max_length=300)
    author_organisation = forms.CharField(label=_("Organisation"), required=False, max_length=300)
    show_identity = forms.BooleanField(
        label=_("The person agreed to show their name and organisation"), required=False
    )
    email = forms.EmailField(label=_("E-mail (never shown)"), required=False)
    consent = forms.BooleanField(
        label=_("The person agreed to the PDPA notice (required to keep a name or e-mail)"),
        required=False,
    )

    def __init__(
        self, *args: Any, hearing: Hearing, elements: list[PlanElement], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.hearing = hearing
        element_field = self.fields["element_code"]
        assert isinstance(element_field, forms.ChoiceField)
        element_field.choices = [("", _("The plan as a whole"))] + [
            (e.code, element_label(e)) for e in elements
        ]
        event_field = self.fields["event"]
        assert isinstance(event_field, forms.ModelChoiceField)
        event_field.queryset = Event.objects.filter(hearing=hearing).order_by("starts_at")

    def service_arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ModerationForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=ModerationAction.Action.choices)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required to hide a comment; shown in the moderation log."),
    )


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
    change_made = forms.CharField(
        label=_("Change made"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    changed_element_code = forms.CharField(
        label=_("Element changed (code)"),
        max_length=64,
        required=False,
        help_text=_("The element of the next version that carries the change."),
    )


class SummaryForm(forms.Form):
    summary_th = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Who was heard, what they said, and what the organiser changed."),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    url = forms.URLField(label=_("Link"), max_length=500, required=False)
    file = forms.FileField(
        label=_("File"), required=False, help_text=_("PDF, Word, Excel or an image, up to 20 MB.")
    )
