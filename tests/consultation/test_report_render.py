"""The summary report as a PDF (Thai text that pdftotext reads back, a Thai font embedded) and
as a DOCX (the same counts as the web page and the database)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import pytest
from django.db.models import Count
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from phaen.consultation.models import Channel, Comment, CommentStatus, Stance
from tests.consultation.report_fixtures import (
    COMMENT_TH,
    EMAIL,
    HIDDEN_BODY,
    HIDDEN_NAME,
    NAMED_AUTHOR,
    PENDING_BODY,
    PLAN_NAME_TH,
    heard_hearing,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published() -> Any:
    heard = heard_hearing()
    publish(heard)
    return heard


def squeeze(text: str) -> str:
    return "".join(text.split())


def download(code: str, fmt: str) -> bytes:
    response = Client().get(f"/consultation/{code}/summary/{fmt}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{code}-summary.{fmt}"'
    return response.content


def test_the_pdf_holds_the_plans_thai_title_and_a_thai_comment_intact(published, tmp_path):
    if shutil.which("pdftotext") is None or shutil.which("pdffonts") is None:
        pytest.skip("pdftotext and pdffonts (Debian poppler-utils) are not installed")
    pdf = download(published.hearing.code, "pdf")
    path = Path(tmp_path) / "summary.pdf"
    path.write_bytes(pdf)

    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout

    assert pdf.startswith(b"%PDF")
    assert squeeze(PLAN_NAME_TH) in squeeze(text)
    assert squeeze(COMMENT_TH) in squeeze(text)
    assert NAMED_AUTHOR in text
    # Sarabun (from npm) is embedded, as a subset, for the Thai and for the Latin characters.
    embedded = [line for line in fonts.splitlines() if "Sarabun" in line]
    assert any("Sarabun-Thai" in line for line in embedded)
    assert any("Sarabun-Latin" in line for line in embedded)
    assert all(" yes " in line for line in embedded)


def _page_counts(html: str) -> dict[str, int]:
    return {key: int(n) for key, n in re.findall(r'data-count="([-\w]+)">(\d+)<', html)}


def _table(document: Any, head: list[str]) -> list[list[str]]:
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0] == head:
            return rows
    raise AssertionError(f"no table headed {head}")


def test_the_docx_opens_and_holds_the_same_counts_as_the_web_page_and_the_database(published):
    hearing = published.hearing
    page = Client().get(f"/consultation/{hearing.code}/summary/")
    assert page.status_code == 200
    shown = _page_counts(page.content.decode())
    document = docx.Document(io.BytesIO(download(hearing.code, "docx")))
    db = Comment.objects.filter(
        hearing=hearing, status__in=[CommentStatus.PUBLISHED, CommentStatus.PENDING]
    ).order_by()

    with translation.override("th"):
        channels = _table(document, [gettext("Channel"), gettext("Comments")])
        stances = _table(document, [gettext("Stance"), gettext("Comments")])
        elements = _table(
            document,
            [gettext("Element"), *[str(label) for _v, label in Stance.choices], gettext("Total")],
        )
        channel_labels = {str(label): value for value, label in Channel.choices}
        stance_labels = {str(label): value for value, label in Stance.choices}

    in_docx = {f"channel-{channel_labels[row[0]]}": int(row[1]) for row in channels[1:-1]}
    in_docx |= {f"stance-{stance_labels[row[0]]}": int(row[1]) for row in stances[1:-1]}
    for key, n in in_docx.items():
        assert shown[key] == n, key
    by_channel = dict(db.values_list("channel").annotate(n=Count("pk")))
    by_stance = dict(db.values_list("stance").annotate(n=Count("pk")))
    assert {k[8:]: n for k, n in in_docx.items() if k.startswith("channel-") and n} == by_channel
    assert {k[7:]: n for k, n in in_docx.items() if k.startswith("stance-") and n} == by_stance
    assert int(channels[-1][1]) == int(stances[-1][1]) == shown["comments"] == db.count() == 7

    # By element: the code opens each row; the page's totals carry the same numbers.
    by_element = dict(db.values_list("element_code").annotate(n=Count("pk")))
    docx_totals = {}
    for row in elements[1:-1]:
        code = row[0].split(" ")[0] if row[0].startswith("eec2-") else ""
        docx_totals[code] = int(row[-1])
        assert sum(int(n) for n in row[1:-1]) == int(row[-1])
    assert docx_totals == by_element
    assert {code: shown[f"element-{code or 'plan'}"] for code in docx_totals} == docx_totals
    assert elements[-1][1:] == [str(shown[f"stance-{v}"]) for v in Stance.values] + ["7"]


def test_the_docx_shows_what_the_public_may_read_and_names_a_thai_font(published):
    document = docx.Document(io.BytesIO(download(published.hearing.code, "docx")))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )

    assert PLAN_NAME_TH in text and COMMENT_TH in text and NAMED_AUTHOR in text
    for secret in (HIDDEN_BODY, PENDING_BODY, EMAIL, HIDDEN_NAME):
        assert secret not in text
    normal = document.styles["Normal"].element.rPr
    fonts = normal.rFonts
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert {fonts.get(f"{ns}{name}") for name in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "TH Sarabun New"
    }
    assert normal.find(f"{ns}szCs").get(f"{ns}val") == "32"  # 16 pt for Thai (complex script)
