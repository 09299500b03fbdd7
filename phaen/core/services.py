"""Services of the core app."""

from __future__ import annotations

from django.db import transaction

from phaen.core import reference


def reference_load_all() -> dict[str, dict[str, int]]:
    """Load every app's reference data in one transaction; idempotent, safe to re-run.

    Returns, per loader, the number of rows of each kind it holds after the load.
    """
    results: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        for loader in reference.loaders():
            results[loader.name] = loader.load()
    return results
