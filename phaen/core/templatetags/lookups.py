"""Template filters for reading data structures (loaded as builtins)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """Return `mapping[key]`, or None when the mapping or the key is missing."""
    if not mapping:
        return None
    return mapping.get(key)
