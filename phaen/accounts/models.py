"""Who works for which organisation, in which role.

Users are Django's users. A `Membership` gives a user a role in an organisation; a user may hold
several (a planner at the Khon Kaen provincial office who also sits on the provincial committee
as an approver). Roles are checked by `phaen.accounts.permissions`, inside the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phaen.orgs.models import Organisation


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    PLANNER = "planner", _("Planner")
    APPROVER = "approver", _("Approver or committee member")
    DATA_REPORTER = "data_reporter", _("Data reporter")
    AUDITOR = "auditor", _("Auditor")


class Membership(models.Model):
    """A user's role in an organisation, optionally reaching the organisations below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    includes_sub_organisations = models.BooleanField(
        _("includes sub-organisations"),
        default=False,
        help_text=_(
            "Granted by the organisation administrator: the role also covers the "
            "organisations below this one."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["organisation", "role", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class ApiToken(models.Model):
    """A revocable key that lets a program use the API as its user.

    The key is shown once, when it is made (`phaen.accounts.services.token_create`); Phaen keeps
    only its SHA-256 (`key_hash`) and its first characters (`prefix`), so the user can tell their
    tokens apart. A token acts with exactly its user's roles.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
