"""Pages of the geography app (mounted at /geography/)."""

from django.urls import path

from phaen.geography import views

app_name = "geography"
urlpatterns = [
    path("", views.geography_index, name="index"),
    path("provinces/<str:code>/", views.province_detail, name="province_detail"),
]
