"""Reads of the geography: filters, search, look-ups and their query counts."""

from __future__ import annotations

from typing import Any

import pytest

from phaen.core.errors import NotFound
from phaen.geography import selectors

pytestmark = pytest.mark.django_db


def test_provinces_of_one_region() -> None:
    codes = list(selectors.province_list(region="east").values_list("code", flat=True))

    assert codes == ["20", "21", "22", "23", "24", "25", "26", "27"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ขอนแก่น", ["40"]),
        ("khon kaen", ["40"]),
        ("BANGKOK", ["10"]),
        ("  กรุงเทพ  ", ["10"]),
        ("96", ["96"]),
        ("๙๖", ["96"]),  # Thai digits are folded to Arabic digits
        ("ไม่มีจังหวัดนี้", []),
    ],
)
def test_province_search_matches_thai_and_english_names_and_codes(
    search: str, expected: list[str]
) -> None:
    assert list(selectors.province_list(search=search).values_list("code", flat=True)) == expected


def test_an_unknown_region_is_not_found_rather_than_empty() -> None:
    with pytest.raises(NotFound) as error:
        selectors.province_list(region="atlantis")

    assert error.value.code == "region_not_found"
    assert error.value.detail == {"code": "atlantis"}


def test_a_province_comes_with_its_region_districts_and_zones_in_three_queries(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(3):
        province = selectors.province_get("20")
        region = province.region.code
        districts = list(province.districts.all())
        zones = [zone.code for zone in province.special_zones.all()]
        subdistricts = sum(d.subdistrict_count for d in districts)  # type: ignore[attr-defined]

    assert region == "east"
    assert zones == ["eec"]
    assert len(districts) == 11
    assert subdistricts == 92


def test_an_unknown_province_is_not_found() -> None:
    with pytest.raises(NotFound) as error:
        selectors.province_get("99")

    assert error.value.code == "province_not_found"


def test_districts_of_a_province_and_subdistricts_of_a_district() -> None:
    districts = selectors.district_list(province_code="40")
    subdistricts = selectors.subdistrict_list(district_code="4001")

    assert districts.count() == 26
    assert all(d.code.startswith("40") for d in districts)
    assert subdistricts.count() == 18
    assert all(s.code.startswith("4001") for s in subdistricts)


def test_filters_naming_unknown_parents_are_not_found() -> None:
    with pytest.raises(NotFound):
        selectors.district_list(province_code="99")
    with pytest.raises(NotFound) as error:
        selectors.subdistrict_list(district_code="9999")

    assert error.value.code == "district_not_found"


def test_regions_and_zones_read_their_provinces_in_one_extra_query(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(4):
        regions = {r.code: [p.code for p in r.provinces.all()] for r in selectors.region_list()}
        zones = {z.code: [p.code for p in z.provinces.all()] for z in selectors.special_zone_list()}

    assert sum(len(codes) for codes in regions.values()) == 77
    assert zones == {"eec": ["20", "21", "24"]}
