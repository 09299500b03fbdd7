"""A request to suggest topic groups in the background, for a hearing with many comments.

`grouping_services.groups_suggest_request` suggests groups at once for up to
`settings.PHAEN_GROUPING_BACKGROUND_COMMENTS` comments and queues a `GroupingJob` for more; the
task `phaen.consultation.tasks.run_grouping` then runs the same `groups_suggest` as the planner
who asked, in their language, and records what it did (or why it could not) on the job, which
the groups page shows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["GroupingJob", "GroupingJobStatus"]


class GroupingJobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class GroupingJob(models.Model):
    """One background suggestion of topic groups for a hearing's comments."""

    hearing = models.ForeignKey(
        "consultation.Hearing", on_delete=models.CASCADE, related_name="grouping_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=GroupingJobStatus.choices,
        default=GroupingJobStatus.PENDING,
    )
    threshold = models.FloatField(_("threshold"))
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    created = models.PositiveIntegerField(_("groups suggested"), default=0)
    replaced = models.PositiveIntegerField(_("groups replaced"), default=0)
    kept = models.PositiveIntegerField(_("groups kept"), default=0)
    ungrouped = models.PositiveIntegerField(_("comments without a group"), default=0)
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(max_length=16, default="th")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background grouping")
        verbose_name_plural = _("background groupings")

    def __str__(self) -> str:
        return f"{self.hearing_id} #{self.pk} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in (GroupingJobStatus.PENDING, GroupingJobStatus.RUNNING)
