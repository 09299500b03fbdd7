"""Pages of the audit trail, mounted at /audit/ by `phaen.accounts.urls` (namespace `accounts`)."""

from django.urls import path

from phaen.accounts import audit_views

urlpatterns = [
    path("", audit_views.audit_list, name="audit_list"),
    path("export.csv", audit_views.audit_export, name="audit_export"),
    path("verify/", audit_views.audit_verify_page, name="audit_verify"),
]
