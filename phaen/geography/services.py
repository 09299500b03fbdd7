"""Services of the geography app: loading the administrative geography and its regions.

Provinces, districts and sub-districts come from the `geothai` package (Ministry of Interior codes,
TIS 1099), regions and special zones from the YAML files in `phaen/geography/reference/`. The
geography is reference data: nothing in Phaen edits it except this loader, which is idempotent
and writes only the rows that differ from the source, so a re-run costs a few reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geothai
from django.db import models

from phaen.core.reference import ReferenceError, read_yaml, require
from phaen.geography.models import District, Province, Region, SpecialZone, Subdistrict

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
REGIONS_FILE = REFERENCE_DIR / "regions.yaml"
SPECIAL_ZONES_FILE = REFERENCE_DIR / "special_zones.yaml"


@dataclass(frozen=True)
class RegionEntry:
    """A region as the reference file describes it."""

    code: str
    name_th: str
    name_en: str
    position: int
    provinces: tuple[str, ...]


@dataclass(frozen=True)
class SpecialZoneEntry:
    """A special zone as the reference file describes it."""

    code: str
    name_th: str
    name_en: str
    abbreviation: str
    provinces: tuple[str, ...]
    legal_basis: str
    source: str


def geography_load_reference() -> dict[str, int]:
    """Load provinces, districts, sub-districts, regions and special zones; safe to re-run.

    Every file is read and checked before anything is written, so a bad file changes nothing.
    Rows are matched on their code: new ones are created, changed ones updated, unchanged ones
    left alone. Rows that vanished from the source are kept, because plans may refer to them.
    Returns the number of rows of each kind held after the load.
    """
    provinces = geothai.provinces()
    province_names = {p.code: p.name_th for p in provinces}
    regions = read_regions(REGIONS_FILE, province_names)
    zones = read_special_zones(SPECIAL_ZONES_FILE, province_names)

    region_ids = _upsert_by_code(
        Region,
        {
            r.code: {"name_th": r.name_th, "name_en": r.name_en, "position": r.position}
            for r in regions
        },
    )
    region_of_province = {code: region_ids[r.code] for r in regions for code in r.provinces}
    province_ids = _upsert_by_code(
        Province,
        {
            p.code: {
                "name_th": p.name_th,
                "name_en": p.name_en,
                "region_id": region_of_province[p.code],
            }
            for p in provinces
        },
    )
    districts = [d for p in provinces for d in geothai.districts(p.code)]
    district_ids = _upsert_by_code(
        District,
        {
            d.code: {
                "name_th": d.name_th,
                "name_en": d.name_en,
                "province_id": province_ids[d.province_code],
            }
            for d in districts
        },
    )
    _upsert_by_code(
        Subdistrict,
        {
            s.code: {
                "name_th": s.name_th,
                "name_en": s.name_en,
                "district_id": district_ids[s.district_code],
                "postal_codes": " ".join(s.postal_codes),
            }
            for d in districts
            for s in geothai.subdistricts(d.code)
        },
    )
    zone_ids = _upsert_by_code(
        SpecialZone,
        {
            z.code: {
                "name_th": z.name_th,
                "name_en": z.name_en,
                "abbreviation": z.abbreviation,
                "legal_basis": z.legal_basis,
                "source": z.source,
            }
            for z in zones
        },
    )
    _sync_zone_provinces(
        {zone_ids[z.code]: {province_ids[code] for code in z.provinces} for z in zones}
    )
    return {
        "regions": Region.objects.count(),
        "provinces": Province.objects.count(),
        "districts": District.objects.count(),
        "subdistricts": Subdistrict.objects.count(),
        "special zones": SpecialZone.objects.count(),
    }


def read_regions(path: Path, province_names: Mapping[str, str]) -> list[RegionEntry]:
    """Read and check the regions file: every known province in exactly one region."""
    data = read_yaml(path)
    entries = _entries(data, "regions", path)
    regions: list[RegionEntry] = []
    region_of: dict[str, str] = {}
    for position, entry in enumerate(entries, start=1):
        where = f"{path.name}, region {position}"
        code = str(require(entry, "code", where))
        where = f"{path.name}, region '{code}'"
        if any(r.code == code for r in regions):
            raise ReferenceError(
                "reference_duplicate", f"{where}: the code '{code}' is used twice."
            )
        codes = _province_codes(entry, where, province_names)
        for province in codes:
            if province in region_of:
                raise ReferenceError(
                    "reference_inconsistent",
                    f"{where}: province {province} ({province_names[province]}) is already in "
                    f"region '{region_of[province]}'; a province belongs to one region only.",
                )
            region_of[province] = code
        regions.append(
            RegionEntry(
                code=code,
                name_th=str(require(entry, "name_th", where)),
                name_en=str(require(entry, "name_en", where)),
                position=position,
                provinces=codes,
            )
        )
    missing = sorted(set(province_names) - set(region_of))
    if missing:
        listed = ", ".join(f"{code} ({province_names[code]})" for code in missing)
        raise ReferenceError(
            "reference_inconsistent",
            f"{path.name}: {len(missing)} province(s) are in no region: {listed}.",
            detail={"file": str(path), "provinces": missing},
        )
    return regions


def read_special_zones(path: Path, province_names: Mapping[str, str]) -> list[SpecialZoneEntry]:
    """Read and check the special zones file: known provinces, unique codes."""
    data = read_yaml(path)
    zones: list[SpecialZoneEntry] = []
    for position, entry in enumerate(_entries(data, "zones", path), start=1):
        code = str(require(entry, "code", f"{path.name}, zone {position}"))
        where = f"{path.name}, zone '{code}'"
        if any(z.code == code for z in zones):
            raise ReferenceError(
                "reference_duplicate", f"{where}: the code '{code}' is used twice."
            )
        zones.append(
            SpecialZoneEntry(
                code=code,
                name_th=str(require(entry, "name_th", where)),
                name_en=str(require(entry, "name_en", where)),
                abbreviation=str(entry.get("abbreviation") or ""),
                provinces=_province_codes(entry, where, province_names),
                legal_basis=str(entry.get("legal_basis") or ""),
                source=str(require(entry, "source", where)),
            )
        )
    return zones


def _entries(data: Any, key: str, path: Path) -> list[Any]:
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ReferenceError(
            "reference_malformed",
            f"{path.name}: expected a mapping with a list under '{key}'.",
            detail={"file": str(path)},
        )
    entries: list[Any] = data[key]
    return entries


def _province_codes(
    entry: dict[str, Any], where: str, province_names: Mapping[str, str]
) -> tuple[str, ...]:
    raw = require(entry, "provinces", where)
    if not isinstance(raw, list):
        raise ReferenceError("reference_malformed", f"{where}: 'provinces' must be a list.")
    codes = tuple(str(code) for code in raw)
    unknown = [code for code in codes if code not in province_names]
    if unknown:
        raise ReferenceError(
            "reference_inconsistent",
            f"{where}: unknown province code(s) {', '.join(unknown)}; "
            "codes are the two-digit Ministry of Interior codes (10 = Bangkok).",
        )
    if len(set(codes)) != len(codes):
        raise ReferenceError("reference_duplicate", f"{where}: a province is listed twice.")
    return codes


def _upsert_by_code[M: models.Model](
    model: type[M], rows: Mapping[str, dict[str, Any]]
) -> dict[str, int]:
    """Create or update `model` rows keyed by `code`; return every code's primary key.

    Reads the current rows once, then writes only the difference in batches: the first load
    of ~8,400 rows is three bulk inserts, a re-run writes nothing.
    """
    manager = model._default_manager
    if not rows:
        return dict(manager.values_list("code", "pk"))
    fields = list(next(iter(rows.values())))
    existing = {row[0]: row[1:] for row in manager.values_list("code", "pk", *fields)}
    to_create: list[M] = []
    to_update: list[M] = []
    for code, values in rows.items():
        current = existing.get(code)
        if current is None:
            to_create.append(model(code=code, **values))
        elif tuple(current[1:]) != tuple(values[field] for field in fields):
            to_update.append(model(pk=current[0], code=code, **values))
    if to_create:
        manager.bulk_create(to_create, batch_size=500)
    if to_update:
        manager.bulk_update(to_update, fields, batch_size=500)
    if to_create:
        return dict(manager.values_list("code", "pk"))
    return {code: row[0] for code, row in existing.items()}


def _sync_zone_provinces(wanted: Mapping[int, set[int]]) -> None:
    """Make each zone's provinces exactly `wanted`, touching only the links that differ."""
    through = SpecialZone.provinces.through
    current: dict[int, set[int]] = {zone_id: set() for zone_id in wanted}
    for zone_id, province_id in through.objects.filter(specialzone_id__in=wanted).values_list(
        "specialzone_id", "province_id"
    ):
        current[zone_id].add(province_id)
    for zone_id, province_ids in wanted.items():
        extra = current[zone_id] - province_ids
        if extra:
            through.objects.filter(specialzone_id=zone_id, province_id__in=extra).delete()
        missing = province_ids - current[zone_id]
        if missing:
            through.objects.bulk_create(
                [through(specialzone_id=zone_id, province_id=pid) for pid in sorted(missing)]
            )
