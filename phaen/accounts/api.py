"""JSON API for an organisation's members, for its organisation administrators."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from phaen.accounts import selectors, services
from phaen.accounts.models import Membership, Role
from phaen.accounts.permissions import can_manage_members
from phaen.api.auth import WRITE_AUTH
from phaen.core.audit import audit_record
from phaen.core.errors import NotFound, PermissionDenied
from phaen.orgs.models import Organisation

router = Router(tags=["members"])


class MemberOut(Schema):
    id: int
    username: str = Field(..., alias="user.username")
    name: str = Field(..., alias="user.first_name")
    organisation: str = Field(..., alias="organisation.code")
    role: str
    includes_sub_organisations: bool


class MemberIn(Schema):
    username: str
    role: Role
    full_name: str = ""
    email: str = ""
    password: str = Field("", description="Only for a new account: its first password.")


def _organisation(request: HttpRequest, code: str) -> Organisation:
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise NotFound("organisation_not_found", _("No organisation has this code."))
    if not can_manage_members(request.user, organisation.pk):
        audit_record(
            actor=request.user, action="membership.list", target=organisation, outcome="denied"
        )
        raise PermissionDenied()
    return organisation


@router.get(
    "/organisations/{code}/members",
    response=list[MemberOut],
    auth=WRITE_AUTH,
    summary="An organisation's members (its administrators only)",
)
def list_members(request: HttpRequest, code: str) -> Any:
    return selectors.membership_list(_organisation(request, code))


@router.post(
    "/organisations/{code}/members",
    response={201: MemberOut},
    auth=WRITE_AUTH,
    summary="Give a person a role in the organisation (a new person gets an account)",
)
def add_member(request: HttpRequest, code: str, payload: MemberIn) -> Any:
    membership = services.member_add(
        actor=request.user,
        organisation=_organisation(request, code),
        username=payload.username,
        role=payload.role,
        full_name=payload.full_name,
        email=payload.email,
        password=payload.password,
    )
    return Status(201, membership)


@router.delete(
    "/memberships/{membership_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Take a role away",
)
def revoke_member(request: HttpRequest, membership_id: int) -> Any:
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(pk=membership_id, is_active=True)
        .first()
    )
    if membership is None:
        raise NotFound("membership_not_found", _("No such membership."))
    services.membership_revoke(actor=request.user, membership=membership)
    return Status(204, None)
