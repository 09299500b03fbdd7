"""The organisation pages: the searchable list and one organisation's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from phaen.orgs.models import Organisation
from tests.orgs.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_organisations_with_a_search_form(client: Client) -> None:
    response = client.get("/organisations/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="q"' in html
    assert 'name="kind"' in html
    assert (
        f"{Organisation.objects.count()} organisations"
        in client.get("/organisations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ดีป้า", "/organisations/depa/"),
        ("ดีอีเอส", "/organisations/mdes/"),
        ("สดช", "/organisations/onde/"),
    ],
)
def test_searching_by_alias_finds_the_organisation(
    client: Client, query: str, expected: str
) -> None:
    html = client.get("/organisations/", {"q": query}).content.decode()

    assert f'href="{expected}"' in html


def test_filtering_by_kind(client: Client) -> None:
    html = client.get("/organisations/", {"kind": "university"}).content.decode()

    assert "มหาวิทยาลัยเทคโนโลยีสุรนารี" in html
    assert "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม" not in html


def test_a_search_that_finds_nothing_says_so(client: Client) -> None:
    response = client.get("/organisations/", {"q": "ไม่มีหน่วยงานนี้"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "No organisation matches your search." in response.content.decode()


def test_an_unknown_kind_is_ignored_rather_than_an_error(client: Client) -> None:
    assert client.get("/organisations/", {"kind": "guild"}).status_code == 200


def test_the_list_costs_the_same_queries_however_many_organisations(client: Client) -> None:
    def queries_for_one_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/organisations/", {"page": 2}).status_code == 200
        return len(captured)

    few = queries_for_one_page()
    OrganisationFactory.create_batch(40, parent=Organisation.objects.get(code="nso"))
    many = queries_for_one_page()

    assert few == many
    assert many <= 3  # the count, the page with parents and provinces, their aliases


def test_the_list_pages_through_results(client: Client) -> None:
    OrganisationFactory.create_batch(30)

    html = client.get("/organisations/", {"q": "หน่วยงานทดสอบ", "page": 2}).content.decode()

    assert 'rel="prev"' in html
    assert "q=%E0%B8%AB" in html  # the search is kept in the page links


def test_an_organisation_page_shows_names_parent_children_and_aliases(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        response = client.get("/organisations/mdes/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม" in html
    assert "ดีอีเอส" in html
    assert 'href="/organisations/depa/"' in html
    assert 'href="/organisations/onde/"' in html


def test_a_child_links_to_its_parent_and_province(client: Client) -> None:
    html = client.get("/organisations/kbj-40/").content.decode()

    assert 'href="/organisations/province-office-40/"' in html
    assert 'href="/geography/provinces/40/"' in html
    assert "ก.บ.จ. จ.ขก." in html


def test_an_unknown_organisation_page_is_404(client: Client) -> None:
    assert client.get("/organisations/no-such-org/").status_code == 404
