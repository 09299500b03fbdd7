"""Organisation administrators manage their organisation's people, on the page and the API."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from phaen.accounts.models import Membership, Role
from phaen.core.models import AuditRecord
from phaen.orgs.models import Organisation
from tests.conftest import member, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def depa() -> Organisation:
    return Organisation.objects.get(code="depa")


@pytest.fixture
def admin(depa: Organisation):
    return member("depa-orgadmin", Role.ORG_ADMIN, depa)


def test_the_administrator_adds_a_new_planner_on_the_page_and_takes_the_role_away(admin, depa):
    client = signed_in(admin)
    url = reverse("accounts:members", args=["depa"])

    response = client.post(
        url,
        {
            "username": "somchai.p",
            "role": "planner",
            "full_name": "สมชาย",
            "password": "a-long-first-passphrase",
        },
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user__username="somchai.p", organisation=depa)
    assert membership.role == Role.PLANNER
    assert "somchai.p" in client.get(url).content.decode()
    assert client.post(reverse("accounts:member_revoke", args=[membership.pk])).status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active


def test_a_new_account_needs_a_first_password(admin):
    response = signed_in(admin).post(
        reverse("accounts:members", args=["depa"]), {"username": "nobody.yet", "role": "planner"}
    )

    assert response.status_code == 422
    assert not get_user_model().objects.filter(username="nobody.yet").exists()


def test_the_administrator_of_another_organisation_is_refused(depa):
    other = member("onde-orgadmin", Role.ORG_ADMIN, Organisation.objects.get(code="onde"))

    page = signed_in(other).get(reverse("accounts:members", args=["depa"]))
    api = signed_in(other).post(
        "/api/accounts/organisations/depa/members",
        json.dumps({"username": "x.y", "role": "planner", "password": "a-long-first-passphrase"}),
        content_type="application/json",
    )

    assert page.status_code == 403
    assert api.status_code == 403
    assert AuditRecord.objects.filter(outcome="denied", action="membership.list").exists()
    assert not get_user_model().objects.filter(username="x.y").exists()


def test_the_api_lists_and_grants_roles_to_existing_accounts(admin, depa):
    existing = get_user_model().objects.create_user(username="existing.person", password="x")
    client = signed_in(admin)

    added = client.post(
        "/api/accounts/organisations/depa/members",
        json.dumps({"username": "Existing.Person", "role": "data_reporter"}),
        content_type="application/json",
    )
    listed = client.get("/api/accounts/organisations/depa/members").json()
    auditor = client.post(
        "/api/accounts/organisations/depa/members",
        json.dumps({"username": "existing.person", "role": "auditor"}),
        content_type="application/json",
    )

    assert added.status_code == 201
    assert {(m["username"], m["role"]) for m in listed} >= {("existing.person", "data_reporter")}
    assert auditor.status_code == 403
    assert not Membership.objects.filter(user=existing, role=Role.AUDITOR).exists()
    assert Client().get("/api/accounts/organisations/depa/members").status_code == 401
