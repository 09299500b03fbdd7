"""The summary report's pages (/consultation/<code>/summary/…), the links to it, and its API
(/api/consultation/reports/<code>…): who reads what, when."""

from __future__ import annotations

import io
import json
from typing import Any

import docx
import pytest
from django.test import Client

from phaen.consultation import services
from tests.conftest import signed_in
from tests.consultation.hearing_fixtures import make_hearing, planner_of
from tests.consultation.report_fixtures import (
    COMMENT_TH,
    EMAIL,
    HIDDEN_BODY,
    HIDDEN_NAME,
    NAMED_AUTHOR,
    PENDING_BODY,
    heard_hearing,
    publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Any:
    return heard_hearing()


def page_url(code: str, suffix: str = "") -> str:
    return f"/consultation/{code}/summary/{suffix}"


def api_url(code: str, suffix: str = "") -> str:
    return f"/api/consultation/reports/{code}{suffix}"


# --- Pages -------------------------------------------------------------------------------------


def test_the_public_gets_404_before_the_summary_is_published_and_the_report_after(heard):
    code = heard.hearing.code
    for suffix in ("", "pdf/", "docx/"):
        assert Client().get(page_url(code, suffix)).status_code == 404

    publish(heard)

    response = Client().get(page_url(code), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert COMMENT_TH in html and NAMED_AUTHOR in html
    assert 'id="report-draft"' not in html
    assert f'href="/consultation/{code}/summary/pdf/"' in html
    assert f'href="/consultation/{code}/summary/docx/"' in html
    for secret in (HIDDEN_BODY, PENDING_BODY, EMAIL, HIDDEN_NAME):
        assert secret not in html
    assert "Download PDF" in html


def test_the_organiser_previews_the_report_as_a_draft(heard):
    client = signed_in(heard.planner)
    code = heard.hearing.code

    response = client.get(page_url(code))
    pdf = client.get(page_url(code, "pdf/"))
    document = client.get(page_url(code, "docx/"))

    assert response.status_code == 200
    assert 'id="report-draft"' in response.content.decode()
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="{code}-summary.pdf"'
    assert document.status_code == 200
    assert document["Content-Disposition"] == f'attachment; filename="{code}-summary.docx"'
    docx.Document(io.BytesIO(document.content))  # a document Word opens


def test_a_planner_of_another_organisation_cannot_preview(heard):
    stranger = signed_in(planner_of("eeco"))

    assert stranger.get(page_url(heard.hearing.code)).status_code == 404


def test_a_hearing_the_viewer_may_not_read_is_not_found():
    scheduled = make_hearing(opened=False)

    assert Client().get(page_url(scheduled.code)).status_code == 404
    assert Client().get(page_url("no-such-hearing")).status_code == 404


def test_the_hearing_page_links_to_the_report_once_published_and_the_manage_page_previews(heard):
    code = heard.hearing.code
    link = f'href="/consultation/{code}/summary/"'
    assert link not in Client().get(f"/consultation/{code}/").content.decode()
    assert link in signed_in(heard.planner).get(f"/consultation/{code}/manage/").content.decode()

    publish(heard)

    assert link in Client().get(f"/consultation/{code}/").content.decode()


def test_the_report_page_shows_the_events_and_changes(heard):
    publish(heard)

    html = Client().get(page_url(heard.hearing.code), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert heard.event.title_th in html
    assert "Changes made to the plan" in html
    assert "eec2-a1-p2" in html


# --- API ---------------------------------------------------------------------------------------


def test_the_api_refuses_the_public_before_publication_with_a_clear_code(heard):
    code = heard.hearing.code
    for suffix in ("", "/pdf", "/docx"):
        response = Client().get(api_url(code, suffix))
        assert response.status_code == 404
        assert response.json()["code"] == "hearing_report_not_published"
    missing = Client().get(api_url("no-such-hearing"))
    assert missing.status_code == 404 and missing.json()["code"] == "hearing_not_found"
    scheduled = make_hearing(opened=False)
    assert Client().get(api_url(scheduled.code)).json()["code"] == "hearing_not_found"


def test_the_api_answers_the_report_as_json_once_published(heard):
    publish(heard)

    response = Client().get(api_url(heard.hearing.code))

    body = response.json()
    assert response.status_code == 200
    assert body["draft"] is False
    assert body["comments"] == 7
    assert {row["value"]: row["count"] for row in body["channels"]} == {
        "online": 5,
        "written": 1,
        "in_person": 1,
    }
    assert {row["code"]: row["total"] for row in body["elements"]} == {
        "eec2-a1": 3,
        "eec2-a2": 1 + 1,
        "eec2-a2-p1": 1,
        "": 1,
    }
    assert body["groups"][0]["comments"][0]["body"] == COMMENT_TH
    assert body["events"][0]["registered"] == 2
    assert len(body["changes"]) == 2
    raw = json.dumps(body, ensure_ascii=False)
    for secret in (HIDDEN_BODY, PENDING_BODY, EMAIL, HIDDEN_NAME):
        assert secret not in raw


def test_the_api_gives_the_organiser_a_draft_and_the_files(heard):
    client = signed_in(heard.planner)
    code = heard.hearing.code

    assert client.get(api_url(code)).json()["draft"] is True
    pdf = client.get(api_url(code, "/pdf"))
    document = client.get(api_url(code, "/docx"))

    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="{code}-summary.pdf"'
    assert document.status_code == 200 and document.content.startswith(b"PK")
    assert document["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )


def test_the_api_refuses_an_invalid_token(heard):
    response = Client().get(api_url(heard.hearing.code), HTTP_AUTHORIZATION="Bearer phaen_wrong")

    assert response.status_code == 401


def test_republishing_the_summary_changes_the_report(heard):
    publish(heard)
    services.hearing_publish_summary(
        actor=heard.planner, hearing=heard.hearing, summary_th="สรุปฉบับแก้ไข"
    )

    body = Client().get(api_url(heard.hearing.code)).json()

    assert body["facts"]["summary_th"] == "สรุปฉบับแก้ไข"


# --- Command line ----------------------------------------------------------------------------


def test_the_command_writes_the_report_file(heard, tmp_path):
    from django.core.management import CommandError, call_command

    publish(heard)
    target = tmp_path / "summary.docx"
    out = io.StringIO()

    call_command(
        "hearing_report", heard.hearing.code, "--format", "docx", "-o", str(target), stdout=out
    )

    document = docx.Document(str(target))
    assert any(COMMENT_TH in p.text for p in document.paragraphs)
    assert str(target) in out.getvalue()
    with pytest.raises(CommandError):
        call_command("hearing_report", "no-such-hearing", "-o", str(tmp_path / "x.pdf"))


def test_the_command_as_a_user_follows_their_permissions(heard, tmp_path):
    from django.core.management import CommandError, call_command

    stranger = planner_of("eeco")
    with pytest.raises(CommandError):
        call_command(
            "hearing_report",
            heard.hearing.code,
            "--user",
            stranger.username,
            "-o",
            str(tmp_path / "draft.pdf"),
        )
    assert not (tmp_path / "draft.pdf").exists()
