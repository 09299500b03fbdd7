"""Who may run public hearings, moderate and answer their comments, and who reads what.

The rules, checked inside the services so the pages, the API and the command line obey them
alike, are built from the roles of `phaen.accounts`:

- The planners of a hearing's organiser (`RoleSet.covers(Role.PLANNER, organiser)`) and system
  administrators create, change, open, close and delete the organiser's hearings, publish their
  summaries, moderate comments (publish, hide with a reason, restore), enter written and
  in-person comments, and answer comments and groups of comments.
- Auditors read everything, hidden comments and the moderation log included; they change
  nothing.
- The public (anyone, signed in or not) reads the open, closed and summarised hearings of
  published plans (plans with at least one frozen version) and their published comments, and
  comments while a hearing is open. It never sees e-mail addresses, hidden or pending comments,
  nor the names of people who did not choose to show them.

Every refusal is written to the audit trail before it is raised (`deny`, shared with the plans
app), outside the transaction that the refusal rolls back.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.consultation.models import Hearing, HearingStatus
from phaen.core.actors import SYSTEM
from phaen.orgs.models import Organisation
from phaen.plans.models import PlanVersion
from phaen.plans.permissions import deny, ensure

__all__ = [
    "PUBLIC_STATUSES",
    "can_create_hearing",
    "can_manage_hearing",
    "can_view_hearing",
    "deny",
    "ensure",
    "hearing_visibility_filter",
    "manages_hearings_of",
    "reads_all_comments",
]

PUBLIC_STATUSES = frozenset({HearingStatus.OPEN, HearingStatus.CLOSED, HearingStatus.SUMMARISED})
"""The statuses in which the public reads a hearing (when its plan is published)."""


def _authenticated(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def is_system(actor: Any) -> bool:
    """The system actor and system administrators pass every check below."""
    return actor is SYSTEM or (_authenticated(actor) and roles_of(actor).system_admin)


def _organisation_id(organisation: Organisation | int | None) -> int | None:
    if organisation is None or isinstance(organisation, int):
        return organisation
    return organisation.pk


def manages_hearings_of(actor: Any, organisation: Organisation | int | None) -> bool:
    """Tell whether `actor` runs the hearings this organisation organises."""
    if is_system(actor):
        return True
    return _authenticated(actor) and roles_of(actor).covers(
        Role.PLANNER, _organisation_id(organisation)
    )


def can_create_hearing(actor: Any, organiser: Organisation | int | None = None) -> bool:
    """Tell whether `actor` may create a hearing (organised by `organiser`, when given)."""
    if is_system(actor):
        return True
    if not _authenticated(actor):
        return False
    if organiser is None:
        return roles_of(actor).has(Role.PLANNER)
    return manages_hearings_of(actor, organiser)


def can_manage_hearing(actor: Any, hearing: Hearing) -> bool:
    """Tell whether `actor` may change the hearing, take its steps, moderate and answer."""
    return manages_hearings_of(actor, hearing.organiser_id)


def reads_all_comments(actor: Any, hearing: Hearing) -> bool:
    """Tell whether `actor` reads every comment (pending and hidden ones too) and the log."""
    if can_manage_hearing(actor, hearing):
        return True
    return _authenticated(actor) and roles_of(actor).has(Role.AUDITOR)


def can_view_hearing(viewer: Any, hearing: Hearing, published: bool | None = None) -> bool:
    """Tell whether `viewer` may read the hearing's page.

    `published` (whether the plan has a version) saves a query when the caller knows it.
    """
    if reads_all_comments(viewer, hearing):
        return True
    if hearing.status not in PUBLIC_STATUSES:
        return False
    if published is None:
        published = PlanVersion.objects.filter(plan_id=hearing.plan_id).exists()
    return published


def can_comment(hearing: Hearing) -> bool:
    """Tell whether the hearing takes online comments now (its status and channels)."""
    return hearing.status == HearingStatus.OPEN and hearing.online_comments


def hearing_visibility_filter(viewer: Any) -> Q | None:
    """Return the filter of hearings `viewer` may list, or None when they see every hearing."""
    if is_system(viewer):
        return None
    public = Q(status__in=list(PUBLIC_STATUSES)) & Q(
        plan_id__in=PlanVersion.objects.values("plan_id")
    )
    if not _authenticated(viewer):
        return public
    roles = roles_of(viewer)
    if roles.has(Role.AUDITOR):
        return None
    own = roles.organisations(Role.PLANNER)
    return public | Q(organiser_id__in=own) if own else public
