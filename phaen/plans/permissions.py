"""Who may change plans, their elements and alignment links.

Checked inside the services, so the web pages, the API, the CLI and tasks obey the same rules.
For now a change needs an active user holding Django's model permission for it; agency-scoped
roles replace this in the governance work (issue 3).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from phaen.core.errors import PermissionDenied


class SystemActor:
    """The actor of changes made by the system itself, such as reference-data loads."""

    is_active = True
    is_authenticated = True
    pk = None

    def has_perm(self, perm: str) -> bool:
        return True

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def _has(actor: Any, perm: str) -> bool:
    if actor is None:
        return False
    return bool(actor.is_active and actor.has_perm(perm))


def ensure(actor: Any, action: str, model: str) -> None:
    """Raise `PermissionDenied` unless `actor` may `action` (add/change/delete) a `model`."""
    if not _has(actor, f"plans.{action}_{model}"):
        raise PermissionDenied(
            "permission_denied",
            _("You do not have permission to do this."),
            detail={"action": action, "model": model},
        )


def can_edit_plans(actor: Any) -> bool:
    """Tell whether the pages should offer editing of plans and their outlines."""
    return (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and _has(actor, "plans.change_plan")
    )
