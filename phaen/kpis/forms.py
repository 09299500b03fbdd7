"""Forms of the indicator pages: the list's filters, indicators, targets, actuals and reviews.

The forms check only what a form can know: types, choices and required fields. Every domain rule
(plan periods, quarters, areas, measure types, who may report) lives in `services.py`; a view
hands a `ValidationFailed` to `add_service_errors`, which puts each message next to its field.
Fiscal years are typed in the Buddhist Era, as they are stored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from phaen.geography.models import Province, Region, SpecialZone
from phaen.kpis.models import (
    Actual,
    Aggregation,
    AreaLevel,
    Direction,
    Frequency,
    Indicator,
    MeasureType,
    Target,
)
from phaen.kpis.services import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from phaen.orgs.models import Organisation, OrganisationKind
from phaen.plans.forms import (
    ElementChoiceField,
    NamedModelChoiceField,
    PlanChoiceField,
    add_service_errors,
)
from phaen.plans.models import Plan, PlanElement, Source

__all__ = ["add_service_errors"]

Choices = list[tuple[Any, Any]]
QUARTERS: Choices = [
    (0, _("Whole fiscal year")),
    (1, _("Quarter 1 (Oct–Dec)")),
    (2, _("Quarter 2 (Jan–Mar)")),
    (3, _("Quarter 3 (Apr–Jun)")),
    (4, _("Quarter 4 (Jul–Sep)")),
]


def _blank(choices: Choices, label: Any) -> Choices:
    return [("", label), *choices]


class IndicatorChoiceField(forms.ModelChoiceField):
    """A choice of indicators by code, labelled with their code and Thai name."""

    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, Indicator)
        name = obj.name_th if len(obj.name_th) <= 90 else obj.name_th[:89] + "…"
        return f"{obj.code} — {name}"


def _decimal(label: Any, **attrs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=20,
        decimal_places=4,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", **attrs}),
    )


def _fiscal_year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Fiscal year (BE)"),
        min_value=MIN_FISCAL_YEAR,
        max_value=MAX_FISCAL_YEAR,
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2569"), "inputmode": "numeric"}),
        help_text=_("FY2569 runs from 1 October 2568 to 30 September 2569."),
    )


# --- The indicator list's filters --------------------------------------------------------------


class IndicatorFilterForm(forms.Form):
    """The filters of the indicator list; invalid values are ignored rather than refused."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Indicator name, code or agency"),
                "autocomplete": "off",
            }
        ),
    )
    plan = PlanChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.filter(indicators__isnull=False)
        .distinct()
        .order_by("level", "start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("All plans"),
    )
    owner = NamedModelChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.filter(indicators__isnull=False)
        .distinct()
        .order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("All owners"),
    )
    measure_type = forms.ChoiceField(
        label=_("Measure type"),
        choices=_blank(MeasureType.choices, _("All measure types")),
        required=False,
    )

    def filters(self) -> dict[str, Any]:
        """Return the valid filters as keyword arguments of `selectors.indicator_list`."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        filters: dict[str, Any] = {
            "search": data.get("q"),
            "plan": data["plan"].code if data.get("plan") else None,
            "owner": data["owner"].code if data.get("owner") else None,
            "measure_type": data.get("measure_type"),
        }
        return {name: value for name, value in filters.items() if value not in (None, "")}


# --- Indicators --------------------------------------------------------------------------------


class IndicatorForm(forms.Form):
    """An indicator's fields as a planner types them; the element is one of the chosen plan's.

    Changing the plan re-renders the form with that plan's elements (htmx posts the form with
    `_refresh`; without JavaScript, the button "Show the plan's elements" does the same).
    """

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; used in the page's address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name_th = forms.CharField(label=_("Thai name"), max_length=500)
    name_en = forms.CharField(label=_("English name"), max_length=500, required=False)
    definition = forms.CharField(
        label=_("Definition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is counted, how, and from which data."),
    )
    plan = PlanChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.order_by("level", "start_year", "code"),
        to_field_name="code",
        empty_label=_("Choose the plan"),
    )
    element = ElementChoiceField(
        label=_("Plan element"),
        queryset=PlanElement.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("(the whole plan)"),
        help_text=_("The strategy, goal or measure the indicator measures, if not the whole plan."),
    )
    owner = NamedModelChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.order_by("name_th"),
        to_field_name="code",
        empty_label=_("Choose the owner"),
        help_text=_("The organisation answerable for the indicator; its planners keep it."),
    )
    measure_type = forms.ChoiceField(
        label=_("Measure type"), choices=MeasureType.choices, initial=MeasureType.NUMBER
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. ครัวเรือน, ร้อยละ, ล้านบาท")}),
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.HIGHER
    )
    cumulative = forms.BooleanField(
        label=_("Cumulative (each figure includes the ones before it)"), required=False
    )
    aggregation = forms.ChoiceField(
        label=_("Combining areas and quarters"),
        choices=Aggregation.choices,
        initial=Aggregation.SUM,
    )
    frequency = forms.ChoiceField(
        label=_("Reporting frequency"), choices=Frequency.choices, initial=Frequency.YEARLY
    )
    baseline_value = _decimal(_("Baseline"))
    baseline_date = forms.DateField(
        label=_("Baseline date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    data_source = forms.CharField(label=_("Data source"), max_length=500, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"),
        queryset=Source.objects.order_by("key"),
        to_field_name="key",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    fieldsets = (
        (_("Name and definition"), ("code", "name_th", "name_en", "definition")),
        (_("What it measures"), ("plan", "element", "owner")),
        (
            _("How it is measured"),
            ("measure_type", "unit", "direction", "cumulative", "aggregation", "frequency"),
        ),
        (
            _("Baseline and sources"),
            ("baseline_value", "baseline_date", "data_source", "note", "sources"),
        ),
    )

    def __init__(self, *args: Any, indicator: Indicator | None = None, **kwargs: Any) -> None:
        if indicator is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(indicator)
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if indicator is not None:
            del self.fields["code"]  # the code names the page; it does not change here
        plan_code = self.data.get("plan") if self.is_bound else None
        if plan_code is None:
            initial_plan = self.initial.get("plan")
            plan_code = initial_plan.code if isinstance(initial_plan, Plan) else initial_plan
        field = self.fields["element"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            PlanElement.objects.filter(plan__code=plan_code).order_by("path")
            if plan_code
            else PlanElement.objects.none()
        )
        self.fields["plan"].widget.attrs.update({"data-refresh-form": "true"})

    @staticmethod
    def initial_from(indicator: Indicator) -> dict[str, Any]:
        """Return the form's initial values for an existing indicator."""
        return {
            "name_th": indicator.name_th,
            "name_en": indicator.name_en,
            "definition": indicator.definition,
            "plan": indicator.plan,
            "element": indicator.element,
            "owner": indicator.owner,
            "measure_type": indicator.measure_type,
            "unit": indicator.unit,
            "direction": indicator.direction,
            "cumulative": indicator.cumulative,
            "aggregation": indicator.aggregation,
            "frequency": indicator.frequency,
            "baseline_value": indicator.baseline_value,
            "baseline_date": indicator.baseline_date,
            "data_source": indicator.data_source,
            "note": indicator.note,
            "sources": list(indicator.sources.all()),
        }

    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """Return the bound fields in their fieldsets, for the template."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.fieldsets
        ]

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `indicator_create` / `_update`."""
        data = dict(self.cleaned_data)
        data["sources"] = list(data["sources"])
        return data


# --- Areas shared by targets and actuals ---------------------------------------------------------


def local_administrations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.LOCAL_ADMINISTRATION).order_by(
        "name_th"
    )


class AreaFields(forms.Form):
    """The period and area of a target or an actual (the area picker shows one row select)."""

    fiscal_year = _fiscal_year_field()
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int, initial=0)
    area_level = forms.ChoiceField(
        label=_("Area"),
        choices=AreaLevel.choices,
        initial=AreaLevel.NATION,
        widget=forms.Select(attrs={"data-area-level": "true"}),
    )
    region = NamedModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("position", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("Choose the region"),
        widget=forms.Select(attrs={"data-area-for": "region"}),
    )
    special_zone = NamedModelChoiceField(
        label=_("Special zone"),
        queryset=SpecialZone.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Choose the special zone"),
        widget=forms.Select(attrs={"data-area-for": "special_zone"}),
    )
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("Choose the province"),
        widget=forms.Select(attrs={"data-area-for": "province"}),
    )
    local_organisation = NamedModelChoiceField(
        label=_("Local administration"),
        queryset=local_administrations(),
        to_field_name="code",
        required=False,
        empty_label=_("Choose the local administration"),
        widget=forms.Select(attrs={"data-area-for": "local"}),
    )
    value = _decimal(_("Value"))
    numerator = _decimal(_("Numerator"))
    denominator = _decimal(_("Denominator"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    AREA_NAMES = ("area_level", "region", "special_zone", "province", "local_organisation")
    VALUE_NAMES = ("value", "numerator", "denominator")

    def area_arguments(self) -> dict[str, Any]:
        """Return the period, area and values as keyword arguments of the services.

        Only the row the chosen level needs is passed, so a province left selected after the
        level changed to the nation does not make the area inconsistent.
        """
        data = self.cleaned_data
        level = data.get("area_level") or AreaLevel.NATION
        wanted = {
            AreaLevel.REGION: "region",
            AreaLevel.SPECIAL_ZONE: "special_zone",
            AreaLevel.PROVINCE: "province",
            AreaLevel.LOCAL: "local_organisation",
        }.get(level)
        arguments: dict[str, Any] = {
            "fiscal_year": data["fiscal_year"],
            "quarter": data.get("quarter") or 0,
            "area_level": level,
            "value": data.get("value"),
            "numerator": data.get("numerator"),
            "denominator": data.get("denominator"),
            "note": data.get("note") or "",
        }
        if wanted is not None:
            arguments[wanted] = data.get(wanted)
        return arguments

    @staticmethod
    def initial_from(row: Target | Actual) -> dict[str, Any]:
        return {
            "fiscal_year": row.fiscal_year,
            "quarter": row.quarter,
            "area_level": row.area_level,
            "region": row.region,
            "special_zone": row.special_zone,
            "province": row.province if row.area_level == AreaLevel.PROVINCE else None,
            "local_organisation": row.local_organisation,
            "value": row.value,
            "numerator": row.numerator,
            "denominator": row.denominator,
            "note": row.note,
        }


class TargetForm(AreaFields):
    """A target of an indicator for a period and an area (setting it again replaces it)."""

    def service_arguments(self) -> dict[str, Any]:
        return self.area_arguments()


class ActualForm(AreaFields):
    """A reported figure with its evidence; "Save draft" keeps it, "Submit" sends it to review."""

    field_order = [
        "indicator",
        "fiscal_year",
        "quarter",
        "area_level",
        "region",
        "special_zone",
        "province",
        "local_organisation",
        "value",
        "numerator",
        "denominator",
        "evidence_file",
        "remove_evidence_file",
        "evidence_url",
        "note",
        "reporting_organisation",
    ]

    indicator = IndicatorChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("Choose the indicator"),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("PDF, Word, Excel, PNG or JPEG, up to 20 MB."),
    )
    remove_evidence_file = forms.BooleanField(label=_("Remove the evidence file"), required=False)
    evidence_url = forms.CharField(
        label=_("Evidence link"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    reporting_organisation = NamedModelChoiceField(
        label=_("Reported for"),
        queryset=Organisation.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("The indicator's owner, or my organisation in that province"),
    )

    def __init__(
        self,
        *args: Any,
        actual: Actual | None = None,
        reporting_organisations: QuerySet[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        if actual is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **self.initial_from(actual),
                "indicator": actual.indicator,
                "evidence_url": actual.evidence_url,
                "reporting_organisation": actual.reporting_organisation,
            }
        super().__init__(*args, **kwargs)
        self.actual = actual
        if actual is not None:
            del self.fields["indicator"]  # an actual stays with its indicator
            if not actual.evidence_file:
                del self.fields["remove_evidence_file"]
        else:
            del self.fields["remove_evidence_file"]
        field = self.fields["reporting_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            reporting_organisations
            if reporting_organisations is not None
            else Organisation.objects.none()
        )

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `services.actual_save`."""
        data = self.cleaned_data
        arguments = self.area_arguments()
        arguments.update(
            evidence_url=data.get("evidence_url") or "",
            evidence_file=data.get("evidence_file"),
            remove_evidence_file=bool(data.get("remove_evidence_file")),
            reporting_organisation=data.get("reporting_organisation"),
        )
        if self.actual is None:
            arguments["indicator"] = data["indicator"]
        return arguments


class ReviewForm(forms.Form):
    """A review step's note: required to return an actual, optional otherwise."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
