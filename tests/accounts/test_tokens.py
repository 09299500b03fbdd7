"""API tokens: made once, stored as a hash, accepted without CSRF, refused once revoked."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import include, path
from django.utils import timezone

from config.urls import urlpatterns as project_urlpatterns
from phaen.accounts import services
from phaen.accounts.models import ApiToken, Membership, Role
from phaen.core.errors import PermissionDenied, ValidationFailed
from phaen.core.models import AuditRecord
from phaen.plans.models import Plan
from tests.conftest import planning_office
from tests.orgs.factories import OrganisationFactory

_accounts_mounted = any(getattr(p, "namespace", None) == "accounts" for p in project_urlpatterns)
urlpatterns = [
    *project_urlpatterns,
    *([] if _accounts_mounted else [path("", include("phaen.accounts.urls"))]),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def new_plan(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name_th": "แผนทดสอบโทเคน",
        "kind": "action_plan",
        "owner": planning_office().code,
        "start_year_be": 2567,
        "end_year_be": 2570,
    }


def bearer(key: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def csrf_client() -> Client:
    """A client that, like a browser, is held to Django's CSRF checks."""
    return Client(enforce_csrf_checks=True)


class TestTokenService:
    def test_the_key_is_returned_once_and_only_its_hash_is_kept(self, planner: Any) -> None:
        token, key = services.token_create(actor=planner, user=planner, name="dashboard")

        assert key.startswith("phaen_") and len(key) == len("phaen_") + 43
        assert token.prefix == key[6:14]
        assert token.key_hash == services.token_hash(key)
        assert key not in json.dumps(list(ApiToken.objects.values()), default=str)
        assert AuditRecord.objects.filter(action="api_token.create", target_id=str(token.pk))

    def test_a_token_needs_a_name_and_a_future_expiry(self, planner: Any) -> None:
        with pytest.raises(ValidationFailed) as blank:
            services.token_create(actor=planner, user=planner, name="  ")
        assert blank.value.code == "token_name_required"
        with pytest.raises(ValidationFailed) as past:
            services.token_create(
                actor=planner,
                user=planner,
                name="old",
                expires_at=timezone.now() - timedelta(days=1),
            )
        assert past.value.code == "token_expiry_past"

    def test_users_manage_only_their_own_tokens(self, planner: Any, reader: Any) -> None:
        token, _ = services.token_create(actor=planner, user=planner, name="mine")

        with pytest.raises(PermissionDenied):
            services.token_create(actor=reader, user=planner, name="theirs")
        with pytest.raises(PermissionDenied):
            services.token_revoke(actor=reader, token=token)
        token.refresh_from_db()
        assert token.revoked_at is None
        assert AuditRecord.objects.filter(action="api_token.revoke", outcome="denied").exists()

    def test_system_administrators_manage_anyone_s_tokens(self, planner: Any) -> None:
        admin = get_user_model().objects.create_user(username="sysadmin", password="x")
        Membership.objects.create(
            user=admin, organisation=OrganisationFactory(), role=Role.SYSTEM_ADMIN
        )
        token, _ = services.token_create(actor=admin, user=planner, name="for the planner")

        services.token_revoke(actor=admin, token=token)

        token.refresh_from_db()
        assert token.user == planner and token.revoked_at is not None


class TestTokenOnTheApi:
    def test_a_token_writes_through_the_api_without_csrf(
        self, planner: Any, csrf_client: Client
    ) -> None:
        _, key = services.token_create(actor=planner, user=planner, name="script")

        response = csrf_client.post(
            "/api/plans", json.dumps(new_plan("token-plan")), "application/json", **bearer(key)
        )

        assert response.status_code == 201, response.content
        plan = Plan.objects.get(code="token-plan")
        assert plan.owner == planning_office()

    def test_a_session_still_needs_the_csrf_token(self, planner: Any, csrf_client: Client) -> None:
        csrf_client.force_login(planner)

        response = csrf_client.post(
            "/api/plans", json.dumps(new_plan("session-plan")), "application/json"
        )

        assert response.status_code == 403
        assert not Plan.objects.filter(code="session-plan").exists()

    def test_a_revoked_token_is_refused_with_401(self, planner: Any, csrf_client: Client) -> None:
        token, key = services.token_create(actor=planner, user=planner, name="script")
        services.token_revoke(actor=planner, token=token)

        response = csrf_client.post(
            "/api/plans", json.dumps(new_plan("revoked-plan")), "application/json", **bearer(key)
        )

        assert response.status_code == 401
        assert response.json()["code"] == "invalid_token"
        assert not Plan.objects.filter(code="revoked-plan").exists()

    @pytest.mark.parametrize("case", ["expired", "unknown", "inactive user", "not ours"])
    def test_other_dead_tokens_are_refused(
        self, planner: Any, csrf_client: Client, case: str
    ) -> None:
        token, key = services.token_create(
            actor=planner, user=planner, name="script", expires_at=timezone.now() + timedelta(1)
        )
        if case == "expired":
            ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
        elif case == "unknown":
            key = key[:-1] + ("A" if key[-1] != "A" else "B")
        elif case == "inactive user":
            get_user_model().objects.filter(pk=planner.pk).update(is_active=False)
        else:
            key = "Sesame"

        response = csrf_client.post(
            "/api/plans", json.dumps(new_plan("dead-plan")), "application/json", **bearer(key)
        )

        assert response.status_code == 401
        assert not Plan.objects.filter(code="dead-plan").exists()

    def test_a_token_has_exactly_its_user_s_permissions(
        self, reader: Any, csrf_client: Client
    ) -> None:
        _, key = services.token_create(actor=reader, user=reader, name="reader script")

        response = csrf_client.post(
            "/api/plans", json.dumps(new_plan("reader-plan")), "application/json", **bearer(key)
        )

        assert response.status_code == 403
        assert not Plan.objects.filter(code="reader-plan").exists()

    def test_last_used_is_written_at_most_once_a_minute(self, planner: Any, client: Client) -> None:
        token, key = services.token_create(actor=planner, user=planner, name="script")
        patch = json.dumps({"name_th": "ชื่อใหม่"})
        client.post(
            "/api/plans", json.dumps(new_plan("used-plan")), "application/json", **bearer(key)
        )
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None

        client.patch("/api/plans/used-plan", patch, "application/json", **bearer(key))
        token.refresh_from_db()
        assert token.last_used_at == first

        ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
        client.patch("/api/plans/used-plan", patch, "application/json", **bearer(key))
        token.refresh_from_db()
        assert token.last_used_at > first - timedelta(minutes=2)

    def test_reading_needs_no_token(self, client: Client) -> None:
        assert client.get("/api/plans").status_code == 200


class TestTokenPages:
    def test_the_account_page_makes_a_token_and_shows_it_once(self, planner_client: Client) -> None:
        response = planner_client.post("/account/tokens/", {"name": "dashboard"})

        assert response.status_code == 200
        token = ApiToken.objects.get(name="dashboard")
        html = response.content.decode()
        key_start = html.index("phaen_" + token.prefix)
        key = html[key_start : key_start + len("phaen_") + 43]
        assert services.token_hash(key) == token.key_hash
        assert "no-store" in response["Cache-Control"]

        overview = planner_client.get("/account/").content.decode()
        assert "dashboard" in overview and key not in overview

    def test_a_token_can_be_revoked_from_the_account_page(self, planner: Any) -> None:
        client = Client()
        client.force_login(planner)
        token, _ = services.token_create(actor=planner, user=planner, name="old script")

        response = client.post(f"/account/tokens/{token.pk}/revoke/")

        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_someone_else_s_token_cannot_be_revoked_from_the_page(
        self, planner: Any, reader: Any
    ) -> None:
        token, _ = services.token_create(actor=planner, user=planner, name="planner script")
        client = Client()
        client.force_login(reader)

        response = client.post(f"/account/tokens/{token.pk}/revoke/")

        assert response.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_the_account_pages_need_a_signed_in_user(self, client: Client) -> None:
        assert client.get("/account/").status_code == 302
        assert client.post("/account/tokens/", {"name": "x"}).status_code == 302
        assert not ApiToken.objects.exists()
