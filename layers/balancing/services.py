"""Balancing plans: computed from the buildings of a village or township, stored as drafts,
diffed against the current grids and applied as a new version of them.

`balance_area` is the analysis (a plain function); `grid_plan_create`, `grid_plan_apply` and
`grid_plan_discard` are the writes.
"""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial

import numpy as np
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.areas.models import AdminArea, AreaLevel
from layers.balancing import partition
from layers.balancing.models import Plan, PlanAssignment, PlanGrid, PlanStatus, TargetKind
from layers.common.sql import template as app_template
from layers.grids.constants import DEFAULT_WINDOW
from layers.grids.models import Grid, GridKind, GridStaff, StaffRole
from layers.grids.topology import grid_edits_checked, grid_topology_enforce_now
from layers.grids.workload import WorkloadWeights

template = partial(app_template, "balancing")

Progress = Callable[[int, int | None], None]

CELLS_INDEX = [
    "CREATE INDEX ON balancing_cells USING gist (geom)",
    "CREATE INDEX ON balancing_cells (village_id)",
    "CREATE UNIQUE INDEX ON balancing_cells (unit_id)",
    "ANALYZE balancing_cells",
]


class PlanRefused(Exception):
    """A plan that cannot be made, applied or discarded, with the reason for people."""


@dataclass
class VillageBalance:
    """One village's units, the labels found for them and the polygons of the parts."""

    village: AdminArea
    unit_ids: np.ndarray
    building_ids: list[list[int]]
    unit_grid: np.ndarray  # each unit's current grid id (0 when none)
    graph: partition.UnitGraph
    outcome: partition.Outcome
    polygons: list[GEOSGeometry] = field(default_factory=list)
    compactness: list[float] = field(default_factory=list)

    @property
    def k(self) -> int:
        return len(self.outcome.loads)


@dataclass
class BalanceResult:
    villages: list[VillageBalance]
    households_moved: int
    summary: dict


def weights_from(data: dict | None) -> WorkloadWeights:
    """Workload weights from a request's dict (missing keys take the defaults)."""
    if not data:
        return WorkloadWeights()
    known = WorkloadWeights.__dataclass_fields__
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise PlanRefused(_("Unknown workload weights: %(names)s") % {"names": ", ".join(unknown)})
    try:
        return WorkloadWeights(**data)
    except TypeError as exc:
        raise PlanRefused(str(exc)) from exc


def _villages_of(parent: AdminArea) -> list[AdminArea]:
    if parent.level == AreaLevel.VILLAGE:
        return [parent]
    return list(
        AdminArea.objects.inside_code(parent.code).filter(level=AreaLevel.VILLAGE).order_by("code")
    )


def grid_counts(loads: list[float], target_kind: str, target_value: float) -> list[int]:
    """Grids per village: workload ÷ target, or a number of grids shared by workload."""
    if target_kind == TargetKind.WORKLOAD:
        return [max(1, round(load / target_value)) for load in loads]
    total = sum(loads) or 1.0
    count = int(target_value)
    if count < len(loads):
        raise PlanRefused(
            _("%(count)d grids cannot cover %(villages)d villages: each needs one at least.")
            % {"count": count, "villages": len(loads)}
        )
    shares = [count * load / total for load in loads]
    counts = [max(1, int(share)) for share in shares]
    by_remainder = sorted(range(len(loads)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: max(0, count - sum(counts))]:
        counts[i] += 1
    return counts


def balance_area(
    parent: AdminArea,
    *,
    target_kind: str,
    target_value: float,
    weights: WorkloadWeights | None = None,
    from_current: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    tolerance: float = partition.TOLERANCE,
    progress: Progress | None = None,
) -> BalanceResult:
    """Every building of a village, or of the villages of a township or county (village by
    village: grids never cross a village's boundary), assigned to a new basic grid; exclusive
    grids are left as they are.

    Must run inside a transaction (the units live in a temporary table dropped at commit).
    """
    if target_value <= 0:
        raise PlanRefused(_("The target must be positive."))
    progress = progress or (lambda done, total: None)
    loaded = load_units(parent, weights=weights, since=since, until=until)
    total_steps = len(loaded) + 1  # the cells, then each village
    progress(1, total_steps)
    counts = grid_counts(
        [float(item.graph.weight.sum()) for item in loaded], target_kind, target_value
    )
    results = []
    for step, (item, k) in enumerate(zip(loaded, counts, strict=True)):
        if len(item.graph):
            start = current_labels(item) if from_current else None
            item.outcome = partition.balance(item.graph, k, start=start, tolerance=tolerance)
            dissolve(item)
            results.append(item)
        progress(2 + step, total_steps)
    moved = sum(households_moved(item) for item in results)
    return BalanceResult(results, moved, _summary(results, moved, target_kind, target_value))


def load_units(
    parent: AdminArea,
    *,
    weights: WorkloadWeights | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[VillageBalance]:
    """The building units of each village under the parent, with their cells (in a temporary
    table for the rest of the transaction), weights and adjacency."""
    weights = weights or WorkloadWeights()
    until = until or timezone.now()
    since = since or until - DEFAULT_WINDOW
    villages = _villages_of(parent)
    parameters = {
        "village_ids": [village.pk for village in villages],
        "since": since,
        "until": until,
        "category_weights": json.dumps(weights.category_weights),
        "default_category_weight": weights.default_category_weight,
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS balancing_units, balancing_voronoi, balancing_cells")
        # Steps apart, so that each later one joins an indexed, analysed table.
        cursor.execute(template("cells_units"), parameters)
        cursor.execute("CREATE INDEX ON balancing_units USING gist (point)")
        cursor.execute(template("cells_voronoi"), parameters)
        cursor.execute(template("cells"), parameters)
        for statement in CELLS_INDEX:
            cursor.execute(statement)
        cursor.execute(template("cells_incidents"), parameters)
        return [_load_village(cursor, village, weights) for village in villages]


def _load_village(cursor, village: AdminArea, weights: WorkloadWeights) -> VillageBalance:
    cursor.execute(template("units"), {"village_id": village.pk})
    rows = cursor.fetchall()
    index = {row[0]: i for i, row in enumerate(rows)}
    cursor.execute(template("unit_adjacency"), {"village_id": village.pk})
    edges = [(index[a], index[b]) for a, b in cursor.fetchall()]
    households = np.array([row[3] for row in rows], dtype=np.int64)
    residents = np.array([row[4] for row in rows], dtype=float)
    incidents = np.array([row[5] for row in rows], dtype=float)
    area_km2 = np.array([row[6] for row in rows], dtype=float)
    # Travel (mean distance to a grid's centre) does not add up over buildings; the other
    # terms do, so each building carries its share of them.
    weight = (
        weights.per_household * households
        + weights.per_resident * residents
        + weights.per_weighted_incident * incidents
        + weights.per_km2 * area_km2
    )
    graph = partition.UnitGraph.build(weight, households, [(row[7], row[8]) for row in rows], edges)
    empty = partition.Outcome(np.zeros(len(rows), dtype=np.int64), 0.0, np.zeros(0), 0.0, True)
    return VillageBalance(
        village,
        np.array([row[0] for row in rows], dtype=np.int64),
        [row[1] for row in rows],
        np.array([row[2] or 0 for row in rows], dtype=np.int64),
        graph,
        empty,
    )


def current_labels(item: VillageBalance) -> np.ndarray:
    """Units labelled by their current grid; a unit in no grid takes a neighbour's label."""
    _grids, labels = np.unique(item.unit_grid, return_inverse=True)
    if (item.unit_grid == 0).any() and (item.unit_grid != 0).any():
        labels = labels - 1  # grid id 0 (none) sorts first
        for _round in range(len(labels)):
            missing = np.flatnonzero(labels < 0)
            if not len(missing):
                break
            for unit in missing:
                known = [o for o in item.graph.neighbours[unit] if labels[o] >= 0]
                if known:
                    labels[unit] = labels[known[0]]
        labels[labels < 0] = 0
    return labels.astype(np.int64)


def dissolve(item: VillageBalance, labels: np.ndarray | None = None) -> list[float]:
    """The parts' polygons (on the item, unless other labels are given) and their
    Polsby-Popper compactness (4πA/P², 1 for a disc), measured in the village's frame."""
    with connection.cursor() as cursor:
        cursor.execute(
            template("dissolve"),
            {
                "unit_ids": item.unit_ids.tolist(),
                "labels": (item.outcome.labels if labels is None else labels).tolist(),
            },
        )
        rows = cursor.fetchall()
    if labels is None:
        item.polygons = [GEOSGeometry(memoryview(row[1])) for row in rows]
        item.compactness = [row[2] for row in rows]
    return [row[2] for row in rows]


def households_moved(item: VillageBalance, labels: np.ndarray | None = None) -> int:
    """Households of this village leaving their grid: each new part is named after the current
    grid it continues, and a building in a grid now moves if its part is named otherwise."""
    labels = item.outcome.labels if labels is None else labels
    continued = _continued_grids(item, labels)
    named = np.array([continued.get(int(label), -1) for label in labels])
    leaving = (named != item.unit_grid) & (item.unit_grid != 0)
    return int(item.graph.households[leaving].sum())


def _continued_grids(item: VillageBalance, labels: np.ndarray | None = None) -> dict[int, int]:
    """New part → the current grid sharing most households with it, one to one."""
    labels = item.outcome.labels if labels is None else labels
    overlap: dict[tuple[int, int], int] = {}
    for grid, label, households in zip(item.unit_grid, labels, item.graph.households, strict=True):
        if grid:
            key = (int(label), int(grid))
            # +1: a building without households still ties a part to its grid.
            overlap[key] = overlap.get(key, 0) + int(households) + 1
    continued: dict[int, int] = {}
    taken: set[int] = set()
    for (label, grid), _count in sorted(overlap.items(), key=lambda entry: -entry[1]):
        if label not in continued and grid not in taken:
            continued[label] = grid
            taken.add(grid)
    return continued


def _summary(results, moved, target_kind, target_value) -> dict:
    villages = []
    worst = 0.0
    for item in results:
        outcome = item.outcome
        worst = max(worst, outcome.worst_deviation)
        villages.append(
            {
                "village": item.village.code,
                "grids": item.k,
                "buildings": int(sum(len(ids) for ids in item.building_ids)),
                "ideal_workload": round(float(outcome.ideal), 2),
                "worst_deviation_pct": round(100 * outcome.worst_deviation, 2),
                "within_tolerance": outcome.within_tolerance,
                "reason": _reason_text(item) if not outcome.within_tolerance else "",
                "households_moved": households_moved(item),
                "mean_polsby_popper": round(float(np.mean(item.compactness)), 3),
            }
        )
    return {
        "target_kind": target_kind,
        "target_value": target_value,
        "tolerance_pct": 100 * partition.TOLERANCE,
        "worst_deviation_pct": round(100 * worst, 2),
        "households_moved": moved,
        "households": int(sum(item.graph.households.sum() for item in results)),
        "villages": villages,
    }


def _reason_text(item: VillageBalance) -> str:
    outcome = item.outcome
    if outcome.reason == "single_unit_heavier_than_tolerance":
        heaviest = int(np.argmax(item.graph.weight))
        return _(
            "Building %(building)s alone weighs %(weight).1f, more than the ±%(tolerance).1f "
            "tolerance allows; this is the best achievable."
        ) % {
            "building": item.building_ids[heaviest][0],
            "weight": item.graph.weight[heaviest],
            "tolerance": partition.TOLERANCE * outcome.ideal,
        }
    return _("No move of a boundary building keeps every grid contiguous and evens them more.")


# --- plans --------------------------------------------------------------------------------


def _base_grids(villages: list[AdminArea]) -> list[int]:
    return sorted(
        Grid.objects.current()
        .filter(village__in=villages, kind=GridKind.BASIC)
        .values_list("pk", flat=True)
    )


def grid_plan_create(
    *,
    parent: AdminArea,
    target_kind: str,
    target_value: float,
    weights: dict | None = None,
    from_current: bool = False,
    user=None,
    progress: Progress | None = None,
) -> Plan:
    """Balances the parent and stores the outcome as a draft plan."""
    if target_kind not in TargetKind.values:
        raise PlanRefused(_("The target kind is 'grids' or 'workload'."))
    workload_weights = weights_from(weights)
    with transaction.atomic():
        result = balance_area(
            parent,
            target_kind=target_kind,
            target_value=target_value,
            weights=workload_weights,
            from_current=from_current,
            progress=progress,
        )
        if not result.villages:
            raise PlanRefused(_("%(code)s has no buildings to balance.") % {"code": parent.code})
        plan = Plan.objects.create(
            parent=parent,
            target_kind=target_kind,
            target_value=target_value,
            weights=asdict(workload_weights),
            from_current=from_current,
            summary=result.summary,
            base_grids=_base_grids([item.village for item in result.villages]),
            created_by=user,
        )
        for item in result.villages:
            _store_village(plan, item)
    return plan


def _store_village(plan: Plan, item: VillageBalance) -> None:
    continued = _continued_grids(item)
    codes = dict(Grid.objects.filter(pk__in=continued.values()).values_list("pk", "code"))
    fresh_codes = _fresh_codes(item.village, item.k - len(continued))
    plan_grids = []
    for label, polygon in enumerate(item.polygons):
        if polygon.geom_type != "Polygon":
            raise PlanRefused(
                _("Grid %(label)d of %(village)s dissolves into %(parts)d pieces.")
                % {"label": label, "village": item.village.code, "parts": polygon.num_geom}
            )
        members = item.outcome.labels == label
        grid_id = continued.get(label)
        plan_grids.append(
            PlanGrid(
                plan=plan,
                village=item.village,
                code=codes[grid_id] if grid_id else fresh_codes.pop(0),
                geom=polygon,
                households=int(item.graph.households[members].sum()),
                workload=float(item.outcome.loads[label]),
                continues_id=grid_id,
            )
        )
    PlanGrid.objects.bulk_create(plan_grids)
    unit_plan_grid = np.array([plan_grids[label].pk for label in item.outcome.labels])
    with connection.cursor() as cursor:
        cursor.execute(
            template("store_assignments"),
            {
                "plan_id": plan.pk,
                "unit_ids": item.unit_ids.tolist(),
                "plan_grid_ids": unit_plan_grid.tolist(),
            },
        )


def _fresh_codes(village: AdminArea, count: int) -> list[str]:
    """Codes for new grids: the village code and the next free three-digit numbers."""
    used = {
        int(code[len(village.code) :])
        for code in Grid.objects.filter(village=village).values_list("code", flat=True)
        if code.startswith(village.code) and code[len(village.code) :].isdigit()
    }
    start = max(used, default=0) + 1
    return [f"{village.code}{number:03d}" for number in range(start, start + count)]


def _locked_draft(plan_id: int) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise PlanRefused(
            _("Plan %(id)d is %(status)s, not a draft.")
            % {"id": plan.pk, "status": plan.get_status_display()}
        )
    return plan


def grid_plan_discard(*, plan: Plan, user=None) -> Plan:
    with transaction.atomic():
        plan = _locked_draft(plan.pk)
        plan.status = PlanStatus.DISCARDED
        plan.decided_by, plan.decided_at = user, timezone.now()
        plan.save(update_fields=["status", "decided_by", "decided_at"])
    return plan


def grid_plan_apply(*, plan: Plan, user=None) -> Plan:
    """Closes the current basic grids of the plan's villages and inserts the plan's as new
    versions, in one transaction checked for topology. Buildings and incidents follow the new
    shapes (the location triggers); each gridder goes to the grid keeping most of their
    households."""
    today = timezone.localdate()
    with grid_edits_checked():
        plan = _locked_draft(plan.pk)
        villages = list(AdminArea.objects.filter(pk__in=plan.grids.values("village")))
        if _base_grids(villages) != plan.base_grids:
            raise PlanRefused(
                _("The grids of %(code)s changed after plan %(id)d was made; make a new plan.")
                % {"code": plan.parent.code, "id": plan.pk}
            )
        old_grids = list(Grid.objects.filter(pk__in=plan.base_grids).select_for_update())
        staff = list(GridStaff.objects.filter(grid__in=old_grids).order_by("role", "pk"))
        staff_rows = [(member.grid_id, member.user_id, member.role) for member in staff]
        closing = [grid.pk for grid in old_grids if grid.valid_from < today]
        # A grid drawn today has no earlier version to keep: it is replaced outright.
        Grid.objects.filter(pk__in=closing).update(valid_to=today)
        Grid.objects.filter(pk__in=plan.base_grids).exclude(pk__in=closing).delete()
        plan_grids = list(plan.grids.all())
        created = Grid.objects.bulk_create(
            [
                Grid(
                    code=plan_grid.code,
                    name=plan_grid.continues.name if plan_grid.continues else plan_grid.code,
                    village_id=plan_grid.village_id,
                    kind=GridKind.BASIC,
                    geom=plan_grid.geom,
                    valid_from=today,
                    created_by=user,
                )
                for plan_grid in plan_grids
            ]
        )
        for plan_grid, grid in zip(plan_grids, created, strict=True):
            plan_grid.created_grid = grid
        PlanGrid.objects.bulk_update(plan_grids, ["created_grid"])
        _carry_staff(plan, staff_rows)
        grid_topology_enforce_now()
        plan.status = PlanStatus.APPLIED
        plan.decided_by, plan.decided_at = user, timezone.now()
        plan.save(update_fields=["status", "decided_by", "decided_at"])
    return plan


def _carry_staff(plan: Plan, staff_rows: list[tuple[int, int, str]]) -> None:
    """Each person's role moves to the new grid holding most of their old grid's households."""
    heirs = {}
    for row in (
        PlanAssignment.objects.filter(plan=plan, previous_grid__isnull=False)
        .values("previous_grid", "plan_grid__created_grid")
        .annotate(households=Sum("households"))
        .order_by("previous_grid", "-households", "plan_grid__created_grid")
    ):
        heirs.setdefault(row["previous_grid"], row["plan_grid__created_grid"])
    headed: set[int] = set()
    placed: set[tuple[int, int]] = set()
    memberships = []
    for old_grid, user_id, role in staff_rows:
        grid = heirs.get(old_grid)
        if grid is None or (grid, user_id) in placed:
            continue
        if role == StaffRole.HEAD and grid in headed:
            role = StaffRole.MEMBER  # one head per grid: the second head joins as a member
        headed.update([grid] if role == StaffRole.HEAD else [])
        placed.add((grid, user_id))
        memberships.append(GridStaff(grid_id=grid, user_id=user_id, role=role))
    GridStaff.objects.bulk_create(memberships)


# --- diff ---------------------------------------------------------------------------------


def plan_diff(plan: Plan) -> dict:
    """What applying the plan changes: per grid code the households before and after, and the
    buildings that move to a grid of another code."""
    with connection.cursor() as cursor:
        cursor.execute(template("diff_grids"), {"plan_id": plan.pk})
        grids = [
            {
                "code": code,
                "households_before": before,
                "households_after": after,
                "workload_after": round(workload, 2) if workload is not None else None,
                "change": change,
            }
            for code, before, after, workload, change in cursor.fetchall()
        ]
        cursor.execute(template("diff_moves"), {"plan_id": plan.pk})
        moves = [
            {
                "building": building,
                "from": source,
                "to": target,
                "households": households,
                "geometry": json.loads(point),
            }
            for building, source, target, households, point in cursor.fetchall()
        ]
    return {
        "plan": plan.pk,
        "status": plan.status,
        "households_moved": sum(move["households"] for move in moves),
        "buildings_moved": len(moves),
        "grids": grids,
        "moved_buildings": moves,
    }
