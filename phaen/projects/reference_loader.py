"""Load the reference projects, agreements and area programmes from `phaen/projects/reference/`.

Files: `projects.yaml` (projects and programmes, with their partners and the plan elements they
serve), `agreements.yaml` (MoUs with their parties) and `area_programmes.yaml` (depa's pilot
provinces, smart city promotion zones with their decisions, and digital community centres).
The loader runs as the system after the indicators (order 50), inside the caller's transaction,
and writes the rows itself with the helpers of `phaen.kpis.reference_loader`. It reads and
checks the three files before it writes anything, so a bad entry stops the load with the file
and the entry named, and nothing is written.

Rows are matched by code, or by what makes them unique (a project and an element, an agreement
and an organisation, a programme and a province, a smart city zone with a stage and a source).
Only what differs from the files is written, each change with its audit record; rows users added
are never deleted. A field the files leave empty is not known: it is empty on a new row and left
as it is on an existing one. Districts and sub-districts are named in Thai in the files and
looked up in the loaded geography, so no place code is typed by hand beyond the province.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phaen.core import thai_text
from phaen.core.reference import ReferenceError, require
from phaen.geography.models import District, Province, Subdistrict
from phaen.kpis.reference_loader import (
    Codes,
    check_fields,
    check_unique,
    date,
    flag,
    items_of,
    read_entries,
    split_known,
    sync_row,
)
from phaen.orgs.models import Organisation
from phaen.plans.models import PlanKind, Source
from phaen.projects.models import (
    SMART_CITY_DIMENSIONS,
    Agreement,
    AgreementParty,
    AgreementStatus,
    AreaProgramme,
    AreaProgrammeKind,
    CentreStatus,
    DigitalCommunityCentre,
    PartnerRole,
    PartyRole,
    ProgrammeProvince,
    Project,
    ProjectAlignment,
    ProjectAreaLevel,
    ProjectKind,
    ProjectPartner,
    ProjectStatus,
    SmartCityDecision,
    SmartCityStage,
    SmartCityZone,
)

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
PROJECTS_FILE = "projects.yaml"
AGREEMENTS_FILE = "agreements.yaml"
AREA_PROGRAMMES_FILE = "area_programmes.yaml"

_DIMENSION_CODES = tuple(code for code, _ in SMART_CITY_DIMENSIONS)


@dataclass
class _Row:
    """A checked entry: its code, where it is, its fields and its many-to-many rows."""

    code: str
    where: str
    fields: dict[str, Any]
    related: dict[str, list[Any]] = field(default_factory=dict)
    children: dict[str, list[Any]] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict)


def delivery_load_reference(directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Create or update the reference projects, agreements and area programmes.

    Returns the number of rows of each kind held after the load.
    """
    codes = Codes()
    projects = _read_projects(directory / PROJECTS_FILE, codes)
    kinds = {p.code: p.fields["kind"] for p in projects}
    agreements = _read_agreements(directory / AGREEMENTS_FILE, codes, kinds)
    programmes = _read_programmes(directory / AREA_PROGRAMMES_FILE, codes)

    saved: dict[str, Project] = {}
    for entry in projects:
        stated, unknown = split_known(entry.fields)
        saved[entry.code], _ = sync_row(
            Project,
            {"code": entry.code},
            stated,
            defaults=unknown,
            related=entry.related,
            action="project",
        )
    for entry in projects:
        project = saved[entry.code]
        parent_code = entry.refs.get("parent")
        if parent_code:
            parent = saved.get(parent_code) or Project.objects.get(code=parent_code)
            sync_row(Project, {"code": entry.code}, {"parent_id": parent.pk}, action="project")
        for element in entry.children["elements"]:
            sync_row(
                ProjectAlignment,
                {"project": project, "element": element},
                {},
                action="project_alignment",
            )
        for organisation, role in entry.children["partners"]:
            sync_row(
                ProjectPartner,
                {"project": project, "organisation": organisation, "role": role},
                {},
                action="project_partner",
            )
        _refresh_project_search(project)

    for entry in agreements:
        fields = dict(entry.fields)
        programme_code = entry.refs.get("programme")
        if programme_code:
            fields["programme_id"] = _project(saved, programme_code).pk
        related = {
            **entry.related,
            "projects": [_project(saved, c) for c in entry.refs["projects"]],
        }
        stated, unknown = split_known(fields)
        agreement, _ = sync_row(
            Agreement,
            {"code": entry.code},
            stated,
            defaults=unknown,
            related=related,
            action="agreement",
        )
        for position, (organisation, party) in enumerate(entry.children["parties"], start=1):
            stated, unknown = split_known({**party, "position": position})
            sync_row(
                AgreementParty,
                {"agreement": agreement, "organisation": organisation},
                stated,
                defaults=unknown,
                action="agreement_party",
            )
        _refresh_agreement_search(agreement)

    for entry in programmes:
        stated, unknown = split_known(entry.fields)
        programme, _ = sync_row(
            AreaProgramme,
            {"code": entry.code},
            stated,
            defaults=unknown,
            related=entry.related,
            action="area_programme",
        )
        _write_children(programme, entry)

    return {
        "projects": Project.objects.count(),
        "agreements": Agreement.objects.count(),
        "area programmes": AreaProgramme.objects.count(),
        "programme provinces": ProgrammeProvince.objects.count(),
        "smart city zones": SmartCityZone.objects.count(),
        "community centres": DigitalCommunityCentre.objects.count(),
    }


def _project(saved: Mapping[str, Project], code: str) -> Project:
    return saved.get(code) or Project.objects.get(code=code)


def _store_search(row: Project | Agreement, document: str) -> None:
    """Store a derived search document when it differs; it is not audited (nothing to review)."""
    if row.search_document != document:
        type(row).objects.filter(pk=row.pk).update(search_document=document)
        row.search_document = document


def _refresh_project_search(project: Project) -> None:
    """Index a project as `phaen.projects.services` does: with its owner, partners, provinces."""
    project = Project.objects.select_related("owner").get(pk=project.pk)
    owner = project.owner
    partners = [p.organisation for p in project.partners.select_related("organisation")]
    _store_search(
        project,
        thai_text.search_document(
            project.name_th,
            project.name_en,
            project.code,
            owner.name_th,
            owner.name_en,
            owner.abbreviation_th,
            owner.abbreviation_en,
            " ".join(f"{o.name_th} {o.abbreviation_th}" for o in partners),
            " ".join(p.name_th for p in project.provinces.all()),
        ),
    )


def _refresh_agreement_search(agreement: Agreement) -> None:
    """Index an agreement as `phaen.projects.services` does: with its owner, parties, province."""
    agreement = Agreement.objects.select_related("owner", "province").get(pk=agreement.pk)
    owner = agreement.owner
    parties = [p.organisation for p in agreement.parties.select_related("organisation")]
    _store_search(
        agreement,
        thai_text.search_document(
            agreement.title_th,
            agreement.title_en,
            agreement.code,
            agreement.signed_place,
            owner.name_th,
            owner.abbreviation_th,
            owner.abbreviation_en,
            " ".join(f"{o.name_th} {o.name_en} {o.abbreviation_th}" for o in parties),
            agreement.province.name_th if agreement.province else "",
        ),
    )


def _write_children(programme: AreaProgramme, entry: _Row) -> None:
    for province, values in entry.children["provinces"]:
        stated, unknown = split_known(values)
        sync_row(
            ProgrammeProvince,
            {"programme": programme, "province": province},
            stated,
            defaults=unknown,
            action="programme_province",
        )
    for zone_entry in entry.children["zones"]:
        stated, unknown = split_known({**zone_entry.fields, "programme_id": programme.pk})
        zone, _ = sync_row(
            SmartCityZone,
            {"code": zone_entry.code},
            stated,
            defaults=unknown,
            related=zone_entry.related,
            action="smart_city_zone",
        )
        for stage, source, values in zone_entry.children["decisions"]:
            stated, unknown = split_known(values)
            sync_row(
                SmartCityDecision,
                {"zone": zone, "stage": stage, "source": source},
                stated,
                defaults=unknown,
                action="smart_city_decision",
            )
    for centre in entry.children["centres"]:
        stated, unknown = split_known({**centre.fields, "programme_id": programme.pk})
        sync_row(
            DigitalCommunityCentre,
            {"code": centre.code},
            stated,
            defaults=unknown,
            related=centre.related,
            action="community_centre",
        )


# --- Reading and checking -----------------------------------------------------------------------


def _text(raw: Mapping[str, Any], name: str) -> str:
    return str(raw.get(name) or "").strip()


def _choice(raw: Mapping[str, Any], name: str, choices: Any, where: str, default: str) -> str:
    value = str(raw.get(name) or default)
    if value not in choices.values:
        raise ReferenceError(
            "reference_invalid",
            f"{where}: '{name}' is '{value}'; use one of {', '.join(choices.values)}.",
        )
    return value


def _read_projects(path: Path, codes: Codes) -> list[_Row]:
    entries: list[_Row] = []
    for position, raw in enumerate(read_entries(path, "projects"), start=1):
        code = str(require(raw, "code", f"{path.name}, project {position}"))
        where = f"{path.name}, project '{code}'"
        owner = codes.organisation(require(raw, "owner", where), where)
        area_level = _choice(raw, "area_level", ProjectAreaLevel, where, ProjectAreaLevel.NATION)
        region = codes.region(raw["region"], where) if raw.get("region") else None
        zone = codes.special_zone(raw["special_zone"], where) if raw.get("special_zone") else None
        provinces = [codes.province(c, where) for c in items_of(raw, "provinces", where)]
        needed = {
            ProjectAreaLevel.REGION: ("region", region),
            ProjectAreaLevel.SPECIAL_ZONE: ("special_zone", zone),
            ProjectAreaLevel.PROVINCE: ("provinces", provinces),
        }.get(ProjectAreaLevel(area_level))
        if needed is not None and not needed[1]:
            raise ReferenceError(
                "reference_invalid", f"{where}: the area '{area_level}' needs '{needed[0]}'."
            )
        start, end = (
            date(raw.get("start_date"), "start_date", where),
            date(raw.get("end_date"), "end_date", where),
        )
        if start and end and end < start:
            raise ReferenceError(
                "reference_invalid", f"{where}: the end date is before the start date."
            )
        fields: dict[str, Any] = {
            "name_th": str(require(raw, "name_th", where)).strip(),
            "name_en": _text(raw, "name_en"),
            "description": _text(raw, "description"),
            "kind": _choice(raw, "kind", ProjectKind, where, ProjectKind.PROJECT),
            "is_flagship": flag(raw, "is_flagship", where),
            "owner_id": owner.pk,
            # Required: the sources rarely state a status, so each file entry says why it has one.
            "status": _choice(raw, "status", ProjectStatus, where, require(raw, "status", where)),
            "start_date": start,
            "end_date": end,
            "area_level": area_level,
            "region_id": region.pk if region else None,
            "special_zone_id": zone.pk if zone else None,
        }
        check_fields(Project(code=code, **fields), where)
        partners = []
        for number, item in enumerate(items_of(raw, "partners", where), start=1):
            item_where = f"{where}, partner {number}"
            organisation = codes.organisation(require(item, "organisation", item_where), item_where)
            partners.append(
                (organisation, _choice(item, "role", PartnerRole, item_where, PartnerRole.PARTNER))
            )
        entries.append(
            _Row(
                code,
                where,
                fields,
                related={"sources": codes.sources(raw, where), "provinces": provinces},
                children={"elements": codes.elements(raw, where), "partners": partners},
                refs={"parent": raw.get("parent") or ""},
            )
        )
    check_unique([e.code for e in entries], path, "project")
    kinds = {e.code: e.fields["kind"] for e in entries}
    for entry in entries:
        parent = entry.refs["parent"]
        if not parent:
            continue
        if parent == entry.code:
            raise ReferenceError(
                "reference_invalid", f"{entry.where}: a project is not its own parent."
            )
        kind = kinds.get(parent) or (
            Project.objects.filter(code=parent).values_list("kind", flat=True).first()
        )
        if kind is None:
            raise ReferenceError("reference_invalid", f"{entry.where}: unknown parent '{parent}'.")
        if kind != ProjectKind.PROGRAMME:
            raise ReferenceError(
                "reference_invalid",
                f"{entry.where}: the parent '{parent}' is a project; a project belongs only to "
                "a programme.",
            )
    return entries


def _read_agreements(path: Path, codes: Codes, project_kinds: Mapping[str, str]) -> list[_Row]:
    entries: list[_Row] = []
    for position, raw in enumerate(read_entries(path, "agreements"), start=1):
        code = str(require(raw, "code", f"{path.name}, agreement {position}"))
        where = f"{path.name}, agreement '{code}'"
        owner = codes.organisation(require(raw, "owner", where), where)
        province = codes.province(raw["province"], where) if raw.get("province") else None
        dimensions = items_of(raw, "dimensions", where)
        if not all(isinstance(d, str) and d.strip() for d in dimensions):
            raise ReferenceError("reference_malformed", f"{where}: 'dimensions' must be texts.")
        start, end = (
            date(raw.get("start_date"), "start_date", where),
            date(raw.get("end_date"), "end_date", where),
        )
        if start and end and end < start:
            raise ReferenceError(
                "reference_invalid", f"{where}: the end date is before the start date."
            )
        programme = str(raw.get("programme") or "")
        project_codes = [str(c) for c in items_of(raw, "projects", where)]
        for project_code in [programme, *project_codes]:
            if not project_code:
                continue
            kind = (
                project_kinds.get(project_code)
                or Project.objects.filter(code=project_code).values_list("kind", flat=True).first()
            )
            if kind is None:
                raise ReferenceError(
                    "reference_invalid", f"{where}: unknown project '{project_code}'."
                )
            if project_code == programme and kind != ProjectKind.PROGRAMME:
                raise ReferenceError(
                    "reference_invalid", f"{where}: '{programme}' is a project, not a programme."
                )
        fields: dict[str, Any] = {
            "title_th": str(require(raw, "title_th", where)).strip(),
            "title_en": _text(raw, "title_en"),
            "signed_on": date(raw.get("signed_on"), "signed_on", where),
            "signed_place": _text(raw, "signed_place"),
            "start_date": start,
            "end_date": end,
            "aims": _text(raw, "aims"),
            "dimensions": [d.strip() for d in dimensions],
            "status": _choice(raw, "status", AgreementStatus, where, AgreementStatus.SIGNED),
            "province_id": province.pk if province else None,
            "owner_id": owner.pk,
        }
        check_fields(Agreement(code=code, **fields), where)
        parties = []
        for number, item in enumerate(items_of(raw, "parties", where), start=1):
            item_where = f"{where}, party {number}"
            organisation = codes.organisation(require(item, "organisation", item_where), item_where)
            parties.append(
                (
                    organisation,
                    {
                        "role": _choice(item, "role", PartyRole, item_where, PartyRole.PARTY),
                        "signatory_name": _text(item, "signatory_name"),
                        "signatory_position": _text(item, "signatory_position"),
                    },
                )
            )
        party_codes = [o.code for o, _ in parties]
        if len(set(party_codes)) != len(party_codes):
            raise ReferenceError("reference_duplicate", f"{where}: a party is listed twice.")
        entries.append(
            _Row(
                code,
                where,
                fields,
                related={
                    "sources": codes.sources(raw, where),
                    "elements": codes.elements(raw, where),
                },
                children={"parties": parties},
                refs={"programme": programme, "projects": project_codes},
            )
        )
    check_unique([e.code for e in entries], path, "agreement")
    return entries


def _read_programmes(path: Path, codes: Codes) -> list[_Row]:
    entries: list[_Row] = []
    zone_codes: list[str] = []
    centre_codes: list[str] = []
    for position, raw in enumerate(read_entries(path, "programmes"), start=1):
        code = str(require(raw, "code", f"{path.name}, programme {position}"))
        where = f"{path.name}, programme '{code}'"
        owner = codes.organisation(require(raw, "owner", where), where)
        plan = codes.plan(raw["plan"], where) if raw.get("plan") else None
        kind = _choice(raw, "kind", AreaProgrammeKind, where, require(raw, "kind", where))
        fields: dict[str, Any] = {
            "name_th": str(require(raw, "name_th", where)).strip(),
            "name_en": _text(raw, "name_en"),
            "kind": kind,
            "owner_id": owner.pk,
            "plan_id": plan.pk if plan else None,
            "description": _text(raw, "description"),
        }
        check_fields(AreaProgramme(code=code, **fields), where)
        for key, allowed in (
            ("zones", AreaProgrammeKind.SMART_CITY),
            ("centres", AreaProgrammeKind.COMMUNITY_CENTRES),
        ):
            if raw.get(key) and kind != allowed:
                raise ReferenceError(
                    "reference_invalid", f"{where}: a '{kind}' programme cannot list {key}."
                )
        zones = [
            _read_zone(item, f"{where}, zone {n}", codes)
            for n, item in enumerate(items_of(raw, "zones", where), start=1)
        ]
        centres = [
            _read_centre(item, f"{where}, centre {n}", codes)
            for n, item in enumerate(items_of(raw, "centres", where), start=1)
        ]
        zone_codes += [z.code for z in zones]
        centre_codes += [c.code for c in centres]
        entries.append(
            _Row(
                code,
                where,
                fields,
                related={"sources": codes.sources(raw, where)},
                children={
                    "provinces": _read_programme_provinces(raw, where, codes),
                    "zones": zones,
                    "centres": centres,
                },
            )
        )
    check_unique([e.code for e in entries], path, "programme")
    check_unique(zone_codes, path, "smart city zone")
    check_unique(centre_codes, path, "community centre")
    return entries


def _read_programme_provinces(
    raw: Mapping[str, Any], where: str, codes: Codes
) -> list[tuple[Province, dict[str, Any]]]:
    chosen: list[tuple[Province, dict[str, Any]]] = []
    for number, item in enumerate(items_of(raw, "provinces", where), start=1):
        item_where = f"{where}, province {number}"
        province = codes.province(require(item, "province", item_where), item_where)
        item_where = f"{where}, province {province.code} ({province.name_th})"
        plan = codes.plan(item["plan"], item_where) if item.get("plan") else None
        if plan is not None:
            if plan.kind != PlanKind.PROVINCIAL:
                raise ReferenceError(
                    "reference_invalid", f"{item_where}: the plan '{plan.code}' is not provincial."
                )
            if not plan.provinces.filter(pk=province.pk).exists():
                raise ReferenceError(
                    "reference_invalid",
                    f"{item_where}: the plan '{plan.code}' does not cover this province.",
                )
        note = _text(item, "note")
        check_fields(
            ProgrammeProvince(province=province, plan=plan, note=note), item_where, ["programme"]
        )
        if any(p.pk == province.pk for p, _ in chosen):
            raise ReferenceError("reference_duplicate", f"{item_where}: listed twice.")
        chosen.append((province, {"plan_id": plan.pk if plan else None, "note": note}))
    return chosen


def _district(raw: Mapping[str, Any], province: Province, where: str) -> District | None:
    name = _text(raw, "district_th")
    if not name:
        return None
    found = list(District.objects.filter(province=province, name_th=name)[:2])
    if len(found) != 1:
        problem = "no district" if not found else "more than one district"
        raise ReferenceError(
            "reference_invalid",
            f"{where}: {problem} named '{name}' in {province.name_th} ({province.code}).",
        )
    return found[0]


def _subdistrict(
    raw: Mapping[str, Any], district: District | None, where: str
) -> Subdistrict | None:
    name = _text(raw, "subdistrict_th")
    if not name:
        return None
    if district is None:
        raise ReferenceError(
            "reference_malformed", f"{where}: name the district of the sub-district '{name}'."
        )
    found = list(Subdistrict.objects.filter(district=district, name_th=name)[:2])
    if len(found) != 1:
        problem = "no sub-district" if not found else "more than one sub-district"
        raise ReferenceError(
            "reference_invalid",
            f"{where}: {problem} named '{name}' in the district {district.name_th} "
            f"({district.code}).",
        )
    return found[0]


def _in_province(organisation: Organisation, province: Province, what: str, where: str) -> None:
    if organisation.province_id is not None and organisation.province_id != province.pk:
        raise ReferenceError(
            "reference_inconsistent",
            f"{where}: the {what} '{organisation.code}' is recorded in another province than "
            f"{province.name_th} ({province.code}).",
        )


def _read_zone(raw: Any, where: str, codes: Codes) -> _Row:
    code = str(require(raw, "code", where))
    where = f"{where.rsplit(', zone', 1)[0]}, smart city zone '{code}'"
    applicant = codes.organisation(require(raw, "applicant", where), where)
    province = codes.province(require(raw, "province", where), where)
    _in_province(applicant, province, "applicant", where)
    district = _district(raw, province, where)
    dimensions = [str(d) for d in items_of(raw, "dimensions", where)]
    unknown = [d for d in dimensions if d not in _DIMENSION_CODES]
    if unknown:
        raise ReferenceError(
            "reference_invalid",
            f"{where}: unknown dimension '{unknown[0]}'; use {', '.join(_DIMENSION_CODES)}.",
        )
    fields: dict[str, Any] = {
        "name_th": str(require(raw, "name_th", where)).strip(),
        "name_en": _text(raw, "name_en"),
        "applicant_id": applicant.pk,
        "province_id": province.pk,
        "district_id": district.pk if district else None,
        "stage": _choice(raw, "stage", SmartCityStage, where, require(raw, "stage", where)),
        "dimensions": dimensions,
        "targets_due": date(raw.get("targets_due"), "targets_due", where),
    }
    check_fields(SmartCityZone(code=code, **fields), where)
    decisions: list[tuple[str, Source, dict[str, Any]]] = []
    for number, item in enumerate(items_of(raw, "decisions", where), start=1):
        item_where = f"{where}, decision {number}"
        stage = _choice(
            item, "stage", SmartCityStage, item_where, require(item, "stage", item_where)
        )
        source = codes.source(require(item, "source", item_where), item_where)
        if any((s, src.pk) == (stage, source.pk) for s, src, _ in decisions):
            raise ReferenceError(
                "reference_duplicate",
                f"{item_where}: two '{stage}' decisions cite the source '{source.key}'.",
            )
        decided_by = (
            codes.organisation(item["decided_by"], item_where) if item.get("decided_by") else None
        )
        values = {
            "decided_on": date(item.get("decided_on"), "decided_on", item_where),
            "decided_by_id": decided_by.pk if decided_by else None,
            "reference": _text(item, "reference"),
            "note": _text(item, "note"),
        }
        check_fields(SmartCityDecision(stage=stage, source=source, **values), item_where, ["zone"])
        decisions.append((stage, source, values))
    return _Row(
        code,
        where,
        fields,
        related={"sources": codes.sources(raw, where)},
        children={"decisions": decisions},
    )


def _read_centre(raw: Any, where: str, codes: Codes) -> _Row:
    code = str(require(raw, "code", where))
    where = f"{where.rsplit(', centre', 1)[0]}, community centre '{code}'"
    host = codes.organisation(require(raw, "host", where), where)
    province = codes.province(require(raw, "province", where), where)
    _in_province(host, province, "host", where)
    district = _district(raw, province, where)
    subdistrict = _subdistrict(raw, district, where)
    fields: dict[str, Any] = {
        "name_th": str(require(raw, "name_th", where)).strip(),
        "name_en": _text(raw, "name_en"),
        "host_id": host.pk,
        "province_id": province.pk,
        "district_id": district.pk if district else None,
        "subdistrict_id": subdistrict.pk if subdistrict else None,
        "opened_on": date(raw.get("opened_on"), "opened_on", where),
        "equipment": _text(raw, "equipment"),
        "equipment_handed_on": date(raw.get("equipment_handed_on"), "equipment_handed_on", where),
        "is_model": flag(raw, "is_model", where),
        "status": _choice(raw, "status", CentreStatus, where, require(raw, "status", where)),
    }
    check_fields(DigitalCommunityCentre(code=code, **fields), where)
    return _Row(code, where, fields, related={"sources": codes.sources(raw, where)})
