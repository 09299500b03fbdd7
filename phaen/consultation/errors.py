"""Error codes of the consultation app. Messages are in `services.py`, next to their rules."""

from __future__ import annotations

from enum import StrEnum


class HearingError(StrEnum):
    NOT_FOUND = "hearing_not_found"
    CODE_INVALID = "hearing_code_invalid"
    CODE_TAKEN = "hearing_code_taken"
    TITLE_REQUIRED = "hearing_title_required"
    PERIOD_INVALID = "hearing_period_invalid"
    CHANNEL_REQUIRED = "hearing_channel_required"
    ORGANISER_UNRELATED = "hearing_organiser_unrelated"
    SECTION_INVALID = "hearing_section_invalid"
    PLAN_LOCKED = "hearing_plan_locked"
    STATUS_INVALID = "hearing_status_invalid"
    PLAN_UNPUBLISHED = "hearing_plan_unpublished"
    PERIOD_OVER = "hearing_period_over"
    HAS_COMMENTS = "hearing_has_comments"
    SUMMARY_REQUIRED = "hearing_summary_required"
    COUNT_INVALID = "hearing_count_invalid"
    DOCUMENT_INVALID = "hearing_document_invalid"
    DOCUMENT_NOT_FOUND = "hearing_document_not_found"


class CommentError(StrEnum):
    NOT_FOUND = "comment_not_found"
    NOT_OPEN = "hearing_not_open"
    ONLINE_DISABLED = "comment_online_disabled"
    REJECTED = "comment_rejected"
    CONSENT_REQUIRED = "comment_consent_required"
    NATIONAL_ID = "comment_national_id"
    BODY_REQUIRED = "comment_body_required"
    TOO_LONG = "comment_too_long"
    STANCE_INVALID = "comment_stance_invalid"
    ELEMENT_UNKNOWN = "comment_element_unknown"
    EMAIL_INVALID = "comment_email_invalid"
    DUPLICATE = "comment_duplicate"
    CHANNEL_INVALID = "comment_channel_invalid"
    EVENT_INVALID = "comment_event_invalid"
    ENTRY_CLOSED = "comment_entry_closed"


class ModerationError(StrEnum):
    ACTION_INVALID = "moderation_action_invalid"
    REASON_REQUIRED = "moderation_reason_required"


class ResponseError(StrEnum):
    TARGET_REQUIRED = "response_target_required"
    DECISION_INVALID = "response_decision_invalid"
    REASON_REQUIRED = "response_reason_required"
    ELEMENT_UNKNOWN = "response_element_unknown"
    NOT_YET = "response_hearing_not_open"
    GROUP_NOT_FOUND = "comment_group_not_found"
