"""Background tasks (Django's tasks framework; `settings.TASKS` picks the backend).

With the default database backend (`django_tasks_db`) a task waits in the database until
`phaen worker` (an alias of `db_worker`, which `phaen serve` starts beside the web server) runs
it. With `PHAEN_TASKS_BACKEND=immediate` it runs at once, inside the request that queued it.
"""

from __future__ import annotations

from django.tasks import task

from phaen.core.import_jobs import import_run


@task
def run_import(job_id: int) -> str:
    """Run the import job `job_id` (queued by `import_start` for large files); return its status."""
    return str(import_run(job_id).status)
