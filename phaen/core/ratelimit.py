"""Count requests in fixed time windows on Django's cache, and refuse those over a rate.

A rate is written `"<count>/<period>"`: `"50/m"`, `"100/h"`, `"5/10m"` (five every ten minutes);
the units are s, m, h and d. Each (scope, client) pair has one counter per window, so "50/m"
admits at most 50 requests between hh:mm:00 and hh:mm:59, and a burst across a window boundary can
reach twice that. That is the price of one cache increment per request, and it is enough to slow
password spraying and form spam.

The counters live in the `default` cache: one process's memory unless `REDIS_URL` is set, in
which case every worker shares them (config/settings/base.py). Without Redis each worker counts on
its own, so the effective limit is the rate times the number of workers.

Three ways to use it:

- `@rate_limit(rate="50/m", scope="hearing-comment")` on a Django view answers 429 past the rate;
- `check_rate(request, "hearing-comment", "50/m")` in a django-ninja endpoint or a service raises
  `RateLimited` (code `rate_limited`, HTTP 429), which the API turns into its JSON error;
- `hit` and `peek` count and read a counter by hand, e.g. failed sign-ins per address.

Clients are told apart by `key`: `"ip"` (the client address, see `client_ip`), `"user"` (the
signed-in user, or the address for anonymous requests) or a function of the request.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from phaen.core.errors import ApplicationError

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

KeyFunction = Callable[[HttpRequest], str]


@dataclass(frozen=True)
class Rate:
    """At most `limit` requests every `period` seconds."""

    limit: int
    period: int


@dataclass(frozen=True)
class Usage:
    """A counter after a hit (or a peek): how many so far, and whether that is over the rate."""

    count: int
    limit: int
    retry_after: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


class RateLimited(ApplicationError):
    """Too many requests from one client; `detail["retry_after"]` says how many seconds to wait."""

    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "rate_limited",
            _("Too many requests. Please wait a moment and try again."),
            detail={"retry_after": retry_after},
        )
        self.retry_after = retry_after


def parse_rate(rate: str) -> Rate:
    """Parse `"50/m"` or `"5/10m"`; raise ValueError for anything else."""
    match = _RATE.match(rate)
    if not match:
        raise ValueError(f"A rate looks like '50/m' or '5/10m', not {rate!r}.")
    count, multiplier, unit = match.groups()
    period = int(multiplier or 1) * _UNIT_SECONDS[unit]
    if int(count) < 1 or period < 1:
        raise ValueError(f"A rate needs a positive count and period, not {rate!r}.")
    return Rate(limit=int(count), period=period)


def client_ip(request: HttpRequest) -> str | None:
    """Return the client's address, or None when the request has none (a test's login).

    Behind `settings.PHAEN_PROXY_COUNT` reverse proxies, each of which appends the address it saw
    to X-Forwarded-For, the client is that many entries from the right; entries further left are
    whatever the client sent, so they are never trusted. With no proxy it is REMOTE_ADDR.
    """
    proxies = int(getattr(settings, "PHAEN_PROXY_COUNT", 0) or 0)
    if not proxies and getattr(settings, "PHAEN_TRUST_X_FORWARDED_FOR", False):
        proxies = 1
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "") or None


def _identity(request: HttpRequest, key: str | KeyFunction) -> str:
    if callable(key):
        return key(request)
    if key == "ip":
        return f"ip:{client_ip(request) or 'unknown'}"
    if key == "user":
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{client_ip(request) or 'unknown'}"
    raise ValueError(f"Unknown rate-limit key {key!r}: use 'ip', 'user' or a function.")


def _cache_key(scope: str, identity: str, window: int) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"phaen:rl:{scope}:{digest}:{window}"


def _window(rate: Rate) -> tuple[int, int]:
    """Return the current window's number and the seconds left in it."""
    now = int(time.time())
    return now // rate.period, rate.period - now % rate.period


def hit(scope: str, identity: str, rate: str | Rate, *, cost: int = 1) -> Usage:
    """Add `cost` to the client's counter for this window and return the counter."""
    parsed = rate if isinstance(rate, Rate) else parse_rate(rate)
    window, left = _window(parsed)
    key = _cache_key(scope, identity, window)
    # add() is a no-op when the counter exists; incr() is atomic in Redis and in LocMemCache.
    cache.add(key, 0, timeout=parsed.period + 1)
    try:
        count = cache.incr(key, cost)
    except ValueError:  # the counter expired between add() and incr()
        cache.set(key, cost, timeout=parsed.period + 1)
        count = cost
    return Usage(count=count, limit=parsed.limit, retry_after=left)


def peek(scope: str, identity: str, rate: str | Rate) -> Usage:
    """Return the client's counter for this window without adding to it."""
    parsed = rate if isinstance(rate, Rate) else parse_rate(rate)
    window, left = _window(parsed)
    count = cache.get(_cache_key(scope, identity, window), 0)
    return Usage(count=count, limit=parsed.limit, retry_after=left)


def check_rate(
    request: HttpRequest, scope: str, rate: str | Rate, *, key: str | KeyFunction = "ip"
) -> Usage:
    """Count this request; raise `RateLimited` when the client is over `rate` in `scope`."""
    usage = hit(scope, _identity(request, key), rate)
    if usage.exceeded:
        raise RateLimited(usage.retry_after)
    return usage


def too_many_requests(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """Answer 429 with the message and a Retry-After header (the decorator's default)."""
    response = HttpResponse(str(exc.message), status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(exc.retry_after)
    return response


def rate_limit(
    *,
    rate: str,
    scope: str | None = None,
    key: str | KeyFunction = "ip",
    methods: tuple[str, ...] = ("POST",),
    on_limited: Callable[[HttpRequest, RateLimited], HttpResponse] = too_many_requests,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Limit a view to `rate` per client for the given HTTP `methods` (POST by default).

    `scope` names the counter (default: the view's module and name), so several views can share
    one. Requests over the rate get `on_limited(request, exc)`, by default a plain 429.
    """
    parsed = parse_rate(rate)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        name = scope or f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                try:
                    check_rate(request, name, parsed, key=key)
                except RateLimited as exc:
                    return on_limited(request, exc)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
