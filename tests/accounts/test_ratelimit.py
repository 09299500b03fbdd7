"""The fixed-window rate limiter: rates, counters, the view decorator and the API error."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from ninja import NinjaAPI

from phaen.api import errors
from phaen.core.ratelimit import (
    Rate,
    RateLimited,
    check_rate,
    client_ip,
    hit,
    parse_rate,
    peek,
    rate_limit,
)

# A page and an API endpoint that use the limiter, served only in these tests.


@rate_limit(rate="2/h", scope="test-comment")
def comment_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


api = NinjaAPI(urls_namespace="ratelimit-test-api")
errors.install(api)


@api.post("/comments")
def post_comment(request: HttpRequest) -> dict[str, bool]:
    check_rate(request, "test-api-comment", "2/h")
    return {"ok": True}


urlpatterns = [path("comment/", comment_page), path("api/", api.urls)]

factory = RequestFactory()


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    cache.clear()


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("50/m", Rate(50, 60)),
        ("100/h", Rate(100, 3600)),
        ("5/10m", Rate(5, 600)),
        ("1/d", Rate(1, 86400)),
        (" 3 / s ", Rate(3, 1)),
    ],
)
def test_rates_are_parsed(rate: str, expected: Rate) -> None:
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "50", "50/minute", "0/m", "-1/m", "5/0m"])
def test_bad_rates_are_refused(rate: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_a_counter_counts_and_peek_does_not_add() -> None:
    assert hit("scope", "client", "3/h").count == 1
    assert hit("scope", "client", "3/h").count == 2
    assert peek("scope", "client", "3/h").count == 2
    assert hit("scope", "other", "3/h").count == 1
    assert hit("other-scope", "client", "3/h").count == 1
    usage = hit("scope", "client", "3/h", cost=2)
    assert usage.count == 4 and usage.exceeded
    assert 0 < usage.retry_after <= 3600


def test_check_rate_raises_the_api_error_past_the_rate() -> None:
    request = factory.post("/", REMOTE_ADDR="192.0.2.7")
    for _ in range(2):
        check_rate(request, "form", "2/h")

    with pytest.raises(RateLimited) as caught:
        check_rate(request, "form", "2/h")

    assert caught.value.code == "rate_limited"
    assert caught.value.http_status == 429
    assert caught.value.detail["retry_after"] > 0


def test_the_user_key_tells_signed_in_users_apart_and_falls_back_to_the_address(
    django_user_model: Any,
) -> None:
    first = factory.post("/", REMOTE_ADDR="192.0.2.7")
    first.user = django_user_model(pk=1, username="a")
    second = factory.post("/", REMOTE_ADDR="192.0.2.7")
    second.user = django_user_model(pk=2, username="b")
    anonymous = factory.post("/", REMOTE_ADDR="192.0.2.7")
    anonymous.user = AnonymousUser()

    check_rate(first, "form", "1/h", key="user")
    check_rate(second, "form", "1/h", key="user")
    check_rate(anonymous, "form", "1/h", key="user")
    with pytest.raises(RateLimited):
        check_rate(first, "form", "1/h", key="user")


def test_a_key_can_be_any_function_of_the_request() -> None:
    request = factory.post("/?hearing=7")

    check_rate(request, "hearing", "1/h", key=lambda r: r.GET["hearing"])
    with pytest.raises(RateLimited):
        check_rate(factory.post("/?hearing=7"), "hearing", "1/h", key=lambda r: r.GET["hearing"])


class TestClientAddress:
    def test_without_a_proxy_the_socket_address_counts(self, settings: Any) -> None:
        settings.PHAEN_PROXY_COUNT = 0
        request = factory.get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.9")

        assert client_ip(request) == "192.0.2.7"

    def test_behind_one_proxy_the_address_it_appended_counts(self, settings: Any) -> None:
        settings.PHAEN_PROXY_COUNT = 1
        # The client wrote a fake address first; the proxy appended the real one.
        request = factory.get(
            "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9"
        )

        assert client_ip(request) == "203.0.113.9"

    def test_a_missing_header_behind_a_proxy_falls_back_to_the_socket(self, settings: Any) -> None:
        settings.PHAEN_PROXY_COUNT = 2
        request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")

        assert client_ip(request) == "10.0.0.2"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
class TestInterfaces:
    def test_the_decorator_answers_429_past_the_rate_for_posts_only(self, client: Client) -> None:
        assert [client.post("/comment/").status_code for _ in range(3)] == [200, 200, 429]

        refused = client.post("/comment/")
        assert refused["Retry-After"].isdigit()
        assert client.get("/comment/").status_code == 200

    def test_the_api_answers_429_with_the_error_shape(self, client: Client) -> None:
        for _ in range(2):
            assert client.post("/api/comments").status_code == 200

        response = client.post("/api/comments", HTTP_ACCEPT_LANGUAGE="en")

        assert response.status_code == 429
        body = response.json()
        assert body["code"] == "rate_limited"
        assert body["message"] == "Too many requests. Please wait a moment and try again."
        assert body["detail"]["retry_after"] > 0
