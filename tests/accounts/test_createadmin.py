"""`phaen createadmin`: the first administrator, never with a default or weak password."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from phaen.accounts.models import Membership, Role
from phaen.accounts.permissions import is_system_admin
from phaen.core.models import AuditRecord
from tests.orgs.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

STRONG = "ช้างเผือกสามตัวเดินข้ามสะพาน"


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A terminal whose getpass answers come from the list the test fills."""
    answers: list[str] = []
    stdin = io.StringIO("")
    stdin.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", stdin)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    monkeypatch.delenv("PHAEN_ADMIN_PASSWORD", raising=False)
    yield answers


def createadmin(*args: str) -> str:
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_without_a_terminal_the_password_comes_from_the_environment(
    no_terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHAEN_ADMIN_PASSWORD", STRONG)
    organisation = OrganisationFactory(code="test-admin-office")

    output = createadmin(
        "--username", "root", "--email", "root@dga.or.th", "--organisation", "test-admin-office"
    )

    user = get_user_model().objects.get(username="root")
    assert "root" in output
    assert user.is_superuser and user.is_staff and user.check_password(STRONG)
    assert Membership.objects.filter(
        user=user, organisation=organisation, role=Role.SYSTEM_ADMIN
    ).exists()
    assert is_system_admin(user)
    assert AuditRecord.objects.filter(action="user.create_admin", target_id=str(user.pk)).exists()


def test_without_a_terminal_or_the_variable_nothing_is_created(
    no_terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PHAEN_ADMIN_PASSWORD", raising=False)

    with pytest.raises(CommandError, match="PHAEN_ADMIN_PASSWORD"):
        createadmin("--username", "root", "--email", "root@dga.or.th")

    assert not get_user_model().objects.filter(username="root").exists()


@pytest.mark.parametrize("weak", ["short", "password1234", "12345678901234", "root@dga.or.th!"])
def test_weak_passwords_are_refused(
    no_terminal: None, monkeypatch: pytest.MonkeyPatch, weak: str
) -> None:
    monkeypatch.setenv("PHAEN_ADMIN_PASSWORD", weak)

    with pytest.raises(CommandError):
        createadmin("--username", "root", "--email", "root@dga.or.th")

    assert not get_user_model().objects.filter(username="root").exists()


def test_an_existing_username_is_refused(
    no_terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    get_user_model().objects.create_user(username="root", password="x")
    monkeypatch.setenv("PHAEN_ADMIN_PASSWORD", STRONG)

    with translation.override("en"), pytest.raises(CommandError, match="already exists"):
        createadmin("--username", "Root", "--email", "root@dga.or.th")

    assert not get_user_model().objects.get(username="root").is_superuser


def test_an_unknown_organisation_is_refused(
    no_terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHAEN_ADMIN_PASSWORD", STRONG)

    with pytest.raises(CommandError, match="no-such-org"):
        createadmin("--username", "root", "--email", "a@b.th", "--organisation", "no-such-org")


def test_at_a_terminal_the_password_is_asked_twice(terminal: list[str]) -> None:
    # Given a typing mistake, then a weak password, then a good one typed twice
    terminal.extend(["first try", "first tyr", "weak", "weak", STRONG, STRONG])

    createadmin("--username", "root", "--email", "root@dga.or.th")

    user = get_user_model().objects.get(username="root")
    assert user.check_password(STRONG)
    assert terminal == []


def test_at_a_terminal_the_environment_variable_is_ignored(
    terminal: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHAEN_ADMIN_PASSWORD", "not this one at all!")
    terminal.extend([STRONG, STRONG])

    createadmin("--username", "root", "--email", "root@dga.or.th")

    assert get_user_model().objects.get(username="root").check_password(STRONG)
