"""Error codes of the projects app. Messages are in `services.py`, next to the rule they explain."""

from __future__ import annotations

from enum import StrEnum


class ProjectError(StrEnum):
    CODE_TAKEN = "project_code_taken"
    FIELD_REQUIRED = "project_field_required"
    CODE_INVALID = "project_code_invalid"
    NAME_REQUIRED = "project_name_required"
    UNKNOWN_CODE = "unknown_code"
    CHOICE_INVALID = "project_choice_invalid"
    DATES_ORDER = "project_dates_order"
    AREA_INCOMPLETE = "project_area_incomplete"
    PARENT_INVALID = "project_parent_invalid"
    WEIGHT_INVALID = "project_weight_invalid"
    HAS_DEPENDENTS = "project_has_dependents"
    NOT_FOUND = "project_not_found"
    PARTNER_DUPLICATE = "project_partner_duplicate"
    PARTNER_NOT_FOUND = "project_partner_not_found"
    ALIGNMENT_DUPLICATE = "project_alignment_duplicate"
    ALIGNMENT_NOT_FOUND = "project_alignment_not_found"


class MilestoneError(StrEnum):
    NAME_REQUIRED = "milestone_name_required"
    STATUS_INVALID = "milestone_status_invalid"
    DATES_ORDER = "milestone_dates_order"
    NOT_FOUND = "milestone_not_found"


class ProgressError(StrEnum):
    FISCAL_YEAR_INVALID = "progress_fiscal_year_invalid"
    QUARTER_INVALID = "progress_quarter_invalid"
    PERCENT_INVALID = "progress_percent_invalid"
    DUPLICATE = "progress_report_duplicate"
    NOT_FOUND = "progress_report_not_found"


class BudgetError(StrEnum):
    FISCAL_YEAR_INVALID = "budget_fiscal_year_invalid"
    AMOUNT_NEGATIVE = "budget_amount_negative"
    AMOUNTS_INCONSISTENT = "budget_amounts_inconsistent"
    CHOICE_INVALID = "budget_choice_invalid"
    DUPLICATE = "budget_line_duplicate"
    NOT_FOUND = "budget_line_not_found"


class AgreementError(StrEnum):
    CODE_TAKEN = "agreement_code_taken"
    FIELD_REQUIRED = "agreement_field_required"
    CODE_INVALID = "agreement_code_invalid"
    TITLE_REQUIRED = "agreement_title_required"
    STATUS_INVALID = "agreement_status_invalid"
    DATES_ORDER = "agreement_dates_order"
    DIMENSIONS_INVALID = "agreement_dimensions_invalid"
    PROGRAMME_INVALID = "agreement_programme_invalid"
    NOT_FOUND = "agreement_not_found"
    PARTY_DUPLICATE = "agreement_party_duplicate"
    PARTY_ROLE_INVALID = "agreement_party_role_invalid"
    PARTY_NOT_FOUND = "agreement_party_not_found"
    DOCUMENT_TITLE_REQUIRED = "agreement_document_title_required"
    DOCUMENT_EMPTY = "agreement_document_empty"
    DOCUMENT_NOT_FOUND = "agreement_document_not_found"


class ProgrammeError(StrEnum):
    CODE_TAKEN = "programme_code_taken"
    FIELD_REQUIRED = "programme_field_required"
    CODE_INVALID = "programme_code_invalid"
    NAME_REQUIRED = "programme_name_required"
    KIND_INVALID = "programme_kind_invalid"
    HAS_DEPENDENTS = "programme_has_dependents"
    NOT_FOUND = "programme_not_found"
    PROVINCE_DUPLICATE = "programme_province_duplicate"
    PROVINCE_NOT_FOUND = "programme_province_not_found"


class SmartCityError(StrEnum):
    CODE_TAKEN = "smart_city_code_taken"
    FIELD_REQUIRED = "smart_city_field_required"
    CODE_INVALID = "smart_city_code_invalid"
    NAME_REQUIRED = "smart_city_name_required"
    DISTRICT_OUTSIDE_PROVINCE = "smart_city_district_outside_province"
    PROGRAMME_KIND = "smart_city_programme_kind"
    DIMENSION_UNKNOWN = "smart_city_dimension_unknown"
    CRITERION_UNKNOWN = "smart_city_criterion_unknown"
    STAGE_UNKNOWN = "smart_city_stage_unknown"
    STEP_INVALID = "smart_city_step_invalid"
    DATE_REQUIRED = "smart_city_date_required"
    DATE_BEFORE_PREVIOUS = "smart_city_date_before_previous"
    NOT_FOUND = "smart_city_zone_not_found"


class CentreError(StrEnum):
    CODE_TAKEN = "centre_code_taken"
    FIELD_REQUIRED = "centre_field_required"
    CODE_INVALID = "centre_code_invalid"
    NAME_REQUIRED = "centre_name_required"
    STATUS_INVALID = "centre_status_invalid"
    PLACE_INCONSISTENT = "centre_place_inconsistent"
    PROGRAMME_KIND = "centre_programme_kind"
    NOT_FOUND = "centre_not_found"
