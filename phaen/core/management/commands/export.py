"""`phaen export NAME --format json|csv|xlsx [--output FILE]`: write a registered export."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phaen.core import exports


class Command(BaseCommand):
    help = "Export Phaen data (e.g. plans) as JSON, CSV or an Excel workbook (XLSX)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What to export: " + ", ".join(exports.names()))
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument("--output", "-o", help="File to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        try:
            export = exports.get(name)
        except KeyError:
            raise CommandError(
                f"Unknown export '{name}'. Choose one of: {', '.join(exports.names())}."
            ) from None
        fmt = options["format"]
        target = options.get("output")
        path = Path(target) if target else None
        if path is not None and not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        if fmt == "xlsx":
            self._xlsx(export, path)
            return
        writer = exports.write_csv if fmt == "csv" else exports.write_json
        if path is not None:
            encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
            with path.open("w", encoding=encoding, newline="") as out:
                writer(export, export.rows(), out)
            self.stderr.write(f"Wrote {path}.")
        else:
            buffer = io.StringIO()
            writer(export, export.rows(), buffer)
            self.stdout.write(buffer.getvalue(), ending="")

    def _xlsx(self, export: exports.Export, path: Path | None) -> None:
        if path is not None:
            with path.open("wb") as out:
                exports.write_xlsx(export, export.rows(), out)
            self.stderr.write(f"Wrote {path}.")
            return
        # A workbook is binary: write it only to a redirected standard output.
        stream = getattr(self.stdout, "_out", None)
        binary = getattr(stream, "buffer", None)
        if stream is not sys.stdout or binary is None or stream.isatty():
            raise CommandError(
                "An XLSX workbook is binary: give --output FILE, or redirect the output to a file."
            )
        exports.write_xlsx(export, export.rows(), binary)
        binary.flush()
