"""Splitting a graph of building units into contiguous, balanced, compact parts.

Pure functions on plain arrays, so a test, the plan service and the benchmark call the same code.
A unit is one building (or several at one point); two units are adjacent when their Voronoi
cells share an edge. Parts are labelled 0..k-1.

From scratch: recursive bisection along each piece's principal axis (compact halves whose
weights are exact to one unit), contiguity repaired, then refined. From a starting plan: only
the refinement, which moves the least weight it can.

Refinement is diffusion load balancing: the flows between neighbouring parts that even the loads
with the least sum of squared flows solve a Laplacian system on the graph of parts; each flow
is then carried out by moving boundary units (those nearest the receiving part first) whose
removal keeps the giving part connected.
"""

from collections import deque
from dataclasses import dataclass, field

import numpy as np

TOLERANCE = 0.02  # ±2 % of the target workload per part
MAX_ROUNDS = 200


@dataclass
class UnitGraph:
    """Units with weight (workload), households, a point (metres) and their neighbours."""

    weight: np.ndarray
    households: np.ndarray
    xy: np.ndarray
    neighbours: list[list[int]]

    @classmethod
    def build(cls, weight, households, xy, edges) -> "UnitGraph":
        n = len(weight)
        neighbours: list[list[int]] = [[] for _ in range(n)]
        for a, b in edges:
            neighbours[a].append(b)
            neighbours[b].append(a)
        return cls(
            np.asarray(weight, dtype=float),
            np.asarray(households, dtype=np.int64),
            np.asarray(xy, dtype=float).reshape(n, 2),
            neighbours,
        )

    def __len__(self) -> int:
        return len(self.weight)


@dataclass
class Outcome:
    labels: np.ndarray
    ideal: float
    loads: np.ndarray
    worst_deviation: float  # the largest |load - ideal| / ideal
    within_tolerance: bool
    reason: str = ""  # why the tolerance was not reached, when it was not
    notes: list[str] = field(default_factory=list)


# --- from scratch -------------------------------------------------------------------------


def bisect(graph: UnitGraph, k: int) -> np.ndarray:
    """Labels 0..k-1 by recursive bisection along principal axes, then made contiguous."""
    labels = np.zeros(len(graph), dtype=np.int64)
    _bisect(graph, np.arange(len(graph)), k, 0, labels)
    return make_contiguous(graph, labels, k)


def _bisect(graph: UnitGraph, members: np.ndarray, k: int, first: int, labels: np.ndarray):
    if k == 1 or len(members) <= 1:
        labels[members] = first
        return
    left_k = k // 2
    order = members[np.argsort(_principal_projection(graph, members), kind="stable")]
    cumulative = np.cumsum(graph.weight[order])
    share = cumulative[-1] * left_k / k
    cut = int(np.searchsorted(cumulative, share))
    # The unit crossing the share goes to whichever side it leaves closer to its share.
    if cut < len(order) and cumulative[cut] - share < share - (cumulative[cut - 1] if cut else 0):
        cut += 1
    cut = min(max(cut, 1), len(order) - 1)
    _bisect(graph, order[:cut], left_k, first, labels)
    _bisect(graph, order[cut:], k - left_k, first + left_k, labels)


def _principal_projection(graph: UnitGraph, members: np.ndarray) -> np.ndarray:
    points = graph.xy[members]
    centred = points - points.mean(axis=0)
    if len(members) < 2 or not np.any(centred):
        return centred[:, 0]
    _values, vectors = np.linalg.eigh(centred.T @ centred)
    return centred @ vectors[:, -1]


# --- contiguity ---------------------------------------------------------------------------


def components(graph: UnitGraph, labels: np.ndarray, label: int) -> list[list[int]]:
    """The connected pieces of one part, largest weight first."""
    members = np.flatnonzero(labels == label)
    seen: set[int] = set()
    pieces = []
    for start in members:
        if start in seen:
            continue
        piece = _reach(graph, labels, int(start), label, skip=-1)
        seen.update(piece)
        pieces.append(list(piece))
    pieces.sort(key=lambda piece: -graph.weight[piece].sum())
    return pieces


def _reach(graph: UnitGraph, labels: np.ndarray, start: int, label: int, skip: int) -> set[int]:
    reached = {start}
    queue = deque([start])
    while queue:
        unit = queue.popleft()
        for other in graph.neighbours[unit]:
            if other != skip and other not in reached and labels[other] == label:
                reached.add(other)
                queue.append(other)
    return reached


def is_contiguous(graph: UnitGraph, labels: np.ndarray, k: int) -> bool:
    return all(len(components(graph, labels, label)) <= 1 for label in range(k))


def make_contiguous(graph: UnitGraph, labels: np.ndarray, k: int) -> np.ndarray:
    """Each part keeps its heaviest piece; the others join the part they border most."""
    labels = labels.copy()
    for _round in range(MAX_ROUNDS):
        changed = False
        for label in range(k):
            for piece in components(graph, labels, label)[1:]:
                borders: dict[int, int] = {}
                for unit in piece:
                    for other in graph.neighbours[unit]:
                        if labels[other] != label:
                            borders[int(labels[other])] = borders.get(int(labels[other]), 0) + 1
                if borders:
                    labels[piece] = max(borders, key=borders.get)
                    changed = True
        if not changed:
            break
    return labels


# --- changing the number of parts ---------------------------------------------------------


def adjust_count(graph: UnitGraph, labels: np.ndarray, k: int) -> np.ndarray:
    """Labels with exactly k non-empty parts: the heaviest split in two, or the lightest merged."""
    labels = _compact_labels(labels)
    while labels.max(initial=-1) + 1 < min(k, len(graph)):
        loads = np.bincount(labels, weights=graph.weight)
        heaviest = int(np.argmax(loads))
        members = np.flatnonzero(labels == heaviest)
        halves = np.zeros(len(graph), dtype=np.int64)
        _bisect(graph, members, 2, 0, halves)
        labels[members[halves[members] == 1]] = labels.max() + 1
        labels = make_contiguous(graph, labels, labels.max() + 1)
    while labels.max() + 1 > k:
        loads = np.bincount(labels, weights=graph.weight)
        lightest = int(np.argmin(loads))
        neighbours = _part_neighbours(graph, labels).get(lightest, set())
        into = min(neighbours, key=lambda label: loads[label]) if neighbours else 0
        labels[labels == lightest] = into
        labels = _compact_labels(labels)
    return labels


def _compact_labels(labels: np.ndarray) -> np.ndarray:
    _values, compact = np.unique(labels, return_inverse=True)
    return compact.astype(np.int64)


# --- refinement ---------------------------------------------------------------------------


def _part_neighbours(graph: UnitGraph, labels: np.ndarray) -> dict[int, set[int]]:
    parts: dict[int, set[int]] = {}
    for unit, others in enumerate(graph.neighbours):
        a = int(labels[unit])
        for other in others:
            b = int(labels[other])
            if a != b:
                parts.setdefault(a, set()).add(b)
    return parts


def diffusion_flows(loads: np.ndarray, ideal: float, pairs: list[tuple[int, int]]) -> dict:
    """Flows f[a, b] (a → b, positive) along part adjacencies evening every load to the ideal,
    with the least sum of squared flows: f = x_a - x_b where L x = loads - ideal."""
    k = len(loads)
    laplacian = np.zeros((k, k))
    for a, b in pairs:
        laplacian[a, b] -= 1
        laplacian[b, a] -= 1
        laplacian[a, a] += 1
        laplacian[b, b] += 1
    potential = np.linalg.lstsq(laplacian, loads - ideal, rcond=None)[0]
    flows = {}
    for a, b in pairs:
        flow = potential[a] - potential[b]
        if flow > 0:
            flows[(a, b)] = flow
        elif flow < 0:
            flows[(b, a)] = -flow
    return flows


def refine(
    graph: UnitGraph, labels: np.ndarray, k: int, tolerance: float = TOLERANCE
) -> np.ndarray:
    """Moves boundary units along the diffusion flows until every part is within tolerance."""
    labels = labels.copy()
    ideal = graph.weight.sum() / k
    slack = tolerance * ideal
    for _round in range(MAX_ROUNDS):
        loads = np.bincount(labels, weights=graph.weight, minlength=k)
        if np.abs(loads - ideal).max() <= slack:
            break
        adjacency = _part_neighbours(graph, labels)
        pairs = sorted({(min(a, b), max(a, b)) for a, bs in adjacency.items() for b in bs})
        flows = diffusion_flows(loads, ideal, pairs)
        centres = _centres(graph, labels, k)
        moved_any = False
        for (giver, taker), flow in sorted(flows.items(), key=lambda item: -item[1]):
            moved_any |= _carry(graph, labels, giver, taker, flow, centres)
        if not moved_any:
            break
    return labels


def _centres(graph: UnitGraph, labels: np.ndarray, k: int) -> np.ndarray:
    counts = np.maximum(np.bincount(labels, minlength=k), 1)
    sums = np.stack(
        [np.bincount(labels, weights=graph.xy[:, axis], minlength=k) for axis in (0, 1)], axis=1
    )
    return sums / counts[:, None]


def _carry(graph, labels, giver, taker, flow, centres) -> bool:
    """Moves units giver → taker, as near the flow as whole units go, nearest the taker first,
    keeping the giver contiguous; a unit moves only if it brings the moved weight nearer."""
    moved = 0.0
    any_move = False
    while flow - moved > 0:
        boundary = {
            unit
            for unit in np.flatnonzero(labels == giver)
            if any(labels[other] == taker for other in graph.neighbours[unit])
        }
        candidates = sorted(
            boundary,
            key=lambda unit: (
                np.hypot(*(graph.xy[unit] - centres[taker]))
                - np.hypot(*(graph.xy[unit] - centres[giver]))
            ),
        )
        size = int((labels == giver).sum())
        done = False
        for unit in candidates:
            weight = graph.weight[unit]
            if size <= 1 or weight > 2 * (flow - moved):
                continue
            if not _keeps_connected(graph, labels, unit, giver, size):
                continue
            labels[unit] = taker
            moved += weight
            any_move = done = True
            break
        if not done:
            break
    return any_move


def _keeps_connected(graph, labels, unit, label, size) -> bool:
    """Whether the part stays in one piece without this unit (a BFS from one of its neighbours)."""
    inside = [other for other in graph.neighbours[unit] if labels[other] == label]
    if len(inside) <= 1:
        return True
    return len(_reach(graph, labels, inside[0], label, skip=unit)) == size - 1


# --- the whole ----------------------------------------------------------------------------


def balance(
    graph: UnitGraph, k: int, start: np.ndarray | None = None, tolerance: float = TOLERANCE
) -> Outcome:
    """k contiguous parts within tolerance where the units allow; from `start` when given."""
    k = max(1, min(k, len(graph)))
    if start is None:
        labels = bisect(graph, k)
    else:
        labels = make_contiguous(graph, _compact_labels(start), int(start.max()) + 1)
        labels = adjust_count(graph, labels, k)
    labels = refine(graph, labels, k, tolerance)
    return judge(graph, labels, k, tolerance)


def judge(graph: UnitGraph, labels: np.ndarray, k: int, tolerance: float = TOLERANCE) -> Outcome:
    """The loads and worst deviation of a labelling, and why it misses the tolerance if it does."""
    ideal = graph.weight.sum() / k if k else 0.0
    loads = np.bincount(labels, weights=graph.weight, minlength=k)
    worst = float(np.abs(loads - ideal).max() / ideal) if ideal else 0.0
    within = worst <= tolerance + 1e-9
    reason = ""
    if not within:
        heavy = np.flatnonzero(graph.weight > tolerance * ideal)
        if len(heavy):
            reason = "single_unit_heavier_than_tolerance"
        else:
            reason = "no_boundary_move_keeps_contiguity"
    return Outcome(labels, ideal, loads, worst, within, reason)
