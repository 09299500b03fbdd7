"""Who may change which plans, their outlines and links, and move them through their lifecycle.

The rules, checked inside the services so the pages, the API, the CLI and tasks obey them alike:

- A planner writes the plans owned by an organisation their membership covers (their own, and
  those below it when the organisation administrator granted that), and only while the plan is
  being drafted or revised; an approved plan is read-only until someone starts a revision.
- Elements and alignment links belong to the serving plan: editing them is editing that plan.
- Lifecycle transitions name the role that makes them (`TRANSITIONS`): planners of the owner
  submit, open hearings, revise, put in force, end and withdraw; approvers of the deciding body
  the plan was submitted to approve it or return it.
- System administrators may do everything; auditors read everything and write nothing; the
  public reads what is published.

Every refusal is written to the audit trail before it is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.core.actors import SYSTEM, SystemActor
from phaen.core.audit import audit_record
from phaen.core.errors import ApplicationError, NotFound, PermissionDenied
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan, PlanStatus

__all__ = ["SYSTEM", "SystemActor"]

EDITABLE_STATUSES = frozenset({PlanStatus.DRAFT, PlanStatus.REVISING})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    role: str  # Role.PLANNER (of the owner) or Role.APPROVER (of the deciding body)
    label: Any


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "open_hearing",
            frozenset({PlanStatus.DRAFT, PlanStatus.REVISING}),
            PlanStatus.IN_HEARING,
            Role.PLANNER,
            _("Open a public hearing"),
        ),
        Transition(
            "close_hearing",
            frozenset({PlanStatus.IN_HEARING}),
            PlanStatus.REVISING,
            Role.PLANNER,
            _("Close the hearing and revise"),
        ),
        Transition(
            "submit",
            frozenset({PlanStatus.DRAFT, PlanStatus.REVISING}),
            PlanStatus.SUBMITTED,
            Role.PLANNER,
            _("Submit for approval"),
        ),
        Transition(
            "approve",
            frozenset({PlanStatus.SUBMITTED}),
            PlanStatus.APPROVED,
            Role.APPROVER,
            _("Approve"),
        ),
        Transition(
            "return",
            frozenset({PlanStatus.SUBMITTED}),
            PlanStatus.REVISING,
            Role.APPROVER,
            _("Return for revision"),
        ),
        Transition(
            "put_in_force",
            frozenset({PlanStatus.APPROVED}),
            PlanStatus.IN_FORCE,
            Role.PLANNER,
            _("Put in force"),
        ),
        Transition(
            "revise",
            frozenset({PlanStatus.APPROVED, PlanStatus.IN_FORCE}),
            PlanStatus.REVISING,
            Role.PLANNER,
            _("Start a revision"),
        ),
        Transition(
            "end",
            frozenset({PlanStatus.IN_FORCE}),
            PlanStatus.ENDED,
            Role.PLANNER,
            _("End the plan"),
        ),
        Transition(
            "supersede",
            frozenset({PlanStatus.APPROVED, PlanStatus.IN_FORCE, PlanStatus.ENDED}),
            PlanStatus.SUPERSEDED,
            Role.PLANNER,
            _("Mark as superseded"),
        ),
        Transition(
            "withdraw",
            frozenset(
                {
                    PlanStatus.DRAFT,
                    PlanStatus.IN_HEARING,
                    PlanStatus.REVISING,
                    PlanStatus.SUBMITTED,
                }
            ),
            PlanStatus.WITHDRAWN,
            Role.PLANNER,
            _("Withdraw"),
        ),
    )
}


def _is_system(actor: Any) -> bool:
    return actor is SYSTEM or roles_of(actor).system_admin


def _plans_owner(actor: Any, owner_id: int | None) -> bool:
    return roles_of(actor).covers(Role.PLANNER, owner_id)


def writes_plans_of(actor: Any, owner_id: int | None) -> bool:
    """Tell whether `actor` writes the plans of this owner at all, whatever their state."""
    return _is_system(actor) or _plans_owner(actor, owner_id)


def can_create_plan(actor: Any, owner: Organisation | None = None) -> bool:
    """Tell whether `actor` may create a plan (owned by `owner`, when given)."""
    if _is_system(actor):
        return True
    if owner is None:
        return roles_of(actor).has(Role.PLANNER)
    return _plans_owner(actor, owner.pk)


def can_edit_plan(actor: Any, plan: Plan) -> bool:
    """Tell whether `actor` may change the plan, its outline and its links now."""
    if _is_system(actor):
        return True
    return plan.status in EDITABLE_STATUSES and _plans_owner(actor, plan.owner_id)


def can_delete_plan(actor: Any, plan: Plan) -> bool:
    """Drafts and withdrawn plans may be deleted by their planners; others by administrators."""
    if _is_system(actor):
        return True
    deletable = {PlanStatus.DRAFT, PlanStatus.WITHDRAWN}
    return plan.status in deletable and _plans_owner(actor, plan.owner_id)


def can_transition(actor: Any, plan: Plan, name: str) -> bool:
    """Tell whether `actor` may make the named transition of `plan` now."""
    transition = TRANSITIONS.get(name)
    if transition is None or plan.status not in transition.sources:
        return False
    if _is_system(actor):
        return True
    if transition.role == Role.APPROVER:
        return roles_of(actor).covers(Role.APPROVER, plan.submitted_to_id)
    return _plans_owner(actor, plan.owner_id)


def allowed_transitions(actor: Any, plan: Plan) -> list[Transition]:
    """Return the transitions `actor` may make now, in the order of `TRANSITIONS`."""
    return [t for t in TRANSITIONS.values() if can_transition(actor, plan, t.name)]


def can_view_working_copy(actor: Any, plan: Plan) -> bool:
    """Tell whether `actor` sees the plan as it is being edited, not only its published version."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    roles = roles_of(actor)
    return (
        _is_system(actor)
        or roles.has(Role.AUDITOR)
        or roles.covers(Role.PLANNER, plan.owner_id)
        or roles.covers(Role.ORG_ADMIN, plan.owner_id)
        or roles.covers(Role.APPROVER, plan.submitted_to_id)
    )


def ensure_can_edit(actor: Any, plan: Plan, action: str, target: Any = None) -> None:
    """Refuse unless `actor` may edit `plan` now: first who they are, then the plan's state.

    A stranger gets `PermissionDenied` (audited); the plan's own planner, when the plan is not
    being drafted or revised, gets a 409 saying that a revision must be started first.
    """
    if plan.pk is not None:  # decide on the plan as stored, not on a stale copy
        fresh = Plan.objects.filter(pk=plan.pk).values_list("status", "owner_id").first()
        if fresh is not None:
            plan.status, plan.owner_id = fresh
    if can_edit_plan(actor, plan):
        return
    if not writes_plans_of(actor, plan.owner_id):
        raise deny(actor, action, target or plan)
    raise ApplicationError(
        "plan_read_only",
        _(
            "The plan is “%(status)s” and cannot be changed. Start a revision to change it; "
            "the approved version stays as it was."
        )
        % {"status": PlanStatus(plan.status).label},
        detail={"status": plan.status},
        http_status=409,
    )


def ensure_readable(viewer: Any, plan: Plan) -> None:
    """Answer "not found" to a viewer who may not read the plan: never published, not theirs.

    Not found rather than forbidden, so that drafts do not reveal that they exist.
    """
    if can_view_working_copy(viewer, plan) or plan.versions.exists():
        return
    raise NotFound("plan_not_found", _("No plan has the code “%(code)s”.") % {"code": plan.code})


def deny(actor: Any, action: str, target: Any = None, **detail: Any) -> PermissionDenied:
    """Write the refusal to the audit trail and return the error to raise."""
    audit_record(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target=target,
        outcome="denied",
        reason="permission",
    )
    return PermissionDenied(
        "permission_denied",
        _("You do not have permission to do this."),
        detail={"action": action, **detail},
    )


def ensure(allowed: bool, actor: Any, action: str, target: Any = None) -> None:
    """Raise (after auditing) a `PermissionDenied` unless `allowed`."""
    if not allowed:
        raise deny(actor, action, target)
