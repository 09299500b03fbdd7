"""Public hearings, events (hearing meetings, workshops, seminars), comments anchored to plan
elements, moderation, official responses, comment groups, and surveys of problems and needs.

Personal data is kept to what a hearing needs (PDPA): a commenter may stay anonymous; a name and
organisation are shown only when the person chose it; an e-mail address, when given, is never
shown; national ID numbers are never asked for. Client addresses are stored only as keyed hashes
(for throttling and duplicate detection), never in clear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phaen.core.models import TimeStampedModel
from phaen.geography.models import Province
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanElement, PlanVersion, Source


class HearingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", _("Closed")
    SUMMARISED = "summarised", _("Summary published")


class Hearing(TimeStampedModel):
    """A public hearing on a plan version (or one section of it)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_th = models.CharField(_("Thai title"), max_length=500)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="hearings"
    )
    version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version heard"),
        on_delete=models.PROTECT,
        related_name="hearings",
        null=True,
        blank=True,
    )
    section = models.ForeignKey(
        PlanElement,
        verbose_name=_("section heard"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="hearings"
    )
    starts_at = models.DateTimeField(_("opens"))
    ends_at = models.DateTimeField(_("closes"))
    online_comments = models.BooleanField(_("online comments on Phaen"), default=True)
    in_person = models.BooleanField(_("in-person events"), default=False)
    written = models.BooleanField(_("written submissions"), default=False)
    moderation = models.BooleanField(
        _("comments wait for moderation before they are shown"), default=False
    )
    invited = models.ManyToManyField(
        Organisation,
        verbose_name=_("invited organisations"),
        related_name="hearing_invitations",
        blank=True,
    )
    affected_groups = models.TextField(_("affected groups"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=HearingStatus.choices, default=HearingStatus.SCHEDULED
    )
    online_views = models.PositiveIntegerField(_("online views"), default=0)
    # Counts recorded from outside Phaen (a meeting's attendance, views of a live stream), kept
    # apart from what Phaen counts itself.
    reported_participants = models.PositiveIntegerField(
        _("participants reported"), null=True, blank=True
    )
    reported_online_views = models.PositiveIntegerField(
        _("online views reported"), null=True, blank=True
    )
    summary_th = models.TextField(_("summary"), blank=True)
    summary_published_at = models.DateTimeField(_("summary published"), null=True, blank=True)
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="hearings", blank=True
    )

    class Meta:
        ordering = ["-starts_at", "code"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="hearing_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_th}"


class HearingDocument(TimeStampedModel):
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    file = models.CharField(_("file"), max_length=500, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        ordering = ["hearing", "created_at"]
        verbose_name = _("hearing document")

    def __str__(self) -> str:
        return self.title


class EventKind(models.TextChoices):
    HEARING_MEETING = "hearing_meeting", _("Public hearing meeting")
    WORKSHOP = "workshop", _("Workshop")
    SEMINAR = "seminar", _("Seminar")
    FOCUS_GROUP = "focus_group", _("Focus group")


class EventMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class Event(TimeStampedModel):
    """A meeting where people are heard: a hearing meeting, a workshop, a seminar."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    mode = models.CharField(
        _("mode"), max_length=16, choices=EventMode.choices, default=EventMode.IN_PERSON
    )
    title_th = models.CharField(_("Thai title"), max_length=500)
    title_en = models.CharField(_("English title"), max_length=500, blank=True)
    hearing = models.ForeignKey(
        Hearing,
        verbose_name=_("hearing"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="events"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=500, blank=True)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agenda = models.TextField(_("agenda"), blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    online_views = models.PositiveIntegerField(_("online views"), null=True, blank=True)
    registration_open = models.BooleanField(_("registration open"), default=False)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    outputs = models.ManyToManyField(
        PlanElement,
        verbose_name=_("outputs: plan elements"),
        related_name="event_outputs",
        blank=True,
    )
    sources = models.ManyToManyField(
        Source, verbose_name=_("sources"), related_name="events", blank=True
    )

    class Meta:
        ordering = ["-starts_at", "code"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.code} {self.title_th}"


class Registration(TimeStampedModel):
    """A person registered for an event; shown in the public register only with consent."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("name"), max_length=300)
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    public_in_register = models.BooleanField(_("shown in the public register"), default=False)
    consent_at = models.DateTimeField(_("consent given"))
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        ordering = ["event", "created_at"]
        verbose_name = _("registration")

    def __str__(self) -> str:
        return self.name


class Stance(models.TextChoices):
    SUPPORT = "support", _("Support")
    OPPOSE = "oppose", _("Oppose")
    SUGGEST = "suggest", _("Suggest a change")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online on Phaen")
    WRITTEN = "written", _("Written submission")
    IN_PERSON = "in_person", _("In person")


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Hidden")


class CommentGroup(TimeStampedModel):
    """Comments a planner reads and answers together: by element and topic."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=300)
    element_code = models.CharField(_("element"), max_length=64, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    automatic = models.BooleanField(_("made by topic grouping"), default=False)

    class Meta:
        ordering = ["hearing", "element_code", "name"]
        verbose_name = _("comment group")

    def __str__(self) -> str:
        return self.name


class Comment(TimeStampedModel):
    """A comment on a hearing, anchored to a plan element by its stable code (and, optionally,
    to a quoted passage), so it stays attached when later versions revise the element's text.
    """

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="comments")
    element_code = models.CharField(_("element"), max_length=64, blank=True, db_index=True)
    element_title = models.CharField(_("element title when commented"), max_length=1000, blank=True)
    quote = models.TextField(_("quoted passage"), blank=True)
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices)
    body = models.TextField(_("comment"))
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.ONLINE
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    author_name = models.CharField(_("name"), max_length=300, blank=True)
    author_organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    show_identity = models.BooleanField(_("show my name and organisation"), default=False)
    email = models.EmailField(_("e-mail (never shown)"), blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_text_version = models.CharField(max_length=16, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    commenter_key = models.CharField(max_length=64, editable=False, db_index=True)
    fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    access_key_hash = models.CharField(max_length=64, editable=False, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CommentStatus.choices, default=CommentStatus.PUBLISHED
    )
    group = models.ForeignKey(
        CommentGroup,
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    search_document = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["hearing", "created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(
                fields=["hearing", "status", "element_code"], name="comment_hearing_status"
            ),
            models.Index(fields=["hearing", "fingerprint"], name="comment_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.hearing_id} #{self.pk}"


class ModerationAction(models.Model):
    """One step of moderation: a comment hidden (with the reason), restored or published."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        PUBLISH = "publish", _("Published")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="moderation")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comment", "created_at", "id"]
        verbose_name = _("moderation action")

    def __str__(self) -> str:
        return f"{self.comment_id} {self.action}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class Response(TimeStampedModel):
    """The organiser's official answer to a comment or to a group of comments."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="responses")
    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    group = models.OneToOneField(
        CommentGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    change_made = models.TextField(_("change made"), blank=True)
    changed_element_code = models.CharField(_("element changed"), max_length=64, blank=True)
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["hearing", "created_at"]
        verbose_name = _("response")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comment__isnull=False, group__isnull=True)
                | models.Q(comment__isnull=True, group__isnull=False),
                name="response_answers_one",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hearing_id} {self.decision}"


from phaen.consultation.grouping_models import *  # noqa: E402, F403
from phaen.consultation.survey_models import *  # noqa: E402, F403
