"""`phaen import KIND FILE.xlsx [--user USERNAME] [--option KEY=VALUE ...]`: import a workbook.

The file is checked and imported at once, whatever its size, as the given user (whose
permissions apply) or, without `--user`, as the system actor. A refused file prints every
problem (row, column, message) and exits with status 1; nothing is written then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from phaen.core import import_jobs, imports
from phaen.core.errors import ApplicationError
from phaen.core.management.actors import actor_from_username
from phaen.core.models import ImportStatus


class Command(BaseCommand):
    help = "Import an Excel workbook (.xlsx) through one of Phaen's importers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="What to import: " + ", ".join(imports.names()))
        parser.add_argument("file", help="The workbook (.xlsx)")
        parser.add_argument("--user", help="Import as this user (default: the system actor)")
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="A value the whole file shares, such as a fiscal year (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_from_username(options.get("user"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        settings_given: dict[str, str] = {}
        for item in options["option"]:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CommandError(
                    _("Write each option as KEY=VALUE, not “%(item)s”.") % {"item": item}
                )
            settings_given[key.strip()] = value.strip()

        try:
            with path.open("rb") as handle:
                job = import_jobs.import_start(
                    actor=actor,
                    importer_name=options["kind"],
                    file=File(handle, name=path.name),
                    options=settings_given,
                    background=False,
                )
        except ApplicationError as exc:
            fields = (exc.detail or {}).get("fields") or {}
            details = "".join(f"\n  {name}: {message}" for name, message in fields.items())
            raise CommandError(f"{exc.message}{details}") from None

        if job.status == ImportStatus.DONE:
            summary = job.summary or {}
            self.stdout.write(
                _("Imported %(rows)s rows from %(file)s (job %(pk)s).")
                % {"rows": summary.get("rows", 0), "file": job.file_name, "pk": job.pk}
            )
            for key, value in (summary.get("counts") or {}).items():
                self.stdout.write(f"  {import_jobs.count_label(key)}: {value}")
            self._ignored(summary)
            return

        self._ignored(job.summary or {})
        for error in job.errors:
            where = [_("row %(row)s") % {"row": error["row"]}] if error.get("row") else []
            if error.get("column"):
                where.append(_("column “%(column)s”") % {"column": error["column"]})
            prefix = ", ".join(where)
            self.stdout.write(f"{prefix}: {error['message']}" if prefix else error["message"])
        raise CommandError(job.message or str(job.get_status_display()))

    def _ignored(self, summary: dict[str, Any]) -> None:
        ignored = summary.get("ignored_columns") or []
        if ignored:
            self.stderr.write(
                _("Ignored columns the import does not know: %(columns)s")
                % {"columns": ", ".join(ignored)}
            )
