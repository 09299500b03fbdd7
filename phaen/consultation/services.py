"""Every change to hearings, their comments, moderation and official responses.

Each function owns its transaction and its permission check, so the pages, the API and the
command line change hearings in exactly one way. Failures raise `ApplicationError` subclasses
with the codes in `errors.py`; nothing is half-written. Refusals of permission are recorded in
the audit trail before the change's transaction opens.

Personal data (PDPA). A comment's author may stay anonymous. Their name and organisation are
public only when they choose so (`show_identity`); an e-mail address is never shown; national ID
numbers are refused wherever a person types free text. The client's address is never stored:
`commenter_key` is an HMAC of it (or of the signed-in user's id) under the server's secret key,
used only to throttle, to spot duplicates and to count unique commenters. Audit records of
comments hold ids, codes and statuses, never names, e-mails or the text.

Spam, without third parties: a honeypot field (a filled one drops the submission and writes
nothing), rate limits per commenter (`PHAEN_RATE_COMMENT_HEARING`, default 10 a minute on one
hearing, and `PHAEN_RATE_COMMENT_CLIENT`, default 50 an hour on all hearings), and duplicate
detection (the same normalised text from the same commenter on the same hearing is refused).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaen.consultation import permissions, selectors
from phaen.consultation.errors import (
    CommentError,
    HearingError,
    ModerationError,
    ResponseError,
)
from phaen.consultation.models import (
    Channel,
    Comment,
    CommentGroup,
    CommentStatus,
    Decision,
    Event,
    Hearing,
    HearingDocument,
    HearingStatus,
    ModerationAction,
    Response,
    Stance,
)
from phaen.core import thai_text, uploads
from phaen.core.audit import audit_record, snapshot
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.core.ratelimit import RateLimited, hit
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanElement, PlanStatus, PlanVersion, Source, VersionKind

RECOMMENDED_DAYS = 15
"""The shortest recommended hearing period, in days (Act on Legislative Drafting and Evaluation
of Law B.E. 2562, section 13; Regulation of the Prime Minister's Office on public hearings B.E.
2548). A shorter period is allowed, with a warning."""

CONSENT_TEXT_VERSION = "2569-1"
"""The version of `CONSENT_TEXT` stored with each consent (`Comment.consent_text_version`)."""

CONSENT_TEXT = gettext_lazy(
    "I agree that Phaen keeps my comment, and the name, organisation and e-mail address I give, "
    "so that the organiser can consider and answer it and report on this hearing, under the "
    "Personal Data Protection Act B.E. 2562. My name and organisation are shown only if I choose "
    "so; my e-mail address is never shown. I may ask the organiser to delete my personal data."
)

RESERVED_CODES = frozenset(
    {
        "new",
        "comments",
        "groups",
        "events",
        "registrations",
        "surveys",
        "reference",
        "export",
        "documents",
        "manage",
        "api",
    }
)
"""First path segments under /consultation/ that belong to pages, never to a hearing's code."""

MAX_BODY = 5000
MAX_QUOTE = 2000
MAX_NAME = 300

HEARING_FIELDS = (
    "title_th",
    "title_en",
    "description",
    "plan",
    "section",
    "organiser",
    "starts_at",
    "ends_at",
    "online_comments",
    "in_person",
    "written",
    "moderation",
    "affected_groups",
    "reported_participants",
    "reported_online_views",
)
_AUDITED_FIELDS = ("code", *HEARING_FIELDS, "status", "version", "summary_published_at")

# A Thai national ID: 13 digits, run together or grouped 1-4-5-2-1 with dashes or spaces.
_NATIONAL_ID = re.compile(
    r"(?<![0-9])[0-9][-\s]?[0-9]{4}[-\s]?[0-9]{5}[-\s]?[0-9]{2}[-\s]?[0-9](?![0-9])"
)

MODERATION_STEPS: dict[str, tuple[frozenset[str], str]] = {
    ModerationAction.Action.PUBLISH: (frozenset({CommentStatus.PENDING}), CommentStatus.PUBLISHED),
    ModerationAction.Action.HIDE: (
        frozenset({CommentStatus.PENDING, CommentStatus.PUBLISHED}),
        CommentStatus.HIDDEN,
    ),
    ModerationAction.Action.RESTORE: (frozenset({CommentStatus.HIDDEN}), CommentStatus.PUBLISHED),
}
"""Each moderation step, with the statuses it starts from and the status it leads to."""


def _fail(code: str, message: str, field: str | None = None, **detail: Any) -> ValidationFailed:
    if field is not None:
        detail = {"fields": {field: message}, **detail}
    return ValidationFailed(code, message, detail=detail)


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _user_or_none(actor: Any) -> Any:
    return (
        actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    )


# --- Hearings ----------------------------------------------------------------------------------


def period_warnings(starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> list[str]:
    """Warn (never refuse) when the period is shorter than the recommended 15 days."""
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        return []
    length = ends_at - starts_at
    if length >= dt.timedelta(days=RECOMMENDED_DAYS):
        return []
    return [
        _(
            "The hearing runs %(days)s days, shorter than the recommended %(recommended)s days "
            "(Act on Legislative Drafting and Evaluation of Law B.E. 2562; Regulation of the "
            "Prime Minister's Office on public hearings B.E. 2548)."
        )
        % {"days": length.days, "recommended": RECOMMENDED_DAYS}
    ]


def _validate_hearing(hearing: Hearing, actor: Any) -> None:
    if not hearing.code or slugify(hearing.code) != hearing.code:
        raise _fail(
            HearingError.CODE_INVALID,
            _("The code may hold only lower-case letters, digits and hyphens."),
            "code",
        )
    if hearing.code in RESERVED_CODES:
        raise _fail(
            HearingError.CODE_INVALID,
            _("“%(code)s” names a page of Phaen; choose another code.") % {"code": hearing.code},
            "code",
        )
    if Hearing.objects.filter(code=hearing.code).exclude(pk=hearing.pk).exists():
        raise _fail(
            HearingError.CODE_TAKEN,
            _("Another hearing already has the code “%(code)s”.") % {"code": hearing.code},
            "code",
        )
    if not hearing.title_th.strip():
        raise _fail(HearingError.TITLE_REQUIRED, _("The Thai title is required."), "title_th")
    if hearing.starts_at is None or hearing.ends_at is None:
        raise _fail(
            HearingError.PERIOD_INVALID, _("Give the opening and closing times."), "ends_at"
        )
    if hearing.ends_at <= hearing.starts_at:
        raise _fail(
            HearingError.PERIOD_INVALID,
            _("The hearing must close after it opens."),
            "ends_at",
        )
    if not (hearing.online_comments or hearing.in_person or hearing.written):
        raise _fail(
            HearingError.CHANNEL_REQUIRED,
            _("Choose at least one way to be heard: online, in person or in writing."),
            "online_comments",
        )
    plan = hearing.plan
    if (
        not permissions.is_system(actor)
        and hearing.organiser_id != plan.owner_id
        and not plan.partners.filter(pk=hearing.organiser_id).exists()
    ):
        raise _fail(
            HearingError.ORGANISER_UNRELATED,
            _("The organiser must be the plan's owner or one of its partners."),
            "organiser",
        )
    if hearing.section is not None and hearing.section.plan_id != plan.pk:
        raise _fail(
            HearingError.SECTION_INVALID,
            _("The section heard must be an element of the plan."),
            "section",
        )
    for name in ("reported_participants", "reported_online_views"):
        value = getattr(hearing, name)
        if value is not None and value < 0:
            raise _fail(HearingError.COUNT_INVALID, _("A count cannot be negative."), name)


def _hearing_state(hearing: Hearing) -> dict[str, Any]:
    state = snapshot(hearing, fields=_AUDITED_FIELDS)
    state["invited"] = sorted(hearing.invited.values_list("code", flat=True))
    return state


def hearing_create(
    *,
    actor: Any,
    code: str,
    title_th: str,
    plan: Plan,
    organiser: Organisation,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    title_en: str = "",
    description: str = "",
    section: PlanElement | None = None,
    online_comments: bool = True,
    in_person: bool = False,
    written: bool = False,
    moderation: bool = False,
    invited: Sequence[Organisation] = (),
    affected_groups: str = "",
    reported_participants: int | None = None,
    reported_online_views: int | None = None,
    sources: Sequence[Source] = (),
) -> tuple[Hearing, list[str]]:
    """Schedule a hearing on a plan (or one section of it). Returns the hearing and the
    warnings to show (a period shorter than the recommended 15 days), which never refuse."""
    permissions.ensure(
        permissions.can_create_hearing(actor, organiser), actor, "hearing.create", plan
    )
    hearing = Hearing(
        code=(code or "").strip(),
        title_th=(title_th or "").strip(),
        title_en=(title_en or "").strip(),
        description=(description or "").strip(),
        plan=plan,
        section=section,
        organiser=organiser,
        starts_at=starts_at,
        ends_at=ends_at,
        online_comments=online_comments,
        in_person=in_person,
        written=written,
        moderation=moderation,
        affected_groups=(affected_groups or "").strip(),
        reported_participants=reported_participants,
        reported_online_views=reported_online_views,
        status=HearingStatus.SCHEDULED,
    )
    _validate_hearing(hearing, actor)
    with transaction.atomic():
        hearing.save()
        hearing.invited.set(invited)
        hearing.sources.set(sources)
        audit_record(
            actor=actor, action="hearing.create", target=hearing, after=_hearing_state(hearing)
        )
    return hearing, period_warnings(hearing.starts_at, hearing.ends_at)


def hearing_update(
    *,
    actor: Any,
    hearing: Hearing,
    invited: Sequence[Organisation] | None = None,
    sources: Sequence[Source] | None = None,
    **fields: Any,
) -> tuple[Hearing, list[str]]:
    """Change a hearing's fields (see `HEARING_FIELDS`); only those given change. The plan and
    section heard change only while the hearing is scheduled. Returns the hearing and its
    warnings, as `hearing_create` does."""
    unknown = set(fields) - set(HEARING_FIELDS)
    if unknown:
        raise TypeError(f"hearing_update() got unknown fields: {sorted(unknown)}")
    permissions.ensure(
        permissions.can_manage_hearing(actor, hearing), actor, "hearing.update", hearing
    )
    if "organiser" in fields and not permissions.manages_hearings_of(actor, fields["organiser"]):
        raise permissions.deny(actor, "hearing.update", hearing)
    with transaction.atomic():
        hearing = Hearing.objects.select_for_update().select_related("plan").get(pk=hearing.pk)
        before = _hearing_state(hearing)
        moving = any(
            name in fields and getattr(hearing, name) != fields[name]
            for name in ("plan", "section")
        )
        if moving and hearing.status != HearingStatus.SCHEDULED:
            raise ApplicationError(
                HearingError.PLAN_LOCKED,
                _("The plan and section heard cannot change once the hearing has opened."),
                detail={"status": hearing.status},
                http_status=409,
            )
        for name, value in fields.items():
            if isinstance(value, str):
                value = value.strip()
            setattr(hearing, name, value)
        _validate_hearing(hearing, actor)
        hearing.save()
        if invited is not None:
            hearing.invited.set(invited)
        if sources is not None:
            hearing.sources.set(sources)
        audit_record(
            actor=actor,
            action="hearing.update",
            target=hearing,
            before=before,
            after=_hearing_state(hearing),
        )
    return hearing, period_warnings(hearing.starts_at, hearing.ends_at)


def hearing_delete(*, actor: Any, hearing: Hearing) -> None:
    """Delete a hearing that has no comments (a hearing people were heard in is kept)."""
    permissions.ensure(
        permissions.can_manage_hearing(actor, hearing), actor, "hearing.delete", hearing
    )
    with transaction.atomic():
        hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
        if Comment.objects.filter(hearing=hearing).exists():
            raise ApplicationError(
                HearingError.HAS_COMMENTS,
                _("People have commented on this hearing, so it is kept. Close it instead."),
                http_status=409,
            )
        audit_record(
            actor=actor, action="hearing.delete", target=hearing, before=_hearing_state(hearing)
        )
        hearing.delete()


def _refuse_status(hearing: Hearing, step: Any) -> ApplicationError:
    return ApplicationError(
        HearingError.STATUS_INVALID,
        _("A hearing that is “%(status)s” cannot take the step “%(step)s”.")
        % {"status": HearingStatus(hearing.status).label, "step": step},
        detail={"status": hearing.status},
        http_status=409,
    )


STEP_LABELS = {
    "open": gettext_lazy("Open for comments"),
    "close": gettext_lazy("Close the hearing"),
    "publish_summary": gettext_lazy("Publish the summary"),
}
STEP_SOURCES: dict[str, frozenset[str]] = {
    "open": frozenset({HearingStatus.SCHEDULED}),
    "close": frozenset({HearingStatus.OPEN}),
    "publish_summary": frozenset({HearingStatus.CLOSED, HearingStatus.SUMMARISED}),
}


def allowed_steps(actor: Any, hearing: Hearing) -> list[str]:
    """The steps `actor` may take on the hearing now, in order."""
    if not permissions.can_manage_hearing(actor, hearing):
        return []
    return [name for name, sources in STEP_SOURCES.items() if hearing.status in sources]


def _step(actor: Any, hearing: Hearing, name: str) -> Hearing:
    """Check the state, then the permission (audited), before a step's transaction."""
    current = Hearing.objects.select_related("plan", "organiser").get(pk=hearing.pk)
    if current.status not in STEP_SOURCES[name]:
        raise _refuse_status(current, STEP_LABELS[name])
    permissions.ensure(
        permissions.can_manage_hearing(actor, current), actor, f"hearing.{name}", current
    )
    return current


def heard_version(plan: Plan) -> PlanVersion | None:
    """The plan version a hearing opened now hears.

    The plan's `open_hearing` step freezes the draft as a version of kind "hearing"; when the
    plan is in hearing, that is its newest version. Otherwise the newest "hearing" version, or
    failing that the newest version of any kind (what the public reads).
    """
    versions = PlanVersion.objects.filter(plan=plan).order_by("-number")
    if plan.status == PlanStatus.IN_HEARING:
        return versions.first()
    return versions.filter(kind=VersionKind.HEARING).first() or versions.first()


def hearing_open(*, actor: Any, hearing: Hearing) -> Hearing:
    """Open a scheduled hearing for comments, on the plan version it hears (see
    `heard_version`): nothing new is frozen here. Refused while the plan has no version (take
    the plan's step “Open a public hearing” first) or when the closing time has passed."""
    current = _step(actor, hearing, "open")
    with transaction.atomic():
        hearing = Hearing.objects.select_for_update().select_related("plan").get(pk=current.pk)
        if hearing.status not in STEP_SOURCES["open"]:
            raise _refuse_status(hearing, STEP_LABELS["open"])
        version = heard_version(hearing.plan)
        if version is None:
            raise ApplicationError(
                HearingError.PLAN_UNPUBLISHED,
                _(
                    "The plan has no published version to hear yet. Take the plan's step “Open a "
                    "public hearing”, which publishes the draft, then open this hearing."
                ),
                http_status=409,
            )
        if hearing.ends_at <= timezone.now():
            raise ApplicationError(
                HearingError.PERIOD_OVER,
                _("The closing time has passed. Change the period before opening the hearing."),
                http_status=409,
            )
        before = {"status": hearing.status, "version": hearing.version_id}
        hearing.status = HearingStatus.OPEN
        hearing.version = version
        hearing.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="hearing.open",
            target=hearing,
            before=before,
            after={"status": hearing.status, "version": version.pk, "number": version.number},
        )
    return hearing


def hearing_close(*, actor: Any, hearing: Hearing) -> Hearing:
    """Close an open hearing: no more online comments."""
    current = _step(actor, hearing, "close")
    with transaction.atomic():
        hearing = Hearing.objects.select_for_update().get(pk=current.pk)
        if hearing.status not in STEP_SOURCES["close"]:
            raise _refuse_status(hearing, STEP_LABELS["close"])
        hearing.status = HearingStatus.CLOSED
        hearing.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="hearing.close",
            target=hearing,
            before={"status": HearingStatus.OPEN},
            after={"status": hearing.status},
        )
    return hearing


def hearing_publish_summary(*, actor: Any, hearing: Hearing, summary_th: str) -> Hearing:
    """Publish (or correct) the summary of a closed hearing, shown on its public page."""
    current = _step(actor, hearing, "publish_summary")
    summary = (summary_th or "").strip()
    if not summary:
        raise _fail(HearingError.SUMMARY_REQUIRED, _("Write the summary to publish."), "summary_th")
    with transaction.atomic():
        hearing = Hearing.objects.select_for_update().get(pk=current.pk)
        if hearing.status not in STEP_SOURCES["publish_summary"]:
            raise _refuse_status(hearing, STEP_LABELS["publish_summary"])
        before = {"status": hearing.status, "summary_th": hearing.summary_th}
        hearing.status = HearingStatus.SUMMARISED
        hearing.summary_th = summary
        hearing.summary_published_at = timezone.now()
        hearing.save(update_fields=["status", "summary_th", "summary_published_at", "updated_at"])
        audit_record(
            actor=actor,
            action="hearing.publish_summary",
            target=hearing,
            before=before,
            after={"status": hearing.status, "summary_th": hearing.summary_th},
        )
    return hearing


def hearing_record_view(*, hearing: Hearing) -> None:
    """Count one online view of the hearing's public page (one atomic UPDATE, no audit)."""
    Hearing.objects.filter(pk=hearing.pk).update(online_views=F("online_views") + 1)


# --- Documents ---------------------------------------------------------------------------------


def hearing_document_add(
    *, actor: Any, hearing: Hearing, title: str, url: str = "", upload: Any = None
) -> HearingDocument:
    """Add a document to the hearing: a link, or a file (checked like every upload)."""
    permissions.ensure(
        permissions.can_manage_hearing(actor, hearing), actor, "hearing.document_add", hearing
    )
    title = (title or "").strip()
    url = (url or "").strip()
    if not title:
        raise _fail(HearingError.DOCUMENT_INVALID, _("Give the document a title."), "title")
    if not url and upload is None:
        raise _fail(HearingError.DOCUMENT_INVALID, _("Give a link or choose a file."), "url")
    checked = uploads.validate_upload(upload) if upload is not None else None
    with transaction.atomic():
        document = HearingDocument(hearing=hearing, title=title[:300], url=url)
        if upload is not None and checked is not None:
            document.file = uploads.save_upload(
                upload, checked, folder=f"consultation/{hearing.code}/documents"
            )
            document.file_name = checked.original_name[:255]
        document.save()
        audit_record(
            actor=actor,
            action="hearing.document_add",
            target=document,
            after={"hearing": hearing.code, "title": document.title, "url": document.url},
        )
    return document


def hearing_document_remove(*, actor: Any, document: HearingDocument) -> None:
    """Remove a document from its hearing (the stored file is kept for the record)."""
    hearing = document.hearing
    permissions.ensure(
        permissions.can_manage_hearing(actor, hearing), actor, "hearing.document_remove", hearing
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="hearing.document_remove",
            target=document,
            before={"hearing": hearing.code, "title": document.title, "file": document.file},
        )
        document.delete()


# --- Comments ----------------------------------------------------------------------------------


def commenter_key(material: str) -> str:
    """The keyed hash that stands for a commenter (an address or a user id), never reversible
    without the server's secret key."""
    return hmac.new(
        settings.SECRET_KEY.encode(), (material or "unknown").encode(), hashlib.sha256
    ).hexdigest()


def client_key_material(user: Any, address: str | None) -> str:
    """What identifies a commenter: the signed-in user's id, else the client's address."""
    if getattr(user, "is_authenticated", False) and getattr(user, "pk", None):
        return f"user:{user.pk}"
    return f"ip:{address or 'unknown'}"


def fingerprint(body: str) -> str:
    """The hash of a comment's normalised text, to spot the same comment sent again."""
    return hashlib.sha256(thai_text.normalize(body).encode()).hexdigest()


def contains_national_id(text: str) -> bool:
    """Tell whether `text` holds something shaped like a Thai national ID number (13 digits,
    run together or grouped 1-4-5-2-1), Thai digits included."""
    return bool(_NATIONAL_ID.search(thai_text.normalize(text or "")))


def _throttle(hearing: Hearing, key: str) -> None:
    per_hearing = settings.PHAEN_RATE_COMMENT_HEARING
    per_client = settings.PHAEN_RATE_COMMENT_CLIENT
    first = hit(f"consultation-comment-{hearing.pk}", key, per_hearing)
    second = hit("consultation-comment", key, per_client)
    if first.exceeded or second.exceeded:
        waits = [u.retry_after for u in (first, second) if u.exceeded]
        raise RateLimited(max(waits))


def _clean_text(value: str | None, field: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise _fail(
            CommentError.TOO_LONG,
            _("Please keep this under %(limit)s characters.") % {"limit": limit},
            field,
        )
    return text


def _clean_comment(
    hearing: Hearing,
    *,
    element_code: str,
    quote: str,
    stance: str,
    body: str,
    author_name: str,
    author_organisation: str,
    email: str,
) -> dict[str, Any]:
    """Check a comment's fields; return them cleaned, with the element's title at this time."""
    element_code = (element_code or "").strip()
    element_title = ""
    if element_code:
        element = selectors.element_index(hearing).get(element_code)
        if element is None:
            raise _fail(
                CommentError.ELEMENT_UNKNOWN,
                _("The draft heard has no element “%(code)s”.") % {"code": element_code},
                "element_code",
            )
        element_title = selectors.element_label(element)[:1000]
    if stance not in Stance.values:
        raise _fail(
            CommentError.STANCE_INVALID,
            _("Choose whether you support, oppose or suggest a change."),
            "stance",
        )
    body = _clean_text(body, "body", MAX_BODY)
    if not body:
        raise _fail(CommentError.BODY_REQUIRED, _("Write your comment."), "body")
    cleaned = {
        "element_code": element_code,
        "element_title": element_title,
        "quote": _clean_text(quote, "quote", MAX_QUOTE),
        "stance": stance,
        "body": body,
        "author_name": _clean_text(author_name, "author_name", MAX_NAME),
        "author_organisation": _clean_text(author_organisation, "author_organisation", MAX_NAME),
        "email": _clean_text(email, "email", 254),
    }
    for name in ("body", "author_name", "author_organisation"):
        if contains_national_id(cleaned[name]):
            raise _fail(
                CommentError.NATIONAL_ID,
                _(
                    "Please remove the national ID number: Phaen never collects ID numbers, "
                    "and a hearing does not need them."
                ),
                name,
            )
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except DjangoValidationError as exc:
            raise _fail(
                CommentError.EMAIL_INVALID, _("Enter a valid e-mail address."), "email"
            ) from exc
    return cleaned


def _comment_state(comment: Comment) -> dict[str, Any]:
    """What the audit trail keeps of a comment: ids, codes and status, no personal data."""
    return {
        "hearing": comment.hearing.code,
        "element_code": comment.element_code,
        "stance": comment.stance,
        "channel": comment.channel,
        "status": comment.status,
        "event": comment.event_id,
        "show_identity": comment.show_identity,
        "consent": comment.consent_at is not None,
    }


def _not_open(hearing: Hearing) -> ApplicationError:
    return ApplicationError(
        CommentError.NOT_OPEN,
        _("This hearing is not open for comments (it is “%(status)s”).")
        % {"status": HearingStatus(hearing.status).label},
        detail={"status": hearing.status},
        http_status=409,
    )


def _refuse_duplicate() -> ValidationFailed:
    return _fail(
        CommentError.DUPLICATE,
        _("You have already sent this comment to this hearing."),
        "body",
    )


def comment_post(
    *,
    actor: Any,
    hearing: Hearing,
    element_code: str = "",
    quote: str = "",
    stance: str,
    body: str,
    author_name: str = "",
    author_organisation: str = "",
    show_identity: bool = False,
    email: str = "",
    consent: bool = False,
    client_key: str,
    honeypot: str = "",
) -> tuple[Comment, str]:
    """Post a comment from the public on an open hearing; return it with its private access
    key (shown once to the author, stored only as a hash).

    `actor` is the signed-in user or None. `client_key` is what identifies the commenter (see
    `client_key_material`); it is stored only as an HMAC. An empty `element_code` comments on
    the plan as a whole. With moderation on, the comment waits (`pending`) until a moderator
    publishes it. Order of checks: the hearing is open, the rate limits (429), the honeypot
    (400, nothing written), the fields and consent (422), duplicates (422).
    """
    hearing = Hearing.objects.select_related("plan", "version", "section").get(pk=hearing.pk)
    if hearing.status != HearingStatus.OPEN or timezone.now() >= hearing.ends_at:
        raise _not_open(hearing)
    if not hearing.online_comments:
        raise ApplicationError(
            CommentError.ONLINE_DISABLED,
            _("This hearing takes comments in person or in writing, not online."),
            http_status=409,
        )
    key = commenter_key(client_key)
    _throttle(hearing, key)
    if honeypot and honeypot.strip():
        raise ApplicationError(
            CommentError.REJECTED, _("The submission was not accepted."), http_status=400
        )
    cleaned = _clean_comment(
        hearing,
        element_code=element_code,
        quote=quote,
        stance=stance,
        body=body,
        author_name=author_name,
        author_organisation=author_organisation,
        email=email,
    )
    if not consent:
        raise _fail(
            CommentError.CONSENT_REQUIRED,
            _("Please agree to how Phaen keeps your comment (PDPA) to send it."),
            "consent",
        )
    print_ = fingerprint(cleaned["body"])
    access_key = secrets.token_urlsafe(24)
    with transaction.atomic():
        # One hearing's comments are written one at a time, so that two copies of the same
        # comment sent at once cannot both pass the duplicate check.
        locked = Hearing.objects.select_for_update().get(pk=hearing.pk)
        if locked.status != HearingStatus.OPEN:
            raise _not_open(locked)
        if Comment.objects.filter(hearing=hearing, commenter_key=key, fingerprint=print_).exists():
            raise _refuse_duplicate()
        comment = Comment.objects.create(
            hearing=hearing,
            **cleaned,
            channel=Channel.ONLINE,
            show_identity=bool(show_identity)
            and bool(cleaned["author_name"] or cleaned["author_organisation"]),
            consent_at=timezone.now(),
            consent_text_version=CONSENT_TEXT_VERSION,
            user=_user_or_none(actor),
            commenter_key=key,
            fingerprint=print_,
            access_key_hash=selectors.access_key_hash(access_key),
            status=CommentStatus.PENDING if locked.moderation else CommentStatus.PUBLISHED,
            search_document=thai_text.search_document(cleaned["body"], cleaned["quote"]),
        )
        audit_record(
            actor=_actor_or_none(actor),
            action="comment.post",
            target=comment,
            after=_comment_state(comment),
        )
    return comment, access_key


ENTRY_CHANNELS = frozenset({Channel.WRITTEN, Channel.IN_PERSON})
ENTRY_STATUSES = frozenset({HearingStatus.OPEN, HearingStatus.CLOSED})


def comment_enter(
    *,
    actor: Any,
    hearing: Hearing,
    channel: str,
    stance: str,
    body: str,
    element_code: str = "",
    quote: str = "",
    author_name: str = "",
    author_organisation: str = "",
    show_identity: bool = False,
    email: str = "",
    consent: bool = False,
    event: Event | None = None,
) -> Comment:
    """Enter a written submission or an in-person remark (at an event of the hearing) as a
    comment of that channel, published at once. `consent` is the staff's record that the person
    agreed to the PDPA notice; it is required when a name, organisation or e-mail is kept."""
    permissions.ensure(
        permissions.can_manage_hearing(actor, hearing), actor, "comment.enter", hearing
    )
    hearing = Hearing.objects.select_related("plan", "version", "section").get(pk=hearing.pk)
    if hearing.status not in ENTRY_STATUSES:
        raise ApplicationError(
            CommentError.ENTRY_CLOSED,
            _(
                "Comments are entered while the hearing is open or closed, not when it is "
                "“%(status)s”."
            )
            % {"status": HearingStatus(hearing.status).label},
            http_status=409,
        )
    if channel not in ENTRY_CHANNELS:
        raise _fail(
            CommentError.CHANNEL_INVALID,
            _("Choose a written submission or an in-person remark."),
            "channel",
        )
    if event is not None and event.hearing_id != hearing.pk:
        raise _fail(
            CommentError.EVENT_INVALID, _("The event must belong to this hearing."), "event"
        )
    cleaned = _clean_comment(
        hearing,
        element_code=element_code,
        quote=quote,
        stance=stance,
        body=body,
        author_name=author_name,
        author_organisation=author_organisation,
        email=email,
    )
    personal = bool(cleaned["author_name"] or cleaned["author_organisation"] or cleaned["email"])
    if personal and not consent:
        raise _fail(
            CommentError.CONSENT_REQUIRED,
            _("Record the person's consent (PDPA) to keep their name, organisation or e-mail."),
            "consent",
        )
    if cleaned["author_name"] or cleaned["author_organisation"]:
        material = "entry:{}|{}".format(
            thai_text.normalize(cleaned["author_name"]),
            thai_text.normalize(cleaned["author_organisation"]),
        )
    else:
        material = f"entry:{secrets.token_hex(16)}"  # an anonymous remark: a commenter of its own
    key = commenter_key(material)
    print_ = fingerprint(cleaned["body"])
    with transaction.atomic():
        Hearing.objects.select_for_update().filter(pk=hearing.pk).values_list("pk").get()
        if Comment.objects.filter(hearing=hearing, commenter_key=key, fingerprint=print_).exists():
            raise _refuse_duplicate()
        comment = Comment.objects.create(
            hearing=hearing,
            **cleaned,
            channel=channel,
            event=event,
            show_identity=bool(show_identity) and personal and consent,
            consent_at=timezone.now() if consent else None,
            consent_text_version=CONSENT_TEXT_VERSION if consent else "",
            entered_by=_user_or_none(actor),
            commenter_key=key,
            fingerprint=print_,
            status=CommentStatus.PUBLISHED,
            search_document=thai_text.search_document(cleaned["body"], cleaned["quote"]),
        )
        audit_record(
            actor=actor, action="comment.enter", target=comment, after=_comment_state(comment)
        )
    return comment


def comment_moderate(*, actor: Any, comment: Comment, action: str, reason: str = "") -> Comment:
    """Publish a pending comment, hide a comment (a reason is required) or restore a hidden
    one; each step is kept in the comment's moderation log and the audit trail."""
    step = MODERATION_STEPS.get(action)
    if step is None:
        raise _fail(
            ModerationError.ACTION_INVALID,
            _("Choose to publish, hide or restore the comment."),
            "action",
        )
    hearing = comment.hearing
    permissions.ensure(
        permissions.can_manage_hearing(actor, hearing), actor, f"comment.{action}", comment
    )
    reason = (reason or "").strip()
    if action == ModerationAction.Action.HIDE and not reason:
        raise _fail(ModerationError.REASON_REQUIRED, _("Say why the comment is hidden."), "reason")
    sources, target = step
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("hearing").get(pk=comment.pk)
        if comment.status not in sources:
            raise ApplicationError(
                HearingError.STATUS_INVALID,
                _("A comment that is “%(status)s” cannot be %(action)s.")
                % {
                    "status": CommentStatus(comment.status).label,
                    "action": ModerationAction.Action(action).label.lower(),
                },
                detail={"status": comment.status},
                http_status=409,
            )
        before = comment.status
        comment.status = target
        comment.save(update_fields=["status", "updated_at"])
        ModerationAction.objects.create(
            comment=comment, action=action, reason=reason, actor=_user_or_none(actor)
        )
        audit_record(
            actor=actor,
            action=f"comment.{action}",
            target=comment,
            before={"status": before},
            after={"status": comment.status, "hearing": comment.hearing.code},
        )
    return comment


# --- Responses ---------------------------------------------------------------------------------


def _known_element_codes(hearing: Hearing) -> set[str]:
    """Codes an answer may name as changed: the plan's elements now, and those heard."""
    codes = set(PlanElement.objects.filter(plan_id=hearing.plan_id).values_list("code", flat=True))
    return codes | set(selectors.element_index(hearing))


def response_set(
    *,
    actor: Any,
    comment: Comment | None = None,
    group: CommentGroup | None = None,
    decision: str,
    reason: str,
    change_made: str = "",
    changed_element_code: str = "",
) -> Response:
    """Answer a comment or a group of comments (exactly one): the decision, the reason, the
    change made and the element changed. Answering again replaces the answer."""
    if (comment is None) == (group is None):
        raise _fail(
            ResponseError.TARGET_REQUIRED, _("Answer either a comment or a group of comments.")
        )
    target: Comment | CommentGroup = comment if comment is not None else group  # type: ignore[assignment]
    hearing = Hearing.objects.select_related("plan", "version", "section").get(pk=target.hearing_id)
    permissions.ensure(
        permissions.can_manage_hearing(actor, hearing), actor, "response.set", target
    )
    if hearing.status == HearingStatus.SCHEDULED:
        raise ApplicationError(
            ResponseError.NOT_YET,
            _("Comments are answered once the hearing has opened."),
            http_status=409,
        )
    if decision not in Decision.values:
        raise _fail(ResponseError.DECISION_INVALID, _("Choose a decision."), "decision")
    reason = (reason or "").strip()
    if not reason:
        raise _fail(ResponseError.REASON_REQUIRED, _("Give the reason for the decision."), "reason")
    change_made = (change_made or "").strip()
    changed_element_code = (changed_element_code or "").strip()
    if changed_element_code and changed_element_code not in _known_element_codes(hearing):
        raise _fail(
            ResponseError.ELEMENT_UNKNOWN,
            _("The plan has no element “%(code)s”.") % {"code": changed_element_code},
            "changed_element_code",
        )
    with transaction.atomic():
        lookup = {"comment": comment} if comment is not None else {"group": group}
        response = Response.objects.select_for_update().filter(**lookup).first()
        before = (
            {
                "decision": response.decision,
                "reason": response.reason,
                "change_made": response.change_made,
                "changed_element_code": response.changed_element_code,
            }
            if response is not None
            else None
        )
        if response is None:
            response = Response(hearing=hearing, **lookup)
        response.decision = decision
        response.reason = reason
        response.change_made = change_made
        response.changed_element_code = changed_element_code
        response.responder = _user_or_none(actor)
        response.save()
        audit_record(
            actor=actor,
            action="response.set",
            target=response,
            before=before,
            after={
                "hearing": hearing.code,
                "comment": comment.pk if comment is not None else None,
                "group": group.pk if group is not None else None,
                "decision": decision,
                "reason": reason,
                "change_made": change_made,
                "changed_element_code": changed_element_code,
            },
        )
    return response
