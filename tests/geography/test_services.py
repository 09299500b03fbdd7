"""Loading the geography: counts from geothai, regions and zones from YAML, idempotent re-runs."""

from __future__ import annotations

from pathlib import Path

import geothai
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phaen.core import reference
from phaen.core.reference import ReferenceError
from phaen.geography.models import District, Province, Region, SpecialZone, Subdistrict
from phaen.geography.services import (
    geography_load_reference,
    read_regions,
    read_special_zones,
)

pytestmark = pytest.mark.django_db

PROVINCE_NAMES = {p.code: p.name_th for p in geothai.provinces()}


def test_the_loaded_geography_has_every_province_district_and_subdistrict() -> None:
    # Given the reference data loaded for the session (tests/conftest.py)
    # Then the counts are those of the Ministry of Interior codes shipped by geothai
    assert Province.objects.count() == 77
    assert District.objects.count() == 928
    assert Subdistrict.objects.count() == 7436
    assert Region.objects.count() == 6
    # And every code nests under its parent's code (TIS 1099)
    assert all(
        code.startswith(parent)
        for code, parent in District.objects.values_list("code", "province__code")
    )
    assert all(
        code.startswith(parent)
        for code, parent in Subdistrict.objects.values_list("code", "district__code")
    )


def test_districts_and_subdistricts_nest_under_their_parent_codes() -> None:
    khon_kaen = Province.objects.get(code="40")
    district = District.objects.select_related("province").get(code="4001")
    subdistrict = Subdistrict.objects.select_related("district").get(code="400101")

    assert khon_kaen.name_th == "ขอนแก่น"
    assert khon_kaen.name_en == "Khon Kaen"
    assert district.province == khon_kaen
    assert subdistrict.district == district
    assert subdistrict.postal_codes == "40000"


def test_every_province_is_in_exactly_one_of_the_six_regions() -> None:
    sizes = {region.code: region.provinces.count() for region in Region.objects.all()}

    assert not Province.objects.filter(region__isnull=True).exists()
    assert sizes == {
        "north": 17,
        "northeast": 20,
        "central": 18,
        "east": 8,
        "south": 9,
        "southern-border": 5,
    }
    assert sum(sizes.values()) == 77
    assert list(Region.objects.values_list("code", flat=True)) == [
        "north",
        "northeast",
        "central",
        "east",
        "south",
        "southern-border",
    ]
    assert Province.objects.get(code="10").region.code == "central"  # Bangkok
    assert Province.objects.get(code="26").region.code == "east"  # Nakhon Nayok


def test_the_eec_is_chachoengsao_chonburi_and_rayong() -> None:
    eec = SpecialZone.objects.get(code="eec")

    assert sorted(eec.provinces.values_list("code", flat=True)) == ["20", "21", "24"]
    assert eec.abbreviation == "EEC"
    assert eec.name_th == "เขตพัฒนาพิเศษภาคตะวันออก"
    assert "2561" in eec.legal_basis
    assert eec.source


def test_reloading_changes_nothing_and_writes_nothing() -> None:
    # Given the loaded geography
    before = {
        "regions": Region.objects.count(),
        "provinces": Province.objects.count(),
        "districts": District.objects.count(),
        "subdistricts": Subdistrict.objects.count(),
        "special zones": SpecialZone.objects.count(),
    }

    # When it is loaded again
    with CaptureQueriesContext(connection) as queries:
        counts = geography_load_reference()

    # Then the counts are the same and not a single row was written
    assert counts == before
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_reloading_repairs_a_changed_row_and_a_changed_zone() -> None:
    # Given a province renamed and moved, and the EEC missing a province
    Province.objects.filter(code="40").update(
        name_en="Kon Ken", region=Region.objects.get(code="south")
    )
    eec = SpecialZone.objects.get(code="eec")
    eec.provinces.remove(Province.objects.get(code="21"))

    # When the reference data is loaded again
    geography_load_reference()

    # Then the source's values are back
    khon_kaen = Province.objects.select_related("region").get(code="40")
    assert khon_kaen.name_en == "Khon Kaen"
    assert khon_kaen.region.code == "northeast"
    assert sorted(eec.provinces.values_list("code", flat=True)) == ["20", "21", "24"]


def test_the_loaders_are_registered_geography_first() -> None:
    names = [loader.name for loader in reference.loaders()]

    assert names.index("geography") < names.index("organisations")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _regions_yaml(groups: dict[str, list[str]]) -> str:
    lines = ["regions:"]
    for code, provinces in groups.items():
        lines += [f"  - code: {code}", "    name_th: ภาค", "    name_en: Region", "    provinces:"]
        lines += [f'      - "{province}"' for province in provinces]
    return "\n".join(lines) + "\n"


def test_a_province_in_two_regions_is_refused_with_both_named(tmp_path: Path) -> None:
    codes = sorted(PROVINCE_NAMES)
    path = write(tmp_path, _regions_yaml({"a": codes, "b": ["40"]}))

    with pytest.raises(ReferenceError) as error:
        read_regions(path, PROVINCE_NAMES)

    assert "region 'b'" in str(error.value.message)
    assert "40 (ขอนแก่น)" in str(error.value.message)
    assert "region 'a'" in str(error.value.message)


def test_a_province_in_no_region_is_refused_and_named(tmp_path: Path) -> None:
    codes = [code for code in sorted(PROVINCE_NAMES) if code != "96"]
    path = write(tmp_path, _regions_yaml({"a": codes}))

    with pytest.raises(ReferenceError) as error:
        read_regions(path, PROVINCE_NAMES)

    assert "96 (นราธิวาส)" in str(error.value.message)
    assert error.value.detail["provinces"] == ["96"]


def test_an_unknown_province_code_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, _regions_yaml({"a": [*sorted(PROVINCE_NAMES), "99"]}))

    with pytest.raises(ReferenceError) as error:
        read_regions(path, PROVINCE_NAMES)

    assert "99" in str(error.value.message)


def test_a_malformed_regions_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "regions: [\n")

    with pytest.raises(ReferenceError) as error:
        read_regions(path, PROVINCE_NAMES)

    assert error.value.code == "reference_malformed"


def test_a_zone_with_an_unknown_province_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "special_zones.yaml"
    path.write_text(
        "zones:\n  - code: z\n    name_th: เขต\n    name_en: Zone\n    source: test\n"
        '    provinces: ["20", "00"]\n',
        encoding="utf-8",
    )

    with pytest.raises(ReferenceError) as error:
        read_special_zones(path, PROVINCE_NAMES)

    assert "zone 'z'" in str(error.value.message)
    assert "00" in str(error.value.message)


def test_a_bad_regions_file_makes_the_loader_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a regions file that forgets a province, and a region renamed in the database
    from phaen.geography import services

    Region.objects.filter(code="north").update(name_en="Changed")
    codes = [code for code in sorted(PROVINCE_NAMES) if code != "10"]
    monkeypatch.setattr(services, "REGIONS_FILE", write(tmp_path, _regions_yaml({"north": codes})))

    # When the loader runs
    with pytest.raises(ReferenceError):
        geography_load_reference()

    # Then nothing was written: the rename stands
    assert Region.objects.get(code="north").name_en == "Changed"
