"""Hold signed-in sessions to the second-factor rules before any page runs.

Two rules, checked for every signed-in session that has not passed a TOTP code:

1. A user with a confirmed TOTP device must give a code. A session signed in with the password
   alone (the admin's sign-in page, or a device confirmed in another browser) is sent to the code
   step, `core:login_code`.
2. System administrators (including superusers), staff with access to the admin site, and
   approvers must turn TOTP on (`PHAEN_TOTP_REQUIRED_FOR_PRIVILEGED`). Until they have, every
   page sends them to enrolment, `accounts:account_totp`.

Only the views in `ALLOWED_VIEWS` stay open: signing in and out, the code step, enrolment,
language switching and the health check. Pages answer with a redirect (an `HX-Redirect` for
htmx requests); the API answers 403 `{"code": "otp_required", ...}`. Requests that
authenticate with an API token carry no session user, so they pass untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp import user_has_device

from phaen.accounts.backends import HAS_TOTP
from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of

ALLOWED_VIEWS = frozenset(
    {
        "core:login",
        "core:login_code",
        "core:logout",
        "core:healthz",
        "accounts:account_totp",
        "set_language",
        "admin:logout",
        "admin:jsi18n",
    }
)


def has_totp(user: Any) -> bool:
    """Tell whether the user has a confirmed TOTP device (read with the user when possible)."""
    known = getattr(user, HAS_TOTP, None)
    if known is not None:
        return bool(known)
    return user_has_device(user, confirmed=True)


def requires_totp(user: Any) -> bool:
    """Tell whether the user's roles oblige them to use a TOTP second factor."""
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return True
    roles = roles_of(user)
    return roles.system_admin or bool(roles.organisations(Role.APPROVER))


class TwoFactorMiddleware:
    """Send unverified sessions to the code step, and unenrolled administrators to enrolment."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_VIEWS:
            return None

        if has_totp(user):
            return self._send(
                request,
                "core:login_code",
                _("Enter the code from your authenticator app to continue."),
            )
        if settings.PHAEN_TOTP_REQUIRED_FOR_PRIVILEGED and requires_totp(user):
            # The enrolment page itself says why, so no message is added.
            return self._send(
                request,
                "accounts:account_totp",
                _(
                    "Administrators and approvers must turn on two-step sign-in "
                    "before they continue."
                ),
                flash=False,
            )
        return None

    def _send(
        self, request: HttpRequest, url_name: str, message: str, *, flash: bool = True
    ) -> HttpResponse:
        match = request.resolver_match
        if match is not None and (match.namespace == "api" or "api" in match.namespaces):
            body = {"code": "otp_required", "message": message, "detail": {}}
            return JsonResponse(body, status=403)
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            # A URLconf without these pages (some tests): refuse rather than let through.
            return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        if flash:
            messages.warning(request, message)
        return HttpResponseRedirect(url)
