"""The `phaen` command: exports and the alignment chain, with their error messages."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from phaen.plans import services
from phaen.plans.models import PlanKind
from phaen.plans.permissions import SYSTEM
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def linked():
    ns = PlanFactory(kind=PlanKind.NATIONAL_STRATEGY, start_year=2018, end_year=2037)
    action = PlanFactory(kind=PlanKind.ACTION_PLAN, code="cli-action", start_year=2024)
    top = services.element_create(actor=SYSTEM, plan=ns, kind="strategy", title_th="ด้านที่สอง")
    mine = services.element_create(
        actor=SYSTEM, plan=action, kind="approach", title_th="แนวทางทดสอบ", code="cli-a1"
    )
    services.alignment_link(actor=SYSTEM, source_element=mine, target=top)
    return ns, action, top, mine


def test_export_plans_as_csv_and_json(linked):
    ns, action, *_ = linked

    rows = list(csv.DictReader(io.StringIO(run("export", "plans", "--format", "csv"))))
    data = json.loads(run("export", "plans", "--format", "json"))

    codes = {row["code"] for row in rows}
    assert {ns.code, action.code} <= codes
    exported = next(item for item in data if item["code"] == action.code)
    assert exported["start_year_be"] == 2567 and exported["level"] == 3


def test_export_to_a_file_in_a_missing_folder_is_refused(linked, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("export", "plans", "--output", str(tmp_path / "nope" / "plans.csv"))


def test_export_writes_a_file(linked, tmp_path):
    target = tmp_path / "plans.csv"
    run("export", "plans", "--format", "csv", "--output", str(target))
    assert target.read_text(encoding="utf-8-sig").startswith("code,name_th")


def test_alignment_chain_prints_the_path(linked):
    *_, top, mine = linked

    with translation.override("en"):
        output = run("alignment_chain", mine.code)

    assert "serves (Direct)" in output and top.code in output
    assert "reaches the National Strategy" in output


def test_alignment_chain_of_an_unknown_code_is_a_clear_error():
    with translation.override("en"), pytest.raises(CommandError, match="No plan element has"):
        run("alignment_chain", "no-such-element")


def test_the_phaen_command_names_unknown_exports():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "phaen"), "export", "nothing"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=False,
    )
    assert result.returncode == 1
    assert "Unknown export 'nothing'" in result.stderr
