"""Translate domain errors and input errors into the API's `{"code", "message", "detail"}`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from phaen.core.errors import ApplicationError


def _body(code: str, message: str, detail: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "detail": detail or {}}


def install(api: NinjaAPI) -> None:
    """Register the error handlers on `api`."""

    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.http_status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, str] = {}
        for error in exc.errors:
            loc = [str(part) for part in error.get("loc", []) if part not in ("body", "payload")]
            fields[".".join(loc) or "body"] = str(error.get("msg", ""))
        return api.create_response(
            request,
            _body("invalid_input", _("The request is not valid."), {"fields": fields}),
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, _body("not_authenticated", _("Please sign in first.")), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(
            request, _body("http_error", str(exc.message)), status=exc.status_code
        )
