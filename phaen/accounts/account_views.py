"""The signed-in user's own account at /account/: password, two-step sign-in, API tokens.

Mounted by `phaen.accounts.urls` (namespace `accounts`) through `urls_account.py`. Every page
needs a signed-in user and is never cached; a new token's key is shown on the page that answers
the POST that made it, and nowhere else.

Enrolment (`account_totp`) is open to sessions that have not passed a code, because
`TwoFactorMiddleware` sends administrators and approvers there before anything else; but a user
who already has a confirmed device must verify the session first, so a stolen password alone
cannot replace someone's authenticator.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from phaen.accounts import selectors, services
from phaen.accounts.forms import MemberAddForm, TokenCreateForm, TotpCodeForm
from phaen.accounts.middleware import requires_totp
from phaen.accounts.models import ApiToken, Membership
from phaen.accounts.permissions import can_manage_members, is_auditor
from phaen.core.errors import PermissionDenied as DomainPermissionDenied
from phaen.core.errors import ValidationFailed
from phaen.core.ratelimit import rate_limit
from phaen.orgs.models import Organisation


def _qr_data_uri(text: str) -> str:
    """Return `text` as a QR code in an SVG data: URI (allowed by the CSP's img-src)."""
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2
    )
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _secret_groups(device: TOTPDevice) -> str:
    """Return the device's secret in base32, in groups of four, for typing into an app."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _next_or_account(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("accounts:account")


def _is_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _overview_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    return {
        "totp_device": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "totp_required": requires_totp(user),
        "tokens": ApiToken.objects.filter(user=user),
        "token_form": TokenCreateForm(),
        "disable_form": TotpCodeForm(),
        "memberships": Membership.objects.filter(user=user, is_active=True).select_related(
            "organisation"
        ),
        "is_auditor": is_auditor(user),
        **extra,
    }


@never_cache
@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The account page: the state of the password, the second factor and the API tokens."""
    return render(request, "accounts/pages/account_overview.html", _overview_context(request))


@never_cache
@login_required
@sensitive_post_parameters()
@rate_limit(rate="10/m", key="user", scope="account-password")
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: the current one, then the new one twice."""
    user: Any = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.user,
                user=request.user,
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationFailed as exc:
            form.add_error("new_password1", str(exc.message))
        else:
            # Keeps this session; the user's other sessions end with the old password.
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:account")
    return render(request, "accounts/pages/account_password.html", {"form": form})


@never_cache
@login_required
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Turn on two-step sign-in: scan the QR code, then confirm with a code from the app."""
    user: Any = request.user
    if user_has_device(user, confirmed=True) and not _is_verified(request):
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('core:login_code')}?{query}")

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            services.totp_device_confirm(actor=user, device=device, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_error("code", str(exc.message))
        else:
            # The code just given proves the factor: this session counts as verified.
            otp_login(request, device)
            messages.success(request, _("Two-step sign-in is on."))
            return redirect(_next_or_account(request))
    if device is None:
        device = services.totp_device_start(actor=user)
    context = {
        "form": form,
        "qr_code": _qr_data_uri(device.config_url),
        "secret": _secret_groups(device),
        "replacing": user_has_device(user, confirmed=True),
        "totp_required": requires_totp(user),
        "next": request.GET.get("next") or request.POST.get("next") or "",
    }
    return render(request, "accounts/pages/account_totp.html", context)


@never_cache
@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-step sign-in off, with a current code."""
    form = TotpCodeForm(request.POST)
    if form.is_valid():
        try:
            services.totp_device_disable(actor=request.user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_error("code", str(exc.message))
        else:
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("accounts:account")
    context = _overview_context(request, disable_form=form)
    return render(request, "accounts/pages/account_overview.html", context, status=422)


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Make an API token and show its key, this once."""
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
            )
        except ValidationFailed as exc:
            for field, message in exc.detail.get("fields", {}).items():
                form.add_error(field if field in form.fields else None, message)
        else:
            context = {"token": token, "key": key}
            return render(request, "accounts/pages/account_token_created.html", context)
    context = _overview_context(request, token_form=form)
    return render(request, "accounts/pages/account_overview.html", context, status=422)


@never_cache
@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens."""
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk, user=request.user)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:account")


@never_cache
@login_required
@sensitive_post_parameters("password")
def members(request: HttpRequest, code: str) -> HttpResponse:
    """An organisation's people and their roles, for its administrators; add a person."""
    organisation = get_object_or_404(Organisation, code=code)
    if not can_manage_members(request.user, organisation.pk):
        raise DjangoPermissionDenied
    form = MemberAddForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.member_add(actor=request.user, organisation=organisation, **form.cleaned_data)
        except DomainPermissionDenied:
            form.add_error("role", _("You may not give this role."))
        except ValidationFailed as exc:
            for field, message in exc.detail.get("fields", {}).items():
                form.add_error(field if field in form.fields else None, message)
            if not exc.detail.get("fields"):
                form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The role was given."))
            return redirect("accounts:members", code=organisation.code)
    context = {
        "organisation": organisation,
        "memberships": selectors.membership_list(organisation),
        "form": form,
    }
    status = 422 if form.is_bound and form.errors else 200
    return render(request, "accounts/pages/members.html", context, status=status)


@never_cache
@login_required
@require_POST
def member_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a role away (`membership_revoke`)."""
    membership = get_object_or_404(
        Membership.objects.select_related("organisation", "user"), pk=pk, is_active=True
    )
    try:
        services.membership_revoke(actor=request.user, membership=membership)
    except DomainPermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc
    messages.success(request, _("The role was taken away."))
    return redirect("accounts:members", code=membership.organisation.code)
