"""Every change to indicators, their targets and their reported actuals.

Each function owns its permission check, its validation and its transaction, with the audit
record of what it changed, so the pages, the API, the spreadsheet importer and the reference
loader change indicators in exactly one way. Failures raise `ApplicationError` subclasses with
the codes in `errors.py`; nothing is half-written.

Periods. A fiscal year is stored as the Buddhist-Era year it is named by (FY2569 runs from
October 2025 to September 2026, and ends in CE 2026 = 2569 - 543). A target or an actual must
fall inside its indicator's plan period (`Plan.start_year`..`end_year`, in CE). Quarter 0 is the
whole fiscal year; quarters 1 to 4 are for quarterly indicators only.

Areas. A value belongs to the nation, a region, a special zone, a province or a local
administration; `area_key` names it in one string (`TH`, `R:<region>`, `Z:<zone>`,
`P:<province>`, `L:<organisation>`), and a local administration's row also stores its province.

Review. An actual is a draft until it is submitted; an approver of the indicator's owner then
approves it or returns it with a note; a returned actual is corrected and submitted again. Only
approved actuals count in public figures; an approved actual changes only after a system
administrator reopens it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import File
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from phaen.core import thai_calendar, thai_text, uploads
from phaen.core.audit import audit_record, snapshot
from phaen.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from phaen.geography.models import Province, Region, SpecialZone
from phaen.kpis import permissions
from phaen.kpis.errors import ActualError, IndicatorError, TargetError
from phaen.kpis.models import (
    Actual,
    ActualStatus,
    Aggregation,
    AreaLevel,
    Direction,
    Frequency,
    Indicator,
    MeasureType,
    Target,
)
from phaen.orgs.models import Organisation, OrganisationKind
from phaen.plans.models import Plan, Source

INDICATOR_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "definition",
    "plan",
    "element",
    "unit",
    "measure_type",
    "direction",
    "cumulative",
    "aggregation",
    "baseline_value",
    "baseline_date",
    "data_source",
    "frequency",
    "owner",
    "note",
)
# Codes the pages and the API use as words in their addresses (/indicators/new/,
# /api/indicators/actuals): no indicator may take them.
RESERVED_CODES = frozenset({"new", "export", "actuals", "targets", "series"})
DECIMAL_PLACES = Decimal("0.0001")
MAX_ABS_VALUE = Decimal(10) ** 16
NATION_KEY = "TH"
MIN_FISCAL_YEAR = thai_calendar.ce_to_be(thai_calendar.MIN_CE_YEAR)
MAX_FISCAL_YEAR = thai_calendar.ce_to_be(thai_calendar.MAX_CE_YEAR)


def _fail(code: str, message: str, field: str | None = None, **detail: Any) -> ValidationFailed:
    if field is not None:
        detail = {"fields": {field: message}, **detail}
    return ValidationFailed(code, message, detail=detail)


def _actor_user(actor: Any) -> Any:
    """Return the actor as a user row to store, or None for the system and the anonymous."""
    return actor if getattr(actor, "pk", None) is not None else None


# --- Numbers -----------------------------------------------------------------------------------


def to_decimal(value: Any, field: str, code: str) -> Decimal | None:
    """Turn a typed number (int, Decimal, float, text) into a Decimal of four places, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = int(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise _fail(code, _("Give a number."), field) from None
    if not number.is_finite():
        raise _fail(code, _("Give a number."), field)
    if abs(number) >= MAX_ABS_VALUE:
        raise _fail(code, _("The number is too large."), field)
    return number.quantize(DECIMAL_PLACES)


def _check_measure(
    measure_type: str, number: Decimal | None, field: str, code: str, what: str
) -> None:
    """Apply the measure type's range to one number (a baseline, a target, an actual)."""
    if number is None:
        return
    if measure_type == MeasureType.PERCENT and not (0 <= number <= 100):
        raise _fail(
            code,
            _("A percentage %(what)s must be between 0 and 100.") % {"what": what},
            field,
        )
    if measure_type == MeasureType.BOOLEAN and number not in (0, 1):
        raise _fail(
            code,
            _("A yes/no %(what)s is 1 (yes) or 0 (no).") % {"what": what},
            field,
        )
    if measure_type in (MeasureType.MONEY, MeasureType.RATIO) and number < 0:
        raise _fail(code, _("The %(what)s cannot be negative.") % {"what": what}, field)


# --- Periods -----------------------------------------------------------------------------------


def fiscal_year_in_plan(plan: Plan | None, fiscal_year: int) -> bool:
    """Tell whether the fiscal year (BE) ends inside the plan's period (CE years)."""
    if plan is None:
        return True
    ends = thai_calendar.be_to_ce(fiscal_year)
    return plan.start_year <= ends <= plan.end_year


def plan_period_be(plan: Plan) -> str:
    """Return the plan's period in BE years, as the period messages name it (2566–2570)."""
    return thai_calendar.format_be_period(plan.start_year, plan.end_year)


def check_period(
    indicator: Indicator,
    fiscal_year: Any,
    quarter: Any,
    errors: type[TargetError] | type[ActualError],
) -> tuple[int, int]:
    """Check a fiscal year (BE) and quarter against the indicator; return them as integers."""
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
        try:
            fiscal_year = int(str(fiscal_year).strip())
        except (TypeError, ValueError):
            raise _fail(
                errors.FISCAL_YEAR_INVALID,
                _("Give the fiscal year in the Buddhist Era, such as 2569."),
                "fiscal_year",
            ) from None
    if not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:
        raise _fail(
            errors.FISCAL_YEAR_INVALID,
            _("Give the fiscal year in the Buddhist Era between %(low)s and %(high)s.")
            % {"low": MIN_FISCAL_YEAR, "high": MAX_FISCAL_YEAR},
            "fiscal_year",
        )
    plan = indicator.plan
    if plan is not None and not fiscal_year_in_plan(plan, fiscal_year):
        raise _fail(
            errors.PERIOD_OUTSIDE_PLAN,
            _("Fiscal year %(year)s is outside the period of the plan “%(plan)s” (%(period)s).")
            % {"year": fiscal_year, "plan": plan.name_th, "period": plan_period_be(plan)},
            "fiscal_year",
            plan_period_be=plan_period_be(plan),
        )
    if quarter is None or quarter == "":
        quarter = 0
    try:
        quarter = int(quarter)
    except (TypeError, ValueError):
        quarter = -1
    if quarter not in (0, 1, 2, 3, 4):
        raise _fail(
            errors.QUARTER_INVALID,
            _("The quarter is 0 (the whole fiscal year) or 1 to 4."),
            "quarter",
        )
    if quarter and indicator.frequency != Frequency.QUARTERLY:
        raise _fail(
            errors.QUARTER_INVALID,
            _("“%(code)s” is reported yearly: use quarter 0, the whole fiscal year.")
            % {"code": indicator.code},
            "quarter",
        )
    return fiscal_year, quarter


# --- Areas -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaChoice:
    """A value's area, checked: its level, its key and the row that names it."""

    level: str
    key: str
    region: Region | None = None
    special_zone: SpecialZone | None = None
    province: Province | None = None
    local_organisation: Organisation | None = None

    @property
    def province_id(self) -> int | None:
        return self.province.pk if self.province is not None else None

    def fields(self) -> dict[str, Any]:
        """Return the area as the model fields of a target or an actual."""
        return {
            "area_level": self.level,
            "area_key": self.key,
            "region": self.region,
            "special_zone": self.special_zone,
            "province": self.province,
            "local_organisation": self.local_organisation,
        }


def area_key(
    level: str,
    *,
    region: Region | None = None,
    special_zone: SpecialZone | None = None,
    province: Province | None = None,
    local_organisation: Organisation | None = None,
) -> str:
    """Name an area in one string: `TH`, `R:<region>`, `Z:<zone>`, `P:<province>`, `L:<org>`."""
    if level == AreaLevel.NATION:
        return NATION_KEY
    if level == AreaLevel.REGION and region is not None:
        return f"R:{region.code}"
    if level == AreaLevel.SPECIAL_ZONE and special_zone is not None:
        return f"Z:{special_zone.code}"
    if level == AreaLevel.PROVINCE and province is not None:
        return f"P:{province.code}"
    if level == AreaLevel.LOCAL and local_organisation is not None:
        return f"L:{local_organisation.code}"
    raise ValueError(f"The area level {level!r} needs its region, zone, province or organisation.")


def resolve_area(
    *,
    area_level: str,
    region: Region | None = None,
    special_zone: SpecialZone | None = None,
    province: Province | None = None,
    local_organisation: Organisation | None = None,
    errors: type[TargetError] | type[ActualError] = ActualError,
) -> AreaChoice:
    """Check that the area is complete and consistent, and return it with its key.

    Only the row the level needs is kept (a province's figure does not keep a region), except
    that a local administration's figure also keeps the administration's province, which must
    be recorded, and must match the province given, if one is.
    """
    code = errors.AREA_INVALID
    level = area_level or AreaLevel.NATION
    if level not in AreaLevel.values:
        raise _fail(code, _("Choose an area level."), "area_level")
    if level == AreaLevel.NATION:
        return AreaChoice(level, NATION_KEY)
    if level == AreaLevel.REGION:
        if region is None:
            raise _fail(code, _("Choose the region."), "region")
        return AreaChoice(level, area_key(level, region=region), region=region)
    if level == AreaLevel.SPECIAL_ZONE:
        if special_zone is None:
            raise _fail(code, _("Choose the special zone."), "special_zone")
        return AreaChoice(
            level, area_key(level, special_zone=special_zone), special_zone=special_zone
        )
    if level == AreaLevel.PROVINCE:
        if province is None:
            raise _fail(code, _("Choose the province."), "province")
        return AreaChoice(level, area_key(level, province=province), province=province)
    organisation = local_organisation
    if organisation is None:
        raise _fail(code, _("Choose the local administration."), "local_organisation")
    if organisation.kind != OrganisationKind.LOCAL_ADMINISTRATION:
        raise _fail(
            code,
            _("“%(name)s” is not a local administration.") % {"name": organisation.name_th},
            "local_organisation",
        )
    if organisation.province_id is None:
        raise _fail(
            code,
            _("The province of “%(name)s” is not recorded; record it before reporting its figures.")
            % {"name": organisation.name_th},
            "local_organisation",
        )
    if province is not None and province.pk != organisation.province_id:
        raise _fail(
            code,
            _("“%(name)s” is not in the province “%(province)s”.")
            % {"name": organisation.name_th, "province": province.name_th},
            "province",
        )
    own_province = province if province is not None else organisation.province
    return AreaChoice(
        level,
        area_key(level, local_organisation=organisation),
        province=own_province,
        local_organisation=organisation,
    )


# --- Values ------------------------------------------------------------------------------------


def clean_values(
    indicator: Indicator,
    value: Any,
    numerator: Any,
    denominator: Any,
    errors: type[TargetError] | type[ActualError],
) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """Check a value with its numerator and denominator against the indicator's rules.

    When the value is left out and both parts are given, it is the numerator over the
    denominator (times 100 for a percentage). An indicator combined as numerators over
    denominators (`weighted`) needs both parts on every row, because its roll-ups add them up.
    """
    what = _("value")
    value = to_decimal(value, "value", errors.VALUE_INVALID)
    numerator = to_decimal(numerator, "numerator", errors.VALUE_INVALID)
    denominator = to_decimal(denominator, "denominator", errors.VALUE_INVALID)
    if denominator is not None and denominator <= 0:
        raise _fail(
            errors.DENOMINATOR_INVALID,
            _("The denominator must be greater than zero."),
            "denominator",
        )
    if numerator is not None and numerator < 0:
        raise _fail(errors.VALUE_INVALID, _("The numerator cannot be negative."), "numerator")
    if indicator.aggregation == Aggregation.WEIGHTED or (
        value is None and (numerator is None) != (denominator is None)
    ):
        if numerator is None:
            raise _fail(
                errors.VALUE_REQUIRED,
                _("Give the numerator and the denominator together."),
                "numerator",
            )
        if denominator is None:
            raise _fail(
                errors.VALUE_REQUIRED,
                _("Give the numerator and the denominator together."),
                "denominator",
            )
    if value is None and numerator is not None and denominator is not None:
        computed = numerator / denominator
        if indicator.measure_type == MeasureType.PERCENT:
            computed *= 100
        value = computed.quantize(DECIMAL_PLACES)
    if value is None:
        raise _fail(
            errors.VALUE_REQUIRED,
            _("Give the value, or the numerator and the denominator."),
            "value",
        )
    _check_measure(indicator.measure_type, value, "value", errors.VALUE_INVALID, what)
    return value, numerator, denominator


# --- Indicators --------------------------------------------------------------------------------


def _refresh_indicator_search(indicator: Indicator) -> None:
    owner = indicator.owner
    plan = indicator.plan
    indicator.search_document = thai_text.search_document(
        indicator.name_th,
        indicator.name_en,
        indicator.code,
        indicator.unit,
        indicator.definition[:2000],
        owner.name_th,
        owner.name_en,
        owner.abbreviation_th,
        owner.abbreviation_en,
        plan.name_th if plan is not None else "",
    )


def _validate_indicator(indicator: Indicator) -> None:
    """Check an indicator's fields against each other; raise `ValidationFailed` on the first."""
    code = indicator.code or ""
    if not code or slugify(code) != code:
        raise _fail(
            IndicatorError.CODE_INVALID,
            _("The code may hold only lower-case letters, digits and hyphens."),
            "code",
        )
    if code in RESERVED_CODES:
        raise _fail(
            IndicatorError.CODE_RESERVED,
            _("“%(code)s” is a word the site's addresses use; choose another code.")
            % {"code": code},
            "code",
        )
    if Indicator.objects.filter(code=code).exclude(pk=indicator.pk).exists():
        raise _fail(
            IndicatorError.CODE_TAKEN,
            _("Another indicator already has the code “%(code)s”.") % {"code": code},
            "code",
        )
    if not (indicator.name_th or "").strip():
        raise _fail(IndicatorError.NAME_REQUIRED, _("The Thai name is required."), "name_th")
    if indicator.owner_id is None:
        raise _fail(
            IndicatorError.OWNER_REQUIRED, _("Choose the organisation that owns it."), "owner"
        )
    element = indicator.element
    if element is not None:
        if indicator.plan_id is None:
            indicator.plan = element.plan
        elif element.plan_id != indicator.plan_id:
            raise _fail(
                IndicatorError.ELEMENT_OTHER_PLAN,
                _("The plan element must belong to the indicator's plan."),
                "element",
            )
    if indicator.plan_id is None:
        raise _fail(
            IndicatorError.PLAN_REQUIRED,
            _("Choose the plan, or the plan element, the indicator measures."),
            "plan",
        )
    for name, choices, message in (
        ("measure_type", MeasureType, _("Choose a measure type.")),
        ("direction", Direction, _("Choose whether higher or lower is better.")),
        ("aggregation", Aggregation, _("Choose how values combine.")),
        ("frequency", Frequency, _("Choose how often it is reported.")),
    ):
        if getattr(indicator, name) not in choices.values:
            raise _fail(IndicatorError.CHOICE_INVALID, message, name)
    if indicator.aggregation == Aggregation.WEIGHTED and indicator.measure_type not in (
        MeasureType.PERCENT,
        MeasureType.RATIO,
    ):
        raise _fail(
            IndicatorError.AGGREGATION_INVALID,
            _("Only percentages and ratios combine as numerators over denominators."),
            "aggregation",
        )
    indicator.baseline_value = to_decimal(
        indicator.baseline_value, "baseline_value", IndicatorError.BASELINE_INVALID
    )
    _check_measure(
        indicator.measure_type,
        indicator.baseline_value,
        "baseline_value",
        IndicatorError.BASELINE_INVALID,
        _("baseline"),
    )
    if indicator.baseline_date is not None and not isinstance(indicator.baseline_date, dt.date):
        raise _fail(IndicatorError.BASELINE_INVALID, _("Give a date."), "baseline_date")


def _check_rows_still_fit(indicator: Indicator) -> None:
    """Refuse a change of plan or frequency that would strand the indicator's figures."""
    years = set(Target.objects.filter(indicator=indicator).values_list("fiscal_year", flat=True))
    years |= set(Actual.objects.filter(indicator=indicator).values_list("fiscal_year", flat=True))
    outside = sorted(y for y in years if not fiscal_year_in_plan(indicator.plan, y))
    if outside:
        assert indicator.plan is not None
        raise _fail(
            IndicatorError.PERIOD_CONFLICT,
            _(
                "The indicator has figures for fiscal years %(years)s, outside the period of "
                "the plan “%(plan)s” (%(period)s)."
            )
            % {
                "years": ", ".join(str(y) for y in outside),
                "plan": indicator.plan.name_th,
                "period": plan_period_be(indicator.plan),
            },
            "plan",
        )
    if indicator.frequency != Frequency.QUARTERLY:
        quarterly = (
            Target.objects.filter(indicator=indicator, quarter__gt=0).exists()
            or Actual.objects.filter(indicator=indicator, quarter__gt=0).exists()
        )
        if quarterly:
            raise _fail(
                IndicatorError.FREQUENCY_CONFLICT,
                _("The indicator has quarterly figures; it cannot become yearly."),
                "frequency",
            )


def _indicator_state(indicator: Indicator) -> dict[str, Any]:
    state = snapshot(indicator, INDICATOR_FIELDS)
    state["sources"] = sorted(source.key for source in indicator.sources.all())
    return state


def indicator_create(*, actor: Any, sources: Sequence[Source] = (), **fields: Any) -> Indicator:
    """Create an indicator of a plan (or of one of its elements) from `INDICATOR_FIELDS`."""
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"indicator_create() got unknown fields: {sorted(unknown)}")
    permissions.ensure(
        permissions.can_create_indicator(actor, fields.get("owner")), actor, "indicator.create"
    )
    for name in ("code", "name_th", "name_en", "unit", "data_source"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    indicator = Indicator(**fields)
    _validate_indicator(indicator)
    with transaction.atomic():
        _refresh_indicator_search(indicator)
        try:
            with transaction.atomic():
                indicator.save()
        except IntegrityError as exc:
            raise _fail(
                IndicatorError.CODE_TAKEN,
                _("Another indicator already has the code “%(code)s”.") % {"code": indicator.code},
                "code",
            ) from exc
        indicator.sources.set(sources)
        audit_record(
            actor=actor,
            action="indicator.create",
            target=indicator,
            after=_indicator_state(indicator),
        )
    return indicator


def indicator_update(
    *,
    actor: Any,
    indicator: Indicator,
    sources: Sequence[Source] | None = None,
    **fields: Any,
) -> Indicator:
    """Change an indicator's fields; only the ones given change.

    A new plan must still hold every fiscal year the indicator has figures for, and an
    indicator with quarterly figures stays quarterly.
    """
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"indicator_update() got unknown fields: {sorted(unknown)}")
    owner_id = Indicator.objects.filter(pk=indicator.pk).values_list("owner_id", flat=True).first()
    permissions.ensure(
        permissions.writes_indicators_of(actor, owner_id), actor, "indicator.update", indicator
    )
    if "owner" in fields and not permissions.can_create_indicator(actor, fields["owner"]):
        raise permissions.deny(actor, "indicator.update", indicator)
    with transaction.atomic():
        indicator = (
            Indicator.objects.select_for_update(of=("self",))
            .select_related("owner", "plan", "element")
            .get(pk=indicator.pk)
        )
        before = _indicator_state(indicator)
        for name, value in fields.items():
            setattr(indicator, name, value.strip() if isinstance(value, str) else value)
        element = indicator.element
        if "plan" in fields and "element" not in fields and element is not None:
            # Moving to another plan drops an element of the old one.
            indicator.element = element if element.plan_id == indicator.plan_id else None
        if "element" in fields and fields["element"] is not None and "plan" not in fields:
            indicator.plan = fields["element"].plan
        _validate_indicator(indicator)
        if {"plan", "element", "frequency"} & set(fields):
            _check_rows_still_fit(indicator)
        _refresh_indicator_search(indicator)
        indicator.save()
        if sources is not None:
            indicator.sources.set(sources)
        audit_record(
            actor=actor,
            action="indicator.update",
            target=indicator,
            before=before,
            after=_indicator_state(indicator),
        )
    return indicator


def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
    """Delete an indicator with its targets; refused while it has reported actuals."""
    permissions.ensure(
        permissions.can_edit_indicator(actor, indicator), actor, "indicator.delete", indicator
    )
    with transaction.atomic():
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
        reported = Actual.objects.filter(indicator=indicator).count()
        if reported:
            raise ApplicationError(
                IndicatorError.HAS_ACTUALS,
                _(
                    "“%(code)s” has %(count)s reported actuals, which are kept as the record of "
                    "what was reported. Delete its draft actuals first; an indicator with "
                    "submitted or approved actuals cannot be deleted."
                )
                % {"code": indicator.code, "count": reported},
                detail={"actuals": reported},
                http_status=409,
            )
        audit_record(
            actor=actor,
            action="indicator.delete",
            target=indicator,
            before=_indicator_state(indicator),
        )
        indicator.delete()


# --- Targets -----------------------------------------------------------------------------------


def _target_state(target: Target) -> dict[str, Any]:
    return snapshot(
        target,
        [
            "indicator",
            "fiscal_year",
            "quarter",
            "area_level",
            "area_key",
            "value",
            "numerator",
            "denominator",
            "note",
            "source",
        ],
    )


def target_set(
    *,
    actor: Any,
    indicator: Indicator,
    fiscal_year: Any,
    quarter: Any = 0,
    area_level: str = AreaLevel.NATION,
    region: Region | None = None,
    special_zone: SpecialZone | None = None,
    province: Province | None = None,
    local_organisation: Organisation | None = None,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    note: str = "",
    source: Source | None = None,
) -> Target:
    """Set the indicator's target for a period and an area, creating or replacing it."""
    permissions.ensure(
        permissions.can_edit_indicator(actor, indicator), actor, "target.set", indicator
    )
    fiscal_year, quarter = check_period(indicator, fiscal_year, quarter, TargetError)
    area = resolve_area(
        area_level=area_level,
        region=region,
        special_zone=special_zone,
        province=province,
        local_organisation=local_organisation,
        errors=TargetError,
    )
    value, numerator, denominator = clean_values(
        indicator, value, numerator, denominator, TargetError
    )
    with transaction.atomic():
        target = (
            Target.objects.select_for_update()
            .filter(
                indicator=indicator, fiscal_year=fiscal_year, quarter=quarter, area_key=area.key
            )
            .first()
        )
        before = _target_state(target) if target is not None else None
        if target is None:
            target = Target(indicator=indicator, fiscal_year=fiscal_year, quarter=quarter)
        for name, field_value in area.fields().items():
            setattr(target, name, field_value)
        target.value, target.numerator, target.denominator = value, numerator, denominator
        target.note = (note or "").strip()
        target.source = source
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError as exc:  # someone set the same target at the same moment
            raise ApplicationError(
                "target_conflict",
                _("Someone else set this target at the same moment; try again."),
                http_status=409,
            ) from exc
        audit_record(
            actor=actor,
            action="target.set",
            target=target,
            before=before,
            after=_target_state(target),
        )
    return target


def target_delete(*, actor: Any, target: Target) -> None:
    """Remove a target."""
    indicator = target.indicator
    permissions.ensure(
        permissions.can_edit_indicator(actor, indicator), actor, "target.delete", target
    )
    with transaction.atomic():
        audit_record(
            actor=actor, action="target.delete", target=target, before=_target_state(target)
        )
        target.delete()


# --- Actuals -----------------------------------------------------------------------------------

ACTUAL_STATE_FIELDS = [
    "indicator",
    "fiscal_year",
    "quarter",
    "area_level",
    "area_key",
    "value",
    "numerator",
    "denominator",
    "note",
    "status",
    "reporting_organisation",
    "reporter",
    "reviewer",
    "review_note",
    "evidence_url",
    "evidence_file",
    "evidence_name",
    "source",
]


def actual_state(actual: Actual) -> dict[str, Any]:
    """Return what the audit trail records of an actual (its relations as codes)."""
    return snapshot(actual, ACTUAL_STATE_FIELDS)


def clean_evidence_url(url: str | None) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise _fail(
            ActualError.EVIDENCE_URL_INVALID,
            _("Give the evidence link as a full web address starting with https://."),
            "evidence_url",
        ) from None
    if len(url) > 500:
        raise _fail(
            ActualError.EVIDENCE_URL_INVALID,
            _("The evidence link is longer than 500 characters."),
            "evidence_url",
        )
    return url


def _slot_taken(existing: Actual) -> ApplicationError:
    if existing.status in permissions.EDITABLE_STATUSES:
        message = _("Another organisation is reporting this period and area (“%(status)s”).") % {
            "status": ActualStatus(existing.status).label
        }
    else:
        message = _(
            "An actual for this period and area is already “%(status)s”; it can no longer be "
            "replaced."
        ) % {"status": ActualStatus(existing.status).label}
    return ApplicationError(
        ActualError.SLOT_TAKEN,
        message,
        detail={"actual": existing.pk, "status": existing.status},
        http_status=409,
    )


def _not_editable(actual: Actual) -> ApplicationError:
    return ApplicationError(
        ActualError.STATUS_INVALID,
        _("An actual that is “%(status)s” cannot be changed.")
        % {"status": ActualStatus(actual.status).label},
        detail={"status": actual.status},
        http_status=409,
    )


def actual_save(
    *,
    actor: Any,
    indicator: Indicator,
    fiscal_year: Any,
    quarter: Any = 0,
    area_level: str = AreaLevel.NATION,
    region: Region | None = None,
    special_zone: SpecialZone | None = None,
    province: Province | None = None,
    local_organisation: Organisation | None = None,
    value: Any = None,
    numerator: Any = None,
    denominator: Any = None,
    note: str = "",
    evidence_url: str = "",
    evidence_file: File | None = None,
    remove_evidence_file: bool = False,
    reporting_organisation: Organisation | None = None,
    source: Source | None = None,
    actual: Actual | None = None,
) -> Actual:
    """Record a reported figure as a draft, or correct a draft or returned one.

    Every call states the actual's whole content. With `actual`, that actual is changed; without
    it, the actual of the same period and area is changed when it is still a draft or returned,
    and a new draft is made when there is none. A submitted or approved actual is not replaced
    (409 `actual_slot_taken`). The reporting organisation defaults to the indicator's owner, or
    for a province's or local administration's figure to the actor's organisation in that
    province. The evidence is a link, a checked file (kept out of the web root), or both; the
    file stays unless another replaces it or `remove_evidence_file` is set.
    """
    action = "actual.update" if actual is not None else "actual.create"
    if actual is not None:
        actual = Actual.objects.select_related("indicator", "reporting_organisation").get(
            pk=actual.pk
        )
        permissions.ensure(
            permissions.reports_for(actor, actual.reporting_organisation_id),
            actor,
            action,
            actual,
        )
        if actual.status not in permissions.EDITABLE_STATUSES:
            raise _not_editable(actual)
        indicator = actual.indicator
        if reporting_organisation is None:
            reporting_organisation = actual.reporting_organisation
    elif not permissions.reports_anything(actor):
        raise permissions.deny(actor, action, indicator)
    area = resolve_area(
        area_level=area_level,
        region=region,
        special_zone=special_zone,
        province=province,
        local_organisation=local_organisation,
        errors=ActualError,
    )
    if reporting_organisation is None:
        reporting_organisation = permissions.default_reporting_organisation(
            actor, indicator, area.level, area.province_id
        )
    if not permissions.can_report(
        actor, indicator, reporting_organisation, area.level, area.province_id
    ):
        raise permissions.deny(actor, action, actual or indicator)
    assert reporting_organisation is not None
    fiscal_year, quarter = check_period(indicator, fiscal_year, quarter, ActualError)
    value, numerator, denominator = clean_values(
        indicator, value, numerator, denominator, ActualError
    )
    url = clean_evidence_url(evidence_url)
    checked = uploads.validate_upload(evidence_file) if evidence_file is not None else None
    with transaction.atomic():
        occupant = (
            Actual.objects.select_for_update()
            .filter(
                indicator=indicator, fiscal_year=fiscal_year, quarter=quarter, area_key=area.key
            )
            .first()
        )
        if actual is None:
            if occupant is not None:
                if occupant.status not in permissions.EDITABLE_STATUSES:
                    raise _slot_taken(occupant)
                if not permissions.reports_for(actor, occupant.reporting_organisation_id):
                    raise _slot_taken(occupant)
                actual = occupant
                action = "actual.update"
        else:
            if occupant is not None and occupant.pk != actual.pk:
                raise _slot_taken(occupant)
            actual = Actual.objects.select_for_update().get(pk=actual.pk)
            if actual.status not in permissions.EDITABLE_STATUSES:
                raise _not_editable(actual)
        before = actual_state(actual) if actual is not None else None
        if actual is None:
            actual = Actual(indicator=indicator, status=ActualStatus.DRAFT)
        actual.fiscal_year, actual.quarter = fiscal_year, quarter
        for name, field_value in area.fields().items():
            setattr(actual, name, field_value)
        actual.value, actual.numerator, actual.denominator = value, numerator, denominator
        actual.note = (note or "").strip()
        actual.evidence_url = url
        actual.reporting_organisation = reporting_organisation
        actual.reporter = _actor_user(actor)
        actual.source = source
        if remove_evidence_file and checked is None:
            actual.evidence_file = actual.evidence_name = ""
        if evidence_file is not None and checked is not None:
            actual.evidence_file = uploads.save_upload(
                evidence_file, checked, folder=f"kpis/{indicator.code}/evidence"
            )
            actual.evidence_name = checked.original_name[:255]
        try:
            with transaction.atomic():
                actual.save()
        except IntegrityError as exc:  # someone reported the same slot at the same moment
            raise ApplicationError(
                ActualError.SLOT_TAKEN,
                _("Someone else reported this period and area at the same moment; try again."),
                http_status=409,
            ) from exc
        audit_record(
            actor=actor,
            action=action,
            target=actual,
            before=before,
            after=actual_state(actual),
        )
    return actual


def _refuse_step(actual: Actual, name: str) -> ApplicationError:
    return ApplicationError(
        ActualError.STATUS_INVALID,
        _("An actual that is “%(status)s” cannot take the step “%(step)s”.")
        % {"status": ActualStatus(actual.status).label, "step": step_label(name)},
        detail={"status": actual.status, "step": name},
        http_status=409,
    )


def step_label(name: str) -> str:
    """Return a review step's name as a button says it."""
    labels = {
        "submit": _("Submit for review"),
        "approve": _("Approve"),
        "return": _("Return for correction"),
        "reopen": _("Reopen"),
    }
    return labels.get(name, name)


def actual_step(*, actor: Any, actual: Actual, name: str, note: str = "") -> Actual:
    """Move an actual one step through its review: submit, approve, return or reopen.

    The state is checked first (409 when the step does not apply), then the permission (403,
    recorded), then again under a row lock. Returning needs a note saying what to correct. The
    approver may not be the person who reported the figure, unless a system administrator.
    """
    if name not in permissions.STEPS:
        raise _fail(
            ActualError.STEP_UNKNOWN,
            _("Unknown review step “%(name)s”.") % {"name": name},
            "step",
        )
    sources, target_status = permissions.STEPS[name]
    actual = Actual.objects.select_related("indicator", "reporting_organisation").get(pk=actual.pk)
    if actual.status not in sources:
        raise _refuse_step(actual, name)
    action = f"actual.{name}"
    if name == "approve" and permissions.is_self_approval(actor, actual):
        audit_record(
            actor=actor,
            action=action,
            target=actual,
            outcome="denied",
            reason="separation of duties",
        )
        raise PermissionDenied(
            ActualError.SELF_APPROVAL,
            _("You reported this figure, so someone else must approve it."),
            detail={"action": action},
        )
    permissions.ensure(permissions.can_step(actor, actual, name), actor, action, actual)
    note = (note or "").strip()
    if name == "return" and not note:
        raise _fail(
            ActualError.RETURN_NOTE_REQUIRED,
            _("Say what should be corrected."),
            "note",
        )
    with transaction.atomic():
        actual = (
            Actual.objects.select_for_update(of=("self",))
            .select_related("indicator", "reporting_organisation")
            .get(pk=actual.pk)
        )
        if actual.status not in sources:  # someone else moved it meanwhile
            raise _refuse_step(actual, name)
        before = actual_state(actual)
        now = timezone.now()
        actual.status = target_status
        if name == "submit":
            actual.submitted_at = now
            actual.reporter = _actor_user(actor)
        elif name in ("approve", "return"):
            actual.reviewer = _actor_user(actor)
            actual.reviewed_at = now
            actual.review_note = note
        else:  # reopen: back in review, with the reason
            actual.reviewer = None
            actual.reviewed_at = None
            actual.review_note = note
        actual.save()
        audit_record(
            actor=actor,
            action=action,
            target=actual,
            before=before,
            after=actual_state(actual),
            reason=note[:500],
        )
    return actual


def actual_submit(*, actor: Any, actual: Actual, note: str = "") -> Actual:
    """Send a draft or returned actual to the owner's approvers."""
    return actual_step(actor=actor, actual=actual, name="submit", note=note)


def actual_approve(*, actor: Any, actual: Actual, note: str = "") -> Actual:
    """Approve a submitted actual: it then counts in public figures."""
    return actual_step(actor=actor, actual=actual, name="approve", note=note)


def actual_return(*, actor: Any, actual: Actual, note: str) -> Actual:
    """Return a submitted actual to its reporters, saying what to correct."""
    return actual_step(actor=actor, actual=actual, name="return", note=note)


def actual_reopen(*, actor: Any, actual: Actual, note: str = "") -> Actual:
    """Take an approved actual back into review (system administrators only)."""
    return actual_step(actor=actor, actual=actual, name="reopen", note=note)


def actual_delete(*, actor: Any, actual: Actual) -> None:
    """Delete a draft or returned actual; submitted and approved ones are kept."""
    actual = Actual.objects.select_related("indicator").get(pk=actual.pk)
    permissions.ensure(
        permissions.reports_for(actor, actual.reporting_organisation_id),
        actor,
        "actual.delete",
        actual,
    )
    if actual.status not in permissions.EDITABLE_STATUSES:
        raise _not_editable(actual)
    with transaction.atomic():
        actual = (
            Actual.objects.select_for_update(of=("self",))
            .select_related("indicator")
            .get(pk=actual.pk)
        )
        if actual.status not in permissions.EDITABLE_STATUSES:
            raise _not_editable(actual)
        audit_record(
            actor=actor, action="actual.delete", target=actual, before=actual_state(actual)
        )
        stored = actual.evidence_file
        actual.delete()
        if stored:
            transaction.on_commit(lambda: uploads.upload_storage().delete(stored))
