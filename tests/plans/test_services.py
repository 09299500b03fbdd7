"""Rules of the plan services: outlines, and the alignment rules with their messages."""

from __future__ import annotations

import pytest
from django.utils import translation

from phaen.core.errors import PermissionDenied, ValidationFailed
from phaen.plans import selectors, services
from phaen.plans.models import AlignmentLink, Plan, PlanElement, PlanKind
from phaen.plans.permissions import SYSTEM
from tests.plans.factories import OrganisationFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def make_plan(kind: str = PlanKind.ACTION_PLAN, start: int = 2023, end: int = 2027, **kw):
    plan = PlanFactory(kind=kind, start_year=start, end_year=end, **kw)
    return plan


def add(plan: Plan, title: str, parent: PlanElement | None = None, kind: str = "strategy"):
    return services.element_create(
        actor=SYSTEM, plan=plan, parent=parent, kind=kind, title_th=title
    )


class TestOutline:
    def test_elements_are_numbered_in_order_and_read_as_a_tree(self):
        plan = make_plan()
        s1 = add(plan, "หนึ่ง")
        s2 = add(plan, "สอง")
        g = add(plan, "เป้าประสงค์", parent=s1, kind="goal")
        inserted = services.element_create(
            actor=SYSTEM, plan=plan, kind="strategy", title_th="แทรก", position=1
        )

        outline = selectors.plan_outline(plan)

        assert [n.element.title_th for n in outline] == ["แทรก", "หนึ่ง", "สอง"]
        assert [c.element.pk for c in outline[1].children] == [g.pk]
        s1.refresh_from_db()
        s2.refresh_from_db()
        inserted.refresh_from_db()
        assert (inserted.path, s1.path, s2.path) == ("0001", "0002", "0003")
        g.refresh_from_db()
        assert g.path == "0002.0001" and g.depth == 1

    def test_an_element_cannot_move_inside_itself(self):
        plan = make_plan()
        top = add(plan, "บน")
        child = add(plan, "ล่าง", parent=top)

        with pytest.raises(ValidationFailed) as err:
            services.element_update(actor=SYSTEM, element=top, parent=child)

        assert err.value.code == "element_parent_cycle"
        top.refresh_from_db()
        assert top.parent_id is None

    def test_outline_reads_in_one_query(self, django_assert_num_queries):
        plan = make_plan()
        for i in range(5):
            parent = add(plan, f"ยุทธศาสตร์ {i}")
            for j in range(4):
                add(plan, f"แนวทาง {i}.{j}", parent=parent, kind="approach")

        with django_assert_num_queries(1):
            outline = selectors.plan_outline(plan)

        assert len(outline) == 5 and all(len(n.children) == 4 for n in outline)


class TestAlignmentRules:
    def setup_plans(self):
        ns = make_plan(PlanKind.NATIONAL_STRATEGY, 2018, 2037)
        master = make_plan(PlanKind.MASTER_PLAN, 2018, 2037)
        action = make_plan(PlanKind.ACTION_PLAN, 2024, 2027)
        return ns, master, action

    def test_an_upward_link_is_recorded(self):
        _ns, master, action = self.setup_plans()
        a1 = add(action, "แนวทางที่ 1", kind="approach")
        m7 = add(master, "โครงสร้างพื้นฐาน")

        link = services.alignment_link(actor=SYSTEM, source_element=a1, target=m7)

        assert link.source_plan == action and link.target_plan == master
        assert link.asserted_by == action.owner

    def test_a_downward_link_is_refused_and_nothing_written(self):
        ns, _master, action = self.setup_plans()
        n1 = add(ns, "ด้านความมั่นคง")
        a1 = add(action, "แนวทางที่ 1", kind="approach")

        with pytest.raises(ValidationFailed) as err:
            services.alignment_link(actor=SYSTEM, source_element=n1, target=a1)

        assert err.value.code == "alignment_points_downward"
        assert "must point upward" in str(err.value.message)
        assert not AlignmentLink.objects.filter(source_plan=ns).exists()

    def test_disjoint_periods_are_refused(self):
        old = make_plan(PlanKind.MASTER_PLAN, 2010, 2015)
        action = make_plan(PlanKind.ACTION_PLAN, 2024, 2027)
        target = add(old, "เก่า")
        source = add(action, "ใหม่")

        with pytest.raises(ValidationFailed) as err:
            services.alignment_link(actor=SYSTEM, source_element=source, target=target)

        assert err.value.code == "alignment_periods_disjoint"
        assert "2553–2558" in str(err.value.message)
        assert not AlignmentLink.objects.filter(source_plan=action).exists()

    def test_same_level_only_to_a_programme(self):
        one = make_plan()
        two = make_plan()
        strategy = add(two, "ยุทธศาสตร์")
        programme = add(two, "แผนงาน", kind="programme")
        source = add(one, "โครงการ", kind="project")

        with pytest.raises(ValidationFailed) as err:
            services.alignment_link(actor=SYSTEM, source_element=source, target=strategy)
        assert err.value.code == "alignment_same_level_not_programme"

        link = services.alignment_link(actor=SYSTEM, source_element=source, target=programme)
        assert link.pk

    def test_same_level_to_the_parent_programme_plan(self):
        programme = make_plan(PlanKind.AGENCY_ACTION_PLAN)
        provincial = make_plan(PlanKind.PROVINCIAL, parent_programme=programme)
        target = add(programme, "ยุทธศาสตร์ของแผนส่งเสริม")

        link = services.alignment_link(actor=SYSTEM, source_plan=provincial, target=target)

        assert link.source_element is None

    def test_a_cycle_is_refused_with_the_chain_named(self):
        first = make_plan(name_th="แผนหนึ่ง")
        second = make_plan(name_th="แผนสอง")
        p1 = add(first, "แผนงานหนึ่ง", kind="programme")
        p2 = add(second, "แผนงานสอง", kind="programme")
        services.alignment_link(actor=SYSTEM, source_element=p1, target=p2)

        with pytest.raises(ValidationFailed) as err:
            services.alignment_link(actor=SYSTEM, source_element=p2, target=p1)

        assert err.value.code == "alignment_cycle"
        assert "แผนหนึ่ง → แผนสอง" in str(err.value.message)
        assert AlignmentLink.objects.filter(source_plan__in=[first, second]).count() == 1

    def test_a_duplicate_is_refused(self):
        _ns, master, action = self.setup_plans()
        a1 = add(action, "แนวทาง")
        m = add(master, "ยุทธศาสตร์")
        services.alignment_link(actor=SYSTEM, source_element=a1, target=m)

        with pytest.raises(ValidationFailed) as err:
            services.alignment_link(actor=SYSTEM, source_element=a1, target=m)

        assert err.value.code == "alignment_duplicate"

    def test_changing_a_period_that_breaks_a_link_is_refused(self):
        _ns, master, action = self.setup_plans()
        services.alignment_link(
            actor=SYSTEM, source_element=add(action, "ก"), target=add(master, "ข")
        )

        with pytest.raises(ValidationFailed) as err:
            services.plan_update(actor=SYSTEM, plan=action, start_year=2040, end_year=2042)

        assert err.value.code == "alignment_periods_disjoint"
        action.refresh_from_db()
        assert action.start_year == 2024

    def test_a_user_without_permission_is_refused(self, reader):
        _ns, master, action = self.setup_plans()
        source, target = add(action, "ก"), add(master, "ข")

        with pytest.raises(PermissionDenied):
            services.alignment_link(actor=reader, source_element=source, target=target)

        assert not AlignmentLink.objects.filter(source_plan=action).exists()


class TestPlanValidation:
    def test_kind_fixes_the_level(self):
        owner = OrganisationFactory()
        with pytest.raises(ValidationFailed) as err:
            services.plan_create(
                actor=SYSTEM,
                code="x-plan",
                name_th="แผน",
                kind=PlanKind.PROVINCIAL,
                level=1,
                owner=owner,
                start_year=2022,
                end_year=2026,
                area_type="nation",
            )
        assert err.value.code == "plan_level_kind_mismatch"
        assert not Plan.objects.filter(code="x-plan").exists()

    def test_a_provincial_area_needs_a_province(self):
        with pytest.raises(ValidationFailed) as err:
            services.plan_create(
                actor=SYSTEM,
                code="x-plan",
                name_th="แผน",
                kind=PlanKind.PROVINCIAL,
                owner=OrganisationFactory(),
                start_year=2022,
                end_year=2026,
                area_type="province",
            )
        assert err.value.detail["fields"].keys() == {"provinces"}

    def test_end_before_start_is_refused(self):
        with pytest.raises(ValidationFailed) as err:
            services.plan_create(
                actor=SYSTEM,
                code="x-plan",
                name_th="แผน",
                kind=PlanKind.ACTION_PLAN,
                owner=OrganisationFactory(),
                start_year=2026,
                end_year=2022,
            )
        assert err.value.code == "plan_period_invalid"


class TestChain:
    def test_chain_climbs_parents_and_links_to_level_one(self):
        ns = make_plan(PlanKind.NATIONAL_STRATEGY, 2018, 2037)
        master = make_plan(PlanKind.MASTER_PLAN, 2018, 2037)
        action = make_plan(PlanKind.ACTION_PLAN, 2024, 2027)
        n2 = add(ns, "ด้านการสร้างความสามารถในการแข่งขัน")
        m7 = add(master, "โครงสร้างพื้นฐาน")
        a1 = add(action, "แนวทางที่ 1", kind="approach")
        project = add(action, "ASEAN Digital Hub", parent=a1, kind="project")
        services.alignment_link(actor=SYSTEM, source_element=a1, target=m7)
        services.alignment_link(actor=SYSTEM, source_plan=master, target=n2)

        chain = selectors.alignment_chain(project)

        assert chain.reaches_national_strategy
        steps = [(s.element.pk, s.relation) for s in chain.paths[0]]
        assert steps == [
            (project.pk, "start"),
            (a1.pk, "part_of"),
            (m7.pk, "serves"),
            (n2.pk, "serves"),
        ]


class TestAlignmentCheck:
    def test_check_answers_like_link_and_writes_nothing(self):
        master = make_plan(PlanKind.MASTER_PLAN, 2018, 2037)
        action = make_plan(PlanKind.ACTION_PLAN, 2024, 2027)
        up, down = add(master, "บน"), add(action, "ล่าง")

        services.alignment_check(actor=SYSTEM, source_element=down, target=up)
        with pytest.raises(ValidationFailed) as err:
            services.alignment_check(actor=SYSTEM, source_element=up, target=down)

        assert err.value.code == "alignment_points_downward"
        assert not AlignmentLink.objects.filter(source_plan__in=[master, action]).exists()

    def test_check_needs_a_serving_element_or_plan(self):
        target = add(make_plan(PlanKind.MASTER_PLAN, 2018, 2037), "บน")

        with pytest.raises(ValidationFailed) as err:
            services.alignment_check(actor=SYSTEM, target=target)

        assert err.value.code == "alignment_source_required"
