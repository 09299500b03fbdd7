"""`phaen hearing-report HEARING_CODE --format pdf|docx [-o FILE] [--user USERNAME]`: write a
hearing's summary report to a file.

Builds the same report as the page /consultation/<code>/summary/ (`report.hearing_report`) and
renders it in Thai (`report_render.report_file`). Without `--user` the command reads as the
system actor, which may also write the draft of a summary not yet published; with `--user`, that
user's permissions apply. Without `-o` the file is `<code>-summary.<format>` in the current
directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from phaen.consultation import report_render, selectors
from phaen.core.errors import ApplicationError
from phaen.core.management.actors import actor_from_username


class Command(BaseCommand):
    help = "Write a hearing's summary report (in Thai) as a PDF or a Word document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("hearing", help="The hearing's code")
        parser.add_argument(
            "--format",
            choices=[report_render.PDF, report_render.DOCX],
            default=report_render.PDF,
            help="pdf (default) or docx",
        )
        parser.add_argument("-o", "--output", help="The file to write (default: CODE-summary.FMT)")
        parser.add_argument("--user", help="Read as this user (default: the system actor)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_username(options.get("user"))
        try:
            hearing = selectors.hearing_get(options["hearing"], viewer=actor)
            document = report_render.report_file(hearing, viewer=actor, fmt=options["format"])
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        path = Path(options.get("output") or document.filename)
        try:
            path.write_bytes(document.content)
        except OSError as exc:
            raise CommandError(
                _("Could not write “%(path)s”: %(error)s") % {"path": path, "error": exc.strerror}
            ) from exc
        self.stdout.write(
            _("Wrote %(path)s (%(size)s bytes).") % {"path": path, "size": len(document.content)}
        )
