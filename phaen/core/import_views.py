"""Pages of spreadsheet imports, mounted at /imports/ (`phaen.core.urls_imports`).

`/imports/` lists the user's jobs and the imports there are; `/imports/<kind>/` explains the
columns, offers the template and takes the upload; `/imports/jobs/<pk>/` shows a job, whose
status block (`…/status/`) htmx asks for again every second while the job waits or runs, and
which stops asking once the job has finished (the finished block has no trigger).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from phaen.core import import_jobs
from phaen.core.errors import NotFound, ValidationFailed
from phaen.core.errors import PermissionDenied as DomainPermissionDenied
from phaen.core.imports import Column, ColumnKind, Importer
from phaen.core.models import ImportJob, ImportStatus
from phaen.core.uploads import protected_file_response

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

View = Callable[..., HttpResponseBase]


def _domain_errors(view: View) -> View:
    """Turn `NotFound` and `PermissionDenied` into Django's 404 and 403 pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except DomainPermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from exc

    return wrapper


class UploadForm(forms.Form):
    """The workbook, and the values the whole file shares when the importer asks for any."""

    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        help_text=gettext_lazy("The first sheet, with the template's header row."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml"}
        ),
    )

    def __init__(self, importer: Importer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in import_jobs.option_columns(importer):
            self.fields[column.key] = _option_field(column)

    def options(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "file"}


def _option_field(column: Column) -> forms.Field:
    """A text input for an option; the machinery types it (and names errors by key)."""
    label, help_text = str(column.header), str(column.help)
    widget: forms.Widget = forms.TextInput()
    if column.kind == ColumnKind.BOOLEAN:
        choices = [("", "—"), ("ใช่", _("Yes")), ("ไม่ใช่", _("No"))]
        return forms.ChoiceField(
            label=label, help_text=help_text, required=column.required, choices=choices
        )
    if column.kind in (ColumnKind.INTEGER, ColumnKind.DECIMAL):
        widget = forms.TextInput(attrs={"inputmode": "decimal"})
    return forms.CharField(
        label=label, help_text=help_text, required=column.required, widget=widget
    )


def _add_service_errors(form: forms.Form, error: ValidationFailed) -> None:
    placed = False
    for name, message in (error.detail.get("fields") or {}).items():
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


def _columns(importer: Importer) -> list[dict[str, Any]]:
    return [
        {
            "header": column.header,
            "key": column.key,
            "kind": import_jobs.kind_label(column.kind),
            "required": column.required,
            "help": column.help,
            "example": import_jobs.example_text(column),
        }
        for column in importer.columns
    ]


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    """The signed-in user's import jobs, newest first, and the imports they can start."""
    paginator = Paginator(import_jobs.import_job_list(request.user), settings.PHAEN_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    importers = import_jobs.importer_list()
    labels = {importer.name: importer.label for importer in importers}
    for job in page_obj.object_list:
        job.label = labels.get(job.kind, job.kind)  # type: ignore[attr-defined]
    context = {
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "importers": importers,
    }
    return render(request, "core/imports/pages/import_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    """Explain an import's columns, offer its template, and take the workbook."""
    importer = import_jobs.importer_get(kind)
    form = UploadForm(importer, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.import_start(
                actor=request.user,
                importer_name=importer.name,
                file=form.cleaned_data["file"],
                options=form.options(),
            )
        except ValidationFailed as exc:
            _add_service_errors(form, exc)
        else:
            return redirect("imports:job_detail", pk=job.pk)
    status = 422 if form.is_bound and form.errors else 200
    context = {
        "importer": importer,
        "form": form,
        "columns": _columns(importer),
        "background_rows": settings.PHAEN_IMPORT_BACKGROUND_ROWS,
    }
    return render(request, "core/imports/pages/import_upload.html", context, status=status)


@require_GET
@_domain_errors
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """Download an import's XLSX template (it holds no data, so anyone may)."""
    importer = import_jobs.importer_get(kind)
    response = HttpResponse(import_jobs.import_template(importer), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="phaen-{importer.name}-template.xlsx"'
    return response


def _job_context(job: ImportJob) -> dict[str, Any]:
    try:
        importer: Importer | None = import_jobs.importer_get(job.kind)
    except NotFound:
        importer = None
    summary = job.summary or {}
    return {
        "job": job,
        "importer": importer,
        "finished": job.status in import_jobs.FINISHED,
        "counts": [
            (import_jobs.count_label(key), value)
            for key, value in (summary.get("counts") or {}).items()
        ],
        "ignored_columns": summary.get("ignored_columns") or [],
        "error_count": summary.get("error_count", len(job.errors)),
        "errors_truncated": summary.get("errors_truncated", False),
        "done": job.status == ImportStatus.DONE,
    }


@login_required
@require_GET
@_domain_errors
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import job: its status and progress, then its errors or its summary."""
    job = import_jobs.import_job_get(request.user, pk)
    return render(request, "core/imports/pages/job_detail.html", _job_context(job))


@login_required
@require_GET
@_domain_errors
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's status block alone, which the job page polls while the job is unfinished."""
    job = import_jobs.import_job_get(request.user, pk)
    return render(request, "core/imports/partials/job_status.html", _job_context(job))


@login_required
@require_GET
@_domain_errors
def job_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The workbook the job was started with, for those who may see the job."""
    job = import_jobs.import_job_get(request.user, pk)
    return protected_file_response(job.file, filename=job.file_name)
