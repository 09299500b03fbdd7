"""Forms of the organisations pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from phaen.orgs.models import OrganisationKind


class OrganisationFilterForm(forms.Form):
    """The search box and kind filter above the organisation list."""

    q = forms.CharField(
        label=_("Search by name, abbreviation or alias"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "class": "input", "placeholder": _("e.g. ดีป้า, MDES, สดช.")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *OrganisationKind.choices],
        widget=forms.Select(attrs={"class": "input"}),
    )
