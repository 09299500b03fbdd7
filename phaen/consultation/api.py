"""JSON API of public hearings and their comments, mounted at /api/consultation.

Public: the hearing list, a hearing (with its outline and counts), its counts, its published
comments, posting a comment (throttled per client, with the honeypot field `website` that people
leave empty, and PDPA consent required: 422 without), and the author's view of a comment with the
private key. Public answers never hold an e-mail address, a commenter key or fingerprint, an
access-key hash, a hidden or pending comment, nor the name of someone who did not choose to show
it.

Staff (`auth=WRITE_AUTH`: 401 without a session or token; 403 `permission_denied`, recorded in
the audit trail, for people who do not run the organiser's hearings): the moderation list (also
for auditors), moderation steps, answers to comments and groups, entering written and in-person
comments, and creating, changing, deleting and stepping hearings.

Thin: parse, call one service or selector, shape the answer; errors are `{"code", "message",
"detail"}` (phaen/api/errors.py). Times are ISO 8601; a time without an offset is Thai time.
"""

# No `from __future__ import annotations`: django-ninja reads the annotations at import time.
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from phaen.api.auth import WRITE_AUTH, token_auth
from phaen.api.pagination import PagePagination
from phaen.consultation import permissions, selectors, services
from phaen.consultation.errors import HearingError
from phaen.consultation.models import Comment, Event, Hearing, Response
from phaen.core.errors import ValidationFailed
from phaen.core.ratelimit import client_ip
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanElement, Source

router = Router(tags=["consultation"])


# --- Schemas ---------------------------------------------------------------------------------


class OrganisationRef(Schema):
    code: str
    name_th: str
    name_en: str = ""


class PlanRef(Schema):
    code: str
    name_th: str
    name_en: str = ""


class HearingOut(Schema):
    code: str
    title_th: str
    title_en: str
    status: str
    plan: PlanRef
    organiser: OrganisationRef
    version: int | None = Field(None, description="The number of the plan version heard.")
    starts_at: datetime
    ends_at: datetime
    online_comments: bool
    in_person: bool
    written: bool
    moderation: bool
    warnings: list[str] = Field(
        ..., description="A period shorter than the recommended 15 days is warned about."
    )

    @staticmethod
    def resolve_version(obj: Hearing) -> int | None:
        return obj.version.number if obj.version is not None else None

    @staticmethod
    def resolve_warnings(obj: Hearing) -> list[str]:
        return services.period_warnings(obj.starts_at, obj.ends_at)


class HearingListOut(HearingOut):
    comment_count: int = Field(0, description="Comments received: published and pending.")


class CountsOut(Schema):
    online_views: int
    reported_online_views: int | None
    reported_participants: int | None
    comments: int
    commenters: int
    by_channel: dict[str, int]
    by_stance: dict[str, int]
    by_element: dict[str, int]


class ElementOut(Schema):
    code: str
    parent: str | None
    kind: str
    label_th: str
    number: str
    title_th: str
    title_en: str
    description_th: str
    depth: int
    comment_count: int
    newer_title: str = Field("", description="How the plan's newest version titles it, if not so.")


class DocumentOut(Schema):
    id: int
    title: str
    url: str
    download: str


class HearingDetailOut(HearingOut):
    """A hearing with its outline, counts and documents (`_hearing_detail` attaches them)."""

    description: str
    section: str | None
    affected_groups: str
    invited: list[OrganisationRef]
    summary_th: str
    summary_published_at: datetime | None
    sources: list[str]
    counts: CountsOut
    outline: list[ElementOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_section(obj: Hearing) -> str | None:
        return obj.section.code if obj.section is not None else None

    @staticmethod
    def resolve_invited(obj: Hearing) -> list[Organisation]:
        return list(obj.invited.all())

    @staticmethod
    def resolve_summary_th(obj: Hearing) -> str:
        return obj.summary_th if obj.summary_published_at else ""

    @staticmethod
    def resolve_sources(obj: Hearing) -> list[str]:
        return [source.key for source in obj.sources.all()]

    @staticmethod
    def resolve_counts(obj: Hearing) -> dict[str, Any]:
        return obj.api_counts  # type: ignore[attr-defined]

    @staticmethod
    def resolve_outline(obj: Hearing) -> list[dict[str, Any]]:
        return obj.api_outline  # type: ignore[attr-defined]

    @staticmethod
    def resolve_documents(obj: Hearing) -> list[dict[str, Any]]:
        return obj.api_documents  # type: ignore[attr-defined]


class ResponseOut(Schema):
    decision: str
    reason: str
    change_made: str
    changed_element_code: str
    group: str | None = Field(None, description="The group's name when it answers a group.")


def _answer(comment: Comment) -> dict[str, Any] | None:
    answer = selectors.answer_of(comment)
    if answer is None:
        return None
    return {
        "decision": answer.decision,
        "reason": answer.reason,
        "change_made": answer.change_made,
        "changed_element_code": answer.changed_element_code,
        "group": comment.group.name if answer.group_id and comment.group else None,
    }


class CommentOut(Schema):
    """A comment as the public reads it."""

    id: int
    element_code: str
    element_title: str
    quote: str
    stance: str
    channel: str
    body: str
    author_name: str = Field("", description="Empty unless the author chose to show it.")
    author_organisation: str = Field("", description="Empty unless the author chose to show it.")
    created_at: datetime
    response: ResponseOut | None

    @staticmethod
    def resolve_author_name(obj: Comment) -> str:
        return obj.author_name if obj.show_identity else ""

    @staticmethod
    def resolve_author_organisation(obj: Comment) -> str:
        return obj.author_organisation if obj.show_identity else ""

    @staticmethod
    def resolve_response(obj: Comment) -> dict[str, Any] | None:
        return _answer(obj)


class AuthorCommentOut(CommentOut):
    hearing: str = Field(..., alias="hearing.code")
    status: str
    show_identity: bool


class PostedOut(Schema):
    comment: AuthorCommentOut
    access_key: str = Field(..., description="Shown once: keep it to read the answer later.")
    private_url: str


class ModerationStepOut(Schema):
    action: str
    reason: str
    actor: str | None
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor is not None else None


class StaffCommentOut(CommentOut):
    """A comment as its moderators and auditors read it (still never the e-mail itself)."""

    status: str
    show_identity: bool
    has_email: bool
    consent_at: datetime | None
    event: str | None
    group: int | None
    entered_by: str | None
    moderation: list[ModerationStepOut]

    @staticmethod
    def resolve_author_name(obj: Comment) -> str:
        return obj.author_name

    @staticmethod
    def resolve_author_organisation(obj: Comment) -> str:
        return obj.author_organisation

    @staticmethod
    def resolve_has_email(obj: Comment) -> bool:
        return bool(obj.email)

    @staticmethod
    def resolve_event(obj: Comment) -> str | None:
        return obj.event.code if obj.event is not None else None

    @staticmethod
    def resolve_group(obj: Comment) -> int | None:
        return obj.group_id

    @staticmethod
    def resolve_entered_by(obj: Comment) -> str | None:
        return obj.entered_by.get_username() if obj.entered_by is not None else None

    @staticmethod
    def resolve_moderation(obj: Comment) -> list[Any]:
        return list(obj.moderation.all())


class HearingFilter(Schema):
    status: str | None = Field(None, description="scheduled, open, closed, summarised")
    plan: str | None = Field(None, description="Plan code")
    organiser: str | None = Field(None, description="Organisation code")


class CommentFilter(Schema):
    element: str | None = Field(None, description="Element code")


class ModerationFilter(Schema):
    status: str | None = Field(None, description="pending, published, hidden")


class CommentIn(Schema):
    element_code: str = Field("", description="The element commented on; empty: the whole plan.")
    quote: str = ""
    stance: str = Field(..., description="support, oppose or suggest")
    body: str
    author_name: str = ""
    author_organisation: str = ""
    show_identity: bool = False
    email: str = ""
    consent: bool = Field(False, description="PDPA consent to the notice; required.")
    website: str = Field("", description="Leave empty (a field robots fill).")


class EntryIn(Schema):
    channel: str = Field(..., description="written or in_person")
    event: str = Field("", description="Event code (of this hearing)")
    element_code: str = ""
    quote: str = ""
    stance: str
    body: str
    author_name: str = ""
    author_organisation: str = ""
    show_identity: bool = False
    email: str = ""
    consent: bool = Field(False, description="The person agreed to the PDPA notice.")


class ModerationIn(Schema):
    action: str = Field(..., description="publish, hide or restore")
    reason: str = Field("", description="Required to hide.")


class ResponseIn(Schema):
    decision: str = Field(..., description="accepted, partly, not_accepted, out_of_scope")
    reason: str
    change_made: str = ""
    changed_element_code: str = ""


class HearingIn(Schema):
    code: str
    title_th: str
    title_en: str = ""
    description: str = ""
    plan: str = Field(..., description="Plan code")
    section: str = Field("", description="Element code of the section heard; empty: whole plan")
    organiser: str = Field(..., description="Organisation code")
    starts_at: datetime
    ends_at: datetime
    online_comments: bool = True
    in_person: bool = False
    written: bool = False
    moderation: bool = False
    invited: list[str] = []
    affected_groups: str = ""
    reported_participants: int | None = None
    reported_online_views: int | None = None
    sources: list[str] = []


class HearingPatch(Schema):
    title_th: str | None = None
    title_en: str | None = None
    description: str | None = None
    plan: str | None = None
    section: str | None = None
    organiser: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    online_comments: bool | None = None
    in_person: bool | None = None
    written: bool | None = None
    moderation: bool | None = None
    invited: list[str] | None = None
    affected_groups: str | None = None
    reported_participants: int | None = None
    reported_online_views: int | None = None
    sources: list[str] | None = None


class StepIn(Schema):
    summary_th: str = Field("", description="The summary, for publish_summary.")


# --- Shaping -----------------------------------------------------------------------------------


def _response_out(response: Response, group_name: str | None = None) -> dict[str, Any]:
    return {
        "decision": response.decision,
        "reason": response.reason,
        "change_made": response.change_made,
        "changed_element_code": response.changed_element_code,
        "group": group_name,
    }


def _hearing_detail(request: HttpRequest, hearing: Hearing) -> Hearing:
    """Attach the outline (as a flat list in outline order), counts and documents."""
    page = selectors.hearing_detail(hearing, viewer=None)
    outline: list[dict[str, Any]] = []

    def walk(entries: list[selectors.ElementEntry], parent: str | None) -> None:
        for entry in entries:
            element = entry.element
            outline.append(
                {
                    "code": element.code,
                    "parent": parent,
                    "kind": element.kind,
                    "label_th": element.label_th,
                    "number": element.number,
                    "title_th": element.title_th,
                    "title_en": element.title_en,
                    "description_th": element.description_th,
                    "depth": element.depth,
                    "comment_count": entry.count,
                    "newer_title": entry.newer_label,
                }
            )
            walk(entry.children, element.code)

    walk(page.outline, None)
    hearing.api_outline = outline  # type: ignore[attr-defined]
    hearing.api_counts = page.counts.as_dict()  # type: ignore[attr-defined]
    hearing.api_documents = [  # type: ignore[attr-defined]
        {
            "id": document.pk,
            "title": document.title,
            "url": document.url,
            "download": request.build_absolute_uri(
                reverse("consultation:document_download", args=[hearing.code, document.pk])
            )
            if document.file
            else "",
        }
        for document in page.documents
    ]
    return hearing


# --- Resolving codes ---------------------------------------------------------------------------


def _unknown(code: str, field: str) -> ValidationFailed:
    message = _("Nothing has the code “%(code)s”.") % {"code": code}
    return ValidationFailed("unknown_code", message, detail={"fields": {field: message}})


def _one(model: Any, code: str, field: str, key: str = "code") -> Any:
    found = model.objects.filter(**{key: code}).first()
    if found is None:
        raise _unknown(code, field)
    return found


def _many(model: Any, codes: list[str], field: str, key: str = "code") -> list[Any]:
    found = {getattr(row, key): row for row in model.objects.filter(**{f"{key}__in": codes})}
    missing = [code for code in codes if code not in found]
    if missing:
        raise _unknown(", ".join(missing), field)
    return [found[code] for code in codes]


def _hearing_fields(payload: dict[str, Any]) -> dict[str, Any]:
    fields = dict(payload)
    if "plan" in fields:
        fields["plan"] = _one(Plan, fields["plan"], "plan")
    if "organiser" in fields:
        fields["organiser"] = _one(Organisation, fields["organiser"], "organiser")
    if "section" in fields:
        fields["section"] = (
            _one(PlanElement, fields["section"], "section") if fields["section"] else None
        )
    if "invited" in fields:
        fields["invited"] = _many(Organisation, fields["invited"], "invited")
    if "sources" in fields:
        fields["sources"] = _many(Source, fields["sources"], "sources", key="key")
    for name in ("starts_at", "ends_at"):
        value = fields.get(name)
        if isinstance(value, datetime) and timezone.is_naive(value):
            fields[name] = timezone.make_aware(value)
    return fields


def _readable(request: HttpRequest, code: str) -> Hearing:
    return selectors.hearing_get(code, viewer=request.user)


def _anyone(request: HttpRequest) -> bool:
    """Admit a request without credentials (after `token_auth` found none)."""
    return True


# --- Public: hearings ---------------------------------------------------------------------------


@router.get("/hearings", response=list[HearingListOut], summary="List public hearings")
@paginate(PagePagination)
def list_hearings(request: HttpRequest, filters: Query[HearingFilter]) -> Any:
    """Open, closed and summarised hearings of published plans (and, for their organisers'
    planners, system administrators and auditors, scheduled ones too)."""
    return selectors.hearing_list(
        viewer=request.user, status=filters.status, plan=filters.plan, organiser=filters.organiser
    )


@router.get("/hearings/{code}", response=HearingDetailOut, summary="One hearing, with its outline")
def get_hearing(request: HttpRequest, code: str) -> Any:
    return _hearing_detail(request, _readable(request, code))


@router.get("/hearings/{code}/counts", response=CountsOut, summary="A hearing's counts")
def get_counts(request: HttpRequest, code: str) -> Any:
    return selectors.hearing_counts(_readable(request, code)).as_dict()


@router.get(
    "/hearings/{code}/comments", response=list[CommentOut], summary="A hearing's published comments"
)
@paginate(PagePagination)
def list_comments(request: HttpRequest, code: str, filters: Query[CommentFilter]) -> Any:
    hearing = _readable(request, code)
    return selectors.comment_list(hearing, viewer=None, element_code=filters.element)


@router.post(
    "/hearings/{code}/comments",
    response={201: PostedOut},
    auth=[token_auth, _anyone],
    summary="Comment on an open hearing (public; throttled; consent required)",
)
def post_comment(request: HttpRequest, code: str, payload: CommentIn) -> Any:
    """Anyone may comment while the hearing is open. Over the rate limit: 429 with
    `retry_after`. A filled `website` field: 400, nothing kept. Without consent: 422.

    A request with an API token comments as the token's user; otherwise anonymously (a browser
    session is not used here, so another site cannot post in a signed-in person's name).
    """
    hearing = _readable(request, code)
    user = request.auth if getattr(request.auth, "pk", None) else None  # type: ignore[attr-defined]
    data = payload.dict()
    honeypot = data.pop("website", "")
    comment, key = services.comment_post(
        actor=user,
        hearing=hearing,
        client_key=services.client_key_material(user, client_ip(request)),
        honeypot=honeypot,
        **data,
    )
    comment = selectors.comment_for_author(comment.pk, key)
    url = request.build_absolute_uri(
        reverse("consultation:comment_author", args=[comment.pk]) + f"?key={key}"
    )
    return Status(201, {"comment": comment, "access_key": key, "private_url": url})


@router.get("/comments/{comment_id}", response=AuthorCommentOut, summary="Your comment, by its key")
def get_own_comment(request: HttpRequest, comment_id: int, key: str = "") -> Any:
    """The author's view: the comment, its status and the answer (404 for a wrong key)."""
    return selectors.comment_for_author(comment_id, key)


# --- Staff: moderation, answers, entries --------------------------------------------------------


@router.get(
    "/hearings/{code}/moderation",
    response=list[StaffCommentOut],
    auth=WRITE_AUTH,
    summary="Every comment of a hearing, for its moderators and auditors",
)
@paginate(PagePagination)
def list_moderation(request: HttpRequest, code: str, filters: Query[ModerationFilter]) -> Any:
    hearing = selectors.hearing_for_write(code)
    permissions.ensure(
        permissions.reads_all_comments(request.user, hearing),
        request.user,
        "hearing.moderation_read",
        hearing,
    )
    return selectors.moderation_queue(hearing, status=filters.status)


def _staff_view(comment_id: int) -> Comment:
    comment = selectors.comment_get(comment_id)
    return selectors.moderation_queue(comment.hearing).get(pk=comment_id)


@router.post(
    "/comments/{comment_id}/moderation",
    response=StaffCommentOut,
    auth=WRITE_AUTH,
    summary="Publish, hide (with a reason) or restore a comment",
)
def moderate_comment(request: HttpRequest, comment_id: int, payload: ModerationIn) -> Any:
    services.comment_moderate(
        actor=request.user,
        comment=selectors.comment_get(comment_id),
        action=payload.action,
        reason=payload.reason,
    )
    return _staff_view(comment_id)


@router.put(
    "/comments/{comment_id}/response",
    response=ResponseOut,
    auth=WRITE_AUTH,
    summary="Answer a comment (replaces an earlier answer)",
)
def answer_comment(request: HttpRequest, comment_id: int, payload: ResponseIn) -> Any:
    response = services.response_set(
        actor=request.user, comment=selectors.comment_get(comment_id), **payload.dict()
    )
    return _response_out(response)


@router.put(
    "/comment-groups/{group_id}/response",
    response=ResponseOut,
    auth=WRITE_AUTH,
    summary="Answer a group of comments (replaces an earlier answer)",
)
def answer_group(request: HttpRequest, group_id: int, payload: ResponseIn) -> Any:
    group = selectors.group_get(group_id)
    response = services.response_set(actor=request.user, group=group, **payload.dict())
    return _response_out(response, group.name)


@router.post(
    "/hearings/{code}/entries",
    response={201: StaffCommentOut},
    auth=WRITE_AUTH,
    summary="Enter a written submission or an in-person remark",
)
def enter_comment(request: HttpRequest, code: str, payload: EntryIn) -> Any:
    hearing = selectors.hearing_for_write(code)
    data = payload.dict()
    event_code = data.pop("event", "")
    event = _one(Event, event_code, "event") if event_code else None
    comment = services.comment_enter(actor=request.user, hearing=hearing, event=event, **data)
    return Status(201, _staff_view(comment.pk))


# --- Staff: hearings ----------------------------------------------------------------------------


@router.post(
    "/hearings", response={201: HearingDetailOut}, auth=WRITE_AUTH, summary="Schedule a hearing"
)
def create_hearing(request: HttpRequest, payload: HearingIn) -> Any:
    fields = _hearing_fields(payload.dict())
    if not fields.get("section"):
        fields["section"] = None
    hearing, _warnings = services.hearing_create(actor=request.user, **fields)
    return Status(
        201, _hearing_detail(request, selectors.hearing_get(hearing.code, viewer=request.user))
    )


@router.patch(
    "/hearings/{code}", response=HearingDetailOut, auth=WRITE_AUTH, summary="Change a hearing"
)
def update_hearing(request: HttpRequest, code: str, payload: HearingPatch) -> Any:
    hearing = selectors.hearing_for_write(code)
    given = payload.dict(exclude_unset=True)
    for name in (
        "online_comments",
        "in_person",
        "written",
        "moderation",
        "title_th",
        "starts_at",
        "ends_at",
        "plan",
        "organiser",
    ):
        if name in given and given[name] is None:
            del given[name]
    services.hearing_update(actor=request.user, hearing=hearing, **_hearing_fields(given))
    return _hearing_detail(request, selectors.hearing_get(code, viewer=request.user))


@router.delete(
    "/hearings/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete a hearing"
)
def delete_hearing(request: HttpRequest, code: str) -> Any:
    services.hearing_delete(actor=request.user, hearing=selectors.hearing_for_write(code))
    return Status(204, None)


@router.post(
    "/hearings/{code}/steps/{step}",
    response=HearingDetailOut,
    auth=WRITE_AUTH,
    summary="Take a step: open, close or publish_summary (with summary_th)",
)
def step_hearing(request: HttpRequest, code: str, step: str, payload: StepIn) -> Any:
    hearing = selectors.hearing_for_write(code)
    if step == "open":
        services.hearing_open(actor=request.user, hearing=hearing)
    elif step == "close":
        services.hearing_close(actor=request.user, hearing=hearing)
    elif step == "publish_summary":
        services.hearing_publish_summary(
            actor=request.user, hearing=hearing, summary_th=payload.summary_th
        )
    else:
        raise ValidationFailed(
            HearingError.STATUS_INVALID,
            _("Unknown step “%(step)s”: open, close or publish_summary.") % {"step": step},
            detail={"fields": {"step": _("Unknown step.")}},
        )
    return _hearing_detail(request, selectors.hearing_get(code, viewer=request.user))
