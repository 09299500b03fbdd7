"""Helpers the benchmark scripts share: Django set-up on a benchmark database, and timing a
call with its query count.

The scripts run from the repository root (`.venv/bin/python bench/<name>.py`), so this module is
imported as `common` (the script's folder is first on `sys.path`).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django(database: str) -> None:
    """Set Django up on `var/<database>` (SQLite) unless DATABASE_URL names another database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / database}")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()


def timed(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """Call `fn` once; return the seconds it took, the queries it ran and its result."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    return elapsed, len(ctx.captured_queries), result


def measure(label: str, fn: Callable[[], Any], repeat: int = 5) -> dict[str, Any]:
    """Count the queries of one call of `fn`, then time `repeat` more: the median in ms."""
    _seconds, queries, _result = timed(fn)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"label": label, "median_ms": statistics.median(times) * 1000, "queries": queries}
