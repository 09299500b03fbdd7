"""Exports of projects, budget lines, agreements, zones and centres: the registry, the list
pages' download links (CSV, XLSX, JSON) and `phaen export`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from phaen.core import exports
from phaen.projects.exports import (
    AGREEMENT_COLUMNS,
    BUDGET_LINE_COLUMNS,
    CENTRE_COLUMNS,
    PROGRAMME_COLUMNS,
    PROJECT_COLUMNS,
    ZONE_COLUMNS,
)
from phaen.projects.models import AgreementParty, ProgrammeProvince, ProjectPartner
from tests.projects.factories import (
    AgreementFactory,
    AlignmentFactory,
    BudgetLineFactory,
    CentreFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    ZoneFactory,
    province,
)

pytestmark = pytest.mark.django_db


def test_the_app_registers_its_exports_with_names_for_people():
    for name, columns in (
        ("projects", PROJECT_COLUMNS),
        ("budget-lines", BUDGET_LINE_COLUMNS),
        ("agreements", AGREEMENT_COLUMNS),
        ("area-programmes", PROGRAMME_COLUMNS),
        ("smart-city-zones", ZONE_COLUMNS),
        ("community-centres", CENTRE_COLUMNS),
    ):
        export = exports.get(name)
        assert export.columns == columns
        assert set(export.headers) == set(columns), name


def rows_of(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM that makes Excel read Thai as UTF-8
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_projects_csv_follows_the_list_filters():
    flagship = ProjectFactory(
        code="exp-a", name_th="ศูนย์ข้อมูลเมือง", is_flagship=True, area_level="province"
    )
    flagship.provinces.add(province())
    ProjectPartner.objects.create(
        project=flagship, organisation=OrganisationFactory(code="exp-partner"), role="funder"
    )
    AlignmentFactory(project=flagship, weight=Decimal("2"))
    BudgetLineFactory(project=flagship, planned=Decimal("10"), allocated=Decimal("7.5"))
    ProjectFactory(code="exp-b")

    owner = flagship.owner.code
    response = Client().get(f"/delivery/export/projects/?format=csv&flagship=yes&owner={owner}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="phaen-projects.csv"' in response["Content-Disposition"]
    (row,) = rows_of(response)
    assert row["code"] == "exp-a"
    assert row["name_th"] == "ศูนย์ข้อมูลเมือง"
    assert row["is_flagship"] == "True"
    assert row["provinces"] == "40"
    assert row["partners"] == "exp-partner:funder"
    assert row["elements"].endswith(":2.00")
    assert (row["budget_planned"], row["budget_allocated"]) == ("10.00", "7.50")


def test_budget_lines_xlsx_has_a_header_for_people_and_numbers_as_numbers():
    project = ProjectFactory(code="exp-p")
    BudgetLineFactory(project=project, fiscal_year=2569, allocated=Decimal("1000000.50"))
    BudgetLineFactory(project=project, fiscal_year=2570, planned=Decimal("5"))

    response = Client().get(
        "/delivery/export/budget-lines/?format=xlsx&fiscal_year=2569", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Project", "Owner", "Fiscal year (BE)")
    assert len(rows) == 2  # the header and the line of FY2569 only
    assert rows[1][0] == "exp-p"
    assert rows[1][BUDGET_LINE_COLUMNS.index("allocated")] == pytest.approx(1000000.5)


def test_agreements_json_and_zone_and_centre_csv():
    agreement = AgreementFactory(
        code="exp-mou", signed_on=dt.date(2024, 2, 1), dimensions=["ความเท่าเทียม", "ความปลอดภัย"]
    )
    AgreementParty.objects.create(
        agreement=agreement, organisation=OrganisationFactory(code="exp-city"), position=1
    )
    ZoneFactory(code="exp-zone", criteria={"data_platform": True, "management": False})
    CentreFactory(code="exp-centre", opened_on=dt.date(2019, 5, 1))

    agreements = json.loads(
        Client().get("/delivery/export/agreements/?format=json&party=exp-city").content
    )
    (zone,) = rows_of(Client().get("/delivery/export/smart-city-zones/?format=csv&q=exp-zone"))
    (centre,) = rows_of(Client().get("/delivery/export/community-centres/?format=csv&q=exp-centre"))

    assert agreements[0]["code"] == "exp-mou"
    assert agreements[0]["signed_on"] == "2024-02-01"
    assert agreements[0]["parties"] == ["exp-city:party"]
    assert agreements[0]["dimensions"] == ["ความเท่าเทียม", "ความปลอดภัย"]
    assert zone["criteria_met"] == "data_platform"
    assert centre["opened_on"] == "2019-05-01"


def test_unknown_exports_and_formats_are_refused():
    assert Client().get("/delivery/export/plans-secret/").status_code == 404
    assert Client().get("/delivery/export/projects/?format=pdf").status_code == 400


def test_the_export_command_writes_every_row(capsys):
    ProjectFactory(code="exp-cli", name_th="โครงการจากคำสั่ง")

    call_command("export", "projects", format="csv")

    out = capsys.readouterr().out
    assert "exp-cli" in out
    assert "โครงการจากคำสั่ง" in out


def test_area_programmes_csv_lists_their_provinces():
    programme = ProgrammeFactory(code="exp-pilot", kind="pilot_provinces")
    ProgrammeProvince.objects.create(programme=programme, province=province("40", "ขอนแก่น"))
    ProgrammeProvince.objects.create(programme=programme, province=province("50", "เชียงใหม่"))

    rows = rows_of(
        Client().get("/delivery/export/area-programmes/?format=csv&kind=pilot_provinces")
    )

    row = next(r for r in rows if r["code"] == "exp-pilot")
    assert row["provinces"] == "40;50"
    assert row["zone_count"] == "0"
