"""The geography pages: regions with their provinces, and one province with its districts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from phaen.geography.models import Province

pytestmark = pytest.mark.django_db


def test_the_regions_page_lists_every_region_and_province(
    client: Client, django_assert_num_queries: Any
) -> None:
    # Regions, their provinces, zones, the zones' provinces: four queries for 77 provinces.
    with django_assert_num_queries(4):
        response = client.get("/geography/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "ภาคตะวันออกเฉียงเหนือ" in html
    assert "ภาคใต้ชายแดน" in html
    assert html.count('href="/geography/provinces/') == 77 + 3  # each province, then the EEC's
    assert 'href="/geography/provinces/40/"' in html
    assert "เขตพัฒนาพิเศษภาคตะวันออก" in html


def test_the_regions_page_in_english_shows_english_names(client: Client) -> None:
    response = client.get("/geography/", HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert "Northeast" in html
    assert "Khon Kaen" in html


def test_a_province_page_lists_its_districts(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):
        response = client.get("/geography/provinces/40/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>ขอนแก่น" in html
    assert "ภาคตะวันออกเฉียงเหนือ" in html
    assert "เมืองขอนแก่น" in html
    assert html.count("<tr>") == 1 + 26  # the header row and one row a district


def test_a_province_page_costs_the_same_queries_whatever_its_size(
    client: Client, django_assert_num_queries: Any
) -> None:
    # Bangkok has 50 districts, Samut Songkhram 3: both pages take three queries.
    for code in ("10", "75"):
        with django_assert_num_queries(3):
            assert client.get(f"/geography/provinces/{code}/").status_code == 200


def test_a_province_in_a_special_zone_says_so(client: Client) -> None:
    html = client.get("/geography/provinces/21/").content.decode()

    assert "เขตพัฒนาพิเศษภาคตะวันออก" in html


def test_an_unknown_province_page_is_404(client: Client) -> None:
    assert client.get("/geography/provinces/99/").status_code == 404


def test_a_province_without_a_region_is_still_shown(client: Client) -> None:
    Province.objects.filter(code="40").update(region=None)

    response = client.get("/geography/provinces/40/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Not assigned" in response.content.decode()
