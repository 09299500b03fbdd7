"""Middleware that tells the audit trail where each request comes from."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from phaen.core.audit import reset_audit_context, set_audit_context
from phaen.core.ratelimit import client_ip

REQUEST_ID_HEADER = "X-Request-ID"


def _request_id(request: HttpRequest) -> str:
    supplied = str(request.META.get("HTTP_X_REQUEST_ID", "")).strip()
    # A proxy's id ties the record to its logs; anything odd is replaced by our own.
    if supplied and len(supplied) <= 64 and supplied.isprintable():
        return supplied
    return uuid.uuid4().hex


class AuditContextMiddleware:
    """Put the client IP, user agent and request id where `audit_record` reads them.

    They live in context variables for the length of the request and are restored afterwards,
    so a thread or task that serves the next request never inherits them. The request id is
    the proxy's `X-Request-ID` when it sends a sensible one, else a new UUID; it is echoed in
    the response's `X-Request-ID` header and set as `request.request_id`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _request_id(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = set_audit_context(
            ip=client_ip(request),
            user_agent=str(request.META.get("HTTP_USER_AGENT", "")),
            request_id=request_id,
        )
        try:
            response = self.get_response(request)
        finally:
            reset_audit_context(tokens)
        if REQUEST_ID_HEADER not in response:
            response[REQUEST_ID_HEADER] = request_id
        return response
