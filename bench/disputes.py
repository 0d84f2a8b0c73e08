"""A land-dispute case compared in full, against the same overlay done with geopandas.

    GISGOV_PG_PORT=55445 .venv/bin/python bench/disputes.py --scale 1

Builds, inside a transaction that is rolled back at the end, a case with 5 reference versions
and 3 claims of about 2,000 × scale vertices each: one field outline, each version moved by up
to 3 m and bulged somewhere by up to 25 m, as surveys and claims differ. Times (median of
--repeat runs) our whole comparison — boundaries read from PostGIS in the Gauss–Krüger zone,
all 28 pairs compared with their strips as polygons (and, printed apart, the endpoint's
JSON with the strips in lon/lat) — and, on the same projected
geometries, geopandas doing per pair what the comparison reports: overlay intersection and
symmetric difference, their areas, and the Hausdorff distance.
Prints `RESULT disputes compare_ms=<n> vs_geopandas=<x>` last (geopandas' time ÷ ours).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisgov.settings")

import django  # noqa: E402

django.setup()

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Point, Polygon  # noqa: E402
from django.db import transaction  # noqa: E402

from layers.areas.models import AdminArea, AreaLevel  # noqa: E402
from layers.disputes import services  # noqa: E402
from layers.disputes.comparison import case_pairs  # noqa: E402
from layers.disputes.selectors import (  # noqa: E402
    case_boundaries,
    case_comparison,
    case_zone_srid,
    comparison_json,
)

LON, LAT = 114.6, 34.5
METRES_PER_DEGREE = 111_320.0


class Rollback(Exception):
    pass


def outline(vertices: int, rng, shift_m: float, bulge_m: float) -> MultiPolygon:
    """A ~300 m field, moved by up to shift_m and bulged by bulge_m at a random place."""
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    centre = rng.uniform(0, 2 * np.pi)
    radius = 150 * (1 + 0.15 * np.sin(3 * t) + 0.05 * np.cos(5 * t))
    radius += bulge_m * np.exp(-((((t - centre + np.pi) % (2 * np.pi) - np.pi) / 0.15) ** 2))
    dx, dy = rng.uniform(-shift_m, shift_m, 2)
    x = (dx + 1.4 * radius * np.cos(t)) / (METRES_PER_DEGREE * np.cos(np.radians(LAT)))
    y = (dy + radius * np.sin(t)) / METRES_PER_DEGREE
    ring = np.c_[LON + x, LAT + y]
    return MultiPolygon(Polygon(np.vstack([ring, ring[:1]]).tolist()), srid=4326)


def build_case(vertices: int, rng):
    user = get_user_model().objects.create(username="bench-disputes")
    village = AdminArea.objects.create(
        code="419999999999",
        name="bench village",
        level=AreaLevel.VILLAGE,
        geom=MultiPolygon(Polygon.from_bbox((LON - 0.05, LAT - 0.05, LON + 0.05, LAT + 0.05))),
    )
    case = services.case_create(
        actor=user,
        code="BENCH-1",
        title="bench",
        kind="farmland",
        village=village,
        location=Point(LON, LAT, srid=4326),
        opened_on="2026-01-01",
    )
    for n in range(3):
        party = services.party_add(case=case, actor=user, name=f"party {n}", role="claimant")
        services.claim_add(
            case=case,
            actor=user,
            party=party,
            boundary=outline(vertices, rng, 3, 25),
            method="drawn",
        )
    for year in (1998, 2004, 2009, 2016, 2022):
        services.reference_add(
            case=case,
            actor=user,
            kind="contract_land",
            boundary=outline(vertices, rng, 1, 8),
            surveyed_on=f"{year}-06-01",
            source=f"{year} survey",
        )
    return case


def geopandas_compare(geometries, pairs, srid):
    """What our comparison reports, done per pair the way a geopandas user would."""
    frames = [
        gpd.GeoDataFrame({"key": [n]}, geometry=[g], crs=srid) for n, g in enumerate(geometries)
    ]
    rows = []
    for i, j in pairs:
        a, b = frames[i], frames[j]
        overlap = gpd.overlay(a, b, how="intersection").area.sum()
        strips = gpd.overlay(a, b, how="symmetric_difference", keep_geom_type=True)
        rows.append((overlap, strips.area.sum(), a.geometry.hausdorff_distance(b.geometry).iloc[0]))
    return rows


def timed(function, repeat: int) -> float:
    """Median wall-clock milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cpu_timed(function, repeat: int) -> float:
    """Median CPU milliseconds of this process (steadier than wall time on a shared machine;
    the database's own work is not in it)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="vertices per boundary ÷ 2,000")
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    rng = np.random.default_rng(6)
    try:
        with transaction.atomic():
            case = build_case(2000 * arguments.scale, rng)
            srid = case_zone_srid(case)
            boundaries = case_boundaries(case, srid)
            pairs = case_pairs(boundaries)
            ours = case_comparison(case)
            peer = geopandas_compare([b.geometry for b in boundaries], pairs, srid)
            for row, (overlap, _strips, hausdorff) in zip(ours["comparisons"], peer, strict=True):
                assert abs(row.overlap_m2 - overlap) < 1e-3 * max(overlap, 1), (row, overlap)
                assert abs(row.hausdorff_m - hausdorff) < 1e-6, (row, hausdorff)
            our_ms = timed(lambda: case_comparison(case), arguments.repeat)
            our_cpu_ms = cpu_timed(lambda: case_comparison(case), arguments.repeat)
            endpoint_ms = timed(lambda: comparison_json(case_comparison(case)), arguments.repeat)
            strip_count = sum(len(c.strips) for c in ours["comparisons"])
            peer_ms = timed(
                lambda: geopandas_compare([b.geometry for b in boundaries], pairs, srid),
                max(1, arguments.repeat // 3),
            )
            raise Rollback
    except Rollback:
        pass
    print(f"boundaries: {len(boundaries)} (3 claims, 5 reference versions), pairs: {len(pairs)}")
    print(f"load average at the end of the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"vertices per boundary: ~{2000 * arguments.scale}, zone EPSG:{srid}")
    print(f"ours (PostGIS read + all pairs, {strip_count} strips as polygons): {our_ms:.1f} ms")
    print(f"  of which CPU time in this process: {our_cpu_ms:.1f} ms")
    print(f"ours + the endpoint's JSON (strips to lon/lat GeoJSON): {endpoint_ms:.1f} ms")
    print(f"geopandas (overlays + areas + hausdorff, same pairs): {peer_ms:.1f} ms")
    print(f"RESULT disputes compare_ms={our_ms:.1f} vs_geopandas={peer_ms / our_ms:.1f}")


if __name__ == "__main__":
    main()
