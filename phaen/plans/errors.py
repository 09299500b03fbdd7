"""Error codes of the plans app. Messages are in `services.py`, next to the rule they explain."""

from __future__ import annotations

from enum import StrEnum


class PlanError(StrEnum):
    CODE_TAKEN = "plan_code_taken"
    CODE_INVALID = "plan_code_invalid"
    NAME_REQUIRED = "plan_name_required"
    UNKNOWN_CODE = "unknown_code"
    LEVEL_KIND_MISMATCH = "plan_level_kind_mismatch"
    PERIOD_INVALID = "plan_period_invalid"
    AREA_INCOMPLETE = "plan_area_incomplete"
    PREDECESSOR_INVALID = "plan_predecessor_invalid"
    PROGRAMME_INVALID = "plan_parent_programme_invalid"
    HAS_DEPENDENTS = "plan_has_dependents"
    NOT_FOUND = "plan_not_found"
    READ_ONLY = "plan_read_only"
    STATUS_VIA_LIFECYCLE = "plan_status_via_lifecycle"
    TRANSITION_INVALID = "plan_transition_invalid"
    TRANSITION_UNKNOWN = "plan_transition_unknown"
    DECIDING_BODY_KIND_INVALID = "plan_deciding_body_kind_invalid"
    DECIDING_BODY_REQUIRED = "plan_deciding_body_required"
    VERSION_NOT_FOUND = "plan_version_not_found"


class ElementError(StrEnum):
    CODE_TAKEN = "element_code_taken"
    CODE_INVALID = "element_code_invalid"
    KIND_INVALID = "element_kind_invalid"
    PARENT_OTHER_PLAN = "element_parent_in_other_plan"
    PARENT_CYCLE = "element_parent_cycle"
    TITLE_REQUIRED = "element_title_required"
    TOO_DEEP = "element_too_deep"
    NOT_FOUND = "element_not_found"


class AlignmentError(StrEnum):
    SAME_PLAN = "alignment_same_plan"
    POINTS_DOWNWARD = "alignment_points_downward"
    SAME_LEVEL_NOT_PROGRAMME = "alignment_same_level_not_programme"
    PERIODS_DISJOINT = "alignment_periods_disjoint"
    CYCLE = "alignment_cycle"
    DUPLICATE = "alignment_duplicate"
    CONTRIBUTION_INVALID = "alignment_contribution_invalid"
    SOURCE_REQUIRED = "alignment_source_required"
    NOT_FOUND = "alignment_not_found"
