"""The reference projects, MoUs and area programmes of `phaen load-reference`.

tests/conftest.py runs every registered loader once per session; these tests read what the
"delivery" loader wrote from phaen/projects/reference/, then reload to check that a second load
writes nothing and keeps what users added.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from phaen.core.models import AuditRecord
from phaen.core.reference import ReferenceError, loaders
from phaen.core.services import reference_load_all
from phaen.orgs.models import Organisation
from phaen.plans.models import PlanKind
from phaen.projects.models import (
    Agreement,
    AgreementParty,
    AreaProgramme,
    AreaProgrammeKind,
    DigitalCommunityCentre,
    ProgrammeProvince,
    Project,
    ProjectAlignment,
    ProjectKind,
    ProjectPartner,
    ProjectStatus,
    SmartCityDecision,
    SmartCityStage,
    SmartCityZone,
)
from phaen.projects.reference_loader import REFERENCE_DIR, delivery_load_reference

pytestmark = pytest.mark.django_db

PILOT_PROVINCES = {"40", "34", "45", "50", "83", "90", "65", "21"}
MODELS = (
    Project,
    ProjectAlignment,
    ProjectPartner,
    Agreement,
    AgreementParty,
    AreaProgramme,
    ProgrammeProvince,
    SmartCityZone,
    SmartCityDecision,
    DigitalCommunityCentre,
)


def test_the_delivery_loader_runs_last_after_the_indicators():
    order = [loader.name for loader in loaders()]

    assert order.index("delivery") == order.index("indicators") + 1


@pytest.mark.parametrize(
    ("code", "element", "kind"),
    [
        ("eec-asean-digital-hub", "eec2-a1-p1", ProjectKind.PROJECT),
        ("eec-digital-infrastructure-programme", "eec2-a1-p2", ProjectKind.PROGRAMME),
        ("thailand-digital-valley", "eec2-a2-p1", ProjectKind.PROJECT),
        ("eec-digital-innovation-test-centre", "eec2-a2-p2", ProjectKind.PROJECT),
        ("eec-liveable-smart-city-programme", "eec2-a2-p3", ProjectKind.PROGRAMME),
    ],
)
def test_the_eec_flagships_serve_their_elements_of_the_phase_two_plan(code, element, kind):
    project = Project.objects.select_related("special_zone", "owner").get(code=code)

    assert project.is_flagship is True
    assert project.kind == kind
    # Named in the plan while it was a draft; no source says more (see projects.yaml).
    assert project.status == ProjectStatus.PROPOSED
    assert project.special_zone is not None and project.special_zone.code == "eec"
    assert list(project.alignments.values_list("element__code", flat=True)) == [element]
    assert project.alignments.get().element.plan.code == "eec-digital-infra-2"
    assert list(project.sources.values_list("key", flat=True)) == ["seed-003"]
    assert not project.budget_lines.exists()


def test_the_e_office_works_with_the_provincial_statistics_offices_and_nt():
    project = Project.objects.get(code="eec-e-office")

    assert project.is_flagship is False
    assert project.status == ProjectStatus.IN_PROGRESS
    assert set(project.partners.values_list("organisation__code", flat=True)) == {
        "nso-chon-buri",
        "nso-rayong",
        "nso-chachoengsao",
        "nt",
    }
    assert not project.alignments.exists()


def test_the_submarine_cables_are_a_completed_result_of_phase_one():
    project = Project.objects.get(code="eec-international-submarine-cables")

    assert project.status == ProjectStatus.COMPLETED
    assert (project.start_date, project.end_date) == (None, None)


def test_digital_korat_is_a_programme_in_nakhon_ratchasima_serving_four_dimensions():
    programme = Project.objects.get(code="digital-korat")

    assert programme.kind == ProjectKind.PROGRAMME
    assert list(programme.provinces.values_list("code", flat=True)) == ["30"]
    assert set(programme.alignments.values_list("element__title_th", flat=True)) == {
        "ความเท่าเทียม",
        "ความปลอดภัย",
        "โอกาสที่ดีกว่า",
        "การพัฒนาที่ยั่งยืน",
    }
    assert "มหาวิทยาลัยเทคโนโลยีสุรนารี" in programme.search_document


def test_the_three_digital_korat_mous_with_the_parties_the_seed_names():
    agreements = {
        a.code: a
        for a in Agreement.objects.filter(programme__code="digital-korat").prefetch_related(
            "parties__organisation"
        )
    }

    parties = {
        code: {p.organisation.code for p in a.parties.all()} for code, a in agreements.items()
    }
    assert parties == {
        "digital-korat-mou-1": set(),
        "digital-korat-mou-2": {"onde", "depa", "rmuti", "sut", "nrru"},
        "digital-korat-mou-3": {
            "depa",
            "nakhon-ratchasima-chamber-of-commerce",
            "fti-nakhon-ratchasima",
        },
    }
    for agreement in agreements.values():
        assert agreement.province is not None and agreement.province.code == "30"
        assert agreement.signed_on == dt.date(2024, 7, 1)
        assert agreement.status == "signed"
        assert agreement.end_date is None
        assert agreement.dimensions == [
            "ความเท่าเทียม",
            "ความปลอดภัย",
            "โอกาสที่ดีกว่า",
            "การพัฒนาที่ยั่งยืน",
        ]
        assert "seed-001" in agreement.sources.values_list("key", flat=True)
    assert "ไร้กระดาษ" in agreements["digital-korat-mou-1"].aims
    assert "พลังอ่อน" in agreements["digital-korat-mou-3"].aims


def test_depa_pilot_provinces_each_with_its_provincial_plan():
    programme = AreaProgramme.objects.get(code="depa-pilot-provinces")
    rows = list(programme.programme_provinces.select_related("province", "plan"))

    assert programme.kind == AreaProgrammeKind.PILOT_PROVINCES
    assert programme.owner.code == "depa"
    assert programme.plan is not None and programme.plan.code == "depa-promotion-2"
    assert {row.province.code for row in rows} == PILOT_PROVINCES
    for row in rows:
        assert row.plan is not None and row.plan.kind == PlanKind.PROVINCIAL
        assert row.plan.provinces.filter(pk=row.province.pk).exists()


def test_sikhio_is_a_certified_smart_city_zone_with_one_undated_decision():
    zone = SmartCityZone.objects.select_related("applicant", "district", "programme").get(
        code="sikhio-smart-living"
    )

    assert zone.stage == SmartCityStage.CERTIFIED
    assert zone.applicant.code == "sikhio-town-municipality"
    assert zone.district is not None and zone.district.code == "3020"
    assert zone.programme is not None and zone.programme.owner.code == "depa"
    decisions = list(zone.decisions.select_related("source"))
    assert [(d.stage, d.decided_on, d.decided_by_id) for d in decisions] == [
        (SmartCityStage.CERTIFIED, None, None)
    ]
    assert decisions[0].source is not None and decisions[0].source.key == "seed-001"


def test_the_three_model_digital_community_centres_down_to_their_subdistricts():
    centres = {
        c.code: c
        for c in DigitalCommunityCentre.objects.select_related(
            "host", "province", "district", "subdistrict", "programme"
        ).filter(programme__code="onde-digital-community-centres")
    }

    places = {
        code: (c.host.code, c.province.code, c.district_id and c.district.code, c.subdistrict.code)
        for code, c in centres.items()
        if c.subdistrict is not None and c.district is not None
    }
    assert places == {
        "dcc-khao-bai-si": ("khao-bai-si-subdistrict-municipality", "22", "2203", "220307"),
        "dcc-sao-thong-hin": ("sao-thong-hin-subdistrict-municipality", "12", "1203", "120304"),
        "dcc-suan-phueng": ("nfe-suan-phueng", "70", "7003", "700301"),
    }
    for centre in centres.values():
        assert centre.is_model is True
        assert centre.equipment_handed_on == dt.date(2019, 6, 17)
        assert centre.opened_on is None
        assert centre.programme is not None and centre.programme.owner.code == "onde"


def _state() -> tuple[tuple[int, ...], set[object]]:
    counts = tuple(model.objects.count() for model in MODELS)
    stamps: set[object] = set()
    for model in (Project, Agreement, AreaProgramme, SmartCityZone, DigitalCommunityCentre):
        stamps |= set(model.objects.values_list("updated_at", flat=True))
    return counts, stamps


def test_reloading_writes_nothing_and_adds_no_audit_records():
    before = _state()
    audit = AuditRecord.objects.count()

    reference_load_all()

    assert _state() == before
    assert AuditRecord.objects.count() == audit


def test_a_reload_keeps_what_users_added_and_repairs_what_the_file_states():
    project = Project.objects.get(code="digital-korat")
    agreement = Agreement.objects.get(code="digital-korat-mou-1")
    user_partner = ProjectPartner.objects.create(
        project=project, organisation=Organisation.objects.get(code="dga"), role="advisor"
    )
    user_party = AgreementParty.objects.create(
        agreement=agreement, organisation=Organisation.objects.get(code="province-office-30")
    )
    # The sources give no end date: a date a user records stays; the status they state returns.
    Agreement.objects.filter(pk=agreement.pk).update(end_date=dt.date(2027, 9, 30))
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.SUSPENDED)

    delivery_load_reference()

    assert ProjectPartner.objects.filter(pk=user_partner.pk).exists()
    assert AgreementParty.objects.filter(pk=user_party.pk).exists()
    assert Agreement.objects.get(pk=agreement.pk).end_date == dt.date(2027, 9, 30)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.IN_PROGRESS
    assert AuditRecord.objects.filter(action="project.update", target_id=str(project.pk)).exists()


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, copy)
    return copy


def test_a_broken_entry_names_the_file_and_entry_and_writes_nothing(reference_copy):
    projects = reference_copy / "projects.yaml"
    projects.write_text(
        projects.read_text(encoding="utf-8").replace(
            "name_en: Thailand Digital Valley\n", "name_en: Thailand Digital Valley (changed)\n"
        ),
        encoding="utf-8",
    )
    programmes = reference_copy / "area_programmes.yaml"
    text = programmes.read_text(encoding="utf-8")
    assert "district_th: บางใหญ่" in text
    programmes.write_text(text.replace("district_th: บางใหญ่", "district_th: บางเล็ก"), "utf-8")
    before = _state()
    audit = AuditRecord.objects.count()

    with pytest.raises(ReferenceError) as err:
        delivery_load_reference(reference_copy)

    message = str(err.value.message)
    assert "area_programmes.yaml" in message
    assert "dcc-sao-thong-hin" in message
    assert "บางเล็ก" in message
    assert Project.objects.get(code="thailand-digital-valley").name_en == "Thailand Digital Valley"
    assert _state() == before
    assert AuditRecord.objects.count() == audit


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "projects.yaml",
            "elements: [eec2-a1-p1]",
            "elements: [no-such-element]",
            "no-such-element",
        ),
        ("projects.yaml", "status: completed", "status: finished", "'finished'"),
        ("agreements.yaml", "{organisation: sut, role: party}", "{organisation: nobody}", "nobody"),
        (
            "agreements.yaml",
            "programme: digital-korat\n",
            "programme: eec-e-office\n",
            "not a programme",
        ),
        (
            "agreements.yaml",
            "sources: [seed-001, prachachat-korat-mou]",
            "sources: []",
            "'sources' is required",
        ),
        (
            "area_programmes.yaml",
            "plan: digital-economy-rayong-2565-2569",
            "plan: digital-economy-phuket-2565-2569",
            "does not cover",
        ),
        ("area_programmes.yaml", "stage: certified\n", "stage: famous\n", "famous"),
    ],
)
def test_bad_references_are_refused_with_the_file_named(reference_copy, file, old, new, expected):
    path = reference_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(ReferenceError) as err:
        delivery_load_reference(reference_copy)

    assert file in str(err.value.message)
    assert expected in str(err.value.message)
