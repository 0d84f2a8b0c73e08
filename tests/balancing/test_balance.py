"""Balancing on hand-made villages: contiguity, exact tiling, tolerance and minimal change."""

import numpy as np
import pytest
from django.contrib.gis.geos import MultiPoint, Point
from django.db import transaction

from layers.balancing import partition
from layers.balancing.services import balance_area
from layers.grids.workload import WorkloadWeights
from tests import factories as f
from tests.balancing.conftest import lattice
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db

# Households only: the test villages are far larger than real ones, area would dominate.
HOUSEHOLDS = WorkloadWeights(per_weighted_incident=0, per_km2=0, per_km_travel=0)


def uneven(i, j):
    return 5 + (i * 7 + j * 3) % 11


def run(village, **kwargs):
    kwargs.setdefault("weights", HOUSEHOLDS)
    with transaction.atomic():
        return balance_area(village, **kwargs)


def tiling_problems(village, polygons) -> float:
    """Area (m², in the village's Gauss-Krueger frame) of gaps and overlaps of the polygons."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH p AS (SELECT ST_Transform(ST_GeomFromEWKB(g), 4547) AS g FROM unnest(%s) g),
                 v AS (SELECT ST_Transform(geom, 4547) AS g FROM areas_adminarea WHERE id = %s)
            SELECT ST_Area(ST_SymDifference(v.g, (SELECT ST_Union(g) FROM p)))
                   + (SELECT sum(ST_Area(g)) FROM p) - ST_Area((SELECT ST_Union(g) FROM p))
            FROM v
            """,
            [[bytes(polygon.ewkb) for polygon in polygons], village.pk],
        )
        return cursor.fetchone()[0]


def test_from_scratch_grids_are_contiguous_balanced_and_tile_the_village(village):
    lattice(uneven)
    result = run(village, target_kind="grids", target_value=4)
    (item,) = result.villages
    assert item.k == 4
    assert partition.is_contiguous(item.graph, item.outcome.labels, 4)
    assert item.outcome.worst_deviation <= 0.02
    assert all(polygon.geom_type == "Polygon" for polygon in item.polygons)
    assert tiling_problems(village, item.polygons) < 1.0
    # Each building lies in the polygon of its grid.
    points = MultiPoint([Point(*xy) for xy in item.graph.xy], srid=4547)
    points.transform(4326)
    for point, label in zip(points, item.outcome.labels, strict=True):
        assert item.polygons[label].buffer(1e-9).contains(point)


def test_a_workload_target_sets_the_number_of_grids(village):
    lattice(lambda i, j: 10)  # 1000 households
    result = run(village, target_kind="workload", target_value=250)
    assert result.villages[0].k == 4
    assert result.summary["worst_deviation_pct"] <= 2


def test_a_building_heavier_than_the_tolerance_is_reported_as_the_reason(village):
    lattice(lambda i, j: 400 if (i, j) == (0, 0) else 1, size=6)
    result = run(village, target_kind="grids", target_value=3)
    (village_summary,) = result.summary["villages"]
    assert not village_summary["within_tolerance"]
    assert "alone weighs 400.0" in village_summary["reason"]
    assert partition.is_contiguous(result.villages[0].graph, result.villages[0].outcome.labels, 3)


def test_exclusive_grids_are_kept_out_of_the_plan(village):
    school = f.grid(
        "419821101201009",
        village,
        f.rectangle(LON - 0.1, LAT - 0.1, LON - 0.06, LAT - 0.06),
        kind="exclusive",
        exclusive_type="school",
    )
    f.grid(
        "419821101201001",
        village,
        f.rectangle(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1).difference(school.geom),
    )
    buildings = lattice(uneven)
    in_school = [b for b in buildings if school.geom.contains(b.footprint.point_on_surface)]
    assert in_school
    result = run(village, target_kind="grids", target_value=3)
    (item,) = result.villages
    planned = {building for ids in item.building_ids for building in ids}
    assert planned.isdisjoint(b.pk for b in in_school)
    assert len(planned) == len(buildings) - len(in_school)
    # In the village's Gauss-Krueger frame, where the cells were cut and the check judges.
    for polygon in item.polygons:
        in_frame = polygon.transform(4547, clone=True)
        assert in_frame.intersection(school.geom.transform(4547, clone=True)).area < 0.01


@pytest.mark.usefixtures("two_grids")
def test_from_current_grids_a_perturbed_plan_moves_few_households(village):
    # West is 30 % heavier than east: evening them needs about 13 % of households to move.
    lattice(lambda i, j: 13 if i < 5 else 10)
    total = 1150
    scratch = run(village, target_kind="grids", target_value=2)
    minimal = run(village, target_kind="grids", target_value=2, from_current=True)
    assert minimal.summary["worst_deviation_pct"] <= 2
    assert partition.is_contiguous(minimal.villages[0].graph, minimal.villages[0].outcome.labels, 2)
    ideal_move = 650 - 575  # west sheds exactly its excess
    assert minimal.households_moved <= 1.5 * ideal_move
    assert minimal.households_moved < scratch.households_moved or scratch.households_moved <= (
        1.5 * ideal_move
    )
    assert minimal.households_moved < total / 4


def test_refinement_keeps_every_part_connected_on_a_ring():
    # A ring of 12 units: parts must be arcs, and refinement may not cut one in two.
    edges = [(i, (i + 1) % 12) for i in range(12)]
    xy = [(np.cos(i * np.pi / 6), np.sin(i * np.pi / 6)) for i in range(12)]
    weights = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9]
    graph = partition.UnitGraph.build(weights, weights, xy, edges)
    outcome = partition.balance(graph, 2, start=np.array([0] * 6 + [1] * 6))
    assert partition.is_contiguous(graph, outcome.labels, 2)
    assert outcome.loads.tolist() == [10.0, 10.0]
