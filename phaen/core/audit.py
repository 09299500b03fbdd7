"""The audit trail: append a record of a change or a decision, snapshot rows, verify the chain.

Every service that changes state or refuses a request calls `audit_record(...)`. Records form a
hash chain: each one's `hash` is the SHA-256 of a canonical JSON serialisation of its content,
its id and the previous record's hash (`prev_hash`). `audit_verify()` recomputes the chain and
names the first record that was edited, the first one missing, or a missing newest record
(detected through `AuditHead`, the one-row table naming the last id and hash).

How an append works. Inside `transaction.atomic()` (a savepoint when the caller already holds a
transaction) the head row is locked: first touched by an UPDATE, which takes SQLite's write lock
and PostgreSQL's row lock before anything is read, then read. The new record gets id
`head.last_id + 1` and `prev_hash = head.last_hash`; its hash is computed before the INSERT, so
the row is never updated (PostgreSQL's trigger would refuse it), and the head moves forward.
Concurrent appends on PostgreSQL wait for the lock in turn; on SQLite the database's single
writer serialises them.

Where the request context comes from. `phaen.core.middleware.AuditContextMiddleware` puts the
client IP, user agent and request id into context variables for the length of a request;
`audit_context(...)` does the same for code that runs outside a request (tasks, the CLI).

Transactions and denied attempts. A record is part of the caller's transaction: if the caller's
outer `atomic()` block rolls back, the record goes with it, which is right for changes (what
did not happen is not recorded). A denial must survive the refusal, so services record it
*before* raising `PermissionDenied` and outside any transaction that the exception will roll
back (check permissions before opening the change's `atomic()` block).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phaen.core.models import AuditHead, AuditOutcome, AuditRecord

GENESIS_HASH = "0" * 64
"""The `prev_hash` of the first record."""

HASH_VERSION = 1
"""Bumped if the canonical serialisation ever changes; part of every hashed payload."""

HEAD_PK = 1

_ip: ContextVar[str | None] = ContextVar("phaen_audit_ip", default=None)
_user_agent: ContextVar[str] = ContextVar("phaen_audit_user_agent", default="")
_request_id: ContextVar[str] = ContextVar("phaen_audit_request_id", default="")

_CHAR_LIMITS = {
    "actor_repr": 300,
    "user_agent": 300,
    "request_id": 64,
    "action": 64,
    "target_type": 100,
    "target_id": 100,
    "target_repr": 300,
}


class AuditChainError(Exception):
    """The chain cannot be appended to, because its head is missing while records exist."""


@dataclass(frozen=True)
class VerifyResult:
    """What `audit_verify` found: whether the chain holds, how many records it checked, where
    it first breaks (a record's id; for a missing record, the id that is missing), in words."""

    ok: bool
    checked: int
    first_broken_id: int | None
    message: str
    last_id: int = 0
    last_hash: str = GENESIS_HASH


# --- Request context -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditContextTokens:
    """Tokens to restore the context variables that `set_audit_context` changed."""

    ip: Any
    user_agent: Any
    request_id: Any


def set_audit_context(
    *, ip: str | None = None, user_agent: str = "", request_id: str = ""
) -> AuditContextTokens:
    """Set where the following records come from; pass the result to `reset_audit_context`."""
    return AuditContextTokens(
        ip=_ip.set(_normalise_ip(ip)),
        user_agent=_user_agent.set(user_agent[: _CHAR_LIMITS["user_agent"]]),
        request_id=_request_id.set(request_id[: _CHAR_LIMITS["request_id"]]),
    )


def reset_audit_context(tokens: AuditContextTokens) -> None:
    """Restore the context that was in force before `set_audit_context`."""
    _ip.reset(tokens.ip)
    _user_agent.reset(tokens.user_agent)
    _request_id.reset(tokens.request_id)


@contextmanager
def audit_context(
    *, ip: str | None = None, user_agent: str = "", request_id: str = ""
) -> Iterator[None]:
    """Attribute the records written inside the block to this IP, user agent and request id."""
    tokens = set_audit_context(ip=ip, user_agent=user_agent, request_id=request_id)
    try:
        yield
    finally:
        reset_audit_context(tokens)


def current_audit_context() -> dict[str, Any]:
    """Return the IP, user agent and request id the next record will carry."""
    return {"ip": _ip.get(), "user_agent": _user_agent.get(), "request_id": _request_id.get()}


# --- Canonical values ------------------------------------------------------------------------


def _normalise_ip(value: str | None) -> str | None:
    """Return the IP in its canonical text form, or None when absent or not an address."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _ip_key(value: str | None) -> str | None:
    # The address's bytes, not its text: databases and Python versions print some addresses
    # differently (IPv4-mapped IPv6), and the hash must not change with them.
    if not value:
        return None
    try:
        return ipaddress.ip_address(value.strip()).packed.hex()
    except ValueError:
        return value


def _canonical_number(value: Any) -> Any:
    # PostgreSQL's jsonb keeps numbers as numerics: 1e20 comes back as an integer. Integral
    # floats are hashed as integers so that the stored row hashes as it did when written.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_number(v) for v in value]
    return value


def to_json_value(value: Any) -> Any:
    """Return `value` as plain JSON data (dates as ISO text, decimals and UUIDs as text).

    This is what a record stores and what its hash covers, so reading the row back gives the
    same data whatever the database.
    """
    if value is None:
        return None
    return _canonical_number(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def _canonical_json(value: Any) -> str:
    return json.dumps(
        _canonical_number(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def compute_hash(record: AuditRecord) -> str:
    """Return the SHA-256 (hex) of the record's canonical serialisation.

    The payload holds the record's id (so a deletion breaks the chain), every field a reader
    relies on, and `prev_hash` (so records cannot be reordered or replaced).
    """
    payload = {
        "v": HASH_VERSION,
        "id": int(record.id),
        "created_at": _iso(record.created_at),
        "actor_id": record.actor_id,
        "actor_repr": record.actor_repr,
        "ip": _ip_key(record.ip),
        "user_agent": record.user_agent,
        "request_id": record.request_id,
        "action": record.action,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "target_repr": record.target_repr,
        "before": record.before,
        "after": record.after,
        "outcome": record.outcome,
        "reason": record.reason,
        "prev_hash": record.prev_hash,
    }
    return hashlib.sha256(_canonical_json(payload).encode("utf-8")).hexdigest()


# --- Snapshots -------------------------------------------------------------------------------


def _related_key(obj: models.Model | None) -> Any:
    if obj is None:
        return None
    if any(f.name == "code" for f in obj._meta.concrete_fields):
        return obj.code  # type: ignore[attr-defined]
    return obj.pk


def _is_auto_timestamp(field: Any) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Return the instance's field values as JSON-friendly data, for `before` and `after`.

    Without `fields`: every concrete field except the primary key and automatic timestamps.
    Foreign keys appear as the related row's `code` when its model has one (readable and
    stable across databases), else as its primary key; reading the code may cost a query
    unless the relation is already loaded. Many-to-many and reverse relations appear only when
    listed, as a sorted list of codes or keys; prefetch them to avoid a query each.
    """
    opts = instance._meta
    if fields is None:
        chosen: list[Any] = [
            f for f in opts.concrete_fields if not f.primary_key and not _is_auto_timestamp(f)
        ]
    else:
        chosen = [opts.get_field(name) for name in fields]
    data: dict[str, Any] = {}
    for field in chosen:
        if field.many_to_many or field.one_to_many:
            # A forward many-to-many field is not "concrete" on Django 6.1; reverse relations
            # have no attribute of their field's name.
            forward = isinstance(field, models.ManyToManyField)
            accessor = field.name if forward else field.get_accessor_name()
            related = getattr(instance, accessor).all()
            keys = [_related_key(obj) for obj in related]
            data[field.name] = sorted(keys, key=lambda k: (k is None, str(k)))
        elif field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete:
            related_model = field.related_model
            has_code = any(f.name == "code" for f in related_model._meta.concrete_fields)
            if has_code and getattr(instance, field.attname) is not None:
                data[field.name] = _related_key(getattr(instance, field.name))
            else:
                data[field.name] = getattr(instance, field.attname)
        else:
            value = field.value_from_object(instance)
            if isinstance(value, FieldFile):
                value = value.name or ""
            data[field.name] = value
    return to_json_value(data)


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """Return the fields whose values differ, as `{"field", "before", "after"}`, in key order."""
    before = before or {}
    after = after or {}
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new or (key in before) != (key in after):
            changes.append({"field": key, "before": old, "after": new})
    return changes


# --- Appending -------------------------------------------------------------------------------


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", True):
        return None, "anonymous"
    pk = getattr(actor, "pk", None)
    if pk is None:
        return None, str(actor)
    get_username = getattr(actor, "get_username", None)
    return int(pk), str(get_username() if callable(get_username) else actor)


def _locked_head() -> AuditHead:
    """Return the head row, locked for this transaction, creating it for an empty trail."""
    # The UPDATE takes the write lock first (SQLite) or the row lock (PostgreSQL), so no two
    # appends read the same head.
    if not AuditHead.objects.filter(pk=HEAD_PK).update(last_id=F("last_id")):
        if AuditRecord.objects.exists():
            raise AuditChainError(
                "The audit trail's head row is missing while records exist; "
                "run `phaen audit verify`."
            )
        try:
            with transaction.atomic():
                AuditHead.objects.create(pk=HEAD_PK, last_id=0, last_hash=GENESIS_HASH)
        except IntegrityError:
            pass  # another append created it first; the lock below waits for it
    return AuditHead.objects.select_for_update().get(pk=HEAD_PK)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = "ok",
    reason: str = "",
) -> AuditRecord:
    """Append a record of `actor` doing `action` (or being refused it) to the audit trail.

    `actor` is a user, None or an anonymous user (recorded as "anonymous"), or a system actor
    such as `phaen.plans.permissions.SYSTEM` (any object without a primary key: its `str()`).
    `action` is a dotted verb: "plan.create", "plan.transition", "membership.grant",
    "auth.login_failed". `target` fills `target_type` ("app_label.model_name"), `target_id`
    and `target_repr`; pass those directly for things that are not rows, or no longer exist.
    `before` and `after` are JSON-friendly dicts (see `snapshot`), stored in canonical form.
    `outcome` is "ok", "denied" or "failed"; `reason` says why in a sentence.

    The record belongs to the caller's transaction (see the module docstring): a denial must be
    recorded outside the transaction that raising `PermissionDenied` rolls back.
    """
    if outcome not in AuditOutcome.values:
        raise ValueError(f"Unknown audit outcome {outcome!r}; use one of {AuditOutcome.values}.")
    if not action:
        raise ValueError("An audit record needs an action.")
    if target is not None:
        opts = target._meta
        target_type = target_type or f"{opts.app_label}.{opts.model_name}"
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)
    actor_id, actor_repr = _actor_fields(actor)
    context = current_audit_context()
    values = {
        "actor_repr": actor_repr,
        "user_agent": context["user_agent"],
        "request_id": context["request_id"],
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "target_repr": target_repr,
    }
    values = {key: value[: _CHAR_LIMITS[key]] for key, value in values.items()}
    with transaction.atomic():
        head = _locked_head()
        record = AuditRecord(
            id=head.last_id + 1,
            created_at=timezone.now(),
            actor_id=actor_id,
            ip=context["ip"],
            before=to_json_value(before),
            after=to_json_value(after),
            outcome=outcome,
            reason=reason,
            prev_hash=head.last_hash,
            **values,
        )
        record.hash = compute_hash(record)
        record.save(force_insert=True)
        AuditHead.objects.filter(pk=HEAD_PK).update(last_id=record.id, last_hash=record.hash)
    return record


# --- Verifying -------------------------------------------------------------------------------


def _gap(record_id: int, prev_id: int) -> str:
    first, last = prev_id + 1, record_id - 1
    values = {"id": record_id, "prev": prev_id, "missing": first, "first": first, "last": last}
    if prev_id == 0:
        if first == last:
            return _("record %(id)s is the first record: record %(missing)s is missing") % values
        return _("record %(id)s is the first record: records %(first)s–%(last)s are missing") % (
            values
        )
    if first == last:
        return _("record %(id)s follows %(prev)s: record %(missing)s is missing") % values
    return _("record %(id)s follows %(prev)s: records %(first)s–%(last)s are missing") % values


def audit_verify(*, batch_size: int = 2000) -> VerifyResult:
    """Walk the trail in id order and report the first broken link, or that the chain holds.

    Checks, record by record: ids are consecutive from 1 (else records are missing; the first
    missing id is reported); the stored hash matches the recomputed one (else the record was
    changed); `prev_hash` equals the previous record's hash (else one of the two was rewritten,
    hash and all). Finally the head must name the last record, which catches deleting the
    newest records or appending behind the trail's back. On PostgreSQL, when not already in a
    transaction, the walk reads one REPEATABLE READ snapshot so concurrent appends do not
    confuse it; SQLite's transaction gives the same.

    A chain rewritten from some record onwards, head included, still verifies; keep the
    reported `last_hash` somewhere else (a signed report, a ticket) to detect that.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql" and not connection.savepoint_ids:
            # No savepoint means `atomic()` above opened the transaction: nothing ran in it yet.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _walk(batch_size)


def _walk(batch_size: int) -> VerifyResult:
    head = AuditHead.objects.filter(pk=HEAD_PK).first()
    checked = 0
    prev_id, prev_hash = 0, GENESIS_HASH
    while True:
        batch = list(AuditRecord.objects.filter(id__gt=prev_id).order_by("id")[:batch_size])
        if not batch:
            break
        for record in batch:
            if record.id != prev_id + 1:
                return VerifyResult(False, checked, prev_id + 1, _gap(record.id, prev_id))
            if compute_hash(record) != record.hash:
                message = _("record %(id)s was changed after it was written") % {"id": record.id}
                return VerifyResult(False, checked, record.id, message)
            if record.prev_hash != prev_hash:
                if prev_id:
                    message = _(
                        "record %(id)s does not link to record %(prev)s: one of them was "
                        "rewritten after it was written"
                    ) % {"id": record.id, "prev": prev_id}
                else:
                    message = _("record %(id)s does not start the chain: it was rewritten") % {
                        "id": record.id
                    }
                return VerifyResult(False, checked, prev_id or record.id, message)
            prev_id, prev_hash = record.id, record.hash
            checked += 1

    def result(ok: bool, broken: int | None, message: str) -> VerifyResult:
        return VerifyResult(ok, checked, broken, message, prev_id, prev_hash)

    if head is None:
        if checked:
            return result(False, None, _("the chain head is missing"))
        return result(True, None, _("the audit trail is empty"))
    if head.last_id > prev_id:
        values = {"id": head.last_id, "first": prev_id + 1, "last": head.last_id}
        if head.last_id == prev_id + 1:
            message = _("the last record (%(id)s) is missing") % values
        else:
            message = _("the last records (%(first)s–%(last)s) are missing") % values
        return result(False, prev_id + 1, message)
    if head.last_id < prev_id:
        message = _("record %(id)s was added outside the audit trail") % {"id": head.last_id + 1}
        return result(False, head.last_id + 1, message)
    if head.last_hash != prev_hash:
        message = _("the chain head does not match record %(id)s") % {"id": prev_id}
        return result(False, prev_id or None, message)
    if not checked:
        return result(True, None, _("the audit trail is empty"))
    message = ngettext(
        "%(count)s record verified; the chain is intact",
        "%(count)s records verified; the chain is intact",
        checked,
    ) % {"count": checked}
    return result(True, None, message)


# --- Searching and exporting -------------------------------------------------------------------

CSV_COLUMNS = [
    "id",
    "created_at",
    "actor_id",
    "actor",
    "ip",
    "user_agent",
    "request_id",
    "action",
    "target_type",
    "target_id",
    "target",
    "outcome",
    "reason",
    "before",
    "after",
    "prev_hash",
    "hash",
]


@dataclass(frozen=True)
class AuditFilters:
    """What an auditor searches the trail by; empty values do not filter.

    `actor` matches part of the actor's name; `action` matches exactly or as a dotted prefix
    ("plan" finds "plan.create"); the dates are inclusive days in the site's time zone.
    """

    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_search(filters: AuditFilters | None = None) -> models.QuerySet[AuditRecord]:
    """Return the records matching `filters`, newest first."""
    filters = filters or AuditFilters()
    records = AuditRecord.objects.order_by("-id")
    if filters.actor.strip():
        records = records.filter(actor_repr__icontains=filters.actor.strip())
    action = filters.action.strip().rstrip(".")
    if action:
        records = records.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if filters.target_type.strip():
        records = records.filter(target_type=filters.target_type.strip().lower())
    if filters.target_id.strip():
        records = records.filter(target_id=filters.target_id.strip())
    if filters.outcome:
        records = records.filter(outcome=filters.outcome)
    if filters.date_from:
        records = records.filter(created_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        records = records.filter(created_at__lt=_start_of(filters.date_to + timedelta(days=1)))
    return records


def _json_cell(value: Any) -> str:
    return "" if value is None else _canonical_json(value)


def audit_csv_rows(records: Iterable[AuditRecord]) -> Iterator[list[Any]]:
    """Yield the CSV header, then one row per record (before and after as JSON text).

    Shared by the page, the API and `phaen audit export`, so the three files are identical.
    Pass a queryset's `.iterator()` for large exports.
    """
    yield list(CSV_COLUMNS)
    for record in records:
        yield [
            record.id,
            _iso(record.created_at),
            "" if record.actor_id is None else record.actor_id,
            record.actor_repr,
            record.ip or "",
            record.user_agent,
            record.request_id,
            record.action,
            record.target_type,
            record.target_id,
            record.target_repr,
            record.outcome,
            record.reason,
            _json_cell(record.before),
            _json_cell(record.after),
            record.prev_hash,
            record.hash,
        ]
