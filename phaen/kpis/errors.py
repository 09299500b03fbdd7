"""Error codes of the indicators app. Messages are in `services.py`, next to the rule they explain.

Targets and actuals share the rules of a value in a period and an area; each has its own codes
(`target_…`, `actual_…`) so a client can tell which of the two it sent wrongly.
"""

from __future__ import annotations

from enum import StrEnum


class IndicatorError(StrEnum):
    CODE_INVALID = "indicator_code_invalid"
    CODE_TAKEN = "indicator_code_taken"
    CODE_RESERVED = "indicator_code_reserved"
    NAME_REQUIRED = "indicator_name_required"
    OWNER_REQUIRED = "indicator_owner_required"
    PLAN_REQUIRED = "indicator_plan_required"
    ELEMENT_OTHER_PLAN = "indicator_element_in_other_plan"
    CHOICE_INVALID = "indicator_choice_invalid"
    AGGREGATION_INVALID = "indicator_aggregation_invalid"
    BASELINE_INVALID = "indicator_baseline_invalid"
    PERIOD_CONFLICT = "indicator_period_conflict"
    FREQUENCY_CONFLICT = "indicator_frequency_conflict"
    HAS_ACTUALS = "indicator_has_actuals"
    NOT_FOUND = "indicator_not_found"
    UNKNOWN_CODE = "unknown_code"


class TargetError(StrEnum):
    FISCAL_YEAR_INVALID = "target_fiscal_year_invalid"
    PERIOD_OUTSIDE_PLAN = "target_period_outside_plan"
    QUARTER_INVALID = "target_quarter_invalid"
    AREA_INVALID = "target_area_invalid"
    VALUE_REQUIRED = "target_value_required"
    VALUE_INVALID = "target_value_invalid"
    DENOMINATOR_INVALID = "target_denominator_invalid"
    NOT_FOUND = "target_not_found"


class ActualError(StrEnum):
    FISCAL_YEAR_INVALID = "actual_fiscal_year_invalid"
    PERIOD_OUTSIDE_PLAN = "actual_period_outside_plan"
    QUARTER_INVALID = "actual_quarter_invalid"
    AREA_INVALID = "actual_area_invalid"
    VALUE_REQUIRED = "actual_value_required"
    VALUE_INVALID = "actual_value_invalid"
    DENOMINATOR_INVALID = "actual_denominator_invalid"
    EVIDENCE_URL_INVALID = "actual_evidence_url_invalid"
    SLOT_TAKEN = "actual_slot_taken"
    STATUS_INVALID = "actual_status_invalid"
    STEP_UNKNOWN = "actual_step_unknown"
    RETURN_NOTE_REQUIRED = "actual_return_note_required"
    SELF_APPROVAL = "actual_self_approval"
    NOT_FOUND = "actual_not_found"
