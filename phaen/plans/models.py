"""Plans at Thailand's three levels, their element trees, and the alignment links between them.

Years are stored in the Gregorian calendar (`start_year`, `end_year`) and shown in the Buddhist
Era. An element's `path` is its materialised position in the plan's tree, so a whole tree reads
in one ordered query (`selectors.plan_outline`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from phaen.core.models import TimeStampedModel
from phaen.geography.models import Province, Region, SpecialZone
from phaen.orgs.models import Organisation


class Source(models.Model):
    """Where a fact in Phaen comes from: a seed report, a gazette, an agency's page."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=500)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    published = models.DateField(_("published"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title


class PlanLevel(models.IntegerChoices):
    NATIONAL_STRATEGY = 1, _("Level 1: National Strategy")
    MASTER = 2, _("Level 2: master and national plans")
    ACTION = 3, _("Level 3: action plans")


class PlanKind(models.TextChoices):
    NATIONAL_STRATEGY = "national_strategy", _("National strategy")
    MASTER_PLAN = "master_plan", _("Master plan under the National Strategy")
    REFORM_PLAN = "reform_plan", _("National reform plan")
    NESDP = "nesdp", _("National economic and social development plan")
    NATIONAL_POLICY_PLAN = "national_policy_plan", _("National policy and plan")
    ACTION_PLAN = "action_plan", _("Action plan")
    MINISTRY_STRATEGY = "ministry_strategy", _("Ministry strategy")
    AGENCY_ACTION_PLAN = "agency_action_plan", _("Agency action plan")
    REGIONAL = "regional", _("Regional plan")
    PROVINCIAL = "provincial", _("Provincial plan")
    LOCAL = "local", _("Local plan")
    PROGRAMME = "programme", _("Programme")


# The level a kind of plan belongs to (cabinet resolutions of 4 Dec 2560 and 15 Dec 2563).
KIND_LEVEL: dict[str, int] = {
    PlanKind.NATIONAL_STRATEGY: 1,
    PlanKind.MASTER_PLAN: 2,
    PlanKind.REFORM_PLAN: 2,
    PlanKind.NESDP: 2,
    PlanKind.NATIONAL_POLICY_PLAN: 2,
    PlanKind.ACTION_PLAN: 3,
    PlanKind.MINISTRY_STRATEGY: 3,
    PlanKind.AGENCY_ACTION_PLAN: 3,
    PlanKind.REGIONAL: 3,
    PlanKind.PROVINCIAL: 3,
    PlanKind.LOCAL: 3,
    PlanKind.PROGRAMME: 3,
}


class AreaType(models.TextChoices):
    NATION = "nation", _("Nation")
    REGION = "region", _("Region")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    PROVINCE = "province", _("Province")
    LOCAL = "local", _("Local administration")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_HEARING = "in_hearing", _("In public hearing")
    REVISING = "revising", _("Revising")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    IN_FORCE = "in_force", _("In force")
    ENDED = "ended", _("Ended")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ContentStatus(models.TextChoices):
    """How much of a plan's inner structure Phaen holds; unknown content is never invented."""

    COMPLETE = "complete", _("Recorded in full")
    PARTIAL = "partial", _("Partly recorded")
    NOT_RECORDED = "not_recorded", _("Not yet recorded")


class Plan(TimeStampedModel):
    """A plan, strategy, policy or programme at one of Thailand's three plan levels."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    short_name_th = models.CharField(_("Thai short name"), max_length=200, blank=True)
    description_th = models.TextField(_("Thai description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=PlanLevel.choices)
    kind = models.CharField(_("kind"), max_length=32, choices=PlanKind.choices)
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="plans"
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), related_name="partner_plans", blank=True
    )
    area_type = models.CharField(
        _("area"), max_length=16, choices=AreaType.choices, default=AreaType.NATION
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True
    )
    special_zone = models.ForeignKey(
        SpecialZone,
        verbose_name=_("special zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    provinces = models.ManyToManyField(
        Province, verbose_name=_("provinces"), related_name="plans", blank=True
    )
    local_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("local administration"),
        on_delete=models.PROTECT,
        related_name="local_plans",
        null=True,
        blank=True,
    )
    start_year = models.PositiveSmallIntegerField(_("first year (CE)"))
    end_year = models.PositiveSmallIntegerField(_("last year (CE)"))
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("predecessor"),
        on_delete=models.PROTECT,
        related_name="successors",
        null=True,
        blank=True,
    )
    phase = models.PositiveSmallIntegerField(_("phase or edition"), null=True, blank=True)
    parent_programme = models.ForeignKey(
        "self",
        verbose_name=_("parent programme"),
        on_delete=models.PROTECT,
        related_name="member_plans",
        null=True,
        blank=True,
        help_text=_("A plan of the same level that this plan carries out, such as a programme."),
    )
    submitted_to = models.ForeignKey(
        Organisation,
        verbose_name=_("deciding body"),
        on_delete=models.PROTECT,
        related_name="plans_to_decide",
        null=True,
        blank=True,
        help_text=_("The cabinet, ministry, committee or board that decides on the plan."),
    )
    content_status = models.CharField(
        _("contents"),
        max_length=16,
        choices=ContentStatus.choices,
        default=ContentStatus.NOT_RECORDED,
    )
    content_note = models.TextField(_("note on contents"), blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="plans", blank=True
    )
    search_document = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["level", "start_year", "code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_period_ordered"
            ),
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="plan_level_1_to_3"),
        ]
        indexes = [models.Index(fields=["level", "kind"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name_th


class ElementKind(models.TextChoices):
    VISION = "vision", _("Vision")
    MISSION = "mission", _("Mission")
    STRATEGY = "strategy", _("Strategy")
    GOAL = "goal", _("Goal")
    APPROACH = "approach", _("Approach")
    PROGRAMME = "programme", _("Programme")
    SUB_PLAN = "sub_plan", _("Sub-plan")
    MEASURE = "measure", _("Measure")
    PROJECT = "project", _("Project")


class PlanElement(TimeStampedModel):
    """A node of a plan's outline: a strategy, goal, approach, sub-plan, measure or project."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="elements"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent element"),
        on_delete=models.CASCADE,
        related_name="children",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ElementKind.choices)
    label_th = models.CharField(
        _("Thai label"),
        max_length=50,
        blank=True,
        help_text=_("The document's own word for this kind, e.g. ด้าน, หมุดหมาย, มิติ."),
    )
    number = models.CharField(_("number"), max_length=32, blank=True)
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_th = models.CharField(_("Thai title"), max_length=1000, blank=True)
    title_en = models.CharField(_("English title"), max_length=1000, blank=True)
    description_th = models.TextField(_("Thai description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    content_recorded = models.BooleanField(
        _("content recorded"),
        default=True,
        help_text=_("False when the element is known to exist but its text is not public here."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="elements",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["plan", "path"]
        verbose_name = _("plan element")
        verbose_name_plural = _("plan elements")
        constraints = [
            models.UniqueConstraint(fields=["plan", "path"], name="element_path_unique_in_plan"),
        ]

    def __str__(self) -> str:
        head = f"{self.number} " if self.number else ""
        return f"{head}{self.title_th or self.title_en or self.code}"


class Contribution(models.TextChoices):
    DIRECT = "direct", _("Direct")
    SUPPORTING = "supporting", _("Supporting")


class AlignmentLink(TimeStampedModel):
    """A claim that a plan element (or a whole plan) serves an element of a plan above it."""

    source_plan = models.ForeignKey(
        Plan,
        verbose_name=_("serving plan"),
        on_delete=models.CASCADE,
        related_name="outgoing_links",
    )
    source_element = models.ForeignKey(
        PlanElement,
        verbose_name=_("serving element"),
        on_delete=models.CASCADE,
        related_name="outgoing_links",
        null=True,
        blank=True,
        help_text=_("Empty when the whole plan serves the target."),
    )
    target_plan = models.ForeignKey(
        Plan,
        verbose_name=_("served plan"),
        on_delete=models.CASCADE,
        related_name="incoming_links",
    )
    target_element = models.ForeignKey(
        PlanElement,
        verbose_name=_("served element"),
        on_delete=models.CASCADE,
        related_name="incoming_links",
    )
    contribution = models.CharField(
        _("contribution"),
        max_length=16,
        choices=Contribution.choices,
        default=Contribution.DIRECT,
    )
    rationale = models.TextField(_("rationale"), blank=True)
    rationale_en = models.TextField(_("English rationale"), blank=True)
    asserted_by = models.ForeignKey(
        Organisation,
        verbose_name=_("asserted by"),
        on_delete=models.PROTECT,
        related_name="asserted_links",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="links",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["source_plan", "source_element", "target_element"]
        verbose_name = _("alignment link")
        verbose_name_plural = _("alignment links")
        constraints = [
            models.UniqueConstraint(
                fields=["source_element", "target_element"],
                condition=Q(source_element__isnull=False),
                name="link_unique_element_target",
            ),
            models.UniqueConstraint(
                fields=["source_plan", "target_element"],
                condition=Q(source_element__isnull=True),
                name="link_unique_plan_target",
            ),
        ]

    def __str__(self) -> str:
        serving = self.source_element or self.source_plan
        return f"{serving} → {self.target_element}"


class DecidingBody(models.TextChoices):
    CABINET = "cabinet", _("Cabinet")
    MINISTRY = "ministry", _("Ministry")
    PROVINCIAL_COMMITTEE = "provincial_committee", _("Provincial committee (ก.บ.จ.)")
    BOARD = "board", _("Board or national committee")
    AGENCY = "agency", _("The agency itself")


class VersionKind(models.TextChoices):
    REFERENCE = "reference", _("Reference record from public sources")
    HEARING = "hearing", _("Draft published for a hearing")
    APPROVED = "approved", _("Approved")


class PlanDecision(models.Model):
    """One step of a plan's lifecycle: who moved it, on whose decision, and when."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="decisions"
    )
    transition = models.CharField(_("step"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, choices=PlanStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=PlanStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    actor_repr = models.CharField(max_length=200, blank=True)
    deciding_body = models.CharField(
        _("kind of deciding body"), max_length=32, choices=DecidingBody.choices, blank=True
    )
    deciding_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("deciding body"),
        on_delete=models.PROTECT,
        related_name="plan_decisions",
        null=True,
        blank=True,
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    resolution_number = models.CharField(_("resolution number"), max_length=100, blank=True)
    document = models.CharField(_("document"), max_length=500, blank=True)
    document_name = models.CharField(_("document name"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "created_at", "pk"]
        verbose_name = _("plan decision")
        verbose_name_plural = _("plan decisions")

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.from_status} → {self.to_status}"


class PlanVersion(models.Model):
    """A frozen copy of a plan with its outline and links, as approved or published."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=VersionKind.choices)
    snapshot = models.JSONField(_("snapshot"))
    decision = models.OneToOneField(
        PlanDecision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="version",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("frozen at"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number}"
