"""Organisations that own, join, comment on and carry out plans, with their aliases."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from phaen.core.models import TimeStampedModel
from phaen.geography.models import Province


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    DEPARTMENT = "department", _("Department or office")
    PUBLIC_ORGANISATION = "public_organisation", _("Public organisation")
    STATE_ENTERPRISE = "state_enterprise", _("State enterprise")
    INDEPENDENT_BODY = "independent_body", _("Independent or central agency")
    COMMITTEE = "committee", _("Committee or board")
    PROVINCIAL_OFFICE = "provincial_office", _("Provincial administration")
    LOCAL_ADMINISTRATION = "local_administration", _("Local administration")
    UNIVERSITY = "university", _("University")
    CHAMBER = "chamber", _("Chamber or federation")
    COMPANY = "company", _("Company")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    INTERNATIONAL = "international", _("International organisation")


class Organisation(TimeStampedModel):
    """A ministry, agency, province office, local administration, university or company."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    abbreviation_th = models.CharField(_("Thai abbreviation"), max_length=50, blank=True)
    abbreviation_en = models.CharField(_("English abbreviation"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
    )
    website = models.URLField(_("website"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_document = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        if self.abbreviation_th:
            return f"{self.name_th} ({self.abbreviation_th})"
        return self.name_th


class OrganisationAlias(models.Model):
    """Another name an organisation goes by: ดีป้า = depa = สำนักงานส่งเสริมเศรษฐกิจดิจิทัล."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    alias = models.CharField(_("alias"), max_length=300)
    normalized = models.CharField(max_length=300, unique=True, editable=False)

    class Meta:
        ordering = ["alias"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")

    def __str__(self) -> str:
        return self.alias
