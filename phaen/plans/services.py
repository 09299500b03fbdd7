"""Every change to plans, plan elements and alignment links.

Each function owns its transaction and its permission check, so the web pages, the API, the CLI
and the reference-data loader change plans in exactly one way. Failures raise
`ApplicationError` subclasses with the codes in `errors.py`; nothing is half-written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from phaen.core import thai_calendar, thai_text, uploads
from phaen.core.audit import audit_record, snapshot
from phaen.core.errors import ApplicationError, ValidationFailed
from phaen.geography.models import Province
from phaen.orgs.models import Organisation
from phaen.plans import permissions
from phaen.plans.errors import AlignmentError, ElementError, PlanError
from phaen.plans.models import (
    KIND_LEVEL,
    AlignmentLink,
    AreaType,
    ContentStatus,
    Contribution,
    DecidingBody,
    ElementKind,
    Plan,
    PlanDecision,
    PlanElement,
    PlanKind,
    PlanStatus,
    PlanVersion,
    Source,
    VersionKind,
)

MAX_ELEMENT_DEPTH = 8
# Same-level links may point at these kinds of element: the programme a plan carries out.
PROGRAMME_KINDS = frozenset({ElementKind.PROGRAMME, ElementKind.SUB_PLAN})

PLAN_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "short_name_th",
    "description_th",
    "description_en",
    "level",
    "kind",
    "owner",
    "area_type",
    "region",
    "special_zone",
    "local_organisation",
    "start_year",
    "end_year",
    "status",
    "predecessor",
    "phase",
    "parent_programme",
    "content_status",
    "content_note",
)


def _fail(code: str, message: str, field: str | None = None, **detail: Any) -> ValidationFailed:
    if field is not None:
        detail = {"fields": {field: message}, **detail}
    return ValidationFailed(code, message, detail=detail)


# --- Plans -----------------------------------------------------------------------------------


def _programme_ancestors(plan: Plan) -> list[Plan]:
    """Return the chain of parent programmes above `plan`, nearest first (stops at a loop)."""
    chain: list[Plan] = []
    seen = {plan.pk}
    current = plan.parent_programme
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.parent_programme
    return chain


def _validate_plan(plan: Plan, provinces: Sequence[Province] | None) -> None:
    """Check a plan's fields against each other; raise `ValidationFailed` on the first problem."""
    if not plan.code or slugify(plan.code) != plan.code:
        raise _fail(
            PlanError.CODE_INVALID,
            _("The code may hold only lower-case letters, digits and hyphens."),
            "code",
        )
    if Plan.objects.filter(code=plan.code).exclude(pk=plan.pk).exists():
        raise _fail(
            PlanError.CODE_TAKEN,
            _("Another plan already has the code “%(code)s”.") % {"code": plan.code},
            "code",
        )
    if not plan.name_th.strip():
        raise _fail(PlanError.NAME_REQUIRED, _("The Thai name is required."), "name_th")
    expected = KIND_LEVEL.get(plan.kind)
    if expected is None:
        raise _fail(PlanError.LEVEL_KIND_MISMATCH, _("Choose a kind of plan."), "kind")
    if plan.level != expected:
        raise _fail(
            PlanError.LEVEL_KIND_MISMATCH,
            _("A plan of the kind “%(kind)s” belongs to level %(level)s.")
            % {"kind": PlanKind(plan.kind).label, "level": expected},
            "level",
        )
    for name in ("start_year", "end_year"):
        year = getattr(plan, name)
        if year is None or not thai_calendar.is_valid_ce_year(year):
            raise _fail(
                PlanError.PERIOD_INVALID,
                _("Give the year in the Buddhist Era between %(low)s and %(high)s.")
                % {
                    "low": thai_calendar.ce_to_be(thai_calendar.MIN_CE_YEAR),
                    "high": thai_calendar.ce_to_be(thai_calendar.MAX_CE_YEAR),
                },
                name,
            )
    if plan.end_year < plan.start_year:
        raise _fail(
            PlanError.PERIOD_INVALID,
            _("The last year cannot come before the first year."),
            "end_year",
        )
    _validate_area(plan, provinces)
    if plan.predecessor is not None:
        if plan.predecessor.pk == plan.pk:
            raise _fail(
                PlanError.PREDECESSOR_INVALID,
                _("A plan cannot be its own predecessor."),
                "predecessor",
            )
        if plan.predecessor.start_year > plan.start_year:
            raise _fail(
                PlanError.PREDECESSOR_INVALID,
                _("The predecessor must start no later than this plan."),
                "predecessor",
            )
    if plan.parent_programme is not None:
        programme = plan.parent_programme
        if programme.pk == plan.pk or plan.pk in {p.pk for p in _programme_ancestors(programme)}:
            raise _fail(
                PlanError.PROGRAMME_INVALID,
                _("A plan cannot carry out itself, directly or through other programmes."),
                "parent_programme",
            )
        if programme.level != plan.level:
            raise _fail(
                PlanError.PROGRAMME_INVALID,
                _("The parent programme must be a plan of the same level."),
                "parent_programme",
            )


def _validate_area(plan: Plan, provinces: Sequence[Province] | None) -> None:
    area = plan.area_type
    if area == AreaType.REGION and plan.region is None:
        raise _fail(PlanError.AREA_INCOMPLETE, _("Choose the region."), "region")
    if area == AreaType.SPECIAL_ZONE and plan.special_zone is None:
        raise _fail(PlanError.AREA_INCOMPLETE, _("Choose the special zone."), "special_zone")
    if area == AreaType.PROVINCE and not provinces:
        raise _fail(PlanError.AREA_INCOMPLETE, _("Choose at least one province."), "provinces")
    if area == AreaType.LOCAL and plan.local_organisation is None:
        raise _fail(
            PlanError.AREA_INCOMPLETE,
            _("Choose the local administration."),
            "local_organisation",
        )


def _refresh_plan_search(plan: Plan) -> None:
    owner = plan.owner
    plan.search_document = thai_text.search_document(
        plan.name_th,
        plan.name_en,
        plan.short_name_th,
        plan.code,
        owner.name_th,
        owner.name_en,
        owner.abbreviation_th,
        owner.abbreviation_en,
        " ".join(p.name_th for p in plan.provinces.all()) if plan.pk else "",
    )


def plan_create(
    *,
    actor: Any,
    provinces: Sequence[Province] = (),
    partners: Sequence[Organisation] = (),
    sources: Sequence[Source] = (),
    **fields: Any,
) -> Plan:
    """Create a plan from its fields (see `PLAN_FIELDS`), with its area and partners."""
    permissions.ensure(
        permissions.can_create_plan(actor, fields.get("owner")), actor, "plan.create"
    )
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_create() got unknown fields: {sorted(unknown)}")
    if actor is not permissions.SYSTEM and fields.get("status", PlanStatus.DRAFT) != (
        PlanStatus.DRAFT
    ):
        raise _status_via_lifecycle()
    fields.setdefault("status", PlanStatus.DRAFT)
    fields.setdefault("content_status", ContentStatus.NOT_RECORDED)
    if "level" not in fields and fields.get("kind") in KIND_LEVEL:
        fields["level"] = KIND_LEVEL[fields["kind"]]
    plan = Plan(**fields)
    _validate_plan(plan, provinces)
    with transaction.atomic():
        plan.save()
        plan.provinces.set(provinces)
        plan.partners.set(partners)
        plan.sources.set(sources)
        _refresh_plan_search(plan)
        plan.save(update_fields=["search_document"])
        audit_record(actor=actor, action="plan.create", target=plan, after=snapshot(plan))
    return plan


def _status_via_lifecycle() -> ValidationFailed:
    return _fail(
        PlanError.STATUS_VIA_LIFECYCLE,
        _("A plan's status changes only through its lifecycle steps (submit, approve …)."),
        "status",
    )


def plan_update(
    *,
    actor: Any,
    plan: Plan,
    provinces: Sequence[Province] | None = None,
    partners: Sequence[Organisation] | None = None,
    sources: Sequence[Source] | None = None,
    **fields: Any,
) -> Plan:
    """Change a plan's fields; only the ones given change. Links must stay valid."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_update() got unknown fields: {sorted(unknown)}")
    permissions.ensure_can_edit(actor, plan, "plan.update")
    if actor is not permissions.SYSTEM and "status" in fields and fields["status"] != plan.status:
        raise _status_via_lifecycle()
    if "owner" in fields and not permissions.can_create_plan(actor, fields["owner"]):
        raise permissions.deny(actor, "plan.update", plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        before = snapshot(plan)
        for name, value in fields.items():
            setattr(plan, name, value)
        if "kind" in fields and "level" not in fields:
            plan.level = KIND_LEVEL.get(plan.kind, plan.level)
        area_provinces = list(provinces) if provinces is not None else list(plan.provinces.all())
        _validate_plan(plan, area_provinces)
        if {"start_year", "end_year", "level", "kind", "parent_programme"} & set(fields):
            _revalidate_links_of(plan)
        plan.save()
        if provinces is not None:
            plan.provinces.set(provinces)
        if partners is not None:
            plan.partners.set(partners)
        if sources is not None:
            plan.sources.set(sources)
        _refresh_plan_search(plan)
        plan.save(update_fields=["search_document"])
        audit_record(
            actor=actor, action="plan.update", target=plan, before=before, after=snapshot(plan)
        )
    return plan


def _revalidate_links_of(plan: Plan) -> None:
    """Check that the plan's links in both directions still obey the alignment rules."""
    links = AlignmentLink.objects.filter(source_plan=plan) | AlignmentLink.objects.filter(
        target_plan=plan
    )
    for link in links.select_related("source_plan", "target_plan", "target_element"):
        source_plan = plan if link.source_plan_id == plan.pk else link.source_plan
        target_plan = plan if link.target_plan_id == plan.pk else link.target_plan
        try:
            _check_direction(source_plan, target_plan, link.target_element)
            _check_periods(source_plan, target_plan)
        except ValidationFailed as exc:
            raise ValidationFailed(
                exc.code,
                _("This change would break the alignment link “%(link)s”: %(reason)s")
                % {"link": link, "reason": exc.message},
                detail={"link": link.pk},
            ) from exc


def plan_delete(*, actor: Any, plan: Plan) -> None:
    """Delete a plan with its elements and links, unless other plans depend on it."""
    permissions.ensure(permissions.can_delete_plan(actor, plan), actor, "plan.delete", plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        before = snapshot(plan)
        dependents = sorted(
            set(plan.successors.values_list("code", flat=True))
            | set(plan.member_plans.values_list("code", flat=True))
            | set(
                AlignmentLink.objects.filter(target_plan=plan)
                .exclude(source_plan=plan)
                .values_list("source_plan__code", flat=True)
            )
        )
        if dependents:
            raise ValidationFailed(
                PlanError.HAS_DEPENDENTS,
                _("Other plans depend on this plan (%(codes)s); remove those links first.")
                % {"codes": ", ".join(dependents)},
                detail={"dependents": dependents},
            )
        AlignmentLink.objects.filter(source_plan=plan).delete()
        audit_record(actor=actor, action="plan.delete", target=plan, before=before)
        plan.delete()


# --- Elements --------------------------------------------------------------------------------


def _rebuild_paths(plan: Plan) -> None:
    """Renumber sibling positions 1..n and recompute `path` and `depth` for a whole plan.

    One query reads the tree; changed rows are written back in bulk. Paths are first moved out
    of the way, because swapping two siblings would otherwise collide on the unique path.
    """
    elements = list(PlanElement.objects.filter(plan=plan).order_by("position", "pk"))
    children: dict[int | None, list[PlanElement]] = defaultdict(list)
    for element in elements:
        children[element.parent_id].append(element)
    changed: list[PlanElement] = []

    def walk(parent_id: int | None, prefix: str, depth: int) -> None:
        for index, element in enumerate(children.get(parent_id, []), start=1):
            path = f"{prefix}{index:04d}"
            if (element.position, element.path, element.depth) != (index, path, depth):
                element.position, element.path, element.depth = index, path, depth
                changed.append(element)
            walk(element.pk, f"{path}.", depth + 1)

    walk(None, "", 0)
    if not changed:
        return
    final = {e.pk: e.path for e in changed}
    for element in changed:
        element.path = f"~{element.pk}"
    PlanElement.objects.bulk_update(changed, ["path"])
    for element in changed:
        element.path = final[element.pk]
    PlanElement.objects.bulk_update(changed, ["position", "path", "depth"])


def _element_code(plan: Plan, kind: str, number: str) -> str:
    base = slugify(f"{plan.code}-{number}" if number else f"{plan.code}-{kind}")[:56] or plan.code
    code, n = base, 1
    while PlanElement.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _validate_element(element: PlanElement) -> None:
    if element.kind not in ElementKind.values:
        raise _fail(ElementError.KIND_INVALID, _("Choose a kind of element."), "kind")
    if element.content_recorded and not (element.title_th.strip() or element.title_en.strip()):
        raise _fail(ElementError.TITLE_REQUIRED, _("Give the element a title."), "title_th")
    if slugify(element.code) != element.code:
        raise _fail(
            ElementError.CODE_INVALID,
            _("The code may hold only lower-case letters, digits and hyphens."),
            "code",
        )
    if PlanElement.objects.filter(code=element.code).exclude(pk=element.pk).exists():
        raise _fail(
            ElementError.CODE_TAKEN,
            _("Another element already has the code “%(code)s”.") % {"code": element.code},
            "code",
        )
    parent = element.parent
    if parent is None:
        return
    if parent.plan_id != element.plan_id:
        raise _fail(
            ElementError.PARENT_OTHER_PLAN,
            _("The parent element must belong to the same plan."),
            "parent",
        )
    depth = 1
    ancestor: PlanElement | None = parent
    while ancestor is not None:
        if element.pk is not None and ancestor.pk == element.pk:
            raise _fail(
                ElementError.PARENT_CYCLE,
                _("An element cannot be placed inside itself."),
                "parent",
            )
        depth += 1
        ancestor = ancestor.parent
    if depth > MAX_ELEMENT_DEPTH:
        raise _fail(
            ElementError.TOO_DEEP,
            _("An outline may be at most %(n)s levels deep.") % {"n": MAX_ELEMENT_DEPTH},
            "parent",
        )


def element_create(
    *,
    actor: Any,
    plan: Plan,
    kind: str,
    title_th: str = "",
    title_en: str = "",
    parent: PlanElement | None = None,
    number: str = "",
    code: str = "",
    label_th: str = "",
    description_th: str = "",
    description_en: str = "",
    content_recorded: bool = True,
    position: int | None = None,
    source: Source | None = None,
) -> PlanElement:
    """Add an element to a plan's outline, at the end of its siblings unless `position` says."""
    permissions.ensure_can_edit(actor, plan, "element.create")
    with transaction.atomic():
        if position is None:
            siblings = PlanElement.objects.filter(plan=plan, parent=parent)
            position = (siblings.aggregate(m=Max("position"))["m"] or 0) + 1
        else:
            # Make room: the new element goes before the sibling now at `position`.
            PlanElement.objects.filter(plan=plan, parent=parent, position__gte=position).update(
                position=F("position") + 1
            )
        element = PlanElement(
            plan=plan,
            parent=parent,
            kind=kind,
            label_th=label_th.strip(),
            number=number.strip(),
            code=code.strip() or _element_code(plan, kind, number.strip()),
            title_th=title_th.strip(),
            title_en=title_en.strip(),
            description_th=description_th,
            description_en=description_en,
            content_recorded=content_recorded,
            position=position,
            path=f"~new-{plan.pk}-{position}-{kind}-{number}"[:255],
            source=source,
        )
        _validate_element(element)
        element.save()
        _rebuild_paths(plan)
        element.refresh_from_db()
        audit_record(actor=actor, action="element.create", target=element, after=snapshot(element))
    return element


def element_update(*, actor: Any, element: PlanElement, **fields: Any) -> PlanElement:
    """Change an element's text, number, kind, parent or position."""
    permissions.ensure_can_edit(actor, element.plan, "element.update", element)
    allowed = {
        "kind",
        "label_th",
        "number",
        "code",
        "title_th",
        "title_en",
        "description_th",
        "description_en",
        "content_recorded",
        "parent",
        "position",
        "source",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"element_update() got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        element = PlanElement.objects.select_for_update().get(pk=element.pk)
        before = snapshot(element)
        for name, value in fields.items():
            setattr(element, name, value.strip() if isinstance(value, str) else value)
        _validate_element(element)
        if "position" in fields and fields["position"] is not None:
            PlanElement.objects.filter(
                plan_id=element.plan_id,
                parent=element.parent,
                position__gte=element.position,
            ).exclude(pk=element.pk).update(position=F("position") + 1)
        element.save()
        _rebuild_paths(element.plan)
        element.refresh_from_db()
        audit_record(
            actor=actor,
            action="element.update",
            target=element,
            before=before,
            after=snapshot(element),
        )
    return element


def element_delete(*, actor: Any, element: PlanElement) -> None:
    """Delete an element with its sub-elements and every link to or from them."""
    permissions.ensure_can_edit(actor, element.plan, "element.delete", element)
    with transaction.atomic():
        plan = element.plan
        audit_record(actor=actor, action="element.delete", target=element, before=snapshot(element))
        element.delete()
        _rebuild_paths(plan)


# --- Alignment -------------------------------------------------------------------------------


def _check_direction(source_plan: Plan, target_plan: Plan, target: PlanElement) -> None:
    if source_plan.pk == target_plan.pk:
        raise _fail(
            AlignmentError.SAME_PLAN,
            _("An element cannot serve its own plan; link it to a plan above."),
            "target",
        )
    if target_plan.level > source_plan.level:
        raise _fail(
            AlignmentError.POINTS_DOWNWARD,
            _(
                "A link must point upward: “%(target)s” is a level-%(tl)s plan, below "
                "“%(source)s” at level %(sl)s."
            )
            % {
                "target": target_plan.name_th,
                "tl": target_plan.level,
                "source": source_plan.name_th,
                "sl": source_plan.level,
            },
            "target",
        )
    if target_plan.level == source_plan.level:
        is_programme_plan = target_plan.pk in {p.pk for p in _programme_ancestors(source_plan)}
        if not (is_programme_plan or target.kind in PROGRAMME_KINDS):
            raise _fail(
                AlignmentError.SAME_LEVEL_NOT_PROGRAMME,
                _(
                    "Both plans are at level %(level)s. A link within a level may only point "
                    "to a programme or sub-plan, or to the plan's parent programme."
                )
                % {"level": source_plan.level},
                "target",
            )


def _check_periods(source_plan: Plan, target_plan: Plan) -> None:
    if source_plan.start_year > target_plan.end_year or target_plan.start_year > (
        source_plan.end_year
    ):
        raise _fail(
            AlignmentError.PERIODS_DISJOINT,
            _("The periods do not overlap: %(source)s runs %(sp)s and %(target)s runs %(tp)s.")
            % {
                "source": source_plan.name_th,
                "sp": thai_calendar.format_be_period(source_plan.start_year, source_plan.end_year),
                "target": target_plan.name_th,
                "tp": thai_calendar.format_be_period(target_plan.start_year, target_plan.end_year),
            },
            "target",
        )


def _plan_path(start_plan_id: int, goal_plan_id: int) -> list[int] | None:
    """Return plan ids from `start` to `goal` following existing links upward, if any.

    One query per step of the walk; the walk is as long as the deepest chain of plans.
    """
    previous: dict[int, int | None] = {start_plan_id: None}
    frontier = {start_plan_id}
    while frontier:
        pairs = (
            AlignmentLink.objects.filter(source_plan_id__in=frontier)
            .values_list("source_plan_id", "target_plan_id")
            .distinct()
        )
        next_frontier: set[int] = set()
        for source_id, target_id in pairs:
            if target_id in previous:
                continue
            previous[target_id] = source_id
            if target_id == goal_plan_id:
                path: list[int] = [target_id]
                step: int | None = source_id
                while step is not None:
                    path.append(step)
                    step = previous[step]
                return list(reversed(path))
            next_frontier.add(target_id)
        frontier = next_frontier
    return None


def _check_cycle(source_plan: Plan, target_plan: Plan) -> None:
    path = _plan_path(target_plan.pk, source_plan.pk)
    if path is None:
        return
    names = dict(Plan.objects.filter(pk__in=path).values_list("pk", "name_th"))
    raise _fail(
        AlignmentError.CYCLE,
        _("This link would make a cycle: %(chain)s already serves %(source)s.")
        % {"chain": " → ".join(names[pk] for pk in path), "source": source_plan.name_th},
        "target",
        cycle=[names[pk] for pk in path],
    )


def _link_source_plan(source_element: PlanElement | None, source_plan: Plan | None) -> Plan:
    if source_element is not None:
        return source_element.plan
    if source_plan is None:
        raise _fail(
            AlignmentError.SOURCE_REQUIRED,
            _("Choose the serving element or the serving plan."),
            "source_element",
        )
    return source_plan


def _check_link(
    source_plan: Plan,
    source_element: PlanElement | None,
    target: PlanElement,
    contribution: str,
) -> None:
    """Apply every alignment rule to a proposed link; raise `ValidationFailed` on the first."""
    if contribution not in Contribution.values:
        raise _fail(
            AlignmentError.CONTRIBUTION_INVALID, _("Choose direct or supporting."), "contribution"
        )
    target_plan = target.plan
    _check_direction(source_plan, target_plan, target)
    _check_periods(source_plan, target_plan)
    duplicate = AlignmentLink.objects.filter(
        source_plan=source_plan, source_element=source_element, target_element=target
    )
    if duplicate.exists():
        raise _fail(AlignmentError.DUPLICATE, _("This link already exists."), "target")
    _check_cycle(source_plan, target_plan)


def alignment_check(
    *,
    actor: Any,
    target: PlanElement,
    source_element: PlanElement | None = None,
    source_plan: Plan | None = None,
    contribution: str = Contribution.DIRECT,
) -> None:
    """Tell, without writing anything, whether `alignment_link` would accept this link.

    Raises the same errors as `alignment_link`, so a form can check a link as it is typed.
    """
    plan = _link_source_plan(source_element, source_plan)
    permissions.ensure_can_edit(actor, plan, "link.create")
    _check_link(plan, source_element, target, contribution)


def alignment_link(
    *,
    actor: Any,
    target: PlanElement,
    source_element: PlanElement | None = None,
    source_plan: Plan | None = None,
    contribution: str = Contribution.DIRECT,
    rationale: str = "",
    rationale_en: str = "",
    asserted_by: Organisation | None = None,
    source: Source | None = None,
) -> AlignmentLink:
    """Record that an element (or a whole plan) serves `target`, an element of a plan above.

    Rules: the target's plan is of a higher level, or of the same level when the target is a
    programme or sub-plan, or the plan's parent programme; the periods overlap; no cycles.
    """
    plan = _link_source_plan(source_element, source_plan)
    permissions.ensure_can_edit(actor, plan, "link.create")
    with transaction.atomic():
        # Lock both plans (in a fixed order) so that two people cannot each add one half of a
        # cycle at the same moment: the second waits and then sees the first link.
        list(
            Plan.objects.select_for_update()
            .filter(pk__in=[plan.pk, target.plan_id])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _check_link(plan, source_element, target, contribution)
        link = AlignmentLink(
            source_plan=plan,
            source_element=source_element,
            target_plan=target.plan,
            target_element=target,
            contribution=contribution,
            rationale=rationale.strip(),
            rationale_en=rationale_en.strip(),
            asserted_by=asserted_by if asserted_by is not None else plan.owner,
            created_by=actor if getattr(actor, "pk", None) else None,
            source=source,
        )
        try:
            with transaction.atomic():
                link.save()
        except IntegrityError as exc:
            raise _fail(AlignmentError.DUPLICATE, _("This link already exists."), "target") from exc
        audit_record(actor=actor, action="link.create", target=link, after=_link_state(link))
    return link


def _link_state(link: AlignmentLink) -> dict[str, Any]:
    return {
        "source_plan": link.source_plan.code,
        "source_element": link.source_element.code if link.source_element else None,
        "target_element": link.target_element.code,
        "contribution": link.contribution,
        "rationale": link.rationale,
        "rationale_en": link.rationale_en,
    }


def alignment_update(
    *,
    actor: Any,
    link: AlignmentLink,
    contribution: str | None = None,
    rationale: str | None = None,
    rationale_en: str | None = None,
) -> AlignmentLink:
    """Change a link's kind of contribution or its rationale."""
    permissions.ensure_can_edit(actor, link.source_plan, "link.update", link)
    before = _link_state(link)
    if contribution is not None:
        if contribution not in Contribution.values:
            raise _fail(
                AlignmentError.CONTRIBUTION_INVALID,
                _("Choose direct or supporting."),
                "contribution",
            )
        link.contribution = contribution
    if rationale is not None:
        link.rationale = rationale.strip()
    if rationale_en is not None:
        link.rationale_en = rationale_en.strip()
    with transaction.atomic():
        link.save(update_fields=["contribution", "rationale", "rationale_en", "updated_at"])
        audit_record(
            actor=actor, action="link.update", target=link, before=before, after=_link_state(link)
        )
    return link


def alignment_unlink(*, actor: Any, link: AlignmentLink) -> None:
    """Remove an alignment link."""
    permissions.ensure_can_edit(actor, link.source_plan, "link.delete", link)
    with transaction.atomic():
        audit_record(actor=actor, action="link.delete", target=link, before=_link_state(link))
        link.delete()


# --- Lifecycle and versions ------------------------------------------------------------------


def version_freeze(*, plan: Plan, kind: str, decision: PlanDecision | None = None) -> PlanVersion:
    """Freeze the plan as it is now (fields, outline, links) as its next version."""
    from phaen.plans.selectors import plan_snapshot

    last = plan.versions.aggregate(m=Max("number"))["m"] or 0
    return PlanVersion.objects.create(
        plan=plan, number=last + 1, kind=kind, snapshot=plan_snapshot(plan), decision=decision
    )


def plan_transition(
    *,
    actor: Any,
    plan: Plan,
    name: str,
    deciding_organisation: Organisation | None = None,
    deciding_body: str = "",
    decision_date: dt.date | None = None,
    resolution_number: str = "",
    note: str = "",
    upload: Any = None,
) -> PlanDecision:
    """Move a plan one step through its lifecycle and record the decision.

    Submitting names the deciding body; approving freezes the plan as a new version, which the
    public pages then show; opening a hearing publishes the draft as a version too.
    """
    transition = permissions.TRANSITIONS.get(name)
    if transition is None:
        raise _fail(
            PlanError.TRANSITION_UNKNOWN,
            _("Unknown lifecycle step “%(name)s”.") % {"name": name},
            "transition",
        )
    document = document_name = ""
    checked = uploads.validate_upload(upload) if upload is not None else None

    def refuse_state(current: Plan) -> ApplicationError:
        return ApplicationError(
            PlanError.TRANSITION_INVALID,
            _("A plan that is “%(status)s” cannot take the step “%(step)s”.")
            % {"status": PlanStatus(current.status).label, "step": transition.label},
            detail={"status": current.status, "transition": name},
            http_status=409,
        )

    plan = Plan.objects.select_related("owner").get(pk=plan.pk)
    if plan.status not in transition.sources:
        raise refuse_state(plan)
    # Checked outside the transaction below, so the audit record of a refusal is kept.
    permissions.ensure(permissions.can_transition(actor, plan, name), actor, f"plan.{name}", plan)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("owner").get(pk=plan.pk)
        if plan.status not in transition.sources:  # someone else moved it meanwhile
            raise refuse_state(plan)
        if name == "submit":
            if deciding_organisation is None:
                raise _fail(
                    PlanError.DECIDING_BODY_REQUIRED,
                    _("Choose the body that decides on the plan."),
                    "deciding_organisation",
                )
            plan.submitted_to = deciding_organisation
        if deciding_body and deciding_body not in DecidingBody.values:
            raise _fail(
                PlanError.DECIDING_BODY_KIND_INVALID,
                _("Choose a kind of deciding body."),
                "deciding_body",
            )
        before_status = plan.status
        if upload is not None and checked is not None:
            document = uploads.save_upload(upload, checked, folder=f"plans/{plan.code}/decisions")
            document_name = checked.original_name[:255]
        decision = PlanDecision.objects.create(
            plan=plan,
            transition=name,
            from_status=before_status,
            to_status=transition.target,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_repr=str(actor)[:200],
            deciding_body=deciding_body,
            deciding_organisation=deciding_organisation
            or (plan.submitted_to if transition.role == "approver" else None),
            decision_date=decision_date,
            resolution_number=resolution_number.strip(),
            note=note.strip(),
            document=document,
            document_name=document_name,
        )
        plan.status = transition.target
        plan.save(update_fields=["status", "submitted_to", "updated_at"])
        if name == "approve":
            version_freeze(plan=plan, kind=VersionKind.APPROVED, decision=decision)
        elif name == "open_hearing":
            version_freeze(plan=plan, kind=VersionKind.HEARING, decision=decision)
        audit_record(
            actor=actor,
            action=f"plan.{name}",
            target=plan,
            before={"status": before_status},
            after={
                "status": plan.status,
                "deciding_organisation": decision.deciding_organisation.code
                if decision.deciding_organisation
                else None,
                "decision_date": decision_date.isoformat() if decision_date else None,
                "resolution_number": decision.resolution_number,
            },
        )
    return decision
