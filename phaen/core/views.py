"""Pages that belong to no app: the health check and signing in and out.

Signing in has up to two steps. `LoginView` checks the username and password. A user without a
TOTP device is signed in at once. A user with a confirmed device is not: the session remembers
who passed the password step (for `PHAEN_SIGNIN_CODE_TIMEOUT` seconds), and `LoginCodeView` asks
for the 6-digit code, then signs them in and marks the session verified (django-otp). The code
step also verifies a session that was signed in some other way, such as the admin's sign-in page
(`phaen.accounts.middleware.TwoFactorMiddleware` sends such sessions there).

Failures are counted twice. django-axes counts them per username, wrong codes included, and
locks the account after `AXES_FAILURE_LIMIT` (10) for `AXES_COOLOFF_TIME`; `signin_locked_out`
renders the page that says so. `phaen.core.ratelimit` counts sign-in POSTs and failed sign-ins
per client address (`PHAEN_RATE_SIGNIN`, `PHAEN_RATE_SIGNIN_FAILURES`).
"""

from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login, user_login_failed
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from phaen.core.ratelimit import RateLimited, check_rate, client_ip, hit, peek

PENDING_SESSION_KEY = "_phaen_signin_pending"
LOCKOUT_TEMPLATE = "accounts/pages/account_locked.html"


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


def _failures_identity(request: HttpRequest) -> str:
    return f"ip:{client_ip(request) or 'unknown'}"


def _check_signin_rates(request: HttpRequest) -> None:
    """Count a sign-in POST; raise RateLimited past either per-address limit."""
    check_rate(request, "signin", settings.PHAEN_RATE_SIGNIN)
    failures = peek(
        "signin-failures", _failures_identity(request), settings.PHAEN_RATE_SIGNIN_FAILURES
    )
    if failures.count >= failures.limit:
        raise RateLimited(failures.retry_after)


def _count_failure(request: HttpRequest) -> None:
    hit("signin-failures", _failures_identity(request), settings.PHAEN_RATE_SIGNIN_FAILURES)


def _refuse_for_rate(view: FormView, exc: RateLimited) -> HttpResponse:
    """Show the form again with the rate-limit message, as 429 with Retry-After."""
    form = view.get_form_class()(**{**view.get_form_kwargs(), "data": None, "files": None})
    # An unbound form, so nothing is authenticated; it carries the message as its one error.
    form.full_clean()
    form.cleaned_data = {}
    form.add_error(None, str(exc.message))
    response = view.render_to_response(view.get_context_data(form=form), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


class LoginView(auth_views.LoginView):
    """Sign in with Phaen's own page, which non-staff users can use (the admin's cannot)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    next_page = "/"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            _check_signin_rates(request)
        except RateLimited as exc:
            return _refuse_for_rate(self, exc)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        _count_failure(self.request)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not user_has_device(user, confirmed=True):
            return super().form_valid(form)
        # The password was right; the code step finishes signing in.
        self.request.session[PENDING_SESSION_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return HttpResponseRedirect(reverse("core:login_code"))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6 digits your app shows for Phaen now."),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


@method_decorator([sensitive_post_parameters("code"), csrf_protect, never_cache], name="dispatch")
class LoginCodeView(FormView):
    """The second sign-in step: a TOTP code for users who turned the second factor on."""

    template_name = "accounts/pages/account_signin_code.html"
    form_class = CodeForm

    def _pending(self) -> tuple[Any, str, str] | None:
        """Return (user, backend, next) of whoever is between the two steps, or None."""
        request = self.request
        user = request.user
        if user.is_authenticated:
            # Signed in without the code (the admin's page): verify this session.
            is_verified = getattr(user, "is_verified", None)
            if (is_verified is not None and is_verified()) or not user_has_device(user):
                return None
            return user, "", _safe_next(request, request.GET.get("next"))
        pending = request.session.get(PENDING_SESSION_KEY)
        if not isinstance(pending, dict):
            return None
        if int(time.time()) - int(pending.get("at", 0)) > settings.PHAEN_SIGNIN_CODE_TIMEOUT:
            request.session.pop(PENDING_SESSION_KEY, None)
            return None
        found = (
            get_user_model().objects.filter(pk=int(pending.get("user", 0)), is_active=True).first()
        )
        if found is None:
            return None
        return found, str(pending.get("backend", "")), str(pending.get("next") or "/")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        pending = self._pending()
        if pending is None:
            if request.user.is_authenticated:
                return redirect(_safe_next(request, request.GET.get("next")))
            return redirect("core:login")
        self.user, self.backend, self.next_url = pending
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["signin_user"] = self.user
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            _check_signin_rates(request)
        except RateLimited as exc:
            return _refuse_for_rate(self, exc)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: CodeForm) -> HttpResponse:
        request = self.request
        credentials = {"username": self.user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.session.pop(PENDING_SESSION_KEY, None)
            return signin_locked_out(request, None, credentials)

        code = "".join(form.cleaned_data["code"].split())
        device = None
        if code.isdigit():
            for candidate in TOTPDevice.objects.filter(user=self.user, confirmed=True):
                if candidate.verify_token(code):
                    device = candidate
                    break
        if device is None:
            _count_failure(request)
            # django-axes counts a wrong code like a wrong password (and may lock the account).
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                request.session.pop(PENDING_SESSION_KEY, None)
            form.add_error(
                "code", _("The code is not correct. Enter the 6-digit code your app shows now.")
            )
            return self.form_invalid(form)

        if not request.user.is_authenticated:
            login(request, self.user, backend=self.backend or None)
        otp_login(request, device)
        request.session.pop(PENDING_SESSION_KEY, None)
        return HttpResponseRedirect(_safe_next(request, self.next_url))


def signin_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """Render the lockout page (django-axes' AXES_LOCKOUT_CALLABLE), as 429."""
    request.session.pop(PENDING_SESSION_KEY, None)
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and go back to the home page."""

    next_page = "/"
