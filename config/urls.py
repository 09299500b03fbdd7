"""Top-level URL map: pages by app, the JSON API under /api/, the admin, language switching."""

from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("phaen.core.urls")),
    path("", include("phaen.accounts.urls")),
    path("", include("phaen.plans.urls")),
    path("geography/", include("phaen.geography.urls")),
    path("organisations/", include("phaen.orgs.urls")),
    path("indicators/", include("phaen.kpis.urls")),
    path("delivery/", include("phaen.projects.urls")),
    path("dashboards/", include("phaen.dashboards.urls")),
    path("consultation/", include("phaen.consultation.urls")),
    path("imports/", include("phaen.core.urls_imports")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
