"""Who may create, change and delete organisations and their aliases.

Checked inside the services, so the pages, the API, the admin's callers and the CLI obey the same
rule. For now that rule is Django's model permission on `orgs.Organisation` held by an active,
signed-in user; agency-scoped roles may refine it later.
"""

from __future__ import annotations

from typing import Literal, Protocol

from phaen.core.errors import PermissionDenied

Action = Literal["add", "change", "delete"]


class Actor(Protocol):
    """Who asks for a change: a user, the anonymous user, or a system actor."""

    @property
    def is_active(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...

    def has_perm(self, perm: str) -> bool: ...


def can_manage_organisations(actor: Actor | None, action: Action = "change") -> bool:
    """Tell whether `actor` may `action` (add, change or delete) organisations.

    Changing an organisation's aliases counts as changing the organisation.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return bool(actor.has_perm(f"orgs.{action}_organisation"))


def ensure_can_manage_organisations(actor: Actor | None, action: Action = "change") -> None:
    """Raise `PermissionDenied` unless `actor` may `action` organisations."""
    if not can_manage_organisations(actor, action):
        raise PermissionDenied(detail={"action": action, "model": "organisation"})
