"""Helpers of the hearing and comment tests: hearings on real plans, their staff, posting.

The EEC digital-infrastructure plan of the reference data (eec-digital-infra-2, owned by MDES
with the EEC Office as partner, published as version 1) is heard in most tests; the tests that
revise a plan make their own with the plans factories.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from phaen.consultation import services
from phaen.consultation.models import Comment, Hearing
from phaen.orgs.models import Organisation
from phaen.plans.models import Plan
from phaen.plans.permissions import SYSTEM
from tests.conftest import member

EEC_PLAN = "eec-digital-infra-2"
EEC_ELEMENT = "eec2-a1"  # แนวทาง 1 of the plan
EEC_CHILD = "eec2-a1-p1"

_codes = itertools.count(1)
_clients = itertools.count(1)


@pytest.fixture(autouse=True)
def clear_rate_limits() -> Iterator[None]:
    """Each test starts with no rate-limit counters (they live in the cache)."""
    cache.clear()
    yield
    cache.clear()


def eec_plan() -> Plan:
    return Plan.objects.select_related("owner").get(code=EEC_PLAN)


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def planner_of(code: str, username: str | None = None) -> Any:
    """A planner of the organisation `code` (a new user each call)."""
    return member(username or f"planner-{code}-{next(_codes)}", "planner", organisation(code))


def make_hearing(
    *,
    plan: Plan | None = None,
    organiser: Organisation | None = None,
    code: str | None = None,
    days: int = 30,
    opened: bool = True,
    **fields: Any,
) -> Hearing:
    """A hearing on the plan (the EEC plan by default), organised by its owner, opened by the
    system actor unless `opened=False`."""
    plan = plan or eec_plan()
    now = timezone.now()
    hearing, _warnings = services.hearing_create(
        actor=SYSTEM,
        code=code or f"test-hearing-{next(_codes)}",
        title_th=fields.pop("title_th", "รับฟังความคิดเห็นร่างแผนทดสอบ"),
        plan=plan,
        organiser=organiser or plan.owner,
        starts_at=fields.pop("starts_at", now - dt.timedelta(days=1)),
        ends_at=fields.pop("ends_at", now + dt.timedelta(days=days)),
        **fields,
    )
    if opened:
        hearing = services.hearing_open(actor=SYSTEM, hearing=hearing)
    return hearing


def new_client() -> str:
    """Key material of a new client address."""
    return services.client_key_material(None, f"198.51.100.{next(_clients) % 250 + 1}")


def post(hearing: Hearing, *, client: str | None = None, **fields: Any) -> tuple[Comment, str]:
    """Post a comment as the public through the service (a new client address by default)."""
    arguments: dict[str, Any] = {
        "actor": None,
        "hearing": hearing,
        "element_code": EEC_ELEMENT,
        "stance": "suggest",
        "body": f"ควรเพิ่มจุดให้บริการอินเทอร์เน็ตสาธารณะ ความเห็นที่ {next(_codes)}",
        "consent": True,
        "client_key": client or new_client(),
    }
    arguments.update(fields)
    return services.comment_post(**arguments)
