"""Pages that belong to no app: the health check and signing in and out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether Phaen can serve requests, for load balancers and uptime monitors.

    The only dependency checked is the database, because no page works without it. The answer
    is 200 `{"status": "ok", "database": "ok"}` or 503 with `"database": "unavailable"`.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class LoginView(auth_views.LoginView):
    """Sign in with Phaen's own page, which non-staff users can use (the admin's cannot)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    next_page = "/"


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and go back to the home page."""

    next_page = "/"
