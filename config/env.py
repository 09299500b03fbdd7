"""Read Phaen's configuration from environment variables, in one place.

Every setting that differs between machines comes through here, so `grep env.` in
`config/settings/` lists them all. Values are parsed strictly: a malformed value stops start-up
with a message naming the variable, rather than running with a surprising default.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def string(name: str, default: str = "") -> str:
    """Return the variable's value, or `default` when it is unset."""
    return os.environ.get(name, default)


def boolean(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; accept 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def integer(name: str, default: int) -> int:
    """Return the variable as an integer."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


def strings(name: str, default: list[str]) -> list[str]:
    """Return the variable as a comma-separated list of non-empty strings."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def database_url(default: str) -> str:
    """Return `DATABASE_URL`, or `default` when it is unset or empty."""
    return os.environ.get("DATABASE_URL") or default
