"""The reference indicators of `phaen load-reference` (phaen/kpis/reference/indicators.yaml).

tests/conftest.py loads every registered loader once per session, so these tests read what the
"indicators" loader wrote, then reload to check that a second load writes nothing.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from phaen.core.models import AuditRecord
from phaen.core.reference import ReferenceError, loaders
from phaen.core.services import reference_load_all
from phaen.kpis.models import Actual, ActualStatus, AreaLevel, Indicator, MeasureType, Target
from phaen.kpis.reference_loader import REFERENCE_DIR, indicators_load_reference

pytestmark = pytest.mark.django_db


def test_the_indicators_loader_runs_after_the_plans():
    order = [loader.name for loader in loaders()]

    assert order.index("indicators") == order.index("plans") + 1


def test_the_eec_5g_coverage_of_phase_one_is_an_approved_95_percent():
    actual = Actual.objects.select_related(
        "indicator__plan", "indicator__owner", "reporting_organisation", "source", "special_zone"
    ).get(indicator__code="eec-5g-coverage")

    assert actual.value == Decimal("95")
    assert (actual.fiscal_year, actual.quarter) == (2565, 0)
    assert (actual.area_level, actual.area_key) == (AreaLevel.SPECIAL_ZONE, "Z:eec")
    assert actual.special_zone is not None and actual.special_zone.code == "eec"
    assert actual.status == ActualStatus.APPROVED
    assert actual.reporting_organisation.code == actual.indicator.owner.code == "mdes"
    assert actual.reporter is None
    assert actual.source is not None and actual.source.key == "seed-003"
    assert "FY2565" in actual.note  # the note says why this fiscal year
    indicator = actual.indicator
    assert indicator.plan is not None and indicator.plan.code == "eec-digital-infra-1"
    assert (indicator.measure_type, indicator.direction) == (MeasureType.PERCENT, "higher")
    assert indicator.baseline_value is None
    assert not indicator.targets.exists()


def test_the_eec_investment_target_is_500_billion_baht_in_fy2570():
    target = Target.objects.select_related("indicator__plan", "indicator__owner").get(
        indicator__code="eec-investment"
    )

    assert target.value == Decimal("500000000000")
    assert (target.fiscal_year, target.quarter, target.area_key) == (2570, 0, "Z:eec")
    indicator = target.indicator
    assert indicator.measure_type == MeasureType.MONEY
    assert indicator.cumulative is True
    assert indicator.baseline_value is None and indicator.baseline_date is None
    assert indicator.owner.code == "eeco"
    assert indicator.plan is not None and indicator.plan.code == "eec-digital-infra-2"
    assert not indicator.actuals.exists()


def test_every_reference_indicator_cites_a_source_and_can_be_found():
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=["eec-5g-coverage", "eec-investment"])
    }

    assert len(indicators) == 2
    for indicator in indicators.values():
        assert list(indicator.sources.values_list("key", flat=True)) == ["seed-003"]
    assert "5g" in indicators["eec-5g-coverage"].search_document
    assert "ลงทุน" in indicators["eec-investment"].search_document
    for row in [*Target.objects.all(), *Actual.objects.all()]:
        if row.indicator.code in {"eec-5g-coverage", "eec-investment"}:
            assert row.source_id is not None


def test_reloading_writes_nothing_and_adds_no_audit_records():
    counts = (Indicator.objects.count(), Target.objects.count(), Actual.objects.count())
    stamps = {
        *Indicator.objects.values_list("updated_at", flat=True),
        *Target.objects.values_list("updated_at", flat=True),
        *Actual.objects.values_list("updated_at", flat=True),
    }
    audit = AuditRecord.objects.count()

    results = reference_load_all()

    assert results["indicators"] == dict(
        zip(("indicators", "targets", "actuals"), counts, strict=True)
    )
    assert (Indicator.objects.count(), Target.objects.count(), Actual.objects.count()) == counts
    assert {
        *Indicator.objects.values_list("updated_at", flat=True),
        *Target.objects.values_list("updated_at", flat=True),
        *Actual.objects.values_list("updated_at", flat=True),
    } == stamps
    assert AuditRecord.objects.count() == audit


def test_a_reload_restores_a_changed_figure_and_keeps_what_users_added():
    indicator = Indicator.objects.get(code="eec-investment")
    Target.objects.filter(indicator=indicator).update(value=Decimal("1"))
    # The source states no baseline: a baseline a user records is kept.
    Indicator.objects.filter(pk=indicator.pk).update(baseline_value=Decimal("123"))
    user_target = Target.objects.create(
        indicator=indicator,
        fiscal_year=2569,
        area_level=AreaLevel.SPECIAL_ZONE,
        area_key="Z:eec",
        special_zone=Target.objects.get(indicator=indicator).special_zone,
        value=Decimal("400000000000"),
    )
    before = AuditRecord.objects.filter(action="target.update").count()

    indicators_load_reference()

    assert Target.objects.get(indicator=indicator, fiscal_year=2570).value == Decimal(
        "500000000000"
    )
    assert AuditRecord.objects.filter(action="target.update").count() == before + 1
    assert Target.objects.filter(pk=user_target.pk).exists()
    assert Indicator.objects.get(pk=indicator.pk).baseline_value == Decimal("123")


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, copy)
    return copy


def test_a_broken_entry_names_the_file_and_entry_and_writes_nothing(reference_copy):
    path = reference_copy / "indicators.yaml"
    text = path.read_text(encoding="utf-8")
    # A valid change to the first indicator, then an unknown zone in the second one's target.
    text = text.replace("unit: ร้อยละ", "unit: เปอร์เซ็นต์")
    assert "area: Z:eec\n        value: 500000000000" in text
    text = text.replace(
        "area: Z:eec\n        value: 500000000000", "area: Z:nowhere\n        value: 500000000000"
    )
    path.write_text(text, encoding="utf-8")
    audit = AuditRecord.objects.count()

    with pytest.raises(ReferenceError) as err:
        indicators_load_reference(reference_copy)

    message = str(err.value.message)
    assert "indicators.yaml" in message
    assert "eec-investment" in message
    assert "nowhere" in message
    assert Indicator.objects.get(code="eec-5g-coverage").unit == "ร้อยละ"
    assert AuditRecord.objects.count() == audit


def test_a_target_outside_the_plan_period_is_refused(reference_copy):
    path = reference_copy / "indicators.yaml"
    text = path.read_text(encoding="utf-8").replace("fiscal_year: 2570", "fiscal_year: 2580")
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ReferenceError) as err:
        indicators_load_reference(reference_copy)

    message = str(err.value.message)
    assert "indicators.yaml, indicator 'eec-investment', target 1" in message
    assert "2580" in message


def test_malformed_yaml_names_the_file_and_line(reference_copy):
    (reference_copy / "indicators.yaml").write_text("indicators: [unclosed\n", encoding="utf-8")

    with pytest.raises(ReferenceError) as err:
        indicators_load_reference(reference_copy)

    assert "indicators.yaml" in str(err.value.message)
    assert "line" in str(err.value.message)


@pytest.mark.django_db
def test_the_indicator_pages_show_the_eec_figures_in_the_eec() -> None:
    """The EEC's indicators are measured in the EEC zone, not over the nation."""
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    listing = client.get(reverse("kpis:indicator_list"), {"search": "5G"})
    detail = client.get(reverse("kpis:indicator_detail", args=["eec-5g-coverage"]))

    assert listing.status_code == detail.status_code == 200
    assert "FY2565: 95" in " ".join(listing.text.split())
    assert "Z:eec" in detail.text


@pytest.mark.django_db
def test_the_national_map_has_a_sourced_indicator_by_province() -> None:
    """Seed 004: one model digital community centre equipped in each of three provinces."""
    from phaen.kpis.aggregation import area_values
    from phaen.kpis.models import Indicator

    indicator = Indicator.objects.get(code="onde-model-community-centres")

    assert area_values(indicator, fiscal_year=2562) == {
        "12": Decimal(1),
        "22": Decimal(1),
        "70": Decimal(1),
    }
