"""Rows for the dashboards tests, made directly so that each test states only what it needs."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from phaen.geography.models import Province, SpecialZone
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator, MeasureType, Target
from phaen.orgs.models import Organisation
from phaen.plans.models import AreaType, Plan, PlanElement
from phaen.projects.models import (
    Agreement,
    AreaProgramme,
    AreaProgrammeKind,
    BudgetLine,
    DigitalCommunityCentre,
    ProgrammeProvince,
    Project,
    ProjectAlignment,
    SmartCityZone,
)
from tests.conftest import planning_office
from tests.plans.factories import ElementFactory, PlanFactory, publish

_numbers = itertools.count(1)

# Eight provinces for a pilot programme of the tests (Ministry of Interior codes).
PILOTS = ["10", "20", "30", "40", "50", "65", "83", "90"]


def _n() -> int:
    return next(_numbers)


def zone_plan(**fields: Any) -> Plan:
    """A published plan of the EEC special zone (like the EEC digital infrastructure plans)."""
    fields.setdefault("area_type", AreaType.SPECIAL_ZONE)
    fields.setdefault("special_zone", SpecialZone.objects.get(code="eec"))
    return publish(PlanFactory(**fields))


def indicator(plan: Plan | None = None, **fields: Any) -> Indicator:
    number = _n()
    fields.setdefault("code", f"dash-ind-{number}")
    fields.setdefault("name_th", f"ตัวชี้วัดแดชบอร์ด {number}")
    fields.setdefault("owner", planning_office())
    fields.setdefault("measure_type", MeasureType.NUMBER)
    return Indicator.objects.create(plan=plan, **fields)


def _area(area: str) -> dict[str, Any]:
    """Fields of an area key: `TH`, `Z:<zone>` or `P:<province>`."""
    if area == "TH":
        return {"area_level": AreaLevel.NATION, "area_key": "TH"}
    prefix, _, code = area.partition(":")
    if prefix == "Z":
        return {
            "area_level": AreaLevel.SPECIAL_ZONE,
            "area_key": area,
            "special_zone": SpecialZone.objects.get(code=code),
        }
    return {
        "area_level": AreaLevel.PROVINCE,
        "area_key": area,
        "province": Province.objects.get(code=code),
    }


def actual(
    ind: Indicator,
    value: Any,
    *,
    year: int = 2567,
    area: str = "TH",
    status: str = ActualStatus.APPROVED,
) -> Actual:
    return Actual.objects.create(
        indicator=ind,
        fiscal_year=year,
        value=Decimal(str(value)),
        status=status,
        reporting_organisation=ind.owner,
        **_area(area),
    )


def target(ind: Indicator, value: Any, *, year: int = 2567, area: str = "TH") -> Target:
    return Target.objects.create(
        indicator=ind, fiscal_year=year, value=Decimal(str(value)), **_area(area)
    )


def project(**fields: Any) -> Project:
    number = _n()
    fields.setdefault("code", f"dash-project-{number}")
    fields.setdefault("name_th", f"โครงการแดชบอร์ด {number}")
    fields.setdefault("owner", planning_office())
    provinces = fields.pop("provinces", [])
    created = Project.objects.create(**fields)
    if provinces:
        created.provinces.set(Province.objects.filter(code__in=provinces))
    return created


def budget(proj: Project, *, year: int, planned: Any, allocated: Any = None) -> BudgetLine:
    return BudgetLine.objects.create(
        project=proj,
        fiscal_year=year,
        planned=Decimal(str(planned)),
        allocated=Decimal(str(allocated)) if allocated is not None else None,
    )


def strategy(plan: Plan, position: int) -> PlanElement:
    return ElementFactory(plan=plan, position=position, path=f"{position:04d}", depth=0)


def align(proj: Project, element: PlanElement) -> ProjectAlignment:
    return ProjectAlignment.objects.create(project=proj, element=element)


def agreement(province: str, **fields: Any) -> Agreement:
    number = _n()
    fields.setdefault("code", f"dash-mou-{number}")
    fields.setdefault("title_th", f"บันทึกความเข้าใจแดชบอร์ด {number}")
    fields.setdefault("owner", planning_office())
    return Agreement.objects.create(province=Province.objects.get(code=province), **fields)


def zone(province: str, **fields: Any) -> SmartCityZone:
    number = _n()
    fields.setdefault("code", f"dash-zone-{number}")
    fields.setdefault("name_th", f"เมืองอัจฉริยะแดชบอร์ด {number}")
    fields.setdefault("applicant", planning_office())
    return SmartCityZone.objects.create(province=Province.objects.get(code=province), **fields)


def centre(province: str, **fields: Any) -> DigitalCommunityCentre:
    number = _n()
    fields.setdefault("code", f"dash-centre-{number}")
    fields.setdefault("name_th", f"ศูนย์ดิจิทัลชุมชนแดชบอร์ด {number}")
    fields.setdefault("host", planning_office())
    return DigitalCommunityCentre.objects.create(
        province=Province.objects.get(code=province), **fields
    )


def pilot_programme(codes: list[str] = PILOTS, owner: Organisation | None = None) -> AreaProgramme:
    programme = AreaProgramme.objects.create(
        code=f"dash-pilot-{_n()}",
        name_th="จังหวัดนำร่องทดสอบ",
        kind=AreaProgrammeKind.PILOT_PROVINCES,
        owner=owner or planning_office(),
    )
    for code in codes:
        ProgrammeProvince.objects.create(
            programme=programme, province=Province.objects.get(code=code)
        )
    return programme
