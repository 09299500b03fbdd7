"""The XLSX writer of exports, and `phaen export NAME --format xlsx`."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext_lazy

from phaen.core import exports

ROWS = [
    {
        "code": '=HYPERLINK("http://evil")',
        "name": "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล",
        "amount": Decimal("1234.50"),
        "count": 7,
        "day": dt.date(2026, 3, 15),
        "at": dt.datetime(2026, 3, 15, 1, 30, tzinfo=dt.UTC),
        "provinces": ["10", "20"],
        "flag": True,
        "extra": {"a": 1},
        "note": None,
    },
    {"code": "b\x01c", "name": "x" * 200, "amount": 0, "count": None, "day": None},
]
COLUMNS = [
    "code",
    "name",
    "amount",
    "count",
    "day",
    "at",
    "provinces",
    "flag",
    "extra",
    "note",
]


@pytest.fixture
def export():
    exports.register(
        "test-xlsx",
        COLUMNS,
        lambda: iter(ROWS),
        headers={
            "code": "รหัส",
            "name": gettext_lazy("Name"),
            "amount": "งบประมาณ (บาท)",
            "count": "ผู้รับผิดชอบ",
        },
    )
    yield exports.get("test-xlsx")
    exports.unregister("test-xlsx")


def written(export: exports.Export) -> openpyxl.Workbook:
    out = io.BytesIO()
    exports.write_xlsx(export, export.rows(), out)
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


@pytest.mark.django_db
def test_the_workbook_has_a_bold_named_header_and_typed_cells(export, settings):
    with translation.override("en"):
        sheet = written(export).worksheets[0]

    assert sheet.title == "test-xlsx"
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["รหัส", "Name", "งบประมาณ (บาท)", "ผู้รับผิดชอบ", "day"]
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
    first = {column: cell.value for column, cell in zip(COLUMNS, sheet[2], strict=True)}
    assert first["code"] == '=HYPERLINK("http://evil")'
    assert sheet["A2"].data_type == "s"  # text, never a formula
    assert first["amount"] == 1234.5 and first["count"] == 7
    assert first["day"] == dt.datetime(2026, 3, 15)
    bangkok = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert first["at"] == dt.datetime(2026, 3, 15, 1, 30, tzinfo=dt.UTC).astimezone(
        bangkok
    ).replace(tzinfo=None)
    assert first["provinces"] == "10;20" and first["flag"] is True
    assert first["extra"] == '{"a": 1}' and first["note"] is None
    second = [cell.value for cell in sheet[3]]
    assert second[0] == "bc"  # control characters dropped, as XLSX cannot hold them


@pytest.mark.django_db
def test_the_header_is_translated_when_the_workbook_is_written():
    # A message of Django's own Thai catalogue (which Phaen's catalogue may word differently).
    header = gettext_lazy("This field is required.")
    exports.register("test-lang", ["home"], lambda: iter([]), headers={"home": header})
    try:
        with translation.override("th"):
            thai = written(exports.get("test-lang")).worksheets[0]["A1"].value
        with translation.override("en"):
            english = written(exports.get("test-lang")).worksheets[0]["A1"].value
    finally:
        exports.unregister("test-lang")

    with translation.override("th"):
        expected = str(header)
    assert expected != "This field is required."
    assert (thai, english) == (expected, "This field is required.")


@pytest.mark.django_db
def test_column_widths_fit_the_text_within_limits(export):
    sheet = written(export).worksheets[0]

    widths = {c: sheet.column_dimensions[c].width for c in "ABCD"}
    assert widths["B"] == 60  # 200 characters are capped
    assert widths["C"] == len("งบประมาณ (บาท)") + 2  # the header is wider than the numbers
    # Thai vowel and tone marks above and below the line take no width: ผู้รับผิดชอบ has 12
    # characters, four of them marks.
    assert widths["D"] == 8 + 2
    assert widths["A"] == len('=HYPERLINK("http://evil")') + 2


@pytest.mark.django_db
def test_a_large_export_streams_all_its_rows():
    exports.register(
        "test-many", ["n", "text"], lambda: ({"n": n, "text": f"แถว {n}"} for n in range(1500))
    )
    try:
        sheet = written(exports.get("test-many")).worksheets[0]
    finally:
        exports.unregister("test-many")

    assert sheet.max_row == 1501
    assert sheet["A1501"].value == 1499 and sheet["B2"].value == "แถว 0"


@pytest.mark.django_db
def test_phaen_export_writes_an_xlsx_file(tmp_path):
    target = tmp_path / "plans.xlsx"

    call_command(
        "export", "plans", "--format", "xlsx", "--output", str(target), stderr=io.StringIO()
    )

    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert sheet["A1"].value == "code" and sheet["A1"].font.b
    assert sheet.max_row > 1  # the reference plans


def test_phaen_export_will_not_write_a_workbook_to_a_terminal_or_text_stream():
    with pytest.raises(CommandError, match="binary"):
        call_command("export", "plans", "--format", "xlsx", stdout=io.StringIO())
