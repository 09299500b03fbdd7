"""`phaen demo-users`: create the demonstration accounts, one per role, printing passwords once."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from phaen.accounts.services import demo_users_load
from phaen.core.errors import ApplicationError

DEMO_USERS = Path(__file__).resolve().parents[2] / "reference" / "demo_users.yaml"


class Command(BaseCommand):
    help = (
        "Create the demonstration accounts (phaen/accounts/reference/demo_users.yaml) that do "
        "not exist yet. Passwords are random and printed once, or PHAEN_DEMO_PASSWORD."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("PHAEN_DEMO_PASSWORD") or None
        try:
            created = demo_users_load(DEMO_USERS, password=password)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} No account was created.") from exc
        if not created:
            self.stdout.write("The demonstration accounts exist already (passwords unchanged).")
            return
        self.stdout.write("Demonstration accounts (the passwords are shown this once):")
        for username, secret in created:
            self.stdout.write(f"  {username:<20} {secret}")
        self.stdout.write(
            "Administrators and approvers set up two-step sign-in (TOTP) when they first sign in."
        )
