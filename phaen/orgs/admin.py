"""Admin for organisations and their aliases.

The admin saves through Django's model forms, so its forms apply the services' rules (valid code
and kind, no parent cycle, aliases unique across organisations once normalised) and the search
document is recomputed after every save.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from phaen.core import thai_text
from phaen.core.errors import ValidationFailed
from phaen.orgs import services
from phaen.orgs.models import Organisation, OrganisationAlias


class OrganisationAliasForm(forms.ModelForm):
    class Meta:
        model = OrganisationAlias
        fields = ["alias"]

    def clean_alias(self) -> str:
        try:
            aliases = services.clean_aliases([self.cleaned_data["alias"]], field="alias")
        except ValidationFailed as exc:
            raise forms.ValidationError(str(exc.message)) from exc
        if not aliases:
            raise forms.ValidationError(_("An alias cannot be empty."))
        key, text = next(iter(aliases.items()))
        clash = (
            OrganisationAlias.objects.filter(normalized=key)
            .exclude(organisation_id=self.instance.organisation_id or -1)
            .select_related("organisation")
            .first()
        )
        if clash is not None:
            raise forms.ValidationError(
                _("The alias “%(alias)s” already names %(organisation)s (%(code)s).")
                % {
                    "alias": text,
                    "organisation": clash.organisation.name_th,
                    "code": clash.organisation.code,
                }
            )
        self.instance.normalized = key
        return text


class OrganisationAliasFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = thai_text.normalize(form.cleaned_data.get("alias") or "")
            if key in seen:
                raise forms.ValidationError(_("The same alias is listed twice."))
            seen.add(key)


class OrganisationAliasInline(admin.TabularInline):
    model = OrganisationAlias
    form = OrganisationAliasForm
    formset = OrganisationAliasFormSet
    fields = ["alias"]
    extra = 1


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "code",
            "name_th",
            "name_en",
            "abbreviation_th",
            "abbreviation_en",
            "kind",
            "parent",
            "province",
            "website",
            "source",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rules: dict[str, Any] = {
            name: cleaned[name]
            for name in ("code", "name_th", "kind", "website")
            if name in cleaned and name not in self.errors
        }
        try:
            services.clean_fields(rules)
            services.check_parent(self.instance, cleaned.get("parent"))
        except ValidationFailed as exc:
            fields = exc.detail.get("fields", {})
            for name, message in fields.items():
                self.add_error(name if name in self.fields else None, message)
            if not fields:
                raise forms.ValidationError(str(exc.message)) from exc
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    inlines = [OrganisationAliasInline]
    list_display = ["name_th", "abbreviation_th", "abbreviation_en", "code", "kind", "parent"]
    list_filter = ["kind", "is_active", "province__region"]
    list_select_related = ["parent"]
    search_fields = [
        "code",
        "name_th",
        "name_en",
        "abbreviation_th",
        "abbreviation_en",
        "aliases__alias",
    ]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["province"]
    readonly_fields = ["created_at", "updated_at"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.organisation_reindex(form.instance)


@admin.register(OrganisationAlias)
class OrganisationAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "organisation", "normalized"]
    list_select_related = ["organisation"]
    search_fields = ["alias", "normalized", "organisation__name_th", "organisation__code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # aliases are added on their organisation's page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
