"""Forms of the delivery pages: filters, projects and their parts, agreements, area programmes,
smart city zones and community centres.

As in the plans app, the forms check only types, choices and required fields; every domain rule
(ordered dates, sane fiscal years, amounts that add up, the order of smart city stages) lives in
`services.py`, and `add_service_errors` puts the service's message next to the field it names.
Fiscal years are typed as Buddhist-Era years (2569), as they are stored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from phaen.geography.models import District, Province, Region, SpecialZone
from phaen.kpis.models import Indicator
from phaen.orgs.models import Organisation
from phaen.plans.forms import (
    ElementChoiceField,
    NamedModelChoiceField,
    NamedModelMultipleChoiceField,
    PlanChoiceField,
    add_service_errors,
    display_name,
)
from phaen.plans.models import Plan, PlanElement, Source
from phaen.projects.models import (
    SMART_CITY_CRITERIA,
    SMART_CITY_DIMENSIONS,
    Agreement,
    AgreementParty,
    AgreementStatus,
    AreaProgramme,
    AreaProgrammeKind,
    BudgetCategory,
    BudgetLine,
    CentreStatus,
    DigitalCommunityCentre,
    FundingSource,
    Milestone,
    MilestoneStatus,
    PartnerRole,
    PartyRole,
    ProgressReport,
    Project,
    ProjectAlignment,
    ProjectAreaLevel,
    ProjectKind,
    ProjectStatus,
    SmartCityStage,
    SmartCityZone,
)
from phaen.projects.selectors import resolve_codes
from phaen.projects.services import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR

__all__ = ["add_service_errors"]

Choices = list[tuple[Any, Any]]


def _blank(choices: Any, label: Any) -> Choices:
    return [("", label), *choices]


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _fiscal_year_field(**kwargs: Any) -> forms.IntegerField:
    # The range is the service's; the form only keeps the widget honest.
    return forms.IntegerField(
        label=kwargs.pop("label", _("Fiscal year (BE)")),
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2569"), "inputmode": "numeric"}),
        **kwargs,
    )


def _money_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=18,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class ProjectChoiceField(forms.ModelChoiceField):
    """A choice of projects by code, labelled with their names."""

    def label_from_instance(self, obj: Model) -> str:
        return display_name(obj)


class ProjectMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Model) -> str:
        return display_name(obj)


class Grouped:
    """Forms with fieldsets: `grouped_fields()` for the template."""

    fieldsets: tuple[tuple[Any, tuple[str, ...]], ...] = ()

    def grouped_fields(self) -> list[tuple[Any, list[forms.BoundField]]]:
        form: Any = self
        return [
            (legend, [form[name] for name in names if name in form.fields])
            for legend, names in self.fieldsets
        ]


def _organisations() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name_th")


def _programmes() -> QuerySet[Project]:
    return Project.objects.filter(kind=ProjectKind.PROGRAMME).order_by("name_th")


class _Filters(forms.Form):
    """A list's filters; invalid values are ignored rather than refused."""

    def cleaned_filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def _search_field(placeholder: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": placeholder, "autocomplete": "off"}
        ),
    )


def _province_filter() -> NamedModelChoiceField:
    return NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("All provinces"),
    )


# --- Projects -------------------------------------------------------------------------------


class ProjectFilterForm(_Filters):
    """The filters of the project list (and of its export and the budget summary)."""

    q = _search_field(_("Project name, agency or province"))
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(ProjectStatus.choices, _("All statuses")), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=_blank(ProjectKind.choices, _("Projects and programmes")),
        required=False,
    )
    flagship = forms.TypedChoiceField(
        label=_("Flagship"),
        choices=[
            ("", _("All projects")),
            ("yes", _("Flagship projects only")),
            ("no", _("Other projects")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    owner = NamedModelChoiceField(
        label=_("Owner"),
        queryset=Organisation.objects.filter(
            Exists(Project.objects.filter(owner=OuterRef("pk")))
        ).order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("All owners"),
    )
    province = _province_filter()
    plan = PlanChoiceField(
        label=_("Serving the plan"),
        queryset=Plan.objects.filter(
            Exists(ProjectAlignment.objects.filter(element__plan=OuterRef("pk")))
        ).order_by("level", "start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("Any plan"),
    )
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year (BE)"),
        required=False,
        min_value=MIN_FISCAL_YEAR,
        max_value=MAX_FISCAL_YEAR,
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2569"), "inputmode": "numeric"}),
    )

    def filters(self) -> dict[str, Any]:
        """Return the valid filters as keyword arguments of `selectors.project_list`."""
        data = self.cleaned_filters()
        filters: dict[str, Any] = {
            "search": data.get("q"),
            "status": data.get("status"),
            "kind": data.get("kind"),
            "flagship": data.get("flagship"),
            "owner": data["owner"].code if data.get("owner") else None,
            "province": data["province"].code if data.get("province") else None,
            "plan": data["plan"].code if data.get("plan") else None,
            "fiscal_year": data.get("fiscal_year"),
        }
        return {name: value for name, value in filters.items() if value not in (None, "")}


class BudgetFilterForm(ProjectFilterForm):
    """The filters of the budget summary: the projects' filters without the search and kind
    (the sums are taken in the database over the projects they select)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["q"]
        del self.fields["kind"]


class ProjectForm(Grouped, forms.Form):
    """A project's own fields; partners, alignment, milestones, budget lines and reports are
    managed on its page."""

    fieldsets = (
        (_("Name"), ("code", "name_th", "name_en", "kind", "parent", "is_flagship")),
        (_("Owner and status"), ("owner", "status", "start_date", "end_date")),
        (_("Area"), ("area_level", "region", "special_zone", "provinces")),
        (_("Monitoring"), ("indicators", "weight")),
        (_("Description and sources"), ("description", "sources")),
    )

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; used in the page's address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name_th = forms.CharField(label=_("Thai name"), max_length=500)
    name_en = forms.CharField(label=_("English name"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    parent = ProjectChoiceField(
        label=_("Part of the programme"),
        queryset=_programmes(),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    is_flagship = forms.BooleanField(label=_("Flagship project"), required=False)
    owner = NamedModelChoiceField(
        label=_("Owner"),
        queryset=_organisations(),
        to_field_name="code",
        empty_label=_("Choose the owner"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=_date())
    end_date = forms.DateField(label=_("End date"), required=False, widget=_date())
    area_level = forms.ChoiceField(label=_("Area"), choices=ProjectAreaLevel.choices)
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
    indicators = NamedModelMultipleChoiceField(
        label=_("Indicators"),
        queryset=Indicator.objects.order_by("code"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    weight = forms.DecimalField(
        label=_("Weight in progress roll-ups"),
        initial=1,
        max_digits=8,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"),
        queryset=Source.objects.order_by("key"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args: Any, project: Project | None = None, **kwargs: Any) -> None:
        if project is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(project, name)
                    for name in (
                        "code",
                        "name_th",
                        "name_en",
                        "kind",
                        "parent",
                        "is_flagship",
                        "owner",
                        "status",
                        "start_date",
                        "end_date",
                        "area_level",
                        "region",
                        "special_zone",
                        "weight",
                        "description",
                    )
                },
                "provinces": list(project.provinces.all()),
                "indicators": list(project.indicators.all()),
                "sources": list(project.sources.all()),
            }
        super().__init__(*args, **kwargs)
        if project is not None:
            parent = self.fields["parent"]
            assert isinstance(parent, forms.ModelChoiceField)
            parent.queryset = _programmes().exclude(pk=project.pk)

    def service_arguments(self) -> dict[str, Any]:
        """Return the cleaned data as keyword arguments of `project_create` / `project_update`."""
        data = dict(self.cleaned_data)
        for name in ("provinces", "indicators", "sources"):
            data[name] = list(data[name])
        return data


class PartnerForm(forms.Form):
    organisation = NamedModelChoiceField(
        label=_("Organisation"),
        queryset=_organisations(),
        to_field_name="code",
        empty_label=_("Choose an organisation"),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=PartnerRole.choices, initial=PartnerRole.PARTNER
    )


class ElementChooserForm(forms.Form):
    """Choose a plan element: first the plan, then one of its elements.

    The element list holds the chosen plan's outline. Without JavaScript the form is sent back
    with the plan chosen ("Show the plan's elements"); with htmx choosing a plan reloads it.
    """

    plan = PlanChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.order_by("level", "start_year", "code"),
        to_field_name="code",
        empty_label=_("Choose a plan"),
    )
    element = ElementChoiceField(
        label=_("Plan element"),
        queryset=PlanElement.objects.none(),
        to_field_name="code",
        empty_label=_("Choose the plan first"),
    )

    def __init__(
        self,
        *args: Any,
        plan_code: str | None = None,
        reload_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reload_url = reload_url
        if reload_url:
            # htmx sends only the plan chosen (`?plan=`) and swaps in the form it gets back.
            self.fields["plan"].widget.attrs.update(
                {
                    "hx-get": reload_url,
                    "hx-trigger": "change",
                    "hx-target": "closest form",
                    "hx-swap": "outerHTML",
                }
            )
        code = (self.data.get(self.add_prefix("plan")) if self.is_bound else None) or plan_code
        if code and not self.is_bound:
            self.initial.setdefault("plan", code)
        if code:
            element = self.fields["element"]
            assert isinstance(element, forms.ModelChoiceField)
            element.queryset = PlanElement.objects.filter(plan__code=code).order_by("path")
            element.empty_label = _("Choose an element")
        self.plan_chosen = bool(code)


class AlignmentForm(ElementChooserForm):
    weight = forms.DecimalField(
        label=_("Weight"),
        initial=1,
        max_digits=8,
        decimal_places=2,
        help_text=_("The project's share in the element's progress; 1 for an ordinary share."),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("Milestone"), max_length=500)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date())
    done_date = forms.DateField(label=_("Done on"), required=False, widget=_date())
    status = forms.ChoiceField(label=_("Status"), choices=MilestoneStatus.choices)

    def __init__(self, *args: Any, milestone: Milestone | None = None, **kwargs: Any) -> None:
        if milestone is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(milestone, name)
                for name in ("name", "due_date", "done_date", "status")
            }
        super().__init__(*args, **kwargs)


class ProgressReportForm(forms.Form):
    fiscal_year = _fiscal_year_field()
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[
            (1, _("Quarter 1 (October–December)")),
            (2, _("Quarter 2 (January–March)")),
            (3, _("Quarter 3 (April–June)")),
            (4, _("Quarter 4 (July–September)")),
        ],
        coerce=int,
    )
    progress = forms.DecimalField(
        label=_("Progress (%)"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("Problems and obstacles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, report: ProgressReport | None = None, **kwargs: Any) -> None:
        if report is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(report, name)
                for name in ("fiscal_year", "quarter", "progress", "summary", "problems")
            }
        super().__init__(*args, **kwargs)


class BudgetLineForm(forms.Form):
    fiscal_year = _fiscal_year_field()
    category = forms.ChoiceField(
        label=_("Budget category"), choices=BudgetCategory.choices, initial=BudgetCategory.OTHER
    )
    funding_source = forms.ChoiceField(
        label=_("Funding source"), choices=FundingSource.choices, initial=FundingSource.GOVERNMENT
    )
    planned = _money_field(_("Planned (baht)"))
    allocated = _money_field(_("Allocated (baht)"))
    committed = _money_field(_("Committed (baht)"))
    disbursed = _money_field(_("Disbursed (baht)"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, line: BudgetLine | None = None, **kwargs: Any) -> None:
        if line is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(line, name)
                for name in (
                    "fiscal_year",
                    "category",
                    "funding_source",
                    "planned",
                    "allocated",
                    "committed",
                    "disbursed",
                    "note",
                )
            }
        super().__init__(*args, **kwargs)


# --- Agreements -----------------------------------------------------------------------------


class AgreementFilterForm(_Filters):
    q = _search_field(_("Title, party or place"))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=_blank(AgreementStatus.choices, _("All statuses")),
        required=False,
    )
    province = _province_filter()
    party = NamedModelChoiceField(
        label=_("Party"),
        queryset=Organisation.objects.filter(
            Exists(AgreementParty.objects.filter(organisation=OuterRef("pk")))
        ).order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("Any party"),
    )
    signed_year = forms.IntegerField(
        label=_("Signed in (BE year)"),
        required=False,
        min_value=MIN_FISCAL_YEAR,
        max_value=MAX_FISCAL_YEAR,
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2567"), "inputmode": "numeric"}),
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_filters()
        filters = {
            "search": data.get("q"),
            "status": data.get("status"),
            "province": data["province"].code if data.get("province") else None,
            "party": data["party"].code if data.get("party") else None,
            "signed_year": data.get("signed_year"),
        }
        return {name: value for name, value in filters.items() if value not in (None, "")}


class AgreementForm(Grouped, forms.Form):
    fieldsets = (
        (_("Title"), ("code", "title_th", "title_en", "owner", "status")),
        (_("Signing and term"), ("signed_on", "signed_place", "start_date", "end_date")),
        (_("Content"), ("aims", "dimensions", "province", "programme", "projects", "sources")),
    )

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lower-case letters, digits and hyphens; used in the page's address."),
    )
    title_th = forms.CharField(label=_("Thai title"), max_length=500)
    title_en = forms.CharField(label=_("English title"), max_length=500, required=False)
    owner = NamedModelChoiceField(
        label=_("Recorded by"),
        queryset=_organisations(),
        to_field_name="code",
        empty_label=_("Choose the organisation that records it"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=AgreementStatus.choices)
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=_date())
    signed_place = forms.CharField(label=_("Signed at"), max_length=300, required=False)
    start_date = forms.DateField(label=_("In force from"), required=False, widget=_date())
    end_date = forms.DateField(label=_("In force until"), required=False, widget=_date())
    aims = forms.CharField(
        label=_("Aims"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    dimensions = forms.CharField(
        label=_("Dimensions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One a line, e.g. equality, safety, better opportunity, sustainable development."
        ),
    )
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    programme = ProjectChoiceField(
        label=_("Programme"),
        queryset=_programmes(),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    projects = ProjectMultipleChoiceField(
        label=_("Projects"),
        queryset=Project.objects.order_by("name_th"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"),
        queryset=Source.objects.order_by("key"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args: Any, agreement: Agreement | None = None, **kwargs: Any) -> None:
        if agreement is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(agreement, name)
                    for name in (
                        "code",
                        "title_th",
                        "title_en",
                        "owner",
                        "status",
                        "signed_on",
                        "signed_place",
                        "start_date",
                        "end_date",
                        "aims",
                        "province",
                        "programme",
                    )
                },
                "dimensions": "\n".join(agreement.dimensions or []),
                "projects": list(agreement.projects.all()),
                "sources": list(agreement.sources.all()),
            }
        super().__init__(*args, **kwargs)

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["dimensions"] = [line.strip() for line in data["dimensions"].splitlines()]
        for name in ("projects", "sources"):
            data[name] = list(data[name])
        return data


class PartyForm(forms.Form):
    organisation = NamedModelChoiceField(
        label=_("Organisation"),
        queryset=_organisations(),
        to_field_name="code",
        empty_label=_("Choose an organisation"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices, initial=PartyRole.PARTY)
    signatory_name = forms.CharField(label=_("Signatory"), max_length=300, required=False)
    signatory_position = forms.CharField(
        label=_("Signatory's position"), max_length=300, required=False
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word, Excel or an image, up to 20 MB."),
    )
    url = forms.URLField(
        label=_("Or a link"),
        required=False,
        max_length=500,
        help_text=_("Where the document is published, when it is not uploaded."),
    )


# --- Area programmes ------------------------------------------------------------------------


class ProgrammeFilterForm(_Filters):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_blank(AreaProgrammeKind.choices, _("All kinds")), required=False
    )
    province = _province_filter()

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_filters()
        filters = {
            "kind": data.get("kind"),
            "province": data["province"].code if data.get("province") else None,
        }
        return {name: value for name, value in filters.items() if value not in (None, "")}


class ProgrammeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name_th = forms.CharField(label=_("Thai name"), max_length=500)
    name_en = forms.CharField(label=_("English name"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=AreaProgrammeKind.choices)
    owner = NamedModelChoiceField(
        label=_("Owner"),
        queryset=_organisations(),
        to_field_name="code",
        empty_label=_("Choose the owner"),
    )
    plan = PlanChoiceField(
        label=_("Plan"),
        queryset=Plan.objects.order_by("level", "start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    sources = forms.ModelMultipleChoiceField(
        label=_("Sources"),
        queryset=Source.objects.order_by("key"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args: Any, programme: AreaProgramme | None = None, **kwargs: Any) -> None:
        if programme is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(programme, name)
                    for name in (
                        "code",
                        "name_th",
                        "name_en",
                        "kind",
                        "owner",
                        "plan",
                        "description",
                    )
                },
                "sources": list(programme.sources.all()),
            }
        super().__init__(*args, **kwargs)

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["sources"] = list(data["sources"])
        return data


class ProgrammeProvinceForm(forms.Form):
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        empty_label=_("Choose a province"),
    )
    plan = PlanChoiceField(
        label=_("Provincial plan"),
        queryset=Plan.objects.filter(kind="provincial").order_by("start_year", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


# --- Smart city zones -----------------------------------------------------------------------


class ZoneFilterForm(_Filters):
    q = _search_field(_("Zone name"))
    stage = forms.ChoiceField(
        label=_("Stage"), choices=_blank(SmartCityStage.choices, _("All stages")), required=False
    )
    province = _province_filter()
    programme = NamedModelChoiceField(
        label=_("Programme"),
        queryset=AreaProgramme.objects.filter(kind=AreaProgrammeKind.SMART_CITY).order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All programmes"),
    )
    dimension = forms.ChoiceField(
        label=_("Dimension"),
        choices=_blank(SMART_CITY_DIMENSIONS, _("All dimensions")),
        required=False,
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_filters()
        filters = {
            "search": data.get("q"),
            "stage": data.get("stage"),
            "province": data["province"].code if data.get("province") else None,
            "programme": data["programme"].code if data.get("programme") else None,
            "dimension": data.get("dimension"),
        }
        return {name: value for name, value in filters.items() if value not in (None, "")}


class ZoneForm(Grouped, forms.Form):
    """A zone's record. The application's date and reference are asked only when recording a
    new application; later stages have their own form."""

    fieldsets = (
        (_("Name"), ("code", "name_th", "name_en", "programme", "applicant")),
        (_("Place"), ("province", "district")),
        (_("Assessment"), ("dimensions", "criteria")),
        (_("Application"), ("applied_on", "reference")),
    )

    code = forms.SlugField(label=_("Code"), max_length=64)
    name_th = forms.CharField(label=_("Thai name"), max_length=500)
    name_en = forms.CharField(label=_("English name"), max_length=500, required=False)
    programme = NamedModelChoiceField(
        label=_("Programme"),
        queryset=AreaProgramme.objects.filter(kind=AreaProgrammeKind.SMART_CITY).order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    applicant = NamedModelChoiceField(
        label=_("Applicant"),
        queryset=_organisations(),
        to_field_name="code",
        empty_label=_("Choose the applicant"),
        help_text=_("The municipality or other body that applied."),
    )
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        empty_label=_("Choose a province"),
    )
    district = NamedModelChoiceField(
        label=_("District"),
        queryset=District.objects.select_related("province").order_by(
            "province__name_th", "name_th"
        ),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    dimensions = forms.MultipleChoiceField(
        label=_("Smart city dimensions"),
        choices=SMART_CITY_DIMENSIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    criteria = forms.MultipleChoiceField(
        label=_("Criteria met"),
        choices=SMART_CITY_CRITERIA,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    applied_on = forms.DateField(label=_("Applied on"), required=False, widget=_date())
    reference = forms.CharField(label=_("Application reference"), max_length=300, required=False)

    def __init__(self, *args: Any, zone: SmartCityZone | None = None, **kwargs: Any) -> None:
        if zone is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(zone, name)
                    for name in (
                        "code",
                        "name_th",
                        "name_en",
                        "programme",
                        "applicant",
                        "province",
                        "district",
                    )
                },
                "dimensions": list(zone.dimensions or []),
                "criteria": [key for key, met in (zone.criteria or {}).items() if met],
            }
        super().__init__(*args, **kwargs)
        self.zone = zone
        if zone is not None:
            del self.fields["applied_on"]
            del self.fields["reference"]

    def service_arguments(self) -> dict[str, Any]:
        """Return the service's keyword arguments. Ticked criteria are met and the others not,
        once the zone has an assessment; a zone never assessed and with nothing ticked stays
        "not assessed"."""
        data = dict(self.cleaned_data)
        criteria = set(data.pop("criteria"))
        assessed = bool(criteria) or bool(self.zone is not None and self.zone.criteria)
        data["criteria"] = (
            {key: key in criteria for key, _label in SMART_CITY_CRITERIA} if assessed else {}
        )
        return data


class ZoneStepForm(forms.Form):
    """One step of a zone: the stage reached, its date and the decision behind it."""

    stage = forms.ChoiceField(label=_("Next stage"), choices=())
    decided_on = forms.DateField(label=_("Date"), required=False, widget=_date())
    decided_by = NamedModelChoiceField(
        label=_("Decided by"),
        queryset=_organisations(),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    reference = forms.CharField(label=_("Decision or announcement"), max_length=300, required=False)
    criteria = forms.MultipleChoiceField(
        label=_("Criteria met"),
        choices=SMART_CITY_CRITERIA,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For the assessment: the criteria the zone meets."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, zone: SmartCityZone, steps: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)
        stage.choices = [(s, SmartCityStage(s).label) for s in steps]
        if zone.programme is not None:
            self.initial.setdefault("decided_by", zone.programme.owner)
        self.initial.setdefault("criteria", [k for k, met in (zone.criteria or {}).items() if met])

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        criteria = set(data.pop("criteria"))
        if data["stage"] == SmartCityStage.ASSESSED:
            data["criteria"] = {key: key in criteria for key, _label in SMART_CITY_CRITERIA}
        return data


# --- Digital community centres --------------------------------------------------------------


class CentreFilterForm(_Filters):
    q = _search_field(_("Centre name"))
    province = _province_filter()
    status = forms.ChoiceField(
        label=_("Status"), choices=_blank(CentreStatus.choices, _("All statuses")), required=False
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_filters()
        filters = {
            "search": data.get("q"),
            "province": data["province"].code if data.get("province") else None,
            "status": data.get("status"),
        }
        return {name: value for name, value in filters.items() if value not in (None, "")}


class CentreForm(Grouped, forms.Form):
    """A centre's record. The sub-district is typed as its six-digit code (7,436 choices are
    too many for a list); the district then follows from it."""

    field_map = {"subdistrict": "subdistrict_code"}
    fieldsets = (
        (_("Name"), ("code", "name_th", "name_en", "programme", "host", "is_model", "status")),
        (_("Place"), ("province", "district", "subdistrict_code")),
        (_("Opening and equipment"), ("opened_on", "equipment", "equipment_handed_on")),
    )

    code = forms.SlugField(label=_("Code"), max_length=64)
    name_th = forms.CharField(label=_("Thai name"), max_length=500)
    name_en = forms.CharField(label=_("English name"), max_length=500, required=False)
    programme = NamedModelChoiceField(
        label=_("Programme"),
        queryset=AreaProgramme.objects.filter(kind=AreaProgrammeKind.COMMUNITY_CENTRES).order_by(
            "code"
        ),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    host = NamedModelChoiceField(
        label=_("Host organisation"),
        queryset=_organisations(),
        to_field_name="code",
        empty_label=_("Choose the host"),
    )
    is_model = forms.BooleanField(label=_("Model centre"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=CentreStatus.choices)
    province = NamedModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.order_by("name_th"),
        to_field_name="code",
        empty_label=_("Choose a province"),
    )
    district = NamedModelChoiceField(
        label=_("District"),
        queryset=District.objects.order_by("province__name_th", "name_th"),
        to_field_name="code",
        required=False,
        empty_label=_("None"),
    )
    subdistrict_code = forms.CharField(
        label=_("Sub-district code"),
        max_length=6,
        required=False,
        help_text=_("The six-digit code of the Department of Provincial Administration."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 8}),
    )
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=_date())
    equipment = forms.CharField(
        label=_("Equipment handed over"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    equipment_handed_on = forms.DateField(
        label=_("Equipment handed over on"), required=False, widget=_date()
    )

    def __init__(
        self, *args: Any, centre: DigitalCommunityCentre | None = None, **kwargs: Any
    ) -> None:
        if centre is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    name: getattr(centre, name)
                    for name in (
                        "code",
                        "name_th",
                        "name_en",
                        "programme",
                        "host",
                        "is_model",
                        "status",
                        "province",
                        "district",
                        "opened_on",
                        "equipment",
                        "equipment_handed_on",
                    )
                },
                "subdistrict_code": centre.subdistrict.code if centre.subdistrict else "",
            }
        super().__init__(*args, **kwargs)

    def service_arguments(self) -> dict[str, Any]:
        """Return the service's keyword arguments; the sub-district code is resolved (and an
        unknown code named) by `selectors.resolve_codes`."""
        data = dict(self.cleaned_data)
        code = data.pop("subdistrict_code").strip()
        data.update(resolve_codes(subdistrict=code))
        return data
