"""Domain errors with stable codes, shared by every interface.

Services raise `ApplicationError`; the web views show `message` in the user's language, the API
returns `{"code", "message", "detail"}` with `http_status`, and the CLI prints the message and
exits non-zero. Nothing is translated twice and no interface invents its own wording.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A request the domain refuses, with a stable machine-readable code."""

    http_status = 400

    def __init__(
        self,
        code: StrEnum | str,
        message: str | Promise,
        *,
        detail: dict[str, Any] | None = None,
        http_status: int | None = None,
    ) -> None:
        self.code = str(code)
        self.message = message
        self.detail = detail or {}
        if http_status is not None:
            self.http_status = http_status
        super().__init__(str(message))

    def as_dict(self) -> dict[str, Any]:
        """Return the error as the API's JSON body."""
        return {"code": self.code, "message": str(self.message), "detail": self.detail}


class NotFound(ApplicationError):
    """The thing asked for does not exist (or the actor may not know it exists)."""

    http_status = 404


class ValidationFailed(ApplicationError):
    """Input failed validation; `detail["fields"]` maps field names to messages."""

    http_status = 422


class PermissionDenied(ApplicationError):
    """The actor may not do this; code `permission_denied` and a generic message by default."""

    http_status = 403

    def __init__(
        self,
        code: StrEnum | str = "permission_denied",
        message: str | Promise | None = None,
        *,
        detail: dict[str, Any] | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(
            code,
            message if message is not None else _("You do not have permission to do this."),
            detail=detail,
            http_status=http_status,
        )
