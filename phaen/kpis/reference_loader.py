"""Load the reference indicators, with their targets and results, from `phaen/kpis/reference/`.

`indicators.yaml` holds the indicators the seed news reports name, each with the targets and
the results (actuals) the reports state. The loader runs as the system after the plans loader
(order 40), inside the caller's transaction (`phaen.core.services.reference_load_all`), and
writes the rows itself, as the geography and organisations loaders do. It reads and checks the
whole file before it writes anything, so a bad entry stops the load with the file and the
entry named, and nothing is written.

Rows are matched by code (indicators) or by indicator, fiscal year, quarter and area (targets
and actuals). Only what differs from the file is written, each change with its audit record, so
a second load writes nothing. Rows users added are never deleted, and neither are sources users
added to a reference row. A field the file leaves empty is not known: it is empty on a new row
and left as it is on an existing one, so what a user recorded there survives a reload.

Reference actuals are approved and reported by the indicator's owner, with no reporter: they
come from published sources, not from a data reporter.

The helpers below `indicators_load_reference` (`Codes`, `sync_row`, `split_known`, …) are
shared with `phaen.projects.reference_loader`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.text import slugify

from phaen.core.actors import SYSTEM
from phaen.core.audit import audit_record, snapshot
from phaen.core.errors import ApplicationError
from phaen.core.reference import ReferenceError, read_yaml, require
from phaen.geography.models import Province, Region, SpecialZone
from phaen.kpis import services
from phaen.kpis.errors import ActualError, TargetError
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator, Target
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanElement, Source

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
INDICATORS_FILE = "indicators.yaml"

_INDICATOR_TEXT = ("name_th", "name_en", "definition", "unit", "data_source", "note")
_INDICATOR_CHOICES = {
    "measure_type": "number",
    "direction": "higher",
    "aggregation": "sum",
    "frequency": "yearly",
}


@dataclass
class _Value:
    """A checked target or actual: its slot (period and area) and its fields."""

    slot: dict[str, Any]
    fields: dict[str, Any]


@dataclass
class _IndicatorEntry:
    code: str
    fields: dict[str, Any]
    sources: list[Source]
    targets: list[_Value] = field(default_factory=list)
    actuals: list[_Value] = field(default_factory=list)


def indicators_load_reference(directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Create or update the indicators of `indicators.yaml` with their targets and actuals.

    Returns the number of indicators, targets and actuals held after the load.
    """
    path = directory / INDICATORS_FILE
    codes = Codes()
    entries = [
        _read_indicator(raw, path, position, codes)
        for position, raw in enumerate(read_entries(path, "indicators"), start=1)
    ]
    check_unique([e.code for e in entries], path, "indicator")
    for entry in entries:
        stated, unknown = split_known(entry.fields)
        indicator, _ = sync_row(
            Indicator,
            {"code": entry.code},
            stated,
            defaults=unknown,
            related={"sources": entry.sources},
            action="indicator",
        )
        for target in entry.targets:
            stated, unknown = split_known(target.fields)
            sync_row(
                Target,
                {"indicator": indicator, **target.slot},
                stated,
                defaults=unknown,
                action="target",
            )
        for actual in entry.actuals:
            stated, unknown = split_known(actual.fields)
            # The owner reports the reference figures; the file cannot name another reporter.
            stated["reporting_organisation_id"] = indicator.owner_id
            sync_row(
                Actual,
                {"indicator": indicator, **actual.slot},
                stated,
                defaults=unknown,
                action="actual",
            )
    return {
        "indicators": Indicator.objects.count(),
        "targets": Target.objects.count(),
        "actuals": Actual.objects.count(),
    }


def _read_indicator(raw: Any, path: Path, position: int, codes: Codes) -> _IndicatorEntry:
    code = str(require(raw, "code", f"{path.name}, indicator {position}"))
    where = f"{path.name}, indicator '{code}'"
    if slugify(code) != code:
        raise ReferenceError(
            "reference_invalid",
            f"{where}: the code may hold only lower-case letters, digits and hyphens.",
        )
    owner = codes.organisation(require(raw, "owner", where), where)
    plan = codes.plan(require(raw, "plan", where), where)
    element = codes.element(raw.get("element"), where)
    if element is not None and element.plan_id != plan.pk:
        raise ReferenceError(
            "reference_invalid",
            f"{where}: the element '{element.code}' belongs to another plan than '{plan.code}'.",
        )
    require(raw, "name_th", where)
    fields: dict[str, Any] = {name: str(raw.get(name) or "").strip() for name in _INDICATOR_TEXT}
    fields.update({name: raw.get(name) or default for name, default in _INDICATOR_CHOICES.items()})
    fields.update(
        {
            "plan_id": plan.pk,
            "element_id": element.pk if element is not None else None,
            "owner_id": owner.pk,
            "cumulative": flag(raw, "cumulative", where),
            "baseline_value": number(raw.get("baseline_value"), "baseline_value", where),
            "baseline_date": date(raw.get("baseline_date"), "baseline_date", where),
        }
    )
    indicator = Indicator(code=code, **fields)
    indicator.plan, indicator.element, indicator.owner = plan, element, owner
    check_fields(indicator, where)
    services._refresh_indicator_search(indicator)
    fields["search_document"] = indicator.search_document
    entry = _IndicatorEntry(code, fields, codes.sources(raw, where))
    for kind, errors, into in (
        ("targets", TargetError, entry.targets),
        ("actuals", ActualError, entry.actuals),
    ):
        for number_in_list, item in enumerate(items_of(raw, kind, where), start=1):
            into.append(
                _read_value(
                    item, indicator, f"{where}, {kind[:-1]} {number_in_list}", codes, errors
                )
            )
    for kind, values in (("target", entry.targets), ("actual", entry.actuals)):
        slots = [(v.slot["fiscal_year"], v.slot["quarter"], v.slot["area_key"]) for v in values]
        twice = sorted({s for s in slots if slots.count(s) > 1})
        if twice:
            year, quarter, area = twice[0]
            raise ReferenceError(
                "reference_duplicate",
                f"{where}: two {kind}s for FY{year} quarter {quarter} in {area}.",
            )
    return entry


def _read_value(
    raw: Any,
    indicator: Indicator,
    where: str,
    codes: Codes,
    errors: type[TargetError] | type[ActualError],
) -> _Value:
    area_text = str(require(raw, "area", where))
    source = codes.source(require(raw, "source", where), where)
    area_fields = codes.area(area_text, where)
    try:
        fiscal_year, quarter = services.check_period(
            indicator, require(raw, "fiscal_year", where), raw.get("quarter"), errors
        )
        area = services.resolve_area(**area_fields, errors=errors)
        value, numerator, denominator = services.clean_values(
            indicator, raw.get("value"), raw.get("numerator"), raw.get("denominator"), errors
        )
    except ApplicationError as exc:
        raise ReferenceError(
            "reference_invalid", f"{where}: {exc.message}", detail={"cause": exc.as_dict()}
        ) from exc
    return _Value(
        {"fiscal_year": fiscal_year, "quarter": quarter, "area_key": area.key},
        {
            "area_level": area.level,
            "region_id": area.region.pk if area.region else None,
            "special_zone_id": area.special_zone.pk if area.special_zone else None,
            "province_id": area.province_id,
            "local_organisation_id": (
                area.local_organisation.pk if area.local_organisation else None
            ),
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "note": str(raw.get("note") or "").strip(),
            "source_id": source.pk,
            **({"status": ActualStatus.APPROVED} if errors is ActualError else {}),
        },
    )


# --- Helpers shared with phaen.projects.reference_loader --------------------------------------

REASON = "Loaded from the reference data."


def read_entries(path: Path, key: str) -> list[Any]:
    """Read a reference file holding a mapping with a list under `key`."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ReferenceError(
            "reference_malformed",
            f"{path.name}: expected a mapping with a list under '{key}'.",
            detail={"file": str(path)},
        )
    return list(data[key])


def check_unique(codes: Sequence[str], path: Path, what: str) -> None:
    """Refuse a file that gives the same code to two entries."""
    for code in codes:
        if codes.count(code) > 1:
            raise ReferenceError(
                "reference_duplicate", f"{path.name}, {what} '{code}': the code is used twice."
            )


def items_of(raw: Mapping[str, Any], key: str, where: str) -> list[Any]:
    """Return the list under `key` (empty when left out), or name the entry if it is not one."""
    items = raw.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise ReferenceError("reference_malformed", f"{where}: '{key}' must be a list.")
    return items


def flag(raw: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ReferenceError("reference_malformed", f"{where}: '{key}' must be true or false.")
    return value


def date(value: Any, key: str, where: str) -> dt.date | None:
    """Return a date written as YYYY-MM-DD, or None when it is left out (not known)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ReferenceError(
            "reference_malformed", f"{where}: '{key}' must be a date (YYYY-MM-DD)."
        ) from None


def number(value: Any, key: str, where: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return services.to_decimal(value, key, "reference_invalid")
    except ApplicationError:
        raise ReferenceError("reference_malformed", f"{where}: '{key}' must be a number.") from None


def check_fields(row: models.Model, where: str, exclude: Sequence[str] = ()) -> None:
    """Apply the model's own field rules (choices, lengths, digits) to an unsaved row.

    `exclude` names the fields set only when writing, such as the row a child belongs to.
    """
    try:
        row.clean_fields(exclude=list(exclude))
    except DjangoValidationError as exc:
        problems = "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in exc.message_dict.items()
        )
        raise ReferenceError("reference_invalid", f"{where}: {problems}") from exc


def split_known(fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split fields into those the file states and those it leaves empty (not known).

    The stated ones are written whenever they differ; the others only when a row is created,
    so a reload never clears what a user recorded where the sources are silent.
    """
    stated = {k: v for k, v in fields.items() if v not in (None, "", [], {})}
    unknown = {k: v for k, v in fields.items() if k not in stated}
    return stated, unknown


def sync_row[M: models.Model](
    model: type[M],
    lookup: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    action: str,
    defaults: Mapping[str, Any] | None = None,
    related: Mapping[str, Sequence[models.Model]] | None = None,
) -> tuple[M, bool]:
    """Create the row `lookup` matches, or write the `values` that differ from it.

    `defaults` are used only to create the row. `related` names many-to-many relations whose
    listed rows must be there; rows a user added to them stay. Each creation or change is
    audited as `<action>.create` or `<action>.update` by the system. Returns the row and
    whether anything was written.
    """
    related = related or {}
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **(defaults or {}), **values)
        row.save()
        for name, wanted in related.items():
            getattr(row, name).add(*wanted)
        audit_record(
            actor=SYSTEM,
            action=f"{action}.create",
            target=row,
            after=_state(row, [*values, *(defaults or {})], related),
            reason=REASON,
        )
        return row, True
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    missing: dict[str, list[models.Model]] = {}
    for name, wanted in related.items():
        present = set(getattr(row, name).values_list("pk", flat=True))
        lacking = [obj for obj in wanted if obj.pk not in present]
        if lacking:
            missing[name] = lacking
    if not changed and not missing:
        return row, False
    before = _state(row, changed, missing)
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        stamp = ["updated_at"] if any(f.name == "updated_at" for f in model._meta.fields) else []
        row.save(update_fields=[*changed, *stamp])
    for name, lacking in missing.items():
        getattr(row, name).add(*lacking)
    audit_record(
        actor=SYSTEM,
        action=f"{action}.update",
        target=row,
        before=before,
        after=_state(row, changed, missing),
        reason=REASON,
    )
    return row, True


def _state(row: models.Model, names: Sequence[str], related: Mapping[str, Any]) -> dict[str, Any]:
    """Return the audit snapshot of the named fields and many-to-many relations of a row.

    Field names may be attribute names (`owner_id`). Many-to-many relations are listed as the
    sorted codes (or keys) of their rows, read here rather than by `snapshot`.
    """
    fields: list[str] = []
    for name in names:
        field_name = row._meta.get_field(name).name
        if field_name not in fields:
            fields.append(field_name)
    state = snapshot(row, fields)
    for name in related:
        keys = [_key(obj) for obj in getattr(row, name).all()]
        state[name] = sorted(keys, key=str)
    return state


def _key(obj: models.Model) -> Any:
    for name in ("code", "key"):
        if any(f.name == name for f in obj._meta.concrete_fields):
            return getattr(obj, name)
    return obj.pk


class Codes:
    """Look reference rows up by code, once per load, naming the entry of an unknown code."""

    def __init__(self) -> None:
        self._rows: dict[tuple[type[models.Model], str, str], models.Model | None] = {}

    def get[M: models.Model](
        self, model: type[M], code: Any, where: str, what: str, *, key: str = "code"
    ) -> M:
        index = (model, key, str(code))
        if index not in self._rows:
            self._rows[index] = model._default_manager.filter(**{key: str(code)}).first()
        row = self._rows[index]
        if row is None:
            raise ReferenceError("reference_invalid", f"{where}: unknown {what} '{code}'.")
        assert isinstance(row, model)
        return row

    def organisation(self, code: Any, where: str) -> Organisation:
        return self.get(Organisation, code, where, "organisation")

    def plan(self, code: Any, where: str) -> Plan:
        return self.get(Plan, code, where, "plan")

    def element(self, code: Any, where: str) -> PlanElement | None:
        if code in (None, ""):
            return None
        return self.get(PlanElement, code, where, "plan element")

    def elements(self, raw: Mapping[str, Any], where: str) -> list[PlanElement]:
        return [
            self.get(PlanElement, c, where, "plan element")
            for c in items_of(raw, "elements", where)
        ]

    def province(self, code: Any, where: str) -> Province:
        return self.get(Province, code, where, "province (two digits, 10 = Bangkok)")

    def special_zone(self, code: Any, where: str) -> SpecialZone:
        return self.get(SpecialZone, code, where, "special zone")

    def region(self, code: Any, where: str) -> Region:
        return self.get(Region, code, where, "region")

    def source(self, key: Any, where: str) -> Source:
        return self.get(Source, key, where, "source (see plans/reference/sources.yaml)", key="key")

    def sources(self, raw: Mapping[str, Any], where: str) -> list[Source]:
        """Every reference record cites at least one source of `plans/reference/sources.yaml`."""
        keys = items_of(raw, "sources", where)
        if not keys:
            raise ReferenceError(
                "reference_malformed", f"{where}: the field 'sources' is required."
            )
        return [self.source(key, where) for key in keys]

    def area(self, text: str, where: str) -> dict[str, Any]:
        """Read an area key (`TH`, `R:…`, `Z:…`, `P:…`, `L:…`) into `resolve_area`'s arguments."""
        if text == services.NATION_KEY:
            return {"area_level": AreaLevel.NATION}
        prefix, _, code = text.partition(":")
        if prefix == "R" and code:
            return {"area_level": AreaLevel.REGION, "region": self.region(code, where)}
        if prefix == "Z" and code:
            return {
                "area_level": AreaLevel.SPECIAL_ZONE,
                "special_zone": self.special_zone(code, where),
            }
        if prefix == "P" and code:
            return {"area_level": AreaLevel.PROVINCE, "province": self.province(code, where)}
        if prefix == "L" and code:
            return {
                "area_level": AreaLevel.LOCAL,
                "local_organisation": self.organisation(code, where),
            }
        raise ReferenceError(
            "reference_malformed",
            f"{where}: the area '{text}' is not one of TH, R:<region>, Z:<special zone>, "
            "P:<province>, L:<organisation>.",
        )
