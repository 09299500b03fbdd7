"""The signed-in user's own account, mounted at /account/ by `phaen.accounts.urls`
(namespace `accounts`)."""

from django.urls import path

from phaen.accounts import account_views

urlpatterns = [
    path("", account_views.account, name="account"),
    path("password/", account_views.password_change, name="account_password"),
    path("two-step/", account_views.totp_enrol, name="account_totp"),
    path("two-step/off/", account_views.totp_disable, name="account_totp_disable"),
    path("tokens/", account_views.token_create, name="account_token_create"),
    path("tokens/<int:pk>/revoke/", account_views.token_revoke, name="account_token_revoke"),
    path("organisations/<slug:code>/members/", account_views.members, name="members"),
    path("members/<int:pk>/revoke/", account_views.member_revoke, name="member_revoke"),
]
