"""Services of the organisations app: every change to an organisation or its aliases.

Each service checks the actor's permission, validates, writes in one transaction and keeps the
organisation's `search_document` (names, abbreviations and aliases, segmented for Thai search)
in step with what it wrote. Aliases are stored with their normalised form (`thai_text.normalize`),
which is unique across all organisations: "ดีป้า" can name one organisation only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from phaen.core import thai_text
from phaen.core.errors import ApplicationError, NotFound, ValidationFailed
from phaen.core.reference import ReferenceError, read_yaml, require
from phaen.geography.models import Province
from phaen.orgs.errors import OrganisationError
from phaen.orgs.models import Organisation, OrganisationAlias, OrganisationKind
from phaen.orgs.permissions import Actor, ensure_can_manage_organisations

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
ORGANISATIONS_FILE = REFERENCE_DIR / "organisations.yaml"

CODE_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
"""Organisation codes: lower-case ASCII words joined by hyphens or underscores (`mdes-ops`)."""

_CODE = re.compile(CODE_PATTERN)
_SPACE = re.compile(r"\s+")
# Text fields with their maximum length and whether they may be empty (see models.py).
_TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "name_th": (300, True),
    "name_en": (300, False),
    "abbreviation_th": (50, False),
    "abbreviation_en": (50, False),
    "source": (500, False),
}
_ALIAS_MAX_LENGTH = 300
_WEBSITE_MAX_LENGTH = 200


class OrganisationChanges(TypedDict, total=False):
    """The fields `organisation_update` may change; a key left out is left unchanged.

    `parent_code` and `province_code` set to None clear the parent or the province; `aliases`
    replaces the whole list of aliases.
    """

    name_th: str
    name_en: str
    abbreviation_th: str
    abbreviation_en: str
    kind: str
    parent_code: str | None
    province_code: str | None
    website: str
    source: str
    is_active: bool
    aliases: Sequence[str]


_SCALAR_CHANGES = (*_TEXT_FIELDS, "kind", "website", "is_active")


def organisation_create(
    *,
    actor: Actor | None,
    code: str,
    name_th: str,
    kind: str,
    name_en: str = "",
    abbreviation_th: str = "",
    abbreviation_en: str = "",
    parent_code: str | None = None,
    province_code: str | None = None,
    website: str = "",
    source: str = "",
    is_active: bool = True,
    aliases: Sequence[str] = (),
) -> Organisation:
    """Create an organisation with its aliases.

    Raises `PermissionDenied` unless the actor may add organisations, and `ValidationFailed`
    (nothing written) for a malformed or taken code, an unknown parent or province, or an alias
    that already names another organisation.
    """
    ensure_can_manage_organisations(actor, "add")
    fields = clean_fields(
        {
            "code": code,
            "name_th": name_th,
            "name_en": name_en,
            "abbreviation_th": abbreviation_th,
            "abbreviation_en": abbreviation_en,
            "kind": kind,
            "website": website,
            "source": source,
            "is_active": is_active,
        }
    )
    alias_map = clean_aliases(aliases)
    with _conflicts_as_409(), transaction.atomic():
        if Organisation.objects.filter(code=fields["code"]).exists():
            message = _("The code %(code)s is already used by another organisation.") % {
                "code": fields["code"]
            }
            raise ValidationFailed(
                OrganisationError.CODE_TAKEN, message, detail={"fields": {"code": message}}
            )
        parent = _resolve_parent(parent_code, organisation=None)
        province = _resolve_province(province_code)
        _ensure_aliases_free(alias_map, organisation=None)
        organisation = Organisation(**fields, parent=parent, province=province)
        organisation.search_document = _search_document_for(organisation, alias_map.values())
        organisation.save()
        OrganisationAlias.objects.bulk_create(
            OrganisationAlias(organisation=organisation, alias=text, normalized=key)
            for key, text in alias_map.items()
        )
    return organisation


def organisation_update(
    *, actor: Actor | None, organisation: Organisation, changes: OrganisationChanges
) -> Organisation:
    """Change the fields named in `changes`; validate everything before writing anything.

    Raises `PermissionDenied` unless the actor may change organisations, `ValidationFailed` for
    invalid values, an unknown parent or province, a parent that would make a cycle, or an alias
    that already names another organisation.
    """
    ensure_can_manage_organisations(actor, "change")
    fields = clean_fields({key: value for key, value in changes.items() if key in _SCALAR_CHANGES})
    alias_map = clean_aliases(changes["aliases"]) if "aliases" in changes else None
    with _conflicts_as_409(), transaction.atomic():
        updates: dict[str, Any] = {
            name: value for name, value in fields.items() if getattr(organisation, name) != value
        }
        if "parent_code" in changes:
            parent = _resolve_parent(changes["parent_code"], organisation=organisation)
            if organisation.parent_id != (parent.pk if parent else None):
                updates["parent"] = parent
        if "province_code" in changes:
            province = _resolve_province(changes["province_code"])
            if organisation.province_id != (province.pk if province else None):
                updates["province"] = province
        if alias_map is not None:
            _ensure_aliases_free(alias_map, organisation=organisation)
            _replace_aliases(organisation, alias_map)
        for name, value in updates.items():
            setattr(organisation, name, value)
        document = _search_document_for(organisation, _alias_texts(organisation))
        if document != organisation.search_document:
            organisation.search_document = document
            updates["search_document"] = document
        if updates:
            organisation.save(update_fields=[*updates, "updated_at"])
    return organisation


def organisation_delete(*, actor: Actor | None, organisation: Organisation) -> None:
    """Delete an organisation and its aliases.

    Refused (409, nothing deleted) while it has sub-organisations or plans and other records
    still refer to it; such an organisation can be marked inactive instead.
    """
    ensure_can_manage_organisations(actor, "delete")
    children = list(organisation.children.values_list("code", flat=True)[:20])
    if children:
        raise ApplicationError(
            OrganisationError.IN_USE,
            _("%(name)s still has sub-organisations; move or delete them first.")
            % {"name": organisation.name_th},
            detail={"children": children},
            http_status=409,
        )
    referrers = _referrers(organisation)
    if referrers:
        raise _in_use(organisation, referrers)
    try:
        with transaction.atomic():
            organisation.delete()
    except ProtectedError as exc:  # a reference made between the check and the delete
        raise _in_use(organisation, {}) from exc


def _referrers(organisation: Organisation) -> dict[str, str]:
    """Return the relations (`app.model.field` → their name) that still point at `organisation`.

    Found through the model's reverse relations, so apps above this one (plans, projects) are
    covered without being imported. Many-to-many links count too: deleting would silently drop
    the organisation from, say, a plan's partners.
    """
    found: dict[str, str] = {}
    for relation in Organisation._meta.related_objects:
        if relation.related_model is OrganisationAlias or (
            relation.related_model is Organisation and relation.field.name == "parent"
        ):
            continue
        accessor = relation.get_accessor_name()
        if accessor is None or relation.one_to_one:
            continue
        if getattr(organisation, accessor).exists():
            model = relation.related_model._meta
            found[f"{model.label_lower}.{relation.field.name}"] = str(model.verbose_name_plural)
    return found


def _in_use(organisation: Organisation, referrers: Mapping[str, str]) -> ApplicationError:
    return ApplicationError(
        OrganisationError.IN_USE,
        _(
            "%(name)s is still referred to by other records (%(records)s), so it cannot be "
            "deleted. Mark it inactive instead."
        )
        % {
            "name": organisation.name_th,
            "records": ", ".join(sorted(set(referrers.values()))) or "?",
        },
        detail={"referred_by": sorted(referrers)},
        http_status=409,
    )


def organisation_alias_add(
    *, actor: Actor | None, organisation: Organisation, alias: str
) -> OrganisationAlias:
    """Give an organisation another name; adding an alias it already has changes nothing.

    Raises `ValidationFailed` (nothing written) when the alias is empty or names another
    organisation; the message names that organisation.
    """
    ensure_can_manage_organisations(actor, "change")
    alias_map = clean_aliases([alias], field="alias")
    if not alias_map:
        message = _("An alias cannot be empty.")
        raise ValidationFailed(
            OrganisationError.INVALID, message, detail={"fields": {"alias": message}}
        )
    key, text = next(iter(alias_map.items()))
    with _conflicts_as_409(), transaction.atomic():
        existing = OrganisationAlias.objects.filter(normalized=key).first()
        if existing is not None and existing.organisation_id == organisation.pk:
            return existing
        _ensure_aliases_free(alias_map, organisation=organisation, field="alias")
        created = OrganisationAlias.objects.create(
            organisation=organisation, alias=text, normalized=key
        )
        organisation_reindex(organisation)
    return created


def organisation_alias_remove(
    *, actor: Actor | None, organisation: Organisation, alias: str
) -> None:
    """Remove one of an organisation's aliases, matched in its normalised form.

    Raises `NotFound` when the organisation has no such alias.
    """
    ensure_can_manage_organisations(actor, "change")
    key = thai_text.normalize(alias)
    with transaction.atomic():
        deleted, _count = OrganisationAlias.objects.filter(
            organisation=organisation, normalized=key
        ).delete()
        if not deleted:
            raise NotFound(
                OrganisationError.ALIAS_NOT_FOUND,
                _("%(name)s has no alias “%(alias)s”.")
                % {"name": organisation.name_th, "alias": alias},
                detail={"alias": alias},
            )
        organisation_reindex(organisation)


# Reference data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationEntry:
    """An organisation as the reference file describes it."""

    code: str
    fields: Mapping[str, Any]
    parent: str | None
    province: str | None
    aliases: Mapping[str, str]


def organisation_load_reference() -> dict[str, int]:
    """Create or update the organisations of `reference/organisations.yaml`, matched by code.

    Runs after the geography loader and inside the caller's transaction. Parents are linked once
    every organisation of the file exists, so the file's order does not matter. Aliases from the
    file are added; aliases users added are kept. Re-running changes nothing.
    """
    entries = read_organisations(ORGANISATIONS_FILE)
    path_name = ORGANISATIONS_FILE.name
    province_ids = dict(Province.objects.values_list("code", "pk"))
    for entry in entries:
        if entry.province and entry.province not in province_ids:
            raise ReferenceError(
                "reference_inconsistent",
                f"{path_name}, organisation '{entry.code}': unknown province '{entry.province}' "
                "(load the geography first; codes are two digits, 10 = Bangkok).",
            )
    file_codes = {entry.code for entry in entries}
    outside_parents = {e.parent for e in entries if e.parent and e.parent not in file_codes}
    parent_ids = dict(
        Organisation.objects.filter(code__in=outside_parents).values_list("code", "pk")
    )
    for entry in entries:
        if entry.parent and entry.parent not in file_codes and entry.parent not in parent_ids:
            raise ReferenceError(
                "reference_inconsistent",
                f"{path_name}, organisation '{entry.code}': unknown parent '{entry.parent}'.",
            )

    organisations = {o.code: o for o in Organisation.objects.filter(code__in=file_codes)}
    for entry in entries:
        values = {**entry.fields, "province_id": province_ids.get(entry.province or "")}
        organisation = organisations.get(entry.code)
        if organisation is None:
            organisation = Organisation(code=entry.code, **values)
            organisation.save()
            organisations[entry.code] = organisation
            continue
        changed = [name for name, value in values.items() if getattr(organisation, name) != value]
        if changed:
            for name in changed:
                setattr(organisation, name, values[name])
            organisation.save(update_fields=[*changed, "updated_at"])

    parent_ids.update({code: o.pk for code, o in organisations.items()})
    for entry in entries:
        organisation = organisations[entry.code]
        wanted = parent_ids[entry.parent] if entry.parent else None
        if organisation.parent_id != wanted:
            organisation.parent_id = wanted
            organisation.save(update_fields=["parent", "updated_at"])

    wanted_aliases = {
        key: (organisations[entry.code], text)
        for entry in entries
        for key, text in entry.aliases.items()
    }
    holders = {
        alias.normalized: alias
        for alias in OrganisationAlias.objects.filter(normalized__in=wanted_aliases).select_related(
            "organisation"
        )
    }
    new_aliases: list[OrganisationAlias] = []
    for key, (organisation, text) in wanted_aliases.items():
        holder = holders.get(key)
        if holder is None:
            new_aliases.append(
                OrganisationAlias(organisation=organisation, alias=text, normalized=key)
            )
        elif holder.organisation_id != organisation.pk:
            raise ReferenceError(
                "reference_inconsistent",
                f"{path_name}, organisation '{organisation.code}': the alias '{text}' already "
                f"belongs to '{holder.organisation.code}'.",
            )
    OrganisationAlias.objects.bulk_create(new_aliases)

    alias_texts: dict[int, list[str]] = defaultdict(list)
    for organisation_id, text in OrganisationAlias.objects.filter(
        organisation__code__in=file_codes
    ).values_list("organisation_id", "alias"):
        alias_texts[organisation_id].append(text)
    for organisation in organisations.values():
        document = _search_document_for(organisation, sorted(alias_texts[organisation.pk]))
        if document != organisation.search_document:
            organisation.search_document = document
            organisation.save(update_fields=["search_document"])
    return {
        "organisations": Organisation.objects.count(),
        "aliases": OrganisationAlias.objects.count(),
    }


def read_organisations(path: Path) -> list[OrganisationEntry]:
    """Read and check the organisations file: valid fields, unique codes and aliases, no cycles."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("organisations"), list):
        raise ReferenceError(
            "reference_malformed",
            f"{path.name}: expected a mapping with a list under 'organisations'.",
            detail={"file": str(path)},
        )
    entries: dict[str, OrganisationEntry] = {}
    alias_owner: dict[str, str] = {}
    for position, raw in enumerate(data["organisations"], start=1):
        code = str(require(raw, "code", f"{path.name}, organisation {position}"))
        where = f"{path.name}, organisation '{code}'"
        if code in entries:
            raise ReferenceError("reference_duplicate", f"{where}: the code is used twice.")
        require(raw, "source", where)
        try:
            fields = clean_fields(
                {
                    "code": code,
                    "name_th": raw.get("name_th"),
                    "name_en": raw.get("name_en"),
                    "abbreviation_th": raw.get("abbreviation_th"),
                    "abbreviation_en": raw.get("abbreviation_en"),
                    "kind": raw.get("kind"),
                    "website": raw.get("website"),
                    "source": raw.get("source"),
                }
            )
            aliases_raw = raw.get("aliases") or []
            if not isinstance(aliases_raw, list):
                raise ReferenceError("reference_malformed", f"{where}: 'aliases' must be a list.")
            aliases = clean_aliases([str(alias) for alias in aliases_raw])
        except ValidationFailed as exc:
            problems = "; ".join(f"{k}: {v}" for k, v in exc.detail.get("fields", {}).items())
            raise ReferenceError(
                "reference_invalid", f"{where}: {problems or exc.message}"
            ) from exc
        for key, text in aliases.items():
            if key in alias_owner:
                raise ReferenceError(
                    "reference_duplicate",
                    f"{where}: the alias '{text}' is also given to '{alias_owner[key]}'.",
                )
            alias_owner[key] = code
        del fields["code"]
        parent = raw.get("parent")
        province = raw.get("province")
        entries[code] = OrganisationEntry(
            code=code,
            fields=fields,
            parent=str(parent) if parent else None,
            province=str(province) if province else None,
            aliases=aliases,
        )
    for code in entries:
        seen = [code]
        parent = entries[code].parent
        while parent is not None and parent in entries:
            if parent in seen:
                chain = " → ".join([*seen, parent])
                raise ReferenceError(
                    "reference_inconsistent", f"{path.name}: the parents form a cycle: {chain}."
                )
            seen.append(parent)
            parent = entries[parent].parent
    return list(entries.values())


# Validation and indexing helpers --------------------------------------------------------------


def clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the given scalar fields tidied (white space collapsed); reject any invalid one.

    Raises `ValidationFailed` whose `detail["fields"]` names every invalid field.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "code":
            code = str(value or "").strip()
            if not _CODE.match(code) or len(code) > 64:
                errors[name] = _(
                    "Use 1 to 64 lower-case letters, digits, hyphens or underscores, "
                    "such as mdes-ops."
                )
            cleaned[name] = code
        elif name in _TEXT_FIELDS:
            max_length, required = _TEXT_FIELDS[name]
            text = _SPACE.sub(" ", str(value or "")).strip()
            if required and not text:
                errors[name] = _("This field is required.")
            elif len(text) > max_length:
                errors[name] = _("Use at most %(limit)d characters.") % {"limit": max_length}
            cleaned[name] = text
        elif name == "kind":
            kind = str(value or "")
            if kind not in OrganisationKind.values:
                errors[name] = _("Choose one of: %(kinds)s.") % {
                    "kinds": ", ".join(OrganisationKind.values)
                }
            cleaned[name] = kind
        elif name == "website":
            website = str(value or "").strip()
            if website:
                try:
                    URLValidator(schemes=["http", "https"])(website)
                except DjangoValidationError:
                    errors[name] = _("Enter a web address starting with https:// or http://.")
                if len(website) > _WEBSITE_MAX_LENGTH:
                    errors[name] = _("Use at most %(limit)d characters.") % {
                        "limit": _WEBSITE_MAX_LENGTH
                    }
            cleaned[name] = website
        elif name == "is_active":
            cleaned[name] = bool(value)
        else:
            raise TypeError(f"clean_fields() does not know the field {name!r}")
    if errors:
        raise ValidationFailed(
            OrganisationError.INVALID,
            _("The organisation is not valid."),
            detail={"fields": errors},
        )
    return cleaned


def clean_aliases(aliases: Iterable[str], *, field: str = "aliases") -> dict[str, str]:
    """Return the aliases keyed by their normalised form, empty ones dropped, duplicates merged."""
    result: dict[str, str] = {}
    for raw in aliases:
        text = _SPACE.sub(" ", str(raw)).strip()
        if not text:
            continue
        if len(text) > _ALIAS_MAX_LENGTH:
            message = _("An alias has at most %(limit)d characters.") % {"limit": _ALIAS_MAX_LENGTH}
            raise ValidationFailed(
                OrganisationError.INVALID, message, detail={"fields": {field: message}}
            )
        result.setdefault(thai_text.normalize(text), text)
    return result


def _resolve_parent(code: str | None, *, organisation: Organisation | None) -> Organisation | None:
    if not code:
        return None
    parent = Organisation.objects.filter(code=code).first()
    if parent is None:
        message = _("There is no organisation with the code %(code)s.") % {"code": code}
        raise ValidationFailed(
            OrganisationError.PARENT_NOT_FOUND, message, detail={"fields": {"parent": message}}
        )
    if organisation is not None:
        check_parent(organisation, parent)
    return parent


def check_parent(organisation: Organisation, parent: Organisation | None) -> None:
    """Raise `ValidationFailed` if `parent` is `organisation` itself or one of its descendants."""
    if parent is None or organisation.pk is None:
        return
    # Walk up from the new parent: meeting the organisation itself would close a cycle.
    seen: set[int] = set()
    node_id: int | None = parent.pk
    while node_id is not None and node_id not in seen:
        if node_id == organisation.pk:
            message = _(
                "%(parent)s is %(name)s itself or one of its sub-organisations, "
                "so it cannot be its parent."
            ) % {"parent": parent.name_th, "name": organisation.name_th}
            raise ValidationFailed(
                OrganisationError.PARENT_CYCLE, message, detail={"fields": {"parent": message}}
            )
        seen.add(node_id)
        node_id = (
            Organisation.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()
        )


def _resolve_province(code: str | None) -> Province | None:
    if not code:
        return None
    province = Province.objects.filter(code=code).first()
    if province is None:
        message = _("There is no province with the code %(code)s.") % {"code": code}
        raise ValidationFailed(
            OrganisationError.PROVINCE_NOT_FOUND,
            message,
            detail={"fields": {"province": message}},
        )
    return province


def _ensure_aliases_free(
    alias_map: Mapping[str, str], *, organisation: Organisation | None, field: str = "aliases"
) -> None:
    """Raise `ValidationFailed` naming the other organisation if an alias already names it."""
    if not alias_map:
        return
    clashes = OrganisationAlias.objects.filter(normalized__in=list(alias_map)).select_related(
        "organisation"
    )
    if organisation is not None and organisation.pk is not None:
        clashes = clashes.exclude(organisation=organisation)
    clash = clashes.order_by("normalized").first()
    if clash is None:
        return
    other = clash.organisation
    message = _("The alias “%(alias)s” already names %(organisation)s (%(code)s).") % {
        "alias": alias_map[clash.normalized],
        "organisation": other.name_th,
        "code": other.code,
    }
    raise ValidationFailed(
        OrganisationError.ALIAS_TAKEN,
        message,
        detail={"fields": {field: message}, "alias": clash.alias, "organisation": other.code},
    )


def _replace_aliases(organisation: Organisation, alias_map: Mapping[str, str]) -> None:
    current = {alias.normalized: alias for alias in organisation.aliases.all()}
    stale = [alias.pk for key, alias in current.items() if key not in alias_map]
    if stale:
        OrganisationAlias.objects.filter(pk__in=stale).delete()
    for key, text in alias_map.items():
        alias = current.get(key)
        if alias is None:
            OrganisationAlias.objects.create(organisation=organisation, alias=text, normalized=key)
        elif alias.alias != text:
            alias.alias = text
            alias.save(update_fields=["alias"])


def _alias_texts(organisation: Organisation) -> list[str]:
    return sorted(organisation.aliases.values_list("alias", flat=True))


def _search_document_for(organisation: Organisation, aliases: Iterable[str]) -> str:
    return thai_text.search_document(
        organisation.name_th,
        organisation.name_en,
        organisation.abbreviation_th,
        organisation.abbreviation_en,
        *sorted(aliases),
    )


def organisation_reindex(organisation: Organisation) -> None:
    """Recompute the organisation's search document from its names and aliases, if it changed.

    The services do this themselves; the admin, which saves through Django's forms, calls it.
    """
    document = _search_document_for(organisation, _alias_texts(organisation))
    if document != organisation.search_document:
        organisation.search_document = document
        organisation.save(update_fields=["search_document", "updated_at"])


@contextmanager
def _conflicts_as_409() -> Iterator[None]:
    """Turn a unique-constraint race (two requests at once) into a retryable 409."""
    try:
        yield
    except IntegrityError as exc:
        raise ApplicationError(
            "conflict",
            _("Someone changed the same organisation at the same time. Please try again."),
            http_status=409,
        ) from exc
