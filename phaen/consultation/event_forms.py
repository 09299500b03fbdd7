"""Forms of the event pages: the list's filters, an event, its outputs, and registering.

As elsewhere, the forms check only types, choices and required fields; every rule (ordered
times, an online link only for online events, consent, no national ID numbers, duplicates)
lives in `event_services`, and `add_service_errors` puts the service's message next to the field
it names. Times are typed in Thai time (Asia/Bangkok, the site's time zone).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from phaen.consultation.event_permissions import PUBLIC_HEARING_STATUSES
from phaen.consultation.event_selectors import PAST, UPCOMING, event_outputs_choices
from phaen.consultation.models import Event, EventKind, EventMode, Hearing
from phaen.geography.models import Province
from phaen.orgs.models import Organisation
from phaen.plans.forms import (
    NamedModelChoiceField,
    PlanChoiceField,
    add_service_errors,
    element_label,
)
from phaen.plans.models import Plan, PlanElement, PlanVersion, Source

__all__ = [
    "EventFilterForm",
    "EventForm",
    "OutputsForm",
    "RegistrationForm",
    "add_service_errors",
]

Choices = list[tuple[Any, Any]]
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _blank(choices: Any, label: Any) -> Choices:
    return [("", label), *choices]


def _moment(label: Any, *, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Thai time."),
    )


class HearingChoiceField(forms.ModelChoiceField):
    """A choice of hearings by code, labelled with their Thai (or English) titles."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.title_th or obj.title_en)


class OutputElementsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, PlanElement)
        return element_label(obj)


class EventFilterForm(forms.Form):
    """The filters of the event list and of `GET /api/consultation/events`; invalid values are
    ignored rather than refused."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=_blank(EventKind.choices, _("All kinds")), required=False
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("", _("Any time")), (UPCOMING, _("Upcoming")), (PAST, _("Held"))],
        required=False,
    )
    plan = PlanChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All plans"),
    )
    hearing = HearingChoiceField(
        label=_("Hearing"),
        queryset=Hearing.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All hearings"),
    )
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All provinces"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only what some event names, and only plans and hearings the public may read.
        published = Exists(PlanVersion.objects.filter(plan_id=OuterRef("pk")))
        with_events = Exists(Event.objects.filter(plan_id=OuterRef("pk")))
        self._set_queryset(
            "plan",
            Plan.objects.filter(published, with_events).order_by("level", "start_year", "code"),
        )
        self._set_queryset(
            "hearing",
            Hearing.objects.filter(
                Exists(Event.objects.filter(hearing_id=OuterRef("pk"))),
                Exists(PlanVersion.objects.filter(plan_id=OuterRef("plan_id"))),
                status__in=list(PUBLIC_HEARING_STATUSES),
            ).order_by("-starts_at", "code"),
        )
        self._set_queryset(
            "province",
            Province.objects.filter(
                Exists(Event.objects.filter(province_id=OuterRef("pk")))
            ).order_by("name_th"),
        )

    def _set_queryset(self, name: str, queryset: QuerySet[Any]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        filters = {
            "kind": data.get("kind"),
            "when": data.get("when"),
            "plan": data["plan"].code if data.get("plan") else None,
            "hearing": data["hearing"].code if data.get("hearing") else None,
            "province": data["province"].code if data.get("province") else None,
        }
        return {name: value for name, value in filters.items() if value not in (None, "")}


class EventForm(forms.Form):
    """Announce or change an event: what, who, when, where and how to join."""

    fieldsets = (
        (_("The event"), ("code", "kind", "title_th", "title_en", "organiser")),
        (_("What it is about"), ("plan", "hearing", "agenda")),
        (
            _("When and where"),
            ("starts_at", "ends_at", "mode", "venue", "province", "online_url"),
        ),
        (_("Registration and sources"), ("registration_open", "sources")),
    )

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; used in the page's address."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title_th = forms.CharField(label=_("Thai title"), max_length=500)
    title_en = forms.CharField(label=_("English title"), max_length=500, required=False)
    organiser = NamedModelChoiceField(
        label=_("Organiser"),
        queryset=Organisation.objects.order_by("name_th"),
        to_field_name="code",
        empty_label=_("Choose the organisation that holds it"),
    )
    plan = PlanChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.order_by("level", "start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
        help_text=_("The plan the event is about; a hearing's event is about the hearing's plan."),
    )
    hearing = HearingChoiceField(
        label=_("Hearing"),
        queryset=Hearing.objects.order_by("-starts_at", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
        help_text=_("For a public hearing meeting: the hearing it is part of."),
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    starts_at = _moment(_("Starts"), required=True)
    ends_at = _moment(_("Ends"), required=False)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=EventMode.choices, initial=EventMode.IN_PERSON
    )
    venue = forms.CharField(label=_("Venue"), max_length=500, required=False)
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("For online and hybrid events: where people join or watch."),
    )
    registration_open = forms.BooleanField(label=_("Registration open"), required=False)
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"),
        queryset=Source.objects.order_by("key"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args: Any, event: Event | None = None, **kwargs: Any) -> None:
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(event, name)
                    for name in (
                        "code",
                        "kind",
                        "title_th",
                        "title_en",
                        "organiser",
                        "plan",
                        "hearing",
                        "agenda",
                        "starts_at",
                        "ends_at",
                        "mode",
                        "venue",
                        "province",
                        "online_url",
                        "registration_open",
                    )
                },
                "sources": list(event.sources.all()),
            }
        super().__init__(*args, **kwargs)

    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.fieldsets
        ]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["sources"] = list(data["sources"])
        return data


class OutputsForm(forms.Form):
    """Record what an event produced: minutes, outputs (plan elements) and counts."""

    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    outputs = OutputElementsField(
        label=_("Outputs: plan elements"),
        queryset=PlanElement.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The elements of the plan that the event shaped."),
    )
    attendance = forms.IntegerField(
        label=_("Attendance"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("People present. Leave empty when it is not known."),
    )
    online_views = forms.IntegerField(
        label=_("Online views"),
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Views of the stream or recording, for online and hybrid events."),
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "minutes": event.minutes,
                "outputs": list(event.outputs.all()),
                "attendance": event.attendance,
                "online_views": event.online_views,
            }
        super().__init__(*args, **kwargs)
        outputs = self.fields["outputs"]
        assert isinstance(outputs, forms.ModelMultipleChoiceField)
        outputs.queryset = event_outputs_choices(event)
        if event.mode == EventMode.IN_PERSON:
            del self.fields["online_views"]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["outputs"] = list(data["outputs"])
        return data


class RegistrationForm(forms.Form):
    """Register for an event. Only the name is required; the rest is the person's choice."""

    name = forms.CharField(label=_("Name"), max_length=300)
    organisation_name = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional, for the organiser to reach you about the event. Never shown."),
    )
    public_in_register = forms.BooleanField(
        label=_("Show my name and organisation in the public list of participants"),
        required=False,
    )
    # The service asks for consent, so its message is the one people read.
    consent = forms.BooleanField(
        label=_(
            "I agree that the organiser keeps these details to run this event and its record "
            "(Personal Data Protection Act B.E. 2562)."
        ),
        required=False,
    )
    # A honeypot: hidden from people (the template keeps it out of sight and out of the
    # keyboard order); robots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Website"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["honeypot"] = data.pop("website") or ""
        return data

    def visible_fields_but_honeypot(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name != "website"]
