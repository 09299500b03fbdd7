"""`phaen audit verify` and `phaen audit export --format csv -o FILE`: the audit trail from a shell.

`verify` walks the hash chain and exits non-zero naming the first broken record; on success it
prints the number of records and the last hash, which an auditor may note down elsewhere to
detect a rewrite of the whole chain later. `export` writes the trail, or the records the
filters select, as UTF-8 CSV (with a byte-order mark when written to a file, for Excel).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phaen.core.audit import AuditFilters, audit_csv_rows, audit_search, audit_verify
from phaen.core.models import AuditOutcome


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = _("Write dates as YYYY-MM-DD (Gregorian): %(value)s") % {"value": value}
        raise CommandError(message) from None


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or export the trail as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="verify|export")
        verify = sub.add_parser("verify", help="Walk the hash chain and report the first break.")
        verify.add_argument("--batch-size", type=int, default=2000)
        export = sub.add_parser("export", help="Write the audit trail as CSV.")
        export.add_argument("--format", choices=["csv"], default="csv")
        export.add_argument("--output", "-o", help="File to write (default: standard output)")
        export.add_argument("--actor", default="", help="Part of the actor's user name.")
        export.add_argument("--action", default="", help='An action or its prefix ("plan").')
        export.add_argument("--target-type", default="", help='For example "plans.plan".')
        export.add_argument("--target-id", default="")
        export.add_argument("--outcome", choices=AuditOutcome.values, default="")
        export.add_argument("--from", dest="date_from", default="", help="First day, YYYY-MM-DD.")
        export.add_argument("--to", dest="date_to", default="", help="Last day, YYYY-MM-DD.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify(options["batch_size"])
        else:
            self._export(options)

    def _verify(self, batch_size: int) -> None:
        result = audit_verify(batch_size=batch_size)
        if not result.ok:
            raise CommandError(_("Audit trail broken: %(message)s.") % {"message": result.message})
        self.stdout.write(self.style.SUCCESS(_("OK: %(message)s.") % {"message": result.message}))
        if result.checked:
            self.stdout.write(
                _("Last record %(id)s, hash %(hash)s")
                % {"id": result.last_id, "hash": result.last_hash}
            )

    def _export(self, options: dict[str, Any]) -> None:
        filters = AuditFilters(
            actor=options["actor"],
            action=options["action"],
            target_type=options["target_type"],
            target_id=options["target_id"],
            outcome=options["outcome"],
            date_from=_day(options["date_from"]) if options["date_from"] else None,
            date_to=_day(options["date_to"]) if options["date_to"] else None,
        )
        rows = audit_csv_rows(audit_search(filters).iterator(chunk_size=2000))
        target = options.get("output")
        if target:
            path = Path(target)
            if not path.parent.exists():
                raise CommandError(
                    _("The folder %(folder)s does not exist.") % {"folder": path.parent}
                )
            count = -1  # the header is not a record
            with path.open("w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                for row in rows:
                    writer.writerow(row)
                    count += 1
            message = ngettext(
                "Wrote %(count)s record to %(path)s.", "Wrote %(count)s records to %(path)s.", count
            )
            self.stderr.write(message % {"count": count, "path": path})
        else:
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            self.stdout.write(buffer.getvalue(), ending="")
