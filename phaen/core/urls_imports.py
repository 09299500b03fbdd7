"""Pages of spreadsheet imports, mounted at /imports/ (`phaen.core.import_views`)."""

from django.urls import path

from phaen.core import import_views

app_name = "imports"
urlpatterns = [
    path("", import_views.import_list, name="import_list"),
    path("jobs/<int:pk>/", import_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status/", import_views.job_status, name="job_status"),
    path("jobs/<int:pk>/file/", import_views.job_file, name="job_file"),
    path("<slug:kind>/", import_views.import_upload, name="import_upload"),
    path("<slug:kind>/template.xlsx", import_views.import_template, name="import_template"),
]
