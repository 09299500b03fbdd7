"""Spreadsheet importers of projects with their budgets, and of agreements (MoUs).

The machinery of `phaen.core.import_jobs` reads the workbook, types the cells and calls these
importers (the contract is in `phaen.core.imports`).

**Projects** (`projects`): one row per budget line, the project's own columns repeated on each
of its rows (a project without money has one row with the fiscal year empty). Rows with the same
project code must agree on the project's columns. A project whose code exists is updated, a new
code creates one; a budget line is matched by project, fiscal year, category and funding source.

**Agreements** (`agreements`): one row per agreement; parties, linked projects and plan elements
are codes separated by `;`. An existing code is updated, and its parties are added to.

`check_row` applies every rule it can without writing (codes known, choices, dates in order,
money not negative, disbursed ≤ committed ≤ allocated, the actor's permission), from look-ups
that `prepare` loads in a fixed number of queries. `commit` then writes through the services,
which check everything again and write the audit trail; a refusal there rolls the whole file
back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.core import thai_text
from phaen.core.actors import SYSTEM
from phaen.core.errors import PermissionDenied
from phaen.core.imports import CheckedRow, Column, ColumnKind, RowError
from phaen.geography.models import Province
from phaen.orgs.models import Organisation
from phaen.plans.models import PlanElement
from phaen.projects import services
from phaen.projects.models import (
    Agreement,
    AgreementStatus,
    BudgetCategory,
    BudgetLine,
    FundingSource,
    Project,
    ProjectAreaLevel,
    ProjectKind,
    ProjectStatus,
)

MIN_FISCAL_YEAR = 2400
MAX_FISCAL_YEAR = 2700


def _split(text: Any) -> list[str]:
    """Codes in one cell, separated by `;`, `,` or new lines."""
    if text in (None, ""):
        return []
    parts = str(text).replace(",", ";").replace("\n", ";").split(";")
    return [p.strip() for p in parts if p.strip()]


def _choice_words(choices: type[TextChoices]) -> dict[str, str]:
    """Each choice's value and its Thai and English labels, normalised, → the value."""
    words: dict[str, str] = {}
    for value, label in choices.choices:
        words[thai_text.normalize(str(value))] = str(value)
        for language in ("th", "en"):
            with override(language):
                words[thai_text.normalize(str(label))] = str(value)
    return words


def _choice(
    values: dict[str, Any], key: str, choices: type[TextChoices], default: str
) -> tuple[str | None, bool]:
    """Return (value, ok): the cell read as one of `choices`, the default when empty."""
    text = values.get(key)
    if text in (None, ""):
        return default, True
    found = _choice_words(choices).get(thai_text.normalize(str(text)))
    return found, found is not None


def _choices_text(choices: type[TextChoices]) -> str:
    return ", ".join(f"{value} ({label})" for value, label in choices.choices)


def _is_system(actor: Any) -> bool:
    return actor is SYSTEM or roles_of(actor).system_admin


class _Errors:
    """Collect one row's errors, naming columns by their header in the user's language."""

    def __init__(self, row: int, columns: list[Column]) -> None:
        self.row = row
        self.headers = {c.key: str(c.header) for c in columns}
        self.items: list[RowError] = []

    def add(self, key: str, message: str) -> None:
        self.items.append(RowError(self.row, self.headers.get(key, ""), message))

    def unknown(self, key: str, code: str) -> None:
        self.add(key, _("Unknown code “%(code)s”.") % {"code": code})


def _money_help() -> Promise:
    return gettext_lazy("Baht, 0 or more; leave empty when not known.")


PROJECT_COLUMNS = [
    Column(
        "code",
        gettext_lazy("Project code"),
        required=True,
        help=gettext_lazy("Letters, digits and hyphens; an existing code updates that project."),
        example="kk-smart-city-2569",
    ),
    Column(
        "name_th",
        gettext_lazy("Thai name"),
        required=True,
        help=gettext_lazy("The project's name in Thai."),
        example="โครงการเมืองอัจฉริยะขอนแก่น",
    ),
    Column("name_en", gettext_lazy("English name"), help=gettext_lazy("Optional.")),
    Column(
        "owner",
        gettext_lazy("Owner organisation code"),
        required=True,
        help=gettext_lazy("The code of the organisation that owns the project, e.g. depa."),
        example="depa",
    ),
    Column(
        "kind",
        gettext_lazy("Kind"),
        help=gettext_lazy("project or programme (empty: project)."),
        example="project",
    ),
    Column(
        "status",
        gettext_lazy("Status"),
        help=gettext_lazy(
            "proposed, planned, in_progress, completed, suspended or cancelled, or their Thai "
            "names (empty: planned)."
        ),
        example="in_progress",
    ),
    Column(
        "is_flagship",
        gettext_lazy("Flagship"),
        ColumnKind.BOOLEAN,
        help=gettext_lazy("ใช่ / ไม่ใช่ (yes / no)."),
        example="ไม่ใช่",
    ),
    Column(
        "start_date",
        gettext_lazy("Start date"),
        ColumnKind.DATE,
        help=gettext_lazy("A date, e.g. 1/10/2568 (BE) or 2025-10-01."),
    ),
    Column("end_date", gettext_lazy("End date"), ColumnKind.DATE, help=gettext_lazy("A date.")),
    Column(
        "provinces",
        gettext_lazy("Province codes"),
        help=gettext_lazy(
            "Two-digit codes separated by ; (e.g. 40;45). Empty: a national project."
        ),
        example="40",
    ),
    Column(
        "elements",
        gettext_lazy("Plan element codes"),
        help=gettext_lazy("The codes of the plan elements the project serves, separated by ;."),
    ),
    Column(
        "fiscal_year",
        gettext_lazy("Fiscal year (BE)"),
        ColumnKind.INTEGER,
        help=gettext_lazy("The budget line's Thai fiscal year, e.g. 2569. Empty: no budget line."),
        example=2569,
    ),
    Column(
        "category",
        gettext_lazy("Budget category"),
        help=gettext_lazy("personnel, operating, investment, subsidy or other (empty: other)."),
        example="investment",
    ),
    Column(
        "funding_source",
        gettext_lazy("Funding source"),
        help=gettext_lazy(
            "government, own_revenue, fund, loan, local, private or other (empty: government)."
        ),
        example="government",
    ),
    Column("planned", gettext_lazy("Planned (baht)"), ColumnKind.DECIMAL, help=_money_help()),
    Column(
        "allocated",
        gettext_lazy("Allocated (baht)"),
        ColumnKind.DECIMAL,
        help=_money_help(),
        example=12_000_000,
    ),
    Column("committed", gettext_lazy("Committed (baht)"), ColumnKind.DECIMAL, help=_money_help()),
    Column("disbursed", gettext_lazy("Disbursed (baht)"), ColumnKind.DECIMAL, help=_money_help()),
    Column("note", gettext_lazy("Note"), help=gettext_lazy("Anything to add to the budget line.")),
]

PROJECT_KEYS = (
    "name_th",
    "name_en",
    "owner",
    "kind",
    "status",
    "is_flagship",
    "start_date",
    "end_date",
    "provinces",
    "elements",
)
MONEY = ("planned", "allocated", "committed", "disbursed")


@dataclass
class Lookups:
    actor: Any
    organisations: dict[str, Organisation]
    provinces: dict[str, Province]
    elements: dict[str, PlanElement]
    projects: dict[str, Project]
    planner_of: set[int] | None  # None: may write for every organisation
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: set[tuple[str, int, str, str]] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)

    def may_write_for(self, organisation: Organisation) -> bool:
        return self.planner_of is None or organisation.pk in self.planner_of


def _planner_of(actor: Any) -> set[int] | None:
    if _is_system(actor):
        return None
    roles = roles_of(actor)
    organisations = roles.organisations(Role.PLANNER)
    if not organisations:
        return set()
    # A planner's reach covers the organisations below theirs when granted so.
    return {
        pk
        for pk in Organisation.objects.order_by().values_list("pk", flat=True)
        if roles.covers(Role.PLANNER, pk)
    }


def _lookups(actor: Any, *, elements: bool) -> Lookups:
    planner_of = _planner_of(actor)
    if planner_of is not None and not planner_of:
        raise PermissionDenied()
    return Lookups(
        actor=actor,
        organisations={o.code: o for o in Organisation.objects.order_by()},
        provinces={p.code: p for p in Province.objects.order_by()},
        elements=(
            {e.code: e for e in PlanElement.objects.select_related("plan").order_by()}
            if elements
            else {}
        ),
        projects={p.code: p for p in Project.objects.select_related("owner").order_by()},
        planner_of=planner_of,
    )


def _check_dates(errors: _Errors, start: Any, end: Any, end_key: str) -> None:
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        errors.add(end_key, _("The end date is before the start date."))


class ProjectsImporter:
    """Projects with their budget lines, one row per line."""

    name = "projects"
    label: str | Promise = gettext_lazy("Projects with budgets")

    @property
    def columns(self) -> list[Column]:
        return PROJECT_COLUMNS

    def prepare(self, *, actor: Any, options: dict[str, Any]) -> Lookups:
        """Check the actor plans for some organisation; load the look-ups in six queries."""
        return _lookups(actor, elements=True)

    def check_row(self, row: int, values: dict[str, Any], context: Lookups) -> CheckedRow:
        errors = _Errors(row, PROJECT_COLUMNS)
        code = str(values["code"]).strip()
        clean: dict[str, Any] = {"code": code}
        if not code or slugify(code) != code:
            errors.add("code", _("The code may hold only lower-case letters, digits and hyphens."))

        owner = context.organisations.get(str(values["owner"]).strip())
        if owner is None:
            errors.unknown("owner", str(values["owner"]))
        elif not context.may_write_for(owner):
            errors.add("owner", _("You may not write projects of this organisation."))
        existing = context.projects.get(code)
        if existing is not None and not context.may_write_for(existing.owner):
            errors.add("code", _("You may not change this project."))
        clean["owner"] = owner
        clean["existing"] = existing

        for key, choices, default in (
            ("kind", ProjectKind, ProjectKind.PROJECT),
            ("status", ProjectStatus, ProjectStatus.PLANNED),
        ):
            value, ok = _choice(values, key, choices, default)
            if not ok:
                errors.add(
                    key, _("Choose one of: %(choices)s.") % {"choices": _choices_text(choices)}
                )
            clean[key] = value
        clean["name_th"] = str(values["name_th"]).strip()
        clean["name_en"] = str(values.get("name_en") or "").strip()
        clean["is_flagship"] = bool(values.get("is_flagship"))
        clean["start_date"] = values.get("start_date")
        clean["end_date"] = values.get("end_date")
        _check_dates(errors, clean["start_date"], clean["end_date"], "end_date")

        provinces = []
        for province_code in _split(values.get("provinces")):
            province = context.provinces.get(province_code.zfill(2))
            if province is None:
                errors.unknown("provinces", province_code)
            else:
                provinces.append(province)
        clean["provinces"] = provinces
        element_list = []
        for element_code in _split(values.get("elements")):
            element = context.elements.get(element_code)
            if element is None:
                errors.unknown("elements", element_code)
            else:
                element_list.append(element)
        clean["elements"] = element_list

        # The project's own columns must read the same on each of its rows.
        signature = {k: clean[k] for k in PROJECT_KEYS}
        signature["provinces"] = sorted(p.code for p in provinces)
        signature["elements"] = sorted(e.code for e in element_list)
        first = context.seen.setdefault(code, signature)
        if first != signature:
            errors.add("code", _("This project's columns differ from its earlier row."))

        self._check_budget(errors, values, clean, context)
        return CheckedRow(row, clean, errors.items)

    def _check_budget(
        self, errors: _Errors, values: dict[str, Any], clean: dict[str, Any], context: Lookups
    ) -> None:
        year = values.get("fiscal_year")
        clean["fiscal_year"] = year
        money = {key: values.get(key) for key in MONEY}
        if year is None:
            if any(v is not None for v in money.values()):
                errors.add("fiscal_year", _("Give the fiscal year of the amounts."))
            return
        if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
            errors.add(
                "fiscal_year",
                _("A fiscal year in the Buddhist Era, such as 2569, between %(low)s and %(high)s.")
                % {"low": MIN_FISCAL_YEAR, "high": MAX_FISCAL_YEAR},
            )
        for key, choices, default in (
            ("category", BudgetCategory, BudgetCategory.OTHER),
            ("funding_source", FundingSource, FundingSource.GOVERNMENT),
        ):
            value, ok = _choice(values, key, choices, default)
            if not ok:
                errors.add(
                    key, _("Choose one of: %(choices)s.") % {"choices": _choices_text(choices)}
                )
            clean[key] = value
        for key, amount in money.items():
            if amount is not None and Decimal(amount) < 0:
                errors.add(key, _("An amount cannot be negative."))
            clean[key] = amount
        allocated, committed, disbursed = money["allocated"], money["committed"], money["disbursed"]
        if committed is not None and allocated is not None and committed > allocated:
            errors.add("committed", _("More is committed than allocated."))
        if disbursed is not None and committed is not None and disbursed > committed:
            errors.add("disbursed", _("More is disbursed than committed."))
        elif disbursed is not None and allocated is not None and disbursed > allocated:
            errors.add("disbursed", _("More is disbursed than allocated."))
        clean["note"] = str(values.get("note") or "").strip()
        slot = (clean["code"], year, clean["category"], clean["funding_source"])
        if slot in context.lines:
            errors.add(
                "fiscal_year",
                _("The file has this project's fiscal year, category and source twice."),
            )
        context.lines.add(slot)

    def commit(self, rows: list[CheckedRow], *, actor: Any, context: Lookups) -> dict[str, int]:
        counts = {
            "projects_created": 0,
            "projects_updated": 0,
            "lines_created": 0,
            "lines_updated": 0,
        }
        projects: dict[str, Project] = {}
        for checked in rows:
            values = checked.values
            code = values["code"]
            if code not in projects:
                fields = {
                    k: values[k]
                    for k in (
                        "name_th",
                        "name_en",
                        "owner",
                        "kind",
                        "status",
                        "is_flagship",
                        "start_date",
                        "end_date",
                    )
                }
                alignments = [(element, 1) for element in values["elements"]]
                area = ProjectAreaLevel.PROVINCE if values["provinces"] else ProjectAreaLevel.NATION
                if values["existing"] is None:
                    projects[code] = services.project_create(
                        actor=actor,
                        code=code,
                        area_level=area,
                        provinces=values["provinces"],
                        alignments=alignments,
                        **fields,
                    )
                    counts["projects_created"] += 1
                else:
                    projects[code] = services.project_update(
                        actor=actor,
                        project=values["existing"],
                        area_level=area,
                        provinces=values["provinces"],
                        alignments=alignments or None,
                        **fields,
                    )
                    counts["projects_updated"] += 1
            if values["fiscal_year"] is None:
                continue
            project = projects[code]
            line_fields = {k: values[k] for k in (*MONEY, "note")}
            line = BudgetLine.objects.filter(
                project=project,
                fiscal_year=values["fiscal_year"],
                category=values["category"],
                funding_source=values["funding_source"],
            ).first()
            if line is None:
                services.budget_line_create(
                    actor=actor,
                    project=project,
                    fiscal_year=values["fiscal_year"],
                    category=values["category"],
                    funding_source=values["funding_source"],
                    **line_fields,
                )
                counts["lines_created"] += 1
            else:
                services.budget_line_update(actor=actor, line=line, **line_fields)
                counts["lines_updated"] += 1
        return counts


AGREEMENT_COLUMNS = [
    Column(
        "code",
        gettext_lazy("Agreement code"),
        required=True,
        help=gettext_lazy("Letters, digits and hyphens; an existing code updates that agreement."),
        example="korat-mou-4",
    ),
    Column(
        "title_th",
        gettext_lazy("Thai title"),
        required=True,
        help=gettext_lazy("The agreement's title in Thai."),
        example="บันทึกความเข้าใจความร่วมมือด้านเมืองอัจฉริยะ",
    ),
    Column("title_en", gettext_lazy("English title"), help=gettext_lazy("Optional.")),
    Column(
        "owner",
        gettext_lazy("Recording organisation code"),
        required=True,
        help=gettext_lazy("The code of the organisation that records the agreement."),
        example="depa",
    ),
    Column(
        "parties",
        gettext_lazy("Party organisation codes"),
        help=gettext_lazy("The codes of the parties, separated by ;."),
        example="depa;onde",
    ),
    Column("signed_on", gettext_lazy("Signed on"), ColumnKind.DATE, help=gettext_lazy("A date.")),
    Column("signed_place", gettext_lazy("Signed at"), help=gettext_lazy("The place of signing.")),
    Column(
        "start_date", gettext_lazy("In force from"), ColumnKind.DATE, help=gettext_lazy("A date.")
    ),
    Column(
        "end_date", gettext_lazy("In force until"), ColumnKind.DATE, help=gettext_lazy("A date.")
    ),
    Column(
        "status",
        gettext_lazy("Status"),
        help=gettext_lazy("signed, in_force, expired or terminated (empty: signed)."),
        example="signed",
    ),
    Column(
        "province",
        gettext_lazy("Province code"),
        help=gettext_lazy("The two-digit code of the province it concerns, if one."),
        example="30",
    ),
    Column("aims", gettext_lazy("Aims"), help=gettext_lazy("What the parties agree to do.")),
    Column(
        "dimensions",
        gettext_lazy("Dimensions"),
        help=gettext_lazy("Themes separated by ;, e.g. ความเท่าเทียม;ความปลอดภัย."),
    ),
    Column(
        "projects",
        gettext_lazy("Project codes"),
        help=gettext_lazy("The codes of linked projects, separated by ;."),
    ),
    Column(
        "elements",
        gettext_lazy("Plan element codes"),
        help=gettext_lazy("The codes of linked plan elements, separated by ;."),
    ),
]


class AgreementsImporter:
    """Agreements (MoUs), one row each, with their parties and links as code lists."""

    name = "agreements"
    label: str | Promise = gettext_lazy("Agreements (MoUs)")

    @property
    def columns(self) -> list[Column]:
        return AGREEMENT_COLUMNS

    def prepare(self, *, actor: Any, options: dict[str, Any]) -> Lookups:
        """Check the actor plans for some organisation; load the look-ups in six queries."""
        context = _lookups(actor, elements=True)
        context.seen = {
            a.code: {"owner": a.owner} for a in Agreement.objects.select_related("owner").order_by()
        }
        return context

    def check_row(self, row: int, values: dict[str, Any], context: Lookups) -> CheckedRow:
        errors = _Errors(row, AGREEMENT_COLUMNS)
        code = str(values["code"]).strip()
        clean: dict[str, Any] = {"code": code}
        if not code or slugify(code) != code:
            errors.add("code", _("The code may hold only lower-case letters, digits and hyphens."))
        if code in context.codes:
            errors.add("code", _("The file has this code twice."))
        context.codes.add(code)
        owner = context.organisations.get(str(values["owner"]).strip())
        if owner is None:
            errors.unknown("owner", str(values["owner"]))
        elif not context.may_write_for(owner):
            errors.add("owner", _("You may not record agreements of this organisation."))
        existing = context.seen.get(code)
        if existing is not None and not context.may_write_for(existing["owner"]):
            errors.add("code", _("You may not change this agreement."))
        clean["owner"] = owner
        clean["existing"] = existing is not None
        status, ok = _choice(values, "status", AgreementStatus, AgreementStatus.SIGNED)
        if not ok:
            errors.add(
                "status",
                _("Choose one of: %(choices)s.") % {"choices": _choices_text(AgreementStatus)},
            )
        clean["status"] = status
        for key in ("title_th", "title_en", "signed_place", "aims"):
            clean[key] = str(values.get(key) or "").strip()
        for key in ("signed_on", "start_date", "end_date"):
            clean[key] = values.get(key)
        _check_dates(errors, clean["start_date"], clean["end_date"], "end_date")
        clean["dimensions"] = _split(values.get("dimensions"))
        province_code = str(values.get("province") or "").strip()
        clean["province"] = None
        if province_code:
            clean["province"] = context.provinces.get(province_code.zfill(2))
            if clean["province"] is None:
                errors.unknown("province", province_code)
        for key, table in (
            ("parties", context.organisations),
            ("projects", context.projects),
            ("elements", context.elements),
        ):
            found = []
            for item in _split(values.get(key)):
                if item in table:
                    found.append(table[item])
                else:
                    errors.unknown(key, item)
            clean[key] = found
        return CheckedRow(row, clean, errors.items)

    def commit(self, rows: list[CheckedRow], *, actor: Any, context: Lookups) -> dict[str, int]:
        counts = {"created": 0, "updated": 0}
        existing = {
            a.code: a
            for a in Agreement.objects.prefetch_related("parties").filter(
                code__in=[r.values["code"] for r in rows if r.values["existing"]]
            )
        }
        for checked in rows:
            values = checked.values
            fields = {
                k: values[k]
                for k in (
                    "title_th",
                    "title_en",
                    "owner",
                    "status",
                    "signed_on",
                    "signed_place",
                    "start_date",
                    "end_date",
                    "aims",
                    "dimensions",
                    "province",
                )
            }
            agreement = existing.get(values["code"])
            if agreement is None:
                services.agreement_create(
                    actor=actor,
                    code=values["code"],
                    projects=values["projects"],
                    elements=values["elements"],
                    parties=[{"organisation": o} for o in values["parties"]],
                    **fields,
                )
                counts["created"] += 1
                continue
            services.agreement_update(
                actor=actor,
                agreement=agreement,
                projects=values["projects"] or None,
                elements=values["elements"] or None,
                **fields,
            )
            have = {p.organisation_id for p in agreement.parties.all()}
            for organisation in values["parties"]:
                if organisation.pk not in have:
                    services.agreement_party_add(
                        actor=actor, agreement=agreement, organisation=organisation
                    )
            counts["updated"] += 1
        return counts
