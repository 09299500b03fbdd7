"""Every change to events (hearing meetings, workshops, seminars) and their registrations.

Each function checks permission first (a refusal is audited outside the transaction), then
validates, then writes inside its own `transaction.atomic()` together with its audit record.
Failures raise `ApplicationError` subclasses with the codes of `EventError` and, for input
problems, `detail["fields"]` naming the field, so forms put the message next to it.

Registrations hold personal data (PDPA): a name, optionally an organisation and an e-mail
address. They are taken only with explicit consent, only while the organiser keeps registration
open, never with a national ID number, and their audit records name the event and the row, not
the person. The e-mail address is never shown to the public; the name and organisation appear
in the public register only when the person chose it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from phaen.consultation import event_permissions as permissions
from phaen.consultation.models import Event, EventKind, EventMode, Hearing, Registration
from phaen.core import thai_text
from phaen.core.audit import audit_record, snapshot
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.core.ratelimit import check_rate
from phaen.plans.models import PlanElement, Source


class EventError(StrEnum):
    CODE_INVALID = "event_code_invalid"
    CODE_TAKEN = "event_code_taken"
    FIELD_REQUIRED = "event_field_required"
    TITLE_REQUIRED = "event_title_required"
    CHOICE_INVALID = "event_choice_invalid"
    DATES_ORDER = "event_dates_order"
    ONLINE_URL_INVALID = "event_online_url_invalid"
    ONLINE_URL_IN_PERSON = "event_online_url_in_person"
    ONLINE_VIEWS_IN_PERSON = "event_online_views_in_person"
    PLAN_NOT_HEARINGS = "event_plan_not_hearings"
    COUNT_INVALID = "event_count_invalid"
    OUTPUT_OTHER_PLAN = "event_output_other_plan"
    OUTPUTS_NEED_PLAN = "event_outputs_need_plan"
    NOT_HELD_YET = "event_not_held_yet"
    HAS_COMMENTS = "event_has_comments"
    NOT_FOUND = "event_not_found"


class RegistrationError(StrEnum):
    CLOSED = "registration_closed"
    CONSENT_REQUIRED = "registration_consent_required"
    NAME_REQUIRED = "registration_name_required"
    EMAIL_INVALID = "registration_email_invalid"
    NATIONAL_ID = "registration_national_id"
    DUPLICATE = "registration_duplicate"
    TOO_LONG = "registration_too_long"
    REJECTED = "registration_rejected"
    NOT_FOUND = "registration_not_found"


EVENT_FIELDS = (
    "code",
    "kind",
    "mode",
    "title_th",
    "title_en",
    "hearing",
    "plan",
    "organiser",
    "starts_at",
    "ends_at",
    "venue",
    "province",
    "agenda",
    "online_url",
    "registration_open",
)
OUTPUT_FIELDS = ("minutes", "attendance", "online_views", "outputs")
RESERVED_CODES = frozenset({"new"})
"""Codes that would clash with the pages' addresses (`/consultation/events/new/`)."""

MAX_COUNT = 100_000_000
"""No meeting or stream is counted beyond this; anything larger is a typing mistake."""

REGISTRATION_RATES = (("event-registration", "10/m"), ("event-registration-hourly", "50/h"))
"""Registrations one client address may send: a few a minute, a meeting's worth an hour."""

_NATIONAL_ID = re.compile(r"(?<![0-9๐-๙])[0-9๐-๙](?:[\s-]?[0-9๐-๙]){12}(?![0-9๐-๙])")
"""Thirteen digits, Arabic or Thai, run together or split by dashes or spaces."""


# --- Shared checks ----------------------------------------------------------------------------


def _fail(code: str, message: str, field: str | None = None, **detail: Any) -> ValidationFailed:
    if field is not None:
        detail = {"fields": {field: message}, **detail}
    return ValidationFailed(code, message, detail=detail)


def _unknown_fields(function: str, fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{function}() got unknown fields: {sorted(unknown)}")


def _aware(value: Any) -> Any:
    """Read a naive moment as Thai time (the organisers' clock); leave aware ones alone."""
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _count(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise _fail(
            EventError.COUNT_INVALID,
            _("A count is a whole number of 0 or more."),
            field,
        )
    return value


def has_national_id(text: str) -> bool:
    """Tell whether the text holds what looks like a 13-digit Thai national ID number."""
    return bool(_NATIONAL_ID.search(text or ""))


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Events -----------------------------------------------------------------------------------


def _validate_event(event: Event) -> None:
    if not event.code or slugify(event.code) != event.code or event.code in RESERVED_CODES:
        raise _fail(
            EventError.CODE_INVALID,
            _("The code may hold only lower-case letters, digits and hyphens."),
            "code",
        )
    if Event.objects.filter(code=event.code).exclude(pk=event.pk).exists():
        raise _fail(
            EventError.CODE_TAKEN,
            _("Another event already has the code “%(code)s”.") % {"code": event.code},
            "code",
        )
    if not (event.title_th or "").strip():
        raise _fail(EventError.TITLE_REQUIRED, _("The Thai title is required."), "title_th")
    for name, choices in (("kind", EventKind), ("mode", EventMode)):
        value = getattr(event, name)
        if value not in choices.values:
            raise _fail(
                EventError.CHOICE_INVALID,
                _("Unknown value “%(value)s”; choose one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(choices.values)},
                name,
            )
    if event.organiser_id is None:
        raise _fail(
            EventError.FIELD_REQUIRED, _("Choose the organisation that organises it."), "organiser"
        )
    if not isinstance(event.starts_at, dt.datetime):
        raise _fail(EventError.FIELD_REQUIRED, _("Give the date and time it starts."), "starts_at")
    if event.ends_at is not None and event.ends_at <= event.starts_at:
        raise _fail(EventError.DATES_ORDER, _("The event must end after it starts."), "ends_at")
    if event.online_url:
        try:
            URLValidator(schemes=["http", "https"])(event.online_url)
        except DjangoValidationError:
            raise _fail(
                EventError.ONLINE_URL_INVALID,
                _("Give the online link as a full address starting with https://."),
                "online_url",
            ) from None
        if event.mode == EventMode.IN_PERSON:
            raise _fail(
                EventError.ONLINE_URL_IN_PERSON,
                _("An in-person event has no online link; choose online or hybrid."),
                "online_url",
            )
    if event.online_views is not None and event.mode == EventMode.IN_PERSON:
        raise _fail(
            EventError.ONLINE_VIEWS_IN_PERSON,
            _("Only online and hybrid events have online views."),
            "mode",
        )
    hearing = event.hearing
    if hearing is not None:
        if event.plan_id is None:
            event.plan = hearing.plan
        elif event.plan_id != hearing.plan_id:
            raise _fail(
                EventError.PLAN_NOT_HEARINGS,
                _("The event's plan must be the plan its hearing is on (%(plan)s).")
                % {"plan": hearing.plan.name_th},
                "plan",
            )
    # Outputs already recorded must stay within the event's plan.
    if (
        event.pk is not None
        and event.plan_id is not None
        and event.outputs.exclude(plan_id=event.plan_id).exists()
    ):
        raise _fail(
            EventError.OUTPUT_OTHER_PLAN,
            _("The event's outputs are elements of another plan; remove them first."),
            "plan",
        )


def _clean_event_fields(fields: dict[str, Any]) -> None:
    for name in ("code", "title_th", "title_en", "venue", "online_url"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    for name in ("agenda",):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    for name in ("starts_at", "ends_at"):
        if name in fields:
            fields[name] = _aware(fields[name])


def _event_state(event: Event) -> dict[str, Any]:
    state = snapshot(event)
    state["sources"] = sorted(event.sources.values_list("key", flat=True))
    state["outputs"] = sorted(event.outputs.values_list("code", flat=True))
    return state


def _check_hearing_link(actor: Any, hearing: Hearing | None, action: str, target: Any) -> None:
    if hearing is not None and not permissions.can_link_hearing(actor, hearing):
        raise permissions.deny(actor, action, target or hearing)


def event_create(*, actor: Any, sources: Sequence[Source] = (), **fields: Any) -> Event:
    """Announce an event (see `EVENT_FIELDS`): what, when, where, how to join, the agenda.

    `organiser` is the organisation that holds it; `hearing` ties it to a public hearing (and
    its plan); `plan` names the plan it is about. Minutes, outputs and counts are recorded
    afterwards with `event_record_outputs`.
    """
    _unknown_fields("event_create", fields, EVENT_FIELDS)
    permissions.ensure(
        permissions.can_create_event(actor, fields.get("organiser")), actor, "event.create"
    )
    _check_hearing_link(actor, fields.get("hearing"), "event.create", None)
    _clean_event_fields(fields)
    fields.setdefault("mode", EventMode.IN_PERSON)
    if fields.get("organiser") is None:
        raise _fail(
            EventError.FIELD_REQUIRED, _("Choose the organisation that organises it."), "organiser"
        )
    event = Event(**fields)
    _validate_event(event)
    with transaction.atomic():
        event.save()
        event.sources.set(sources)
        audit_record(actor=actor, action="event.create", target=event, after=_event_state(event))
    return event


def event_update(
    *, actor: Any, event: Event, sources: Sequence[Source] | None = None, **fields: Any
) -> Event:
    """Change an event; only the fields given change, `sources` given replace the old ones."""
    _unknown_fields("event_update", fields, EVENT_FIELDS)
    permissions.ensure(permissions.can_edit_event(actor, event), actor, "event.update", event)
    if "organiser" in fields and not permissions.can_create_event(actor, fields["organiser"]):
        raise permissions.deny(actor, "event.update", event)
    if fields.get("hearing") is not None and fields["hearing"].pk != event.hearing_id:
        _check_hearing_link(actor, fields["hearing"], "event.update", event)
    _clean_event_fields(fields)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        before = _event_state(event)
        for name, value in fields.items():
            setattr(event, name, value)
        _validate_event(event)
        event.save()
        if sources is not None:
            event.sources.set(sources)
        audit_record(
            actor=actor,
            action="event.update",
            target=event,
            before=before,
            after=_event_state(event),
        )
    return event


def event_delete(*, actor: Any, event: Event) -> None:
    """Delete an event with its registrations; refused when comments were recorded at it."""
    permissions.ensure(permissions.can_edit_event(actor, event), actor, "event.delete", event)
    comments = event.comments.count()
    if comments:
        raise ApplicationError(
            EventError.HAS_COMMENTS,
            _(
                "Comments were recorded at this event (%(count)s); they stay part of the "
                "hearing, so the event cannot be deleted."
            )
            % {"count": comments},
            detail={"comments": comments},
            http_status=409,
        )
    with transaction.atomic():
        before = _event_state(event)
        before["registrations"] = event.registrations.count()
        audit_record(actor=actor, action="event.delete", target=event, before=before)
        event.delete()


def event_record_outputs(*, actor: Any, event: Event, **fields: Any) -> Event:
    """Record what an event produced: `minutes` (text), `outputs` (plan elements it shaped),
    `attendance` (people present) and `online_views` (for online and hybrid events).

    Only the fields given change; None clears a count, an empty list clears the outputs. The
    event must have started. Outputs are elements of the event's plan.
    """
    _unknown_fields("event_record_outputs", fields, OUTPUT_FIELDS)
    permissions.ensure(
        permissions.can_edit_event(actor, event), actor, "event.record_outputs", event
    )
    if event.starts_at > timezone.now():
        raise ApplicationError(
            EventError.NOT_HELD_YET,
            _("The event has not started yet; record its minutes and outputs once it is held."),
            http_status=409,
        )
    values: dict[str, Any] = {}
    if "minutes" in fields:
        values["minutes"] = (fields["minutes"] or "").strip()
    for name in ("attendance", "online_views"):
        if name in fields:
            values[name] = _count(fields[name], name)
    if values.get("online_views") is not None and event.mode == EventMode.IN_PERSON:
        raise _fail(
            EventError.ONLINE_VIEWS_IN_PERSON,
            _("Only online and hybrid events have online views."),
            "online_views",
        )
    outputs: list[PlanElement] | None = None
    if fields.get("outputs") is not None:
        outputs = list(dict.fromkeys(fields["outputs"]))
        if outputs and event.plan_id is None:
            raise _fail(
                EventError.OUTPUTS_NEED_PLAN,
                _("Name the plan the event is about before linking its outputs to elements."),
                "outputs",
            )
        strays = [e for e in outputs if e.plan_id != event.plan_id]
        if strays:
            raise _fail(
                EventError.OUTPUT_OTHER_PLAN,
                _("“%(element)s” is not an element of the event's plan.")
                % {"element": strays[0].title_th or strays[0].code},
                "outputs",
            )
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        before = _event_state(event)
        for name, value in values.items():
            setattr(event, name, value)
        if values:
            event.save(update_fields=[*values, "updated_at"])
        if outputs is not None:
            event.outputs.set(outputs)
        audit_record(
            actor=actor,
            action="event.record_outputs",
            target=event,
            before=before,
            after=_event_state(event),
        )
    return event


# --- Registrations ----------------------------------------------------------------------------


def registration_rate_check(request: HttpRequest) -> None:
    """Count a registration from the request's client address; raise `RateLimited` past
    `REGISTRATION_RATES`. The pages and the API call it before `registration_add`."""
    for scope, rate in REGISTRATION_RATES:
        check_rate(request, scope, rate, key="ip")


def registration_is_open(event: Event, now: dt.datetime | None = None) -> bool:
    """Tell whether the event takes registrations now: opened by its organiser, not yet over."""
    now = now or timezone.now()
    last = event.ends_at or event.starts_at
    return bool(event.registration_open) and last > now


def _registration_repr(registration: Registration) -> str:
    # Audit records name the row, not the person (PDPA).
    return f"{registration.event.code} #{registration.pk}"


def registration_add(
    *,
    actor: Any,
    event: Event,
    name: str,
    organisation_name: str = "",
    email: str = "",
    public_in_register: bool = False,
    consent: bool = False,
    honeypot: str = "",
) -> Registration:
    """Register a person for an event, with their consent to keep their details (PDPA).

    Anyone may register while the event's registration is open. `honeypot` is the hidden field
    people never fill in: a filled one is refused as a robot's, and nothing is written.
    Refused: no consent, no name, a malformed e-mail, what looks like a national ID number in
    the name or organisation, and a second registration with the same e-mail (or, without one,
    the same name and organisation).
    """
    if (honeypot or "").strip():
        raise ApplicationError(
            RegistrationError.REJECTED, _("The registration could not be accepted.")
        )
    if not registration_is_open(event):
        raise ApplicationError(
            RegistrationError.CLOSED,
            _("Registration for this event is closed."),
            http_status=409,
        )
    name = " ".join((name or "").split())
    organisation_name = " ".join((organisation_name or "").split())
    email = (email or "").strip().lower()
    if not consent:
        raise _fail(
            RegistrationError.CONSENT_REQUIRED,
            _("Registering needs your consent to keep your details for this event."),
            "consent",
        )
    if not name:
        raise _fail(RegistrationError.NAME_REQUIRED, _("Give your name."), "name")
    for field, value, limit in (("name", name, 300), ("organisation_name", organisation_name, 300)):
        if len(value) > limit:
            raise _fail(
                RegistrationError.TOO_LONG,
                _("At most %(limit)s characters.") % {"limit": limit},
                field,
            )
        if has_national_id(value):
            raise _fail(
                RegistrationError.NATIONAL_ID,
                _(
                    "Do not give a national ID number: registering never needs one. "
                    "Remove the number and try again."
                ),
                field,
            )
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise _fail(
                RegistrationError.EMAIL_INVALID, _("Give a valid e-mail address."), "email"
            ) from None
        if len(email) > 254:
            raise _fail(RegistrationError.EMAIL_INVALID, _("Give a valid e-mail address."), "email")
    with transaction.atomic():
        # The lock makes the duplicate check hold against simultaneous registrations.
        event = Event.objects.select_for_update().get(pk=event.pk)
        if not registration_is_open(event):
            raise ApplicationError(
                RegistrationError.CLOSED,
                _("Registration for this event is closed."),
                http_status=409,
            )
        _check_duplicate(event, name, organisation_name, email)
        registration = Registration.objects.create(
            event=event,
            name=name,
            organisation_name=organisation_name,
            email=email,
            public_in_register=bool(public_in_register),
            consent_at=timezone.now(),
        )
        audit_record(
            actor=_actor_user(actor),
            action="registration.create",
            target=registration,
            target_repr=_registration_repr(registration),
            after={
                "event": event.code,
                "public_in_register": registration.public_in_register,
                "with_email": bool(email),
                "consent_at": registration.consent_at,
            },
        )
    return registration


def _check_duplicate(event: Event, name: str, organisation_name: str, email: str) -> None:
    registered = Registration.objects.filter(event=event)
    if email:
        if registered.filter(email__iexact=email).exists():
            raise _fail(
                RegistrationError.DUPLICATE,
                _("This e-mail address is already registered for the event."),
                "email",
            )
        return
    wanted = (thai_text.normalize(name), thai_text.normalize(organisation_name))
    for other_name, other_organisation in registered.filter(email="").values_list(
        "name", "organisation_name"
    ):
        if (thai_text.normalize(other_name), thai_text.normalize(other_organisation)) == wanted:
            raise _fail(
                RegistrationError.DUPLICATE,
                _("Someone with this name and organisation is already registered."),
                "name",
            )


def registration_mark_attended(
    *, actor: Any, registration: Registration, attended: bool = True
) -> Registration:
    """Mark a registered person as present at the event (or not), for the organiser's record."""
    event = registration.event
    permissions.ensure(
        permissions.can_edit_event(actor, event),
        actor,
        "registration.mark_attended",
        event,
    )
    if registration.attended == attended:
        return registration
    with transaction.atomic():
        before = {"attended": registration.attended}
        registration.attended = attended
        registration.save(update_fields=["attended", "updated_at"])
        audit_record(
            actor=actor,
            action="registration.mark_attended",
            target=registration,
            target_repr=_registration_repr(registration),
            before=before,
            after={"attended": attended},
        )
    return registration
