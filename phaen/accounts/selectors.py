"""Reads of accounts: an organisation's members."""

from __future__ import annotations

from django.db.models import QuerySet

from phaen.accounts.models import Membership
from phaen.orgs.models import Organisation


def membership_list(organisation: Organisation) -> QuerySet[Membership]:
    """Return the organisation's active memberships with their users (one query)."""
    return (
        Membership.objects.filter(organisation=organisation, is_active=True)
        .select_related("user", "organisation")
        .order_by("role", "user__username")
    )
