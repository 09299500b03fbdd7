"""Thailand's administrative geography: regions, provinces, districts, sub-districts, zones.

Province, district and sub-district rows come from the `geothai` package (Ministry of Interior
codes, TIS 1099: 2, 4 and 6 digits, nested), never typed by hand. Regions and special zones are
reference data with their sources (`phaen/geography/reference/`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One of the six development regions used by area-based plans (decree B.E. 2565)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name_th


class Province(models.Model):
    """A province (จังหวัด) or Bangkok, keyed by its two-digit Ministry of Interior code."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="provinces",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name_th


class District(models.Model):
    """A district (อำเภอ / เขต), keyed by its four-digit code."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="districts"
    )
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name_th


class Subdistrict(models.Model):
    """A sub-district (ตำบล / แขวง), keyed by its six-digit code."""

    code = models.CharField(_("code"), max_length=6, unique=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.CASCADE,
        related_name="subdistricts",
    )
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    postal_codes = models.CharField(_("postal codes"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sub-district")
        verbose_name_plural = _("sub-districts")

    def __str__(self) -> str:
        return self.name_th


class SpecialZone(models.Model):
    """A special development zone spanning provinces, such as the EEC."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300)
    abbreviation = models.CharField(_("abbreviation"), max_length=50, blank=True)
    provinces = models.ManyToManyField(
        Province, verbose_name=_("provinces"), related_name="special_zones"
    )
    legal_basis = models.CharField(_("legal basis"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("special zone")
        verbose_name_plural = _("special zones")

    def __str__(self) -> str:
        return self.name_th
