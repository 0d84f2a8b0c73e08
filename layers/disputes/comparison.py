"""Comparing boundaries: every pair of a case's claims and reference versions, in metres.

Pure functions over shapely geometries in a projected CRS (metres), vectorised over all pairs
at once; `layers.disputes.selectors.case_comparison` feeds them a case's boundaries in the
CGCS2000 Gauss–Krüger zone of the place.

Definitions (A and B are the two boundaries of a pair):
- overlap: area of A ∩ B; only_a: area of A − B; only_b: area of B − A; IoU = overlap / (A ∪ B).
- Hausdorff distance: the largest distance from a vertex of either boundary to the other
  boundary's lines (GEOS's discrete Hausdorff distance, computed with a segment index).
- largest offset (a → b): the furthest a vertex of A lies *outside* B, measured to B's
  boundary: how far A's line pushes past B's. `largest_offset_m` is the larger direction.
- strips: the pieces of the symmetric difference, each marked with the side that claims it.
"""

from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

import numpy as np
import shapely
from scipy.spatial import cKDTree

# Pieces of a symmetric difference smaller than this (m²) are rounding noise of the overlay.
STRIP_MIN_AREA_M2 = 0.01


@dataclass(frozen=True)
class Boundary:
    """One boundary of a case in metres: a claim or a reference version."""

    key: str  # "claim:12", "reference:3"
    kind: str  # "claim" or "reference"
    label: str
    geometry: shapely.Geometry
    surveyed_on: date | None = None


@dataclass
class Strip:
    side: str  # the key of the boundary that holds this strip
    area_m2: float
    geometry: shapely.Geometry


@dataclass
class PairComparison:
    a: str
    b: str
    relation: str  # claim-claim, claim-reference, reference-reference
    area_a_m2: float
    area_b_m2: float
    overlap_m2: float
    only_a_m2: float
    only_b_m2: float
    iou: float
    hausdorff_m: float
    offset_a_beyond_b_m: float
    offset_b_beyond_a_m: float
    strips: list[Strip] = field(default_factory=list)

    @property
    def largest_offset_m(self) -> float:
        return max(self.offset_a_beyond_b_m, self.offset_b_beyond_a_m)


def case_pairs(boundaries: list[Boundary]) -> list[tuple[int, int]]:
    """Every claim with every claim and every reference; every reference with every other.

    Claims come first in a pair with a reference; references pair in date order.
    """
    order = sorted(
        range(len(boundaries)),
        key=lambda i: (boundaries[i].kind != "claim", boundaries[i].surveyed_on or date.min, i),
    )
    return list(combinations(order, 2))


class _Outline:
    """A boundary's vertices, and its line segments indexed for exact nearest-line distances.

    GEOS answers "distance from each vertex to the other line" in O(n·m); this answers it from
    a k-d tree of segment midpoints: a segment whose midpoint is at distance d is at least
    d − (its length / 2) away, so the k nearest midpoints settle a point whenever the next
    midpoint is already too far to hold a nearer segment. Long segments are indexed in pieces
    so that bound stays tight; the few points left unsettled are tried again with 8 × as many
    midpoints, and at last against every piece.
    """

    NEAREST = 8
    BLOCK = 8  # vertices stood for by one sample when pruning (see _unpruned_vertices)

    def __init__(self, geometry: shapely.Geometry):
        rings = shapely.get_rings(shapely.get_parts(geometry))
        coordinates, ring_index = shapely.get_coordinates(rings, return_index=True)
        same_ring = ring_index[1:] == ring_index[:-1]  # a segment joins vertices of one ring
        starts, ends = coordinates[:-1][same_ring], coordinates[1:][same_ring]
        lengths = np.hypot(*(ends - starts).T)
        # Pieces of about twice the typical segment keep the bound tight; never more pieces
        # than 5 × the segments, whatever mix of very long and very short segments comes in.
        positive = lengths[lengths > 0]
        typical = float(np.median(positive)) * 2 if positive.size else 1.0
        piece = max(typical, float(lengths.sum()) / (4 * len(lengths)), 1e-9)
        pieces = np.maximum(np.ceil(lengths / piece).astype(int), 1)
        owner = np.repeat(np.arange(len(starts)), pieces)
        step = (np.arange(len(owner)) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / pieces[
            owner
        ]
        direction = ends[owner] - starts[owner]
        self.starts = starts[owner] + direction * step[:, None]
        self.ends = self.starts + direction / pieces[owner][:, None]
        self.half_length = float((lengths / pieces).max()) / 2
        self.vertices = coordinates
        self.tree = cKDTree((self.starts + self.ends) / 2)
        # Each block's first vertex samples it; the radius is how far the block strays from it.
        self.samples = coordinates[:: self.BLOCK]
        block = np.arange(len(coordinates)) // self.BLOCK
        offsets = np.hypot(*(coordinates - self.samples[block]).T)
        self.block_radius = np.maximum.reduceat(offsets, np.arange(0, len(coordinates), self.BLOCK))

    def bounds(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(upper, lower) bounds of each point's distance to this outline, from its nearest
        segment midpoint: the distance to that segment, and the midpoint's distance less half
        a piece."""
        midpoint_distance, nearest = self.tree.query(points)
        upper = _segment_distances(points, self.starts[nearest], self.ends[nearest])
        return upper, np.maximum(midpoint_distance - self.half_length, 0)

    def farthest(
        self, points: np.ndarray, starts: np.ndarray, outside: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each block of `points` (blocks begin at `starts`): the largest exact distance
        from its points to this outline, and the same over its points `outside` the target.

        The nearest midpoint gives each point an upper bound (the distance to that segment)
        and a lower bound (midpoint distance − half a piece); only points whose upper bound
        reaches their block's best lower bound can be its farthest, and only those are
        settled exactly: any other point is nearer than the farthest one.
        """
        upper, lower = self.bounds(points)
        block = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(points))))
        best_lower = np.maximum.reduceat(lower, starts)
        best_lower_outside = np.maximum.reduceat(np.where(outside, lower, -np.inf), starts)
        wanted = (upper >= best_lower[block]) | (outside & (upper >= best_lower_outside[block]))
        exact = np.zeros(len(points))
        exact[wanted] = self._exact(points[wanted])
        return (
            np.maximum.reduceat(exact, starts),
            np.maximum.reduceat(np.where(outside, exact, 0.0), starts),
        )

    def _exact(self, points: np.ndarray, k: int = 8) -> np.ndarray:
        count = len(self.starts)
        if count <= k or not len(points):
            return _segment_distances(points[:, None, :], self.starts[None], self.ends[None]).min(
                axis=1
            )
        midpoint_distances, nearest = self.tree.query(points, k=k + 1)
        distances = _segment_distances(
            points[:, None, :], self.starts[nearest[:, :k]], self.ends[nearest[:, :k]]
        ).min(axis=1)
        unsettled = distances > midpoint_distances[:, k] - self.half_length
        if unsettled.any():
            distances[unsettled] = self._exact(points[unsettled], k * 8)
        return distances


def _segment_distances(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Distances from points to segments, broadcast over the leading axes."""
    direction = ends - starts
    length2 = (direction**2).sum(axis=-1)
    along = ((points - starts) * direction).sum(axis=-1)
    t = np.clip(np.divide(along, length2, out=np.zeros_like(along), where=length2 > 0), 0, 1)
    nearest = starts + direction * t[..., None]
    return np.hypot(*np.moveaxis(points - nearest, -1, 0))


def compare_pairs(
    boundaries: list[Boundary], pairs: list[tuple[int, int]] | None = None
) -> list[PairComparison]:
    """The comparison of each pair (indexes into `boundaries`; all case pairs by default)."""
    if pairs is None:
        pairs = case_pairs(boundaries)
    if not pairs:
        return []
    geometries = np.array([b.geometry for b in boundaries], dtype=object)
    shapely.prepare(geometries)
    first = np.array([i for i, _j in pairs])
    second = np.array([j for _i, j in pairs])
    a, b = geometries[first], geometries[second]
    areas = shapely.area(geometries)
    area_a, area_b = areas[first], areas[second]
    # One overlay per pair: |A ∩ B| = (|A| + |B| − |A △ B|) / 2.
    difference = shapely.symmetric_difference(a, b)
    overlap = np.clip((area_a + area_b - shapely.area(difference)) / 2, 0, None)
    union = area_a + area_b - overlap
    iou = np.divide(overlap, union, out=np.zeros_like(union), where=union > 0)

    strip_parts, strip_pair = shapely.get_parts(difference, return_index=True)
    strip_areas = shapely.area(strip_parts)
    kept = strip_areas >= STRIP_MIN_AREA_M2
    strip_parts, strip_pair, strip_areas = strip_parts[kept], strip_pair[kept], strip_areas[kept]
    in_a = shapely.contains(a[strip_pair], shapely.point_on_surface(strip_parts))

    outlines = [_Outline(geometry) for geometry in geometries]
    hausdorff, beyond = _directed_distances(outlines, geometries, pairs)
    results = []
    for n, (i, j) in enumerate(pairs):
        results.append(
            PairComparison(
                a=boundaries[i].key,
                b=boundaries[j].key,
                relation=f"{boundaries[i].kind}-{boundaries[j].kind}",
                area_a_m2=float(area_a[n]),
                area_b_m2=float(area_b[n]),
                overlap_m2=float(overlap[n]),
                only_a_m2=float(max(area_a[n] - overlap[n], 0.0)),
                only_b_m2=float(max(area_b[n] - overlap[n], 0.0)),
                iou=float(iou[n]),
                hausdorff_m=max(hausdorff[i, j], hausdorff[j, i]),
                offset_a_beyond_b_m=beyond[i, j],
                offset_b_beyond_a_m=beyond[j, i],
            )
        )
    for part, pair, area, inside_a in zip(strip_parts, strip_pair, strip_areas, in_a, strict=True):
        result = results[pair]
        result.strips.append(Strip(result.a if inside_a else result.b, float(area), part))
    return results


def _directed_distances(outlines, geometries, pairs):
    """For each ordered pair (source, target): the largest distance of a source vertex to the
    target's lines, and the same for source vertices lying outside the target; as dicts.

    Each target is queried once with the vertices of all its partners.
    """
    partners: dict[int, list[int]] = {}
    for i, j in pairs:
        partners.setdefault(i, []).append(j)
        partners.setdefault(j, []).append(i)
    hausdorff, beyond = {}, {}
    for target, sources in partners.items():
        points, starts = _unpruned_vertices(outlines, geometries[target], outlines[target], sources)
        outside = ~shapely.contains_xy(geometries[target], points[:, 0], points[:, 1])
        farthest, farthest_outside = outlines[target].farthest(points, starts, outside)
        for n, source in enumerate(sources):
            hausdorff[source, target] = float(farthest[n])
            beyond[source, target] = float(farthest_outside[n])
    return hausdorff, beyond


def _unpruned_vertices(outlines, target_geometry, target: _Outline, sources: list[int]):
    """The sources' vertices that can still be the farthest from the target, and where each
    source's run of them starts.

    Distance to a line changes no faster than the point moves, so a block of vertices is at
    most (its sample's distance + the block's radius) away. A block whose bound stays below
    the best lower bound among its source's samples (or among its samples outside the target,
    for the offsets) cannot hold the farthest vertex and is left out.
    """
    kept, counts = [], []
    for source in sources:
        outline = outlines[source]
        upper, lower = target.bounds(outline.samples)
        outside = ~shapely.contains_xy(
            target_geometry, outline.samples[:, 0], outline.samples[:, 1]
        )
        reach = upper + outline.block_radius
        needed = reach >= lower.max()
        needed |= reach >= (lower[outside].max() if outside.any() else -np.inf)
        if not outside.any():
            needed[:] = True  # no sample outside: any vertex may be, and offsets need them all
        vertex_block = np.arange(len(outline.vertices)) // outline.BLOCK
        points = outline.vertices[needed[vertex_block]]
        kept.append(points)
        counts.append(len(points))
    return np.concatenate(kept), np.cumsum([0, *counts[:-1]])


@dataclass
class TimelineEntry:
    key: str
    label: str
    surveyed_on: date
    area_m2: float
    iou_with_previous: float | None


def reference_timeline(
    boundaries: list[Boundary], comparisons: list[PairComparison]
) -> list[TimelineEntry]:
    """The reference versions in date order, each with its area and its IoU with the one before."""
    references = sorted(
        (b for b in boundaries if b.kind == "reference"), key=lambda b: (b.surveyed_on, b.key)
    )
    iou = {frozenset((c.a, c.b)): c.iou for c in comparisons}
    timeline = []
    previous = None
    for reference in references:
        timeline.append(
            TimelineEntry(
                key=reference.key,
                label=reference.label,
                surveyed_on=reference.surveyed_on,
                area_m2=float(shapely.area(reference.geometry)),
                iou_with_previous=(
                    iou.get(frozenset((previous.key, reference.key))) if previous else None
                ),
            )
        )
        previous = reference
    return timeline
