"""The core pages: the health check and signing in and out."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.urls("tests.core.shell_urls")


def test_healthz_reports_the_database_ok(client: Client, db: Any) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_only_get(client: Client, db: Any) -> None:
    assert client.post("/healthz").status_code == 405


def test_login_page_renders_the_shell_and_the_form(client: Client, db: Any) -> None:
    response = client.get("/accounts/login/?next=/geography/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="th"' in html
    assert 'name="username"' in html
    assert 'name="next" value="/geography/"' in html


def test_a_user_who_is_not_staff_can_sign_in_and_is_sent_on(client: Client, db: Any) -> None:
    get_user_model().objects.create_user(username="planner1", password="x-planner-pass")

    response = client.post(
        "/accounts/login/",
        {"username": "planner1", "password": "x-planner-pass", "next": "/geography/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/geography/"
    assert client.session.get("_auth_user_id")


def test_a_wrong_password_shows_the_error_summary(client: Client, db: Any) -> None:
    get_user_model().objects.create_user(username="planner1", password="x-planner-pass")

    response = client.post("/accounts/login/", {"username": "planner1", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "data-error-summary" in html
    assert "มีข้อผิดพลาด" in html


def test_sign_out_needs_a_post_and_ends_the_session(client: Client, db: Any) -> None:
    user = get_user_model().objects.create_user(username="planner1", password="x")
    client.force_login(user)

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
