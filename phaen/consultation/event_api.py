"""JSON API for events (hearing meetings, workshops, seminars), mounted at
/api/consultation/events.

Thin: parse, call one service or selector, shape the answer. Reads are public; a plan or hearing
the public may not read yet is left out of an event's answer (null). Registering is public too,
throttled per client address like the page, with the same honeypot field (`website`, left
empty by people). Everything else (announcing, changing, deleting events, recording their
outputs, reading the full list of people registered and marking attendance) takes
`auth=WRITE_AUTH` and answers 401 without a session or token. The public list of participants
holds only the people who chose it, by name and organisation; e-mail addresses appear only in
the organiser's list. Times are ISO 8601; a time without an offset is read as Thai time.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from phaen.api.auth import WRITE_AUTH
from phaen.api.pagination import PagePagination
from phaen.consultation import event_permissions as permissions
from phaen.consultation import event_selectors as selectors
from phaen.consultation import event_services as services
from phaen.consultation.models import Event, Hearing
from phaen.core.errors import ValidationFailed
from phaen.geography.models import Province
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanElement, Source

router = Router(tags=["consultation events"])


# --- Schemas ---------------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name_th: str
    name_en: str = ""


class SourceOut(Schema):
    key: str
    title: str
    url: str
    publisher: str


class ElementRef(Schema):
    code: str
    plan: str = Field(..., alias="plan.code")
    number: str
    title_th: str
    title_en: str


class HearingRef(Schema):
    code: str
    title_th: str
    title_en: str
    status: str


class ParticipantOut(Schema):
    name: str
    organisation: str = Field("", alias="organisation_name")


def _viewer(context: Any) -> Any:
    request = (context or {}).get("request")
    return getattr(request, "user", None)


class EventOut(Schema):
    code: str
    kind: str
    mode: str
    title_th: str
    title_en: str
    starts_at: datetime
    ends_at: datetime | None
    venue: str
    province: str | None = Field(None, alias="province.code")
    organiser: Ref
    plan: str | None = None
    online_url: str
    online_views: int | None
    registration_open: bool
    registered: int = Field(0, description="How many people registered (a count only)")
    attendance: int | None = Field(None, description="People present, as the organiser reports")

    @staticmethod
    def resolve_plan(obj: Event, context: Any) -> str | None:
        published = getattr(obj, "plan_published", None)
        plan = obj.plan
        if plan is not None and permissions.plan_is_public(_viewer(context), plan, published):
            return plan.code
        return None

    @staticmethod
    def resolve_registration_open(obj: Event) -> bool:
        return services.registration_is_open(obj)


class EventDetailOut(EventOut):
    agenda: str
    hearing: HearingRef | None = None
    minutes: str
    outputs: list[ElementRef]
    attended_count: int = Field(0, description="Registered people marked present")
    participants: list[ParticipantOut] = Field(
        [], description="People who chose to be listed: name and organisation only"
    )
    sources: list[SourceOut]

    @staticmethod
    def resolve_hearing(obj: Event, context: Any) -> Hearing | None:
        published = getattr(obj, "hearing_public", None)
        if obj.hearing_id and permissions.hearing_is_public(
            _viewer(context), obj.hearing, published
        ):
            return obj.hearing
        return None

    @staticmethod
    def resolve_outputs(obj: Event, context: Any) -> list[PlanElement]:
        published = getattr(obj, "plan_published", None)
        if not permissions.plan_is_public(_viewer(context), obj.plan, published):
            return []
        return list(obj.outputs.all())

    @staticmethod
    def resolve_participants(obj: Event) -> list[Any]:
        return list(getattr(obj, "public_register", []))

    @staticmethod
    def resolve_sources(obj: Event) -> list[Source]:
        return list(obj.sources.all())


class EventFilter(Schema):
    kind: str | None = None
    plan: str | None = Field(None, description="Code of the plan the events are about")
    province: str | None = Field(None, description="Two-digit province code (10 = Bangkok)")
    hearing: str | None = Field(None, description="Code of the hearing")
    organiser: str | None = Field(None, description="Code of the organising organisation")
    when: str | None = Field(None, description="'upcoming' (not over yet) or 'past'")


class EventIn(Schema):
    code: str
    kind: str
    mode: str = "in_person"
    title_th: str
    title_en: str = ""
    organiser: str = Field(..., description="Code of the organisation that holds it")
    plan: str = Field("", description="Code of the plan it is about")
    hearing: str = Field("", description="Code of the hearing it is part of")
    starts_at: datetime
    ends_at: datetime | None = None
    venue: str = ""
    province: str = Field("", description="Two-digit province code")
    agenda: str = ""
    online_url: str = ""
    registration_open: bool = False
    sources: list[str] = Field([], description="Keys of sources")


class EventPatch(Schema):
    code: str | None = None
    kind: str | None = None
    mode: str | None = None
    title_th: str | None = None
    title_en: str | None = None
    organiser: str | None = None
    plan: str | None = None
    hearing: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue: str | None = None
    province: str | None = None
    agenda: str | None = None
    online_url: str | None = None
    registration_open: bool | None = None
    sources: list[str] | None = None


class OutputsIn(Schema):
    minutes: str | None = None
    attendance: int | None = Field(None, ge=0)
    online_views: int | None = Field(None, ge=0)
    outputs: list[str] | None = Field(None, description="Codes of elements of the event's plan")


class RegistrationIn(Schema):
    name: str
    organisation_name: str = ""
    email: str = Field("", description="Optional; never shown to the public")
    public_in_register: bool = Field(False, description="List my name and organisation publicly")
    consent: bool = Field(False, description="Consent to keep these details (PDPA); required")
    website: str = Field("", description="Leave empty (a field for robots)")


class RegisteredOut(Schema):
    event: str
    public_in_register: bool
    consent_at: datetime


class RegistrationOut(Schema):
    id: int
    name: str
    organisation_name: str
    email: str
    public_in_register: bool
    consent_at: datetime
    attended: bool


class AttendedIn(Schema):
    attended: bool


# --- Codes -------------------------------------------------------------------------------------


_SINGLE: dict[str, tuple[Any, str]] = {
    "organiser": (Organisation, "code"),
    "plan": (Plan, "code"),
    "hearing": (Hearing, "code"),
    "province": (Province, "code"),
}


def _unknown(code: str, field: str) -> ValidationFailed:
    message = _("Unknown code “%(code)s”.") % {"code": code}
    return ValidationFailed("unknown_code", message, detail={"fields": {field: message}})


def _event_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Turn codes into rows ("" for none), naming an unknown code on its field."""
    for name, (model, key) in _SINGLE.items():
        if name not in data:
            continue
        value = data[name]
        if value in (None, ""):
            if name == "organiser" and value is None:
                data.pop(name)
            else:
                data[name] = None
            continue
        row = model.objects.filter(**{key: value}).first()
        if row is None:
            raise _unknown(str(value), name)
        data[name] = row
    for name in ("title_en", "venue", "agenda", "online_url"):
        if name in data and data[name] is None:
            data[name] = ""
    for name in ("code", "kind", "mode", "title_th", "starts_at", "registration_open"):
        if name in data and data[name] is None:
            data.pop(name)
    if "sources" in data:
        keys = data["sources"]
        if keys is None:
            data.pop("sources")
        else:
            found = {s.key: s for s in Source.objects.filter(key__in=keys)}
            missing = [k for k in keys if k not in found]
            if missing:
                raise _unknown(", ".join(missing), "sources")
            data["sources"] = [found[k] for k in dict.fromkeys(keys)]
    return data


# --- Endpoints ---------------------------------------------------------------------------------


@router.get("", response=list[EventOut], summary="List events (hearing meetings, workshops …)")
@paginate(PagePagination)
def list_events(request: HttpRequest, filters: Query[EventFilter]) -> Any:
    return selectors.event_list(**{k: v for k, v in filters.dict().items() if v is not None})


@router.post("", response={201: EventDetailOut}, auth=WRITE_AUTH, summary="Announce an event")
def create_event(request: HttpRequest, payload: EventIn) -> Any:
    event = services.event_create(actor=request.user, **_event_fields(payload.dict()))
    return Status(201, selectors.event_detail(event.code))


@router.get("/{code}", response=EventDetailOut, summary="One event, with its public record")
def get_event(request: HttpRequest, code: str) -> Any:
    return selectors.event_detail(code)


@router.patch("/{code}", response=EventDetailOut, auth=WRITE_AUTH, summary="Change an event")
def update_event(request: HttpRequest, code: str, payload: EventPatch) -> Any:
    event = selectors.event_get(code)
    saved = services.event_update(
        actor=request.user, event=event, **_event_fields(payload.dict(exclude_unset=True))
    )
    return selectors.event_detail(saved.code)


@router.delete("/{code}", response={204: None}, auth=WRITE_AUTH, summary="Delete an event")
def delete_event(request: HttpRequest, code: str) -> Any:
    services.event_delete(actor=request.user, event=selectors.event_get(code))
    return Status(204, None)


@router.put(
    "/{code}/record",
    response=EventDetailOut,
    auth=WRITE_AUTH,
    summary="Record an event's minutes, outputs (plan elements), attendance and online views",
)
def record_outputs(request: HttpRequest, code: str, payload: OutputsIn) -> Any:
    """Only the fields sent change; `null` clears a count, `[]` clears the outputs."""
    event = selectors.event_get(code)
    data = payload.dict(exclude_unset=True)
    if data.get("outputs") is not None:
        codes = list(dict.fromkeys(data["outputs"]))
        found = {e.code: e for e in PlanElement.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise _unknown(", ".join(missing), "outputs")
        data["outputs"] = [found[c] for c in codes]
    elif "outputs" in data:
        data.pop("outputs")
    services.event_record_outputs(actor=request.user, event=event, **data)
    return selectors.event_detail(code)


@router.post(
    "/{code}/registrations",
    response={201: RegisteredOut},
    summary="Register for an event (public; consent required)",
)
def register(request: HttpRequest, code: str, payload: RegistrationIn) -> Any:
    """Throttled per client address (429 `rate_limited`); a filled `website` answers 400
    `registration_rejected` and writes nothing; no consent answers 422."""
    services.registration_rate_check(request)
    event = selectors.event_get(code)
    data = payload.dict()
    data["honeypot"] = data.pop("website")
    registration = services.registration_add(actor=request.user, event=event, **data)
    return Status(
        201,
        {
            "event": event.code,
            "public_in_register": registration.public_in_register,
            "consent_at": registration.consent_at,
        },
    )


@router.get(
    "/{code}/registrations",
    response=list[RegistrationOut],
    auth=WRITE_AUTH,
    summary="Everyone registered, with e-mails (the organiser and auditors)",
)
@paginate(PagePagination)
def list_registrations(request: HttpRequest, code: str) -> Any:
    event = selectors.event_get(code)
    permissions.ensure(
        permissions.can_read_registrations(request.user, event),
        request.user,
        "registration.list",
        event,
    )
    return selectors.registration_list(event)


@router.patch(
    "/{code}/registrations/{registration_id}",
    response=RegistrationOut,
    auth=WRITE_AUTH,
    summary="Mark a registered person as present or not",
)
def mark_attended(
    request: HttpRequest, code: str, registration_id: int, payload: AttendedIn
) -> Any:
    event = selectors.event_get(code)
    permissions.ensure(
        permissions.can_edit_event(request.user, event),
        request.user,
        "registration.mark_attended",
        event,
    )
    registration = selectors.registration_get(event, registration_id)
    return services.registration_mark_attended(
        actor=request.user, registration=registration, attended=payload.attended
    )
