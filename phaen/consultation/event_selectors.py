"""Reads of events and their registrations: the list, an event's page, the registers.

Every function chooses its own `select_related` / `prefetch_related` and counts in the database,
so the pages and endpoints run a fixed number of queries whatever the number of rows. Each
event comes annotated with:

- `registered` and `attended_count`: how many people registered, and how many of them were marked
  present (counts only; no person is named by them);
- `plan_published` and `hearing_public`: whether the public may see the plan and the hearing the
  event names, so pages and the API name them only when they may (see `event_permissions`).

`public_register` (on `event_detail`) holds only the registrations whose person chose to be
listed, and only their name and organisation are read; e-mail addresses never leave
`registration_list`, which is for the organiser and auditors.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from phaen.consultation.event_permissions import public_hearing_q, published_plan_q
from phaen.consultation.event_services import EventError, RegistrationError
from phaen.consultation.models import Event, Registration
from phaen.core.errors import NotFound
from phaen.plans.models import PlanElement

UPCOMING = "upcoming"
PAST = "past"


def _registration_count(condition: Q | None = None) -> Coalesce:
    rows = Registration.objects.filter(event_id=OuterRef("pk"))
    if condition is not None:
        rows = rows.filter(condition)
    count = rows.order_by().values("event_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(count, output_field=IntegerField()), Value(0))


def _annotated(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("organiser", "province", "plan", "hearing").annotate(
        registered=_registration_count(),
        attended_count=_registration_count(Q(attended=True)),
        plan_published=published_plan_q("plan"),
        hearing_public=ExpressionWrapper(public_hearing_q("hearing"), output_field=BooleanField()),
    )


def event_list(
    *,
    kind: str | None = None,
    plan: str | None = None,
    province: str | None = None,
    hearing: str | None = None,
    organiser: str | None = None,
    when: str | None = None,
) -> QuerySet[Event]:
    """Return events matching the filters, the latest first.

    `plan`, `province`, `hearing` and `organiser` are codes; `kind` an `EventKind`; `when` is
    "upcoming" (not over yet) or "past".
    """
    events = Event.objects.all()
    if kind:
        events = events.filter(kind=kind)
    if plan:
        events = events.filter(plan__code=plan)
    if province:
        events = events.filter(province__code=province)
    if hearing:
        events = events.filter(hearing__code=hearing)
    if organiser:
        events = events.filter(organiser__code=organiser)
    if when in (UPCOMING, PAST):
        now = timezone.now()
        over = Q(ends_at__lt=now) | Q(ends_at__isnull=True, starts_at__lt=now)
        events = events.filter(over) if when == PAST else events.exclude(over)
    return _annotated(events).order_by("-starts_at", "code")


def _not_found(code: str) -> NotFound:
    return NotFound(EventError.NOT_FOUND, _("No event has the code “%(code)s”.") % {"code": code})


def event_get(code: str) -> Event:
    """Return the event with this code (with its organiser, plan and hearing), or 404."""
    event = (
        Event.objects.select_related("organiser", "plan", "hearing", "hearing__plan")
        .filter(code=code)
        .first()
    )
    if event is None:
        raise _not_found(code)
    return event


def event_detail(code: str) -> Event:
    """Return an event with its outputs, sources, counts and public register."""
    event = (
        _annotated(Event.objects.filter(code=code))
        .select_related("hearing__plan")
        .prefetch_related(
            Prefetch(
                "outputs",
                queryset=PlanElement.objects.select_related("plan").order_by("plan__code", "path"),
            ),
            "sources",
            Prefetch(
                "registrations",
                queryset=Registration.objects.filter(public_in_register=True)
                .only("pk", "event_id", "name", "organisation_name")
                .order_by("created_at", "pk"),
                to_attr="public_register",
            ),
        )
        .first()
    )
    if event is None:
        raise _not_found(code)
    return event


def registration_list(event: Event) -> QuerySet[Registration]:
    """Return everyone registered for the event, in the order they registered (staff only)."""
    return Registration.objects.filter(event=event).order_by("created_at", "pk")


def registration_get(event: Event, pk: int) -> Registration:
    registration = (
        Registration.objects.select_related("event", "event__organiser")
        .filter(event=event, pk=pk)
        .first()
    )
    if registration is None:
        raise NotFound(
            RegistrationError.NOT_FOUND,
            _("The event has no registration %(id)s.") % {"id": pk},
        )
    return registration


def event_outputs_choices(event: Event) -> QuerySet[PlanElement]:
    """Return the elements an event's outputs may name: its plan's outline, in order."""
    if event.plan_id is None:
        return PlanElement.objects.none()
    return PlanElement.objects.filter(plan_id=event.plan_id).order_by("path")


def event_is_over(event: Any) -> bool:
    """Tell whether the event has ended (or, without an end, started): it took place."""
    last = event.ends_at or event.starts_at
    return bool(last <= timezone.now())


def event_has_started(event: Any) -> bool:
    """Tell whether the event has started, so its minutes and outputs may be recorded."""
    return bool(event.starts_at <= timezone.now())
