"""The projects-with-budgets and agreements importers, through the import machinery."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from phaen.accounts.models import Role
from phaen.core import import_jobs
from phaen.core.errors import PermissionDenied
from phaen.core.models import ImportStatus
from phaen.orgs.models import Organisation
from phaen.projects.imports import AGREEMENT_COLUMNS, PROJECT_COLUMNS
from phaen.projects.models import Agreement, BudgetCategory, BudgetLine, Project, ProjectStatus
from tests.conftest import member

pytestmark = pytest.mark.django_db


def workbook(columns: list[Any], rows: list[dict[str, Any]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([str(column.header) for column in columns])
    for row in rows:
        sheet.append([row.get(column.key) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("upload.xlsx", out.getvalue())


def header(columns: list[Any], key: str) -> str:
    return next(str(column.header) for column in columns if column.key == key)


def depa_planner() -> Any:
    return member("depa-planner", Role.PLANNER, Organisation.objects.get(code="depa"))


PROJECT = {
    "code": "kk-smart-city-import",
    "name_th": "โครงการเมืองอัจฉริยะขอนแก่น (นำเข้า)",
    "owner": "depa",
    "status": "in_progress",
    "provinces": "40",
    "fiscal_year": 2569,
    "category": "investment",
    "allocated": 12_000_000,
    "committed": 8_000_000,
    "disbursed": 5_000_000,
}


def run_projects(actor: Any, rows: list[dict[str, Any]]) -> Any:
    with translation.override("th"):
        return import_jobs.import_start(
            actor=actor, importer_name="projects", file=workbook(PROJECT_COLUMNS, rows)
        )


def test_projects_with_budget_lines_import() -> None:
    rows = [
        PROJECT,
        {
            **PROJECT,
            "fiscal_year": 2570,
            "allocated": 3_000_000,
            "committed": None,
            "disbursed": None,
        },
    ]

    job = run_projects(depa_planner(), rows)

    assert job.status == ImportStatus.DONE, job.errors
    project = Project.objects.get(code=PROJECT["code"])
    assert project.status == "in_progress"
    assert [p.code for p in project.provinces.all()] == ["40"]
    lines = BudgetLine.objects.filter(project=project).order_by("fiscal_year")
    assert [(line.fiscal_year, line.allocated) for line in lines] == [
        (2569, Decimal("12000000.00")),
        (2570, Decimal("3000000.00")),
    ]
    assert job.summary["counts"]["projects_created"] == 1
    assert job.summary["counts"]["lines_created"] == 2

    # the same file again updates, and creates nothing
    again = run_projects(depa_planner_again(), rows)
    assert again.status == ImportStatus.DONE
    assert again.summary["counts"]["lines_updated"] == 2
    assert BudgetLine.objects.filter(project=project).count() == 2


def test_choices_may_be_written_in_thai() -> None:
    with translation.override("th"):
        in_progress = str(ProjectStatus.IN_PROGRESS.label)
        investment = str(BudgetCategory.INVESTMENT.label)

    job = run_projects(depa_planner(), [{**PROJECT, "status": in_progress, "category": investment}])

    assert job.status == ImportStatus.DONE, job.errors
    assert Project.objects.get(code=PROJECT["code"]).status == ProjectStatus.IN_PROGRESS


def depa_planner_again() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="depa-planner")


def test_bad_project_rows_are_listed_and_nothing_is_written() -> None:
    rows = [
        PROJECT,
        {**PROJECT, "code": "second", "owner": "no-such-org"},  # row 3
        {**PROJECT, "code": "third", "provinces": "40;99"},  # row 4
        {**PROJECT, "code": "fourth", "disbursed": 9_000_000},  # row 5: more than committed
        {**PROJECT, "code": "fifth", "allocated": "สิบล้าน"},  # row 6: text in a number column
        {**PROJECT, "code": "sixth", "category": "ไม่มีหมวดนี้"},  # row 7
        {**PROJECT, "name_th": "ชื่ออื่น", "fiscal_year": 2570},  # row 8: disagrees with row 2
    ]

    job = run_projects(depa_planner(), rows)

    assert job.status == ImportStatus.INVALID
    found = sorted((e["row"], e["column"]) for e in job.errors)
    with translation.override("th"):
        assert found == sorted(
            [
                (3, header(PROJECT_COLUMNS, "owner")),
                (4, header(PROJECT_COLUMNS, "provinces")),
                (5, header(PROJECT_COLUMNS, "disbursed")),
                (6, header(PROJECT_COLUMNS, "allocated")),
                (7, header(PROJECT_COLUMNS, "category")),
                (8, header(PROJECT_COLUMNS, "code")),
            ]
        )
    assert not Project.objects.filter(code__in=[PROJECT["code"], "fourth"]).exists()


def test_a_planner_cannot_import_another_organisations_projects() -> None:
    rows = [{**PROJECT, "owner": "mdes"}]

    job = run_projects(depa_planner(), rows)

    assert job.status == ImportStatus.INVALID
    assert job.errors[0]["column"]
    assert not Project.objects.filter(code=PROJECT["code"]).exists()


def test_someone_who_plans_for_nobody_may_not_import() -> None:
    reporter = member("depa-reporter", Role.DATA_REPORTER, Organisation.objects.get(code="depa"))
    with pytest.raises(PermissionDenied):
        run_projects(reporter, [PROJECT])


AGREEMENT = {
    "code": "korat-mou-import",
    "title_th": "บันทึกความเข้าใจความร่วมมือด้านเมืองอัจฉริยะ (นำเข้า)",
    "owner": "depa",
    "parties": "depa;onde",
    "signed_on": "1/7/2567",
    "province": "30",
    "dimensions": "ความเท่าเทียม;ความปลอดภัย",
}


def run_agreements(actor: Any, rows: list[dict[str, Any]]) -> Any:
    return import_jobs.import_start(
        actor=actor, importer_name="agreements", file=workbook(AGREEMENT_COLUMNS, rows)
    )


def test_agreements_import_with_parties() -> None:
    job = run_agreements(depa_planner(), [AGREEMENT])

    assert job.status == ImportStatus.DONE, job.errors
    agreement = Agreement.objects.get(code=AGREEMENT["code"])
    assert sorted(p.organisation.code for p in agreement.parties.all()) == ["depa", "onde"]
    assert agreement.province is not None and agreement.province.code == "30"
    assert agreement.signed_on is not None and agreement.signed_on.year == 2024
    assert agreement.dimensions == ["ความเท่าเทียม", "ความปลอดภัย"]


def test_bad_agreement_rows_write_nothing() -> None:
    rows = [
        AGREEMENT,
        {**AGREEMENT, "code": "other", "parties": "depa;nobody"},  # row 3
        {**AGREEMENT, "code": "third", "province": "99"},  # row 4
        AGREEMENT,  # row 5: the same code twice
    ]

    job = run_agreements(depa_planner(), rows)

    assert job.status == ImportStatus.INVALID
    assert sorted(e["row"] for e in job.errors) == [3, 4, 5]
    assert not Agreement.objects.filter(code=AGREEMENT["code"]).exists()
