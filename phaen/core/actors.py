"""The system actor: who changes things when no person does (reference loads, demo accounts).

It passes every permission check and is recorded in the audit trail as "system". Only code run
by whoever administers the server (management commands, `make run`) may use it; no request
ever carries it.
"""

from __future__ import annotations


class SystemActor:
    """The actor of changes made by the system itself, such as reference-data loads."""

    is_active = True
    is_authenticated = True
    is_superuser = True
    is_staff = False
    pk = None

    def has_perm(self, perm: str) -> bool:
        return True

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()
