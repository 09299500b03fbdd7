"""Django's model backend, reading with each request's user whether they have TOTP turned on.

`TwoFactorMiddleware` must know, on every request of a signed-in session, whether the user has a
confirmed TOTP device. Asking in a second query would add one to every page; instead the
backend's `get_user` (which `AuthenticationMiddleware` calls once per request) annotates the user
with `phaen_has_totp` in the same query. Devices are read fresh each time, so turning TOTP on in
one browser holds every other session of the user to the code step at their next request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

HAS_TOTP = "phaen_has_totp"


def _users() -> QuerySet[Any]:
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return get_user_model()._default_manager.annotate(**{HAS_TOTP: Exists(devices)})


class PhaenModelBackend(ModelBackend):
    """ModelBackend whose users carry `phaen_has_totp`."""

    def get_user(self, user_id: Any) -> Any:
        user = _users().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id: Any) -> Any:
        user = await _users().filter(pk=user_id).afirst()
        return user if user is not None and self.user_can_authenticate(user) else None
