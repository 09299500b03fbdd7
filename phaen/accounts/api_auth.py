"""Turn an API bearer token into its user, for `phaen.api.auth.token_auth`.

Registered in `AccountsConfig.ready()`; see `phaen.api.auth` for why it is a registry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from phaen.accounts.models import ApiToken
from phaen.accounts.services import TOKEN_PREFIX, token_hash

# last_used_at is written at most this often per token, so a busy client does not write on
# every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def authenticate_token(request: HttpRequest, key: str) -> Any:
    """Return the active user of a live token (not revoked, not expired), or None."""
    key = key.strip()
    if not key.startswith(TOKEN_PREFIX) or len(key) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
