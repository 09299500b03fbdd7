"""Forms of the plan pages: the list's filters, plans, elements, alignment links and reports.

The forms check only what a form can know: types, choices and required fields. Every domain
rule (levels, periods, cycles, areas, unique codes) lives in `services.py`. A view calls the
service and, when it raises `ValidationFailed`, hands the error to `add_service_errors`, which
puts each message next to the field it is about, so the user reads the service's own words.
Years are typed in the Buddhist Era and converted to the Gregorian years the services store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phaen.core import thai_calendar
from phaen.core.errors import ValidationFailed
from phaen.geography.models import Province, Region, SpecialZone
from phaen.orgs.models import Organisation
from phaen.plans.models import (
    AreaType,
    ContentStatus,
    Contribution,
    DecidingBody,
    ElementKind,
    Plan,
    PlanElement,
    PlanKind,
    PlanLevel,
    PlanStatus,
    Source,
)

MIN_BE_YEAR = thai_calendar.ce_to_be(thai_calendar.MIN_CE_YEAR)
MAX_BE_YEAR = thai_calendar.ce_to_be(thai_calendar.MAX_CE_YEAR)
# An em space: HTML keeps it at the start of an <option>, where it would collapse ordinary ones.
INDENT = "\u2003"
MAX_OPTION_TITLE = 90

Choices = list[tuple[Any, Any]]


def _thai() -> bool:
    return (get_language() or "th").startswith("th")


def display_name(obj: Any) -> str:
    """Return an object's name in the reader's language, falling back to the other one."""
    th = getattr(obj, "name_th", "") or ""
    en = getattr(obj, "name_en", "") or ""
    return (th or en) if _thai() else (en or th)


def element_label(element: PlanElement, *, indent: bool = True) -> str:
    """Return an element's number and title for a select, indented by its depth."""
    title = (element.title_th or element.title_en) if _thai() else element.title_en
    title = title or element.title_th
    if not title:
        title = str(_("(not yet recorded)"))
    if len(title) > MAX_OPTION_TITLE:
        title = title[: MAX_OPTION_TITLE - 1].rstrip() + "…"
    head = f"{element.number} " if element.number else ""
    return f"{INDENT * element.depth if indent else ''}{head}{title}"


def plan_label(plan: Plan) -> str:
    """Return a plan's name and its period (BE to Thai readers) for a select."""
    start, end = plan.start_year, plan.end_year
    period = thai_calendar.format_be_period(start, end) if _thai() else f"{start}–{end}"
    return f"{display_name(plan)} ({period})"


def plan_groups(plans: Iterable[Plan]) -> Choices:
    """Group plans under their level's name, for a select with <optgroup>s."""
    groups: dict[int, list[tuple[str, str]]] = {}
    for plan in plans:
        groups.setdefault(plan.level, []).append((plan.code, plan_label(plan)))
    return [(PlanLevel(level).label, options) for level, options in sorted(groups.items())]


class NamedModelChoiceField(forms.ModelChoiceField):
    """A choice of rows that have `name_th` / `name_en`, labelled in the reader's language."""

    def label_from_instance(self, obj: Model) -> str:
        return display_name(obj)


class NamedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that have `name_th` / `name_en`."""

    def label_from_instance(self, obj: Model) -> str:
        return display_name(obj)


class ElementChoiceField(forms.ModelChoiceField):
    """A choice of plan elements, shown as an indented outline."""

    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, PlanElement)
        return element_label(obj)


class PlanChoiceField(forms.ModelChoiceField):
    """A choice of plans by code, labelled with their names and periods."""

    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, Plan)
        return plan_label(obj)


def add_service_errors(
    form: forms.Form, error: ValidationFailed, field_map: Mapping[str, str] | None = None
) -> None:
    """Put a service's `ValidationFailed` on the form: by field when it names one, else on top.

    `field_map` renames the service's field names to the form's (`start_year` is typed as
    `start_year_be`, an alignment `target` is chosen as `target_element`).
    """
    field_map = field_map or {}
    placed = False
    for name, message in (error.detail.get("fields") or {}).items():
        field = field_map.get(name, name)
        if field in form.fields:
            form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


def _blank(choices: Iterable[tuple[Any, Any]], label: Any) -> Choices:
    return [("", label), *choices]


# --- The plan browser's filters ----------------------------------------------------------------


class PlanFilterForm(forms.Form):
    """The filters of the plan browser; invalid values are ignored rather than refused."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Plan name, agency or province"),
                "autocomplete": "off",
            }
        ),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=_blank(PlanLevel.choices, _("All levels")),
        coerce=int,
        empty_value=None,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind of plan"), choices=_blank(PlanKind.choices, _("All kinds")), required=False
    )
    owner = NamedModelChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.filter(plans__isnull=False).distinct().order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("All owners"),
    )
    area_type = forms.ChoiceField(
        label=_("Area"), choices=_blank(AreaType.choices, _("All areas")), required=False
    )
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
        label=_("Status"), choices=_blank(PlanStatus.choices, _("All statuses")), required=False
    )
    year = forms.IntegerField(
        label=_("In force in year (BE)"),
        required=False,
        min_value=MIN_BE_YEAR,
        max_value=MAX_BE_YEAR,
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2568"), "inputmode": "numeric"}),
    )

    def filters(self) -> dict[str, Any]:
        """Return the valid filters as keyword arguments of `selectors.plan_list`."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        filters: dict[str, Any] = {
            "search": data.get("q"),
            "level": data.get("level"),
            "kind": data.get("kind"),
            "owner": data["owner"].code if data.get("owner") else None,
            "area_type": data.get("area_type"),
            "region": data["region"].code if data.get("region") else None,
            "province": data["province"].code if data.get("province") else None,
            "status": data.get("status"),
            "year_be": data.get("year"),
        }
        return {name: value for name, value in filters.items() if value not in (None, "")}


# --- Plans -------------------------------------------------------------------------------------


class PlanForm(forms.Form):
    """A plan's fields as a planner types them: years in the Buddhist Era, rows by name.

    The level is not asked: it follows from the kind of plan (`KIND_LEVEL`), as the services
    derive it.
    """

    field_map = {"start_year": "start_year_be", "end_year": "end_year_be", "level": "kind"}

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; used in the page's address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name_th = forms.CharField(label=_("Thai name"), max_length=500)
    name_en = forms.CharField(label=_("English name"), max_length=500, required=False)
    short_name_th = forms.CharField(label=_("Thai short name"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Kind of plan"),
        choices=_blank(PlanKind.choices, _("Choose a kind")),
        help_text=_("The kind sets the plan's level in Thailand's three-level plan system."),
    )
    owner = NamedModelChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.order_by("name_th"),
        to_field_name="code",
        empty_label=_("Choose the owner"),
    )
    partners = NamedModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Organisation.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    area_type = forms.ChoiceField(label=_("Area"), choices=AreaType.choices)
    region = NamedModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("position", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    special_zone = NamedModelChoiceField(
        label=_("Special zone"),
        queryset=SpecialZone.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    provinces = NamedModelMultipleChoiceField(
        label=_("Provinces"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    local_organisation = NamedModelChoiceField(
        label=_("Local administration"),
        queryset=Organisation.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    start_year_be = forms.IntegerField(
        label=_("First year (BE)"),
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2566"), "inputmode": "numeric"}),
    )
    end_year_be = forms.IntegerField(
        label=_("Last year (BE)"),
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2570"), "inputmode": "numeric"}),
    )
    phase = forms.IntegerField(label=_("Phase or edition"), required=False, min_value=1)
    predecessor = PlanChoiceField(
        label=_("Predecessor"),
        queryset=Plan.objects.order_by("level", "start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    parent_programme = PlanChoiceField(
        label=_("Parent programme"),
        queryset=Plan.objects.order_by("level", "start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
        help_text=_("A plan of the same level that this plan carries out, such as a programme."),
    )
    description_th = forms.CharField(
        label=_("Thai description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("English description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    content_status = forms.ChoiceField(label=_("Contents"), choices=ContentStatus.choices)
    content_note = forms.CharField(
        label=_("Note on contents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what is missing and where the full text can be found."),
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"),
        queryset=Source.objects.order_by("key"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    fieldsets = (
        (_("Name"), ("code", "name_th", "name_en", "short_name_th")),
        (_("Kind and owner"), ("kind", "owner", "partners")),
        (
            _("Area"),
            ("area_type", "region", "special_zone", "provinces", "local_organisation"),
        ),
        (
            _("Period"),
            ("start_year_be", "end_year_be", "phase", "predecessor", "parent_programme"),
        ),
        (
            _("Description and contents"),
            ("description_th", "description_en", "content_status", "content_note", "sources"),
        ),
    )

    def __init__(self, *args: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(plan)
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan is not None:
            for name in ("predecessor", "parent_programme"):
                field = self.fields[name]
                assert isinstance(field, forms.ModelChoiceField)
                field.queryset = field.queryset.exclude(pk=plan.pk)  # type: ignore[union-attr]

    @staticmethod
    def initial_from(plan: Plan) -> dict[str, Any]:
        """Return the form's initial values for an existing plan."""
        return {
            "code": plan.code,
            "name_th": plan.name_th,
            "name_en": plan.name_en,
            "short_name_th": plan.short_name_th,
            "kind": plan.kind,
            "owner": plan.owner,
            "partners": list(plan.partners.all()),
            "area_type": plan.area_type,
            "region": plan.region,
            "special_zone": plan.special_zone,
            "provinces": list(plan.provinces.all()),
            "local_organisation": plan.local_organisation,
            "start_year_be": thai_calendar.ce_to_be(plan.start_year),
            "end_year_be": thai_calendar.ce_to_be(plan.end_year),
            "phase": plan.phase,
            "predecessor": plan.predecessor,
            "parent_programme": plan.parent_programme,
            "description_th": plan.description_th,
            "description_en": plan.description_en,
            "content_status": plan.content_status,
            "content_note": plan.content_note,
            "sources": list(plan.sources.all()),
        }

    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """Return the bound fields in their fieldsets, for the template."""
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `plan_create` / `plan_update`."""
        data = dict(self.cleaned_data)
        data["start_year"] = thai_calendar.be_to_ce(data.pop("start_year_be"))
        data["end_year"] = thai_calendar.be_to_ce(data.pop("end_year_be"))
        for name in ("provinces", "partners", "sources"):
            data[name] = list(data[name])
        return data


# --- Elements ----------------------------------------------------------------------------------


class ElementForm(forms.Form):
    """An element of a plan's outline: its kind, place in the outline, number and text."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=_blank(ElementKind.choices, _("Choose a kind"))
    )
    parent = ElementChoiceField(
        label=_("Placed under"),
        queryset=PlanElement.objects.none(),
        required=False,
        empty_label=_("(top level of the plan)"),
        to_field_name="code",
    )
    number = forms.CharField(
        label=_("Number"),
        max_length=32,
        required=False,
        help_text=_("As numbered in the document, e.g. 1, 1.2 or ก."),
        widget=forms.TextInput(attrs={"size": 8}),
    )
    label_th = forms.CharField(
        label=_("Thai label"),
        max_length=50,
        required=False,
        help_text=_("The document's own word for this kind, e.g. ด้าน, หมุดหมาย, มิติ."),
        widget=forms.TextInput(attrs={"size": 16}),
    )
    title_th = forms.CharField(label=_("Thai title"), max_length=1000, required=False)
    title_en = forms.CharField(label=_("English title"), max_length=1000, required=False)
    description_th = forms.CharField(
        label=_("Thai description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    description_en = forms.CharField(
        label=_("English description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    content_recorded = forms.BooleanField(
        label=_("The text of this element is recorded"),
        required=False,
        initial=True,
        help_text=_("Untick when the element is known to exist but its text is not public."),
    )

    def __init__(
        self, *args: Any, plan: Plan, element: PlanElement | None = None, **kwargs: Any
    ) -> None:
        if element is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": element.kind,
                "parent": element.parent.code if element.parent else None,
                "number": element.number,
                "label_th": element.label_th,
                "title_th": element.title_th,
                "title_en": element.title_en,
                "description_th": element.description_th,
                "description_en": element.description_en,
                "content_recorded": element.content_recorded,
            }
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.element = element
        parents = PlanElement.objects.filter(plan=plan).order_by("path")
        if element is not None:
            # An element cannot go inside itself; do not offer its own subtree.
            parents = parents.exclude(Q(pk=element.pk) | Q(path__startswith=f"{element.path}."))
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)
        parent_field.queryset = parents

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `element_create` / `element_update`."""
        return dict(self.cleaned_data)


# --- Alignment links ---------------------------------------------------------------------------


class LinkForm(forms.Form):
    """A claim that an element of this plan (or the whole plan) serves an element of another.

    The target plan list offers the plans a link may point to (higher levels, then the same
    level for programmes), but accepts any plan, so that a wrong choice is answered by the
    service's rule ("a link must point upward") rather than a generic "not a valid choice".

    With `validating=True` nothing is required: the form checks what has been filled in so
    far, for inline validation while the planner is still choosing.
    """

    field_map = {"target": "target_element", "source_element": "source_element"}

    source_element = ElementChoiceField(
        label=_("Serving element of this plan"),
        queryset=PlanElement.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("The whole plan"),
    )
    target_plan = PlanChoiceField(
        label=_("Plan served"),
        queryset=Plan.objects.all(),
        to_field_name="code",
        help_text=_("A plan of a higher level, or a programme of the same level."),
    )
    target_element = ElementChoiceField(
        label=_("Element served"),
        queryset=PlanElement.objects.none(),
        to_field_name="code",
        empty_label=_("Choose the plan first"),
    )
    contribution = forms.ChoiceField(
        label=_("Contribution"),
        choices=Contribution.choices,
        initial=Contribution.DIRECT,
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this element serves the target, in the plan's own words if possible."),
    )

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        validating: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.validating = validating
        source_field = self.fields["source_element"]
        assert isinstance(source_field, forms.ModelChoiceField)
        source_field.queryset = PlanElement.objects.filter(plan=plan).order_by("path")

        target_plan_field = self.fields["target_plan"]
        assert isinstance(target_plan_field, forms.ModelChoiceField)
        offered = Plan.objects.filter(level__lte=plan.level).exclude(pk=plan.pk)
        target_plan_field.widget.choices = [
            ("", _("Choose a plan")),
            *plan_groups(offered.order_by("level", "start_year", "code")),
        ]

        target_code = self._value("target_plan")
        target_field = self.fields["target_element"]
        assert isinstance(target_field, forms.ModelChoiceField)
        if target_code:
            targets: QuerySet[PlanElement] = PlanElement.objects.filter(
                plan__code=target_code
            ).order_by("path")
            target_field.queryset = targets
            target_field.empty_label = _("Choose an element")
            chosen = self._value("target_element")
            if validating and self.is_bound and chosen and not targets.filter(code=chosen).exists():
                # The planner has just chosen another plan: forget the old plan's element.
                data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
                data[self.add_prefix("target_element")] = ""
                self.data = data
        if validating:
            for field in self.fields.values():
                field.required = False

    def _value(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name)
        return getattr(value, "code", value)

    @property
    def complete(self) -> bool:
        """Tell whether enough is chosen to ask the service whether the link is allowed."""
        return bool(self.cleaned_data.get("target_element"))

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `alignment_link`."""
        data = self.cleaned_data
        return {
            "source_element": data.get("source_element"),
            "source_plan": self.plan,
            "target": data["target_element"],
            "contribution": data.get("contribution") or Contribution.DIRECT,
            "rationale": data.get("rationale") or "",
        }

    def check_arguments(self) -> dict[str, Any]:
        """Return the keyword arguments of `alignment_check` (the link without its rationale)."""
        arguments = self.service_arguments()
        del arguments["rationale"]
        return arguments


# --- Reports -----------------------------------------------------------------------------------


class MatrixForm(forms.Form):
    """Choose the higher plan whose top-level elements make the matrix's columns."""

    higher = PlanChoiceField(
        label=_("Higher plan"),
        queryset=Plan.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Choose a plan"),
    )
    depth = forms.TypedChoiceField(
        label=_("Rows down to"),
        choices=[
            (0, _("Top-level elements")),
            (1, _("Second level")),
            (2, _("Third level")),
        ],
        coerce=int,
        initial=0,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, plan: Plan, candidates: list[Plan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["higher"]
        assert isinstance(field, forms.ModelChoiceField)
        allowed = Plan.objects.filter(
            Q(level__lt=plan.level) | Q(pk__in=[c.pk for c in candidates])
        ).exclude(pk=plan.pk)
        field.queryset = allowed
        reached = {c.pk for c in candidates}
        others = [p for p in allowed.order_by("level", "start_year", "code") if p.pk not in reached]
        choices: Choices = [("", _("Choose a plan"))]
        if candidates:
            choices.append(
                (_("Plans this plan reaches"), [(c.code, plan_label(c)) for c in candidates])
            )
        if others:
            choices.append((_("Other plans above"), [(p.code, plan_label(p)) for p in others]))
        field.widget.choices = choices


class GapsForm(forms.Form):
    """Choose which lower plans count as serving, and how deep the report reads the outline."""

    level = forms.TypedChoiceField(
        label=_("Served by plans of"),
        choices=[
            ("", _("Any lower level")),
            (2, PlanLevel.MASTER.label),
            (3, PlanLevel.ACTION.label),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    depth = forms.TypedChoiceField(
        label=_("Elements down to"),
        choices=[
            (0, _("Top-level elements")),
            (1, _("Second level")),
            (2, _("Third level")),
        ],
        coerce=int,
        initial=0,
        required=False,
        empty_value=None,
    )


# --- Lifecycle and versions --------------------------------------------------------------------


class TransitionForm(forms.Form):
    """A lifecycle step: the deciding body when submitting, the decision's date and number."""

    deciding_organisation = forms.ModelChoiceField(
        label=_("Deciding body"),
        queryset=Organisation.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("The cabinet, ministry, committee or board that decides on the plan."),
    )
    deciding_body = forms.ChoiceField(
        label=_("Kind of deciding body"),
        choices=_blank(DecidingBody.choices, _("Choose a kind")),
        required=False,
    )
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    resolution_number = forms.CharField(
        label=_("Resolution or meeting number"), max_length=100, required=False
    )
    document = forms.FileField(
        label=_("Decision document"),
        required=False,
        help_text=_("PDF, Word, Excel or an image, up to 20 MB."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, plan: Plan, transition: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.transition = transition
        if transition.name == "submit":
            deciding = self.fields["deciding_organisation"]
            assert isinstance(deciding, forms.ModelChoiceField)
            deciding.queryset = Organisation.objects.filter(
                kind__in=["committee", "ministry", "provincial_office", "public_organisation"]
            ).order_by("name_th")
            deciding.required = True
            if plan.submitted_to is not None:
                self.initial.setdefault("deciding_organisation", plan.submitted_to.code)
        else:
            del self.fields["deciding_organisation"]
        if transition.name not in ("approve", "return", "put_in_force", "end", "supersede"):
            for name in ("decision_date", "resolution_number", "document"):
                del self.fields[name]

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `plan_transition`."""
        data = dict(self.cleaned_data)
        document = data.pop("document", None)
        arguments: dict[str, Any] = {k: v for k, v in data.items() if v not in (None, "")}
        if document is not None:
            arguments["upload"] = document
        return arguments


class VersionDiffForm(forms.Form):
    """Choose two versions of a plan (or a version and the working copy) to compare."""

    WORKING = "working"

    old = forms.ChoiceField(label=_("From version"))
    new = forms.ChoiceField(label=_("To version"))

    def __init__(self, *args: Any, versions: list[Any], working: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.versions = {str(v.number): v for v in versions}
        choices: list[tuple[str, Any]] = [
            (str(v.number), _("Version %(n)s") % {"n": v.number}) for v in versions
        ]
        if working:
            choices.insert(0, (self.WORKING, _("Working copy")))
        for name in ("old", "new"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices

    def snapshots(self, plan: Plan) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return the two snapshots chosen (the working copy is read now)."""
        from phaen.plans.selectors import plan_snapshot

        def pick(key: str) -> dict[str, Any]:
            return plan_snapshot(plan) if key == self.WORKING else self.versions[key].snapshot

        return pick(self.cleaned_data["old"]), pick(self.cleaned_data["new"])
