"""Who may organise events (hearing meetings, workshops, seminars) and who sees their registers.

The rules, checked inside `event_services` so the pages, the API and the command line obey them
alike, are built from the roles of `phaen.accounts`:

- System administrators (and the system actor) may do everything.
- Planners of the organiser (`RoleSet.covers(Role.PLANNER, organiser)`) create, change and
  delete its events, record their minutes, outputs and attendance, read the full list of people
  registered (with their e-mail addresses) and mark who attended. Tying an event to a hearing
  takes a planner of the hearing's organiser too, so nobody hangs events on another
  organisation's hearing.
- Auditors read the full registers as well; they change nothing.
- Anyone, signed in or not, reads events and registers for an event while its registration is
  open, giving PDPA consent. The public register lists only the people who chose to appear in
  it, by name and organisation; e-mail addresses are never public.

Every refusal is written to the audit trail before it is raised (`deny`, shared with the plans
app), outside the transaction that the refusal rolls back.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.consultation.models import Event, Hearing, HearingStatus
from phaen.core.actors import SYSTEM
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanVersion
from phaen.plans.permissions import can_view_working_copy, deny, ensure

__all__ = [
    "PUBLIC_HEARING_STATUSES",
    "can_create_event",
    "can_edit_event",
    "can_link_hearing",
    "can_read_registrations",
    "deny",
    "ensure",
    "hearing_is_public",
    "plan_is_public",
]

PUBLIC_HEARING_STATUSES = frozenset(
    {HearingStatus.OPEN, HearingStatus.CLOSED, HearingStatus.SUMMARISED}
)
"""The hearings the public reads (those of published plans); a scheduled one is not shown yet."""


def _is_system(actor: Any) -> bool:
    return actor is SYSTEM or roles_of(actor).system_admin


def _id(organisation: Organisation | int | None) -> int | None:
    if organisation is None or isinstance(organisation, int):
        return organisation
    return organisation.pk


def _plans_for(actor: Any, organisation_id: int | None) -> bool:
    return _is_system(actor) or roles_of(actor).covers(Role.PLANNER, organisation_id)


def can_create_event(actor: Any, organiser: Organisation | int | None = None) -> bool:
    """Tell whether `actor` may organise an event (for `organiser`, when given).

    Without an organiser: whether the actor plans for any organisation (to offer the form).
    """
    if _is_system(actor):
        return True
    if organiser is None:
        return roles_of(actor).has(Role.PLANNER)
    return _plans_for(actor, _id(organiser))


def can_edit_event(actor: Any, event: Event) -> bool:
    """Tell whether `actor` may change or delete the event, record its outputs and attendance."""
    return _plans_for(actor, event.organiser_id)


def can_link_hearing(actor: Any, hearing: Hearing) -> bool:
    """Tell whether `actor` may tie an event to the hearing: a planner of its organiser."""
    return _plans_for(actor, hearing.organiser_id)


def can_read_registrations(actor: Any, event: Event) -> bool:
    """Tell whether `actor` reads everyone registered, with e-mails: organisers and auditors."""
    if can_edit_event(actor, event):
        return True
    return bool(getattr(actor, "is_authenticated", False)) and roles_of(actor).has(Role.AUDITOR)


def plan_is_public(viewer: Any, plan: Plan | None, published: bool | None = None) -> bool:
    """Tell whether the viewer may see the plan named on an event's page.

    A plan nobody published yet (no version) is named only to those who read its working copy,
    so an event does not reveal a draft. `published` saves the query when the selector has
    annotated it.
    """
    if plan is None:
        return False
    if published is None:
        published = plan.versions.exists()
    return published or can_view_working_copy(viewer, plan)


def hearing_is_public(viewer: Any, hearing: Hearing | None, published: bool | None = None) -> bool:
    """Tell whether the viewer may see the hearing an event belongs to.

    The public reads open, closed and summarised hearings of published plans; the organiser's
    planners, system administrators and auditors read every hearing.
    """
    if hearing is None:
        return False
    if published is None:
        published = hearing.status in PUBLIC_HEARING_STATUSES and hearing.plan.versions.exists()
    if published:
        return True
    if not getattr(viewer, "is_authenticated", False) and viewer is not SYSTEM:
        return False
    return _plans_for(viewer, hearing.organiser_id) or roles_of(viewer).has(Role.AUDITOR)


def published_plan_q(prefix: str = "plan") -> Exists:
    """An expression telling whether the plan at `prefix` has a published version."""
    return Exists(PlanVersion.objects.filter(plan_id=OuterRef(f"{prefix}_id")))


def public_hearing_q(prefix: str = "hearing") -> Q:
    """A condition holding for rows whose hearing (at `prefix`) the public reads."""
    return Q(**{f"{prefix}__status__in": list(PUBLIC_HEARING_STATUSES)}) & Q(
        Exists(PlanVersion.objects.filter(plan_id=OuterRef(f"{prefix}__plan_id")))
    )
