"""Changes to sign-in: API tokens, the TOTP second factor, passwords, the first administrator.

A user manages their own tokens and second factor; system administrators may also create and
revoke other users' tokens. Every change is written to the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from phaen.accounts.models import ApiToken, Membership, Role
from phaen.accounts.permissions import forget_roles, is_system_admin, roles_of
from phaen.core.actors import SYSTEM
from phaen.core.audit import audit_record
from phaen.core.errors import PermissionDenied, ValidationFailed
from phaen.core.reference import read_yaml, require
from phaen.orgs.models import Organisation

TOKEN_PREFIX = "phaen_"
TOKEN_NAME_MAX = 100


def token_hash(key: str) -> str:
    """Return the SHA-256 (hex) under which a token's key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def _check_password(password: str, user: Any, *, code: str, field: str) -> None:
    """Refuse a password that fails Django's validators, naming the form field it came from."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise ValidationFailed(code, message, detail={"fields": {field: message}}) from exc


def _can_manage_tokens(actor: Any, user: Any) -> bool:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return bool(actor.pk == user.pk or is_system_admin(actor))


def _deny(
    actor: Any, action: str, target: Any = None, *, target_type: str = "", target_id: str = ""
) -> PermissionDenied:
    """Record a refusal in the audit trail (outside any transaction) and return the error."""
    audit_record(
        actor=actor,
        action=action,
        target=target,
        target_type=target_type,
        target_id=target_id,
        outcome="denied",
    )
    return PermissionDenied()


def token_create(
    *, actor: Any, user: Any, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make an API token for `user` and return it with its key, which is never shown again.

    The key is `phaen_` followed by 43 random URL-safe characters (256 bits); only its SHA-256
    and its first eight random characters are stored.
    """
    if not _can_manage_tokens(actor, user):
        raise _deny(actor, "api_token.create", target_type="auth.user", target_id=str(user.pk))
    name = (name or "").strip()
    if not name:
        message = _("Give the token a name, so you can tell it apart later.")
        raise ValidationFailed("token_name_required", message, detail={"fields": {"name": message}})
    if len(name) > TOKEN_NAME_MAX:
        message = _("The name is too long (at most %(max)d characters).") % {"max": TOKEN_NAME_MAX}
        raise ValidationFailed("token_name_too_long", message, detail={"fields": {"name": message}})
    if expires_at is not None and expires_at <= timezone.now():
        message = _("The expiry date must be in the future.")
        raise ValidationFailed(
            "token_expiry_past", message, detail={"fields": {"expires_at": message}}
        )

    secret = secrets.token_urlsafe(32)
    key = TOKEN_PREFIX + secret
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:8],
            key_hash=token_hash(key),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            target=token,
            after={"user": user.pk, "name": name, "prefix": token.prefix, "expires_at": expires_at},
        )
    return token, key


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking it again changes nothing."""
    if not _can_manage_tokens(actor, token.user):
        raise _deny(actor, "api_token.revoke", target=token)
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", target=token)
    return token


def _own_account(actor: Any, action: str) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise _deny(actor, action)


def totp_device_start(*, actor: Any) -> TOTPDevice:
    """Begin TOTP enrolment: a new, unconfirmed device with a fresh secret.

    Earlier unconfirmed devices are dropped, so only the QR code shown last can be confirmed.
    A confirmed device stays in force until the new one is confirmed.
    """
    _own_account(actor, "totp.enrol")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name="Phaen", confirmed=False)


def _check_code(device: TOTPDevice, code: str) -> bool:
    code = "".join((code or "").split())
    return code.isdigit() and bool(device.verify_token(code))


def _wrong_code() -> ValidationFailed:
    message = _("The code is not correct. Enter the 6-digit code your app shows now.")
    return ValidationFailed("totp_code_wrong", message, detail={"fields": {"code": message}})


def totp_device_confirm(*, actor: Any, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm enrolment with a code from the app; it then replaces any earlier device."""
    _own_account(actor, "totp.confirm")
    if device.user_id != actor.pk or device.confirmed:
        raise _deny(actor, "totp.confirm", target=device)
    # Checked outside the transaction, so a wrong code's throttling is not rolled back.
    if not _check_code(device, code):
        raise _wrong_code()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=actor, action="totp.enable", target=device)
    return device


def totp_device_disable(*, actor: Any, code: str) -> None:
    """Turn the second factor off; a current code proves the phone is still at hand."""
    _own_account(actor, "totp.disable")
    devices = list(TOTPDevice.objects.filter(user=actor, confirmed=True))
    if not devices:
        return
    if not any(_check_code(device, code) for device in devices):
        raise _wrong_code()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        audit_record(
            actor=actor,
            action="totp.disable",
            target_type="auth.user",
            target_id=str(actor.pk),
            target_repr=str(actor),
        )


def password_change(*, actor: Any, user: Any, new_password: str) -> None:
    """Set a user's own password after Django's validators (12 characters or more, not common)."""
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise _deny(actor, "password.change", target_type="auth.user", target_id=str(user.pk))
    _check_password(new_password, user, code="password_invalid", field="new_password1")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="password.change",
            target_type="auth.user",
            target_id=str(user.pk),
            target_repr=str(user),
        )


def admin_create(
    *, actor: Any, username: str, email: str, password: str, organisation: Organisation | None
) -> Any:
    """Create a superuser holding the system administrator role (`phaen createadmin`).

    Refuses a username that exists and a password that fails Django's validators, so there is
    never a default or weak first password. With an organisation, the user also gets a
    `system_admin` membership there, which is what Phaen's own role checks read.
    """
    user_model = get_user_model()
    username = user_model.normalize_username(username.strip())
    fields: dict[str, str] = {}
    if not username:
        fields["username"] = _("Give a username.")
    else:
        try:
            user_model.username_validator(username)
        except ValidationError as exc:
            fields["username"] = " ".join(exc.messages)
    if username and user_model.objects.filter(username__iexact=username).exists():
        fields["username"] = _("A user named %(name)s already exists.") % {"name": username}
    email = user_model.objects.normalize_email(email.strip())
    try:
        validate_email(email)
    except ValidationError:
        fields["email"] = _("Give a valid e-mail address.")
    if not fields:
        try:
            validate_password(password, user_model(username=username, email=email))
        except ValidationError as exc:
            fields["password"] = " ".join(exc.messages)
    if fields:
        raise ValidationFailed(
            "admin_invalid", " ".join(fields.values()), detail={"fields": fields}
        )
    with transaction.atomic():
        user = user_model.objects.create_superuser(
            username=username, email=email, password=password
        )
        if organisation is not None:
            Membership.objects.create(
                user=user, organisation=organisation, role=Role.SYSTEM_ADMIN, created_by=None
            )
        audit_record(
            actor=actor,
            action="user.create_admin",
            target=user,
            after={
                "username": username,
                "email": email,
                "is_superuser": True,
                "organisation": organisation.code if organisation is not None else None,
            },
        )
    return user


# --- Users and memberships -------------------------------------------------------------------


def _may_grant(actor: Any, organisation: Organisation, role: str) -> bool:
    """System administrators grant anything; organisation administrators grant roles in the
    organisations they administer, except the two whose reach is the whole system: system
    administration and auditing."""
    if actor is SYSTEM or is_system_admin(actor):
        return True
    if role in (Role.SYSTEM_ADMIN, Role.AUDITOR):
        return False
    return roles_of(actor).covers(Role.ORG_ADMIN, organisation.pk)


def membership_grant(
    *,
    actor: Any,
    user: Any,
    organisation: Organisation,
    role: str,
    includes_sub_organisations: bool = False,
) -> Membership:
    """Give `user` a role in `organisation` (an organisation administrator's work)."""
    if role not in Role.values:
        raise ValidationFailed(
            "membership_role_invalid",
            _("Choose a role."),
            detail={"fields": {"role": _("Choose a role.")}},
        )
    if not _may_grant(actor, organisation, role):
        raise _deny(actor, "membership.grant", organisation)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user,
            organisation=organisation,
            role=role,
            defaults={
                "includes_sub_organisations": includes_sub_organisations,
                "created_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        if not created and (
            not membership.is_active
            or membership.includes_sub_organisations != includes_sub_organisations
        ):
            membership.is_active = True
            membership.includes_sub_organisations = includes_sub_organisations
            membership.save(update_fields=["is_active", "includes_sub_organisations"])
        audit_record(
            actor=actor,
            action="membership.grant",
            target=membership,
            after={
                "user": user.get_username(),
                "organisation": organisation.code,
                "role": role,
                "includes_sub_organisations": includes_sub_organisations,
            },
        )
    forget_roles(user)
    return membership


def membership_revoke(*, actor: Any, membership: Membership) -> None:
    """Take a role away (the membership stays, inactive, for the record)."""
    if not _may_grant(actor, membership.organisation, membership.role):
        raise _deny(actor, "membership.revoke", membership)
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit_record(actor=actor, action="membership.revoke", target=membership)
    forget_roles(membership.user)


def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str,
    password: str,
    organisation: Organisation,
    role: str,
) -> Any:
    """Create a user who works for `organisation` in `role`, with a password that passes the
    rules. Organisation administrators create their own organisation's users."""
    if not _may_grant(actor, organisation, role):
        raise _deny(actor, "user.create", organisation)
    user_model = get_user_model()
    username = user_model.normalize_username(username.strip())
    if not username or user_model.objects.filter(username__iexact=username).exists():
        message = (
            _("A user named %(name)s already exists.") % {"name": username}
            if username
            else _("Give a username.")
        )
        raise ValidationFailed("user_invalid", message, detail={"fields": {"username": message}})
    _check_password(
        password, user_model(username=username, email=email), code="user_invalid", field="password"
    )
    with transaction.atomic():
        user = user_model.objects.create_user(
            username=username, email=email, password=password, first_name=full_name[:150]
        )
        audit_record(
            actor=actor,
            action="user.create",
            target=user,
            after={"username": username, "organisation": organisation.code, "role": role},
        )
        membership_grant(actor=actor, user=user, organisation=organisation, role=role)
    return user


def member_add(
    *,
    actor: Any,
    organisation: Organisation,
    username: str,
    role: str,
    full_name: str = "",
    email: str = "",
    password: str = "",
) -> Membership:
    """Give a person a role in `organisation`, creating their account when it is new.

    An existing account (matched by username, whatever its case) just gains the role; a new one
    needs a password that passes the rules, which the administrator hands over in person.
    """
    user = get_user_model().objects.filter(username__iexact=username.strip()).first()
    if user is None:
        if not password:
            message = _("A new account needs a first password.")
            raise ValidationFailed(
                "member_password_required", message, detail={"fields": {"password": message}}
            )
        user_create(
            actor=actor,
            username=username,
            full_name=full_name,
            email=email,
            password=password,
            organisation=organisation,
            role=role,
        )
        return Membership.objects.get(
            user__username__iexact=username.strip(), organisation=organisation, role=role
        )
    return membership_grant(actor=actor, user=user, organisation=organisation, role=role)


def demo_users_load(path: Path, *, password: str | None = None) -> list[tuple[str, str]]:
    """Create the demonstration accounts listed in `path` that do not exist yet.

    Returns (username, password) for each account created, so the caller can print them once;
    a random password unless `password` is given. Existing accounts are left untouched.
    """
    data = read_yaml(path) or {}
    created: list[tuple[str, str]] = []
    user_model = get_user_model()
    with transaction.atomic():
        for index, entry in enumerate(data.get("users") or [], start=1):
            where = f"{path.name}, user {index}"
            username = str(require(entry, "username", where))
            if user_model.objects.filter(username__iexact=username).exists():
                continue
            organisation = Organisation.objects.filter(
                code=require(entry, "organisation", where)
            ).first()
            if organisation is None:
                raise ValidationFailed(
                    "demo_users_invalid", f"{where}: unknown organisation {entry['organisation']}."
                )
            secret = password or secrets.token_urlsafe(12)
            user_create(
                actor=SYSTEM,
                username=username,
                full_name=str(entry.get("name") or ""),
                email=f"{username}@example.invalid",
                password=secret,
                organisation=organisation,
                role=str(require(entry, "role", where)),
            )
            created.append((username, secret))
    return created
