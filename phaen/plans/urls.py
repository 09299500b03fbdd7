"""Pages of the plans app, mounted at the site's root: the plan browser is the home page.

`plans/new/` and `plans/export/` come before `plans/<code>/`, so no plan may have the code
"new" or "export".
"""

from django.urls import path

from phaen.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans/export/", views.plan_export, name="plan_export"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<slug:code>/", views.plan_detail, name="plan_detail"),
    path("plans/<slug:code>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<slug:code>/versions/", views.plan_versions, name="plan_versions"),
    path(
        "plans/<slug:code>/decisions/<int:pk>/document/",
        views.decision_document,
        name="decision_document",
    ),
    path("plans/<slug:code>/steps/<slug:name>/", views.plan_transition, name="plan_transition"),
    path("plans/<slug:code>/chain/", views.plan_chain, name="plan_chain"),
    path("plans/<slug:code>/matrix/", views.plan_matrix, name="plan_matrix"),
    path("plans/<slug:code>/gaps/", views.plan_gaps, name="plan_gaps"),
    path("plans/<slug:code>/elements/new/", views.element_create, name="element_create"),
    path("plans/<slug:code>/links/new/", views.link_create, name="link_create"),
    path("plans/<slug:code>/links/validate/", views.link_validate, name="link_validate"),
    path("elements/<slug:code>/chain/", views.element_chain, name="element_chain"),
    path("elements/<slug:code>/edit/", views.element_edit, name="element_edit"),
    path("elements/<slug:code>/delete/", views.element_delete, name="element_delete"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
]
