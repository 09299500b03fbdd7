"""JSON API for indicators, their targets and actuals, mounted at /api/indicators.

Thin: parse, call one service or selector, shape the answer. Domain errors become
`{"code", "message", "detail"}` in `phaen/api/errors.py`. Areas are given and returned as keys
(`TH`, `R:<region>`, `Z:<zone>`, `P:<province>`, `L:<organisation>`); fiscal years in the
Buddhist Era. Numbers are returned as JSON numbers and accepted as numbers or text.

The fixed paths (`/targets`, `/actuals`) are declared before `/{code}`, and no indicator may
take those words as its code (`services.RESERVED_CODES`).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from phaen.api.auth import WRITE_AUTH
from phaen.api.pagination import PagePagination
from phaen.core.errors import NotFound
from phaen.kpis import aggregation, selectors, services
from phaen.kpis.errors import ActualError, TargetError
from phaen.kpis.models import Actual, Indicator, Target
from phaen.orgs.models import Organisation
from phaen.plans.models import Source

router = Router(tags=["indicators"])


# --- Schemas ---------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


class OrganisationRef(Schema):
    code: str
    name_th: str
    name_en: str = ""


class IndicatorOut(Schema):
    code: str
    name_th: str
    name_en: str
    plan: str | None = Field(None, alias="plan.code")
    element: str | None = Field(None, alias="element.code")
    owner: OrganisationRef
    unit: str
    measure_type: str
    direction: str
    cumulative: bool
    aggregation: str
    frequency: str
    baseline_value: float | None
    baseline_date: date | None

    @staticmethod
    def resolve_baseline_value(obj: Indicator) -> float | None:
        return _number(obj.baseline_value)


class IndicatorDetailOut(IndicatorOut):
    definition: str
    data_source: str
    note: str
    sources: list[str]

    @staticmethod
    def resolve_sources(obj: Indicator) -> list[str]:
        return [source.key for source in obj.sources.all()]


class IndicatorFilter(Schema):
    plan: str | None = Field(None, description="Plan code")
    owner: str | None = Field(None, description="Organisation code")
    element: str | None = Field(None, description="Plan element code")
    measure_type: str | None = Field(None, description="number, percent, ratio, money, boolean")
    q: str | None = Field(None, description="Thai or English words in the name, code or owner")


class IndicatorIn(Schema):
    code: str
    name_th: str
    name_en: str = ""
    definition: str = ""
    plan: str = Field("", description="Plan code (or give the element)")
    element: str = Field("", description="Plan element code")
    owner: str = Field(..., description="Organisation code")
    unit: str = ""
    measure_type: str = "number"
    direction: str = "higher"
    cumulative: bool = False
    aggregation: str = "sum"
    baseline_value: Decimal | None = None
    baseline_date: date | None = None
    data_source: str = ""
    frequency: str = "yearly"
    note: str = ""
    sources: list[str] = []


class IndicatorPatch(Schema):
    name_th: str | None = None
    name_en: str | None = None
    definition: str | None = None
    plan: str | None = None
    element: str | None = None
    owner: str | None = None
    unit: str | None = None
    measure_type: str | None = None
    direction: str | None = None
    cumulative: bool | None = None
    aggregation: str | None = None
    baseline_value: Decimal | None = None
    baseline_date: date | None = None
    data_source: str | None = None
    frequency: str | None = None
    note: str | None = None
    sources: list[str] | None = None


class ValueOut(Schema):
    id: int
    indicator: str = Field(..., alias="indicator.code")
    fiscal_year: int
    quarter: int
    area_level: str
    area_key: str
    area_name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    note: str

    @staticmethod
    def resolve_area_name(obj: Target | Actual) -> str:
        return selectors.area_name(obj)

    @staticmethod
    def resolve_value(obj: Target | Actual) -> float | None:
        return _number(obj.value)

    @staticmethod
    def resolve_numerator(obj: Target | Actual) -> float | None:
        return _number(obj.numerator)

    @staticmethod
    def resolve_denominator(obj: Target | Actual) -> float | None:
        return _number(obj.denominator)


class TargetOut(ValueOut):
    source: str | None = Field(None, alias="source.key")


class ActualOut(ValueOut):
    status: str
    reporting_organisation: str = Field(..., alias="reporting_organisation.code")
    evidence_url: str
    has_evidence_file: bool
    submitted_at: datetime | None
    reviewed_at: datetime | None
    review_note: str

    @staticmethod
    def resolve_has_evidence_file(obj: Actual) -> bool:
        return bool(obj.evidence_file)


class ValueFilter(Schema):
    indicator: str | None = Field(None, description="Indicator code")
    fiscal_year: int | None = Field(None, description="Fiscal year (BE), e.g. 2569")
    quarter: int | None = Field(None, ge=0, le=4, description="0 = the whole year, 1-4")
    area: str | None = Field(None, description="Area key: TH, R:<region>, P:40, L:<org> …")


class ActualFilter(ValueFilter):
    status: str | None = Field(None, description="draft, submitted, returned, approved")
    reporting_organisation: str | None = Field(None, description="Organisation code")


class ValueIn(Schema):
    indicator: str = Field(..., description="Indicator code")
    fiscal_year: int = Field(..., description="Fiscal year (BE), e.g. 2569")
    quarter: int = Field(0, description="0 = the whole year, 1-4 for quarterly indicators")
    area: str = Field("TH", description="Area key: TH, R:<region>, Z:<zone>, P:40, L:<org>")
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str = ""
    source: str = Field("", description="Source key")


class ActualIn(ValueIn):
    evidence_url: str = ""
    reporting_organisation: str = Field(
        "", description="Organisation code; by default the owner, or yours in the province"
    )


class ActualPatch(Schema):
    fiscal_year: int | None = None
    quarter: int | None = None
    area: str | None = None
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    note: str | None = None
    evidence_url: str | None = None
    reporting_organisation: str | None = None
    source: str | None = None


class StepIn(Schema):
    note: str = ""


class SeriesPointOut(Schema):
    fiscal_year: int
    target: float | None
    actual: float | None
    achievement: float | None
    band: str
    target_year: int | None


class SeriesOut(Schema):
    indicator: str
    area: str
    unit: str
    measure_type: str
    points: list[SeriesPointOut]


# --- Helpers ---------------------------------------------------------------------------------


def _indicator_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn the API's codes into service arguments (an empty code clears a field)."""
    fields = dict(payload)
    codes: dict[str, Any] = {
        name: fields.pop(name) for name in ("owner", "plan", "element") if name in fields
    }
    if "sources" in fields:
        codes["sources"] = fields.pop("sources")
    fields.update(selectors.resolve_indicator_codes(**codes))
    return fields


def _source(key: str | None) -> Source | None:
    if not key:
        return None
    source = Source.objects.filter(key=key).first()
    if source is None:
        raise selectors.unknown_code(key, "source")
    return source


def _organisation(code: str | None) -> Organisation | None:
    if not code:
        return None
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise selectors.unknown_code(code, "reporting_organisation")
    return organisation


def _actual(actual_id: int) -> Actual:
    """Return the actual for a write; the service decides whether the caller may change it."""
    actual = Actual.objects.select_related("indicator", "reporting_organisation").filter(
        pk=actual_id
    )
    found = actual.first()
    if found is None:
        raise NotFound(ActualError.NOT_FOUND, _("No actual has the id %(id)s.") % {"id": actual_id})
    return found


# --- Indicators --------------------------------------------------------------------------------


@router.get("", response=list[IndicatorOut], summary="List indicators")
@paginate(PagePagination)
def list_indicators(request: HttpRequest, filters: Query[IndicatorFilter]) -> Any:
    return selectors.indicator_list(
        plan=filters.plan,
        owner=filters.owner,
        element=filters.element,
        measure_type=filters.measure_type,
        search=filters.q,
    )


@router.post("", response={201: IndicatorDetailOut}, auth=WRITE_AUTH, summary="Create an indicator")
def create_indicator(request: HttpRequest, payload: IndicatorIn) -> Any:
    indicator = services.indicator_create(actor=request.user, **_indicator_fields(payload.dict()))
    return Status(201, selectors.indicator_get(indicator.code))


# --- Targets (before /{code}) ------------------------------------------------------------------


@router.get("/targets", response=list[TargetOut], summary="List targets")
@paginate(PagePagination)
def list_targets(request: HttpRequest, filters: Query[ValueFilter]) -> Any:
    return selectors.target_list(
        indicator=filters.indicator,
        fiscal_year=filters.fiscal_year,
        quarter=filters.quarter,
        area=filters.area,
    )


@router.put(
    "/targets",
    response=TargetOut,
    auth=WRITE_AUTH,
    summary="Set a target (create or replace the one of that period and area)",
)
def set_target(request: HttpRequest, payload: ValueIn) -> Any:
    indicator = selectors.indicator_get(payload.indicator)
    target = services.target_set(
        actor=request.user,
        indicator=indicator,
        fiscal_year=payload.fiscal_year,
        quarter=payload.quarter,
        **selectors.area_arguments(payload.area, TargetError),
        value=payload.value,
        numerator=payload.numerator,
        denominator=payload.denominator,
        note=payload.note,
        source=_source(payload.source),
    )
    return selectors.target_get(target.pk)


@router.delete(
    "/targets/{target_id}", response={204: None}, auth=WRITE_AUTH, summary="Delete a target"
)
def delete_target(request: HttpRequest, target_id: int) -> Any:
    services.target_delete(actor=request.user, target=selectors.target_get(target_id))
    return Status(204, None)


# --- Actuals (before /{code}) ------------------------------------------------------------------


@router.get("/actuals", response=list[ActualOut], summary="List actuals")
@paginate(PagePagination)
def list_actuals(request: HttpRequest, filters: Query[ActualFilter]) -> Any:
    """Approved actuals for everyone; those in review only for the people who follow them."""
    return selectors.actual_list(
        viewer=request.user,
        indicator=filters.indicator,
        fiscal_year=filters.fiscal_year,
        quarter=filters.quarter,
        area=filters.area,
        status=filters.status,
        reporting_organisation=filters.reporting_organisation,
    )


@router.post(
    "/actuals",
    response={201: ActualOut},
    auth=WRITE_AUTH,
    summary="Report an actual (a draft; the same period and area's draft is replaced)",
)
def create_actual(request: HttpRequest, payload: ActualIn) -> Any:
    indicator = selectors.indicator_get(payload.indicator)
    actual = services.actual_save(
        actor=request.user,
        indicator=indicator,
        fiscal_year=payload.fiscal_year,
        quarter=payload.quarter,
        **selectors.area_arguments(payload.area, ActualError),
        value=payload.value,
        numerator=payload.numerator,
        denominator=payload.denominator,
        note=payload.note,
        evidence_url=payload.evidence_url,
        reporting_organisation=_organisation(payload.reporting_organisation),
        source=_source(payload.source),
    )
    return Status(201, selectors.actual_get(actual.pk, request.user))


@router.get("/actuals/{actual_id}", response=ActualOut, summary="One actual")
def get_actual(request: HttpRequest, actual_id: int) -> Any:
    return selectors.actual_get(actual_id, request.user)


@router.patch(
    "/actuals/{actual_id}",
    response=ActualOut,
    auth=WRITE_AUTH,
    summary="Correct a draft or returned actual; fields left out keep their values",
)
def update_actual(request: HttpRequest, actual_id: int, payload: ActualPatch) -> Any:
    actual = _actual(actual_id)
    given = payload.dict(exclude_unset=True)
    area = (
        selectors.area_arguments(given["area"], ActualError)
        if given.get("area") is not None
        else selectors.area_arguments(actual.area_key, ActualError)
    )
    current: dict[str, Any] = {
        "fiscal_year": actual.fiscal_year,
        "quarter": actual.quarter,
        "value": actual.value,
        "numerator": actual.numerator,
        "denominator": actual.denominator,
        "note": actual.note,
        "evidence_url": actual.evidence_url,
    }
    for name in current:
        if name in given and not (name in ("fiscal_year", "quarter") and given[name] is None):
            current[name] = given[name]
    if "value" not in given and ({"numerator", "denominator"} & set(given)):
        current["value"] = None  # new parts: the value is computed again from them
    organisation = (
        _organisation(given["reporting_organisation"])
        if given.get("reporting_organisation")
        else actual.reporting_organisation
    )
    source = _source(given["source"]) if "source" in given else actual.source
    updated = services.actual_save(
        actor=request.user,
        indicator=actual.indicator,
        actual=actual,
        **current,
        **area,
        reporting_organisation=organisation,
        source=source,
    )
    return selectors.actual_get(updated.pk, request.user)


@router.delete(
    "/actuals/{actual_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Delete a draft or returned actual",
)
def delete_actual(request: HttpRequest, actual_id: int) -> Any:
    services.actual_delete(actor=request.user, actual=_actual(actual_id))
    return Status(204, None)


@router.post(
    "/actuals/{actual_id}/{step}",
    response=ActualOut,
    auth=WRITE_AUTH,
    summary="Take a review step: submit, approve, return (with a note) or reopen",
)
def step_actual(request: HttpRequest, actual_id: int, step: str, payload: StepIn) -> Any:
    actual = services.actual_step(
        actor=request.user, actual=_actual(actual_id), name=step, note=payload.note
    )
    return selectors.actual_get(actual.pk, request.user)


# --- One indicator ---------------------------------------------------------------------------


@router.get("/{code}", response=IndicatorDetailOut, summary="One indicator")
def get_indicator(request: HttpRequest, code: str) -> Any:
    return selectors.indicator_get(code)


@router.patch(
    "/{code}", response=IndicatorDetailOut, auth=WRITE_AUTH, summary="Change an indicator"
)
def update_indicator(request: HttpRequest, code: str, payload: IndicatorPatch) -> Any:
    indicator = selectors.indicator_get(code)
    services.indicator_update(
        actor=request.user,
        indicator=indicator,
        **_indicator_fields(payload.dict(exclude_unset=True)),
    )
    return selectors.indicator_get(code)


@router.delete("/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete an indicator")
def delete_indicator(request: HttpRequest, code: str) -> Any:
    services.indicator_delete(actor=request.user, indicator=selectors.indicator_get(code))
    return Status(204, None)


@router.get(
    "/{code}/series",
    response=SeriesOut,
    summary="Target and approved actual per fiscal year in an area, with achievement and band",
)
def indicator_series(request: HttpRequest, code: str, area: str = "TH") -> Any:
    indicator = selectors.indicator_get(code)
    place = aggregation.Area.from_key(area)
    points = aggregation.indicator_series(indicator, area=place)
    return {
        "indicator": indicator.code,
        "area": place.key,
        "unit": indicator.unit,
        "measure_type": indicator.measure_type,
        "points": [
            {
                "fiscal_year": p.fiscal_year,
                "target": _number(p.target),
                "actual": _number(p.actual),
                "achievement": _number(p.achievement),
                "band": p.band,
                "target_year": p.target_year,
            }
            for p in points
        ],
    }
