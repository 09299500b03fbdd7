"""Roles and their reach: the predicates every app's permission rules are built from.

`roles_of(user)` reads a user's active memberships once per request (cached on the user object)
and answers which organisations each role covers, including the organisations below when the
membership says so. The apps' `permissions.py` modules combine these predicates with their own
objects (a plan's owner, a submission's deciding body) and raise `PermissionDenied`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from phaen.accounts.models import Membership, Role
from phaen.orgs.models import Organisation

_CACHE_ATTR = "_phaen_roles"


@dataclass
class RoleSet:
    """The organisations each of a user's roles covers."""

    orgs_by_role: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    system_admin: bool = False

    def covers(self, role: str, organisation_id: int | None) -> bool:
        """Tell whether the user holds `role` for `organisation_id` (or is a system admin)."""
        if self.system_admin:
            return True
        return organisation_id is not None and organisation_id in self.orgs_by_role.get(role, set())

    def has(self, role: str) -> bool:
        """Tell whether the user holds `role` anywhere."""
        return self.system_admin or bool(self.orgs_by_role.get(role))

    def organisations(self, role: str) -> set[int]:
        return set(self.orgs_by_role.get(role, set()))


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in Organisation.objects.values_list("pk", "parent_id"):
        if parent_id is not None:
            children[parent_id].append(pk)
    return children


def _below(root: int, children: dict[int, list[int]]) -> set[int]:
    """Return `root` and every organisation under it."""
    found, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def roles_of(user: Any) -> RoleSet:
    """Return the user's roles, read once (two queries at most) and cached on the user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    roles = RoleSet()
    if user is not None and getattr(user, "is_authenticated", False) and user.is_active:
        roles.system_admin = bool(getattr(user, "is_superuser", False))
        if getattr(user, "pk", None) is None:  # the system actor has no memberships to read
            return roles
        rows = list(
            Membership.objects.filter(user=user, is_active=True).values_list(
                "role", "organisation_id", "includes_sub_organisations"
            )
        )
        children = _children_map() if any(sub for _, _, sub in rows) else {}
        for role, org, sub in rows:
            if role == Role.SYSTEM_ADMIN:
                roles.system_admin = True
            roles.orgs_by_role[role] |= _below(org, children) if sub else {org}
        setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user: Any) -> None:
    """Drop the cached roles, after memberships change in the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_system_admin(user: Any) -> bool:
    return roles_of(user).system_admin


def is_auditor(user: Any) -> bool:
    """Auditors (and system administrators) read everything, including the audit trail."""
    return roles_of(user).has(Role.AUDITOR)


def can_manage_members(user: Any, organisation_id: int) -> bool:
    """Organisation administrators manage the people of the organisations they administer."""
    roles = roles_of(user)
    return roles.system_admin or roles.covers(Role.ORG_ADMIN, organisation_id)
