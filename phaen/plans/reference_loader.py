"""Load the plan hierarchy from `phaen/plans/reference/` through the plan services.

Files: `sources.yaml`, `plans/*.yaml` (one plan each, with its outline) and `links.yaml`.
Years in the files are Buddhist Era. The loader upserts by code, so re-running it changes
nothing that is already right; it never deletes what users added. Every row goes through the
same services and rules as a planner's edit, so a reference file cannot hold a link that the
rules refuse. Any problem stops the whole load with the file and entry named.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from phaen.core import thai_calendar
from phaen.core.errors import ApplicationError
from phaen.core.reference import ReferenceError, read_yaml, require
from phaen.orgs.models import Organisation
from phaen.plans import selectors, services
from phaen.plans.models import AlignmentLink, Plan, PlanElement, Source, VersionKind
from phaen.plans.permissions import SYSTEM

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

_PLAN_SCALARS = (
    "name_th",
    "name_en",
    "short_name_th",
    "description_th",
    "description_en",
    "kind",
    "area_type",
    "status",
    "phase",
    "content_status",
    "content_note",
)


def _where(path: Path, entry: str) -> str:
    return (
        f"{path.parent.name}/{path.name}, {entry}"
        if path.parent.name == "plans"
        else (f"{path.name}, {entry}")
    )


def _reraise(exc: ApplicationError, where: str) -> ReferenceError:
    return ReferenceError(
        "reference_invalid", f"{where}: {exc.message}", detail={"cause": exc.as_dict()}
    )


def _load_sources(directory: Path) -> dict[str, Source]:
    path = directory / "sources.yaml"
    entries = read_yaml(path) or []
    if not isinstance(entries, list):
        raise ReferenceError("reference_malformed", f"{path.name}: expected a list of sources.")
    sources: dict[str, Source] = {}
    for index, entry in enumerate(entries, start=1):
        where = _where(path, f"source {index}")
        key = str(require(entry, "key", where))
        published = entry.get("published")
        if published is not None and not isinstance(published, dt.date):
            try:
                published = dt.date.fromisoformat(str(published))
            except ValueError as exc:
                raise ReferenceError(
                    "reference_malformed", f"{where}: 'published' must be a date (YYYY-MM-DD)."
                ) from exc
        source, _ = Source.objects.update_or_create(
            key=key,
            defaults={
                "title": str(require(entry, "title", where)),
                "url": entry.get("url") or "",
                "publisher": entry.get("publisher") or "",
                "published": published,
                "note": entry.get("note") or "",
            },
        )
        sources[key] = source
    return sources


def _source(sources: dict[str, Source], key: Any, where: str) -> Source | None:
    if key in (None, ""):
        return None
    if key not in sources:
        raise ReferenceError("reference_invalid", f"{where}: unknown source '{key}'.")
    return sources[key]


def _year(entry: dict[str, Any], name: str, where: str) -> int:
    value = require(entry, name, where)
    if not isinstance(value, int):
        raise ReferenceError("reference_malformed", f"{where}: '{name}' must be a BE year.")
    return thai_calendar.be_to_ce(value)


def _plan_fields(entry: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    fields: dict[str, Any] = {
        name: entry[name] for name in _PLAN_SCALARS if entry.get(name) is not None
    }
    fields["level"] = require(entry, "level", where)
    fields["start_year"] = _year(entry, "start_year_be", where)
    fields["end_year"] = _year(entry, "end_year_be", where)
    related = selectors.resolve_codes(
        owner=str(require(entry, "owner", where)),
        region=entry.get("region") or "",
        special_zone=entry.get("special_zone") or "",
        local_organisation=entry.get("local_organisation") or "",
        provinces=[str(c) for c in entry.get("provinces") or []],
        partners=[str(c) for c in entry.get("partners") or []],
    )
    return fields, related


def _load_plan(path: Path, sources: dict[str, Source]) -> tuple[Plan, dict[str, Any]]:
    entry = read_yaml(path)
    code = str(require(entry, "code", _where(path, "plan")))
    where = _where(path, f"plan {code}")
    try:
        fields, related = _plan_fields(entry, where)
        plan_sources = [
            s for s in (_source(sources, k, where) for k in entry.get("sources") or []) if s
        ]
        provinces = related.pop("provinces", [])
        partners = related.pop("partners", [])
        fields.update(related)
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            plan = services.plan_create(
                actor=SYSTEM,
                code=code,
                provinces=provinces,
                partners=partners,
                sources=plan_sources,
                **fields,
            )
        else:
            changes = {k: v for k, v in fields.items() if getattr(plan, k) != v}
            m2m: dict[str, Any] = {}
            for name, wanted in (
                ("provinces", provinces),
                ("partners", partners),
                ("sources", plan_sources),
            ):
                if {o.pk for o in getattr(plan, name).all()} != {o.pk for o in wanted}:
                    m2m[name] = wanted
            if changes or m2m:
                plan = services.plan_update(actor=SYSTEM, plan=plan, **changes, **m2m)
    except ApplicationError as exc:
        raise _reraise(exc, where) from exc
    return plan, entry


def _load_elements(
    plan: Plan,
    items: Any,
    parent: PlanElement | None,
    sources: dict[str, Source],
    path: Path,
    counter: list[int],
) -> None:
    if items in (None, []):
        return
    if not isinstance(items, list):
        raise ReferenceError(
            "reference_malformed", f"{_where(path, plan.code)}: 'elements' must be a list."
        )
    for position, item in enumerate(items, start=1):
        code = str(require(item, "code", _where(path, f"element {position} of {plan.code}")))
        where = _where(path, f"element {code}")
        values: dict[str, Any] = {
            "kind": require(item, "kind", where),
            "label_th": item.get("label_th") or "",
            "number": str(item.get("number") or ""),
            "title_th": item.get("title_th") or "",
            "title_en": item.get("title_en") or "",
            "description_th": item.get("description_th") or "",
            "description_en": item.get("description_en") or "",
            "content_recorded": bool(item.get("content_recorded", True)),
            "source": _source(sources, item.get("source"), where),
        }
        try:
            element = PlanElement.objects.filter(code=code).first()
            if element is None:
                element = services.element_create(
                    actor=SYSTEM, plan=plan, parent=parent, code=code, **values
                )
            else:
                if element.plan_id != plan.pk:
                    raise ReferenceError(
                        "reference_invalid",
                        f"{where}: the code is already used in plan {element.plan.code}.",
                    )
                changes = {k: v for k, v in values.items() if getattr(element, k) != v}
                if element.parent_id != (parent.pk if parent else None):
                    changes["parent"] = parent
                if element.position != position:
                    changes["position"] = position
                if changes:
                    element = services.element_update(actor=SYSTEM, element=element, **changes)
        except ApplicationError as exc:
            if isinstance(exc, ReferenceError):
                raise
            raise _reraise(exc, where) from exc
        counter[0] += 1
        _load_elements(plan, item.get("children"), element, sources, path, counter)


def _link_source(ref: str, where: str) -> tuple[Plan, PlanElement | None]:
    if ref.startswith("plan:"):
        code = ref.removeprefix("plan:")
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            raise ReferenceError("reference_invalid", f"{where}: unknown plan '{code}'.")
        return plan, None
    element = PlanElement.objects.select_related("plan").filter(code=ref).first()
    if element is None:
        raise ReferenceError("reference_invalid", f"{where}: unknown element '{ref}'.")
    return element.plan, element


def _load_links(directory: Path, sources: dict[str, Source]) -> int:
    path = directory / "links.yaml"
    entries = read_yaml(path) or []
    if not isinstance(entries, list):
        raise ReferenceError("reference_malformed", f"{path.name}: expected a list of links.")
    for index, entry in enumerate(entries, start=1):
        where = _where(path, f"link {index}")
        source_plan, source_element = _link_source(str(require(entry, "from", where)), where)
        target_code = str(require(entry, "to", where))
        where = _where(path, f"link {index} ({entry['from']} → {target_code})")
        target = PlanElement.objects.select_related("plan").filter(code=target_code).first()
        if target is None:
            raise ReferenceError("reference_invalid", f"{where}: unknown element '{target_code}'.")
        asserted_code = entry.get("asserted_by")
        asserted_by = None
        if asserted_code:
            asserted_by = Organisation.objects.filter(code=asserted_code).first()
            if asserted_by is None:
                raise ReferenceError(
                    "reference_invalid", f"{where}: unknown organisation '{asserted_code}'."
                )
        contribution = entry.get("contribution") or "direct"
        rationale = entry.get("rationale_th") or entry.get("rationale") or ""
        rationale_en = entry.get("rationale_en") or ""
        existing = AlignmentLink.objects.filter(
            source_plan=source_plan, source_element=source_element, target_element=target
        ).first()
        try:
            if existing is None:
                services.alignment_link(
                    actor=SYSTEM,
                    source_plan=source_plan,
                    source_element=source_element,
                    target=target,
                    contribution=contribution,
                    rationale=rationale,
                    rationale_en=rationale_en,
                    asserted_by=asserted_by,
                    source=_source(sources, entry.get("source"), where),
                )
            elif (existing.contribution, existing.rationale, existing.rationale_en) != (
                contribution,
                rationale,
                rationale_en,
            ):
                services.alignment_update(
                    actor=SYSTEM,
                    link=existing,
                    contribution=contribution,
                    rationale=rationale,
                    rationale_en=rationale_en,
                )
        except ApplicationError as exc:
            raise _reraise(exc, where) from exc
    return len(entries)


def plans_load_reference(directory: Path = REFERENCE_DIR) -> dict[str, int]:
    """Load sources, plans with their outlines, and alignment links. Returns counts loaded."""
    if not directory.is_dir():
        raise ReferenceError(
            "reference_unreadable", f"The reference folder {directory} does not exist."
        )
    sources = _load_sources(directory)
    files = sorted((directory / "plans").glob("*.yaml"))
    loaded: list[tuple[Plan, dict[str, Any], Path]] = []
    for path in files:
        plan, entry = _load_plan(path, sources)
        loaded.append((plan, entry, path))
    # Predecessors and parent programmes may name plans from later files: set them afterwards.
    for plan, entry, path in loaded:
        where = _where(path, f"plan {plan.code}")
        try:
            related = selectors.resolve_codes(
                predecessor=entry.get("predecessor") or "",
                parent_programme=entry.get("parent_programme") or "",
            )
            if (plan.predecessor, plan.parent_programme) != (
                related["predecessor"],
                related["parent_programme"],
            ):
                services.plan_update(actor=SYSTEM, plan=plan, **related)
        except ApplicationError as exc:
            raise _reraise(exc, where) from exc
    elements = [0]
    for plan, entry, path in loaded:
        _load_elements(plan, entry.get("elements"), None, sources, path, elements)
    links = _load_links(directory, sources)
    # What the reference files hold comes from public sources: publish it as version 1, so the
    # public pages show it, unless the plan already has versions of its own.
    unversioned = Plan.objects.filter(pk__in=[p.pk for p, _, _ in loaded], versions__isnull=True)
    for plan in unversioned.select_related("owner"):
        services.version_freeze(plan=plan, kind=VersionKind.REFERENCE)
    return {
        "sources": len(sources),
        "plans": len(loaded),
        "elements": elements[0],
        "links": links,
    }
