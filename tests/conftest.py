"""Fixtures shared by the whole suite.

The reference data (77 provinces with their districts and sub-districts, organisations, the
national plan hierarchy) is loaded once per test session into the test database, so ordinary
tests see it and roll their own changes back. Browser tests run in a separate pytest run
(`-m browser`) because their live server needs committed data; they load it per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from phaen.core.services import reference_load_all


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, request: Any) -> Iterator[None]:
    """Load the reference data once, unless this run only has browser tests.

    `PHAEN_TEST_REFERENCE=0` skips the load for quick runs of tests that make their own data.
    """
    markexpr = request.config.getoption("-m") or ""
    if markexpr.strip() != "browser" and os.environ.get("PHAEN_TEST_REFERENCE", "1") != "0":
        with django_db_blocker.unblock():
            reference_load_all()
    yield


PLANNING_OFFICE = "test-planning-office"


def planning_office() -> Any:
    """The organisation whose plans the `planner` fixture writes (tests' plans belong to it)."""
    from phaen.orgs.models import Organisation

    office, _ = Organisation.objects.get_or_create(
        code=PLANNING_OFFICE, defaults={"name_th": "สำนักงานวางแผนทดสอบ", "kind": "department"}
    )
    return office


def member(username: str, role: str, organisation: Any, **extra: Any) -> Any:
    """Create a user holding `role` in `organisation`."""
    from phaen.accounts.models import Membership

    user = get_user_model().objects.create_user(username=username, password=f"x-{username}-pw")
    Membership.objects.create(user=user, organisation=organisation, role=role, **extra)
    return user


@pytest.fixture
def planner(db: Any) -> Any:
    """A planner of the test planning office (which owns the plans the factories make).

    The user also holds Django's model permissions on organisations, which the organisations
    services still use.
    """
    user = member("planner", "planner", planning_office())
    codenames = [f"{action}_organisation" for action in ("add", "change", "delete")]
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def reader(db: Any) -> Any:
    """A signed-in user with no permission to change anything."""
    return get_user_model().objects.create_user(username="reader", password="x-reader-pass")


@pytest.fixture
def planner_client(planner: Any) -> Client:
    client = Client()
    client.force_login(planner)
    return client


def pass_second_factor(client: Client, user: Any) -> Client:
    """Give `user` a confirmed TOTP device and mark the client's session as verified with it.

    Administrators, staff and approvers must use TOTP; this is the session state after a real
    sign-in with a code.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def signed_in(user: Any, **client_options: Any) -> Client:
    """Return a test client signed in as `user`, past the second factor."""
    client = Client(**client_options)
    client.force_login(user)
    return pass_second_factor(client, user)


@pytest.fixture
def admin_client(admin_user: Any) -> Client:
    """pytest-django's `admin_client`, past the second factor that administrators must use."""
    return signed_in(admin_user)
