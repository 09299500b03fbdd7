"""Pages of the accounts app: the audit trail for auditors, and the user's own account."""

from django.urls import include, path

app_name = "accounts"
urlpatterns = [
    path("audit/", include("phaen.accounts.urls_audit")),
    path("account/", include("phaen.accounts.urls_account")),
]
