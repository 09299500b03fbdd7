"""Who a command-line change is made as: a named active user, or the system actor."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from phaen.core.actors import SYSTEM


def actor_from_username(username: str | None) -> Any:
    """Return the active user called `username`, or the system actor when it is empty.

    Raises CommandError (with a message in the user's language) for an unknown or inactive user.
    """
    if not username:
        return SYSTEM
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(
            _("There is no active user called “%(username)s”.") % {"username": username}
        )
    return user
