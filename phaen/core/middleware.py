"""Middleware that tells the audit trail where each request comes from."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from phaen.core.audit import reset_audit_context, set_audit_context

REQUEST_ID_HEADER = "X-Request-ID"


def client_ip(request: HttpRequest) -> str:
    """Return the client's IP address as the audit trail records it.

    REMOTE_ADDR by default. Behind reverse proxies, X-Forwarded-For is read only when the
    settings say so: `PHAEN_PROXY_COUNT = n` (as `phaen.core.ratelimit.client_ip` reads it) or
    `PHAEN_TRUST_X_FORWARDED_FOR = True` (one proxy). Each proxy appends the address it saw, so
    the client is the n-th entry from the right; entries further left are whatever the client
    sent and are never trusted (taking the first entry would let anyone write any address
    into the trail).
    """
    proxies = int(getattr(settings, "PHAEN_PROXY_COUNT", 0) or 0)
    if not proxies and getattr(settings, "PHAEN_TRUST_X_FORWARDED_FOR", False):
        proxies = 1
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", "") or "")


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
