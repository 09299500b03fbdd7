"""The `phaen` command: Phaen's management commands under friendlier names.

`phaen serve`, `phaen load-reference`, `phaen export plans --format csv`,
`phaen import actuals results.xlsx --user somchai`, `phaen worker`,
`phaen alignment-chain eec2-a1`; any other Django management command passes through
(`phaen migrate`, `phaen createsuperuser`). Messages are in Thai unless PHAEN_LANGUAGE=en.

`phaen serve` also starts the background worker (`db_worker`, which runs large imports) in a
process of its own when the tasks backend is the database one, and stops it when the server
stops; `phaen serve --no-worker` starts the web server alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

ALIASES = {
    "serve": "runserver",
    "load-reference": "load_reference",
    "alignment-chain": "alignment_chain",
    "demo-users": "demo_users",
    "import": "import_file",
    "worker": "db_worker",
    "hearing-report": "hearing_report",
}
DATABASE_TASKS_BACKEND = "django_tasks_db.DatabaseBackend"


def _uses_database_tasks() -> bool:
    from django.conf import settings

    return bool(settings.TASKS.get("default", {}).get("BACKEND") == DATABASE_TASKS_BACKEND)


def start_worker() -> subprocess.Popen[bytes]:
    """Start `db_worker` in a process group of its own (its autoreloader has a child too)."""
    return subprocess.Popen(
        [sys.executable, "-m", "phaen.cli", "db_worker"],
        start_new_session=True,
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker's whole process group: politely, then for good."""
    if worker.poll() is not None:
        return
    try:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    except ProcessLookupError:
        pass


def _serve(args: list[str]) -> None:
    from django.core.management import execute_from_command_line

    with_worker = "--no-worker" not in args
    args = [arg for arg in args if arg != "--no-worker"]
    # runserver's autoreloader runs this program again in a child (RUN_MAIN=true): only the
    # outer process starts the worker.
    worker = None
    if with_worker and os.environ.get("RUN_MAIN") != "true" and _uses_database_tasks():
        worker = start_worker()

    def _terminate(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        execute_from_command_line(args)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if worker is not None:
            stop_worker(worker)


def main(argv: list[str] | None = None) -> None:
    """Run a Phaen command."""
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    serving = len(args) > 1 and args[1] == "serve"
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    else:
        args.append("help")
    args[0] = "phaen"
    import django
    from django.core.management import execute_from_command_line
    from django.utils import translation

    django.setup()
    # Messages follow PHAEN_LANGUAGE (th or en); Thai, the site's language, by default.
    language = os.environ.get("PHAEN_LANGUAGE", "").strip()
    if language:
        translation.activate(language)
    if serving:
        _serve(args)
    else:
        execute_from_command_line(args)


if __name__ == "__main__":
    main()
