"""The plan forms: what they check themselves, and how they hand the rest to the services."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.utils import translation

from phaen.core.errors import ValidationFailed
from phaen.plans import services
from phaen.plans.forms import (
    INDENT,
    ElementForm,
    LinkForm,
    MatrixForm,
    PlanFilterForm,
    PlanForm,
    add_service_errors,
)
from phaen.plans.models import PlanKind, PlanLevel
from phaen.plans.permissions import SYSTEM
from tests.plans.factories import OrganisationFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thai():
    with translation.override("th"):
        yield


def add(plan, title, parent=None, kind="strategy", number=""):
    return services.element_create(
        actor=SYSTEM, plan=plan, parent=parent, kind=kind, title_th=title, number=number
    )


class TestPlanFilterForm:
    def test_valid_filters_become_selector_arguments(self):
        owner = PlanFactory().owner
        form = PlanFilterForm(
            QueryDict(f"q=ขอนแก่น&level=3&owner={owner.code}&year=2568&status=draft&kind=")
        )

        assert form.filters() == {
            "search": "ขอนแก่น",
            "level": 3,
            "owner": owner.code,
            "year_be": 2568,
            "status": "draft",
        }

    def test_invalid_filters_are_ignored_not_refused(self):
        planless = OrganisationFactory()  # owners are offered only when they own a plan
        form = PlanFilterForm(QueryDict(f"level=9&year=12&owner={planless.code}&q=แผน"))

        assert form.filters() == {"search": "แผน"}

    def test_an_unbound_form_filters_nothing(self):
        assert PlanFilterForm().filters() == {}


class TestPlanForm:
    def data(self, **overrides):
        owner = OrganisationFactory()
        data = {
            "code": "t-form-plan",
            "name_th": "แผนทดสอบแบบฟอร์ม",
            "kind": "action_plan",
            "owner": owner.code,
            "area_type": "nation",
            "start_year_be": "2566",
            "end_year_be": "2570",
            "status": "draft",
            "content_status": "not_recorded",
        }
        data.update(overrides)
        return data

    def test_years_typed_in_the_buddhist_era_reach_the_service_in_ce(self):
        form = PlanForm(self.data())

        assert form.is_valid(), form.errors
        arguments = form.service_arguments()
        assert (arguments["start_year"], arguments["end_year"]) == (2023, 2027)
        assert "start_year_be" not in arguments and "level" not in arguments
        assert arguments["provinces"] == [] and arguments["partners"] == []

    def test_rules_of_the_service_are_not_checked_by_the_form(self):
        # The last year before the first is the service's rule, not the form's.
        form = PlanForm(self.data(start_year_be="2570", end_year_be="2566"))

        assert form.is_valid()

    def test_the_service_message_lands_on_the_be_year_field(self):
        form = PlanForm(self.data(start_year_be="2570", end_year_be="2566"))
        form.is_valid()

        with pytest.raises(ValidationFailed) as refused:
            services.plan_create(actor=SYSTEM, **form.service_arguments())
        add_service_errors(form, refused.value, PlanForm.field_map)

        assert form.errors["end_year_be"] == [str(refused.value.message)]
        assert "end_year" not in form.errors

    def test_editing_starts_from_the_plan_in_be_and_cannot_choose_itself(self):
        plan = PlanFactory(start_year=2022, end_year=2026)

        form = PlanForm(plan=plan)

        assert form.initial["start_year_be"] == 2565
        assert plan not in form.fields["predecessor"].queryset
        assert plan not in form.fields["parent_programme"].queryset


class TestAddServiceErrors:
    def test_an_error_without_a_known_field_goes_on_top(self):
        form = PlanFilterForm({})
        form.is_valid()

        add_service_errors(
            form, ValidationFailed("x", "ข้อความจากบริการ", detail={"fields": {"nope": "x"}})
        )

        assert form.non_field_errors() == ["ข้อความจากบริการ"]


class TestElementForm:
    def test_parents_are_the_plan_outline_indented_without_the_element_subtree(self):
        plan = PlanFactory()
        top = add(plan, "ยุทธศาสตร์", number="1")
        child = add(plan, "เป้าประสงค์", parent=top, kind="goal", number="1.1")
        other = add(plan, "ยุทธศาสตร์สอง", number="2")
        PlanFactory()  # another plan's elements are never offered

        adding = ElementForm(plan=plan)
        editing = ElementForm(plan=plan, element=top)

        labels = [label for _, label in adding.fields["parent"].choices][1:]
        assert labels == ["1 ยุทธศาสตร์", f"{INDENT}1.1 เป้าประสงค์", "2 ยุทธศาสตร์สอง"]
        assert list(editing.fields["parent"].queryset) == [other]
        assert editing.initial["title_th"] == "ยุทธศาสตร์"
        assert child.parent == top


class TestLinkForm:
    @pytest.fixture
    def plans(self):
        national = PlanFactory(kind=PlanKind.NATIONAL_STRATEGY, start_year=2018, end_year=2037)
        master = PlanFactory(kind=PlanKind.MASTER_PLAN, start_year=2018, end_year=2037)
        action = PlanFactory(kind=PlanKind.ACTION_PLAN)
        lower_peer = PlanFactory(kind=PlanKind.LOCAL)
        return national, master, action, lower_peer

    def test_offers_higher_and_same_level_plans_grouped_by_level(self, plans):
        national, master, action, peer = plans

        form = LinkForm(plan=master)

        groups = dict(form.fields["target_plan"].widget.choices[1:])
        assert str(PlanLevel.NATIONAL_STRATEGY.label) in {str(k) for k in groups}
        offered = {code for options in groups.values() for code, _ in options}
        assert national.code in offered and master.code not in offered
        assert action.code not in offered and peer.code not in offered

    def test_accepts_a_lower_plan_so_the_service_can_explain_the_rule(self, plans):
        _, master, action, _ = plans
        target = add(action, "ยุทธศาสตร์ล่าง")

        form = LinkForm(
            {"target_plan": action.code, "target_element": target.code, "contribution": "direct"},
            plan=master,
        )

        assert form.is_valid(), form.errors

    def test_offers_only_the_chosen_plan_elements(self, plans):
        national, _, action, _ = plans
        wanted = add(national, "ด้านที่หนึ่ง", number="1")
        add(action, "ไม่ใช่ของแผนนี้")

        form = LinkForm({"target_plan": national.code}, plan=action)

        assert list(form.fields["target_element"].queryset) == [wanted]

    def test_while_validating_nothing_is_required_and_a_stale_element_is_forgotten(self, plans):
        national, master, action, _ = plans
        stale = add(master, "องค์ประกอบของแผนที่เลือกก่อนหน้า")

        form = LinkForm(
            QueryDict(f"target_plan={national.code}&target_element={stale.code}"),
            plan=action,
            validating=True,
        )

        assert form.is_valid(), form.errors
        assert not form.complete
        assert form["target_element"].value() == ""

    def test_a_complete_form_gives_the_service_its_arguments(self, plans):
        national, _, action, _ = plans
        target = add(national, "ด้านที่หนึ่ง")
        source = add(action, "ยุทธศาสตร์")

        form = LinkForm(
            {
                "source_element": source.code,
                "target_plan": national.code,
                "target_element": target.code,
                "contribution": "supporting",
                "rationale": "เหตุผล",
            },
            plan=action,
        )

        assert form.is_valid(), form.errors
        assert form.service_arguments() == {
            "source_element": source,
            "source_plan": action,
            "target": target,
            "contribution": "supporting",
            "rationale": "เหตุผล",
        }


class TestMatrixForm:
    def test_plans_reached_come_first_then_other_plans_above(self):
        national = PlanFactory(kind=PlanKind.NATIONAL_STRATEGY, start_year=2018, end_year=2037)
        master = PlanFactory(kind=PlanKind.MASTER_PLAN, start_year=2018, end_year=2037)
        action = PlanFactory(kind=PlanKind.ACTION_PLAN)

        form = MatrixForm(plan=action, candidates=[master])

        choices = form.fields["higher"].widget.choices
        assert [code for code, _ in choices[1][1]] == [master.code]
        assert national.code in [code for code, _ in choices[2][1]]
        assert master.code not in [code for code, _ in choices[2][1]]
