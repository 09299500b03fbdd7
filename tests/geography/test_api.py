"""The geography API: read-only lists and look-ups, error shape, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_provinces_answers_all_77_with_codes_and_regions(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        response = client.get("/api/geography/provinces")

    provinces = response.json()
    assert response.status_code == 200
    assert len(provinces) == 77
    assert {p["code"] for p in provinces} >= {"10", "40", "96"}
    assert all(len(p["code"]) == 2 and p["name_th"] and p["name_en"] for p in provinces)
    assert {p["region"] for p in provinces} == {
        "north",
        "northeast",
        "central",
        "east",
        "south",
        "southern-border",
    }
    assert provinces[0] == {
        "code": "10",
        "name_th": "กรุงเทพมหานคร",
        "name_en": "Bangkok",
        "region": "central",
    }


def test_provinces_filter_by_region_and_search(client: Client) -> None:
    east = client.get("/api/geography/provinces", {"region": "east"}).json()
    found = client.get("/api/geography/provinces", {"q": "ขอนแก่น"}).json()
    found_en = client.get("/api/geography/provinces", {"q": "phuket"}).json()

    assert [p["code"] for p in east] == ["20", "21", "22", "23", "24", "25", "26", "27"]
    assert [p["code"] for p in found] == ["40"]
    assert [p["code"] for p in found_en] == ["83"]


def test_an_unknown_region_filter_answers_404_with_the_error_shape(client: Client) -> None:
    response = client.get("/api/geography/provinces", {"region": "atlantis"}, **EN)

    assert response.status_code == 404
    assert response.json() == {
        "code": "region_not_found",
        "message": "There is no region with the code atlantis.",
        "detail": {"code": "atlantis"},
    }


def test_a_province_comes_with_its_districts(client: Client) -> None:
    response = client.get("/api/geography/provinces/40")

    body = response.json()
    assert response.status_code == 200
    assert body["code"] == "40"
    assert body["region"] == "northeast"
    assert len(body["districts"]) == 26
    assert body["districts"][0] == {
        "code": "4001",
        "name_th": "เมืองขอนแก่น",
        "name_en": "Mueang Khon Kaen",
        "subdistrict_count": 18,
    }
    assert body["special_zones"] == []
    assert client.get("/api/geography/provinces/21").json()["special_zones"] == ["eec"]


def test_an_unknown_province_answers_404_with_the_error_shape(client: Client) -> None:
    response = client.get("/api/geography/provinces/99", **EN)

    assert response.status_code == 404
    assert response.json() == {
        "code": "province_not_found",
        "message": "There is no province with the code 99.",
        "detail": {"code": "99"},
    }


def test_districts_are_paginated_and_filtered_by_province(client: Client) -> None:
    one_province = client.get("/api/geography/districts", {"province": "40"}).json()
    first_page = client.get("/api/geography/districts").json()
    big_page = client.get("/api/geography/districts", {"page_size": 200, "page": 5}).json()

    assert one_province["count"] == 26
    assert {d["province"] for d in one_province["items"]} == {"40"}
    assert first_page["count"] == 928
    assert first_page["page_size"] == 25
    assert len(first_page["items"]) == 25
    assert first_page["items"][0]["code"] == "1001"
    assert len(big_page["items"]) == 928 - 4 * 200


@pytest.mark.parametrize(("params", "queries"), [({}, 2), ({"province": "30"}, 3)])
def test_district_pages_take_a_fixed_number_of_queries(
    client: Client, django_assert_num_queries: Any, params: dict[str, str], queries: int
) -> None:
    # Whatever the page size, a page costs a count and one read (plus the province check).
    for page_size in (5, 200):
        with django_assert_num_queries(queries):
            response = client.get("/api/geography/districts", {**params, "page_size": page_size})
        assert response.status_code == 200


def test_subdistricts_of_a_district_with_postal_codes(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(3):
        response = client.get("/api/geography/subdistricts", {"district": "4001"})

    body = response.json()
    assert body["count"] == 18
    assert body["items"][0] == {
        "code": "400101",
        "name_th": "ในเมือง",
        "name_en": "Nai Mueang",
        "district": "4001",
        "postal_codes": ["40000"],
    }


def test_unknown_parent_filters_answer_404(client: Client) -> None:
    assert client.get("/api/geography/districts", {"province": "99"}).status_code == 404
    response = client.get("/api/geography/subdistricts", {"district": "9999"})
    assert response.status_code == 404
    assert response.json()["code"] == "district_not_found"


def test_invalid_pagination_answers_422_with_the_error_shape(client: Client) -> None:
    response = client.get("/api/geography/districts", {"page": 0, "page_size": 500}, **EN)

    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "invalid_input"
    assert set(body["detail"]["fields"]) == {"query.page", "query.page_size"}


def test_regions_list_their_provinces_in_two_queries(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        regions = client.get("/api/geography/regions").json()

    assert [r["code"] for r in regions] == [
        "north",
        "northeast",
        "central",
        "east",
        "south",
        "southern-border",
    ]
    assert regions[1]["name_th"] == "ภาคตะวันออกเฉียงเหนือ"
    assert len(regions[1]["provinces"]) == 20
    assert sum(len(r["provinces"]) for r in regions) == 77


def test_special_zones_list_the_eec(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):
        zones = client.get("/api/geography/special-zones").json()

    assert zones == [
        {
            "code": "eec",
            "name_th": "เขตพัฒนาพิเศษภาคตะวันออก",
            "name_en": "Eastern Economic Corridor",
            "abbreviation": "EEC",
            "legal_basis": "พ.ร.บ.เขตพัฒนาพิเศษภาคตะวันออก พ.ศ. 2561",
            "source": zones[0]["source"],
            "provinces": ["20", "21", "24"],
        }
    ]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_geography_cannot_be_changed_through_the_api(
    planner_client: Client, method: str
) -> None:
    # Even a user allowed to change plans and organisations cannot write the geography.
    response = getattr(planner_client, method)(
        "/api/geography/provinces", "{}", content_type="application/json"
    )

    assert response.status_code == 405


def test_the_api_schema_documents_the_geography(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]

    assert {
        "/api/geography/regions",
        "/api/geography/provinces",
        "/api/geography/provinces/{code}",
        "/api/geography/districts",
        "/api/geography/subdistricts",
        "/api/geography/special-zones",
    } <= set(paths)
