"""Pages of the projects app, mounted at /delivery/: projects (the first page), budgets,
agreements, area programmes, smart city zones and digital community centres.

`…/new/` comes before `…/<code>/`, so no record may have the code "new".
"""

from django.urls import path

from phaen.projects import views

app_name = "projects"

P = "projects/<slug:code>"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("export/<slug:name>/", views.export, name="export"),
    path("budget/", views.budget_summary, name="budget_summary"),
    path("plans/<slug:code>/progress/", views.plan_progress, name="plan_progress"),
    # Projects and their parts.
    path("projects/new/", views.project_create, name="project_create"),
    path(f"{P}/", views.project_detail, name="project_detail"),
    path(f"{P}/edit/", views.project_edit, name="project_edit"),
    path(f"{P}/delete/", views.project_delete, name="project_delete"),
    path(f"{P}/partners/", views.partner_add, name="partner_add"),
    path(f"{P}/partners/<int:pk>/remove/", views.partner_remove, name="partner_remove"),
    path(f"{P}/alignment/", views.alignment_add, name="alignment_add"),
    path(f"{P}/alignment/<int:pk>/remove/", views.alignment_remove, name="alignment_remove"),
    path(f"{P}/milestones/", views.milestone_add, name="milestone_add"),
    path(f"{P}/milestones/<int:pk>/", views.milestone_edit, name="milestone_edit"),
    path(f"{P}/milestones/<int:pk>/delete/", views.milestone_delete, name="milestone_delete"),
    path(f"{P}/reports/", views.report_add, name="report_add"),
    path(f"{P}/reports/<int:pk>/", views.report_edit, name="report_edit"),
    path(f"{P}/reports/<int:pk>/delete/", views.report_delete, name="report_delete"),
    path(f"{P}/budget/", views.budget_add, name="budget_add"),
    path(f"{P}/budget/<int:pk>/", views.budget_edit, name="budget_edit"),
    path(f"{P}/budget/<int:pk>/delete/", views.budget_delete, name="budget_delete"),
    # Agreements.
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<slug:code>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<slug:code>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<slug:code>/delete/", views.agreement_delete, name="agreement_delete"),
    path("agreements/<slug:code>/parties/", views.party_add, name="party_add"),
    path(
        "agreements/<slug:code>/parties/<int:pk>/remove/",
        views.party_remove,
        name="party_remove",
    ),
    path("agreements/<slug:code>/documents/", views.document_add, name="document_add"),
    path(
        "agreements/<slug:code>/documents/<int:pk>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "agreements/<slug:code>/documents/<int:pk>/remove/",
        views.document_remove,
        name="document_remove",
    ),
    path(
        "agreements/<slug:code>/elements/",
        views.agreement_element_add,
        name="agreement_element_add",
    ),
    path(
        "agreements/<slug:code>/elements/<slug:element>/remove/",
        views.agreement_element_remove,
        name="agreement_element_remove",
    ),
    # Area programmes.
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<slug:code>/", views.programme_detail, name="programme_detail"),
    path("programmes/<slug:code>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<slug:code>/delete/", views.programme_delete, name="programme_delete"),
    path(
        "programmes/<slug:code>/provinces/",
        views.programme_province_add,
        name="programme_province_add",
    ),
    path(
        "programmes/<slug:code>/provinces/<str:province>/remove/",
        views.programme_province_remove,
        name="programme_province_remove",
    ),
    # Smart city zones.
    path("smart-cities/", views.zone_list, name="zone_list"),
    path("smart-cities/new/", views.zone_create, name="zone_create"),
    path("smart-cities/<slug:code>/", views.zone_detail, name="zone_detail"),
    path("smart-cities/<slug:code>/edit/", views.zone_edit, name="zone_edit"),
    path("smart-cities/<slug:code>/delete/", views.zone_delete, name="zone_delete"),
    path("smart-cities/<slug:code>/step/", views.zone_step, name="zone_step"),
    # Digital community centres.
    path("centres/", views.centre_list, name="centre_list"),
    path("centres/new/", views.centre_create, name="centre_create"),
    path("centres/<slug:code>/", views.centre_detail, name="centre_detail"),
    path("centres/<slug:code>/edit/", views.centre_edit, name="centre_edit"),
    path("centres/<slug:code>/delete/", views.centre_delete, name="centre_delete"),
]
