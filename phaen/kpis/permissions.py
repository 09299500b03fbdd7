"""Who may define indicators, set their targets, report actuals, review them and read them.

The rules, checked inside the services so the pages, the API, the importer and the CLI obey them
alike:

- Indicators and their targets are written by the planners of the indicator's owner
  organisation (their own, and those below when the membership says so) and by system
  administrators.
- An actual is reported for a reporting organisation by its data reporters or planners. That
  organisation must be the indicator's owner or, for a province's or a local administration's
  figure, an organisation of that province: a provincial office reports its own province.
- Actuals are approved or returned by the approvers of the indicator's owner and by system
  administrators, and never by the person who reported them (separation of duties), unless that
  person is a system administrator. Only system administrators reopen an approved actual.
- The public reads indicators, targets and approved actuals. Actuals still in review are read
  by the members of the reporting organisation, the owner's planners and approvers, auditors
  and system administrators.

Every refusal is written to the audit trail before it is raised (`deny`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator
from phaen.orgs.models import Organisation
from phaen.plans.permissions import SYSTEM, SystemActor, deny, ensure

__all__ = ["SYSTEM", "SystemActor", "deny", "ensure"]

EDITABLE_STATUSES = frozenset({ActualStatus.DRAFT, ActualStatus.RETURNED})
# The review steps, each with the statuses it starts from and the status it leads to.
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (EDITABLE_STATUSES, ActualStatus.SUBMITTED),
    "approve": (frozenset({ActualStatus.SUBMITTED}), ActualStatus.APPROVED),
    "return": (frozenset({ActualStatus.SUBMITTED}), ActualStatus.RETURNED),
    "reopen": (frozenset({ActualStatus.APPROVED}), ActualStatus.SUBMITTED),
}


def _authenticated(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def is_system(actor: Any) -> bool:
    """The system actor and system administrators pass every check below."""
    return actor is SYSTEM or (_authenticated(actor) and roles_of(actor).system_admin)


# --- Indicators and targets --------------------------------------------------------------------


def writes_indicators_of(actor: Any, owner_id: int | None) -> bool:
    """Tell whether `actor` defines the indicators (and targets) of this owner organisation."""
    return is_system(actor) or (
        _authenticated(actor) and roles_of(actor).covers(Role.PLANNER, owner_id)
    )


def can_create_indicator(actor: Any, owner: Organisation | None = None) -> bool:
    """Tell whether `actor` may create an indicator (owned by `owner`, when given)."""
    if is_system(actor):
        return True
    if not _authenticated(actor):
        return False
    if owner is None:
        return roles_of(actor).has(Role.PLANNER)
    return roles_of(actor).covers(Role.PLANNER, owner.pk)


def can_edit_indicator(actor: Any, indicator: Indicator) -> bool:
    """Tell whether `actor` may change the indicator, delete it and set its targets."""
    return writes_indicators_of(actor, indicator.owner_id)


# --- Reporting actuals -------------------------------------------------------------------------


def reports_for(actor: Any, organisation_id: int | None) -> bool:
    """Tell whether `actor` reports figures for this organisation (data reporter or planner)."""
    if is_system(actor):
        return True
    if not _authenticated(actor) or organisation_id is None:
        return False
    roles = roles_of(actor)
    return roles.covers(Role.DATA_REPORTER, organisation_id) or roles.covers(
        Role.PLANNER, organisation_id
    )


def reports_anything(actor: Any) -> bool:
    """Tell whether `actor` reports figures for some organisation at all."""
    if is_system(actor):
        return True
    if not _authenticated(actor):
        return False
    roles = roles_of(actor)
    return roles.has(Role.DATA_REPORTER) or roles.has(Role.PLANNER)


def organisation_fits(
    indicator: Indicator,
    organisation_id: int | None,
    organisation_province_id: int | None,
    area_level: str,
    area_province_id: int | None,
) -> bool:
    """Tell whether an organisation may be the one reporting this indicator for this area.

    The owner reports every area; for a province's or a local administration's figure, so may an
    organisation of that province (a provincial office, the local administration itself).
    """
    if organisation_id is None:
        return False
    if organisation_id == indicator.owner_id:
        return True
    return (
        area_level in (AreaLevel.PROVINCE, AreaLevel.LOCAL)
        and area_province_id is not None
        and organisation_province_id == area_province_id
    )


def can_report(
    actor: Any,
    indicator: Indicator,
    organisation: Organisation | None,
    area_level: str,
    area_province_id: int | None,
) -> bool:
    """Tell whether `actor` may report this indicator's figure for the area, for `organisation`."""
    if organisation is None:
        return False
    if actor is SYSTEM:
        return True
    return reports_for(actor, organisation.pk) and organisation_fits(
        indicator, organisation.pk, organisation.province_id, area_level, area_province_id
    )


def default_reporting_organisation(
    actor: Any, indicator: Indicator, area_level: str, area_province_id: int | None
) -> Organisation | None:
    """Choose the organisation `actor` reports for when none is named.

    The indicator's owner when the actor reports for it; otherwise, for a province's or a local
    administration's figure, an organisation of that province the actor reports for.
    """
    if reports_for(actor, indicator.owner_id):
        return indicator.owner
    if area_level not in (AreaLevel.PROVINCE, AreaLevel.LOCAL) or area_province_id is None:
        return None
    if not _authenticated(actor):
        return None
    roles = roles_of(actor)
    candidates = roles.organisations(Role.DATA_REPORTER) | roles.organisations(Role.PLANNER)
    if not candidates:
        return None
    return (
        Organisation.objects.filter(pk__in=candidates, province_id=area_province_id)
        .order_by("pk")
        .first()
    )


def can_edit_actual(actor: Any, actual: Actual) -> bool:
    """Tell whether `actor` may change, submit or delete the actual now (draft or returned)."""
    return actual.status in EDITABLE_STATUSES and reports_for(
        actor, actual.reporting_organisation_id
    )


# --- Reviewing ---------------------------------------------------------------------------------


def reviews_indicators_of(actor: Any, owner_id: int | None) -> bool:
    """Tell whether `actor` approves and returns the actuals of this owner's indicators."""
    return is_system(actor) or (
        _authenticated(actor) and roles_of(actor).covers(Role.APPROVER, owner_id)
    )


def is_self_approval(actor: Any, actual: Actual) -> bool:
    """Tell whether approving would let someone approve their own figure (not for admins)."""
    if is_system(actor):
        return False
    return actual.reporter_id is not None and actual.reporter_id == getattr(actor, "pk", None)


def can_step(actor: Any, actual: Actual, name: str) -> bool:
    """Tell whether `actor` may take the review step `name` on the actual, in its state now."""
    step = STEPS.get(name)
    if step is None or actual.status not in step[0]:
        return False
    if name == "submit":
        return reports_for(actor, actual.reporting_organisation_id)
    if name == "reopen":
        return is_system(actor)
    allowed = reviews_indicators_of(actor, actual.indicator.owner_id)
    if name == "approve":
        return allowed and not is_self_approval(actor, actual)
    return allowed


def allowed_steps(actor: Any, actual: Actual) -> list[str]:
    """Return the review steps `actor` may take on the actual now, in the order of `STEPS`."""
    return [name for name in STEPS if can_step(actor, actual, name)]


# --- Reading -----------------------------------------------------------------------------------


def sees_all_actuals(viewer: Any) -> bool:
    """System administrators and auditors read every actual, whatever its status."""
    if is_system(viewer):
        return True
    return _authenticated(viewer) and roles_of(viewer).has(Role.AUDITOR)


def _member_organisations(viewer: Any) -> set[int]:
    roles = roles_of(viewer)
    found: set[int] = set()
    for organisations in roles.orgs_by_role.values():
        found |= organisations
    return found


def actual_visibility_filter(viewer: Any) -> Q | None:
    """Return the filter of actuals `viewer` may read, or None when they read every actual.

    Everyone reads approved actuals; those still in review are read by the members of the
    reporting organisation and by the planners and approvers of the indicator's owner.
    """
    if sees_all_actuals(viewer):
        return None
    condition = Q(status=ActualStatus.APPROVED)
    if not _authenticated(viewer):
        return condition
    roles = roles_of(viewer)
    members = _member_organisations(viewer)
    owners = roles.organisations(Role.PLANNER) | roles.organisations(Role.APPROVER)
    if members:
        condition |= Q(reporting_organisation_id__in=members)
    if owners:
        condition |= Q(indicator__owner_id__in=owners)
    return condition


def can_view_working(viewer: Any, actual: Actual) -> bool:
    """Tell whether `viewer` follows the actual's work: its review, history and evidence file."""
    if sees_all_actuals(viewer):
        return True
    if not _authenticated(viewer):
        return False
    roles = roles_of(viewer)
    owner_id = actual.indicator.owner_id
    return (
        actual.reporting_organisation_id in _member_organisations(viewer)
        or roles.covers(Role.PLANNER, owner_id)
        or roles.covers(Role.APPROVER, owner_id)
    )


def can_view_actual(viewer: Any, actual: Actual) -> bool:
    """Tell whether `viewer` may read the actual at all: approved, or theirs to follow."""
    return actual.status == ActualStatus.APPROVED or can_view_working(viewer, actual)


def works_on_actuals(viewer: Any) -> bool:
    """Tell whether `viewer` has a work queue: reports, reviews or administers actuals."""
    if is_system(viewer):
        return True
    if not _authenticated(viewer):
        return False
    roles = roles_of(viewer)
    return any(roles.has(role) for role in (Role.DATA_REPORTER, Role.PLANNER, Role.APPROVER))
