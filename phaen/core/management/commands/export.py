"""`phaen export NAME --format json|csv [--output FILE]`: write a registered export."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaen.core import exports


class Command(BaseCommand):
    help = "Export Phaen data (e.g. plans) as JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What to export: " + ", ".join(exports.names()))
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", "-o", help="File to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        try:
            export = exports.get(name)
        except KeyError:
            raise CommandError(
                f"Unknown export '{name}'. Choose one of: {', '.join(exports.names())}."
            ) from None
        writer = exports.write_csv if options["format"] == "csv" else exports.write_json
        target = options.get("output")
        if target:
            path = Path(target)
            if not path.parent.exists():
                raise CommandError(f"The folder {path.parent} does not exist.")
            encoding = "utf-8-sig" if options["format"] == "csv" else "utf-8"
            with path.open("w", encoding=encoding, newline="") as out:
                writer(export, export.rows(), out)
            self.stderr.write(f"Wrote {path}.")
        else:
            buffer = io.StringIO()
            writer(export, export.rows(), buffer)
            self.stdout.write(buffer.getvalue(), ending="")
