"""Render a hearing's summary report (`report.HearingReport`) as a PDF or a Word document.

The PDF is WeasyPrint's rendering of `consultation/report/print.html` (A4, the plan's title at
the top of each page, the page number at the bottom). Its typeface is Sarabun, the face of Thai
official documents, from the npm package @fontsource/sarabun (SIL Open Font License; its Thai
and Latin files are embedded as two faces, each for its own characters), with Debian's
fonts-thai-tlwg (`scripts/install-debs`) as the fallback. Pango breaks Thai lines at word
boundaries with libthai because the document says `lang="th"`. See `report`'s docstring for
what copying text out of the PDF can alter (SARA AM).

The DOCX is built with python-docx: headings, tables of counts by channel, stance and element,
the groups with their answers, and the changes. Its styles name a Thai font for every script
(`w:rFonts` ascii, hAnsi, eastAsia and cs), because Word lays Thai out with the complex-script
font and size (`w:cs`, `w:szCs`), not with the Latin ones.

Reports are documents in Thai: `report_file` builds and renders them with Thai active, whatever
the language of the request.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from phaen.consultation.models import Hearing
from phaen.consultation.report import HearingReport, ReportAnswer, ReportComment, hearing_report

DOCX_FONT = "TH Sarabun New"
"""The Thai government's document font (Word falls back to another Thai font without it)."""
DOCX_FONT_SIZE = 16
DOCX_HEADING_SIZES = {"Title": 22, "Heading 1": 20, "Heading 2": 18, "Heading 3": 16}

PDF = "pdf"
DOCX = "docx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
REPORT_LANGUAGE = "th"


# --- PDF ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFace:
    """One @font-face of the PDF: a file of the Sarabun package for a range of characters."""

    family: str
    weight: int
    url: str
    unicode_range: str


# Each subset is its own family, so that WeasyPrint never mixes the glyphs of two files in one
# font (it would then map some glyphs back to the wrong characters when text is copied).
PDF_FONT_SUBSETS = {
    "Sarabun Thai": ("thai", "U+0E01-0E5B, U+200C-200D, U+25CC"),
    "Sarabun Latin": (
        "latin",
        "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+2000-206F, "
        "U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD",
    ),
}
PDF_FONT_WEIGHTS = (400, 700)


def pdf_font_faces() -> list[FontFace]:
    """The Sarabun files found by the static files finders (none when npm's packages are not
    installed: the PDF then uses the fallback fonts)."""
    from django.contrib.staticfiles import finders

    faces = []
    for family, (subset, unicode_range) in PDF_FONT_SUBSETS.items():
        for weight in PDF_FONT_WEIGHTS:
            found = finders.find(f"vendor/sarabun/sarabun-{subset}-{weight}-normal.woff")
            if isinstance(found, str):
                faces.append(FontFace(family, weight, Path(found).as_uri(), unicode_range))
    return faces


def report_pdf(report: HearingReport) -> bytes:
    """Render the report as an A4 PDF."""
    from weasyprint import HTML  # heavy (pango, harfbuzz): loaded on first use

    html = render_to_string(
        "consultation/report/print.html", {"report": report, "fonts": pdf_font_faces()}
    )
    base_url = str(getattr(settings, "BASE_DIR", "."))
    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf


# --- DOCX --------------------------------------------------------------------------------------


_AFTER_SZ_CS = (
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
"""The elements that follow `w:szCs` in `w:rPr` (the schema fixes their order)."""


def _thai_fonts(element: Any, size: int) -> None:
    """Name the Thai font for every script of a style's run properties (`w:rPr`), with the
    complex-script size and the Thai language too.

    Theme fonts (`w:asciiTheme`…) would win over the names, so they are removed."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), DOCX_FONT)
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = rpr.insert_element_before(OxmlElement("w:szCs"), *_AFTER_SZ_CS)
    size_cs.set(qn("w:val"), str(size * 2))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.insert_element_before(OxmlElement("w:lang"), *_AFTER_SZ_CS[-3:])
    lang.set(qn("w:bidi"), "th-TH")


def _styles(document: Any) -> None:
    from docx.shared import Pt, RGBColor

    normal = document.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(DOCX_FONT_SIZE)
    _thai_fonts(normal.element, DOCX_FONT_SIZE)
    for name, size in DOCX_HEADING_SIZES.items():
        style = document.styles[name]
        style.font.name = DOCX_FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
        _thai_fonts(style.element, size)
    table = document.styles["Table Grid"]
    table.font.name = DOCX_FONT
    _thai_fonts(table.element, DOCX_FONT_SIZE)


def _table(document: Any, head: list[str], rows: list[list[Any]], foot: list[Any] | None) -> Any:
    """Add a grid table; numbers are right-aligned."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=0, cols=len(head))
    table.style = document.styles["Table Grid"]
    all_rows = [head, *rows, *([foot] if foot is not None else [])]
    for index, values in enumerate(all_rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "" if value is None else str(value)
            paragraph = cell.paragraphs[0]
            if isinstance(value, int):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if index == 0 or (foot is not None and index == len(all_rows) - 1):
                for run in paragraph.runs:
                    run.bold = True
    return table


def _facts(document: Any, report: HearingReport) -> None:
    facts = report.facts
    plan = facts.plan_name_th
    if facts.plan_version:
        plan += " · " + _("version %(number)s") % {"number": facts.plan_version}
    rows: list[list[Any]] = [
        [_("Hearing"), facts.title_th],
        [_("Plan"), plan],
        [_("Organiser"), facts.organiser_name_th],
        [_("Period"), facts.period],
        [_("Ways to take part"), "; ".join(facts.channels)],
        [_("Status"), facts.status_label],
    ]
    if facts.summary_published_on:
        rows.append([_("Summary published"), facts.summary_published_on])
    table = document.add_table(rows=0, cols=2)
    table.style = document.styles["Table Grid"]
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
        for run in cells[0].paragraphs[0].runs:
            run.bold = True


def _answer(document: Any, answer: ReportAnswer) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(_("The organiser's answer") + ": ").bold = True
    paragraph.add_run(answer.decision_label)
    document.add_paragraph(answer.reason)
    if answer.change_made:
        paragraph = document.add_paragraph()
        paragraph.add_run(_("Change made") + ": ").bold = True
        paragraph.add_run(answer.change_made)
    if answer.changed_element_code:
        paragraph = document.add_paragraph()
        paragraph.add_run(_("Element changed") + ": ").bold = True
        paragraph.add_run(f"{answer.changed_element_code} {answer.changed_element_label}".strip())


def _comment(document: Any, comment: ReportComment) -> None:
    meta = " · ".join(
        part
        for part in (
            f"#{comment.number}",
            comment.stance_label,
            comment.channel_label,
            comment.date,
            f"{comment.element_code} {comment.element_label}".strip(),
        )
        if part
    )
    paragraph = document.add_paragraph(style="List Bullet")
    paragraph.add_run(meta).italic = True
    if comment.quote:
        document.add_paragraph(f"“{comment.quote}”").runs[0].italic = True
    document.add_paragraph(comment.body)
    document.add_paragraph(comment.author or _("Anonymous"))


def report_docx(report: HearingReport) -> bytes:
    """Render the report as a Word document (DOCX)."""
    from docx import Document

    document = Document()
    _styles(document)
    facts = report.facts
    document.core_properties.title = f"{_('Summary report of the hearing')} {facts.title_th}"
    document.core_properties.language = "th-TH"
    document.add_paragraph(facts.plan_name_th)
    document.add_heading(_("Summary report of the hearing"), level=0)
    document.add_paragraph(facts.title_th)
    if report.draft:
        document.add_paragraph(
            _(
                "Draft: the summary of this hearing has not been published, so the public "
                "cannot read this report yet."
            )
        ).runs[0].bold = True

    document.add_heading(_("About the hearing"), level=1)
    _facts(document, report)

    document.add_heading(_("Summary of the hearing"), level=1)
    document.add_paragraph(facts.summary_th or _("The organiser has not written the summary yet."))

    document.add_heading(_("Who was heard"), level=1)
    heard: list[list[Any]] = [
        [_("Comments received"), report.comments],
        [_("People who commented"), report.commenters],
        [_("Views of the hearing's page"), report.online_views],
    ]
    if report.reported_participants is not None:
        heard.append([_("Participants reported by the organiser"), report.reported_participants])
    if report.reported_online_views is not None:
        heard.append([_("Online views reported by the organiser"), report.reported_online_views])
    _table(document, [_("Participation"), _("Number")], heard, None)
    document.add_paragraph(
        _(
            "Comments received count published comments and those waiting for moderation, "
            "not hidden ones."
        )
    )
    document.add_heading(_("Comments by channel"), level=2)
    _table(
        document,
        [_("Channel"), _("Comments")],
        [[row.label, row.count] for row in report.channels],
        [_("Total"), report.comments],
    )
    if report.events:
        document.add_heading(_("Events of the hearing"), level=2)
        _table(
            document,
            [_("Event"), _("Date"), _("Attendance"), _("Registered"), _("Online views")],
            [
                [
                    event.title,
                    event.date,
                    event.attendance if event.attendance is not None else "–",
                    event.registered,
                    event.online_views if event.online_views is not None else "–",
                ]
                for event in report.events
            ],
            None,
        )
    document.add_heading(_("Organisations heard"), level=2)
    for organisation in report.organisations:
        document.add_paragraph(
            f"{organisation.name} ({organisation.comments})", style="List Bullet"
        )
    document.add_paragraph(_("Only organisations that their commenters chose to show are named."))

    document.add_heading(_("What was said"), level=1)
    document.add_heading(_("Comments by stance"), level=2)
    _table(
        document,
        [_("Stance"), _("Comments")],
        [[row.label, row.count] for row in report.stances],
        [_("Total"), report.comments],
    )
    document.add_heading(_("Comments by element and stance"), level=2)
    _table(
        document,
        [_("Element"), *report.stance_labels, _("Total")],
        [
            [f"{row.code} {row.label}".strip(), *row.stance_counts, row.total]
            for row in report.elements
        ],
        [_("Total"), *report.stance_totals, report.comments],
    )

    document.add_heading(_("Comments and the organiser's answers"), level=1)
    document.add_paragraph(
        _(
            "Only published comments are shown; a commenter's name and organisation only when "
            "they chose to show them."
        )
    )
    for group in report.groups:
        document.add_heading(group.name, level=2)
        document.add_paragraph(f"{group.element_code} {group.element_label}".strip())
        for comment in group.comments:
            _comment(document, comment)
        if group.answer is not None:
            _answer(document, group.answer)
        else:
            document.add_paragraph(_("Not answered yet."))
    if report.answered_comments:
        document.add_heading(_("Comments answered one by one"), level=2)
        for item in report.answered_comments:
            _comment(document, item.comment)
            _answer(document, item.answer)

    document.add_heading(_("Changes made to the plan"), level=1)
    if report.changes:
        _table(
            document,
            [_("In answer to"), _("Decision"), _("Change made"), _("Element changed")],
            [
                [
                    change.answers,
                    change.decision_label,
                    change.change_made,
                    f"{change.changed_element_code} {change.changed_element_label}".strip(),
                ]
                for change in report.changes
            ],
            None,
        )
    else:
        document.add_paragraph(
            _("No change to the plan has been recorded in answer to the comments.")
        )
    document.add_paragraph(_("Made by Phaen on %(when)s.") % {"when": report.generated_on})

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- For the interfaces -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    filename: str
    content_type: str


def report_file(hearing: Hearing, *, viewer: Any, fmt: str) -> ReportFile:
    """Build the hearing's report for `viewer` (same rules as `hearing_report`) and render it
    in Thai as `fmt` ("pdf" or "docx"), named `<code>-summary.<fmt>`."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(fmt)
    with translation.override(REPORT_LANGUAGE):
        report = hearing_report(hearing, viewer=viewer)
        content = report_pdf(report) if fmt == PDF else report_docx(report)
    return ReportFile(
        content=content, filename=f"{hearing.code}-summary.{fmt}", content_type=CONTENT_TYPES[fmt]
    )
