"""Signing in: the lockout after ten failures, the TOTP step, and TOTP required for approvers."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.urls import include, path
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.urls import urlpatterns as project_urlpatterns
from phaen.accounts.models import Membership, Role
from phaen.core.views import PENDING_SESSION_KEY
from tests.orgs.factories import OrganisationFactory

# The account pages, for as long as config/urls.py does not mount phaen.accounts.urls yet.
_accounts_mounted = any(getattr(p, "namespace", None) == "accounts" for p in project_urlpatterns)
urlpatterns = [
    *project_urlpatterns,
    *([] if _accounts_mounted else [path("", include("phaen.accounts.urls"))]),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PASSWORD = "a long enough pass phrase"
LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    """Rate-limit counters live in the cache; each test starts from zero."""
    cache.clear()


@pytest.fixture
def somchai(db: Any) -> Any:
    return get_user_model().objects.create_user(username="somchai", password=PASSWORD)


def sign_in(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password, **extra}, **EN)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or `steps_ahead` 30-second steps later)."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def confirmed_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


class TestLockout:
    def test_ten_failed_sign_ins_lock_the_account_until_the_cool_off_ends(
        self, client: Client, somchai: Any
    ) -> None:
        # Given nine failed attempts, each answered with the form again
        for _ in range(9):
            response = sign_in(client, "somchai", "wrong password")
            assert response.status_code == 200
            assert "data-error-summary" in response.content.decode()

        # When the tenth fails too, the account is locked
        response = sign_in(client, "somchai", "wrong password")
        assert response.status_code == 429
        assert "Account locked for now" in response.content.decode()

        # Then even the right password is refused, with the lockout page
        response = sign_in(client, "somchai", PASSWORD)
        assert response.status_code == 429
        page = response.content.decode()
        assert "Account locked for now" in page
        assert "15 minutes" in page
        assert signed_in_user_id(client) is None

        # And after the cool-off (the failures moved 16 minutes into the past) it works again
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
        response = sign_in(client, "somchai", PASSWORD)
        assert response.status_code == 302
        assert signed_in_user_id(client) == str(somchai.pk)

    def test_the_lockout_is_for_the_account_not_for_everyone_at_the_address(
        self, client: Client, somchai: Any
    ) -> None:
        get_user_model().objects.create_user(username="malee", password=PASSWORD)
        for _ in range(10):
            sign_in(client, "somchai", "wrong password")

        response = sign_in(Client(), "malee", PASSWORD)

        assert response.status_code == 302

    def test_a_locked_account_is_not_unlocked_by_someone_else_signing_in(
        self, client: Client, somchai: Any
    ) -> None:
        get_user_model().objects.create_user(username="malee", password=PASSWORD)
        for _ in range(10):
            sign_in(client, "somchai", "wrong password")

        assert sign_in(Client(), "malee", PASSWORD).status_code == 302

        assert sign_in(Client(), "somchai", PASSWORD).status_code == 429


class TestRateLimits:
    def test_sign_in_posts_are_limited_per_address(
        self, client: Client, somchai: Any, settings: Any
    ) -> None:
        settings.PHAEN_RATE_SIGNIN = "3/h"
        for _ in range(3):
            sign_in(client, "nobody", "wrong password")

        response = sign_in(client, "somchai", PASSWORD)

        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert "Too many requests" in response.content.decode()
        assert signed_in_user_id(client) is None

    def test_failed_sign_ins_across_usernames_are_capped_per_address(
        self, client: Client, somchai: Any, settings: Any
    ) -> None:
        # Given password spraying: one failure for each of many usernames
        settings.PHAEN_RATE_SIGNIN_FAILURES = "3/h"
        for name in ("a", "b", "c"):
            assert sign_in(client, name, "Password123").status_code == 200

        # Then the address may not try again, even with a right password
        assert sign_in(client, "somchai", PASSWORD).status_code == 429
        # But another address may
        other = Client(REMOTE_ADDR="10.1.2.3")
        assert sign_in(other, "somchai", PASSWORD).status_code == 302

    def test_sign_in_needs_the_csrf_token(self, somchai: Any) -> None:
        client = Client(enforce_csrf_checks=True)

        response = sign_in(client, "somchai", PASSWORD)

        assert response.status_code == 403
        assert signed_in_user_id(client) is None


class TestTotpStep:
    def test_a_totp_user_is_not_signed_in_by_the_password_alone(
        self, client: Client, somchai: Any
    ) -> None:
        confirmed_device(somchai)

        response = sign_in(client, "somchai", PASSWORD, next="/geography/")

        assert response.status_code == 302
        assert response["Location"] == CODE
        assert signed_in_user_id(client) is None
        page = client.get(CODE, **EN)
        assert page.status_code == 200
        assert 'autocomplete="one-time-code"' in page.content.decode()

    def test_a_wrong_code_is_refused_and_the_right_one_signs_in(
        self, client: Client, somchai: Any, settings: Any
    ) -> None:
        settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off between the two tries
        device = confirmed_device(somchai)
        sign_in(client, "somchai", PASSWORD, next="/geography/")
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

        response = client.post(CODE, {"code": wrong}, **EN)
        assert response.status_code == 200
        assert "The code is not correct" in response.content.decode()
        assert signed_in_user_id(client) is None

        response = client.post(CODE, {"code": code_for(device)}, **EN)
        assert response.status_code == 302
        assert response["Location"] == "/geography/"
        assert signed_in_user_id(client) == str(somchai.pk)
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert PENDING_SESSION_KEY not in client.session

    def test_a_code_cannot_be_used_twice(self, client: Client, somchai: Any) -> None:
        device = confirmed_device(somchai)
        code = code_for(device)
        sign_in(client, "somchai", PASSWORD)
        assert client.post(CODE, {"code": code}).status_code == 302

        again = Client()
        sign_in(again, "somchai", PASSWORD)

        assert again.post(CODE, {"code": code}).status_code == 200
        assert signed_in_user_id(again) is None

    def test_wrong_codes_count_towards_the_lockout(
        self, client: Client, somchai: Any, settings: Any
    ) -> None:
        settings.OTP_TOTP_THROTTLE_FACTOR = 0
        device = confirmed_device(somchai)
        sign_in(client, "somchai", PASSWORD)
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

        statuses = [client.post(CODE, {"code": wrong}, **EN).status_code for _ in range(10)]

        assert statuses == [200] * 9 + [429]
        assert PENDING_SESSION_KEY not in client.session
        assert sign_in(Client(), "somchai", PASSWORD).status_code == 429

    def test_the_code_step_expires(self, client: Client, somchai: Any) -> None:
        device = confirmed_device(somchai)
        sign_in(client, "somchai", PASSWORD)
        session = client.session
        session[PENDING_SESSION_KEY]["at"] = int(time.time()) - 301
        session.save()

        response = client.post(CODE, {"code": code_for(device)})

        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/"
        assert signed_in_user_id(client) is None

    def test_the_code_step_without_a_password_step_goes_back_to_sign_in(
        self, client: Client
    ) -> None:
        response = client.get(CODE)

        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/"

    def test_a_session_signed_in_without_the_code_must_give_it(
        self, client: Client, somchai: Any
    ) -> None:
        # Given a TOTP user signed in through a page that asks only for the password (the admin's)
        device = confirmed_device(somchai)
        client.force_login(somchai)

        # When they open a page, they are asked for the code first
        response = client.get("/geography/")
        assert response.status_code == 302
        assert response["Location"] == f"{CODE}?next=%2Fgeography%2F"

        # Then the code lets them through
        response = client.post(f"{CODE}?next=/geography/", {"code": code_for(device)})
        assert response.status_code == 302
        assert response["Location"] == "/geography/"
        assert client.get("/geography/").status_code == 200

    def test_enrolment_cannot_replace_a_device_without_the_code(
        self, client: Client, somchai: Any
    ) -> None:
        confirmed_device(somchai)
        client.force_login(somchai)

        response = client.get("/account/two-step/")

        assert response.status_code == 302
        assert response["Location"].startswith(CODE)
        assert TOTPDevice.objects.filter(user=somchai).count() == 1


@pytest.fixture
def approver(db: Any, settings: Any) -> Any:
    settings.PHAEN_TOTP_REQUIRED_FOR_PRIVILEGED = True
    user = get_user_model().objects.create_user(username="approver", password=PASSWORD)
    Membership.objects.create(user=user, organisation=OrganisationFactory(), role=Role.APPROVER)
    return user


class TestTotpRequired:
    def test_an_approver_signed_in_with_a_password_must_enrol_first(
        self, client: Client, approver: Any
    ) -> None:
        # Given an approver without TOTP who signs in with the password
        response = sign_in(client, "approver", PASSWORD, next="/geography/")
        assert response.status_code == 302
        assert signed_in_user_id(client) == str(approver.pk)

        # When they open any other page, they are sent to enrolment
        response = client.get("/geography/", **EN)
        assert response.status_code == 302
        assert response["Location"] == "/account/two-step/?next=%2Fgeography%2F"
        assert client.get("/account/", **EN).status_code == 302
        refused = client.post("/api/organisations", {}, content_type="application/json")
        assert refused.status_code == 403
        assert refused.json()["code"] == "otp_required"

        # Then enrolment shows a QR code that works under the CSP (a data: image) and a key
        page = client.get("/account/two-step/?next=/geography/", **EN)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'src="data:image/svg+xml;base64,' in html
        assert html.count("must turn on two-step sign-in") == 1

        # And confirming a code from the app opens the pages
        device = TOTPDevice.objects.get(user=approver, confirmed=False)
        response = client.post(
            "/account/two-step/", {"code": code_for(device), "next": "/geography/"}, **EN
        )
        assert response.status_code == 302
        assert response["Location"] == "/geography/"
        assert client.get("/geography/").status_code == 200
        assert TOTPDevice.objects.get(user=approver).confirmed

    def test_htmx_requests_are_redirected_with_hx_redirect(
        self, client: Client, approver: Any
    ) -> None:
        client.force_login(approver)

        response = client.get("/geography/", HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert response["HX-Redirect"].startswith("/account/two-step/")

    def test_signing_out_stays_open(self, client: Client, approver: Any) -> None:
        client.force_login(approver)

        assert client.post("/accounts/logout/").status_code == 302
        assert signed_in_user_id(client) is None

    @pytest.mark.parametrize("kind", ["superuser", "system_admin", "staff"])
    def test_administrators_must_enrol_too(self, client: Client, settings: Any, kind: str) -> None:
        settings.PHAEN_TOTP_REQUIRED_FOR_PRIVILEGED = True
        user = get_user_model().objects.create_user(
            username="admin",
            password=PASSWORD,
            is_superuser=kind == "superuser",
            is_staff=kind == "staff",
        )
        if kind == "system_admin":
            Membership.objects.create(
                user=user, organisation=OrganisationFactory(), role=Role.SYSTEM_ADMIN
            )
        client.force_login(user)

        assert client.get("/geography/")["Location"].startswith("/account/two-step/")

    def test_a_planner_needs_no_second_factor(self, client: Client, settings: Any) -> None:
        settings.PHAEN_TOTP_REQUIRED_FOR_PRIVILEGED = True
        user = get_user_model().objects.create_user(username="planner1", password=PASSWORD)
        Membership.objects.create(user=user, organisation=OrganisationFactory(), role=Role.PLANNER)

        sign_in(client, "planner1", PASSWORD)

        assert client.get("/geography/").status_code == 200
