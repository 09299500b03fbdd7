"""Reads of plans, outlines and alignment: lists, the chain, the matrix, the gaps.

Every function here chooses its own `select_related` / `prefetch_related`, so pages and
endpoints run a fixed number of queries whatever the number of rows. The alignment reports load
the part of the link graph they need in a few set-based queries (one per plan level walked) and
then work in memory (`AlignmentGraph`).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from phaen.accounts.models import Role
from phaen.accounts.permissions import roles_of
from phaen.core import thai_calendar, thai_text
from phaen.core.errors import NotFound, ValidationFailed
from phaen.geography.models import Province, Region, SpecialZone
from phaen.orgs.models import Organisation, OrganisationAlias
from phaen.plans.errors import ElementError, PlanError
from phaen.plans.models import (
    AlignmentLink,
    Contribution,
    Plan,
    PlanDecision,
    PlanElement,
    PlanVersion,
)

MAX_CHAIN_PATHS = 200


# --- Lists and pages -------------------------------------------------------------------------


def plan_search_filter(query: str) -> Q:
    """Return a filter matching plans whose names, owner or area contain every query word.

    The query is normalised and segmented like the stored `search_document`. A word that is an
    organisation's alias (ดีป้า, ดีอีเอส, MDES) also matches that organisation's plans.
    """
    words = thai_text.tokens(query)
    if not words:
        return Q()
    condition = Q()
    aliases = dict(
        OrganisationAlias.objects.filter(normalized__in=words).values_list(
            "normalized", "organisation_id"
        )
    )
    whole = thai_text.normalize(query)
    whole_alias = OrganisationAlias.objects.filter(normalized=whole).values_list(
        "organisation_id", flat=True
    )
    for word in words:
        term = Q(search_document__icontains=word)
        if word in aliases:
            term |= Q(owner_id=aliases[word]) | Q(partners__id=aliases[word])
        condition &= term
    return condition | Q(owner_id__in=whole_alias) | Q(search_document__icontains=whole)


def plan_list(
    *,
    level: int | None = None,
    kind: str | None = None,
    owner: str | None = None,
    area_type: str | None = None,
    province: str | None = None,
    region: str | None = None,
    special_zone: str | None = None,
    status: str | None = None,
    year_be: int | None = None,
    search: str | None = None,
    viewer: Any = None,
) -> QuerySet[Plan]:
    """Return plans matching the filters, with what a list shows, in a fixed number of queries.

    `year_be` keeps plans whose period includes that Buddhist-Era year. `owner` matches the
    organisation's code. `province` keeps plans whose area includes the province (by its own
    provinces, its special zone's or its region's).
    """
    plans = Plan.objects.select_related("owner", "region", "special_zone").prefetch_related(
        "provinces"
    )
    joined = bool(region or province or (search and search.strip()))
    visible = plan_visibility_filter(viewer)
    if visible is not None:
        plans = plans.filter(visible)
        joined = True
    if level is not None:
        plans = plans.filter(level=level)
    if kind:
        plans = plans.filter(kind=kind)
    if owner:
        plans = plans.filter(owner__code=owner)
    if area_type:
        plans = plans.filter(area_type=area_type)
    if region:
        plans = plans.filter(Q(region__code=region) | Q(provinces__region__code=region))
    if special_zone:
        plans = plans.filter(special_zone__code=special_zone)
    if province:
        plans = plans.filter(
            Q(provinces__code=province)
            | Q(special_zone__provinces__code=province)
            | Q(region__provinces__code=province)
        )
    if status:
        plans = plans.filter(status=status)
    if year_be is not None:
        year = thai_calendar.be_to_ce(year_be)
        plans = plans.filter(start_year__lte=year, end_year__gte=year)
    if search and search.strip():
        plans = plans.filter(plan_search_filter(search))
    if joined:  # joins through provinces, zones or partners may repeat a plan: keep one
        plans = (
            Plan.objects.filter(pk__in=plans.values("pk"))
            .select_related("owner", "region", "special_zone")
            .prefetch_related("provinces")
        )
    element_count = (
        PlanElement.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return plans.annotate(element_count=Coalesce(Subquery(element_count), 0)).order_by(
        "level", "start_year", "code"
    )


def plan_visibility_filter(viewer: Any) -> Q | None:
    """Return the filter of plans `viewer` may list, or None when they see every plan.

    The public sees plans that have a published version; planners also see their own
    organisations' drafts, and approvers the plans submitted to their bodies.
    """
    roles = roles_of(viewer)
    if roles.system_admin or roles.has(Role.AUDITOR):
        return None
    return (
        Q(versions__isnull=False)
        | Q(owner_id__in=roles.organisations(Role.PLANNER))
        | Q(owner_id__in=roles.organisations(Role.ORG_ADMIN))
        | Q(submitted_to_id__in=roles.organisations(Role.APPROVER))
    )


def plan_detail(code: str) -> Plan | None:
    """Return a plan with its area, partners, sources and neighbours prefetched."""
    return (
        Plan.objects.select_related(
            "owner",
            "region",
            "special_zone",
            "local_organisation",
            "predecessor",
            "parent_programme",
        )
        .prefetch_related("provinces", "partners", "sources", "successors", "member_plans")
        .filter(code=code)
        .first()
    )


@dataclass
class OutlineNode:
    """An element with its children, as the outline shows it."""

    element: PlanElement
    children: list[OutlineNode] = field(default_factory=list)


def plan_outline(plan: Plan) -> list[OutlineNode]:
    """Return the plan's element tree, read in one query ordered by path."""
    elements = list(PlanElement.objects.filter(plan=plan).select_related("source").order_by("path"))
    nodes = {e.pk: OutlineNode(e) for e in elements}
    roots: list[OutlineNode] = []
    for element in elements:
        node = nodes[element.pk]
        if element.parent_id is None or element.parent_id not in nodes:
            roots.append(node)
        else:
            nodes[element.parent_id].children.append(node)
    return roots


def plan_elements_flat(plan: Plan) -> list[PlanElement]:
    """Return the plan's elements in outline order (one query), for choices in forms."""
    return list(PlanElement.objects.filter(plan=plan).order_by("path"))


def _link_queryset() -> QuerySet[AlignmentLink]:
    return AlignmentLink.objects.select_related(
        "source_plan",
        "source_element",
        "target_plan",
        "target_element",
        "asserted_by",
        "source",
    )


def plan_links_up(plan: Plan) -> list[AlignmentLink]:
    """Return the links by which this plan and its elements serve plans above."""
    return list(
        _link_queryset()
        .filter(source_plan=plan)
        .order_by("source_element__path", "target_plan__level", "target_element__path")
    )


def plan_links_down(plan: Plan) -> list[AlignmentLink]:
    """Return the links by which other plans serve this plan's elements."""
    return list(
        _link_queryset()
        .filter(target_plan=plan)
        .order_by("target_element__path", "source_plan__level", "source_plan__code")
    )


def link_list(
    *,
    plan: str | None = None,
    target_plan: str | None = None,
    element: str | None = None,
    viewer: Any = None,
) -> QuerySet[AlignmentLink]:
    """Return alignment links, optionally of one serving plan, served plan or element.

    With a `viewer`, only links of plans they may list (`plan_visibility_filter`).
    """
    links = _link_queryset()
    visible = plan_visibility_filter(viewer) if viewer is not None else None
    if visible is not None:
        links = links.filter(source_plan__in=Plan.objects.filter(visible))
    if plan:
        links = links.filter(source_plan__code=plan)
    if target_plan:
        links = links.filter(target_plan__code=target_plan)
    if element:
        links = links.filter(Q(source_element__code=element) | Q(target_element__code=element))
    return links.order_by("pk")


def element_list(
    *, plan: str | None = None, kind: str | None = None, viewer: Any = None
) -> QuerySet[PlanElement]:
    """Return elements in outline order, optionally of one plan and kind.

    With a `viewer`, only elements of plans they may list (`plan_visibility_filter`).
    """
    elements = PlanElement.objects.select_related("plan", "parent")
    visible = plan_visibility_filter(viewer) if viewer is not None else None
    if visible is not None:
        elements = elements.filter(plan__in=Plan.objects.filter(visible))
    if plan:
        elements = elements.filter(plan__code=plan)
    if kind:
        elements = elements.filter(kind=kind)
    return elements.order_by("plan__level", "plan__code", "path")


# --- The alignment graph ---------------------------------------------------------------------


@dataclass(frozen=True)
class LinkEdge:
    pk: int
    source_plan: int
    source_element: int | None
    target_plan: int
    target_element: int
    contribution: str
    source_code: str | None = None
    target_code: str = ""


class AlignmentGraph:
    """The links among a set of plans and those plans' element trees, held in memory."""

    def __init__(self, plan_ids: Iterable[int], links: Iterable[LinkEdge]) -> None:
        self.plan_ids = set(plan_ids)
        self.links = list(links)
        self.by_source_element: dict[int, list[LinkEdge]] = defaultdict(list)
        self.by_source_plan: dict[int, list[LinkEdge]] = defaultdict(list)
        self.plan_level_links: dict[int, list[LinkEdge]] = defaultdict(list)
        for link in self.links:
            self.by_source_plan[link.source_plan].append(link)
            if link.source_element is None:
                self.plan_level_links[link.source_plan].append(link)
            else:
                self.by_source_element[link.source_element].append(link)
        rows = PlanElement.objects.filter(plan_id__in=self.plan_ids).values_list(
            "pk", "parent_id", "plan_id"
        )
        self.parent: dict[int, int | None] = {}
        self.plan_of: dict[int, int] = {}
        self.children: dict[int, list[int]] = defaultdict(list)
        for pk, parent_id, plan_id in rows:
            self.parent[pk] = parent_id
            self.plan_of[pk] = plan_id
            if parent_id is not None:
                self.children[parent_id].append(pk)

    @classmethod
    def upward_from(cls, plan_ids: Iterable[int], viewer: Any = None) -> AlignmentGraph:
        """Load every link reachable upward from `plan_ids`: one query per plan level.

        With a `viewer`, only the links they may read: those of the plans' published versions,
        and the working links of plans they work on (`PublishedLinks`). Without one, all.
        """
        return cls._walk(plan_ids, upward=True, viewer=viewer)

    @classmethod
    def downward_from(cls, plan_ids: Iterable[int], viewer: Any = None) -> AlignmentGraph:
        """Load every link that reaches `plan_ids` from below: one query per plan level."""
        return cls._walk(plan_ids, upward=False, viewer=viewer)

    @classmethod
    def _walk(cls, plan_ids: Iterable[int], *, upward: bool, viewer: Any) -> AlignmentGraph:
        seen = set(plan_ids)
        frontier = set(seen)
        edges: dict[int, LinkEdge] = {}
        near = "source_plan_id__in" if upward else "target_plan_id__in"
        readable = PublishedLinks.for_viewer(viewer)
        while frontier:
            batch = _edges(AlignmentLink.objects.filter(**{near: frontier}))
            if readable is not None:
                batch = readable.keep(batch)
            frontier = set()
            for edge in batch:
                edges[edge.pk] = edge
                far = edge.target_plan if upward else edge.source_plan
                if far not in seen:
                    seen.add(far)
                    frontier.add(far)
        return cls(seen, edges.values())

    def ancestors(self, element: int) -> list[int]:
        """Return the element's parents within its plan, nearest first."""
        out: list[int] = []
        current = self.parent.get(element)
        while current is not None:
            out.append(current)
            current = self.parent.get(current)
        return out

    def subtree(self, element: int) -> set[int]:
        """Return the element and everything below it in its plan."""
        out, stack = set(), [element]
        while stack:
            current = stack.pop()
            out.add(current)
            stack.extend(self.children.get(current, []))
        return out

    def outgoing(self, element: int) -> list[LinkEdge]:
        """Return the links an element serves through, its own first, then inherited ones.

        An element serves what it links to, what its parents link to, and what its whole plan
        links to.
        """
        own = list(self.by_source_element.get(element, []))
        for ancestor in self.ancestors(element):
            own.extend(self.by_source_element.get(ancestor, []))
        own.extend(self.plan_level_links.get(self.plan_of.get(element, -1), []))
        return own

    def reachable_from_elements(self, start: Iterable[int]) -> set[int]:
        """Return every element reachable upward from `start` (not including `start`)."""
        seen: set[int] = set()
        queue = deque(start)
        visited_sources: set[int] = set()
        while queue:
            current = queue.popleft()
            if current in visited_sources:
                continue
            visited_sources.add(current)
            for link in self.outgoing(current):
                target = link.target_element
                for reached in (target, *self.ancestors(target)):
                    if reached not in seen:
                        seen.add(reached)
                        queue.append(reached)
        return seen


def _edges(queryset: QuerySet[AlignmentLink]) -> list[LinkEdge]:
    return [
        LinkEdge(*row)
        for row in queryset.values_list(
            "pk",
            "source_plan_id",
            "source_element_id",
            "target_plan_id",
            "target_element_id",
            "contribution",
            "source_element__code",
            "target_element__code",
        )
    ]


class PublishedLinks:
    """Which links a viewer may read: published ones, and the working ones of their own plans.

    A link is published when the serving plan's newest frozen version holds it. Snapshots are
    read once per plan, as plans come into the walk.
    """

    def __init__(self, viewer: Any) -> None:
        self.roles = roles_of(viewer)
        self.published: dict[int, set[tuple[str | None, str]]] = {}
        self.working: set[int] = set()

    @classmethod
    def for_viewer(cls, viewer: Any) -> PublishedLinks | None:
        """Return the filter for `viewer`, or None when they may read every link."""
        if viewer is None or plan_visibility_filter(viewer) is None:
            return None
        return cls(viewer)

    def _learn(self, plan_ids: set[int]) -> None:
        new = plan_ids - set(self.published)
        if not new:
            return
        for pk, owner_id, submitted_to_id in Plan.objects.filter(pk__in=new).values_list(
            "pk", "owner_id", "submitted_to_id"
        ):
            if (
                self.roles.covers(Role.PLANNER, owner_id)
                or self.roles.covers(Role.ORG_ADMIN, owner_id)
                or self.roles.covers(Role.APPROVER, submitted_to_id)
            ):
                self.working.add(pk)
        for pk in new:
            self.published[pk] = set()
        newest: dict[int, int] = {}
        for plan_id, number in (
            PlanVersion.objects.filter(plan_id__in=new)
            .values_list("plan_id", "number")
            .order_by("plan_id", "number")
        ):
            newest[plan_id] = number
        candidates = PlanVersion.objects.filter(
            plan_id__in=list(newest), number__in=set(newest.values())
        ).values_list("plan_id", "number", "snapshot")
        for plan_id, number, snapshot in candidates:
            if newest[plan_id] == number:
                self.published[plan_id] = {
                    (row["source_element"], row["target_element"]) for row in snapshot["links"]
                }

    def keep(self, edges: list[LinkEdge]) -> list[LinkEdge]:
        self._learn({edge.source_plan for edge in edges})
        return [
            edge
            for edge in edges
            if edge.source_plan in self.working
            or (edge.source_code, edge.target_code) in self.published[edge.source_plan]
        ]


def _element_rows(ids: Iterable[int]) -> dict[int, PlanElement]:
    return {e.pk: e for e in PlanElement.objects.filter(pk__in=set(ids)).select_related("plan")}


# --- Report (a): the chain up to the National Strategy ---------------------------------------


@dataclass
class ChainStep:
    element: PlanElement
    relation: str  # "start", "part_of" or "serves"
    contribution: str | None = None


@dataclass
class Chain:
    start: PlanElement | Plan
    paths: list[list[ChainStep]]
    elements: dict[int, PlanElement]
    reaches_national_strategy: bool
    truncated: bool = False

    @property
    def levels_reached(self) -> list[int]:
        return sorted({e.plan.level for e in self.elements.values()})


def alignment_chain(start: PlanElement | Plan, *, viewer: Any = None) -> Chain:
    """Return every path from an element (or a plan) up the alignment links to the top.

    A path climbs either to the element's parent in its own plan ("part of") or along a link to
    an element of a plan above ("serves"), and ends where nothing is above. Plan-level links
    start paths for every element of the plan.
    """
    plan = start if isinstance(start, Plan) else start.plan
    graph = AlignmentGraph.upward_from([plan.pk], viewer)
    paths: list[list[tuple[int, str, str | None]]] = []
    truncated = False

    def climb(element: int, path: list[tuple[int, str, str | None]]) -> None:
        nonlocal truncated
        if len(paths) >= MAX_CHAIN_PATHS:
            truncated = True
            return
        on_path = {step[0] for step in path}
        moves: list[tuple[int, str, str | None]] = [
            (link.target_element, "serves", link.contribution)
            for link in graph.by_source_element.get(element, [])
        ]
        parent = graph.parent.get(element)
        if parent is not None:
            moves.append((parent, "part_of", None))
        elif not graph.by_source_element.get(element):
            moves.extend(
                (link.target_element, "serves", link.contribution)
                for link in graph.plan_level_links.get(graph.plan_of[element], [])
                if graph.plan_of[element] != plan.pk or isinstance(start, PlanElement)
            )
        moves = [m for m in moves if m[0] not in on_path]
        if not moves:
            paths.append(path)
            return
        for target, relation, contribution in moves:
            climb(target, [*path, (target, relation, contribution)])

    if isinstance(start, PlanElement):
        climb(start.pk, [(start.pk, "start", None)])
    else:
        for link in graph.plan_level_links.get(plan.pk, []):
            climb(link.target_element, [(link.target_element, "serves", link.contribution)])
        for element, owner in graph.plan_of.items():
            if owner == plan.pk and element in graph.by_source_element:
                climb(element, [(element, "start", None)])
    ids = {step[0] for path in paths for step in path}
    elements = _element_rows(ids)
    built = [
        [ChainStep(elements[pk], relation, contribution) for pk, relation, contribution in path]
        for path in paths
        if len(path) > 1 or isinstance(start, Plan)
    ]
    reaches = any(
        e.plan.level == 1
        for pk, e in elements.items()
        if not isinstance(start, PlanElement) or pk != start.pk
    )
    return Chain(
        start=start,
        paths=built,
        elements=elements,
        reaches_national_strategy=reaches,
        truncated=truncated,
    )


# --- Report (b): the alignment matrix --------------------------------------------------------


@dataclass
class MatrixCell:
    kind: str  # "direct", "supporting", "plan" (a whole-plan link), "indirect" or ""
    link_ids: list[int] = field(default_factory=list)


@dataclass
class Matrix:
    plan: Plan
    higher_plan: Plan
    rows: list[PlanElement]
    columns: list[PlanElement]
    cells: list[list[MatrixCell]]

    @property
    def empty_rows(self) -> list[PlanElement]:
        return [
            r
            for r, cells in zip(self.rows, self.cells, strict=True)
            if not any(c.kind for c in cells)
        ]

    @property
    def empty_columns(self) -> list[PlanElement]:
        return [
            col
            for index, col in enumerate(self.columns)
            if not any(row[index].kind for row in self.cells)
        ]


def alignment_matrix(
    plan: Plan, higher_plan: Plan, *, row_depth: int = 0, viewer: Any = None
) -> Matrix:
    """Cross a plan's elements (rows, to `row_depth`) with a higher plan's top-level elements.

    A cell says how the row (with everything under it) serves the column (with everything
    under it): by a direct or supporting link, through a link of the whole plan, or indirectly
    through plans in between.
    """
    graph = AlignmentGraph.upward_from([plan.pk], viewer)
    elements = list(
        PlanElement.objects.filter(
            Q(plan=plan, depth__lte=row_depth) | Q(plan=higher_plan, depth=0)
        )
        .select_related("plan")
        .order_by("path")
    )
    rows = [e for e in elements if e.plan_id == plan.pk]
    columns = [e for e in elements if e.plan_id == higher_plan.pk]
    column_trees = {c.pk: graph.subtree(c.pk) if c.pk in graph.parent else {c.pk} for c in columns}
    plan_links = graph.plan_level_links.get(plan.pk, [])
    cells: list[list[MatrixCell]] = []
    for row in rows:
        tree = graph.subtree(row.pk)
        direct = [link for e in tree for link in graph.by_source_element.get(e, [])]
        reached = graph.reachable_from_elements(tree)
        line: list[MatrixCell] = []
        for column in columns:
            target = column_trees[column.pk]
            hits = [link for link in direct if link.target_element in target]
            whole = [link for link in plan_links if link.target_element in target]
            if hits:
                kind = (
                    Contribution.DIRECT
                    if any(h.contribution == Contribution.DIRECT for h in hits)
                    else Contribution.SUPPORTING
                )
                line.append(MatrixCell(str(kind), [h.pk for h in hits]))
            elif whole:
                line.append(MatrixCell("plan", [w.pk for w in whole]))
            elif reached & target:
                line.append(MatrixCell("indirect"))
            else:
                line.append(MatrixCell(""))
        cells.append(line)
    return Matrix(plan=plan, higher_plan=higher_plan, rows=rows, columns=columns, cells=cells)


def matrix_candidates(plan: Plan, *, viewer: Any = None) -> list[Plan]:
    """Return the plans above this one that it reaches, for choosing a matrix's columns."""
    graph = AlignmentGraph.upward_from([plan.pk], viewer)
    return list(Plan.objects.filter(pk__in=graph.plan_ids - {plan.pk}).order_by("level", "code"))


# --- Report (c): the gaps ----------------------------------------------------------------------


@dataclass
class ServedElement:
    """An element of the plan being checked, with the plans below that serve it.

    `plans` pairs each serving plan with how: "direct" or "supporting" for a link straight
    into the element (or under it), "indirect" when the plan reaches it through other plans.
    """

    element: PlanElement
    plans: list[tuple[Plan, str]]

    @property
    def strongest(self) -> str:
        kinds = {how for _, how in self.plans}
        for kind in ("direct", "supporting", "indirect"):
            if kind in kinds:
                return kind
        return ""


@dataclass
class Gaps:
    plan: Plan
    level: int | None
    served: list[ServedElement]
    unserved: list[PlanElement]
    serving_nothing: list[PlanElement]

    @property
    def without_direct(self) -> list[ServedElement]:
        """Served elements that no plan serves by a direct contribution."""
        return [s for s in self.served if s.strongest != "direct"]


def _labels_reaching(
    graph: AlignmentGraph, seeds: dict[int, frozenset[int]]
) -> Callable[[int], frozenset[int]]:
    """Return a memoised function: the seed labels an element reaches going upward.

    An element reaches what it is part of, what it links to, what its whole plan links to, and
    everything those reach. Each element is worked out once, so a whole hierarchy costs one pass.
    """
    memo: dict[int, frozenset[int]] = {}
    in_progress: set[int] = set()
    empty: frozenset[int] = frozenset()

    def reach(element: int) -> frozenset[int]:
        if element in memo:
            return memo[element]
        if element in in_progress:  # a cycle the rules should have refused: stop here
            return empty
        in_progress.add(element)
        found = set(seeds.get(element, empty))
        parent = graph.parent.get(element)
        if parent is not None:
            found |= reach(parent)
        for link in graph.by_source_element.get(element, []):
            found |= reach(link.target_element)
        for link in graph.plan_level_links.get(graph.plan_of.get(element, -1), []):
            found |= reach(link.target_element)
        in_progress.discard(element)
        memo[element] = frozenset(found)
        return memo[element]

    return reach


def alignment_gaps(
    plan: Plan, *, level: int | None = None, depth: int = 0, viewer: Any = None
) -> Gaps:
    """Find the plan's elements no plan below serves, and its elements that serve nothing above.

    `level` restricts "below" to plans of that level (3 for action plans). Serving counts links
    to the element or anything under it, directly or through plans in between. Only elements
    down to `depth` are reported (0: the top-level strategies). The links below the plan are
    loaded with one query per level and walked once in memory.
    """
    down = AlignmentGraph.downward_from([plan.pk], viewer)
    top = list(
        PlanElement.objects.filter(plan=plan, depth__lte=depth)
        .select_related("plan")
        .order_by("path")
    )
    reported = {e.pk for e in top}
    seeds = {
        pk: frozenset({x for x in (pk, *down.ancestors(pk)) if x in reported})
        for pk, owner in down.plan_of.items()
        if owner == plan.pk
    }
    reach = _labels_reaching(down, seeds)
    elements_of: dict[int, list[int]] = defaultdict(list)
    for pk, owner in down.plan_of.items():
        elements_of[owner].append(pk)
    lower_plans = {
        p.pk: p
        for p in Plan.objects.filter(pk__in=down.plan_ids - {plan.pk}).order_by("level", "code")
        if p.level >= plan.level and (level is None or p.level == level)
    }
    how: dict[int, dict[int, str]] = defaultdict(dict)  # element -> plan -> how
    for plan_id in lower_plans:
        reached: set[int] = set()
        for element in elements_of.get(plan_id, []):
            reached |= reach(element)
        for link in down.plan_level_links.get(plan_id, []):
            reached |= reach(link.target_element)
        for element in reached:
            how[element][plan_id] = "indirect"
        for link in down.by_source_plan.get(plan_id, []):
            if link.target_plan != plan.pk:
                continue
            for element in reach(link.target_element):
                if how[element].get(plan_id) != "direct":
                    how[element][plan_id] = link.contribution
    served: list[ServedElement] = []
    unserved: list[PlanElement] = []
    for reported_element in top:
        by_plan = how.get(reported_element.pk, {})
        if by_plan:
            pairs = [(lower_plans[p], by_plan[p]) for p in sorted(by_plan)]
            served.append(ServedElement(reported_element, pairs))
        else:
            unserved.append(reported_element)
    up = AlignmentGraph.upward_from([plan.pk], viewer)
    serving_nothing: list[PlanElement] = []
    if plan.level > 1 and not up.plan_level_links.get(plan.pk):
        serving_nothing = [
            e
            for e in top
            if not any(up.by_source_element.get(x) for x in up.subtree(e.pk))
            and not any(up.by_source_element.get(a) for a in up.ancestors(e.pk))
        ]
    return Gaps(
        plan=plan, level=level, served=served, unserved=unserved, serving_nothing=serving_nothing
    )


# --- The cascade diagram ---------------------------------------------------------------------


@dataclass
class Cascade:
    plan: Plan
    levels: dict[int, list[Plan]]
    edges: list[tuple[int, int]]


def plan_cascade(plan: Plan, *, viewer: Any = None) -> Cascade:
    """Return the plans this plan serves, level by level up to the National Strategy."""
    graph = AlignmentGraph.upward_from([plan.pk], viewer)
    plans = {p.pk: p for p in Plan.objects.filter(pk__in=graph.plan_ids).select_related("owner")}
    levels: dict[int, list[Plan]] = defaultdict(list)
    for p in sorted(plans.values(), key=lambda p: (p.level, p.code)):
        levels[p.level].append(p)
    edges = sorted({(link.source_plan, link.target_plan) for link in graph.links})
    return Cascade(plan=plan, levels=dict(sorted(levels.items())), edges=edges)


# --- Lookups by code, used by every interface ------------------------------------------------


def plan_get(code: str) -> Plan:
    """Return the plan with `code`, or raise `NotFound`."""
    plan = Plan.objects.select_related("owner").filter(code=code).first()
    if plan is None:
        raise NotFound(PlanError.NOT_FOUND, _("No plan has the code “%(code)s”.") % {"code": code})
    return plan


def element_get(code: str) -> PlanElement:
    """Return the element with `code`, or raise `NotFound`."""
    element = PlanElement.objects.select_related("plan", "plan__owner").filter(code=code).first()
    if element is None:
        raise NotFound(
            ElementError.NOT_FOUND, _("No plan element has the code “%(code)s”.") % {"code": code}
        )
    return element


def _unknown(code: str, field: str) -> ValidationFailed:
    message = _("Unknown code “%(code)s”.") % {"code": code}
    return ValidationFailed(PlanError.UNKNOWN_CODE, message, detail={"fields": {field: message}})


def resolve_codes(
    *,
    owner: str | None = None,
    region: str | None = None,
    special_zone: str | None = None,
    local_organisation: str | None = None,
    predecessor: str | None = None,
    parent_programme: str | None = None,
    provinces: Iterable[str] | None = None,
    partners: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Turn codes from the API, CLI or reference files into objects, naming any unknown code."""
    resolved: dict[str, Any] = {}

    def one(field: str, model: Any, value: str | None) -> None:
        if value is None:
            return
        if value == "":
            resolved[field] = None
            return
        obj = model.objects.filter(code=value).first()
        if obj is None:
            raise _unknown(value, field)
        resolved[field] = obj

    one("owner", Organisation, owner)
    one("region", Region, region)
    one("special_zone", SpecialZone, special_zone)
    one("local_organisation", Organisation, local_organisation)
    one("predecessor", Plan, predecessor)
    one("parent_programme", Plan, parent_programme)
    for name, model, codes in (
        ("provinces", Province, provinces),
        ("partners", Organisation, partners),
    ):
        if codes is None:
            continue
        wanted = list(dict.fromkeys(codes))
        found = {obj.code: obj for obj in model.objects.filter(code__in=wanted)}
        missing = [c for c in wanted if c not in found]
        if missing:
            raise _unknown(", ".join(missing), name)
        resolved[name] = [found[c] for c in wanted]
    return resolved


# --- Versions --------------------------------------------------------------------------------

SNAPSHOT_PLAN_FIELDS = (
    "code",
    "name_th",
    "name_en",
    "short_name_th",
    "description_th",
    "description_en",
    "level",
    "kind",
    "status",
    "area_type",
    "start_year",
    "end_year",
    "phase",
    "content_status",
    "content_note",
)
SNAPSHOT_ELEMENT_FIELDS = (
    "code",
    "kind",
    "label_th",
    "number",
    "title_th",
    "title_en",
    "description_th",
    "description_en",
    "content_recorded",
    "position",
    "depth",
    "path",
)
SNAPSHOT_LINK_FIELDS = ("contribution", "rationale", "rationale_en")


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    """Return the plan, its outline and its upward links as plain data (three queries)."""
    fields = {name: getattr(plan, name) for name in SNAPSHOT_PLAN_FIELDS}
    fields["owner"] = plan.owner.code
    fields["provinces"] = sorted(p.code for p in plan.provinces.all())
    elements = PlanElement.objects.filter(plan=plan).select_related("parent").order_by("path")
    links = plan_links_up(plan)
    return {
        "plan": fields,
        "elements": [
            {
                **{name: getattr(e, name) for name in SNAPSHOT_ELEMENT_FIELDS},
                "parent": e.parent.code if e.parent else None,
            }
            for e in elements
        ],
        "links": [
            {
                "source_element": link.source_element.code if link.source_element else None,
                "target_element": link.target_element.code,
                "target_number": link.target_element.number,
                "target_title_th": link.target_element.title_th,
                "target_title_en": link.target_element.title_en,
                "target_plan": link.target_plan.code,
                "target_plan_name_th": link.target_plan.name_th,
                "target_plan_name_en": link.target_plan.name_en,
                "target_plan_level": link.target_plan.level,
                **{name: getattr(link, name) for name in SNAPSHOT_LINK_FIELDS},
            }
            for link in links
        ],
    }


def version_list(plan: Plan) -> list[PlanVersion]:
    """Return the plan's frozen versions, newest first, with their decisions."""
    return list(
        PlanVersion.objects.filter(plan=plan)
        .select_related("decision", "decision__deciding_organisation")
        .order_by("-number")
    )


def version_get(plan: Plan, number: int) -> PlanVersion:
    """Return version `number` of the plan, or raise `NotFound`."""
    version = (
        PlanVersion.objects.filter(plan=plan, number=number).select_related("decision").first()
    )
    if version is None:
        raise NotFound(
            PlanError.VERSION_NOT_FOUND,
            _("The plan has no version %(number)s.") % {"number": number},
        )
    return version


def published_plan_ids(plan_ids: Iterable[int]) -> set[int]:
    """Return which of these plans have a published version (one query)."""
    return set(
        PlanVersion.objects.filter(plan_id__in=set(plan_ids)).values_list("plan_id", flat=True)
    )


def published_version(plan: Plan) -> PlanVersion | None:
    """Return the version the public sees: the newest frozen one."""
    return PlanVersion.objects.filter(plan=plan).order_by("-number").first()


@dataclass
class Change:
    key: str
    kind: str  # "added", "removed" or "changed"
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def fields(self) -> list[str]:
        if self.before is None or self.after is None:
            return []
        return sorted(k for k in self.after if self.before.get(k) != self.after.get(k))


@dataclass
class VersionDiff:
    plan_fields: list[tuple[str, Any, Any]]
    elements: list[Change]
    links: list[Change]

    @property
    def empty(self) -> bool:
        return not (self.plan_fields or self.elements or self.links)


def _changes(
    old: list[dict[str, Any]], new: list[dict[str, Any]], key: Any, ignore: set[str]
) -> list[Change]:
    before = {key(row): row for row in old}
    after = {key(row): row for row in new}
    out: list[Change] = []
    for k, row in after.items():
        if k not in before:
            out.append(Change(str(k), "added", None, row))
        else:
            old_row = {f: v for f, v in before[k].items() if f not in ignore}
            new_row = {f: v for f, v in row.items() if f not in ignore}
            if old_row != new_row:
                out.append(Change(str(k), "changed", old_row, new_row))
    out.extend(Change(str(k), "removed", row, None) for k, row in before.items() if k not in after)
    return out


def version_diff(old: dict[str, Any], new: dict[str, Any]) -> VersionDiff:
    """Compare two snapshots: plan fields, elements (by code) and links (by their two ends).

    Positions and paths are left out of element changes: renumbering after an insertion is not a
    change of the element itself.
    """
    plan_fields = [
        (name, old["plan"].get(name), value)
        for name, value in new["plan"].items()
        if old["plan"].get(name) != value and name != "status"
    ]
    elements = _changes(
        old["elements"], new["elements"], lambda r: r["code"], {"position", "path", "depth"}
    )
    links = _changes(
        old["links"],
        new["links"],
        lambda r: (r["source_element"] or "(plan)", r["target_element"]),
        set(),
    )
    return VersionDiff(plan_fields=plan_fields, elements=elements, links=links)


def outline_from_snapshot(plan: Plan, snapshot: dict[str, Any]) -> list[OutlineNode]:
    """Rebuild an outline tree from a frozen snapshot (unsaved elements, no queries)."""
    nodes: dict[str, OutlineNode] = {}
    roots: list[OutlineNode] = []
    for row in snapshot["elements"]:
        values = {k: row[k] for k in SNAPSHOT_ELEMENT_FIELDS if k in row}
        parent = nodes.get(row.get("parent") or "")
        element = PlanElement(plan=plan, parent=parent.element if parent else None, **values)
        node = OutlineNode(element)
        nodes[row["code"]] = node
        (parent.children if parent else roots).append(node)
    return roots


def links_from_snapshot(plan: Plan, snapshot: dict[str, Any]) -> list[AlignmentLink]:
    """Rebuild the upward links of a frozen snapshot as unsaved objects (no queries)."""
    elements = {row["code"]: row for row in snapshot["elements"]}
    out: list[AlignmentLink] = []
    for row in snapshot["links"]:
        target_plan = Plan(
            code=row["target_plan"],
            name_th=row["target_plan_name_th"],
            name_en=row.get("target_plan_name_en", ""),
            level=row["target_plan_level"],
        )
        target = PlanElement(
            plan=target_plan,
            code=row["target_element"],
            number=row.get("target_number", ""),
            title_th=row["target_title_th"],
            title_en=row.get("target_title_en", ""),
        )
        source = None
        if row["source_element"]:
            values = elements.get(row["source_element"], {"code": row["source_element"]})
            source = PlanElement(
                plan=plan, **{k: values[k] for k in SNAPSHOT_ELEMENT_FIELDS if k in values}
            )
        out.append(
            AlignmentLink(
                source_plan=plan,
                source_element=source,
                target_plan=target_plan,
                target_element=target,
                **{name: row.get(name, "") for name in SNAPSHOT_LINK_FIELDS},
            )
        )
    return out


def decision_list(plan: Plan) -> list[PlanDecision]:
    """Return the plan's lifecycle steps, oldest first."""
    return list(
        PlanDecision.objects.filter(plan=plan)
        .select_related("deciding_organisation", "actor")
        .order_by("created_at", "pk")
    )
