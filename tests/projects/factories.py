"""Factories for projects tests: rows made directly, so each test states only what it needs.

Projects, agreements and the rest are made here without the services (no audit records, no
permission checks); tests of the services call the services themselves.
"""

from __future__ import annotations

from typing import Any

import factory

from phaen.core.thai_text import search_document
from phaen.geography.models import Province
from phaen.projects.models import (
    Agreement,
    AreaProgramme,
    AreaProgrammeKind,
    BudgetLine,
    DigitalCommunityCentre,
    Project,
    ProjectAlignment,
    SmartCityZone,
)
from tests.conftest import planning_office
from tests.plans.factories import ElementFactory, OrganisationFactory, PlanFactory

__all__ = [
    "AgreementFactory",
    "AlignmentFactory",
    "BudgetLineFactory",
    "CentreFactory",
    "ElementFactory",
    "OrganisationFactory",
    "PlanFactory",
    "ProgrammeFactory",
    "ProjectFactory",
    "ZoneFactory",
    "district",
    "province",
    "subdistrict",
]


def province(code: str = "40", name_th: str = "ขอนแก่น") -> Province:
    """Return a province of the reference data, made here when the run skips that data."""
    return Province.objects.get_or_create(code=code, defaults={"name_th": name_th, "name_en": ""})[
        0
    ]


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"test-project-{n}")
    name_th = factory.Sequence(lambda n: f"โครงการทดสอบ {n}")
    owner = factory.LazyFunction(planning_office)
    status = "in_progress"
    search_document = factory.LazyAttribute(lambda o: search_document(o.name_th, o.code))


class AlignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectAlignment

    project = factory.SubFactory(ProjectFactory)
    element = factory.SubFactory(ElementFactory)
    weight = 1


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    fiscal_year = 2569
    category = "operating"
    funding_source = "government"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    code = factory.Sequence(lambda n: f"test-mou-{n}")
    title_th = factory.Sequence(lambda n: f"บันทึกความเข้าใจทดสอบ {n}")
    owner = factory.LazyFunction(planning_office)
    search_document = factory.LazyAttribute(lambda o: search_document(o.title_th, o.code))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaProgramme

    code = factory.Sequence(lambda n: f"test-programme-{n}")
    name_th = factory.Sequence(lambda n: f"แผนงานพื้นที่ทดสอบ {n}")
    kind = AreaProgrammeKind.SMART_CITY
    owner = factory.LazyFunction(planning_office)


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmartCityZone

    code = factory.Sequence(lambda n: f"test-zone-{n}")
    name_th = factory.Sequence(lambda n: f"เมืองอัจฉริยะทดสอบ {n}")
    applicant = factory.SubFactory(OrganisationFactory)
    province = factory.LazyFunction(province)


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DigitalCommunityCentre

    code = factory.Sequence(lambda n: f"test-centre-{n}")
    name_th = factory.Sequence(lambda n: f"ศูนย์ดิจิทัลชุมชนทดสอบ {n}")
    host = factory.SubFactory(OrganisationFactory)
    province = factory.LazyFunction(province)


def district(code: str = "4001", province_code: str = "40", name_th: str = "เมืองขอนแก่น") -> Any:
    """Return a district of the reference data, made here when the run skips that data."""
    from phaen.geography.models import District

    return District.objects.get_or_create(
        code=code, defaults={"name_th": name_th, "name_en": "", "province": province(province_code)}
    )[0]


def subdistrict(code: str = "400101", district_code: str = "4001", name_th: str = "ในเมือง") -> Any:
    """Return a sub-district of the reference data, made here when the run skips that data."""
    from phaen.geography.models import Subdistrict

    return Subdistrict.objects.get_or_create(
        code=code, defaults={"name_th": name_th, "name_en": "", "district": district(district_code)}
    )[0]
