"""Factories and a small world for the indicators tests: rows made directly, so each test states
only what it needs. Targets and actuals go through the services where the rules matter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory
from django.db.models import Max, QuerySet

from phaen.accounts.models import Role
from phaen.core.models import AuditRecord
from phaen.core.thai_text import search_document
from phaen.geography.models import Province
from phaen.kpis.models import Actual, ActualStatus, Indicator, MeasureType, Target
from phaen.orgs.models import Organisation, OrganisationKind
from tests.conftest import member, planning_office
from tests.plans.factories import OrganisationFactory, PlanFactory


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"test-ind-{n}")
    name_th = factory.Sequence(lambda n: f"ตัวชี้วัดทดสอบ {n}")
    plan = factory.SubFactory(PlanFactory)  # 2023-2027 CE: fiscal years 2566-2570
    owner = factory.LazyFunction(planning_office)
    measure_type = MeasureType.NUMBER
    search_document = factory.LazyAttribute(lambda o: search_document(o.name_th, o.code))


class ActualFactory(factory.django.DjangoModelFactory):
    """An actual at the nation's level; pass status=... for one in review or approved."""

    class Meta:
        model = Actual

    indicator = factory.SubFactory(IndicatorFactory)
    fiscal_year = 2567
    quarter = 0
    area_level = "nation"
    area_key = "TH"
    value = 10
    status = ActualStatus.APPROVED
    reporting_organisation = factory.LazyAttribute(lambda o: o.indicator.owner)


def actuals() -> QuerySet[Actual]:
    """The tests' own actuals (those of the reference data's indicators left out)."""
    return Actual.objects.filter(indicator__plan__code__startswith="test-plan-")


def targets() -> QuerySet[Target]:
    """The tests' own targets (those of the reference data's indicators left out)."""
    return Target.objects.filter(indicator__plan__code__startswith="test-plan-")


def province(code: str) -> Province:
    return Province.objects.get(code=code)


def local_administration(code: str = "test-lao-40", province_code: str = "40") -> Organisation:
    return OrganisationFactory(
        code=code,
        name_th=f"เทศบาลทดสอบ {code}",
        kind=OrganisationKind.LOCAL_ADMINISTRATION,
        province=province(province_code) if province_code else None,
    )


@dataclass
class World:
    owner: Organisation
    other: Organisation
    provincial: Organisation  # an office in Khon Kaen (40), not the owner
    indicator: Indicator
    users: dict[str, Any]
    audit_from: int = 0

    def records(self) -> QuerySet[AuditRecord]:
        """The audit records written since the world was made (not the reference load's)."""
        return AuditRecord.objects.filter(id__gt=self.audit_from)


def world() -> World:
    """An indicator of the planning office, and one user per role around it."""
    audit_from = AuditRecord.objects.aggregate(last=Max("id"))["last"] or 0
    owner = planning_office()
    other = OrganisationFactory(code="kpi-other", name_th="หน่วยงานอื่น")
    provincial = OrganisationFactory(
        code="kpi-province-40",
        name_th="สำนักงานจังหวัดทดสอบ",
        kind=OrganisationKind.PROVINCIAL_OFFICE,
        province=province("40"),
    )
    indicator = IndicatorFactory(code="kpi-world", owner=owner)
    users = {
        "system_admin": member("k-admin", Role.SYSTEM_ADMIN, other),
        "planner": member("k-planner", Role.PLANNER, owner),
        "reporter": member("k-reporter", Role.DATA_REPORTER, owner),
        "approver": member("k-approver", Role.APPROVER, owner),
        "other_planner": member("k-other-planner", Role.PLANNER, other),
        "other_reporter": member("k-other-reporter", Role.DATA_REPORTER, other),
        "other_approver": member("k-other-approver", Role.APPROVER, other),
        "provincial_reporter": member("k-prov-reporter", Role.DATA_REPORTER, provincial),
        "auditor": member("k-auditor", Role.AUDITOR, other),
    }
    return World(owner, other, provincial, indicator, users, audit_from)
