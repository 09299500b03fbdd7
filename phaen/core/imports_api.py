"""JSON API of spreadsheet imports, mounted at /api/imports.

- `GET /api/imports`: the imports there are, with their columns.
- `GET /api/imports/{kind}/template`: the XLSX template.
- `POST /api/imports/{kind}` (multipart: `file`, plus the importer's options as form fields):
  201 with the finished job when the file was imported at once (status `done`, or `invalid`
  with its errors), 202 with the pending job when it runs in the background.
- `GET /api/imports/jobs`: the caller's jobs; `GET /api/imports/jobs/{id}`: one job, with its
  progress and errors (its own user, system administrators and auditors; 404 for others).

`phaen.core` sits below `phaen.api` (docs/architecture.md), so this module does not import the
API plumbing: `config/api.py` builds the router with it,
`build_router(write_auth=WRITE_AUTH, pagination=PagePagination)`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PaginationBase, paginate

from phaen.core import import_jobs
from phaen.core.imports import Importer
from phaen.core.models import ImportJob

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ColumnOut(Schema):
    key: str
    header: str
    kind: str
    required: bool
    help: str


class ImporterOut(Schema):
    name: str
    label: str
    columns: list[ColumnOut]
    options: list[ColumnOut]


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class JobOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    file_name: str
    total_rows: int
    processed_rows: int
    percent: int
    error_count: int
    errors: list[RowErrorOut]
    summary: dict[str, Any]
    message: str
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_status_label(obj: ImportJob) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_error_count(obj: ImportJob) -> int:
        return int((obj.summary or {}).get("error_count", len(obj.errors or [])))


def _columns(columns: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "key": column.key,
            "header": str(column.header),
            "kind": column.kind,
            "required": column.required,
            "help": str(column.help),
        }
        for column in columns
    ]


def _importer_out(importer: Importer) -> dict[str, Any]:
    return {
        "name": importer.name,
        "label": str(importer.label),
        "columns": _columns(importer.columns),
        "options": _columns(import_jobs.option_columns(importer)),
    }


def build_router(*, write_auth: Any, pagination: type[PaginationBase]) -> Router:
    """The imports router; `write_auth` guards uploads and jobs, `pagination` pages job lists."""
    router = Router(tags=["imports"])

    @router.get("", response=list[ImporterOut], summary="The imports there are")
    def list_importers(request: HttpRequest) -> Any:
        return [_importer_out(importer) for importer in import_jobs.importer_list()]

    @router.get(
        "/jobs", response=list[JobOut], auth=write_auth, summary="Your import jobs, newest first"
    )
    @paginate(pagination)
    def list_jobs(request: HttpRequest) -> Any:
        return import_jobs.import_job_list(request.user)

    @router.get("/jobs/{job_id}", response=JobOut, auth=write_auth, summary="One import job")
    def get_job(request: HttpRequest, job_id: int) -> Any:
        return import_jobs.import_job_get(request.user, job_id)

    @router.get("/{kind}/template", summary="An import's XLSX template")
    def get_template(request: HttpRequest, kind: str) -> HttpResponse:
        importer = import_jobs.importer_get(kind)
        response = HttpResponse(
            import_jobs.import_template(importer), content_type=XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = (
            f'attachment; filename="phaen-{importer.name}-template.xlsx"'
        )
        return response

    @router.post(
        "/{kind}",
        response={201: JobOut, 202: JobOut},
        auth=write_auth,
        summary="Upload a workbook to import",
    )
    def start_import(request: HttpRequest, kind: str, file: File[UploadedFile]) -> Any:
        options = {key: value for key, value in request.POST.items() if key != "file"}
        job = import_jobs.import_start(
            actor=request.user, importer_name=kind, file=file, options=options
        )
        return Status(201 if job.status in import_jobs.FINISHED else 202, job)

    return router
