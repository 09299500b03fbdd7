"""Indicators, their targets and reported actuals, per Thai fiscal year, quarter and area.

Fiscal years are stored as the Buddhist-Era year they are named by (FY2569 = 2569), because a
fiscal year is a name, not a date: storing its CE end year would invite off-by-one mistakes at
every boundary. Plan periods stay in CE (`Plan.start_year`), and `phaen.kpis.periods` converts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phaen.core.models import TimeStampedModel
from phaen.geography.models import Province, Region, SpecialZone
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanElement, Source


class MeasureType(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENT = "percent", _("Percent")
    RATIO = "ratio", _("Ratio (numerator / denominator)")
    MONEY = "money", _("Money (baht)")
    BOOLEAN = "boolean", _("Yes / no")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Aggregation(models.TextChoices):
    """How values combine across areas and across periods (docs/architecture.md, Monitoring)."""

    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    LATEST = "latest", _("Latest")
    WEIGHTED = "weighted", _("Weighted (sum of numerators / sum of denominators)")


class Frequency(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class AreaLevel(models.TextChoices):
    NATION = "nation", _("Nation")
    REGION = "region", _("Region")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    PROVINCE = "province", _("Province")
    LOCAL = "local", _("Local administration")


class Indicator(TimeStampedModel):
    """A measure of a plan element's (or a project's) result, with its baseline and rules."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        related_name="indicators",
        null=True,
        blank=True,
    )
    element = models.ForeignKey(
        PlanElement,
        verbose_name=_("plan element"),
        on_delete=models.PROTECT,
        related_name="indicators",
        null=True,
        blank=True,
    )
    unit = models.CharField(_("unit"), max_length=64, blank=True)
    measure_type = models.CharField(
        _("measure type"), max_length=16, choices=MeasureType.choices, default=MeasureType.NUMBER
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    cumulative = models.BooleanField(_("cumulative"), default=False)
    aggregation = models.CharField(
        _("aggregation"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    data_source = models.CharField(_("data source"), max_length=500, blank=True)
    frequency = models.CharField(
        _("reporting frequency"), max_length=16, choices=Frequency.choices, default=Frequency.YEARLY
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="indicators", blank=True
    )
    search_document = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"


class ActualStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class AreaValue(TimeStampedModel):
    """A value of an indicator for one fiscal year (or quarter of it) in one area.

    `quarter` is 0 for the whole fiscal year. `area_key` names the area in one string (`TH`,
    `R:<region>`, `Z:<zone>`, `P:<province code>`, `L:<organisation code>`), so one unique
    constraint holds however the area is given. A local administration's row also stores its
    province, so a province's total is one GROUP BY away.
    """

    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0)
    area_level = models.CharField(
        _("area level"), max_length=16, choices=AreaLevel.choices, default=AreaLevel.NATION
    )
    area_key = models.CharField(max_length=80, editable=False)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    special_zone = models.ForeignKey(
        SpecialZone,
        verbose_name=_("special zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    local_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("local administration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(
        _("numerator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True


class Target(AreaValue):
    """What an indicator should reach in a period and area."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["indicator", "fiscal_year", "quarter", "area_key"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year", "quarter", "area_key"],
                name="target_unique_period_area",
            ),
            models.CheckConstraint(condition=models.Q(quarter__lte=4), name="target_quarter_0_4"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} FY{self.fiscal_year} Q{self.quarter} {self.area_key}"


class Actual(AreaValue):
    """A reported result, reviewed draft → submitted → (returned →) approved.

    Only approved actuals count in public figures and roll-ups.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="actuals"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActualStatus.choices, default=ActualStatus.DRAFT
    )
    reporting_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("reporting organisation"),
        on_delete=models.PROTECT,
        related_name="reported_actuals",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.CharField(_("evidence file"), max_length=500, blank=True)
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["indicator", "fiscal_year", "quarter", "area_key"]
        verbose_name = _("actual")
        verbose_name_plural = _("actuals")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year", "quarter", "area_key"],
                name="actual_unique_period_area",
            ),
            models.CheckConstraint(condition=models.Q(quarter__lte=4), name="actual_quarter_0_4"),
        ]
        indexes = [
            models.Index(
                fields=["status", "indicator", "fiscal_year"], name="actual_status_ind_fy"
            ),
            models.Index(fields=["province", "indicator"], name="actual_province_ind"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} FY{self.fiscal_year} Q{self.quarter} {self.area_key}"
