"""Dashboard pages (mounted at /dashboards/): the nation's, a plan's, a province's, and CSVs."""

from django.urls import path

from phaen.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.national, name="national"),
    path("<slug:chart>.csv", views.national_csv, name="national_csv"),
    path("plans/<slug:code>/", views.plan, name="plan"),
    path("plans/<slug:code>/<slug:chart>.csv", views.plan_csv, name="plan_csv"),
    path("provinces/<str:code>/", views.province, name="province"),
    path("provinces/<str:code>/<slug:chart>.csv", views.province_csv, name="province_csv"),
]
