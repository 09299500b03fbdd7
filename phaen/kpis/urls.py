"""Pages of indicators, mounted at /indicators/.

The fixed words (`new`, `export`, `actuals`, `targets`) come before `<code>/`, and no indicator
may take them as its code (`services.RESERVED_CODES`).
"""

from django.urls import path

from phaen.kpis import views

app_name = "kpis"
urlpatterns = [
    path("", views.indicator_list, name="indicator_list"),
    path("export/", views.indicator_export, name="indicator_export"),
    path("new/", views.indicator_create, name="indicator_create"),
    path("targets/export/", views.target_export, name="target_export"),
    path("actuals/", views.actual_queue, name="actual_queue"),
    path("actuals/new/", views.actual_create, name="actual_create"),
    path("actuals/export/", views.actual_export, name="actual_export"),
    path("actuals/<int:pk>/", views.actual_detail, name="actual_detail"),
    path("actuals/<int:pk>/edit/", views.actual_edit, name="actual_edit"),
    path("actuals/<int:pk>/delete/", views.actual_delete, name="actual_delete"),
    path("actuals/<int:pk>/evidence/", views.actual_evidence, name="actual_evidence"),
    path("actuals/<int:pk>/steps/<slug:step>/", views.actual_step, name="actual_step"),
    path("<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path("<slug:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<slug:code>/delete/", views.indicator_delete, name="indicator_delete"),
    path("<slug:code>/series/", views.indicator_series_export, name="indicator_series_export"),
    path("<slug:code>/targets/", views.indicator_targets, name="indicator_targets"),
    path("<slug:code>/targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
]
