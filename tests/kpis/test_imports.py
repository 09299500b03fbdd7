"""The actuals importer, driven through the import machinery with real XLSX files."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from phaen.core import import_jobs
from phaen.core.errors import PermissionDenied
from phaen.core.models import ImportStatus
from phaen.kpis import aggregation, services
from phaen.kpis.imports import COLUMNS, ActualsImporter
from phaen.kpis.models import ActualStatus
from phaen.kpis.permissions import SYSTEM
from tests.kpis.factories import IndicatorFactory, World, actuals, local_administration, world

pytestmark = pytest.mark.django_db

KEYS = [column.key for column in COLUMNS]


@pytest.fixture
def w() -> World:
    return world()


def workbook(rows: list[dict[str, Any]], *, headers: list[str] | None = None) -> SimpleUploadedFile:
    """An XLSX file with the importer's headers (as the template has them) and these rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers or [str(column.header) for column in COLUMNS])
    for row in rows:
        sheet.append([row.get(key) for key in KEYS])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("actuals.xlsx", out.getvalue())


def run(actor: Any, rows: list[dict[str, Any]], **options: Any) -> Any:
    return import_jobs.import_start(
        actor=actor, importer_name="actuals", file=workbook(rows), options=options
    )


def header(key: str) -> str:
    return next(str(column.header) for column in COLUMNS if column.key == key)


def errors_of(job: Any) -> list[tuple[int, str]]:
    return sorted((error["row"], error["column"]) for error in job.errors)


GOOD = {"indicator": "kpi-world", "fiscal_year": 2567, "quarter": 0, "value": 10}


def test_the_acceptance_file_is_refused_row_by_row_and_nothing_is_written(w: World) -> None:
    rows = [
        {**GOOD, "area_level": "จังหวัด", "province": "40"},  # row 2: fine
        {**GOOD, "area_level": "จังหวัด", "province": "99"},  # row 3: unknown province
        {**GOOD, "province": "41", "value": "สิบ"},  # row 4: text in a number column
        {**GOOD, "fiscal_year": 2575, "province": "42"},  # row 5: outside the plan
    ]
    with translation.override("en"):
        job = run(w.users["reporter"], rows)
    assert job.status == ImportStatus.INVALID
    assert errors_of(job) == [
        (3, header("province")),
        (4, header("value")),
        (5, header("fiscal_year")),
    ]
    messages = {error["row"]: error["message"] for error in job.errors}
    assert messages[3] == "Unknown province code “99”."
    assert "สิบ" in messages[4] and "number" in messages[4]
    assert "outside the period of the plan" in messages[5] and "2566–2570" in messages[5]
    assert not actuals().exists()
    assert not w.records().filter(action="import.actuals").exists()


def test_the_corrected_file_imports_as_submitted_and_counts_once_approved(w: World) -> None:
    rows = [
        {**GOOD, "area_level": "จังหวัด", "province": "40"},
        {**GOOD, "province": "41", "value": 20, "evidence_url": "https://example.org/a"},
        {**GOOD, "fiscal_year": 2568, "province": "42", "note": "ปีถัดไป"},
    ]
    job = run(w.users["reporter"], rows)
    assert job.status == ImportStatus.DONE, job.errors
    assert job.summary["counts"] == {"created": 3, "updated": 0}
    made = list(actuals().order_by("area_key", "fiscal_year"))
    assert [(a.area_key, a.fiscal_year, a.value) for a in made] == [
        ("P:40", 2567, 10),
        ("P:41", 2567, 20),
        ("P:42", 2568, 10),
    ]
    assert all(a.status == ActualStatus.SUBMITTED and a.submitted_at for a in made)
    assert all(a.reporting_organisation == w.owner for a in made)
    assert all(a.reporter == w.users["reporter"] for a in made)
    assert w.records().filter(action="actual.import").count() == 3
    assert w.records().filter(action="import.actuals").count() == 1

    assert aggregation.indicator_series(w.indicator) == []  # nothing approved yet
    for actual in made:
        services.actual_approve(actor=w.users["approver"], actual=actual)
    series = aggregation.indicator_series(w.indicator)
    assert [(p.fiscal_year, p.actual) for p in series] == [(2567, 30), (2568, 10)]


def test_a_second_import_updates_what_is_still_in_review(w: World) -> None:
    draft = services.actual_save(
        actor=w.users["reporter"], indicator=w.indicator, fiscal_year=2567, value=1
    )
    job = run(w.users["reporter"], [{**GOOD, "value": 11}, {**GOOD, "fiscal_year": 2568}])
    assert job.status == ImportStatus.DONE, job.errors
    assert job.summary["counts"] == {"created": 1, "updated": 1}
    draft.refresh_from_db()
    assert draft.value == 11 and draft.status == ActualStatus.SUBMITTED
    record = w.records().get(action="actual.import", target_id=str(draft.pk))
    assert record.before["value"] == "1.0000" and record.after["value"] == "11.0000"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ({"indicator": "no-such"}, "indicator", "No indicator has the code “no-such”."),
        ({"quarter": 2}, "quarter", "reported yearly"),
        ({"quarter": 7}, "quarter", "The quarter is 0"),
        ({"area_level": "ประเทศ", "province": "40"}, "area_level", "does not fit the codes"),
        ({"area_level": "อปท."}, "area_level", "does not fit the codes"),
        ({"area_level": "ดาวอังคาร"}, "area_level", "Unknown area level"),
        ({"area_level": "ภาค"}, "area_level", "Regions and special zones"),
        ({"local_organisation": "kpi-other"}, "local_organisation", "not a local administration"),
        ({"local_organisation": "no-such-lao"}, "local_organisation", "Unknown organisation"),
        ({"value": None}, "value", "Give the value"),
        ({"value": 1, "denominator": 0}, "denominator", "greater than zero"),
        ({"evidence_url": "www"}, "evidence_url", "full web address"),
    ],
)
def test_row_errors(w: World, row: dict[str, Any], column: str, message: str) -> None:
    with translation.override("en"):
        job = run(w.users["reporter"], [{**GOOD, **row}])
    assert job.status == ImportStatus.INVALID
    assert errors_of(job) == [(2, header(column))]
    assert message in job.errors[0]["message"]
    assert not actuals().exists()


def test_the_same_slot_twice_in_a_file(w: World) -> None:
    with translation.override("en"):
        job = run(w.users["reporter"], [GOOD, {**GOOD, "value": 3}])
    assert errors_of(job) == [(3, "")]
    assert "Row 2 already holds" in job.errors[0]["message"]


def test_an_approved_slot_is_not_replaced(w: World) -> None:
    actual = services.actual_save(actor=SYSTEM, indicator=w.indicator, fiscal_year=2567, value=1)
    services.actual_approve(
        actor=SYSTEM, actual=services.actual_submit(actor=SYSTEM, actual=actual)
    )
    with translation.override("en"):
        job = run(w.users["reporter"], [GOOD])
    assert errors_of(job) == [(2, "")]
    assert "reopen" in job.errors[0]["message"]
    actual.refresh_from_db()
    assert actual.value == 1


def test_a_row_the_actor_may_not_report(w: World) -> None:
    IndicatorFactory(code="kpi-foreign", owner=w.other)
    lao = local_administration()
    rows = [
        {**GOOD, "indicator": "kpi-foreign"},  # the nation's figure of another owner
        {**GOOD, "province": "40"},  # the province office's own province: allowed
        {**GOOD, "local_organisation": lao.code},  # a local administration of its province
        {**GOOD, "province": "10"},  # another province
    ]
    with translation.override("en"):
        job = run(w.users["provincial_reporter"], rows)
    assert errors_of(job) == [(2, ""), (5, "")]
    assert all("You may not report" in error["message"] for error in job.errors)
    fixed = run(w.users["provincial_reporter"], rows[1:3])
    assert fixed.status == ImportStatus.DONE, fixed.errors
    assert set(actuals().values_list("reporting_organisation", flat=True)) == {w.provincial.pk}
    assert actuals().get(area_key=f"L:{lao.code}").province_id == lao.province_id


def test_the_reporting_organisation_option(w: World) -> None:
    job = run(w.users["system_admin"], [GOOD], organisation=w.other.code)
    assert job.status == ImportStatus.INVALID  # the other office may not report the nation
    job = run(w.users["system_admin"], [GOOD], organisation=w.owner.code)
    assert job.status == ImportStatus.DONE
    assert actuals().get().reporting_organisation == w.owner
    with pytest.raises(PermissionDenied):
        run(w.users["reporter"], [GOOD], organisation=w.other.code)


def test_people_who_report_nothing_may_not_import(w: World) -> None:
    for role in ("approver", "auditor"):
        with pytest.raises(PermissionDenied):
            run(w.users[role], [GOOD])
    assert w.records().filter(action="import.actuals", outcome="denied").count() == 2


def test_the_template_matches_the_columns(w: World) -> None:
    with translation.override("en"):
        content = import_jobs.import_template(ActualsImporter())
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        first = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
        assert first == [import_jobs.template_header(column) for column in COLUMNS]


def test_checking_runs_a_fixed_number_of_queries(w: World) -> None:
    def queries_for(count: int) -> int:
        rows = [{**GOOD, "province": f"{10 + n}"} for n in range(count)]
        rows.append({**GOOD, "indicator": "no-such"})  # keep the file from being written
        with CaptureQueriesContext(connection) as captured:
            job = run(w.users["reporter"], rows)
        assert job.status == ImportStatus.INVALID
        return len(captured.captured_queries)

    queries_for(1)  # the user's roles are read once and kept on the user
    assert queries_for(3) == queries_for(40)


def test_numbers_typed_as_text_and_thai_digits(w: World) -> None:
    job = run(w.users["reporter"], [{**GOOD, "value": "๑,๒๐๐.๕", "province": 40}])
    assert job.status == ImportStatus.DONE, job.errors
    actual = actuals().get()
    assert actual.value == Decimal("1200.5") and actual.area_key == "P:40"
