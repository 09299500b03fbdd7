"""Reads of indicators, targets and actuals: lists, pages, the review queue and history.

Every function here chooses its own `select_related` / `prefetch_related`, so pages and
endpoints run a fixed number of queries whatever the number of rows. Roll-ups over areas and
periods (series, summaries, province values) live in `phaen.kpis.aggregation`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.core import thai_text
from phaen.core.errors import NotFound, ValidationFailed
from phaen.core.models import AuditRecord
from phaen.geography.models import Province, Region, SpecialZone
from phaen.kpis import aggregation, permissions, rollups
from phaen.kpis.errors import ActualError, IndicatorError, TargetError
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator, Target
from phaen.orgs.models import Organisation, OrganisationAlias
from phaen.plans.models import PlanElement, Source

AREA_RELATIONS = ("region", "special_zone", "province", "local_organisation")


# --- Indicators --------------------------------------------------------------------------------


def indicator_search_filter(query: str) -> Q:
    """Return a filter matching indicators whose names, code, owner or plan hold every word.

    The query is normalised and segmented like the stored `search_document`; a word that is an
    organisation's alias (ดีป้า, MDES) also matches that organisation's indicators.
    """
    words = thai_text.tokens(query)
    if not words:
        return Q()
    aliases = dict(
        OrganisationAlias.objects.filter(normalized__in=words).values_list(
            "normalized", "organisation_id"
        )
    )
    condition = Q()
    for word in words:
        term = Q(search_document__icontains=word)
        if word in aliases:
            term |= Q(owner_id=aliases[word])
        condition &= term
    return condition | Q(search_document__icontains=thai_text.normalize(query))


def indicator_list(
    *,
    plan: str | None = None,
    owner: str | None = None,
    element: str | None = None,
    measure_type: str | None = None,
    search: str | None = None,
) -> QuerySet[Indicator]:
    """Return indicators matching the filters (codes of plan, owner, element), by code."""
    indicators = Indicator.objects.select_related("owner", "plan", "element")
    if plan:
        indicators = indicators.filter(plan__code=plan)
    if owner:
        indicators = indicators.filter(owner__code=owner)
    if element:
        indicators = indicators.filter(element__code=element)
    if measure_type:
        indicators = indicators.filter(measure_type=measure_type)
    if search and search.strip():
        indicators = indicators.filter(indicator_search_filter(search))
    return indicators.order_by("code")


def indicator_get(code: str) -> Indicator:
    """Return the indicator with `code` (its owner, plan and element loaded), or `NotFound`."""
    indicator = (
        Indicator.objects.select_related("owner", "plan", "element", *aggregation.AREA_RELATED)
        .prefetch_related("sources", *aggregation.AREA_PREFETCH)
        .filter(code=code)
        .first()
    )
    if indicator is None:
        raise NotFound(
            IndicatorError.NOT_FOUND,
            _("No indicator has the code “%(code)s”.") % {"code": code},
        )
    return indicator


def unknown_code(code: str, field_name: str) -> ValidationFailed:
    """Return the error naming an unknown code, on the field that gave it."""
    message = _("Unknown code “%(code)s”.") % {"code": code}
    return ValidationFailed(
        IndicatorError.UNKNOWN_CODE, message, detail={"fields": {field_name: message}}
    )


def resolve_indicator_codes(
    *,
    owner: str | None = None,
    plan: str | None = None,
    element: str | None = None,
    sources: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Turn codes from the API or a form into rows, naming any unknown code.

    A code of None leaves the field out; an empty code clears it.
    """
    from phaen.plans.models import Plan

    resolved: dict[str, Any] = {}
    for name, model, value in (
        ("owner", Organisation, owner),
        ("plan", Plan, plan),
        ("element", PlanElement, element),
    ):
        if value is None:
            continue
        if value == "":
            resolved[name] = None
            continue
        obj = model.objects.filter(code=value).first()
        if obj is None:
            raise unknown_code(value, name)
        resolved[name] = obj
    if sources is not None:
        wanted = list(dict.fromkeys(sources))
        found = {s.key: s for s in Source.objects.filter(key__in=wanted)}
        missing = [key for key in wanted if key not in found]
        if missing:
            raise unknown_code(", ".join(missing), "sources")
        resolved["sources"] = [found[key] for key in wanted]
    return resolved


# --- Areas -------------------------------------------------------------------------------------


def area_arguments(
    key: str | None, errors: type[TargetError] | type[ActualError] = ActualError
) -> dict[str, Any]:
    """Turn an area key (`TH`, `R:<region>`, `Z:<zone>`, `P:<province>`, `L:<organisation>`)
    into the area arguments of `target_set` and `actual_save`, naming an unknown code."""
    text = (key or "TH").strip()
    if text.upper() == "TH":
        return {"area_level": AreaLevel.NATION}
    prefix, _sep, code = text.partition(":")
    models: dict[str, tuple[str, str, Any, str]] = {
        "R": (AreaLevel.REGION, "region", Region, "code"),
        "Z": (AreaLevel.SPECIAL_ZONE, "special_zone", SpecialZone, "code"),
        "P": (AreaLevel.PROVINCE, "province", Province, "code"),
        "L": (AreaLevel.LOCAL, "local_organisation", Organisation, "code"),
    }
    found = models.get(prefix.upper())
    if found is None or not code:
        message = _("Give the area as TH, R:<region>, Z:<zone>, P:<province> or L:<organisation>.")
        raise ValidationFailed(errors.AREA_INVALID, message, detail={"fields": {"area": message}})
    level, name, model, attribute = found
    row = model.objects.filter(**{attribute: code.strip()}).first()
    if row is None:
        message = _("Unknown area “%(area)s”.") % {"area": text}
        raise ValidationFailed(errors.AREA_INVALID, message, detail={"fields": {"area": message}})
    return {"area_level": level, name: row}


def area_name(row: Target | Actual) -> str:
    """Name a target's or actual's area in Thai (its relations loaded by the list selectors)."""
    level = row.area_level
    if level == AreaLevel.NATION:
        return str(_("Whole country"))
    places: dict[str, Any] = {
        AreaLevel.REGION: row.region,
        AreaLevel.SPECIAL_ZONE: row.special_zone,
        AreaLevel.PROVINCE: row.province,
        AreaLevel.LOCAL: row.local_organisation,
    }
    related = places.get(level)
    return related.name_th if related is not None else row.area_key


# --- Targets -----------------------------------------------------------------------------------


def target_list(
    *,
    indicator: str | None = None,
    fiscal_year: int | None = None,
    quarter: int | None = None,
    area: str | None = None,
) -> QuerySet[Target]:
    """Return targets matching the filters (indicator code, BE year, quarter, area key)."""
    targets = Target.objects.select_related("indicator", "source", *AREA_RELATIONS)
    if indicator:
        targets = targets.filter(indicator__code=indicator)
    if fiscal_year is not None:
        targets = targets.filter(fiscal_year=fiscal_year)
    if quarter is not None:
        targets = targets.filter(quarter=quarter)
    if area:
        targets = targets.filter(area_key=area.strip())
    return targets.order_by("indicator__code", "fiscal_year", "quarter", "area_key")


def target_get(pk: int, indicator: Indicator | None = None) -> Target:
    """Return target `pk` (of `indicator`, when given), or `NotFound`."""
    targets = Target.objects.select_related("indicator", "indicator__owner", *AREA_RELATIONS)
    if indicator is not None:
        targets = targets.filter(indicator=indicator)
    target = targets.filter(pk=pk).first()
    if target is None:
        raise NotFound(TargetError.NOT_FOUND, _("No target has the id %(id)s.") % {"id": pk})
    return target


# --- Actuals -----------------------------------------------------------------------------------


def _actuals() -> QuerySet[Actual]:
    return Actual.objects.select_related(
        "indicator",
        "indicator__owner",
        "reporting_organisation",
        "reporter",
        "reviewer",
        "source",
        *AREA_RELATIONS,
    )


def actual_list(
    *,
    viewer: Any,
    indicator: str | None = None,
    fiscal_year: int | None = None,
    quarter: int | None = None,
    area: str | None = None,
    status: str | None = None,
    reporting_organisation: str | None = None,
    approved_only: bool = False,
) -> QuerySet[Actual]:
    """Return the actuals `viewer` may read that match the filters.

    The public reads approved actuals only; the rest go to those who follow their work
    (`permissions.actual_visibility_filter`), so a status filter shows only what they may read.
    """
    actuals = _actuals()
    visible = permissions.actual_visibility_filter(viewer)
    if visible is not None:
        actuals = actuals.filter(visible)
    if approved_only:
        actuals = actuals.filter(status=ActualStatus.APPROVED)
    if indicator:
        actuals = actuals.filter(indicator__code=indicator)
    if fiscal_year is not None:
        actuals = actuals.filter(fiscal_year=fiscal_year)
    if quarter is not None:
        actuals = actuals.filter(quarter=quarter)
    if area:
        actuals = actuals.filter(area_key=area.strip())
    if status:
        actuals = actuals.filter(status=status)
    if reporting_organisation:
        actuals = actuals.filter(reporting_organisation__code=reporting_organisation)
    return actuals.order_by("indicator__code", "fiscal_year", "quarter", "area_key")


def actual_get(pk: int, viewer: Any) -> Actual:
    """Return actual `pk` if `viewer` may read it; `NotFound` otherwise (drafts stay unknown)."""
    actual = _actuals().filter(pk=pk).first()
    if actual is None or not permissions.can_view_actual(viewer, actual):
        raise NotFound(ActualError.NOT_FOUND, _("No actual has the id %(id)s.") % {"id": pk})
    return actual


@dataclass
class ActualQueue:
    """A user's work on actuals: what they report and have yet to send, and what awaits them."""

    to_send: list[Actual] = field(default_factory=list)
    sent: list[Actual] = field(default_factory=list)
    to_review: list[Actual] = field(default_factory=list)


def actual_queue(viewer: Any, *, limit: int = 200) -> ActualQueue:
    """Return the viewer's queue, in three queries at most.

    `to_send`: drafts and returned actuals of the organisations they report for. `sent`: their
    organisations' actuals waiting for review. `to_review`: submitted actuals of indicators whose
    owner they approve for (system administrators review everything).
    """
    queue = ActualQueue()
    if not getattr(viewer, "is_authenticated", False):
        return queue
    roles = roles_of(viewer)
    reporting = roles.organisations(Role.DATA_REPORTER) | roles.organisations(Role.PLANNER)
    ordering = ("-updated_at", "-pk")
    if roles.system_admin or reporting:
        mine = _actuals().filter(
            status__in=[ActualStatus.DRAFT, ActualStatus.RETURNED, ActualStatus.SUBMITTED]
        )
        if not roles.system_admin:
            mine = mine.filter(reporting_organisation_id__in=reporting)
        else:
            mine = mine.filter(reporter_id=viewer.pk)
        rows = list(mine.order_by(*ordering)[:limit])
        queue.to_send = [a for a in rows if a.status != ActualStatus.SUBMITTED]
        queue.sent = [a for a in rows if a.status == ActualStatus.SUBMITTED]
    approving = roles.organisations(Role.APPROVER)
    if roles.system_admin or approving:
        waiting = _actuals().filter(status=ActualStatus.SUBMITTED)
        if not roles.system_admin:
            waiting = waiting.filter(indicator__owner_id__in=approving)
        queue.to_review = list(waiting.order_by("submitted_at", "pk")[:limit])
    return queue


def actual_history(actual: Actual) -> QuerySet[AuditRecord]:
    """Return what was done to the actual (the audit trail's records of it), oldest first.

    Refused attempts stay in the audit trail, for auditors; the actual's page shows its changes.
    One query.
    """
    records = AuditRecord.objects.filter(
        target_type="kpis.actual", target_id=str(actual.pk), outcome="ok"
    )
    return records.order_by("id")


# --- An indicator's table ----------------------------------------------------------------------


@dataclass
class TableRow:
    """One period and area of an indicator: its target, approved actual, achievement, band."""

    fiscal_year: int
    quarter: int
    area_key: str
    area_level: str
    area_name: str
    target: Decimal | None
    actual: Decimal | None
    achievement: Decimal | None
    band: str
    actual_id: int | None = None


def indicator_table(indicator: Indicator) -> list[TableRow]:
    """Return the indicator's targets beside its approved actuals, per year, quarter and area.

    Two queries. Achievement and band compare each row's actual with the target of the same
    period and area (`rollups.achievement`); roll-ups over areas are `aggregation`'s work.
    """
    rows: dict[tuple[int, int, str], dict[str, Any]] = defaultdict(dict)
    for row in Target.objects.filter(indicator=indicator).select_related(*AREA_RELATIONS):
        rows[(row.fiscal_year, row.quarter, row.area_key)]["target"] = row
    approved = Actual.objects.filter(indicator=indicator, status=ActualStatus.APPROVED)
    for reported in approved.select_related(*AREA_RELATIONS):
        rows[(reported.fiscal_year, reported.quarter, reported.area_key)]["actual"] = reported
    table: list[TableRow] = []
    for (year, quarter, key), found in sorted(rows.items()):
        target: Target | None = found.get("target")
        actual: Actual | None = found.get("actual")
        shown: Target | Actual | None = actual or target
        assert shown is not None
        target_value = target.value if target is not None else None
        actual_value = actual.value if actual is not None else None
        achieved = rollups.achievement(
            actual_value, target_value, indicator.baseline_value, indicator.direction
        )
        table.append(
            TableRow(
                fiscal_year=year,
                quarter=quarter,
                area_key=key,
                area_level=shown.area_level,
                area_name=area_name(shown),
                target=target_value,
                actual=actual_value,
                achievement=achieved,
                band=rollups.band(achieved),
                actual_id=actual.pk if actual is not None else None,
            )
        )
    return table


def areas_of(indicator: Indicator) -> list[tuple[str, str]]:
    """Return the areas the indicator has targets or approved actuals in, as (key, name).

    The nation comes first, then the others by key. Two queries.
    """
    found: dict[str, str] = {"TH": str(_("Whole country"))}
    rows: list[Target | Actual] = [
        *Target.objects.filter(indicator=indicator)
        .select_related(*AREA_RELATIONS)
        .order_by("area_key"),
        *Actual.objects.filter(indicator=indicator, status=ActualStatus.APPROVED)
        .select_related(*AREA_RELATIONS)
        .order_by("area_key"),
    ]
    for row in rows:
        found.setdefault(row.area_key, area_name(row))
    nation = [("TH", found.pop("TH"))]
    return nation + sorted(found.items())
