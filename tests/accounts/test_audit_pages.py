"""The audit trail's pages and API as auditors, other users and strangers meet them.

Auditors (and system administrators) read, filter, export and verify the trail; a signed-in
user without the role gets 403 and leaves a "denied" record behind; anonymous visitors are sent
to sign in (pages) or get 401 (API).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from phaen.accounts.models import Membership, Role
from phaen.core.audit import audit_record
from phaen.core.models import AuditRecord
from phaen.plans.permissions import SYSTEM
from tests.core.test_audit import make_records, organisation, tampering

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _without_sign_in_lockout(settings: Any) -> None:
    # `Client.force_login` sends no address; django-axes would log the sign-in with the address
    # "unknown", which PostgreSQL's inet column refuses. Lockout is not what these tests test.
    settings.AXES_ENABLED = False


@pytest.fixture
def auditor(db: Any) -> Any:
    user = get_user_model().objects.create_user(username="auditor", password="x-auditor-pass")
    Membership.objects.create(user=user, organisation=organisation(), role=Role.AUDITOR)
    return user


@pytest.fixture
def auditor_client(auditor: Any) -> Client:
    """The auditor, signed in, reading the pages in English (the assertions' language)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(auditor)
    return client


def denials(user: Any, action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(actor_id=user.pk, action=action, outcome="denied"))


# --- Pages -----------------------------------------------------------------------------------


class TestList:
    def test_an_auditor_sees_the_records_with_what_changed(self, auditor_client):
        # Given a change with a before and an after
        record = audit_record(
            actor=SYSTEM,
            action="plan.update",
            target_type="plans.plan",
            target_id="7",
            target_repr="แผนปฏิบัติการดิจิทัล",
            before={"name_th": "เดิม", "end_year": 2027},
            after={"name_th": "ใหม่", "end_year": 2027},
        )
        # When the auditor opens the audit trail
        response = auditor_client.get(reverse("accounts:audit_list"))
        # Then the record is listed, with the one changed field and its values
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="audit-{record.id}"' in html
        assert "plan.update" in html and "แผนปฏิบัติการดิจิทัล" in html
        assert "1 field changed" in html
        assert "เดิม" in html and "ใหม่" in html
        assert "<code>end_year</code>" not in html

    def test_filters_narrow_the_list(self, auditor_client):
        plan = audit_record(actor=SYSTEM, action="plan.create")
        link = audit_record(actor=SYSTEM, action="link.create")

        response = auditor_client.get(reverse("accounts:audit_list"), {"action": "plan"})

        html = response.content.decode()
        assert f'id="audit-{plan.id}"' in html and f'id="audit-{link.id}"' not in html
        assert "Clear the filters" in html

    def test_filtering_by_outcome_and_actor(self, auditor_client, planner):
        audit_record(actor=planner, action="plan.delete", outcome="denied")
        allowed = audit_record(actor=planner, action="plan.update")

        response = auditor_client.get(
            reverse("accounts:audit_list"), {"outcome": "denied", "actor": "plann"}
        )

        assert response.context["page_obj"].paginator.count == 1
        assert f'id="audit-{allowed.id}"' not in response.content.decode()

    def test_the_list_pages(self, auditor_client, settings):
        settings.PHAEN_PAGE_SIZE = 2
        make_records(5)

        response = auditor_client.get(reverse("accounts:audit_list"), {"page": 2})

        assert response.status_code == 200
        assert response.context["page_obj"].number == 2
        assert len(response.context["rows"]) == 2

    def test_the_list_runs_a_fixed_number_of_queries(self, auditor_client):
        # Given a short trail, measured once
        make_records(3)
        url = reverse("accounts:audit_list")
        auditor_client.get(url)  # the session and roles are warmed alike in both runs
        with CaptureQueriesContext(connection) as few:
            auditor_client.get(url)
        # When the trail holds a full page of records
        make_records(30)
        with CaptureQueriesContext(connection) as many:
            response = auditor_client.get(url)
        # Then the page asks the same (small) number of questions
        assert response.status_code == 200
        assert len(response.context["rows"]) == 25
        assert len(many.captured_queries) == len(few.captured_queries) <= 10, [
            q["sql"] for q in many.captured_queries
        ]


class TestExport:
    def test_an_auditor_downloads_the_filtered_list_as_csv_for_excel(self, auditor_client):
        wanted = audit_record(actor=SYSTEM, action="plan.create", after={"name_th": "แผน"})
        other = audit_record(actor=SYSTEM, action="link.create")

        response = auditor_client.get(reverse("accounts:audit_export"), {"action": "plan"})

        assert response.status_code == 200 and response.streaming
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        body = b"".join(response.streaming_content).decode("utf-8")
        assert body.startswith("\ufeff")
        rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
        ids = {int(row["id"]) for row in rows}
        assert wanted.id in ids and other.id not in ids
        row = next(row for row in rows if int(row["id"]) == wanted.id)
        assert row["hash"] == wanted.hash and '"name_th":"แผน"' in row["after"]


class TestVerifyPage:
    def test_the_page_offers_to_verify_and_reports_an_intact_chain(self, auditor_client):
        make_records(3)
        url = reverse("accounts:audit_verify")

        offered = auditor_client.get(url)
        verified = auditor_client.post(url)

        assert offered.status_code == 200 and "Verify the chain" in offered.content.decode()
        assert verified.status_code == 200
        assert "The chain is intact." in verified.content.decode()

    def test_the_page_names_the_changed_record(self, auditor_client):
        records = make_records(3)
        with tampering():
            AuditRecord.objects.filter(pk=records[1].id).update(reason="edited")

        response = auditor_client.post(reverse("accounts:audit_verify"))

        html = response.content.decode()
        assert "The chain is broken." in html
        assert f"Record {records[1].id} was changed after it was written" in html


class TestRefusals:
    @pytest.mark.parametrize(
        ("name", "method", "action"),
        [
            ("accounts:audit_list", "get", "audit.list"),
            ("accounts:audit_export", "get", "audit.export"),
            ("accounts:audit_verify", "get", "audit.verify"),
            ("accounts:audit_verify", "post", "audit.verify"),
        ],
    )
    def test_a_planner_gets_403_and_the_attempt_is_recorded(
        self, planner, planner_client, name, method, action
    ):
        # When a signed-in planner (not an auditor) asks for an audit page
        response = getattr(planner_client, method)(
            reverse(name), REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Firefox/140"
        )
        # Then it is refused, and the refusal is in the trail with where it came from
        assert response.status_code == 403
        (denied,) = denials(planner, action)
        assert denied.actor_repr == "planner" and denied.ip == "203.0.113.5"
        assert denied.user_agent == "Firefox/140" and denied.request_id

    @pytest.mark.parametrize("name", ["accounts:audit_list", "accounts:audit_export"])
    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, name):
        response = client.get(reverse(name))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:login"))


# --- API -------------------------------------------------------------------------------------


class TestApi:
    def test_an_auditor_searches_with_filters_and_pages(self, auditor_client):
        record = audit_record(
            actor=SYSTEM, action="plan.update", before={"a": 1}, after={"a": 2, "b": 3}
        )
        audit_record(actor=SYSTEM, action="link.create")

        response = auditor_client.get(
            "/api/audit", {"action": "plan.update", "page_size": 1, "target_type": ""}
        )

        assert response.status_code == 200
        body = response.json()
        assert body["page_size"] == 1 and body["count"] >= 1
        item = body["items"][0]
        assert item["id"] == record.id and item["actor"] == "system"
        assert item["changes"] == [
            {"field": "a", "before": 1, "after": 2},
            {"field": "b", "before": None, "after": 3},
        ]
        assert item["hash"] == record.hash

    def test_verify_reports_the_chain(self, auditor_client):
        records = make_records(2)

        body = auditor_client.get("/api/audit/verify").json()

        assert body["ok"] is True and body["last_id"] == records[-1].id

    def test_verify_names_a_deleted_record(self, auditor_client):
        records = make_records(4)
        with tampering():
            AuditRecord.objects.filter(pk=records[1].id).delete()

        body = auditor_client.get("/api/audit/verify").json()

        assert body["ok"] is False and body["first_broken_id"] == records[1].id
        assert f"record {records[1].id} is missing" in body["message"]

    def test_export_csv(self, auditor_client):
        record = audit_record(actor=SYSTEM, action="plan.create")

        response = auditor_client.get("/api/audit/export.csv", {"action": "plan.create"})

        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert str(record.hash) in body and body.startswith("id,created_at,")

    @pytest.mark.parametrize(
        ("url", "action"),
        [
            ("/api/audit", "audit.list"),
            ("/api/audit/verify", "audit.verify"),
            ("/api/audit/export.csv", "audit.export"),
        ],
    )
    def test_a_planner_gets_403_with_the_error_body_and_a_record(
        self, planner, planner_client, url, action
    ):
        response = planner_client.get(url)

        assert response.status_code == 403
        assert response.json()["code"] == "audit_forbidden"
        assert set(response.json()) == {"code", "message", "detail"}
        assert len(denials(planner, action)) == 1

    def test_without_signing_in_the_answer_is_401(self, client):
        response = client.get("/api/audit")

        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_the_list_endpoint_runs_a_fixed_number_of_queries(self, auditor_client):
        make_records(3)
        auditor_client.get("/api/audit")
        with CaptureQueriesContext(connection) as few:
            auditor_client.get("/api/audit")
        make_records(30)
        with CaptureQueriesContext(connection) as many:
            response = auditor_client.get("/api/audit")

        assert len(response.json()["items"]) == 25
        assert len(many.captured_queries) == len(few.captured_queries) <= 10
