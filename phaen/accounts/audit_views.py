"""Pages of the audit trail, for auditors and system administrators only.

`/audit/` lists the records with filters and pagination, each row opening to show the fields a
change touched; `/audit/export.csv` downloads the filtered list; `/audit/verify/` walks the
hash chain on request. Anyone else who is signed in gets 403, and the refusal itself goes into
the trail (outcome "denied"); anonymous visitors are sent to the sign-in page first.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from phaen.accounts.permissions import is_auditor
from phaen.core.audit import AuditFilters, audit_csv_rows, audit_record, audit_search, audit_verify
from phaen.core.audit import diff as audit_diff
from phaen.core.errors import PermissionDenied
from phaen.core.models import AuditOutcome, AuditRecord


def ensure_audit_reader(actor: Any, action: str) -> None:
    """Raise `PermissionDenied` unless `actor` may read the audit trail, recording a refusal.

    `action` names what was attempted ("audit.list", "audit.export", "audit.verify"). The
    denial is recorded before raising, outside any transaction, so it stays in the trail.
    """
    if is_auditor(actor):
        return
    audit_record(
        actor=actor,
        action=action,
        target_type="core.auditrecord",
        outcome=AuditOutcome.DENIED,
        reason="Only auditors and system administrators may read the audit trail.",
    )
    raise PermissionDenied(
        "audit_forbidden",
        gettext_lazy("Only auditors and system administrators may read the audit trail."),
        detail={"action": action},
    )


def _guard(request: HttpRequest, action: str) -> None:
    try:
        ensure_audit_reader(request.user, action)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc


class _DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """The audit trail's filters; invalid values are ignored rather than refused."""

    actor = forms.CharField(label=gettext_lazy("Actor"), required=False, max_length=150)
    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        max_length=64,
        help_text=gettext_lazy('An action or its beginning, such as "plan" or "plan.create".'),
    )
    target_type = forms.CharField(
        label=gettext_lazy("Target type"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "plans.plan"}),
    )
    target_id = forms.CharField(label=gettext_lazy("Target id"), required=False, max_length=100)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        required=False,
        choices=[("", gettext_lazy("All outcomes")), *AuditOutcome.choices],
    )
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=_DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=_DateInput)

    def filters(self) -> AuditFilters:
        """Return the valid filters (an invalid field is left out, not refused)."""
        if not self.is_bound:
            return AuditFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return AuditFilters(**data)


@dataclass
class AuditRow:
    """A record on the list page, with the fields its change touched."""

    record: AuditRecord
    changes: list[dict[str, Any]]


@never_cache
@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """List the audit trail, newest first, with filters and pagination."""
    _guard(request, "audit.list")
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    paginator = Paginator(audit_search(filters), settings.PHAEN_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = [AuditRow(record, audit_diff(record.before, record.after)) for record in page_obj]
    context = {
        "form": form,
        "filtered": filters != AuditFilters(),
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
        "rows": rows,
    }
    return render(request, "accounts/pages/audit_list.html", context)


class _Echo:
    """A file-like object whose `write` hands the line back, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def stream_csv(records: Any) -> Iterator[str]:
    """Yield the CSV of `records` line by line, starting with a BOM so Excel reads UTF-8."""
    yield "\ufeff"
    writer = csv.writer(_Echo())
    for row in audit_csv_rows(records.iterator(chunk_size=2000)):
        yield writer.writerow(row)


def csv_response(records: Any) -> StreamingHttpResponse:
    """Return a streaming CSV download of `records`, named after today's date."""
    response = StreamingHttpResponse(stream_csv(records), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="phaen-audit-{stamp}.csv"'
    return response


@never_cache
@login_required
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """Download the records the list's filters select, as CSV (UTF-8 with a BOM)."""
    _guard(request, "audit.export")
    filters = AuditFilterForm(request.GET or None).filters()
    return csv_response(audit_search(filters))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def audit_verify_page(request: HttpRequest) -> HttpResponse:
    """Offer to verify the hash chain; on POST, walk it and show what was found."""
    _guard(request, "audit.verify")
    result = audit_verify() if request.method == "POST" else None
    return render(request, "accounts/pages/audit_verify.html", {"result": result})
