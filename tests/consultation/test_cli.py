"""The participation commands: `phaen hearings` and `phaen suggest_groups`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from phaen.accounts.models import Role
from phaen.consultation.models import CommentGroup
from tests.conftest import member
from tests.consultation.grouping_fixtures import add_comments, make_hearing
from tests.plans.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_hearings_lists_the_reference_hearing_with_its_period_and_comments() -> None:
    hearing = make_hearing("cli-hearing")
    add_comments(hearing)
    lines = run("hearings").splitlines()
    ours = next(line for line in lines if line.startswith("cli-hearing\t"))
    assert f"{hearing.comments.count()} comments" in ours
    assert hearing.title_th in ours
    assert any(line.startswith("eec-digital-infra-2-hearing\t") for line in lines)
    # Years are Buddhist Era
    assert str(hearing.starts_at.year + 543) in ours


def test_hearings_filters_by_status_and_refuses_an_unknown_one() -> None:
    make_hearing("cli-open-hearing")
    listed = run("hearings", "--status", "open")
    assert "cli-open-hearing" in listed
    assert "cli-open-hearing" not in run("hearings", "--status", "closed")
    with translation.override("en"), pytest.raises(CommandError, match="Unknown status"):
        call_command("hearings", "--status", "finished", stdout=StringIO())


def test_suggest_groups_groups_the_comments_as_the_system_actor() -> None:
    hearing = make_hearing("cli-groups")
    add_comments(hearing)
    out = run("suggest_groups", "cli-groups")
    groups = CommentGroup.objects.filter(hearing=hearing)
    assert groups.count() >= 3
    assert out.startswith(f"{groups.count()} groups suggested")
    for group in groups:
        assert f"#{group.pk}\t" in out


def test_suggest_groups_applies_the_users_permissions() -> None:
    hearing = make_hearing("cli-groups-refused")
    add_comments(hearing)
    member("cli-stranger", Role.PLANNER, OrganisationFactory())
    with translation.override("en"), pytest.raises(CommandError):
        call_command("suggest_groups", "cli-groups-refused", "--user", "cli-stranger")
    assert not CommentGroup.objects.filter(hearing=hearing).exists()


def test_suggest_groups_refuses_an_unknown_hearing_or_user() -> None:
    with translation.override("en"), pytest.raises(CommandError):
        call_command("suggest_groups", "no-such-hearing", stdout=StringIO())
    make_hearing("cli-groups-user")
    with translation.override("en"), pytest.raises(CommandError, match="no active user"):
        call_command("suggest_groups", "cli-groups-user", "--user", "nobody", stdout=StringIO())
