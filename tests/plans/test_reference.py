"""The reference hierarchy as loaded by `phaen load-reference`, checked through the API.

These tests read the data that tests/conftest.py loads once per session from
phaen/plans/reference/ (and the geography and organisation files).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.db import transaction

from phaen.core.reference import ReferenceError
from phaen.core.services import reference_load_all
from phaen.plans import selectors
from phaen.plans.models import AlignmentLink, Plan, PlanElement
from phaen.plans.reference_loader import REFERENCE_DIR, plans_load_reference

pytestmark = pytest.mark.django_db
PILOT_PROVINCES = {"40", "34", "45", "50", "83", "90", "65", "21"}


def test_level_one_is_the_national_strategy_with_six_strategies(client):
    body = client.get("/api/plans", {"level": 1}).json()

    assert body["count"] == 1
    ns = body["items"][0]
    assert ns["name_th"].startswith("ยุทธศาสตร์ชาติ")
    assert (ns["start_year_be"], ns["end_year_be"]) == (2561, 2580)
    strategies = [e for e in ns["top_elements"] if e["kind"] == "strategy"]
    assert [e["number"] for e in strategies] == ["1", "2", "3", "4", "5", "6"]
    assert strategies[0]["title_th"] == "ด้านความมั่นคง"


def test_the_eight_pilot_provincial_plans_with_their_provinces(client):
    body = client.get("/api/plans", {"kind": "provincial", "year_be": 2567}).json()

    assert body["count"] == 8
    provinces = {p["code"] for item in body["items"] for p in item["provinces"]}
    assert provinces == PILOT_PROVINCES
    assert {(i["start_year_be"], i["end_year_be"]) for i in body["items"]} == {(2565, 2569)}


def test_level_two_holds_master_plans_nesdp_and_the_digital_policy(client):
    body = client.get("/api/plans", {"level": 2, "page_size": 100}).json()
    kinds = [item["kind"] for item in body["items"]]

    assert kinds.count("master_plan") == 23
    assert kinds.count("nesdp") == 2
    assert kinds.count("national_policy_plan") == 1
    nesdp13 = client.get("/api/plans/nesdp13/elements").json()
    assert len([e for e in nesdp13 if e["depth"] == 0]) == 13


def test_an_eec_phase_two_approach_reaches_the_national_strategy_through_level_two(client):
    chain = client.get("/api/reports/chain/eec2-a1").json()

    assert chain["reaches_national_strategy"] is True
    to_the_top = [p for p in chain["paths"] if p[-1]["level"] == 1]
    assert to_the_top
    assert all(any(step["level"] == 2 for step in path) for path in to_the_top)


def test_gaps_of_the_digital_policy_by_level_three_plans():
    plan = selectors.plan_get("de-policy-plan")

    gaps = selectors.alignment_gaps(plan, level=3)

    strategies = [e.number for e in PlanElement.objects.filter(plan=plan, depth=0)]
    assert len(strategies) == 6
    # Every strategy has a level-3 plan in the reference data (ONDE's plan is aligned with all
    # six), but only some are served by a direct contribution.
    assert [e.number for e in gaps.unserved] == []
    assert [s.element.number for s in gaps.without_direct] == ["4", "5", "6"]
    served = {s.element.number: {p.code for p, _ in s.plans} for s in gaps.served}
    assert "eec-digital-infra-2" in served["1"]
    assert "onde-social-development-2563-2565" in served["3"]


def test_reloading_changes_nothing():
    counts = (Plan.objects.count(), PlanElement.objects.count(), AlignmentLink.objects.count())
    stamps = set(Plan.objects.values_list("updated_at", flat=True))

    results = reference_load_all()

    assert results["plans"]["plans"] == counts[0]
    assert (
        Plan.objects.count(),
        PlanElement.objects.count(),
        AlignmentLink.objects.count(),
    ) == counts
    assert set(Plan.objects.values_list("updated_at", flat=True)) == stamps


@pytest.fixture
def broken_reference(tmp_path: Path) -> Path:
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, copy)
    return copy


def test_a_downward_link_in_a_reference_file_stops_the_load_and_writes_nothing(
    broken_reference,
):
    links = broken_reference / "links.yaml"
    links.write_text(
        links.read_text(encoding="utf-8")
        + "\n- from: ns-1\n  to: eec2-a1\n  contribution: direct\n",
        encoding="utf-8",
    )
    before = AlignmentLink.objects.count()

    with pytest.raises(ReferenceError) as err, transaction.atomic():
        plans_load_reference(broken_reference)

    assert "links.yaml" in str(err.value.message)
    assert "ns-1" in str(err.value.message)
    assert AlignmentLink.objects.count() == before


def test_malformed_yaml_names_the_file_and_line(broken_reference):
    (broken_reference / "sources.yaml").write_text("- key: [unclosed\n", encoding="utf-8")

    with pytest.raises(ReferenceError) as err:
        plans_load_reference(broken_reference)

    assert "sources.yaml" in str(err.value.message)
    assert "line" in str(err.value.message)
