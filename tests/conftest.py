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


@pytest.fixture
def planner(db: Any) -> Any:
    """A signed-in-able user allowed to edit plans, elements and alignment links."""
    user = get_user_model().objects.create_user(username="planner", password="x-planner-pass")
    codenames = [
        f"{action}_{model}"
        for action in ("add", "change", "delete")
        for model in ("plan", "planelement", "alignmentlink", "organisation")
    ]
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
