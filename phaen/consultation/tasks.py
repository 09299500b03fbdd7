"""Background tasks of participation (Django's tasks framework; see `phaen.core.tasks`)."""

from __future__ import annotations

from django.tasks import task

from phaen.consultation.grouping_services import grouping_job_run


@task
def run_grouping(job_id: int) -> str:
    """Suggest the groups of the background job `job_id`; return the job's status."""
    return str(grouping_job_run(job_id).status)
