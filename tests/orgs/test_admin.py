"""The admin for organisations: it lists, shows and saves under the services' rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from phaen.orgs.models import Organisation
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_en(db: Any) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x-root-pass")
    return signed_in(user, HTTP_ACCEPT_LANGUAGE="en")


def form_data(organisation: Organisation, **changes: str) -> dict[str, str]:
    aliases = list(organisation.aliases.all())
    data = {
        "code": organisation.code,
        "name_th": organisation.name_th,
        "name_en": organisation.name_en,
        "abbreviation_th": organisation.abbreviation_th,
        "abbreviation_en": organisation.abbreviation_en,
        "kind": organisation.kind,
        "parent": str(organisation.parent_id or ""),
        "province": str(organisation.province_id or ""),
        "website": organisation.website,
        "source": organisation.source,
        "is_active": "on",
        "aliases-TOTAL_FORMS": str(len(aliases) + 1),
        "aliases-INITIAL_FORMS": str(len(aliases)),
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
    }
    for index, alias in enumerate(aliases):
        data[f"aliases-{index}-id"] = str(alias.pk)
        data[f"aliases-{index}-organisation"] = str(organisation.pk)
        data[f"aliases-{index}-alias"] = alias.alias
    data[f"aliases-{len(aliases)}-organisation"] = str(organisation.pk)
    data[f"aliases-{len(aliases)}-alias"] = ""
    data.update(changes)
    return data


def test_the_admin_lists_and_shows_organisations(admin_client_en: Client) -> None:
    depa = Organisation.objects.get(code="depa")

    assert admin_client_en.get("/admin/orgs/organisation/?q=depa").status_code == 200
    response = admin_client_en.get(f"/admin/orgs/organisation/{depa.pk}/change/")

    assert response.status_code == 200
    assert "ดีป้า" in response.content.decode()


def test_an_alias_added_in_the_admin_is_normalised_and_searchable(admin_client_en: Client) -> None:
    nso = Organisation.objects.get(code="nso")
    data = form_data(nso)
    data[f"aliases-{nso.aliases.count()}-alias"] = "สถิติแห่งชาติ"

    response = admin_client_en.post(f"/admin/orgs/organisation/{nso.pk}/change/", data)

    assert response.status_code == 302
    nso.refresh_from_db()
    assert nso.aliases.filter(normalized="สถิติแห่งชาติ").exists()
    assert "สถิติแห่งชาติ" in nso.search_document


def test_the_admin_refuses_another_organisations_alias(admin_client_en: Client) -> None:
    nso = Organisation.objects.get(code="nso")
    data = form_data(nso)
    data[f"aliases-{nso.aliases.count()}-alias"] = "ดีป้า"

    response = admin_client_en.post(f"/admin/orgs/organisation/{nso.pk}/change/", data)

    assert response.status_code == 200
    assert "already names" in response.content.decode()
    assert not nso.aliases.filter(normalized="ดีป้า").exists()


def test_the_admin_refuses_a_parent_cycle(admin_client_en: Client) -> None:
    mdes = Organisation.objects.get(code="mdes")
    depa = Organisation.objects.get(code="depa")

    response = admin_client_en.post(
        f"/admin/orgs/organisation/{mdes.pk}/change/", form_data(mdes, parent=str(depa.pk))
    )

    assert response.status_code == 200
    assert "cannot be its parent" in response.content.decode()
    mdes.refresh_from_db()
    assert mdes.parent is None
