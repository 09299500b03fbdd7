"""Stable error codes of the geography app."""

from __future__ import annotations

from enum import StrEnum


class GeographyError(StrEnum):
    REGION_NOT_FOUND = "region_not_found"
    PROVINCE_NOT_FOUND = "province_not_found"
    DISTRICT_NOT_FOUND = "district_not_found"
