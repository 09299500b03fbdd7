"""Forms of the comment-groups page: they only read the request; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from phaen.consultation.grouping_services import NAME_MAX

NO_GROUP = "none"
"""The "move to" choice that takes comments out of every group."""


class IdsField(forms.Field):
    """A list of record numbers, from checkboxes sharing one name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        if isinstance(value, str | int):
            value = [value]
        try:
            return sorted({int(item) for item in value})
        except (TypeError, ValueError):
            raise ValidationError(_("Choose from the list."), code="invalid") from None


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)


class MergeForm(forms.Form):
    groups = IdsField(label=_("Groups to merge"))
    target = forms.TypedChoiceField(label=_("Keep"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, group_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [  # type: ignore[attr-defined]
            ("", _("The answered group, else the largest")),
            *group_choices,
        ]


class CommentsForm(forms.Form):
    """Chosen comments and what to do with them: `split` or `create` a group (named `name`,
    or by their top terms), or `move` them to the group `to` ("none": out of any group)."""

    OPS = ("split", "create", "move")

    comments = IdsField(label=_("Comments"))
    op = forms.ChoiceField(choices=[(op, op) for op in OPS])
    name = forms.CharField(label=_("New group's name"), max_length=NAME_MAX, required=False)
    to = forms.ChoiceField(label=_("Move to"), required=False)

    def __init__(self, *args: Any, group_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a group")),
            (NO_GROUP, _("No group")),
            *[(str(pk), label) for pk, label in group_choices],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("op") == "move" and not data.get("to"):
            self.add_error("to", _("Choose where to move the comments."))
        return data

    def destination(self) -> int | None:
        """The group chosen in `to`, or None for "no group"."""
        to = self.cleaned_data.get("to")
        return None if to in ("", NO_GROUP, None) else int(to)
