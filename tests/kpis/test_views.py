"""The indicator pages: lists, an indicator's page with its chart data, forms, the review flow
through the pages, evidence downloads, exports and query counts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from phaen.core.models import AuditRecord
from phaen.kpis import services
from phaen.kpis.models import Actual, ActualStatus, Indicator
from phaen.kpis.permissions import SYSTEM
from tests.conftest import signed_in
from tests.kpis.factories import (
    ActualFactory,
    IndicatorFactory,
    World,
    actuals,
    province,
    targets,
    world,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def w() -> World:
    return world()


def client(w: World, role: str) -> Client:
    return signed_in(w.users[role], HTTP_ACCEPT_LANGUAGE="en")


def approved(w: World, **extra: Any) -> Actual:
    arguments: dict[str, Any] = {"fiscal_year": 2567, "value": 40, **extra}
    actual = services.actual_save(actor=SYSTEM, indicator=w.indicator, **arguments)
    services.actual_submit(actor=SYSTEM, actual=actual)
    return services.actual_approve(actor=SYSTEM, actual=actual)


# --- The list ----------------------------------------------------------------------------------


def test_the_list_filters_and_searches(w: World) -> None:
    other = IndicatorFactory(code="kpi-searchable", name_th="ความครอบคลุมอินเทอร์เน็ตความเร็วสูง")
    services.indicator_update(actor=SYSTEM, indicator=other, name_th=other.name_th)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = anonymous.get(reverse("kpis:indicator_list"))
    assert page.status_code == 200
    assert "kpi-world" in page.text and "kpi-searchable" in page.text
    found = anonymous.get(reverse("kpis:indicator_list"), {"q": "อินเทอร์เน็ต"})
    assert "kpi-searchable" in found.text and "kpi-world" not in found.text
    by_plan = anonymous.get(reverse("kpis:indicator_list"), {"plan": w.indicator.plan.code})
    assert "kpi-world" in by_plan.text and "kpi-searchable" not in by_plan.text
    partial = anonymous.get(
        reverse("kpis:indicator_list"),
        {"measure_type": "boolean"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="indicator-results",
    )
    assert "<html" not in partial.text and "No indicators match" in partial.text


def test_the_list_shows_the_latest_approved_standing(w: World) -> None:
    services.target_set(actor=SYSTEM, indicator=w.indicator, fiscal_year=2567, value=50)
    approved(w)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("kpis:indicator_list"))
    assert "FY2567" in page.text and "At risk" in page.text  # 40 of 50 is 80 %


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_runs_a_fixed_number_of_queries(
    w: World, count: int, django_assert_num_queries: Any
) -> None:
    for n in range(count):
        indicator = IndicatorFactory(code=f"kpi-many-{n}")
        ActualFactory(indicator=indicator)
        services.target_set(actor=SYSTEM, indicator=indicator, fiscal_year=2567, value=5)
    anonymous = Client()
    # filters (plans, owners), count, page, 2 prefetches of plan provinces, 2 roll-ups per area
    with django_assert_num_queries(9):
        assert anonymous.get(reverse("kpis:indicator_list")).status_code == 200


def test_exports_of_the_list(w: World) -> None:
    anonymous = Client()
    response = anonymous.get(reverse("kpis:indicator_export"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert any(row["code"] == "kpi-world" for row in rows)
    response = anonymous.get(reverse("kpis:indicator_export"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "kpi-world" in codes
    assert anonymous.get(reverse("kpis:indicator_export"), {"format": "pdf"}).status_code == 400


def test_the_actuals_export_holds_approved_ones_for_the_public(w: World) -> None:
    approved(w)
    services.actual_save(actor=SYSTEM, indicator=w.indicator, fiscal_year=2568, value=1)
    query = {"format": "csv", "indicator": "kpi-world"}
    public = Client().get(reverse("kpis:actual_export"), query)
    rows = list(csv.DictReader(io.StringIO(public.content.decode("utf-8-sig"))))
    assert [row["status"] for row in rows] == ["approved"]
    planner = client(w, "planner").get(reverse("kpis:actual_export"), query)
    rows = list(csv.DictReader(io.StringIO(planner.content.decode("utf-8-sig"))))
    assert sorted(row["status"] for row in rows) == ["approved", "draft"]


# --- An indicator's page -----------------------------------------------------------------------


def test_the_indicator_page_shows_the_series_chart_data_and_table(w: World) -> None:
    services.target_set(actor=SYSTEM, indicator=w.indicator, fiscal_year=2567, value=50)
    services.target_set(
        actor=SYSTEM,
        indicator=w.indicator,
        fiscal_year=2567,
        area_level="province",
        province=province("40"),
        value=10,
    )
    approved(w)
    services.actual_save(actor=SYSTEM, indicator=w.indicator, fiscal_year=2568, value=99)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("kpis:indicator_detail", args=["kpi-world"])
    )
    assert page.status_code == 200
    chart = page.context["chart"]
    assert chart["years"] == ["2567"] and chart["target"] == [50.0] and chart["actual"] == [40.0]
    assert 'id="indicator-chart-data" type="application/json"' in page.text
    assert "kpis-chart.js" in page.text
    assert "99" not in [str(p.actual) for p in page.context["points"]]  # the draft stays out
    keys = [key for key, _name in page.context["areas"]]
    assert keys == ["TH", "P:40"]
    in_province = Client().get(
        reverse("kpis:indicator_detail", args=["kpi-world"]), {"area": "P:40"}
    )
    assert [p.target for p in in_province.context["points"]] == [Decimal("10.0000")]
    assert (
        Client()
        .get(reverse("kpis:indicator_detail", args=["kpi-world"]), {"area": "X"})
        .status_code
        == 404
    )
    assert Client().get(reverse("kpis:indicator_detail", args=["nope"])).status_code == 404


def test_the_series_download(w: World) -> None:
    services.target_set(actor=SYSTEM, indicator=w.indicator, fiscal_year=2567, value=50)
    approved(w)
    response = Client().get(
        reverse("kpis:indicator_series_export", args=["kpi-world"]), {"format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        {
            "fiscal_year": "2567",
            "target": "50",
            "actual": "40",
            "achievement": "80",
            "band": "at_risk",
            "target_year": "2567",
        }
    ]


def test_the_indicator_page_runs_a_fixed_number_of_queries(
    w: World, django_assert_max_num_queries: Any
) -> None:
    for year in (2566, 2567, 2568):
        services.target_set(actor=SYSTEM, indicator=w.indicator, fiscal_year=year, value=50)
        approved(w, fiscal_year=year)
    with django_assert_max_num_queries(10):
        Client().get(reverse("kpis:indicator_detail", args=["kpi-world"]))


# --- Editing indicators and targets ------------------------------------------------------------


def test_create_an_indicator_through_the_form(w: World) -> None:
    planner = client(w, "planner")
    assert planner.get(reverse("kpis:indicator_create")).status_code == 200
    data = {
        "code": "form-made",
        "name_th": "ตัวชี้วัดจากแบบฟอร์ม",
        "plan": w.indicator.plan.code,
        "owner": w.owner.code,
        "measure_type": "percent",
        "direction": "higher",
        "aggregation": "mean",
        "frequency": "yearly",
        "baseline_value": "150",
    }
    refused = planner.post(reverse("kpis:indicator_create"), data)
    assert refused.status_code == 422
    assert "between 0 and 100" in refused.text
    data["baseline_value"] = "45"
    done = planner.post(reverse("kpis:indicator_create"), data)
    assert done.status_code == 302
    assert Indicator.objects.get(code="form-made").baseline_value == 45


def test_choosing_a_plan_refreshes_the_elements_without_saving(w: World) -> None:
    from tests.plans.factories import ElementFactory

    element = ElementFactory(plan=w.indicator.plan, code="kpi-element")
    planner = client(w, "planner")
    response = planner.post(
        reverse("kpis:indicator_create"),
        {"_refresh": "1", "plan": w.indicator.plan.code, "name_th": "ยังไม่บันทึก"},
    )
    assert response.status_code == 200
    assert 'value="kpi-element"' in response.text
    assert "ยังไม่บันทึก" in response.text
    assert not Indicator.objects.filter(name_th="ยังไม่บันทึก").exists()
    assert element.pk


def test_the_edit_form_is_for_the_owners_planners(w: World) -> None:
    url = reverse("kpis:indicator_edit", args=["kpi-world"])
    assert client(w, "other_planner").get(url).status_code == 403
    assert AuditRecord.objects.filter(action="indicator.update", outcome="denied").exists()
    assert Client().get(url).status_code == 302  # to sign in
    planner = client(w, "planner")
    data = {
        "name_th": "ชื่อที่แก้",
        "plan": w.indicator.plan.code,
        "owner": w.owner.code,
        "measure_type": "number",
        "direction": "lower",
        "aggregation": "sum",
        "frequency": "yearly",
    }
    assert planner.post(url, data).status_code == 302
    w.indicator.refresh_from_db()
    assert w.indicator.name_th == "ชื่อที่แก้" and w.indicator.direction == "lower"


def test_delete_an_indicator_through_its_page(w: World) -> None:
    ActualFactory(indicator=w.indicator)
    url = reverse("kpis:indicator_delete", args=["kpi-world"])
    refused = client(w, "planner").post(url)
    assert refused.status_code == 409
    assert "kept as the record" in refused.text


def test_targets_page_sets_and_removes(w: World) -> None:
    planner = client(w, "planner")
    url = reverse("kpis:indicator_targets", args=["kpi-world"])
    assert planner.get(url).status_code == 200
    outside = planner.post(
        url, {"fiscal_year": 2580, "quarter": 0, "area_level": "nation", "value": 5}
    )
    assert outside.status_code == 422
    assert "2566–2570" in outside.text
    missing = planner.post(
        url, {"fiscal_year": 2567, "quarter": 0, "area_level": "province", "value": 5}
    )
    assert missing.status_code == 422
    assert "Choose the province" in missing.text
    done = planner.post(
        url,
        {"fiscal_year": 2567, "quarter": 0, "area_level": "province", "province": "40", "value": 5},
    )
    assert done.status_code == 302
    target = targets().get()
    assert target.area_key == "P:40"
    assert client(w, "reporter").get(url).status_code == 403
    delete = reverse("kpis:target_delete", args=["kpi-world", target.pk])
    assert client(w, "other_planner").post(delete).status_code == 403
    assert planner.post(delete).status_code == 302
    assert not targets().exists()


# --- Reporting and reviewing -------------------------------------------------------------------


def test_report_submit_return_correct_and_approve_through_the_pages(w: World) -> None:
    reporter = client(w, "reporter")
    create = reverse("kpis:actual_create")
    assert reporter.get(create, {"indicator": "kpi-world"}).status_code == 200
    refused = reporter.post(
        create,
        {
            "indicator": "kpi-world",
            "fiscal_year": 2560,
            "quarter": 0,
            "area_level": "nation",
            "value": 3,
        },
    )
    assert refused.status_code == 422
    assert "outside the period" in refused.text
    saved = reporter.post(
        create,
        {
            "indicator": "kpi-world",
            "fiscal_year": 2567,
            "quarter": 0,
            "area_level": "nation",
            "value": 3,
            "evidence_file": SimpleUploadedFile("หลักฐาน.pdf", PDF),
            "action": "submit",
        },
    )
    assert saved.status_code == 302
    actual = actuals().get()
    assert actual.status == ActualStatus.SUBMITTED and actual.evidence_name == "หลักฐาน.pdf"

    approver = client(w, "approver")
    queue = approver.get(reverse("kpis:actual_queue"))
    assert queue.context["queue"].to_review == [actual]
    step = reverse("kpis:actual_step", args=[actual.pk, "return"])
    assert approver.get(step).status_code == 200
    assert approver.post(step, {"note": ""}).status_code == 422
    assert approver.post(step, {"note": "ตัวเลขไม่ตรงรายงาน"}).status_code == 302
    actual.refresh_from_db()
    assert actual.status == ActualStatus.RETURNED

    edit = reverse("kpis:actual_edit", args=[actual.pk])
    page = reporter.get(edit)
    assert "ตัวเลขไม่ตรงรายงาน" in page.text
    corrected = reporter.post(
        edit,
        {"fiscal_year": 2567, "quarter": 0, "area_level": "nation", "value": 4, "action": "submit"},
    )
    assert corrected.status_code == 302
    approve = reverse("kpis:actual_step", args=[actual.pk, "approve"])
    assert reporter.get(approve).status_code == 403
    assert approver.post(approve, {"note": ""}).status_code == 302
    actual.refresh_from_db()
    assert actual.status == ActualStatus.APPROVED and actual.value == 4
    assert actual.evidence_name == "หลักฐาน.pdf"  # the file stayed through the correction

    detail = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("kpis:actual_detail", args=[actual.pk]))
    assert detail.status_code == 200 and detail.context["history"] == []
    mine = reporter.get(reverse("kpis:actual_detail", args=[actual.pk]))
    actions = [record.action for record in mine.context["history"]]
    assert actions == [
        "actual.create",
        "actual.submit",
        "actual.return",
        "actual.update",
        "actual.submit",
        "actual.approve",
    ]


def test_unapproved_results_are_not_found_by_the_public(w: World) -> None:
    actual = services.actual_save(
        actor=w.users["reporter"], indicator=w.indicator, fiscal_year=2567, value=3
    )
    url = reverse("kpis:actual_detail", args=[actual.pk])
    assert Client().get(url).status_code == 404
    assert client(w, "other_reporter").get(url).status_code == 404
    for role in ("reporter", "planner", "approver", "auditor", "system_admin"):
        assert client(w, role).get(url).status_code == 200, role


def test_the_evidence_file_is_for_those_who_follow_the_work(w: World) -> None:
    actual = approved(w, evidence_file=SimpleUploadedFile("e.pdf", PDF))
    url = reverse("kpis:actual_evidence", args=[actual.pk])
    assert Client().get(url).status_code == 404
    response = client(w, "reporter").get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_provincial_office_reports_its_province_through_the_form(w: World) -> None:
    reporter = client(w, "provincial_reporter")
    response = reporter.post(
        reverse("kpis:actual_create"),
        {
            "indicator": "kpi-world",
            "fiscal_year": 2567,
            "quarter": 0,
            "area_level": "province",
            "province": "40",
            "value": 3,
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert actuals().get().reporting_organisation == w.provincial
    nation = reporter.post(
        reverse("kpis:actual_create"),
        {
            "indicator": "kpi-world",
            "fiscal_year": 2568,
            "quarter": 0,
            "area_level": "nation",
            "value": 3,
        },
    )
    assert nation.status_code == 403


def test_drafts_can_be_deleted_through_the_page(w: World) -> None:
    actual = services.actual_save(
        actor=w.users["reporter"], indicator=w.indicator, fiscal_year=2567, value=3
    )
    url = reverse("kpis:actual_delete", args=[actual.pk])
    assert client(w, "reporter").get(url).status_code == 200
    assert client(w, "reporter").post(url).status_code == 302
    assert not actuals().exists()


@pytest.mark.parametrize("count", [2, 10])
def test_the_queue_runs_a_fixed_number_of_queries(
    w: World, count: int, django_assert_max_num_queries: Any
) -> None:
    for n in range(count):
        indicator = IndicatorFactory(code=f"kpi-queue-{n}", owner=w.owner)
        actual = services.actual_save(actor=SYSTEM, indicator=indicator, fiscal_year=2567, value=n)
        if n % 2:
            services.actual_submit(actor=SYSTEM, actual=actual)
    approver = client(w, "approver")
    approver.get(reverse("kpis:actual_queue"))  # the session and roles are read once first
    with django_assert_max_num_queries(12):
        response = approver.get(reverse("kpis:actual_queue"))
    assert len(response.context["queue"].to_review) == count // 2
