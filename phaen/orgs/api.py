"""JSON API of organisations (mounted at /api/organisations).

Reading is open. Writing needs a signed-in session (with its CSRF token) and Django's model
permission on organisations, checked by the services: 401 when not signed in, 403 without the
permission, 422 for invalid input, 404 for an unknown code; every error is
`{"code", "message", "detail"}`.
"""

# No `from __future__ import annotations` here: django-ninja evaluates the views' annotations
# through the pagination wrapper, whose module does not know OrganisationKind.
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from phaen.api.auth import WRITE_AUTH
from phaen.api.pagination import PagePagination
from phaen.orgs import selectors, services
from phaen.orgs.models import Organisation, OrganisationKind

router = Router(tags=["organisations"])


class ErrorOut(Schema):
    code: str
    message: str
    detail: dict[str, Any]


class OrganisationRef(Schema):
    code: str
    name_th: str
    name_en: str
    abbreviation_th: str
    abbreviation_en: str


class OrganisationOut(Schema):
    code: str
    name_th: str
    name_en: str
    abbreviation_th: str
    abbreviation_en: str
    kind: str
    parent: str | None = Field(None, description="Code of the parent organisation")
    province: str | None = Field(None, description="Two-digit province code")
    website: str
    source: str
    is_active: bool
    aliases: list[str]

    @staticmethod
    def resolve_parent(obj: Organisation) -> str | None:
        return obj.parent.code if obj.parent else None

    @staticmethod
    def resolve_province(obj: Organisation) -> str | None:
        return obj.province.code if obj.province else None

    @staticmethod
    def resolve_aliases(obj: Organisation) -> list[str]:
        return [alias.alias for alias in obj.aliases.all()]


class OrganisationDetailOut(OrganisationOut):
    parent_organisation: OrganisationRef | None
    children: list[OrganisationRef]

    @staticmethod
    def resolve_parent_organisation(obj: Organisation) -> Organisation | None:
        return obj.parent

    @staticmethod
    def resolve_children(obj: Organisation) -> list[Organisation]:
        return list(obj.children.all())


class OrganisationIn(Schema):
    code: str = Field(..., pattern=services.CODE_PATTERN, max_length=64)
    name_th: str = Field(..., min_length=1, max_length=300)
    name_en: str = Field("", max_length=300)
    abbreviation_th: str = Field("", max_length=50)
    abbreviation_en: str = Field("", max_length=50)
    kind: OrganisationKind
    parent: str | None = Field(None, description="Code of the parent organisation")
    province: str | None = Field(None, description="Two-digit province code")
    website: str = Field("", max_length=200)
    source: str = Field("", max_length=500)
    is_active: bool = True
    aliases: list[str] = Field(default_factory=list)


class OrganisationPatch(Schema):
    """Fields to change; fields left out stay as they are, `aliases` replaces the whole list."""

    name_th: str | None = Field(None, min_length=1, max_length=300)
    name_en: str | None = Field(None, max_length=300)
    abbreviation_th: str | None = Field(None, max_length=50)
    abbreviation_en: str | None = Field(None, max_length=50)
    kind: OrganisationKind | None = None
    parent: str | None = Field(None, description="Parent code; null removes the parent")
    province: str | None = Field(None, description="Province code; null removes the province")
    website: str | None = Field(None, max_length=200)
    source: str | None = Field(None, max_length=500)
    is_active: bool | None = None
    aliases: list[str] | None = None


class AliasIn(Schema):
    alias: str = Field(..., min_length=1, max_length=300)


@router.get("", response={200: list[OrganisationOut], 404: ErrorOut}, summary="List organisations")
@paginate(PagePagination)
def list_organisations(
    request: HttpRequest,
    q: str | None = None,
    kind: OrganisationKind | None = None,
    parent: str | None = None,
) -> QuerySet[Organisation]:
    """Organisations by Thai name; `q` searches names, abbreviations and aliases (ดีป้า, MDES)."""
    return selectors.organisation_list(search=q, kind=kind.value if kind else None, parent=parent)


@router.get(
    "/{code}", response={200: OrganisationDetailOut, 404: ErrorOut}, summary="Get an organisation"
)
def get_organisation(request: HttpRequest, code: str) -> Organisation:
    """One organisation with its parent, children and aliases."""
    return selectors.organisation_get(code)


@router.post(
    "",
    response={201: OrganisationDetailOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    auth=WRITE_AUTH,
    summary="Create an organisation",
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status:
    """Create an organisation; needs the permission to add organisations."""
    data = payload.model_dump()
    organisation = services.organisation_create(
        actor=request.user,
        code=data["code"],
        name_th=data["name_th"],
        kind=data["kind"],
        name_en=data["name_en"],
        abbreviation_th=data["abbreviation_th"],
        abbreviation_en=data["abbreviation_en"],
        parent_code=data["parent"],
        province_code=data["province"],
        website=data["website"],
        source=data["source"],
        is_active=data["is_active"],
        aliases=data["aliases"],
    )
    return Status(201, selectors.organisation_get(organisation.code))


@router.patch(
    "/{code}",
    response={
        200: OrganisationDetailOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    auth=WRITE_AUTH,
    summary="Change an organisation",
)
def update_organisation(
    request: HttpRequest, code: str, payload: OrganisationPatch
) -> Organisation:
    """Change the fields sent; needs the permission to change organisations."""
    data = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("parent", "province"):
            changes[f"{name}_code"] = value
        elif name == "is_active":
            if value is not None:
                changes[name] = value
        elif name == "aliases":
            changes[name] = value or []
        else:
            # A null text or kind means "empty", which the service refers to its own rules.
            changes[name] = value or ""
    services.organisation_update(
        actor=request.user,
        organisation=selectors.organisation_get(code),
        changes=cast(services.OrganisationChanges, changes),
    )
    return selectors.organisation_get(code)


@router.delete(
    "/{code}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=WRITE_AUTH,
    summary="Delete an organisation",
)
def delete_organisation(request: HttpRequest, code: str) -> Status:
    """Delete an organisation that nothing refers to; needs the permission to delete."""
    services.organisation_delete(
        actor=request.user, organisation=selectors.organisation_get(code, related=False)
    )
    return Status(204, None)


@router.post(
    "/{code}/aliases",
    response={
        201: OrganisationDetailOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    auth=WRITE_AUTH,
    summary="Add an alias",
)
def add_alias(request: HttpRequest, code: str, payload: AliasIn) -> Status:
    """Give the organisation another name, such as an abbreviation used in the press."""
    services.organisation_alias_add(
        actor=request.user,
        organisation=selectors.organisation_get(code, related=False),
        alias=payload.alias,
    )
    return Status(201, selectors.organisation_get(code))


@router.delete(
    "/{code}/aliases/{alias}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=WRITE_AUTH,
    summary="Remove an alias",
)
def remove_alias(request: HttpRequest, code: str, alias: str) -> Status:
    """Remove one of the organisation's aliases."""
    services.organisation_alias_remove(
        actor=request.user,
        organisation=selectors.organisation_get(code, related=False),
        alias=alias,
    )
    return Status(204, None)
