"""The demonstration accounts: one per role, created once, passwords printed once."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from phaen.accounts.models import Membership
from phaen.accounts.permissions import roles_of

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("demo_users", stdout=out)
    return out.getvalue()


def test_every_role_gets_an_account_and_a_second_run_changes_nothing(monkeypatch):
    monkeypatch.delenv("PHAEN_DEMO_PASSWORD", raising=False)

    first = run()
    second = run()

    roles = set(
        Membership.objects.filter(user__username__contains=".").values_list("role", flat=True)
    )
    assert roles == {"system_admin", "org_admin", "planner", "approver", "data_reporter", "auditor"}
    assert "planner.kk" in first and "shown this once" in first
    assert "exist already" in second
    planner = get_user_model().objects.get(username="planner.kk")
    assert roles_of(planner).covers("planner", Membership.objects.get(user=planner).organisation_id)


def test_the_password_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PHAEN_DEMO_PASSWORD", "a-long-demo-passphrase-2569")

    run()

    assert (
        get_user_model()
        .objects.get(username="auditor.onde")
        .check_password("a-long-demo-passphrase-2569")
    )


def test_an_organisation_administrator_cannot_grant_the_auditor_role():
    from phaen.accounts.models import Role
    from phaen.accounts.services import membership_grant
    from phaen.core.errors import PermissionDenied
    from phaen.orgs.models import Organisation

    depa = Organisation.objects.get(code="depa")
    admin = get_user_model().objects.create_user(username="depa-admin", password="x")
    Membership.objects.create(user=admin, organisation=depa, role=Role.ORG_ADMIN)
    staff = get_user_model().objects.create_user(username="depa-staff", password="x")

    membership_grant(actor=admin, user=staff, organisation=depa, role=Role.PLANNER)
    with pytest.raises(PermissionDenied):
        membership_grant(actor=admin, user=staff, organisation=depa, role=Role.AUDITOR)

    assert list(Membership.objects.filter(user=staff).values_list("role", flat=True)) == ["planner"]
