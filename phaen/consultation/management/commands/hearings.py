"""`phaen hearings [--status STATUS] [--plan CODE] [--organiser CODE]`: list the hearings.

Prints each hearing's code, status, period (Thai dates, Buddhist Era), the number of comments
received and its title, newest first. The command line reads as the system actor, so it lists
scheduled hearings too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from phaen.consultation import selectors
from phaen.consultation.models import HearingStatus
from phaen.core.actors import SYSTEM
from phaen.core.thai_calendar import format_thai_date


class Command(BaseCommand):
    help = "List the public hearings with their status, period and number of comments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--status", help="Only hearings in this status: " + ", ".join(HearingStatus.values)
        )
        parser.add_argument("--plan", help="Only hearings of the plan with this code")
        parser.add_argument("--organiser", help="Only hearings of this organisation (its code)")

    def handle(self, *args: Any, **options: Any) -> None:
        status = options.get("status")
        if status and status not in HearingStatus.values:
            raise CommandError(
                _("Unknown status “%(status)s”. Use one of: %(choices)s.")
                % {"status": status, "choices": ", ".join(HearingStatus.values)}
            )
        hearings = list(
            selectors.hearing_list(
                viewer=SYSTEM,
                status=status,
                plan=options.get("plan"),
                organiser=options.get("organiser"),
            )
        )
        if not hearings:
            self.stdout.write(_("No hearings."))
            return
        for hearing in hearings:
            start = format_thai_date(timezone.localtime(hearing.starts_at).date())
            end = format_thai_date(timezone.localtime(hearing.ends_at).date())
            self.stdout.write(
                f"{hearing.code}\t{hearing.get_status_display()}\t{start} – {end}\t"
                + _("%(count)s comments") % {"count": getattr(hearing, "comment_count", 0)}
                + f"\t{hearing.title_th}"
            )
