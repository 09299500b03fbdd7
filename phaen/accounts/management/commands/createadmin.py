"""`phaen createadmin --username U --email E [--organisation CODE]`: the first administrator.

The password is asked for twice without echo. Where there is no terminal (a deployment script,
a container's first start), or with `--no-input`, it is read from the environment variable
`PHAEN_ADMIN_PASSWORD` instead; there is no default password. The password must pass the
password validators (12 characters or more, not common, not like the username). An existing
username is refused. The user is a superuser, and with `--organisation` also holds the system
administrator role in that organisation. At their first sign-in they are asked to turn on
two-step sign-in.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from phaen.accounts.services import admin_create
from phaen.core.errors import ValidationFailed
from phaen.orgs.models import Organisation

PASSWORD_VARIABLE = "PHAEN_ADMIN_PASSWORD"
ATTEMPTS = 3


class CommandActor:
    """The audit trail's actor for users created from the command line."""

    pk = None
    is_authenticated = True
    is_active = True

    def __str__(self) -> str:
        return "cli:createadmin"


class Command(BaseCommand):
    help = (
        "Create an administrator (a superuser with the system administrator role). The password "
        f"is asked twice, or read from {PASSWORD_VARIABLE} when there is no terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--organisation",
            metavar="CODE",
            help="Also give the system administrator role in this organisation.",
        )
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"Never prompt: read the password from {PASSWORD_VARIABLE}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(code=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    _("No organisation has the code %(code)s.") % {"code": options["organisation"]}
                )

        interactive = not options["no_input"] and sys.stdin.isatty()
        attempts = ATTEMPTS if interactive else 1
        for attempt in range(1, attempts + 1):
            password = self._password(interactive)
            try:
                user = admin_create(
                    actor=CommandActor(),
                    username=options["username"],
                    email=options["email"],
                    password=password,
                    organisation=organisation,
                )
            except ValidationFailed as exc:
                fields = exc.detail.get("fields", {})
                if interactive and set(fields) == {"password"} and attempt < attempts:
                    self.stderr.write(str(fields["password"]))
                    continue
                raise CommandError(str(exc.message)) from None
            break
        self.stdout.write(_("Created the administrator %(name)s.") % {"name": user.get_username()})

    def _password(self, interactive: bool) -> str:
        if not interactive:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password:
                raise CommandError(
                    _("There is no terminal to ask for the password: set %(variable)s.")
                    % {"variable": PASSWORD_VARIABLE}
                )
            return password
        for _attempt in range(ATTEMPTS):
            first = getpass.getpass(_("Password: "))
            second = getpass.getpass(_("Password (again): "))
            if first and first == second:
                return first
            self.stderr.write(_("The passwords do not match (or are empty). Try again."))
        raise CommandError(_("No password was set."))
