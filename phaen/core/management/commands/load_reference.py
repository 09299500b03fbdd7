"""`phaen load-reference`: load geography, organisations and plans (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from phaen.core.errors import ApplicationError
from phaen.core.services import reference_load_all


class Command(BaseCommand):
    help = "Load Phaen's reference data (geography, organisations, plans). Safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = reference_load_all()
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} Nothing was loaded.") from exc
        for name, counts in results.items():
            summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
            self.stdout.write(f"{name}: {summary}")
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
