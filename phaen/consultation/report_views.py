"""The summary report of a hearing as a page, a PDF and a Word document:
/consultation/<hearing code>/summary/ (and …/summary/pdf/, …/summary/docx/).

The public reads them once the summary is published (404 before, as for a page that does not
exist); the organiser's staff and auditors preview them at any time, marked as a draft. Thin:
read the hearing (`selectors.hearing_get`, 404 for a hearing the viewer may not read), build the
report (`report.hearing_report`), render it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from phaen.consultation import report_render, selectors
from phaen.consultation.report import hearing_report
from phaen.plans.views import translate_domain_errors


@require_GET
@translate_domain_errors
def report_page(request: HttpRequest, code: str) -> HttpResponse:
    """The report as a web page, with links to its PDF and DOCX."""
    hearing = selectors.hearing_get(code, viewer=request.user)
    report = hearing_report(hearing, viewer=request.user)
    context = {
        "hearing": hearing,
        "report": report,
        "pdf_url": reverse("consultation:hearing_report_pdf", args=[hearing.code]),
        "docx_url": reverse("consultation:hearing_report_docx", args=[hearing.code]),
    }
    return render(request, "consultation/report/page.html", context)


def _download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    hearing = selectors.hearing_get(code, viewer=request.user)
    document = report_render.report_file(hearing, viewer=request.user, fmt=fmt)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    # A draft is for its organiser only: never kept by a shared cache.
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@translate_domain_errors
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The report as an A4 PDF, in Thai."""
    return _download(request, code, report_render.PDF)


@require_GET
@translate_domain_errors
def report_docx(request: HttpRequest, code: str) -> HttpResponse:
    """The report as a Word document (DOCX), in Thai."""
    return _download(request, code, report_render.DOCX)
