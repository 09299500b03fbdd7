"""The spreadsheet importer of actuals: one row per indicator, fiscal year, quarter and area.

The machinery of `phaen.core.import_jobs` reads the workbook, types the cells and calls this
importer (the contract is in `phaen.core.imports`). The rows obey the rules of `actual_save`:
the same period, area and value checks (the functions of `services` apply them), and the same
permission (`permissions.can_report`). Imported actuals go straight to review: they are written
as `submitted`, replacing a draft, returned or submitted actual of the same slot. An approved
actual is never replaced; a system administrator must reopen it first.

Areas in a file are the nation, a province (its two-digit code) or a local administration (its
organisation code); the area level column may be left empty, and is then read from the codes
given. Regions and special zones are reported through the form or the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.core import thai_text
from phaen.core.audit import audit_record
from phaen.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from phaen.core.imports import CheckedRow, Column, ColumnKind, RowError
from phaen.geography.models import Province
from phaen.kpis import permissions, services
from phaen.kpis.errors import ActualError
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator
from phaen.orgs.models import Organisation, OrganisationKind

COLUMNS = [
    Column(
        "indicator",
        gettext_lazy("Indicator code"),
        ColumnKind.TEXT,
        required=True,
        help=gettext_lazy("The indicator's code, as on its page, e.g. eec-5g-coverage."),
        example="eec-5g-coverage",
    ),
    Column(
        "fiscal_year",
        gettext_lazy("Fiscal year (BE)"),
        ColumnKind.INTEGER,
        required=True,
        help=gettext_lazy(
            "The Thai fiscal year in the Buddhist Era (2569 runs from October 2025 to September "
            "2026). It must fall inside the period of the indicator's plan."
        ),
        example=2568,
    ),
    Column(
        "quarter",
        gettext_lazy("Quarter"),
        ColumnKind.INTEGER,
        help=gettext_lazy(
            "0 or empty for the whole fiscal year; 1 to 4 for quarterly indicators only."
        ),
        example=0,
    ),
    Column(
        "area_level",
        gettext_lazy("Area level"),
        ColumnKind.TEXT,
        help=gettext_lazy(
            "ประเทศ (nation), จังหวัด (province) or อปท. (local administration). Empty: read from "
            "the codes given (a local administration's code, else a province's, else the nation)."
        ),
        example="จังหวัด",
    ),
    Column(
        "province",
        gettext_lazy("Province code"),
        ColumnKind.TEXT,
        help=gettext_lazy("The province's two-digit code, e.g. 40 for Khon Kaen."),
        example="40",
    ),
    Column(
        "local_organisation",
        gettext_lazy("Local administration code"),
        ColumnKind.TEXT,
        help=gettext_lazy("The local administration's organisation code, for its own figure."),
    ),
    Column(
        "value",
        gettext_lazy("Value"),
        ColumnKind.DECIMAL,
        help=gettext_lazy(
            "The reported value. May be left empty when the numerator and denominator are given."
        ),
        example=95,
    ),
    Column(
        "numerator",
        gettext_lazy("Numerator"),
        ColumnKind.DECIMAL,
        help=gettext_lazy("For ratios and percentages: the part counted."),
    ),
    Column(
        "denominator",
        gettext_lazy("Denominator"),
        ColumnKind.DECIMAL,
        help=gettext_lazy("For ratios and percentages: the whole, greater than zero."),
    ),
    Column(
        "evidence_url",
        gettext_lazy("Evidence link"),
        ColumnKind.TEXT,
        help=gettext_lazy("A web address of the evidence, starting with https://."),
    ),
    Column("note", gettext_lazy("Note"), ColumnKind.TEXT, help=gettext_lazy("Anything to add.")),
]

# Words an area level cell may hold, normalised; each language's labels are added at run time.
_LEVEL_WORDS = {
    "nation": AreaLevel.NATION,
    "th": AreaLevel.NATION,
    "ประเทศ": AreaLevel.NATION,
    "ทั้งประเทศ": AreaLevel.NATION,
    "ระดับประเทศ": AreaLevel.NATION,
    "province": AreaLevel.PROVINCE,
    "จังหวัด": AreaLevel.PROVINCE,
    "ระดับจังหวัด": AreaLevel.PROVINCE,
    "local": AreaLevel.LOCAL,
    "อปท": AreaLevel.LOCAL,
    "อปท.": AreaLevel.LOCAL,
    "ท้องถิ่น": AreaLevel.LOCAL,
    "องค์กรปกครองส่วนท้องถิ่น": AreaLevel.LOCAL,
    "region": AreaLevel.REGION,
    "ภาค": AreaLevel.REGION,
    "special_zone": AreaLevel.SPECIAL_ZONE,
    "เขตพัฒนาพิเศษ": AreaLevel.SPECIAL_ZONE,
}
IMPORTED_LEVELS = frozenset({AreaLevel.NATION, AreaLevel.PROVINCE, AreaLevel.LOCAL})

Slot = tuple[int, int, int, str]  # indicator id, fiscal year, quarter, area key


@dataclass
class ExistingActual:
    pk: int
    status: str
    reporting_organisation_id: int


@dataclass
class ImportContext:
    """What every row needs, loaded once by `prepare` (a fixed number of queries)."""

    actor: Any
    organisation: Organisation | None
    indicators: dict[str, Indicator]
    provinces: dict[str, Province]
    locals_: dict[str, Organisation]
    other_organisations: set[str]
    reporting: dict[int, Organisation]  # the organisations the actor reports for
    existing: dict[Slot, ExistingActual]
    seen: dict[Slot, int] = field(default_factory=dict)


def _level_of(text: str) -> str | None:
    word = thai_text.normalize(text)
    if word in _LEVEL_WORDS:
        return _LEVEL_WORDS[word]
    for level in AreaLevel:
        for language in ("th", "en"):
            with override(language):
                if thai_text.normalize(str(level.label)) == word:
                    return level.value
    return None


class ActualsImporter:
    """Import reported actuals from a spreadsheet; they go to review as `submitted`."""

    name = "actuals"
    label: str | Promise = gettext_lazy("Indicator actuals")
    option_columns = [
        Column(
            "organisation",
            gettext_lazy("Reporting organisation (code)"),
            ColumnKind.TEXT,
            help=gettext_lazy(
                "The organisation the figures are reported for. Empty: the indicator's owner, "
                "or your organisation in the province of a provincial or local figure."
            ),
        )
    ]

    @property
    def columns(self) -> list[Column]:
        return COLUMNS

    # --- prepare -----------------------------------------------------------------------------

    def prepare(self, *, actor: Any, options: dict[str, Any]) -> ImportContext:
        """Check the actor reports for someone, and load every look-up in seven queries."""
        if not permissions.reports_anything(actor):
            raise PermissionDenied(detail={"action": "import.actuals"})
        code = (options.get("organisation") or "").strip()
        organisation = None
        if code:
            organisation = Organisation.objects.filter(code=code).first()
            if organisation is None:
                message = _("Unknown code “%(code)s”.") % {"code": code}
                raise ValidationFailed(
                    "import_options_invalid", message, detail={"fields": {"organisation": message}}
                )
            if not permissions.reports_for(actor, organisation.pk):
                raise PermissionDenied(detail={"action": "import.actuals"})
        everything = permissions.is_system(actor)
        if everything:
            reporting: dict[int, Organisation] = {}
        else:
            roles = roles_of(actor)
            ids = roles.organisations(Role.DATA_REPORTER) | roles.organisations(Role.PLANNER)
            reporting = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
        indicators = {
            i.code: i for i in Indicator.objects.select_related("plan", "owner").order_by()
        }
        provinces = {p.code: p for p in Province.objects.order_by()}
        local = OrganisationKind.LOCAL_ADMINISTRATION
        locals_ = {
            o.code: o
            for o in Organisation.objects.filter(kind=local).select_related("province").order_by()
        }
        other = set(
            Organisation.objects.exclude(kind=local).order_by().values_list("code", flat=True)
        )
        existing_rows = Actual.objects.order_by()
        if not everything:
            provinces_reported = {o.province_id for o in reporting.values() if o.province_id}
            existing_rows = existing_rows.filter(
                indicator__owner_id__in=list(reporting)
            ) | existing_rows.filter(province_id__in=provinces_reported)
        existing = {
            (ind, year, quarter, key): ExistingActual(pk, status, org)
            for ind, year, quarter, key, pk, status, org in existing_rows.values_list(
                "indicator_id",
                "fiscal_year",
                "quarter",
                "area_key",
                "pk",
                "status",
                "reporting_organisation_id",
            )
        }
        return ImportContext(
            actor=actor,
            organisation=organisation,
            indicators=indicators,
            provinces=provinces,
            locals_=locals_,
            other_organisations=other,
            reporting=reporting,
            existing=existing,
        )

    # --- check_row ---------------------------------------------------------------------------

    def check_row(self, row: int, values: dict[str, Any], context: ImportContext) -> CheckedRow:
        """Check one row against the indicator's rules and the actor's permission."""
        headers = {column.key: str(column.header) for column in COLUMNS}
        errors: list[RowError] = []

        def error(key: str, message: str) -> None:
            errors.append(RowError(row, headers.get(key, ""), message))

        def from_service(exc: ValidationFailed, fallback: str) -> None:
            fields = exc.detail.get("fields") or {}
            if not fields:
                error(fallback, str(exc.message))
            for name, message in fields.items():
                error(name if name in headers else fallback, str(message))

        checked = CheckedRow(row=row, values={}, errors=errors)
        value = numerator = denominator = None
        url = ""
        code = values.get("indicator") or ""
        indicator = context.indicators.get(code)
        if indicator is None:
            error("indicator", _("No indicator has the code “%(code)s”.") % {"code": code})
            return checked
        try:
            fiscal_year, quarter = services.check_period(
                indicator, values.get("fiscal_year"), values.get("quarter"), ActualError
            )
        except ValidationFailed as exc:
            from_service(exc, "fiscal_year")
            fiscal_year = quarter = 0
        area = self._area(values, context, error)
        try:
            value, numerator, denominator = services.clean_values(
                indicator,
                values.get("value"),
                values.get("numerator"),
                values.get("denominator"),
                ActualError,
            )
        except ValidationFailed as exc:
            from_service(exc, "value")
        try:
            url = services.clean_evidence_url(values.get("evidence_url"))
        except ValidationFailed as exc:
            from_service(exc, "evidence_url")
        if area is None or errors:
            return checked
        organisation = self._organisation(context, indicator, area)
        if organisation is None or not permissions.can_report(
            context.actor, indicator, organisation, area.level, area.province_id
        ):
            error(
                "",
                _("You may not report “%(code)s” for this area.") % {"code": indicator.code},
            )
            return checked
        slot: Slot = (indicator.pk, fiscal_year, quarter, area.key)
        if slot in context.seen:
            error(
                "",
                _("Row %(row)s already holds this indicator, period and area.")
                % {"row": context.seen[slot]},
            )
            return checked
        context.seen[slot] = row
        existing = context.existing.get(slot)
        if existing is not None:
            if existing.status == ActualStatus.APPROVED:
                error(
                    "",
                    _(
                        "An approved actual already exists for this indicator, period and area; "
                        "a system administrator must reopen it before it can be replaced."
                    ),
                )
                return checked
            if not permissions.reports_for(context.actor, existing.reporting_organisation_id):
                error(
                    "",
                    _("Another organisation is reporting this indicator, period and area."),
                )
                return checked
        checked.values = {
            "indicator": indicator,
            "fiscal_year": fiscal_year,
            "quarter": quarter,
            "area": area,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "evidence_url": url,
            "note": (values.get("note") or "").strip(),
            "organisation": organisation,
            "existing": existing.pk if existing is not None else None,
        }
        return checked

    def _area(
        self, values: dict[str, Any], context: ImportContext, error: Any
    ) -> services.AreaChoice | None:
        """Read the area columns; report an unknown code or a level that does not fit them."""
        province_code = (values.get("province") or "").strip()
        local_code = (values.get("local_organisation") or "").strip()
        if province_code.isdigit() and len(province_code) == 1:
            province_code = f"0{province_code}"  # a code typed as a number loses its zero
        province = None
        local = None
        failed = False
        if province_code:
            province = context.provinces.get(province_code)
            if province is None:
                error("province", _("Unknown province code “%(code)s”.") % {"code": province_code})
                failed = True
        if local_code:
            local = context.locals_.get(local_code)
            if local is None:
                if local_code in context.other_organisations:
                    message = _("“%(code)s” is not a local administration.")
                else:
                    message = _("Unknown organisation code “%(code)s”.")
                error("local_organisation", message % {"code": local_code})
                failed = True
        text = (values.get("area_level") or "").strip()
        if text:
            level = _level_of(text)
            if level is None:
                error(
                    "area_level",
                    _("Unknown area level “%(level)s”: write ประเทศ, จังหวัด or อปท.")
                    % {"level": text},
                )
                return None
            if level not in IMPORTED_LEVELS:
                error(
                    "area_level",
                    _("Regions and special zones are reported through the form or the API."),
                )
                return None
        elif local_code:
            level = AreaLevel.LOCAL
        elif province_code:
            level = AreaLevel.PROVINCE
        else:
            level = AreaLevel.NATION
        mismatch = (
            (level == AreaLevel.NATION and (province_code or local_code))
            or (level == AreaLevel.PROVINCE and (local_code or not province_code))
            or (level == AreaLevel.LOCAL and not local_code)
        )
        if mismatch:
            error(
                "area_level",
                _(
                    "The area level does not fit the codes: the nation takes no code, a province "
                    "its province code, a local administration its own code."
                ),
            )
            return None
        if failed:
            return None
        try:
            return services.resolve_area(
                area_level=level,
                province=province if level == AreaLevel.PROVINCE else None,
                local_organisation=local,
                errors=ActualError,
            )
        except ValidationFailed as exc:
            fields = exc.detail.get("fields") or {}
            for name, message in fields.items():
                error(name if name in ("province", "local_organisation") else "area_level", message)
            if not fields:
                error("area_level", str(exc.message))
            return None

    def _organisation(
        self, context: ImportContext, indicator: Indicator, area: services.AreaChoice
    ) -> Organisation | None:
        """The option's organisation, else the owner, else the actor's one in the province."""
        if context.organisation is not None:
            return context.organisation
        if permissions.reports_for(context.actor, indicator.owner_id):
            return indicator.owner
        if area.level in (AreaLevel.PROVINCE, AreaLevel.LOCAL) and area.province_id:
            candidates = [
                o for o in context.reporting.values() if o.province_id == area.province_id
            ]
            if candidates:
                return min(candidates, key=lambda o: o.pk)
        return None

    # --- commit ------------------------------------------------------------------------------

    def commit(
        self, rows: list[CheckedRow], *, actor: Any, context: ImportContext
    ) -> dict[str, int]:
        """Write the rows as submitted actuals, in bulk, with one audit record per actual."""
        now = timezone.now()
        reporter = actor if getattr(actor, "pk", None) is not None else None
        wanted = {r.values["existing"]: r for r in rows if r.values["existing"] is not None}
        current = {
            a.pk: a
            for a in Actual.objects.select_for_update(of=("self",))
            .select_related("indicator", "reporting_organisation")
            .filter(pk__in=list(wanted))
        }
        moved = [
            RowError(
                r.row, "", _("This actual was approved or deleted while the file was checked.")
            )
            for pk, r in wanted.items()
            if pk not in current or current[pk].status == ActualStatus.APPROVED
        ]
        if moved:
            raise ApplicationError(
                "import_conflict",
                _("Some actuals changed while the file was being checked; upload it again."),
                detail={"errors": [e.as_dict() for e in moved]},
                http_status=409,
            )
        created: list[Actual] = []
        updated: list[tuple[Actual, dict[str, Any]]] = []
        for checked in rows:
            values = checked.values
            existing = values["existing"]
            if existing is None:
                actual = Actual(indicator=values["indicator"])
                before = None
            else:
                actual = current[existing]
                before = services.actual_state(actual)
            area: services.AreaChoice = values["area"]
            actual.fiscal_year = values["fiscal_year"]
            actual.quarter = values["quarter"]
            for name, value in area.fields().items():
                setattr(actual, name, value)
            actual.value = values["value"]
            actual.numerator = values["numerator"]
            actual.denominator = values["denominator"]
            actual.evidence_url = values["evidence_url"]
            actual.note = values["note"]
            actual.reporting_organisation = values["organisation"]
            actual.reporter = reporter
            actual.status = ActualStatus.SUBMITTED
            actual.submitted_at = now
            actual.reviewer = None
            actual.reviewed_at = None
            actual.updated_at = now
            if before is None:
                created.append(actual)
            else:
                updated.append((actual, before))
        try:
            Actual.objects.bulk_create(created, batch_size=1000)
        except IntegrityError as exc:
            raise ApplicationError(
                ActualError.SLOT_TAKEN,
                _("Someone else reported some of these periods and areas meanwhile; upload again."),
                http_status=409,
            ) from exc
        Actual.objects.bulk_update(
            [actual for actual, _before in updated],
            [
                "fiscal_year",
                "quarter",
                "area_level",
                "area_key",
                "region",
                "special_zone",
                "province",
                "local_organisation",
                "value",
                "numerator",
                "denominator",
                "evidence_url",
                "note",
                "reporting_organisation",
                "reporter",
                "status",
                "submitted_at",
                "reviewer",
                "reviewed_at",
                "updated_at",
            ],
            batch_size=1000,
        )
        for actual in created:
            audit_record(
                actor=actor,
                action="actual.import",
                target=actual,
                after=services.actual_state(actual),
                reason="import",
            )
        for actual, before in updated:
            audit_record(
                actor=actor,
                action="actual.import",
                target=actual,
                before=before,
                after=services.actual_state(actual),
                reason="import",
            )
        return {"created": len(created), "updated": len(updated)}
