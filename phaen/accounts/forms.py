"""Forms of the account page: a TOTP code, a new API token."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phaen.accounts.models import Role


class TotpCodeForm(forms.Form):
    """A 6-digit code from the user's authenticator app."""

    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6 digits your app shows for Phaen now."),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class TokenCreateForm(forms.Form):
    """A name for a new API token and, if it should, the last day it works."""

    name = forms.CharField(
        label=_("Token name"),
        help_text=_("What uses the token, e.g. “provincial dashboard”."),
        max_length=100,
    )
    expires_on = forms.DateField(
        label=_("Works until"),
        help_text=_("Optional. The token stops working at the end of this day."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def expires_at(self) -> datetime | None:
        """Return the end of the chosen day in the current time zone, or None."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return day


class MemberAddForm(forms.Form):
    """A person to give a role in an organisation; a new person also needs a first password."""

    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("First password (new accounts only)"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Hand it over in person; the person can change it on their account page."),
    )
