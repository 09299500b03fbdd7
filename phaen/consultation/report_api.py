"""JSON API of a hearing's summary report, mounted at /api/consultation/reports.

GET /{code} answers the report as JSON, /{code}/pdf and /{code}/docx the files (in Thai, as
attachments named `<code>-summary.pdf` / `.docx`). The same rules as the pages: 404
`hearing_not_found` for a hearing the viewer may not read; 404 `hearing_report_not_published`
for a report whose summary is not published yet, unless the viewer runs the hearing (its
organiser's planners, system administrators) or audits, who read it as a draft (`draft: true`).
A session or an API token identifies the viewer; without either the request is the public's.

The report never holds an e-mail address, a pending or hidden comment, nor the name of someone
who did not choose to show it. Thin: read the hearing, build the report, shape or render it.
"""

# No `from __future__ import annotations`: django-ninja reads the annotations at import time.
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from phaen.api.auth import token_auth
from phaen.consultation import report_render, selectors
from phaen.consultation.report import hearing_report

router = Router(tags=["consultation reports"])


def _anyone(request: HttpRequest) -> bool:
    """Admit a request without a token (the session, if any, identifies the viewer)."""
    return True


AUTH = [token_auth, _anyone]


class FactsOut(Schema):
    code: str
    title_th: str
    title_en: str
    plan_code: str
    plan_name_th: str
    plan_version: int | None
    organiser_name_th: str
    period: str
    status: str
    status_label: str
    summary_th: str
    summary_published_at: datetime | None
    channels: list[str]


class CountRowOut(Schema):
    value: str
    label: str
    count: int


class ElementCountOut(Schema):
    code: str = Field(..., description="Empty: comments on the plan as a whole.")
    label: str
    by_stance: dict[str, int]
    total: int


class EventOut(Schema):
    code: str
    title: str
    kind: str
    date: str
    venue: str
    attendance: int | None
    registered: int
    online_views: int | None


class OrganisationOut(Schema):
    name: str
    comments: int


class CommentOut(Schema):
    number: int
    element_code: str
    element_label: str
    stance: str
    channel: str
    quote: str
    body: str
    author: str = Field(..., description="Empty unless the commenter chose to be named.")
    date: str


class AnswerOut(Schema):
    decision: str
    decision_label: str
    reason: str
    change_made: str
    changed_element_code: str
    changed_element_label: str


class GroupOut(Schema):
    name: str
    element_code: str
    element_label: str
    comments: list[CommentOut]
    answer: AnswerOut | None


class AnsweredCommentOut(Schema):
    comment: CommentOut
    answer: AnswerOut


class ChangeOut(Schema):
    answers: str
    decision_label: str
    change_made: str
    changed_element_code: str
    changed_element_label: str


class ReportOut(Schema):
    facts: FactsOut
    draft: bool = Field(..., description="The summary is not published: an organiser's preview.")
    generated_at: datetime
    comments: int = Field(..., description="Comments received: published and pending.")
    commenters: int
    online_views: int
    reported_participants: int | None
    reported_online_views: int | None
    channels: list[CountRowOut]
    stances: list[CountRowOut]
    elements: list[ElementCountOut]
    organisations: list[OrganisationOut]
    events: list[EventOut]
    groups: list[GroupOut]
    answered_comments: list[AnsweredCommentOut]
    changes: list[ChangeOut]


@router.get("/{code}", response=ReportOut, auth=AUTH, summary="A hearing's summary report")
def get_report(request: HttpRequest, code: str) -> Any:
    hearing = selectors.hearing_get(code, viewer=request.user)
    return hearing_report(hearing, viewer=request.user)


def _file(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    hearing = selectors.hearing_get(code, viewer=request.user)
    document = report_render.report_file(hearing, viewer=request.user, fmt=fmt)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-cache"
    return response


@router.get("/{code}/pdf", auth=AUTH, summary="A hearing's summary report as a PDF (Thai)")
def get_report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _file(request, code, report_render.PDF)


@router.get("/{code}/docx", auth=AUTH, summary="A hearing's summary report as a DOCX (Thai)")
def get_report_docx(request: HttpRequest, code: str) -> HttpResponse:
    return _file(request, code, report_render.DOCX)
