"""Projects and programmes with their budgets, agreements (MoUs), and area programmes.

Budget and report years are Thai fiscal years stored as their Buddhist-Era names (FY2569 = 2569),
as in `phaen.kpis`. Money is in baht, two decimals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phaen.core.models import TimeStampedModel
from phaen.geography.models import District, Province, Region, SpecialZone, Subdistrict
from phaen.kpis.models import Indicator
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanElement, Source


class ProjectKind(models.TextChoices):
    PROJECT = "project", _("Project")
    PROGRAMME = "programme", _("Programme")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class ProjectAreaLevel(models.TextChoices):
    NATION = "nation", _("Nation")
    REGION = "region", _("Region")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    PROVINCE = "province", _("Provinces")


class Project(TimeStampedModel):
    """A project or programme that carries out plan elements, with its areas and timeline."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ProjectKind.choices, default=ProjectKind.PROJECT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_flagship = models.BooleanField(_("flagship"), default=False)
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="projects"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    area_level = models.CharField(
        _("area"), max_length=16, choices=ProjectAreaLevel.choices, default=ProjectAreaLevel.NATION
    )
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
    provinces = models.ManyToManyField(
        Province, verbose_name=_("provinces"), related_name="projects", blank=True
    )
    elements = models.ManyToManyField(
        PlanElement,
        verbose_name=_("plan elements served"),
        through="ProjectAlignment",
        related_name="projects",
        blank=True,
    )
    indicators = models.ManyToManyField(
        Indicator, verbose_name=_("indicators"), related_name="projects", blank=True
    )
    weight = models.DecimalField(
        _("weight in progress roll-ups"), max_digits=8, decimal_places=2, default=1
    )
    progress = models.DecimalField(
        _("implementation progress (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("From the latest approved progress report."),
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="projects", blank=True
    )
    search_document = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["status", "owner"], name="project_status_owner")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"


class ProjectAlignment(models.Model):
    """A project serves a plan element; `weight` is its share in that element's progress."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="alignments")
    element = models.ForeignKey(
        PlanElement, on_delete=models.CASCADE, related_name="project_alignments"
    )
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("project alignment")
        constraints = [
            models.UniqueConstraint(fields=["project", "element"], name="project_element_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} → {self.element_id}"


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead agency")
    CO_IMPLEMENTER = "co_implementer", _("Co-implementer")
    FUNDER = "funder", _("Funder")
    PARTNER = "partner", _("Partner")
    ADVISOR = "advisor", _("Advisor")


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="project_partnerships",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=PartnerRole.choices, default=PartnerRole.PARTNER
    )

    class Meta:
        verbose_name = _("project partner")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "role"], name="project_partner_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.role})"


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    LATE = "late", _("Late")
    DROPPED = "dropped", _("Dropped")


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("milestone"), max_length=500)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_date = models.DateField(_("done on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PENDING,
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "due_date"]
        verbose_name = _("milestone")

    def __str__(self) -> str:
        return self.name


class ProgressReport(TimeStampedModel):
    """A quarterly report of a project's implementation progress."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    progress = models.DecimalField(_("progress (%)"), max_digits=5, decimal_places=2)
    summary = models.TextField(_("summary"), blank=True)
    problems = models.TextField(_("problems and obstacles"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["project", "-fiscal_year", "-quarter"]
        verbose_name = _("progress report")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fiscal_year", "quarter"], name="progress_report_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="progress_quarter_1_4"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100), name="progress_0_100"
            ),
        ]


class FundingSource(models.TextChoices):
    GOVERNMENT = "government", _("Government budget")
    OWN_REVENUE = "own_revenue", _("Agency revenue")
    FUND = "fund", _("Fund")
    LOAN = "loan", _("Loan")
    LOCAL = "local", _("Local administration budget")
    PRIVATE = "private", _("Private sector or PPP")
    OTHER = "other", _("Other")


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    OPERATING = "operating", _("Operating")
    INVESTMENT = "investment", _("Investment")
    SUBSIDY = "subsidy", _("Subsidy")
    OTHER = "other", _("Other")


class BudgetLine(models.Model):
    """A project's money for one fiscal year, category and funding source, in baht."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    category = models.CharField(
        _("budget category"),
        max_length=16,
        choices=BudgetCategory.choices,
        default=BudgetCategory.OTHER,
    )
    funding_source = models.CharField(
        _("funding source"),
        max_length=16,
        choices=FundingSource.choices,
        default=FundingSource.GOVERNMENT,
    )
    planned = models.DecimalField(
        _("planned"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    allocated = models.DecimalField(
        _("allocated"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    committed = models.DecimalField(
        _("committed"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    disbursed = models.DecimalField(
        _("disbursed"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["project", "fiscal_year", "category"]
        verbose_name = _("budget line")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fiscal_year", "category", "funding_source"],
                name="budget_line_unique",
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "project"], name="budget_fy_project")]

    def __str__(self) -> str:
        return f"{self.project_id} FY{self.fiscal_year} {self.category}"


class AgreementStatus(models.TextChoices):
    SIGNED = "signed", _("Signed")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Agreement(TimeStampedModel):
    """A memorandum of understanding or other agreement between organisations."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_th = models.CharField(_("Thai title"), max_length=500)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_place = models.CharField(_("signed at"), max_length=300, blank=True)
    start_date = models.DateField(_("in force from"), null=True, blank=True)
    end_date = models.DateField(_("in force until"), null=True, blank=True)
    aims = models.TextField(_("aims"), blank=True)
    dimensions = models.JSONField(_("dimensions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.SIGNED
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
    )
    programme = models.ForeignKey(
        Project,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_agreements",
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects"), related_name="agreements", blank=True
    )
    elements = models.ManyToManyField(
        PlanElement, verbose_name=_("plan elements"), related_name="agreements", blank=True
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="recorded_agreements",
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="agreements", blank=True
    )
    search_document = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{self.code} {self.title_th}"


class PartyRole(models.TextChoices):
    PARTY = "party", _("Party")
    WITNESS = "witness", _("Witness")
    COORDINATOR = "coordinator", _("Coordinator")


class AgreementParty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="agreement_parties",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=PartyRole.choices, default=PartyRole.PARTY
    )
    signatory_name = models.CharField(_("signatory"), max_length=300, blank=True)
    signatory_position = models.CharField(_("signatory's position"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["agreement", "position"]
        verbose_name = _("agreement party")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="agreement_party_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.role})"


class AgreementDocument(TimeStampedModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    file = models.CharField(_("file"), max_length=500, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        ordering = ["agreement", "created_at"]
        verbose_name = _("agreement document")


class AreaProgrammeKind(models.TextChoices):
    PILOT_PROVINCES = "pilot_provinces", _("Pilot provinces")
    SMART_CITY = "smart_city", _("Smart city promotion")
    COMMUNITY_CENTRES = "community_centres", _("Digital community centres")


class AreaProgramme(TimeStampedModel):
    """A programme carried out in chosen areas: depa's pilot provinces, smart cities, centres."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=AreaProgrammeKind.choices)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="area_programmes",
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="area_programmes",
    )
    description = models.TextField(_("description"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="area_programmes", blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("area programme")

    def __str__(self) -> str:
        return self.name_th


class ProgrammeProvince(models.Model):
    """A province chosen for an area programme (one of depa's eight pilot provinces)."""

    programme = models.ForeignKey(
        AreaProgramme, on_delete=models.CASCADE, related_name="programme_provinces"
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="programme_memberships",
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("provincial plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["programme", "province__code"]
        verbose_name = _("programme province")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "province"], name="programme_province_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.province_id}"


class SmartCityStage(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ASSESSED = "assessed", _("Assessed")
    ANNOUNCED = "announced", _("Announced as a promotion zone")
    CERTIFIED = "certified", _("Certified (Smart City Thailand logo)")
    REVOKED = "revoked", _("Certificate revoked")
    REJECTED = "rejected", _("Not accepted")


SMART_CITY_DIMENSIONS = (
    ("environment", _("Smart Environment")),
    ("economy", _("Smart Economy")),
    ("mobility", _("Smart Mobility")),
    ("energy", _("Smart Energy")),
    ("people", _("Smart People")),
    ("living", _("Smart Living")),
    ("governance", _("Smart Governance")),
)

SMART_CITY_CRITERIA = (
    ("boundary_goals", _("A clear boundary and goals")),
    ("investment_plan", _("An investment and development plan")),
    ("data_platform", _("An open and secure city data platform")),
    ("solutions", _("Solutions in the seven dimensions")),
    ("management", _("A sustainable management model")),
)


class SmartCityZone(TimeStampedModel):
    """An area applying for, announced as, or certified as a smart city promotion zone."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    programme = models.ForeignKey(
        AreaProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="smart_city_zones",
    )
    applicant = models.ForeignKey(
        Organisation,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="smart_city_zones",
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="smart_city_zones",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stage = models.CharField(
        _("stage"), max_length=16, choices=SmartCityStage.choices, default=SmartCityStage.APPLIED
    )
    dimensions = models.JSONField(_("dimensions"), default=list, blank=True)
    criteria = models.JSONField(_("assessment against the criteria"), default=dict, blank=True)
    targets_due = models.DateField(_("targets due by"), null=True, blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="smart_city_zones", blank=True
    )

    class Meta:
        ordering = ["province__code", "code"]
        verbose_name = _("smart city zone")
        verbose_name_plural = _("smart city zones")

    def __str__(self) -> str:
        return self.name_th


class SmartCityDecision(models.Model):
    """One dated step of a smart city zone, with the decision behind it."""

    zone = models.ForeignKey(SmartCityZone, on_delete=models.CASCADE, related_name="decisions")
    stage = models.CharField(_("stage"), max_length=16, choices=SmartCityStage.choices)
    decided_on = models.DateField(_("date"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Organisation,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reference = models.CharField(_("decision or announcement"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["zone", "created_at", "id"]
        verbose_name = _("smart city decision")

    def __str__(self) -> str:
        return f"{self.zone_id} {self.stage}"


class CentreStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DigitalCommunityCentre(TimeStampedModel):
    """A digital community centre, hosted by a local organisation, down to its sub-district."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    programme = models.ForeignKey(
        AreaProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_centres",
    )
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        related_name="community_centres",
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="community_centres",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subdistrict = models.ForeignKey(
        Subdistrict,
        verbose_name=_("sub-district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    equipment = models.TextField(_("equipment handed over"), blank=True)
    equipment_handed_on = models.DateField(_("equipment handed over on"), null=True, blank=True)
    is_model = models.BooleanField(_("model centre"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=CentreStatus.choices, default=CentreStatus.OPEN
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="community_centres", blank=True
    )

    class Meta:
        ordering = ["province__code", "code"]
        verbose_name = _("digital community centre")
        verbose_name_plural = _("digital community centres")

    def __str__(self) -> str:
        return self.name_th
