"""How API requests authenticate: a session cookie (with CSRF) or a bearer token (without).

Write endpoints take `auth=WRITE_AUTH`:

- `token_auth` reads `Authorization: Bearer phaen_…`. A request that sends a token is judged by
  the token alone: an unknown, expired or revoked token answers 401 `invalid_token`, even if a
  session cookie came along. Browsers cannot add that header to a cross-site request without a
  CORS preflight, which Phaen does not allow, so token requests need no CSRF token.
- `django_auth` (django-ninja's session authentication) admits a signed-in browser session and
  checks the CSRF token, as Django's forms do.

Tokens belong to `phaen.accounts`, which sits above this package, so the look-up is a registry:
`phaen.accounts` registers its function in `AppConfig.ready()` with
`register_token_authenticator` (the same pattern as `phaen.core.reference`). Until something is
registered, every token is refused. The authenticator returns the token's user or None; on
success `token_auth` also sets `request.user`, so endpoints pass `actor=request.user` to the
services whichever way the request signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, django_auth

from phaen.core.errors import ApplicationError

TokenAuthenticator = Callable[[HttpRequest, str], Any]

_authenticator: TokenAuthenticator | None = None


class InvalidToken(ApplicationError):
    """The bearer token is unknown, expired or revoked (HTTP 401)."""

    http_status = 401

    def __init__(self) -> None:
        super().__init__(
            "invalid_token", _("The API token is not valid: it is unknown, expired or revoked.")
        )


def register_token_authenticator(authenticator: TokenAuthenticator | None) -> None:
    """Set the function that turns a bearer token into a user (None to unset, in tests)."""
    global _authenticator
    _authenticator = authenticator


class TokenAuth(HttpBearer):
    """Bearer-token authentication through the registered authenticator."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = _authenticator(request, token) if _authenticator is not None else None
        if user is None:
            raise InvalidToken
        request.user = user
        return user


token_auth = TokenAuth()
WRITE_AUTH = [token_auth, django_auth]
