"""The audit trail: appending, the hash chain, tampering found by `verify`, PostgreSQL's refusals.

Tampering is simulated as an attacker with database rights would do it: on PostgreSQL the
append-only trigger is switched off first (`session_replication_role = replica`, or `ALTER
TABLE ... DISABLE TRIGGER`), inside the test's transaction so it comes back on afterwards.
Records are numbered relative to what the trail held before the test (the reference-data load
may have written some), so the tests do not assume the trail starts empty.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from phaen.accounts.models import Membership, Role
from phaen.core.audit import (
    GENESIS_HASH,
    AuditFilters,
    audit_context,
    audit_record,
    audit_search,
    audit_verify,
    compute_hash,
    current_audit_context,
    diff,
    snapshot,
)
from phaen.core.middleware import AuditContextMiddleware
from phaen.core.models import AuditHead, AuditRecord
from phaen.orgs.models import Organisation
from phaen.plans.permissions import SYSTEM
from tests.orgs.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only; on SQLite the hash chain alone "
    "shows tampering (covered by the other tests)",
)


@contextmanager
def tampering() -> Iterator[None]:
    """Let the block change audit rows as a database superuser could, then restore the trigger.

    On PostgreSQL, `session_replication_role = replica` stops ordinary triggers from firing;
    SET LOCAL keeps it to the test's transaction. SQLite has no trigger to switch off.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")


def organisation(**fields: Any) -> Organisation:
    """Create an organisation (typed, for the functions that take a model)."""
    created: Organisation = OrganisationFactory.create(**fields)
    return created


def make_records(count: int, actor: Any = SYSTEM) -> list[AuditRecord]:
    """Append `count` records, each with a before and an after."""
    return [
        audit_record(
            actor=actor,
            action="test.change",
            target_type="tests.thing",
            target_id=str(n),
            target_repr=f"thing {n}",
            before={"n": n},
            after={"n": n + 1, "name": "แผนพัฒนาดิจิทัล"},
        )
        for n in range(count)
    ]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Messages are asserted in English; the Thai catalogue may translate them.
    with translation.override("en"):
        yield


# --- Appending -------------------------------------------------------------------------------


class TestAppend:
    def test_records_chain_each_to_the_one_before(self):
        # Given an audit trail
        start = AuditHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
        # When three records are appended
        first, second, third = make_records(3)
        # Then they are numbered one after another, each linked to the previous one's hash
        assert [second.id, third.id] == [first.id + 1, first.id + 2]
        assert first.prev_hash == (start[1] if start is not None else GENESIS_HASH)
        assert second.prev_hash == first.hash and third.prev_hash == second.hash
        head = AuditHead.objects.get()
        assert (head.last_id, head.last_hash) == (third.id, third.hash)

    def test_the_stored_row_hashes_as_it_did_when_written(self):
        # Given values that JSON and the databases turn into other types
        after = {
            "date": dt.date(2025, 10, 1),
            "when": dt.datetime(2025, 10, 1, 9, 30, tzinfo=dt.UTC),
            "amount": Decimal("1234.50"),
            "big": 1e20,
            "ratio": 0.1,
            "thai": "ยุทธศาสตร์ที่ ๑",
            "nested": {"b": [1, 2.0, None], "a": True},
        }
        # When a record is written and read back from the database
        record = audit_record(actor=SYSTEM, action="test.types", after=after)
        stored = AuditRecord.objects.get(pk=record.id)
        # Then it still hashes to its stored hash, and the values are plain JSON
        assert compute_hash(stored) == stored.hash == record.hash
        assert stored.after is not None
        assert stored.after["date"] == "2025-10-01" and stored.after["amount"] == "1234.50"
        assert audit_verify().ok

    def test_actor_is_recorded_as_id_and_name_or_as_anonymous_or_system(self):
        user = get_user_model().objects.create_user(username="somchai")

        by_user = audit_record(actor=user, action="test.actor")
        by_nobody = audit_record(actor=None, action="auth.login_failed", outcome="denied")
        by_anonymous = audit_record(actor=AnonymousUser(), action="test.actor")
        by_system = audit_record(actor=SYSTEM, action="test.actor")

        assert (by_user.actor_id, by_user.actor_repr) == (user.pk, "somchai")
        assert (by_nobody.actor_id, by_nobody.actor_repr) == (None, "anonymous")
        assert (by_anonymous.actor_id, by_anonymous.actor_repr) == (None, "anonymous")
        assert (by_system.actor_id, by_system.actor_repr) == (None, "system")

    def test_a_target_row_gives_its_type_id_and_name(self):
        office = organisation(name_th="สำนักงานทดสอบ")

        record = audit_record(actor=SYSTEM, action="organisation.update", target=office)

        assert record.target_type == "orgs.organisation"
        assert record.target_id == str(office.pk)
        assert record.target_repr == str(office)[:300]

    def test_an_unknown_outcome_is_refused(self):
        with pytest.raises(ValueError, match="outcome"):
            audit_record(actor=SYSTEM, action="test.x", outcome="maybe")

    def test_long_texts_are_cut_to_their_columns(self):
        record = audit_record(actor=SYSTEM, action="test.long", target_repr="ก" * 500)

        assert len(AuditRecord.objects.get(pk=record.id).target_repr) == 300
        assert audit_verify().ok

    def test_a_record_written_in_a_transaction_that_rolls_back_goes_with_it(self):
        # Given an append inside a block that then fails
        before = AuditHead.objects.filter(pk=1).values_list("last_id", flat=True).first() or 0
        with pytest.raises(RuntimeError), transaction.atomic():
            audit_record(actor=SYSTEM, action="test.rolled_back")
            raise RuntimeError
        # Then neither the record nor the head's move survives, and the chain still holds
        assert not AuditRecord.objects.filter(action="test.rolled_back").exists()
        assert (AuditHead.objects.filter(pk=1).values_list("last_id", flat=True).first() or 0) == (
            before
        )
        make_records(1)
        assert audit_verify().ok


class TestContext:
    def test_records_carry_the_context_they_were_written_in(self):
        with audit_context(ip="2001:DB8::0001", user_agent="curl/8", request_id="req-1"):
            inside = audit_record(actor=SYSTEM, action="test.context")
        outside = audit_record(actor=SYSTEM, action="test.context")

        assert (inside.ip, inside.user_agent, inside.request_id) == (
            "2001:db8::1",
            "curl/8",
            "req-1",
        )
        assert (outside.ip, outside.user_agent, outside.request_id) == (None, "", "")

    @pytest.mark.parametrize("ip", ["192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"])
    def test_addresses_read_back_from_the_database_still_verify(self, ip):
        with audit_context(ip=ip):
            record = audit_record(actor=SYSTEM, action="test.ip")

        stored = AuditRecord.objects.get(pk=record.id)
        assert compute_hash(stored) == record.hash
        assert audit_verify().ok

    def _through_middleware(self, **meta: str) -> tuple[AuditRecord, HttpResponse]:
        written: list[AuditRecord] = []

        def view(request: HttpRequest) -> HttpResponse:
            written.append(audit_record(actor=None, action="test.request"))
            return HttpResponse("ok")

        request = RequestFactory().get("/")
        request.META.update(meta)
        response = AuditContextMiddleware(view)(request)
        return written[0], response

    def test_the_middleware_records_ip_user_agent_and_request_id_then_forgets_them(self):
        record, response = self._through_middleware(
            REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox/140", HTTP_X_FORWARDED_FOR="1.2.3.4"
        )

        assert record.ip == "203.0.113.7"  # X-Forwarded-For is not trusted by default
        assert record.user_agent == "Firefox/140"
        assert record.request_id and response["X-Request-ID"] == record.request_id
        assert current_audit_context() == {"ip": None, "user_agent": "", "request_id": ""}

    def test_x_forwarded_for_is_used_only_when_trusted(self, settings):
        settings.PHAEN_TRUST_X_FORWARDED_FOR = True

        # The client claims an address; the proxy appends the one it saw
        record, _ = self._through_middleware(
            REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.9"
        )

        assert record.ip == "198.51.100.9"

    def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(self, settings):
        settings.PHAEN_PROXY_COUNT = 2

        record, _ = self._through_middleware(
            REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.9, 10.0.0.1"
        )

        assert record.ip == "198.51.100.9"

    def test_a_proxy_request_id_is_kept(self):
        record, _ = self._through_middleware(HTTP_X_REQUEST_ID="abc-123")

        assert record.request_id == "abc-123"


class TestSnapshotAndDiff:
    def test_snapshot_gives_codes_for_related_rows_that_have_one_and_keys_otherwise(self):
        user = get_user_model().objects.create_user(username="auditor1")
        membership = Membership.objects.create(
            user=user, organisation=organisation(code="snap-org"), role=Role.AUDITOR
        )

        data = snapshot(membership)

        assert data["user"] == user.pk
        assert data["organisation"] == "snap-org"
        assert data["role"] == "auditor"
        assert "id" not in data and "created_at" not in data

    def test_snapshot_of_chosen_fields_only(self):
        office = organisation(code="snap-2", name_th="ชื่อไทย")

        assert snapshot(office, ["code", "name_th"]) == {"code": "snap-2", "name_th": "ชื่อไทย"}

    def test_diff_lists_the_fields_that_changed(self):
        changes = diff({"a": 1, "b": 2, "gone": 3}, {"a": 1, "b": 5, "new": 4})

        assert changes == [
            {"field": "b", "before": 2, "after": 5},
            {"field": "gone", "before": 3, "after": None},
            {"field": "new", "before": None, "after": 4},
        ]


# --- Verifying -------------------------------------------------------------------------------


class TestVerify:
    def test_an_intact_chain_of_five_records_verifies(self):
        records = make_records(5)

        result = audit_verify()

        assert result.ok and result.first_broken_id is None
        assert result.last_id == records[-1].id and result.last_hash == records[-1].hash
        assert result.checked == records[-1].id
        assert "chain is intact" in result.message

    def test_small_batches_walk_the_same_chain(self):
        make_records(5)

        assert audit_verify(batch_size=2).ok

    def test_an_edited_record_is_named(self):
        # Given five records, the third of which is edited directly in the database
        records = make_records(5)
        third = records[2]
        with tampering():
            AuditRecord.objects.filter(pk=third.id).update(after={"n": 999})
        # When the chain is verified
        result = audit_verify()
        # Then the third record is named as changed
        assert not result.ok
        assert result.first_broken_id == third.id
        assert result.message == f"record {third.id} was changed after it was written"

    def test_a_deleted_record_is_named_as_the_gap(self):
        records = make_records(5)
        third, fourth = records[2], records[3]
        with tampering():
            AuditRecord.objects.filter(pk=third.id).delete()

        result = audit_verify()

        assert not result.ok and result.first_broken_id == third.id
        assert result.message == (
            f"record {fourth.id} follows {third.id - 1}: record {third.id} is missing"
        )

    def test_deleting_the_last_record_is_detected_through_the_head(self):
        records = make_records(5)
        with tampering():
            AuditRecord.objects.filter(pk=records[-1].id).delete()

        result = audit_verify()

        assert not result.ok and result.first_broken_id == records[-1].id
        assert result.message == f"the last record ({records[-1].id}) is missing"

    def test_deleting_the_last_records_and_moving_the_head_back_breaks_the_head_hash(self):
        # An attacker who also rewinds the head leaves its hash pointing at nothing
        records = make_records(5)
        with tampering():
            AuditRecord.objects.filter(pk=records[-1].id).delete()
            AuditHead.objects.update(last_id=records[-2].id)

        result = audit_verify()

        assert not result.ok and result.first_broken_id == records[-2].id
        assert result.message == f"the chain head does not match record {records[-2].id}"

    def test_a_rewritten_record_with_a_recomputed_hash_breaks_the_next_link(self):
        records = make_records(5)
        third = AuditRecord.objects.get(pk=records[2].id)
        third.after = {"n": 999}
        with tampering():
            AuditRecord.objects.filter(pk=third.id).update(
                after=third.after, hash=compute_hash(third)
            )

        result = audit_verify()

        assert not result.ok and result.first_broken_id == third.id
        assert result.message.startswith(
            f"record {third.id + 1} does not link to record {third.id}"
        )

    def test_a_record_slipped_in_behind_the_head_is_detected(self):
        records = make_records(2)
        last = records[-1]
        extra = AuditRecord(
            id=last.id + 1,
            created_at=last.created_at,
            action="test.forged",
            prev_hash=last.hash,
            outcome="ok",
        )
        extra.hash = compute_hash(extra)
        extra.save(force_insert=True)  # inserting is allowed; the head was not moved

        result = audit_verify()

        assert not result.ok and result.first_broken_id == extra.id
        assert result.message == f"record {extra.id} was added outside the audit trail"

    @POSTGRESQL_ONLY
    def test_deleting_with_the_trigger_disabled_by_alter_table_is_detected(self):
        records = make_records(5)
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE core_auditrecord DISABLE TRIGGER phaen_audit_no_update_delete"
            )
            cursor.execute("DELETE FROM core_auditrecord WHERE id = %s", [records[1].id])
            cursor.execute(
                "ALTER TABLE core_auditrecord ENABLE TRIGGER phaen_audit_no_update_delete"
            )

        result = audit_verify()

        assert not result.ok and result.first_broken_id == records[1].id


@POSTGRESQL_ONLY
class TestPostgresqlRefusesChanges:
    """Plain UPDATE, DELETE and TRUNCATE fail at the database, whoever sends them."""

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE core_auditrecord SET reason = 'edited' WHERE id = %s",
            "DELETE FROM core_auditrecord WHERE id = %s",
        ],
        ids=["update", "delete"],
    )
    def test_update_and_delete_are_refused(self, sql):
        record = make_records(1)[0]

        refused = pytest.raises(DatabaseError, match="audit records cannot be changed or deleted")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [record.id])

        assert AuditRecord.objects.get(pk=record.id).reason == ""

    def test_the_orm_cannot_change_or_delete_records_either(self):
        record = make_records(1)[0]

        with pytest.raises(DatabaseError), transaction.atomic():
            AuditRecord.objects.filter(pk=record.id).update(after={"n": 0})
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditRecord.objects.filter(pk=record.id).delete()

        assert audit_verify().ok

    @pytest.mark.parametrize("table", ["core_auditrecord", "core_audithead"])
    def test_truncate_is_refused_unless_the_session_allows_it(self, table):
        make_records(1)
        with connection.cursor() as cursor:
            # The test settings may allow it for Django's flush between transactional tests.
            cursor.execute("SET LOCAL phaen.audit_allow_truncate = 'off'")

        refused = pytest.raises(DatabaseError, match="audit")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL phaen.audit_allow_truncate = 'on'")
            cursor.execute("TRUNCATE core_auditrecord, core_audithead")
            cursor.execute("SELECT count(*) FROM core_auditrecord")
            assert cursor.fetchone() == (0,)

    def test_the_head_cannot_move_back_or_vanish(self):
        make_records(2)

        with pytest.raises(DatabaseError, match="only move forward"), transaction.atomic():
            AuditHead.objects.update(last_id=0)
        with pytest.raises(DatabaseError, match="only move forward"), transaction.atomic():
            AuditHead.objects.all().delete()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="on SQLite the test database is in memory with a shared cache, where a second writer "
    "fails at once with 'database table is locked' rather than waiting; SQLite serialises "
    "writers itself, and the id's primary key still forbids a fork",
)
def test_concurrent_appends_keep_one_valid_chain():
    # Given a committed trail and the test's permission to empty it afterwards
    with connection.cursor() as cursor:
        # Django empties the tables after a transactional test with TRUNCATE, which the trigger
        # refuses unless the session says so (migration 0002).
        cursor.execute("SET phaen.audit_allow_truncate = 'on'")
    start = audit_record(actor=SYSTEM, action="test.start")
    threads, per_thread = 6, 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def append(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                audit_record(actor=SYSTEM, action="test.concurrent", after={"w": worker, "n": n})
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    # When several threads append at once
    workers = [threading.Thread(target=append, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    # Then every record is there, numbered without gaps, and the chain verifies
    assert errors == []
    ids = list(
        AuditRecord.objects.filter(id__gt=start.id).order_by("id").values_list("id", flat=True)
    )
    assert ids == list(range(start.id + 1, start.id + 1 + threads * per_thread))
    assert audit_verify().ok


# --- Searching -------------------------------------------------------------------------------


def test_search_filters_by_actor_action_target_outcome_and_day():
    user = get_user_model().objects.create_user(username="nattaya")
    audit_record(actor=user, action="plan.create", target_type="plans.plan", target_id="p-1")
    audit_record(actor=user, action="plan.update", target_type="plans.plan", target_id="p-2")
    audit_record(actor=SYSTEM, action="planning.other")
    audit_record(actor=user, action="audit.list", outcome="denied")

    def actions(**filters: Any) -> set[str]:
        return set(audit_search(AuditFilters(**filters)).values_list("action", flat=True))

    assert actions(actor="NATT") == {"plan.create", "plan.update", "audit.list"}
    assert actions(action="plan") == {"plan.create", "plan.update"}
    assert actions(target_type="plans.plan", target_id="p-2") == {"plan.update"}
    assert actions(outcome="denied", actor="nattaya") == {"audit.list"}
    today = dt.date.today()
    assert "plan.create" in actions(
        date_from=today - dt.timedelta(days=1), date_to=today + dt.timedelta(days=1)
    )
    assert actions(date_to=today - dt.timedelta(days=2)) & {"plan.create"} == set()


# --- The command -----------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class TestCommand:
    def test_verify_prints_ok_and_the_last_hash(self):
        records = make_records(5)

        output = run("audit", "verify")

        assert output.startswith("OK:") and "chain is intact" in output
        assert records[-1].hash in output

    def test_verify_fails_naming_the_changed_record(self):
        records = make_records(5)
        with tampering():
            AuditRecord.objects.filter(pk=records[2].id).update(reason="nothing happened")

        with pytest.raises(CommandError, match=f"record {records[2].id} was changed"):
            run("audit", "verify")

    def test_export_writes_a_csv_file_excel_can_read(self, tmp_path):
        records = make_records(3)
        path = tmp_path / "audit.csv"

        run("audit", "export", "--format", "csv", "-o", str(path), "--action", "test.change")

        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert {int(row["id"]) for row in rows} >= {r.id for r in records}
        row = next(row for row in rows if int(row["id"]) == records[0].id)
        assert row["hash"] == records[0].hash and "แผนพัฒนาดิจิทัล" in row["after"]

    def test_export_to_standard_output(self):
        make_records(1)

        rows = list(csv.reader(io.StringIO(run("audit", "export", "--action", "test"))))

        assert rows[0][:3] == ["id", "created_at", "actor_id"] and len(rows) >= 2

    def test_export_refuses_a_bad_date(self):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            run("audit", "export", "--from", "1/10/2568")
