"""Base model shared by Phaen's apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Record when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditOutcome(models.TextChoices):
    OK = "ok", _("Done")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class AuditRecord(models.Model):
    """One entry of the append-only audit trail: who did what, when, from where, before and after.

    Rows are written only by `phaen.core.audit.audit_record`, which numbers them from `AuditHead`
    and chains them: `hash` covers the row's content, its id and the previous row's `hash`
    (`prev_hash`), so `phaen audit verify` finds any row edited or deleted after the fact. The
    id is a plain integer primary key, not a database sequence, because the append takes the
    next number under the head's lock and must know it before computing the hash. On PostgreSQL
    a trigger refuses UPDATE, DELETE and TRUNCATE (migration 0002).

    `actor_id` is deliberately not a foreign key: deleting a user must neither cascade into the
    trail nor rewrite it (SET NULL would be an UPDATE).
    """

    id = models.BigIntegerField(_("number"), primary_key=True)
    created_at = models.DateTimeField(_("when"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_repr = models.CharField(_("actor"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=100, blank=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AuditOutcome.choices, default=AuditOutcome.OK
    )
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx"),
            models.Index(fields=["outcome", "id"], name="core_audit_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.actor_repr}"


class AuditHead(models.Model):
    """The single row naming the audit trail's last record: its id and its hash.

    Every append locks this row (so concurrent appends on PostgreSQL queue up and the ids stay
    consecutive) and moves it forward; `phaen audit verify` compares it with the last record,
    which is how deleting the newest record is detected.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(_("last record"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="core_audithead_one")]

    def __str__(self) -> str:
        return f"audit head at {self.last_id}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Checking and importing")
    INVALID = "invalid", _("Refused: errors in the file")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One upload of a spreadsheet through an importer of `phaen.core.imports`.

    The job records the file, its progress (for the progress bar), and, when the file is refused,
    every error by row and column. Nothing the file holds is written unless every row is valid.
    """

    kind = models.CharField(_("import"), max_length=64)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.CharField(_("file"), max_length=500)
    file_name = models.CharField(_("file name"), max_length=255)
    options = models.JSONField(default=dict, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=16, default="th")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.DONE, ImportStatus.INVALID) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
