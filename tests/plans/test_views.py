"""The plan pages as users meet them: reading, permissions, editing, refusals, query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from phaen.geography.models import Province
from phaen.plans import services
from phaen.plans.models import (
    AlignmentLink,
    ContentStatus,
    Plan,
    PlanElement,
    PlanKind,
    VersionKind,
)
from phaen.plans.permissions import SYSTEM
from tests.conftest import pass_second_factor, planning_office
from tests.plans.factories import ElementFactory, OrganisationFactory, PlanFactory, publish

pytestmark = pytest.mark.django_db


def thai(message: str) -> str:
    """Return what a Thai reader sees for an interface message (its msgstr once translated)."""
    with translation.override("th"):
        return translation.gettext(message)


def province(code: str, name_th: str) -> Province:
    """Return a province of the reference data, made here when the run skips that data."""
    return Province.objects.get_or_create(code=code, defaults={"name_th": name_th, "name_en": ""})[
        0
    ]


def counts() -> tuple[int, int, int]:
    return Plan.objects.count(), PlanElement.objects.count(), AlignmentLink.objects.count()


def element(plan: Plan, title: str, *, parent: PlanElement | None = None, **kw: Any):
    return services.element_create(
        actor=SYSTEM,
        plan=plan,
        parent=parent,
        kind=kw.pop("kind", "strategy"),
        title_th=title,
        **kw,
    )


@pytest.fixture
def hierarchy() -> dict[str, Any]:
    """A level-1 strategy, a level-2 master plan serving it, and a level-3 plan with an outline.

    The plans belong to the `planner` fixture's office and are published (version 1), so the
    public sees them.
    """
    owner = planning_office()
    national = PlanFactory(
        code="t-national",
        name_th="ยุทธศาสตร์ชาติทดสอบ",
        kind=PlanKind.NATIONAL_STRATEGY,
        owner=owner,
        start_year=2018,
        end_year=2037,
        content_status=ContentStatus.COMPLETE,
    )
    ns1 = element(national, "ด้านความมั่นคงทดสอบ", number="1")
    ns2 = element(national, "ด้านการสร้างความสามารถในการแข่งขันทดสอบ", number="2")
    master = PlanFactory(
        code="t-master",
        name_th="แผนแม่บทดิจิทัลทดสอบ",
        kind=PlanKind.MASTER_PLAN,
        owner=owner,
        start_year=2018,
        end_year=2037,
        content_status=ContentStatus.PARTIAL,
    )
    m1 = element(master, "โครงสร้างพื้นฐานดิจิทัลทดสอบ", number="1")
    services.alignment_link(actor=SYSTEM, source_element=m1, target=ns2)
    action = PlanFactory(
        code="t-action",
        name_th="แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ",
        kind=PlanKind.PROVINCIAL,
        owner=owner,
        start_year=2022,
        end_year=2026,
        content_status=ContentStatus.PARTIAL,
        content_note="บันทึกเฉพาะยุทธศาสตร์",
    )
    a1 = element(action, "ยกระดับโครงสร้างพื้นฐานดิจิทัลของจังหวัด", number="1")
    a11 = element(action, "ขยายโครงข่ายอินเทอร์เน็ตชุมชน", number="1.1", parent=a1, kind="approach")
    a2 = element(action, "", number="2", content_recorded=False)
    services.alignment_link(actor=SYSTEM, source_element=a1, target=m1)
    for plan in (national, master, action):
        services.version_freeze(plan=plan, kind=VersionKind.REFERENCE)
    return {
        "owner": owner,
        "national": national,
        "ns1": ns1,
        "ns2": ns2,
        "master": master,
        "m1": m1,
        "action": action,
        "a1": a1,
        "a11": a11,
        "a2": a2,
    }


@pytest.fixture
def reader_client(reader: Any) -> Client:
    client = Client()
    client.force_login(reader)
    return client


# --- Reading ------------------------------------------------------------------------------------


READ_PAGES = [
    ("plans:plan_list", None, "ยุทธศาสตร์ชาติทดสอบ"),
    ("plans:plan_detail", "action", "ยกระดับโครงสร้างพื้นฐานดิจิทัลของจังหวัด"),
    ("plans:plan_detail", "national", "ด้านความมั่นคงทดสอบ"),
    ("plans:plan_chain", "action", "ด้านการสร้างความสามารถในการแข่งขันทดสอบ"),
    ("plans:element_chain", "a11", "ด้านการสร้างความสามารถในการแข่งขันทดสอบ"),
    ("plans:plan_matrix", "action", "โครงสร้างพื้นฐานดิจิทัลทดสอบ"),
    ("plans:plan_gaps", "master", "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ"),
]


@pytest.mark.parametrize(("name", "key", "text"), READ_PAGES)
def test_every_page_opens_for_anonymous_readers_in_thai(client, hierarchy, name, key, text):
    # Given an anonymous visitor
    url = reverse(name, args=[hierarchy[key].code] if key else [])

    # When they open the page
    response = client.get(url)

    # Then it is served, in Thai, with the data they came for
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="th"' in html
    assert text in html


def test_anonymous_readers_see_no_edit_controls(client, hierarchy):
    response = client.get(reverse("plans:plan_detail", args=["t-action"]))

    assert reverse("plans:plan_edit", args=["t-action"]) not in response.content.decode()
    assert reverse("plans:link_create", args=["t-action"]) not in response.content.decode()


def test_planners_see_edit_controls(planner_client, hierarchy):
    response = planner_client.get(reverse("plans:plan_detail", args=["t-action"]))

    html = response.content.decode()
    assert reverse("plans:plan_edit", args=["t-action"]) in html
    assert reverse("plans:element_edit", args=[hierarchy["a1"].code]) in html


def test_plan_page_shows_outline_links_both_ways_and_the_cascade(client, hierarchy):
    # When a reader opens the master plan, which serves level 1 and is served by level 3
    response = client.get(reverse("plans:plan_detail", args=["t-master"]))
    html = response.content.decode()

    # Then its element shows what it serves and what serves it
    entry = next(e for e in response.context["outline"] if e.element.code == hierarchy["m1"].code)
    assert [link.target_element.code for link in entry.serves] == [hierarchy["ns2"].code]
    assert [link.source_element.code for link in entry.served_by] == [hierarchy["a1"].code]
    assert "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ" in html
    # and the cascade runs from the National Strategy down to this plan, which comes last
    levels = response.context["cascade"]
    assert [level for level, _ in levels] == [1, 2]
    assert levels[-1][1][-1].plan == hierarchy["master"] and levels[-1][1][-1].current
    assert "cascade__box--current" in html


def test_plan_without_recorded_content_says_so_plainly(client, hierarchy):
    plan = PlanFactory(name_th="แผนที่ยังไม่มีเนื้อหา", content_status=ContentStatus.NOT_RECORDED)
    publish(plan)

    response = client.get(reverse("plans:plan_detail", args=[plan.code]))

    html = response.content.decode()
    assert thai("Details not yet recorded") in html


def test_unrecorded_elements_are_marked_in_the_outline(client, hierarchy):
    response = client.get(reverse("plans:plan_detail", args=["t-action"]))

    html = response.content.decode()
    item = html.split(f'id="element-{hierarchy["a2"].code}"', 1)[1].split("</li>", 1)[0]
    assert thai("(not yet recorded)") in item
    assert "outline__item--unrecorded" in html


def test_chain_page_gives_a_verdict(client, hierarchy):
    reaching = client.get(reverse("plans:element_chain", args=[hierarchy["a11"].code]))
    stranded_element = ElementFactory(plan=publish(PlanFactory()), title_th="องค์ประกอบโดดเดี่ยว")
    stranded = client.get(reverse("plans:element_chain", args=[stranded_element.code]))

    assert reaching.context["chain"].reaches_national_strategy
    assert thai("Reaches the National Strategy.") in reaching.content.decode()
    assert [step.element for step in reaching.context["chain"].paths[0]] == [
        hierarchy["a11"],
        hierarchy["a1"],
        hierarchy["m1"],
        hierarchy["ns2"],
    ]
    assert thai("Does not reach the National Strategy yet.") in stranded.content.decode()


def test_matrix_marks_cells_with_symbol_and_text(client, hierarchy):
    response = client.get(
        reverse("plans:plan_matrix", args=["t-action"]), {"higher": "t-master", "depth": 1}
    )

    matrix = response.context["matrix"]
    assert matrix.higher_plan == hierarchy["master"]
    assert [row.code for row in matrix.rows] == [
        hierarchy["a1"].code,
        hierarchy["a11"].code,
        hierarchy["a2"].code,
    ]
    assert [cell.kind for cell in matrix.cells[0]] == ["direct"]
    html = response.content.decode()
    assert "●" in html and thai("Direct") in html
    assert thai("Legend") in html


def test_matrix_defaults_to_the_nearest_plan_above(client, hierarchy):
    response = client.get(reverse("plans:plan_matrix", args=["t-action"]))

    assert response.context["matrix"].higher_plan == hierarchy["master"]


def test_gaps_lists_served_unserved_and_serving_nothing(client, hierarchy):
    element(hierarchy["master"], "ประเด็นที่ยังไม่มีใครสนับสนุน", number="2")

    response = client.get(reverse("plans:plan_gaps", args=["t-master"]), {"level": 3})

    gaps = response.context["gaps"]
    assert [s.element for s in gaps.served] == [hierarchy["m1"]]
    assert gaps.served[0].plans == [(hierarchy["action"], "direct")]
    assert [e.title_th for e in gaps.unserved] == ["ประเด็นที่ยังไม่มีใครสนับสนุน"]
    assert [e.title_th for e in gaps.serving_nothing] == ["ประเด็นที่ยังไม่มีใครสนับสนุน"]


def test_unknown_plan_and_element_are_404(client, db):
    assert client.get(reverse("plans:plan_detail", args=["no-such-plan"])).status_code == 404
    assert client.get(reverse("plans:element_chain", args=["no-such-el"])).status_code == 404
    assert client.get(reverse("plans:plan_matrix", args=["no-such-plan"])).status_code == 404


# --- The plan browser ---------------------------------------------------------------------------


def test_filters_narrow_the_list_by_level_and_year_in_be(client, hierarchy):
    response = client.get(reverse("plans:plan_list"), {"level": 3, "year": 2569})

    plans = list(response.context["page_obj"].object_list)
    assert hierarchy["action"] in plans
    assert all(p.level == 3 and p.start_year <= 2026 <= p.end_year for p in plans)


def test_htmx_filtering_returns_only_the_results(client, hierarchy):
    response = client.get(
        reverse("plans:plan_list"),
        {"q": "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ"},
        headers={"HX-Request": "true", "HX-Target": "plan-results"},
    )

    html = response.content.decode()
    assert "<html" not in html
    assert "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ" in html
    assert response["Vary"].count("HX-Request") == 1
    assert f"{reverse('plans:plan_export')}?q=" in html


def test_results_are_grouped_by_level_with_badges(client, hierarchy):
    response = client.get(reverse("plans:plan_list"), {"owner": hierarchy["owner"].code})

    html = response.content.decode()
    assert html.index('id="plans-level-1"') < html.index('id="plans-level-2"')
    assert html.index('id="plans-level-2"') < html.index('id="plans-level-3"')
    assert "badge--level-3" in html


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_downloads_the_filtered_list(client, hierarchy, fmt):
    response = client.get(
        reverse("plans:plan_export"), {"format": fmt, "owner": hierarchy["owner"].code}
    )

    assert response.status_code == 200
    assert f'filename="phaen-plans.{fmt}"' in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")
    if fmt == "json":
        codes = [row["code"] for row in json.loads(body)]
        assert codes == ["t-national", "t-master", "t-action"]
        assert json.loads(body)[2]["start_year_be"] == 2565
    else:
        assert body.splitlines()[0].startswith("code,name_th")
        assert "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ" in body
        assert len(body.splitlines()) == 4


def test_export_refuses_an_unknown_format(client, db):
    assert client.get(reverse("plans:plan_export"), {"format": "xls"}).status_code == 400


def khon_kaen_plan() -> Plan:
    plan = Plan.objects.filter(level=3, kind=PlanKind.PROVINCIAL, provinces__code="40").first()
    if plan is None:
        pytest.skip("The reference data (Khon Kaen's provincial plan) is not loaded.")
    return plan


@pytest.mark.parametrize("query", ["ขอนแก่น", "ดีป้า"])
def test_thai_search_finds_the_khon_kaen_plan(client, query):
    plan = khon_kaen_plan()

    response = client.get(reverse("plans:plan_list"), {"q": query})

    assert plan in response.context["page_obj"].object_list
    assert plan.name_th in response.content.decode()


# --- Permissions --------------------------------------------------------------------------------


def edit_urls(h: dict[str, Any]) -> list[tuple[str, str]]:
    link = AlignmentLink.objects.get(source_element=h["a1"])
    return [
        ("get", reverse("plans:plan_create")),
        ("get", reverse("plans:plan_edit", args=["t-action"])),
        ("get", reverse("plans:element_create", args=["t-action"])),
        ("get", reverse("plans:element_edit", args=[h["a1"].code])),
        ("get", reverse("plans:element_delete", args=[h["a1"].code])),
        ("get", reverse("plans:link_create", args=["t-action"])),
        ("get", reverse("plans:link_delete", args=[link.pk])),
        ("post", reverse("plans:plan_create")),
        ("post", reverse("plans:plan_edit", args=["t-action"])),
        ("post", reverse("plans:element_create", args=["t-action"])),
        ("post", reverse("plans:element_edit", args=[h["a1"].code])),
        ("post", reverse("plans:element_delete", args=[h["a1"].code])),
        ("post", reverse("plans:link_create", args=["t-action"])),
        ("post", reverse("plans:link_validate", args=["t-action"])),
        ("post", reverse("plans:link_delete", args=[link.pk])),
    ]


def full_post(h: dict[str, Any]) -> dict[str, Any]:
    """A POST body that every edit form would accept, so only permissions can refuse it."""
    return {
        "code": "t-new",
        "name_th": "แผนใหม่",
        "kind": "action_plan",
        "owner": h["owner"].code,
        "area_type": "nation",
        "start_year_be": 2566,
        "end_year_be": 2570,
        "status": "draft",
        "content_status": "not_recorded",
        "title_th": "ยุทธศาสตร์ใหม่",
        "target_plan": "t-master",
        "target_element": h["m1"].code,
        "source_element": h["a11"].code,
        "contribution": "direct",
    }


def test_edit_pages_send_anonymous_visitors_to_sign_in(client, hierarchy):
    before = counts()
    for method, url in edit_urls(hierarchy):
        data = full_post(hierarchy) if method == "post" else None
        response = getattr(client, method)(url, data)

        assert response.status_code == 302, url
        assert response.url.startswith(resolve_url(settings.LOGIN_URL)), url
    assert counts() == before


def test_edit_pages_are_forbidden_without_permission(reader_client, hierarchy):
    before = counts()
    for method, url in edit_urls(hierarchy):
        data = full_post(hierarchy) if method == "post" else None
        response = getattr(reader_client, method)(url, data)

        assert response.status_code == 403, url
    assert counts() == before
    assert Plan.objects.filter(code="t-new").count() == 0


# --- Editing ------------------------------------------------------------------------------------


def test_planner_creates_a_plan_with_years_in_the_buddhist_era(planner_client, hierarchy):
    province("40", "ขอนแก่น")
    response = planner_client.post(
        reverse("plans:plan_create"),
        {
            "code": "t-created",
            "name_th": "แผนพัฒนาดิจิทัลจังหวัดทดสอบใหม่",
            "kind": "provincial",
            "owner": hierarchy["owner"].code,
            "area_type": "province",
            "provinces": ["40"],
            "start_year_be": 2566,
            "end_year_be": 2570,
            "status": "draft",
            "content_status": "not_recorded",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("plans:plan_detail", args=["t-created"])
    plan = Plan.objects.get(code="t-created")
    assert (plan.level, plan.start_year, plan.end_year) == (3, 2023, 2027)
    assert [p.code for p in plan.provinces.all()] == ["40"]
    page = planner_client.get(response.url)
    assert "แผนพัฒนาดิจิทัลจังหวัดทดสอบใหม่" in page.content.decode()
    assert "2566–2570" in page.content.decode()


def test_plan_form_shows_the_service_message_next_to_the_field(planner_client, hierarchy):
    before = counts()

    response = planner_client.post(
        reverse("plans:plan_create"),
        {
            "code": "t-backwards",
            "name_th": "แผนปีย้อน",
            "kind": "action_plan",
            "owner": hierarchy["owner"].code,
            "area_type": "province",
            "start_year_be": 2566,
            "end_year_be": 2570,
            "status": "draft",
            "content_status": "not_recorded",
        },
    )

    assert response.status_code == 422
    form = response.context["form"]
    with translation.override("th"):
        expected = translation.gettext("Choose at least one province.")
    assert form.errors["provinces"] == [expected]
    assert 'id="id_provinces_error"' in response.content.decode()
    assert counts() == before


def test_plan_edit_converts_years_and_keeps_the_rest(planner_client, hierarchy):
    form = planner_client.get(reverse("plans:plan_edit", args=["t-action"])).context["form"]
    data = {
        name: (value.code if hasattr(value, "code") else value)
        for name, value in form.initial.items()
        if value not in (None, [])
    }
    data["end_year_be"] = 2568

    response = planner_client.post(reverse("plans:plan_edit", args=["t-action"]), data)

    assert response.status_code == 302
    plan = Plan.objects.get(code="t-action")
    assert plan.end_year == 2025 and plan.name_th == "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ"


def test_planner_adds_an_element_under_a_parent(planner_client, hierarchy):
    response = planner_client.post(
        reverse("plans:element_create", args=["t-action"]),
        {
            "kind": "approach",
            "parent": hierarchy["a1"].code,
            "number": "1.2",
            "label_th": "แนวทาง",
            "title_th": "ส่งเสริมทักษะดิจิทัลของประชาชน",
            "content_recorded": "on",
        },
    )

    assert response.status_code == 302
    added = PlanElement.objects.get(title_th="ส่งเสริมทักษะดิจิทัลของประชาชน")
    assert added.parent == hierarchy["a1"] and added.depth == 1 and added.path == "0001.0002"
    assert response.url.endswith(f"#element-{added.code}")


def test_element_form_offers_the_outline_indented(planner_client, hierarchy):
    response = planner_client.get(reverse("plans:element_create", args=["t-action"]))

    html = response.content.decode()
    assert f'<option value="{hierarchy["a11"].code}">\u20031.1 ขยายโครงข่าย' in html


def test_planner_edits_and_deletes_an_element(planner_client, hierarchy):
    a11 = hierarchy["a11"]
    response = planner_client.post(
        reverse("plans:element_edit", args=[a11.code]),
        {"kind": "approach", "parent": hierarchy["a1"].code, "number": "1.1", "title_th": "ใหม่"},
    )
    assert response.status_code == 302
    a11.refresh_from_db()
    assert a11.title_th == "ใหม่"

    confirm = planner_client.get(reverse("plans:element_delete", args=[a11.code]))
    assert confirm.status_code == 200
    response = planner_client.post(reverse("plans:element_delete", args=[a11.code]))
    assert response.status_code == 302
    assert not PlanElement.objects.filter(pk=a11.pk).exists()


def test_planner_adds_a_link_and_sees_it_on_the_plan_page(planner_client, hierarchy):
    response = planner_client.post(
        reverse("plans:link_create", args=["t-action"]),
        {
            "source_element": hierarchy["a11"].code,
            "target_plan": "t-national",
            "target_element": hierarchy["ns1"].code,
            "contribution": "supporting",
            "rationale": "สนับสนุนความมั่นคงทางไซเบอร์",
        },
    )

    assert response.status_code == 302
    link = AlignmentLink.objects.get(source_element=hierarchy["a11"])
    assert link.target_element == hierarchy["ns1"] and link.contribution == "supporting"
    page = planner_client.get(response.url)
    assert "ด้านความมั่นคงทดสอบ" in page.content.decode()


def test_planner_links_the_whole_plan(planner_client, hierarchy):
    response = planner_client.post(
        reverse("plans:link_create", args=["t-action"]),
        {
            "source_element": "",
            "target_plan": "t-national",
            "target_element": hierarchy["ns2"].code,
            "contribution": "supporting",
        },
    )

    assert response.status_code == 302
    assert AlignmentLink.objects.filter(
        source_plan=hierarchy["action"], source_element=None
    ).exists()


def test_htmx_save_redirects_with_hx_redirect(planner_client, hierarchy):
    response = planner_client.post(
        reverse("plans:link_create", args=["t-action"]),
        {
            "source_element": hierarchy["a11"].code,
            "target_plan": "t-master",
            "target_element": hierarchy["m1"].code,
            "contribution": "direct",
        },
        headers={"HX-Request": "true", "HX-Target": "link-form"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("plans:plan_detail", args=["t-action"]))


def test_planner_removes_a_link_after_confirming(planner_client, hierarchy):
    link = AlignmentLink.objects.get(source_element=hierarchy["a1"])
    confirm = planner_client.get(reverse("plans:link_delete", args=[link.pk]))
    assert confirm.status_code == 200
    assert AlignmentLink.objects.filter(pk=link.pk).exists()

    response = planner_client.post(reverse("plans:link_delete", args=[link.pk]))

    assert response.status_code == 302
    assert not AlignmentLink.objects.filter(pk=link.pk).exists()


# --- Refused links -----------------------------------------------------------------------------


def post_link(client: Client, plan: Plan, source: PlanElement, target: PlanElement, **headers):
    return client.post(
        reverse("plans:link_create", args=[plan.code]),
        {
            "source_element": source.code,
            "target_plan": target.plan.code,
            "target_element": target.code,
            "contribution": "direct",
        },
        headers=headers,
    )


def field_error(html: str, field: str) -> str:
    """Return the text of the error list rendered next to a field."""
    return html.split(f'id="id_{field}_error"', 1)[1].split("</ul>", 1)[0]


def test_a_downward_link_is_refused_with_the_rule_shown(planner_client, hierarchy):
    before = counts()

    response = post_link(planner_client, hierarchy["master"], hierarchy["m1"], hierarchy["a11"])

    assert response.status_code == 422
    [message] = response.context["form"].errors["target_element"]
    assert "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ" in message  # the lower plan is named
    assert "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ" in field_error(response.content.decode(), "target_element")
    assert counts() == before


def test_a_cycle_is_refused_with_the_chain_shown(planner_client, hierarchy):
    owner = hierarchy["owner"]
    first = PlanFactory(name_th="แผนงานบูรณาการแรก", kind=PlanKind.PROGRAMME, owner=owner)
    second = PlanFactory(name_th="แผนงานบูรณาการที่สอง", kind=PlanKind.PROGRAMME, owner=owner)
    first_programme = element(first, "แผนงานย่อยแรก", kind="programme")
    second_programme = element(second, "แผนงานย่อยที่สอง", kind="programme")
    services.alignment_link(actor=SYSTEM, source_element=first_programme, target=second_programme)
    before = counts()

    response = post_link(planner_client, second, second_programme, first_programme)

    assert response.status_code == 422
    [message] = response.context["form"].errors["target_element"]
    assert "แผนงานบูรณาการแรก → แผนงานบูรณาการที่สอง" in message
    assert "→" in field_error(response.content.decode(), "target_element")
    assert counts() == before


def test_disjoint_periods_are_refused_with_both_periods_in_be(planner_client, hierarchy):
    old = PlanFactory(
        name_th="แผนแม่บทเก่า", kind=PlanKind.MASTER_PLAN, start_year=2010, end_year=2014
    )
    old_element = element(old, "ประเด็นเก่า")
    before = counts()

    response = post_link(planner_client, hierarchy["action"], hierarchy["a1"], old_element)

    assert response.status_code == 422
    [message] = response.context["form"].errors["target_element"]
    assert "2553–2557" in message and "2565–2569" in message
    assert "2553–2557" in field_error(response.content.decode(), "target_element")
    assert counts() == before


def test_htmx_refusal_swaps_the_form_with_the_message(planner_client, hierarchy):
    before = counts()

    response = post_link(
        planner_client,
        hierarchy["master"],
        hierarchy["m1"],
        hierarchy["a11"],
        **{"HX-Request": "true", "HX-Target": "link-form"},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert '<form id="link-form"' in html
    assert "<html" not in html
    assert "data-error-summary" in html
    assert counts() == before


# --- Inline validation -------------------------------------------------------------------------


def validate(client: Client, plan: Plan, **data: str):
    return client.post(
        reverse("plans:link_validate", args=[plan.code]),
        data,
        headers={"HX-Request": "true", "HX-Target": "link-fields"},
    )


def test_choosing_a_plan_offers_its_elements_without_complaining(planner_client, hierarchy):
    response = validate(planner_client, hierarchy["action"], target_plan="t-national")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{hierarchy["ns1"].code}">1 ด้านความมั่นคงทดสอบ</option>' in html
    assert "field__errors" not in html


def test_inline_check_shows_the_service_message_and_writes_nothing(planner_client, hierarchy):
    before = counts()

    response = validate(
        planner_client,
        hierarchy["master"],
        source_element=hierarchy["m1"].code,
        target_plan="t-action",
        target_element=hierarchy["a11"].code,
    )

    assert response.status_code == 200
    assert "แผนปฏิบัติการดิจิทัลจังหวัดทดสอบ" in field_error(response.content.decode(), "target_element")
    assert counts() == before


def test_inline_check_confirms_an_allowed_link_and_writes_nothing(planner_client, hierarchy):
    before = counts()

    response = validate(
        planner_client,
        hierarchy["action"],
        source_element=hierarchy["a11"].code,
        target_plan="t-national",
        target_element=hierarchy["ns1"].code,
    )

    assert response.context["link_allowed"] is True
    assert thai("This link follows the alignment rules.") in response.content.decode()
    assert counts() == before


def test_inline_check_forgets_an_element_of_the_previous_plan(planner_client, hierarchy):
    response = validate(
        planner_client,
        hierarchy["action"],
        target_plan="t-national",
        target_element=hierarchy["m1"].code,
    )

    form = response.context["form"]
    assert not form.errors
    assert form["target_element"].value() in ("", None)


# --- Query counts ------------------------------------------------------------------------------


def plan_with_elements(count: int, target: PlanElement) -> Plan:
    plan = PlanFactory(kind=PlanKind.PROVINCIAL, start_year=2022, end_year=2026)
    parent = None
    for index in range(count):
        made = element(plan, f"องค์ประกอบ {index}", parent=parent if index % 5 else None)
        if index % 5 == 0:
            parent = made
            services.alignment_link(actor=SYSTEM, source_element=made, target=target)
    publish(plan)
    return plan


def test_plan_page_runs_a_fixed_number_of_queries(client, hierarchy, django_assert_num_queries):
    small = plan_with_elements(5, hierarchy["m1"])
    large = plan_with_elements(50, hierarchy["m1"])
    small_url = reverse("plans:plan_detail", args=[small.code])
    client.get(small_url)  # warm the session and content-type caches

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(small_url).status_code == 200

    with django_assert_num_queries(len(small_queries)):
        response = client.get(reverse("plans:plan_detail", args=[large.code]))
    assert len(response.context["outline"]) == 10


def test_plan_page_for_a_planner_runs_a_fixed_number_of_queries(
    planner_client, hierarchy, django_assert_num_queries
):
    small = plan_with_elements(5, hierarchy["m1"])
    large = plan_with_elements(50, hierarchy["m1"])
    planner_client.get(reverse("plans:plan_detail", args=[small.code]))

    with CaptureQueriesContext(connection) as small_queries:
        planner_client.get(reverse("plans:plan_detail", args=[small.code]))

    with django_assert_num_queries(len(small_queries)):
        planner_client.get(reverse("plans:plan_detail", args=[large.code]))


def test_plan_list_runs_a_fixed_number_of_queries(client, hierarchy, django_assert_num_queries):
    owner = OrganisationFactory()
    provinces = [province("40", "ขอนแก่น"), province("41", "อุดรธานี")]
    url = reverse("plans:plan_list")
    for _ in range(5):
        publish(PlanFactory(owner=owner)).provinces.set(provinces)
    client.get(url)
    with CaptureQueriesContext(connection) as all_few:
        client.get(url)
    with CaptureQueriesContext(connection) as filtered_few:
        response = client.get(url, {"owner": owner.code, "q": "แผน"})
    assert len(response.context["page_obj"].object_list) == 5

    for _ in range(45):
        publish(PlanFactory(owner=owner)).provinces.set(provinces)

    with django_assert_num_queries(len(all_few)):
        client.get(url)
    with django_assert_num_queries(len(filtered_few)):
        response = client.get(url, {"owner": owner.code, "q": "แผน"})
    assert response.context["page_obj"].paginator.count == 50


# --- English and the admin ---------------------------------------------------------------------


def test_pages_switch_to_english_for_english_readers(client, hierarchy):
    hierarchy["action"].name_en = "Test Provincial Digital Action Plan"
    hierarchy["action"].save()

    response = client.get(
        reverse("plans:plan_detail", args=["t-action"]), headers={"Accept-Language": "en"}
    )

    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "<h1>Test Provincial Digital Action Plan</h1>" in html
    assert "2022–2026" in html  # years in CE for English readers


def test_admin_shows_plans_and_outlines_read_only(client, hierarchy, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x-root")
    client.force_login(admin)
    pass_second_factor(client, admin)

    changelist = client.get(reverse("admin:plans_plan_changelist"), {"q": "t-action"})
    change = client.get(reverse("admin:plans_plan_change", args=[hierarchy["action"].pk]))
    links = client.get(reverse("admin:plans_alignmentlink_changelist"))

    assert changelist.status_code == 200 and "t-action" in changelist.content.decode()
    assert change.status_code == 200
    assert "ขยายโครงข่ายอินเทอร์เน็ตชุมชน" in change.content.decode()
    assert not change.context["has_change_permission"]
    assert links.status_code == 200
    assert client.get(reverse("admin:plans_plan_add")).status_code == 403
    assert client.get(reverse("admin:plans_source_add")).status_code == 200
