"""The summary report of a hearing, appended to `phaen.consultation.urls` (namespace
"consultation"): /consultation/<hearing code>/summary/ (pdf/, docx/).

`<hearing:…>` is the converter `phaen.consultation.urls` registers before it appends these.
"""

from django.urls import path

from phaen.consultation import report_views as views

S = "<hearing:code>/summary"

urlpatterns = [
    path(f"{S}/", views.report_page, name="hearing_report"),
    path(f"{S}/pdf/", views.report_pdf, name="hearing_report_pdf"),
    path(f"{S}/docx/", views.report_docx, name="hearing_report_docx"),
]
