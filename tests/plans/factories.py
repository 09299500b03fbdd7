"""Factories for plans tests: rows made directly, so each test states only what it needs."""

from __future__ import annotations

import factory

from phaen.core.thai_text import search_document
from phaen.orgs.models import Organisation, OrganisationKind
from phaen.plans.models import KIND_LEVEL, Plan, PlanElement, PlanKind
from tests.conftest import planning_office


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-org-{n}")
    name_th = factory.Sequence(lambda n: f"หน่วยงานทดสอบ {n}")
    kind = OrganisationKind.DEPARTMENT


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"test-plan-{n}")
    name_th = factory.Sequence(lambda n: f"แผนทดสอบ {n}")
    kind = PlanKind.ACTION_PLAN
    level = factory.LazyAttribute(lambda o: KIND_LEVEL[o.kind])
    owner = factory.LazyFunction(planning_office)
    start_year = 2023
    end_year = 2027
    search_document = factory.LazyAttribute(lambda o: search_document(o.name_th, o.code))


class ElementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanElement

    plan = factory.SubFactory(PlanFactory)
    kind = "strategy"
    code = factory.Sequence(lambda n: f"test-el-{n}")
    title_th = factory.Sequence(lambda n: f"ยุทธศาสตร์ทดสอบ {n}")
    position = factory.Sequence(lambda n: n + 1)
    path = factory.LazyAttribute(lambda o: f"{o.position:04d}")


def publish(plan: Plan) -> Plan:
    """Freeze the plan as it is now as a published version, so the public sees it."""
    from phaen.plans import services
    from phaen.plans.models import VersionKind

    services.version_freeze(plan=plan, kind=VersionKind.REFERENCE)
    return plan
