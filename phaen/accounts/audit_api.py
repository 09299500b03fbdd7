"""JSON API of the audit trail, mounted at /api/audit: search, verify, export as CSV.

Auditors and system administrators only, signed in by API token (`token_auth`, which sets
`request.user`) or by session. Without either the answer is 401; anyone else gets 403
`{"code": "audit_forbidden", ...}` and the refusal is recorded in the trail. Thin: the
filters, the search, the CSV rows and the verification are those of `phaen.core.audit`, shared
with the pages and `phaen audit`.
"""

# No `from __future__ import annotations`: django-ninja reads `Query[...]` at import time.
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from phaen.accounts.audit_views import csv_response, ensure_audit_reader
from phaen.api.auth import token_auth
from phaen.api.pagination import PagePagination
from phaen.core.audit import AuditFilters, audit_search, audit_verify, diff
from phaen.core.models import AuditOutcome, AuditRecord

router = Router(tags=["audit trail"], auth=[token_auth, django_auth])


class AuditFilter(Schema):
    actor: str = Field("", description="Part of the actor's user name.")
    action: str = Field("", description='An action, or its dotted beginning ("plan").')
    target_type: str = Field("", description='"app_label.model", e.g. "plans.plan".')
    target_id: str = ""
    outcome: AuditOutcome | None = None
    date_from: date | None = Field(None, description="First day (inclusive), Bangkok time.")
    date_to: date | None = Field(None, description="Last day (inclusive), Bangkok time.")

    def to_filters(self) -> AuditFilters:
        return AuditFilters(
            actor=self.actor,
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
            outcome=self.outcome.value if self.outcome else "",
            date_from=self.date_from,
            date_to=self.date_to,
        )


class Change(Schema):
    field: str
    before: Any = None
    after: Any = None


class AuditRecordOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor: str = Field(..., alias="actor_repr")
    ip: str | None
    user_agent: str
    request_id: str
    action: str
    target_type: str
    target_id: str
    target: str = Field(..., alias="target_repr")
    outcome: str
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changes: list[Change]
    prev_hash: str
    hash: str

    @staticmethod
    def resolve_changes(obj: AuditRecord) -> list[dict[str, Any]]:
        return diff(obj.before, obj.after)


class VerifyOut(Schema):
    ok: bool
    checked: int
    first_broken_id: int | None
    message: str
    last_id: int
    last_hash: str


@router.get("", response=list[AuditRecordOut], summary="Search the audit trail")
@paginate(PagePagination)
def list_records(request: HttpRequest, filters: Query[AuditFilter]) -> Any:
    """The records the filters select, newest first."""
    ensure_audit_reader(request.user, "audit.list")
    return audit_search(filters.to_filters())


@router.get("/verify", response=VerifyOut, summary="Verify the audit trail's hash chain")
def verify(request: HttpRequest) -> Any:
    """Walk the chain; `ok` false names the first broken record in `first_broken_id`."""
    ensure_audit_reader(request.user, "audit.verify")
    return audit_verify()


@router.get(
    "/export.csv",
    summary="Export the audit trail as CSV",
    openapi_extra={
        "responses": {200: {"description": "UTF-8 CSV with a BOM", "content": {"text/csv": {}}}}
    },
)
def export_csv(request: HttpRequest, filters: Query[AuditFilter]) -> StreamingHttpResponse:
    """The records the filters select, as CSV (the same columns as `phaen audit export`)."""
    ensure_audit_reader(request.user, "audit.export")
    return csv_response(audit_search(filters.to_filters()))
