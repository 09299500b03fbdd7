"""Stable error codes of the organisations app."""

from __future__ import annotations

from enum import StrEnum


class OrganisationError(StrEnum):
    NOT_FOUND = "organisation_not_found"
    INVALID = "invalid_organisation"
    CODE_TAKEN = "organisation_code_taken"
    PARENT_NOT_FOUND = "parent_not_found"
    PARENT_CYCLE = "organisation_parent_cycle"
    PROVINCE_NOT_FOUND = "province_not_found"
    ALIAS_TAKEN = "alias_taken"
    ALIAS_NOT_FOUND = "alias_not_found"
    IN_USE = "organisation_in_use"
