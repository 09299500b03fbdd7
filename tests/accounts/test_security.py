"""The security baseline: headers and CSP, Argon2, password rules, cookies, the deploy check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from config.settings import base

ROOT = Path(__file__).resolve().parents[2]


def run_with_production_settings(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run Python code in a fresh process under config.settings.production."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "phaen.example.go.th",
        **env,
    }
    environment.pop("DATABASE_URL", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestHeaders:
    @pytest.mark.django_db
    @pytest.mark.parametrize("url", ["/", "/geography/", "/accounts/login/"])
    def test_pages_carry_the_security_headers(self, client: Client, url: str) -> None:
        response = client.get(url)

        assert response.status_code == 200
        csp = {
            directive.split()[0]: directive.split()[1:]
            for directive in response["Content-Security-Policy"].split(";")
        }
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]
        assert csp["style-src"] == ["'self'"]
        assert csp["img-src"] == ["'self'", "data:"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["object-src"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        assert csp["base-uri"] == ["'self'"]
        assert "unsafe" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"

    @pytest.mark.django_db
    def test_htmx_is_configured_to_need_neither_eval_nor_inline_styles(
        self, client: Client
    ) -> None:
        html = client.get("/").content.decode()

        assert '"allowEval": false' in html
        assert '"includeIndicatorStyles": false' in html
        assert "<style" not in html
        assert " style=" not in html
        assert "<script>" not in html

    @pytest.mark.django_db
    def test_session_and_csrf_cookies_are_http_only_and_same_site(self, client: Client) -> None:
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_user(username="somchai", password="a long pass phrase")
        response = client.post(
            "/accounts/login/", {"username": "somchai", "password": "a long pass phrase"}
        )

        session = response.cookies[settings.SESSION_COOKIE_NAME]
        assert session["httponly"] and session["samesite"] == "Lax"
        assert int(session["max-age"]) == 8 * 60 * 60
        csrf = client.get("/accounts/login/").cookies.get(settings.CSRF_COOKIE_NAME)
        assert csrf is None or csrf["httponly"]


class TestPasswords:
    def test_argon2_is_the_default_hasher_in_base_settings(self) -> None:
        assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    def test_argon2_hashes_with_argon2id(self) -> None:
        encoded = Argon2PasswordHasher().encode("a long pass phrase", "somesaltvalue123")

        assert encoded.startswith("argon2$argon2id$")
        assert Argon2PasswordHasher().verify("a long pass phrase", encoded)

    @pytest.mark.parametrize(
        ("password", "ok"),
        [
            ("short-pw-1!", False),
            ("password1234", False),
            ("12345678901234", False),
            ("ช้างเผือกสามตัวเดินข้ามสะพาน", True),
        ],
    )
    def test_passwords_need_twelve_characters_and_must_not_be_common(
        self, password: str, ok: bool
    ) -> None:
        if ok:
            validate_password(password)
        else:
            with pytest.raises(ValidationError):
                validate_password(password)

    def test_a_login_attempt_is_refused_before_the_password_when_axes_locks(self) -> None:
        assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
        assert settings.AXES_FAILURE_LIMIT == 10
        assert settings.AXES_COOLOFF_TIME.total_seconds() > 0


class TestProductionSettings:
    def test_the_deploy_check_reports_no_issues(self) -> None:
        result = run_with_production_settings(
            "import sys; from django.core.management import execute_from_command_line; "
            "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', "
            "'WARNING'])"
        )

        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "System check identified no issues" in output
        assert "WARNING" not in output

    def test_production_hashes_with_argon2_and_keeps_uploads_out_of_the_web_root(self) -> None:
        result = run_with_production_settings(
            "import django; django.setup(); "
            "from django.conf import settings; "
            "from django.contrib.auth.hashers import get_hasher; "
            "from django.core.files.storage import storages; "
            "uploads = storages['uploads']; "
            "print(get_hasher().algorithm); "
            "print(uploads.location); print(settings.STATIC_ROOT); print(settings.MEDIA_ROOT); "
            "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
            "settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS)"
        )

        assert result.returncode == 0, result.stderr
        algorithm, uploads, static_root, media_root, flags = result.stdout.strip().splitlines()
        assert algorithm == "argon2"
        for public in (static_root, media_root):
            assert not Path(uploads).is_relative_to(public)
            assert not Path(public).is_relative_to(uploads)
        assert flags == "True True True 31536000"

    @pytest.mark.parametrize(
        ("variable", "value", "message"),
        [
            ("DJANGO_SECRET_KEY", "too-short", "DJANGO_SECRET_KEY"),
            ("DJANGO_ALLOWED_HOSTS", "", "DJANGO_ALLOWED_HOSTS"),
        ],
    )
    def test_production_refuses_to_start_without_its_secrets(
        self, variable: str, value: str, message: str
    ) -> None:
        result = run_with_production_settings("import django; django.setup()", **{variable: value})

        assert result.returncode != 0
        assert message in result.stderr

    def test_the_totp_requirement_is_on_outside_the_tests(self) -> None:
        assert base.PHAEN_TOTP_REQUIRED_FOR_PRIVILEGED is True


def test_api_docs_work_under_the_policy(client: Any, db: Any) -> None:
    """Swagger UI loads only Phaen's own static files and its settings as JSON, not inline code."""
    response = client.get("/api/docs")

    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert '<script type="application/json" id="swagger-settings">' in html
    assert "/static/ninja/swagger-ui-init.js" in html
