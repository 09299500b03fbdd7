"""Pages of the organisations app (mounted at /organisations/)."""

from django.urls import path

from phaen.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("<slug:code>/", views.organisation_detail, name="organisation_detail"),
]
