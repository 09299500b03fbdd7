"""Spreadsheet imports: templates, typed cells, refusals by row and column, background jobs,
permissions, the pages, the API and `phaen import`.

A test-only importer writes organisation aliases through the organisations service, so every
path runs against real models; the real importers (indicators, projects) have their own tests.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from phaen import cli
from phaen.core import import_jobs, imports
from phaen.core.actors import SYSTEM
from phaen.core.errors import NotFound, PermissionDenied, ValidationFailed
from phaen.core.import_jobs import CellError, convert_cell
from phaen.core.imports import CheckedRow, Column, ColumnKind, RowError
from phaen.core.models import AuditRecord, ImportJob, ImportStatus
from phaen.orgs.models import Organisation, OrganisationAlias
from phaen.orgs.services import organisation_alias_add
from tests.conftest import member, planning_office, signed_in
from tests.tasks import DATABASE_TASKS, IMMEDIATE_TASKS, run_worker_once

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
KIND = "test-aliases"


# --- A test importer ---------------------------------------------------------------------------


class AliasImporter:
    """Adds aliases to organisations named by code; may be told to skip a row or to break."""

    name = KIND
    label = "ชื่อเรียกอื่นของหน่วยงาน (ทดสอบ)"
    columns = [
        Column("organisation", "รหัสหน่วยงาน", required=True, help="รหัสในระบบ", example="EXAMPLE"),
        Column("alias", "ชื่อเรียกอื่น", required=True, help="ชื่อย่อหรือชื่อเดิม", example="ตัวอย่าง"),
        Column("priority", "ลำดับ", kind=ColumnKind.INTEGER, help="1 ขึ้นไป", example=1),
        Column("since", "ใช้ตั้งแต่", kind=ColumnKind.DATE, example=dt.date(2026, 1, 15)),
        Column("add", "เพิ่ม", kind=ColumnKind.BOOLEAN, example=True),
        Column("weight", "น้ำหนัก", kind=ColumnKind.DECIMAL),
    ]

    def __init__(self) -> None:
        self.explode = False
        self.progress_seen: list[int] = []
        self.watch_progress = False

    def prepare(self, *, actor: Any, options: dict[str, Any]) -> Any:
        if not actor.has_perm("orgs.change_organisation"):
            raise PermissionDenied()
        return {"orgs": {o.code: o for o in Organisation.objects.all()}, "seen": set()}

    def check_row(self, row: int, values: dict[str, Any], context: Any) -> CheckedRow:
        if self.explode:
            raise RuntimeError("a bug in the importer")
        if self.watch_progress:  # only this test importer reads the job while checking
            self.progress_seen.append(
                ImportJob.objects.order_by("-pk").values_list("processed_rows", flat=True)[0]
            )
        checked = CheckedRow(row=row, values=dict(values))
        organisation = context["orgs"].get(values["organisation"])
        if organisation is None:
            checked.errors.append(
                RowError(row, "รหัสหน่วยงาน", f"ไม่พบหน่วยงานรหัส {values['organisation']}")
            )
        checked.values["organisation"] = organisation
        if values["priority"] is not None and values["priority"] < 1:
            checked.errors.append(RowError(row, "ลำดับ", "ลำดับต้องเป็น 1 ขึ้นไป"))
        if values["alias"] in context["seen"]:
            checked.errors.append(RowError(row, "ชื่อเรียกอื่น", "ชื่อซ้ำกับแถวก่อนหน้า"))
        context["seen"].add(values["alias"])
        return checked

    def commit(self, rows: list[CheckedRow], *, actor: Any, context: Any) -> dict[str, int]:
        created = skipped = 0
        for row in rows:
            if row.values["add"] is False:
                skipped += 1
                continue
            organisation_alias_add(
                actor=actor, organisation=row.values["organisation"], alias=row.values["alias"]
            )
            created += 1
        return {"created": created, "skipped": skipped}


@pytest.fixture
def importer():
    made = AliasImporter()
    imports.register(made)
    yield made
    imports.unregister(made.name)


@pytest.fixture
def office():
    return planning_office()


@pytest.fixture
def editor(office):
    """A user who may change organisations, so the test importer lets them import."""
    user = member("editor", "planner", office)
    user.user_permissions.set(Permission.objects.filter(codename="change_organisation"))
    return user


HEADERS = ["รหัสหน่วยงาน *", "ชื่อเรียกอื่น *", "ลำดับ", "ใช้ตั้งแต่", "เพิ่ม", "น้ำหนัก"]


def xlsx_bytes(rows: list[list[Any]], headers: list[Any] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS if headers is None else headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "aliases.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def good_rows(office) -> list[list[Any]]:
    return [
        [office.code, "สนง.ทดสอบ", 1, "15/3/2569", "ใช่", "1,234.5"],
        [office.code, "Test Office", "๒", dt.datetime(2026, 1, 1), "yes", None],
        [office.code, "ไม่ต้องเพิ่ม", None, None, "ไม่ใช่", 3],
    ]


def start(actor, data: bytes, **kwargs: Any) -> ImportJob:
    return import_jobs.import_start(
        actor=actor,
        importer_name=KIND,
        file=upload(data, kwargs.pop("name", "aliases.xlsx")),
        **kwargs,
    )


# --- Typed cells -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("  สวัสดี ", ColumnKind.TEXT, "สวัสดี"),
        (10.0, ColumnKind.TEXT, "10"),
        (42, ColumnKind.TEXT, "42"),
        (dt.datetime(2026, 3, 15), ColumnKind.TEXT, "2026-03-15"),
        (12, ColumnKind.INTEGER, 12),
        (12.0, ColumnKind.INTEGER, 12),
        ("1,234", ColumnKind.INTEGER, 1234),
        ("๑๒๓", ColumnKind.INTEGER, 123),
        (" -7 ", ColumnKind.INTEGER, -7),
        ("1 000 000", ColumnKind.INTEGER, 1000000),
        ("1,234.50", ColumnKind.DECIMAL, Decimal("1234.50")),
        (0.1, ColumnKind.DECIMAL, Decimal("0.1")),
        ("๓.๕", ColumnKind.DECIMAL, Decimal("3.5")),
        (dt.datetime(2026, 3, 15, 0, 0), ColumnKind.DATE, dt.date(2026, 3, 15)),
        (dt.date(2026, 3, 15), ColumnKind.DATE, dt.date(2026, 3, 15)),
        ("2026-03-15", ColumnKind.DATE, dt.date(2026, 3, 15)),
        ("15/3/2569", ColumnKind.DATE, dt.date(2026, 3, 15)),
        ("15/03/2026", ColumnKind.DATE, dt.date(2026, 3, 15)),
        ("๑๕/๓/๒๕๖๙", ColumnKind.DATE, dt.date(2026, 3, 15)),
        ("15 มี.ค. 2569", ColumnKind.DATE, dt.date(2026, 3, 15)),
        ("15 มีนาคม 2569", ColumnKind.DATE, dt.date(2026, 3, 15)),
        (46096, ColumnKind.DATE, dt.date(2026, 3, 15)),
        ("ใช่", ColumnKind.BOOLEAN, True),
        ("ไม่ใช่", ColumnKind.BOOLEAN, False),
        ("Yes", ColumnKind.BOOLEAN, True),
        ("FALSE", ColumnKind.BOOLEAN, False),
        (1, ColumnKind.BOOLEAN, True),
        ("0", ColumnKind.BOOLEAN, False),
        (True, ColumnKind.BOOLEAN, True),
        (None, ColumnKind.INTEGER, None),
        ("   ", ColumnKind.TEXT, None),
    ],
)
def test_cells_are_typed_by_their_column(value, kind, expected):
    assert convert_cell(value, kind) == expected


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("สิบ", ColumnKind.INTEGER, "Must be a number"),
        ("12.5", ColumnKind.INTEGER, "Must be a whole number"),
        ("12%", ColumnKind.DECIMAL, "Must be a number"),
        (True, ColumnKind.DECIMAL, "Must be a number"),
        ("31/2/2569", ColumnKind.DATE, "is not a real date"),
        ("15/3/1800", ColumnKind.DATE, "out of range"),
        (2569, ColumnKind.DATE, "Must be a date"),
        ("พรุ่งนี้", ColumnKind.DATE, "Must be a date"),
        ("บางที", ColumnKind.BOOLEAN, "Must be yes or no"),
        ("#N/A", ColumnKind.DECIMAL, "spreadsheet error #N/A"),
    ],
)
def test_cells_that_do_not_fit_say_why(value, kind, message):
    with translation.override("en"), pytest.raises(CellError, match=message):
        convert_cell(value, kind)


# --- The template ------------------------------------------------------------------------------


def test_the_template_has_the_headers_an_example_and_an_explanation(importer):
    workbook = openpyxl.load_workbook(io.BytesIO(import_jobs.import_template(importer)))

    data, notes = workbook.worksheets
    assert [cell.value for cell in data[1]] == HEADERS
    assert data["A1"].font.b and data.freeze_panes == "A2"
    assert [cell.value for cell in data[2]][:3] == ["EXAMPLE", "ตัวอย่าง", 1]
    assert data["D2"].value == dt.datetime(2026, 1, 15) and data["E2"].value == "ใช่"
    assert data.column_dimensions["A"].number_format == "@"  # codes keep leading zeros
    assert notes.title == "คำอธิบาย"
    rows = list(notes.iter_rows(min_row=2, max_row=7, values_only=True))
    assert [row[1] for row in rows] == [c.key for c in importer.columns]
    assert rows[0][0] == "รหัสหน่วยงาน *" and rows[0][4] == "รหัสในระบบ"
    assert rows[2][0] == "ลำดับ"


def test_the_template_as_downloaded_is_refused_for_its_example_row(importer, editor):
    job = start(editor, import_jobs.import_template(importer), name="template.xlsx")

    assert job.status == ImportStatus.INVALID
    assert [e["row"] for e in job.errors] == [2]
    with translation.override("en"):
        job = start(editor, import_jobs.import_template(importer), name="template.xlsx")
    assert "example row" in job.errors[0]["message"]


def test_a_filled_template_imports(importer, editor, office):
    workbook = openpyxl.load_workbook(io.BytesIO(import_jobs.import_template(importer)))
    sheet = workbook.worksheets[0]
    sheet["A2"], sheet["B2"] = office.code, "ชื่อจากแม่แบบ"
    out = io.BytesIO()
    workbook.save(out)

    job = start(editor, out.getvalue())

    assert job.status == ImportStatus.DONE, job.errors
    assert OrganisationAlias.objects.filter(organisation=office, alias="ชื่อจากแม่แบบ").exists()


# --- Checking and importing --------------------------------------------------------------------


def test_a_file_with_errors_lists_each_by_row_and_column_and_writes_nothing(
    importer, editor, office
):
    rows = [
        [office.code, "ถูกต้อง", 1, None, None, None],
        [office.code, "ลำดับเป็นข้อความ", "สิบ", None, None, None],
        ["no-such-org", "รหัสผิด", 2, None, None, None],
        [office.code, None, 3, None, None, None],
        [office.code, "วันที่ผิด", 1, "31/2/2569", "บางที", None],
        [],
        [office.code, "ถูกต้อง", 0, None, None, None],
    ]
    before = OrganisationAlias.objects.count()

    with translation.override("en"):
        job = start(editor, xlsx_bytes(rows))

    assert job.status == ImportStatus.INVALID
    found = [(e["row"], e["column"], e["message"]) for e in job.errors]
    assert found == [
        (3, "ลำดับ", "Must be a number, not “สิบ”."),
        (4, "รหัสหน่วยงาน", "ไม่พบหน่วยงานรหัส no-such-org"),
        (5, "ชื่อเรียกอื่น", "This cell is required."),
        (6, "ใช้ตั้งแต่", "“31/2/2569” is not a real date."),
        (6, "เพิ่ม", "Must be yes or no (ใช่ or ไม่ใช่), not “บางที”."),
        (8, "ลำดับ", "ลำดับต้องเป็น 1 ขึ้นไป"),
        (8, "ชื่อเรียกอื่น", "ชื่อซ้ำกับแถวก่อนหน้า"),
    ]
    assert job.summary["error_count"] == 7 and job.summary["rows"] == 6
    assert "7 problems" in job.message and job.finished_at is not None
    assert OrganisationAlias.objects.count() == before
    assert not AuditRecord.objects.filter(action=f"import.{KIND}", outcome="ok").exists()


def test_the_corrected_file_imports_in_one_go_with_an_audit_record(importer, editor, office):
    rows = good_rows(office)
    job = start(editor, xlsx_bytes(rows, [*HEADERS, "หมายเหตุ"]))

    assert job.status == ImportStatus.DONE, job.errors
    assert job.summary == {
        "rows": 3,
        "ignored_columns": ["หมายเหตุ"],
        "counts": {"created": 2, "skipped": 1},
    }
    assert job.processed_rows == job.total_rows == 3 and job.percent == 100
    aliases = set(office.aliases.values_list("alias", flat=True))
    assert {"สนง.ทดสอบ", "Test Office"} <= aliases and "ไม่ต้องเพิ่ม" not in aliases
    record = AuditRecord.objects.get(action=f"import.{KIND}", outcome="ok")
    assert record.actor_id == editor.pk and record.target_id == str(job.pk)
    assert record.after["summary"]["counts"] == {"created": 2, "skipped": 1}


def test_headers_match_by_key_or_header_in_any_case_order_and_spacing(importer, editor, office):
    headers = ["  ALIAS ", "รหัส หน่วยงาน*", "Priority"]
    job = start(editor, xlsx_bytes([["ชื่อที่สลับคอลัมน์", office.code, 4]], headers))

    assert job.status == ImportStatus.DONE, job.errors
    assert office.aliases.filter(alias="ชื่อที่สลับคอลัมน์").exists()


def test_a_missing_required_column_refuses_the_file_at_row_one(importer, editor, office):
    with translation.override("en"):
        job = start(editor, xlsx_bytes([["x", 1]], ["ชื่อเรียกอื่น", "ลำดับ", "ลำดับ"]))

    assert job.status == ImportStatus.INVALID
    assert {(e["row"], e["column"]) for e in job.errors} == {(1, "รหัสหน่วยงาน"), (1, "ลำดับ")}
    assert any("“รหัสหน่วยงาน” is missing" in e["message"] for e in job.errors)


def test_a_file_with_only_headers_has_nothing_to_import(importer, editor):
    with translation.override("en"):
        job = start(editor, xlsx_bytes([[], [None, "  "]]))

    assert job.status == ImportStatus.INVALID
    assert job.errors == [{"row": 2, "column": "", "message": "The file has no rows to import."}]


def test_errors_are_capped_but_all_counted(importer, editor, office, monkeypatch):
    monkeypatch.setattr(import_jobs, "MAX_ERRORS", 3)
    rows = [[f"missing-{n}", f"ชื่อ {n}"] for n in range(5)]

    job = start(editor, xlsx_bytes(rows))

    assert len(job.errors) == 3
    assert job.summary["error_count"] == 5 and job.summary["errors_truncated"] is True


def test_a_refusal_while_writing_rolls_everything_back(importer, editor, office):
    other = Organisation.objects.exclude(pk=office.pk).first()
    organisation_alias_add(actor=SYSTEM, organisation=other, alias="ชื่อที่มีเจ้าของแล้ว")
    rows = [[office.code, "ชื่อใหม่ก่อนหน้า"], [office.code, "ชื่อที่มีเจ้าของแล้ว"]]

    job = start(editor, xlsx_bytes(rows))

    assert job.status == ImportStatus.INVALID
    assert job.message and job.errors[0]["message"] == job.message
    assert not office.aliases.filter(alias="ชื่อใหม่ก่อนหน้า").exists()


def test_an_unexpected_error_fails_the_job_with_a_generic_message(importer, editor, office, caplog):
    importer.explode = True
    with translation.override("en"):
        job = start(editor, xlsx_bytes(good_rows(office)))

    assert job.status == ImportStatus.FAILED
    assert "error in Phaen" in job.message and "a bug in the importer" not in job.message
    assert "a bug in the importer" in caplog.text
    assert not office.aliases.filter(alias="สนง.ทดสอบ").exists()


def test_running_a_finished_job_again_changes_nothing(importer, editor, office):
    job = start(editor, xlsx_bytes(good_rows(office)))

    again = import_jobs.import_run(job.pk)

    assert again.status == ImportStatus.DONE
    assert AuditRecord.objects.filter(action=f"import.{KIND}", outcome="ok").count() == 1


# --- Files that are not workbooks --------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << >> endobj\n",
        "รหัสหน่วยงาน,ชื่อเรียกอื่น\nabc,def\n".encode(),
        b"PK\x03\x04 this is not really a zip at all" * 10,
    ],
    ids=["pdf", "csv-renamed", "zip-garbage"],
)
def test_files_that_are_not_xlsx_are_refused(importer, editor, data):
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        start(editor, data)

    assert refused.value.code == "upload_type_not_allowed"
    assert "Accepted kinds: XLSX" in str(refused.value.message)
    assert not ImportJob.objects.exists()


def test_a_broken_workbook_is_refused_with_a_clear_message(importer, editor):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "this is not xml <<<")

    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        start(editor, out.getvalue())

    assert refused.value.code == "import_file_unreadable"
    assert "could not be read as an Excel workbook" in str(refused.value.message)
    assert refused.value.detail["fields"]["file"]
    assert not ImportJob.objects.exists()


def test_a_workbook_with_the_wrong_extension_is_refused(importer, editor, office):
    with pytest.raises(ValidationFailed) as refused:
        start(editor, xlsx_bytes(good_rows(office)), name="aliases.pdf")
    assert refused.value.code == "upload_extension_mismatch"


def test_an_unknown_import_is_not_found(editor, office):
    with pytest.raises(NotFound) as missing:
        import_jobs.import_start(actor=editor, importer_name="nothing", file=upload(xlsx_bytes([])))
    assert missing.value.code == "import_unknown"


# --- Permissions -------------------------------------------------------------------------------


def test_an_import_the_importer_refuses_is_denied_and_recorded(importer, reader, office):
    with pytest.raises(PermissionDenied):
        start(reader, xlsx_bytes(good_rows(office)))

    record = AuditRecord.objects.get(action=f"import.{KIND}")
    assert record.outcome == "denied" and record.actor_id == reader.pk
    assert not ImportJob.objects.exists()


def test_jobs_are_seen_by_their_user_system_admins_and_auditors(importer, editor, reader, office):
    job = start(editor, xlsx_bytes(good_rows(office)))
    auditor = member("auditor-1", "auditor", office)
    admin = member("sysadmin-1", "system_admin", office)

    assert import_jobs.import_job_get(editor, job.pk) == job
    assert import_jobs.import_job_get(auditor, job.pk) == job
    assert import_jobs.import_job_get(admin, job.pk) == job
    with pytest.raises(NotFound):
        import_jobs.import_job_get(reader, job.pk)
    assert list(import_jobs.import_job_list(editor)) == [job]
    assert not import_jobs.import_job_list(reader).exists()


# --- Background jobs ---------------------------------------------------------------------------


@override_settings(PHAEN_IMPORT_BACKGROUND_ROWS=5, TASKS=DATABASE_TASKS)
def test_a_large_file_waits_for_the_worker_which_imports_it_with_progress(
    importer, editor, office, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(import_jobs, "PROGRESS_EVERY", 2)
    importer.watch_progress = True
    rows = [[office.code, f"ชื่อพื้นหลัง {n}", n + 1] for n in range(12)]

    with django_capture_on_commit_callbacks(execute=True):
        job = start(editor, xlsx_bytes(rows))
    job.refresh_from_db()  # the task is queued when the transaction commits

    assert job.status == ImportStatus.PENDING and job.total_rows == 12
    assert job.task_id and DBTaskResult.objects.filter(id=job.task_id).exists()
    assert not office.aliases.filter(alias__startswith="ชื่อพื้นหลัง").exists()

    assert run_worker_once() == 1

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors
    assert job.summary["counts"] == {"created": 12, "skipped": 0}
    assert job.processed_rows == 12 and job.percent == 100
    assert office.aliases.filter(alias__startswith="ชื่อพื้นหลัง").count() == 12
    # Saved every 2 rows read, before the row is checked: rows 2 and 3 see 2, rows 4 and 5 see 4 …
    assert importer.progress_seen == [0, 2, 2, 4, 4, 6, 6, 8, 8, 10, 10, 12]
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"


@override_settings(PHAEN_IMPORT_BACKGROUND_ROWS=5, TASKS=DATABASE_TASKS)
def test_a_background_job_is_checked_in_the_language_of_its_request(
    importer, editor, office, django_capture_on_commit_callbacks
):
    rows = [[office.code, f"ชื่อ {n}", "สิบ"] for n in range(6)]
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = start(editor, xlsx_bytes(rows))

    run_worker_once()

    job.refresh_from_db()
    assert job.language == "en" and job.status == ImportStatus.INVALID
    assert job.errors[0]["message"] == "Must be a number, not “สิบ”."


@override_settings(PHAEN_IMPORT_BACKGROUND_ROWS=5, TASKS=DATABASE_TASKS)
def test_a_background_job_whose_user_lost_permission_fails(
    importer, editor, office, django_capture_on_commit_callbacks
):
    rows = [[office.code, f"ชื่อ {n}"] for n in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        job = start(editor, xlsx_bytes(rows))
    editor.user_permissions.clear()

    run_worker_once()

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.message
    assert AuditRecord.objects.filter(action=f"import.{KIND}", outcome="denied").exists()


@override_settings(PHAEN_IMPORT_BACKGROUND_ROWS=5, TASKS=DATABASE_TASKS)
def test_a_background_job_whose_user_was_deleted_fails(
    importer, editor, office, django_capture_on_commit_callbacks
):
    rows = [[office.code, f"ชื่อ {n}"] for n in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        job = start(editor, xlsx_bytes(rows))
    get_user_model().objects.filter(pk=editor.pk).delete()

    run_worker_once()

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.actor_id is None


@override_settings(PHAEN_IMPORT_BACKGROUND_ROWS=5, TASKS=IMMEDIATE_TASKS)
def test_with_the_immediate_backend_a_large_file_imports_in_the_request(
    importer, editor, office, django_capture_on_commit_callbacks
):
    rows = [[office.code, f"ชื่อทันที {n}"] for n in range(8)]

    with django_capture_on_commit_callbacks(execute=True):
        job = start(editor, xlsx_bytes(rows))
    job.refresh_from_db()

    assert job.status == ImportStatus.DONE and job.task_id
    assert office.aliases.filter(alias__startswith="ชื่อทันที").count() == 8


@override_settings(PHAEN_IMPORT_BACKGROUND_ROWS=5, TASKS=DATABASE_TASKS)
def test_the_system_actor_always_imports_at_once(importer, office):
    rows = [[office.code, f"ชื่อระบบ {n}"] for n in range(8)]

    job = start(SYSTEM, xlsx_bytes(rows))

    assert job.status == ImportStatus.DONE and job.actor_id is None
    assert AuditRecord.objects.get(action=f"import.{KIND}").actor_repr == "system"


# --- `phaen import` ----------------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_file", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_as_the_system_actor(importer, office, tmp_path):
    path = tmp_path / "aliases.xlsx"
    path.write_bytes(xlsx_bytes(good_rows(office)))

    with translation.override("en"):
        out, _err = run_command(KIND, str(path))

    assert "Imported 3 rows from aliases.xlsx" in out and "Created: 2" in out
    assert office.aliases.filter(alias="สนง.ทดสอบ").exists()


def test_the_command_prints_every_problem_and_fails(importer, office, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx_bytes([["nope", "ชื่อ", "สิบ"], ["nope", "ชื่อ 2", 1]]))
    out = io.StringIO()

    with translation.override("en"), pytest.raises(CommandError, match="2 problems must"):
        call_command("import_file", KIND, str(path), stdout=out, stderr=io.StringIO())

    lines = out.getvalue().splitlines()
    assert "row 2, column “ลำดับ”: Must be a number, not “สิบ”." in lines
    assert "row 3, column “รหัสหน่วยงาน”: ไม่พบหน่วยงานรหัส nope" in lines
    # The importer checks a row only once its cells have the right types.
    assert "row 2, column “รหัสหน่วยงาน”: ไม่พบหน่วยงานรหัส nope" not in lines
    assert not OrganisationAlias.objects.filter(alias="ชื่อ").exists()


def test_the_command_acts_as_the_named_user(importer, office, editor, reader, tmp_path):
    path = tmp_path / "aliases.xlsx"
    path.write_bytes(xlsx_bytes(good_rows(office)))

    with translation.override("en"):
        with pytest.raises(CommandError, match="permission"):
            run_command(KIND, str(path), "--user", reader.username)
        with pytest.raises(CommandError, match="no active user"):
            run_command(KIND, str(path), "--user", "nobody")
        run_command(KIND, str(path), "--user", editor.username)

    assert ImportJob.objects.get().actor == editor


def test_the_phaen_command_maps_import_and_names_unknown_imports(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_bytes([]))
    result = subprocess.run(
        [str(Path(sys.executable).parent / "phaen"), "import", "nothing", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "PHAEN_LANGUAGE": "en",
        },
        check=False,
    )
    assert result.returncode == 1
    assert "There is no import called “nothing”" in result.stderr


def _children(pid: int) -> dict[int, str]:
    """The processes whose parent is `pid`, with their command lines (Linux's /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_phaen_serve_runs_the_worker_beside_the_server_and_stops_it(tmp_path):
    assert cli.ALIASES["worker"] == "db_worker" and cli.ALIASES["import"] == "import_file"
    phaen = str(Path(sys.executable).parent / "phaen")
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "PHAEN_TASKS_BACKEND": "database",
    }
    subprocess.run(
        [phaen, "migrate", "django_tasks_database", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w+")
    serve = subprocess.Popen(
        [phaen, "serve", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        workers: dict[int, str] = {}
        while time.monotonic() < deadline:
            workers = {p: c for p, c in _children(serve.pid).items() if "db_worker" in c}
            if workers and "Starting worker" in (tmp_path / "serve.log").read_text():
                break
            time.sleep(0.2)
        assert len(workers) == 1, (tmp_path / "serve.log").read_text()
        (worker_pid,) = workers
        assert serve.poll() is None and _alive(worker_pid)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        log.close()
    assert not _alive(worker_pid)


# --- The API -----------------------------------------------------------------------------------


def post_file(client: Client, data: bytes, kind: str = KIND, **extra: Any):
    return client.post(f"/api/imports/{kind}", {"file": upload(data)}, **EN, **extra)


def test_the_api_needs_a_user_to_import(importer, client, office):
    response = post_file(client, xlsx_bytes(good_rows(office)))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_the_api_imports_a_small_file_at_once(importer, editor, office):
    client = signed_in(editor)

    response = post_file(client, xlsx_bytes(good_rows(office)))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "done" and body["percent"] == 100
    assert body["summary"]["counts"] == {"created": 2, "skipped": 1}
    assert body["errors"] == [] and body["error_count"] == 0


def test_the_api_answers_a_refused_file_with_its_errors(importer, editor, office):
    client = signed_in(editor)

    response = post_file(client, xlsx_bytes([[office.code, "ชื่อ", "สิบ"]]))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "invalid" and body["error_count"] == 1
    assert body["errors"] == [
        {"row": 2, "column": "ลำดับ", "message": "Must be a number, not “สิบ”."}
    ]


@override_settings(PHAEN_IMPORT_BACKGROUND_ROWS=5, TASKS=DATABASE_TASKS)
def test_the_api_queues_a_large_file_and_reports_its_progress(
    importer, editor, office, django_capture_on_commit_callbacks
):
    client = signed_in(editor)
    rows = [[office.code, f"ชื่อเอพีไอ {n}"] for n in range(7)]

    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, xlsx_bytes(rows))

    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.json()["status"] == "pending" and response.json()["total_rows"] == 7
    run_worker_once()
    body = client.get(f"/api/imports/jobs/{job_id}", **EN).json()
    assert body["status"] == "done" and body["processed_rows"] == 7


def test_the_api_refuses_what_the_services_refuse(importer, editor, reader, office):
    assert post_file(signed_in(reader), xlsx_bytes(good_rows(office))).status_code == 403
    response = post_file(signed_in(editor), b"%PDF-1.7 not a workbook")
    assert response.status_code == 422 and response.json()["code"] == "upload_type_not_allowed"
    response = post_file(signed_in(editor), xlsx_bytes([]), kind="nothing")
    assert response.status_code == 404 and response.json()["code"] == "import_unknown"


def test_the_api_shows_a_job_only_to_those_who_may_see_it(importer, editor, reader, office):
    job = start(editor, xlsx_bytes(good_rows(office)))

    assert Client().get(f"/api/imports/jobs/{job.pk}").status_code == 401
    assert signed_in(reader).get(f"/api/imports/jobs/{job.pk}").status_code == 404
    response = signed_in(editor).get(f"/api/imports/jobs/{job.pk}")
    assert response.status_code == 200 and response.json()["id"] == job.pk


def test_the_api_lists_imports_templates_and_jobs(
    importer, editor, office, django_assert_num_queries, django_assert_max_num_queries
):
    client = signed_in(editor)
    listing = client.get("/api/imports").json()
    mine = next(item for item in listing if item["name"] == KIND)
    assert [c["key"] for c in mine["columns"]][:2] == ["organisation", "alias"]

    response = client.get(f"/api/imports/{KIND}/template")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "รหัสหน่วยงาน *"

    start(editor, xlsx_bytes(good_rows(office)))
    client.get("/api/imports/jobs")  # warm the session and role caches
    with django_assert_max_num_queries(5) as one:
        assert client.get("/api/imports/jobs").json()["count"] == 1
    for n in range(3):
        start(editor, xlsx_bytes([[office.code, f"ชื่อรายการ {n}"]]))
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get("/api/imports/jobs").json()["count"] == 4


# --- The pages ---------------------------------------------------------------------------------


def test_the_import_pages_need_a_signed_in_user(importer, client):
    for url in ("/imports/", f"/imports/{KIND}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/imports/{KIND}/template.xlsx").status_code == 200


def test_the_upload_page_explains_the_columns_and_imports(importer, editor, office):
    client = signed_in(editor)

    page = client.get(f"/imports/{KIND}/", **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "รหัสในระบบ" in html and f"/imports/{KIND}/template.xlsx" in html
    assert "style=" not in html

    response = client.post(f"/imports/{KIND}/", {"file": upload(xlsx_bytes(good_rows(office)))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/jobs/{job.pk}/"
    assert job.status == ImportStatus.DONE

    detail = client.get(response["Location"], **EN).content.decode()
    assert "Imported 3 rows." in detail and "hx-trigger" not in detail


def test_the_upload_page_shows_a_refused_upload_next_to_the_field(importer, editor):
    client = signed_in(editor)

    response = client.post(f"/imports/{KIND}/", {"file": upload(b"%PDF-1.7 x")}, **EN)

    assert response.status_code == 422
    assert "Accepted kinds: XLSX" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_page_refuses_those_the_importer_refuses(importer, reader, office):
    client = signed_in(reader)
    response = client.post(f"/imports/{KIND}/", {"file": upload(xlsx_bytes(good_rows(office)))})
    assert response.status_code == 403
    assert client.get("/imports/nothing/").status_code == 404


def test_the_job_page_lists_the_errors(importer, editor, office):
    # The errors are written in the uploader's language, here English.
    with translation.override("en"):
        job = start(editor, xlsx_bytes([[office.code, "ชื่อ", "สิบ"]]))
    client = signed_in(editor)

    html = client.get(f"/imports/jobs/{job.pk}/", **EN).content.decode()

    assert "Must be a number, not “สิบ”." in html and "ลำดับ" in html
    assert "1 problem to correct" in html and "Upload a corrected file" in html
    assert "hx-trigger" not in html


@override_settings(PHAEN_IMPORT_BACKGROUND_ROWS=5, TASKS=DATABASE_TASKS)
def test_the_job_page_polls_until_the_job_is_finished(
    importer, editor, office, django_capture_on_commit_callbacks
):
    rows = [[office.code, f"ชื่อหน้าเว็บ {n}"] for n in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        job = start(editor, xlsx_bytes(rows))
    client = signed_in(editor)

    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    status_url = f"/imports/jobs/{job.pk}/status/"
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 1s"' in page
    assert '<progress id="job-progress" max="100" value="0">' in page

    run_worker_once()
    partial = client.get(status_url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    html = partial.content.decode()
    assert "hx-trigger" not in html and "<html" not in html and "<progress" not in html
    assert 'id="job-status"' in html


def test_other_users_cannot_see_a_job_page_but_auditors_can(importer, editor, reader, office):
    job = start(editor, xlsx_bytes(good_rows(office)))
    auditor = member("auditor-2", "auditor", office)

    assert signed_in(reader).get(f"/imports/jobs/{job.pk}/").status_code == 404
    assert signed_in(reader).get(f"/imports/jobs/{job.pk}/status/").status_code == 404
    assert signed_in(auditor).get(f"/imports/jobs/{job.pk}/").status_code == 200
    download = signed_in(editor).get(f"/imports/jobs/{job.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_the_list_page_shows_the_users_jobs_in_a_fixed_number_of_queries(
    importer, editor, office, django_assert_num_queries, django_assert_max_num_queries
):
    client = signed_in(editor)
    start(editor, xlsx_bytes(good_rows(office)))
    client.get("/imports/")
    with django_assert_max_num_queries(6) as one:
        html = client.get("/imports/", **EN).content.decode()
    assert "aliases.xlsx" in html and importer.label in html
    for n in range(4):
        start(editor, xlsx_bytes([[office.code, f"ชื่อหน้า {n}"]]))
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/imports/", **EN)
