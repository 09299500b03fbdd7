"""Pages of the core app: /healthz and signing in and out.

Mount before the plans app's catch-all codes: `path("", include("phaen.core.urls"))`.
"""

from django.urls import path

from phaen.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", views.LoginCodeView.as_view(), name="login_code"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
]
