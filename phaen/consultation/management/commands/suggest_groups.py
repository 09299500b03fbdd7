"""`phaen suggest_groups HEARING_CODE [--user USERNAME]`: group a hearing's comments by topic.

Runs the same service as the "Suggest groups" button (`grouping_services.groups_suggest`), as the
given user (whose permissions apply) or, without `--user`, as the system actor. Useful for a
hearing with thousands of comments, where suggesting groups takes longer than a page should
wait (bench/RESULTS.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from phaen.consultation import grouping_services, selectors
from phaen.core.errors import ApplicationError
from phaen.core.management.actors import actor_from_username


class Command(BaseCommand):
    help = "Suggest topic groups for a hearing's comments (as the page's button does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("hearing", help="The hearing's code")
        parser.add_argument("--user", help="Act as this user (default: the system actor)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_username(options.get("user"))
        try:
            hearing = selectors.hearing_for_write(options["hearing"])
            result = grouping_services.groups_suggest(actor=actor, hearing=hearing)
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            _(
                "%(created)s groups suggested; %(replaced)s earlier suggestions replaced; "
                "%(kept)s groups kept; %(ungrouped)s comments without a group."
            )
            % {
                "created": len(result.created),
                "replaced": result.replaced,
                "kept": result.kept,
                "ungrouped": result.ungrouped,
            }
        )
        for group in result.created:
            self.stdout.write(f"  #{group.pk}\t{group.element_code or '-'}\t{group.name}")
