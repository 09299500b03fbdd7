"""Fixtures of the organisation tests: users with and without the organisation permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.orgs.factories import UserFactory

ALL = ["add_organisation", "change_organisation", "delete_organisation"]


@pytest.fixture
def editor(db: Any) -> Any:
    """A user allowed to add, change and delete organisations."""
    return UserFactory(permissions=ALL)


@pytest.fixture
def editor_client(editor: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(editor)
    return client


@pytest.fixture
def reader_client(reader: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reader)
    return client
