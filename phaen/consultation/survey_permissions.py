"""Who runs surveys, who answers them and who reads what of their results.

Built on the hearings' rules (`permissions.py`), checked inside `survey_services`:

- Running a survey (create, change, delete a draft, build its questions, open and close it,
  link its results to plan elements as evidence, export its responses) follows the rule of the
  organiser's hearings: its planners and system administrators (`manages_hearings_of`).
- Auditors read everything, draft surveys and text answers included; they change nothing.
- The public (anyone, signed in or not) reads open and closed surveys, answers open ones, and
  reads their results as counts and choice and scale summaries. Text answers are read only by
  the organiser's planners and auditors, since people may write things they would not publish.
- A plan a survey informs is named to the public only once the plan is published.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.consultation.event_permissions import plan_is_public
from phaen.consultation.permissions import (
    can_create_hearing,
    deny,
    ensure,
    is_system,
    manages_hearings_of,
)
from phaen.consultation.survey_models import Survey, SurveyStatus
from phaen.orgs.models import Organisation

__all__ = [
    "PUBLIC_STATUSES",
    "can_create_survey",
    "can_manage_survey",
    "can_view_survey",
    "deny",
    "ensure",
    "plan_is_public",
    "reads_everything",
    "reads_text_answers",
    "survey_visibility_filter",
]

PUBLIC_STATUSES = frozenset({SurveyStatus.OPEN, SurveyStatus.CLOSED})
"""The statuses in which the public reads a survey; a draft is its organiser's alone."""


def _authenticated(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def can_create_survey(actor: Any, organiser: Organisation | int | None = None) -> bool:
    """Tell whether `actor` may run a survey (organised by `organiser`, when given)."""
    return can_create_hearing(actor, organiser)


def can_manage_survey(actor: Any, survey: Survey) -> bool:
    """Tell whether `actor` may change the survey, its questions, its status and evidence."""
    return manages_hearings_of(actor, survey.organiser_id)


def reads_everything(actor: Any, survey: Survey) -> bool:
    """Tell whether `actor` reads the survey in any status, with its text answers."""
    if can_manage_survey(actor, survey):
        return True
    return _authenticated(actor) and roles_of(actor).has(Role.AUDITOR)


def can_view_survey(viewer: Any, survey: Survey) -> bool:
    """Tell whether `viewer` may read the survey's page and results."""
    return survey.status in PUBLIC_STATUSES or reads_everything(viewer, survey)


def reads_text_answers(viewer: Any, survey: Survey) -> bool:
    """Tell whether `viewer` reads what people wrote in answer to text questions."""
    return reads_everything(viewer, survey)


def survey_visibility_filter(viewer: Any) -> Q | None:
    """Return the filter of surveys `viewer` may list, or None when they see every survey."""
    if is_system(viewer):
        return None
    public = Q(status__in=list(PUBLIC_STATUSES))
    if not _authenticated(viewer):
        return public
    roles = roles_of(viewer)
    if roles.has(Role.AUDITOR):
        return None
    own = roles.organisations(Role.PLANNER)
    return public | Q(organiser_id__in=own) if own else public
