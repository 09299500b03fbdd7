"""Who may change projects, budgets, agreements and area programmes.

The rules, checked inside the services so that the pages, the API and the command line obey
them alike, are built from the roles of `phaen.accounts`:

- System administrators (and the system actor) may do everything.
- Planners of an organisation (`RoleSet.covers(Role.PLANNER, organisation)`) create, change
  and delete what that organisation is responsible for:

  - projects, with their partners, alignment, indicators, milestones, budget lines and
    progress reports, owned by it (`Project.owner`);
  - agreements it recorded (`Agreement.owner`), with their parties and documents;
  - area programmes it owns (`AreaProgramme.owner`), with their pilot provinces;
  - smart city zones it applied for (`SmartCityZone.applicant`) or whose programme it owns;
  - digital community centres it hosts (`DigitalCommunityCentre.host`) or whose programme it
    owns.

- Data reporters of a project's owner file its progress reports and update the actual figures
  of its budget lines (committed and disbursed), nothing else.
- The stages of a smart city zone (assessed, announced, certified, revoked, rejected) are
  decided by the programme's owner, not by the applicant; a zone recorded without a
  programme has its stages recorded by the applicant's planners.
- Auditors read, as everyone does: projects, budgets, agreements and area programmes are
  public records, so every read here is public and nothing is hidden.

Every refusal is written to the audit trail before it is raised (`deny`, shared with the plans
app), outside the transaction that the refusal rolls back.
"""

from __future__ import annotations

from typing import Any

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.core.actors import SYSTEM, SystemActor
from phaen.orgs.models import Organisation
from phaen.plans.permissions import deny, ensure
from phaen.projects.models import (
    Agreement,
    AreaProgramme,
    DigitalCommunityCentre,
    Project,
    SmartCityZone,
)

__all__ = [
    "SYSTEM",
    "SystemActor",
    "can_create_agreement",
    "can_create_centre",
    "can_create_programme",
    "can_create_project",
    "can_create_zone",
    "can_decide_zone",
    "can_edit_agreement",
    "can_edit_budget",
    "can_edit_centre",
    "can_edit_programme",
    "can_edit_project",
    "can_edit_zone",
    "can_report_progress",
    "can_update_budget_actuals",
    "deny",
    "ensure",
]

BUDGET_ACTUAL_FIELDS = frozenset({"committed", "disbursed"})
"""The budget-line fields a data reporter may update: what was committed and disbursed."""


def _is_system(actor: Any) -> bool:
    return actor is SYSTEM or roles_of(actor).system_admin


def _plans_for(actor: Any, organisation_id: int | None) -> bool:
    """Tell whether `actor` is a planner of the organisation (or a system administrator)."""
    return _is_system(actor) or roles_of(actor).covers(Role.PLANNER, organisation_id)


def _reports_for(actor: Any, organisation_id: int | None) -> bool:
    """Tell whether `actor` reports data for the organisation: a data reporter or a planner."""
    return _plans_for(actor, organisation_id) or roles_of(actor).covers(
        Role.DATA_REPORTER, organisation_id
    )


def _id(organisation: Organisation | int | None) -> int | None:
    if organisation is None or isinstance(organisation, int):
        return organisation
    return organisation.pk


def _may_create(actor: Any, owner: Organisation | int | None) -> bool:
    """Without an owner: whether the actor plans for any organisation (to offer the form)."""
    if _is_system(actor):
        return True
    if owner is None:
        return roles_of(actor).has(Role.PLANNER)
    return _plans_for(actor, _id(owner))


# --- Projects ------------------------------------------------------------------------------


def can_create_project(actor: Any, owner: Organisation | int | None = None) -> bool:
    """Tell whether `actor` may create a project (owned by `owner`, when given)."""
    return _may_create(actor, owner)


def can_edit_project(actor: Any, project: Project) -> bool:
    """Tell whether `actor` may change or delete the project, its partners, alignment,
    milestones and budget lines."""
    return _plans_for(actor, project.owner_id)


def can_report_progress(actor: Any, project: Project) -> bool:
    """Tell whether `actor` may file, correct or remove the project's progress reports."""
    return _reports_for(actor, project.owner_id)


def can_edit_budget(actor: Any, project: Project) -> bool:
    """Tell whether `actor` may add, change (every field) or delete the project's budget lines."""
    return _plans_for(actor, project.owner_id)


def can_update_budget_actuals(actor: Any, project: Project) -> bool:
    """Tell whether `actor` may update the committed and disbursed figures of budget lines."""
    return _reports_for(actor, project.owner_id)


# --- Agreements ----------------------------------------------------------------------------


def can_create_agreement(actor: Any, owner: Organisation | int | None = None) -> bool:
    """Tell whether `actor` may record an agreement (for the recording organisation `owner`)."""
    return _may_create(actor, owner)


def can_edit_agreement(actor: Any, agreement: Agreement) -> bool:
    """Tell whether `actor` may change or delete the agreement, its parties and documents."""
    return _plans_for(actor, agreement.owner_id)


# --- Area programmes -----------------------------------------------------------------------


def can_create_programme(actor: Any, owner: Organisation | int | None = None) -> bool:
    """Tell whether `actor` may create an area programme (owned by `owner`, when given)."""
    return _may_create(actor, owner)


def can_edit_programme(actor: Any, programme: AreaProgramme) -> bool:
    """Tell whether `actor` may change or delete the programme and its pilot provinces."""
    return _plans_for(actor, programme.owner_id)


def can_create_zone(
    actor: Any,
    applicant: Organisation | int | None = None,
    programme: AreaProgramme | None = None,
) -> bool:
    """Tell whether `actor` may record a zone's application: for the applicant or the
    programme's owner."""
    if applicant is None and programme is None:
        return _may_create(actor, None)
    return _plans_for(actor, _id(applicant)) or (
        programme is not None and _plans_for(actor, programme.owner_id)
    )


def can_edit_zone(actor: Any, zone: SmartCityZone) -> bool:
    """Tell whether `actor` may change or delete the zone's record."""
    owner_id = zone.programme.owner_id if zone.programme_id and zone.programme else None
    return _plans_for(actor, zone.applicant_id) or (
        owner_id is not None and _plans_for(actor, owner_id)
    )


def can_decide_zone(actor: Any, zone: SmartCityZone) -> bool:
    """Tell whether `actor` may record a stage of the zone (assessed, announced, certified …).

    The programme's owner decides; without a programme, the applicant's planners record them.
    """
    if zone.programme_id and zone.programme:
        return _plans_for(actor, zone.programme.owner_id)
    return _plans_for(actor, zone.applicant_id)


# --- Digital community centres -------------------------------------------------------------


def can_create_centre(
    actor: Any,
    host: Organisation | int | None = None,
    programme: AreaProgramme | None = None,
) -> bool:
    """Tell whether `actor` may record a centre: for its host or the programme's owner."""
    if host is None and programme is None:
        return _may_create(actor, None)
    return _plans_for(actor, _id(host)) or (
        programme is not None and _plans_for(actor, programme.owner_id)
    )


def can_edit_centre(actor: Any, centre: DigitalCommunityCentre) -> bool:
    """Tell whether `actor` may change or delete the centre's record."""
    owner_id = centre.programme.owner_id if centre.programme_id and centre.programme else None
    return _plans_for(actor, centre.host_id) or (
        owner_id is not None and _plans_for(actor, owner_id)
    )
