"""Reads of the organisations app: lists, search, look-up by any of an organisation's names."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from phaen.core import thai_text
from phaen.core.errors import NotFound
from phaen.orgs.errors import OrganisationError
from phaen.orgs.models import Organisation, OrganisationAlias


def organisation_list(
    *, search: str | None = None, kind: str | None = None, parent: str | None = None
) -> QuerySet[Organisation]:
    """Return organisations with their parent, province and aliases, optionally filtered.

    `search` keeps organisations whose names, abbreviations or aliases contain every word of the
    query (Thai is segmented into words first; a query with one-letter pieces, such as ก.บ.จ.,
    must appear whole), plus any organisation for which the whole query
    is an alias or abbreviation, so "ดีป้า", "depa", "ดีอีเอส" and "MDES" each find their
    organisation. Those exact matches come first. `kind` is an `OrganisationKind` value;
    `parent` is the code of the parent organisation (an unknown code raises `NotFound`).
    """
    organisations = Organisation.objects.select_related("parent", "province").prefetch_related(
        Prefetch("aliases", queryset=OrganisationAlias.objects.order_by("alias"))
    )
    if kind:
        organisations = organisations.filter(kind=kind)
    if parent:
        organisations = organisations.filter(parent=organisation_get(parent, related=False))
    query = thai_text.normalize(search or "")
    if not query:
        return organisations.order_by("name_th", "code")
    exact = (
        Q(pk__in=OrganisationAlias.objects.filter(normalized=query).values("organisation_id"))
        | Q(abbreviation_th__iexact=query)
        | Q(abbreviation_en__iexact=query)
    )
    # Every word must appear. Single letters (the pieces of ก.บ.จ. or of an initial) would
    # match nearly everything, so when there are any the whole query must appear instead.
    words = thai_text.tokens(query)
    text = Q()
    for word in words:
        if len(word) > 1:
            text &= Q(search_document__icontains=word)
    if any(len(word) == 1 for word in words):
        text &= Q(search_document__icontains=query)
    matches = exact | text if words else exact
    return (
        organisations.filter(matches)
        .annotate(
            exact_match=Case(
                When(exact, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("exact_match", "name_th", "code")
    )


def organisation_get(code: str, *, related: bool = True) -> Organisation:
    """Return the organisation with `code` or raise `NotFound`.

    With `related`, its parent, province, children and aliases come in the same few queries.
    """
    organisations = Organisation.objects.all()
    if related:
        organisations = organisations.select_related("parent", "province").prefetch_related(
            Prefetch("aliases", queryset=OrganisationAlias.objects.order_by("alias")),
            Prefetch("children", queryset=Organisation.objects.order_by("name_th", "code")),
        )
    organisation = organisations.filter(code=code).first()
    if organisation is None:
        raise NotFound(
            OrganisationError.NOT_FOUND,
            _("There is no organisation with the code %(code)s.") % {"code": code},
            detail={"code": code},
        )
    return organisation


def organisation_resolve(name: str) -> Organisation | None:
    """Return the one organisation that `name` names exactly, or None.

    `name` is compared, after normalisation, with aliases (unique, so they win), then with full
    names, abbreviations and codes. A name shared by several organisations, such as the
    abbreviation ก.บ.จ., resolves to None rather than to a guess.
    """
    key = thai_text.normalize(name)
    if not key:
        return None
    alias = OrganisationAlias.objects.select_related("organisation").filter(normalized=key).first()
    if alias is not None:
        return alias.organisation
    candidates = list(
        Organisation.objects.filter(
            Q(name_th__iexact=key)
            | Q(name_en__iexact=key)
            | Q(abbreviation_th__iexact=key)
            | Q(abbreviation_en__iexact=key)
            | Q(code=key)
        )[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


@dataclass
class OrganisationNode:
    """An organisation with its sub-organisations, as `organisation_tree` returns them."""

    organisation: Organisation
    children: list[OrganisationNode] = field(default_factory=list)


def organisation_tree(root: Organisation) -> OrganisationNode:
    """Return `root` with all its descendants, read in one query whatever the depth."""
    by_parent: dict[int | None, list[Organisation]] = defaultdict(list)
    for organisation in Organisation.objects.order_by("name_th", "code"):
        by_parent[organisation.parent_id].append(organisation)

    def build(organisation: Organisation, ancestors: frozenset[int]) -> OrganisationNode:
        node = OrganisationNode(organisation)
        for child in by_parent.get(organisation.pk, []):
            if child.pk not in ancestors:  # the services forbid cycles; never loop if one slips in
                node.children.append(build(child, ancestors | {child.pk}))
        return node

    return build(root, frozenset({root.pk}))
