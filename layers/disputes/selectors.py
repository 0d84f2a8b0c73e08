"""Reads for dispute cases: their boundaries in metres, the comparison, what a user may see."""

import json
from dataclasses import asdict, fields

import shapely
from django.db import connection
from psycopg import sql

from layers.common.constants import gauss_kruger_srid
from layers.common.sql import template
from layers.disputes.comparison import Boundary, compare_pairs, reference_timeline
from layers.disputes.models import DisputeCase


def case_zone_srid(case: DisputeCase) -> int:
    """The CGCS2000 Gauss–Krüger zone for the place: its metres are the case's metres."""
    return gauss_kruger_srid(case.location.x)


def case_boundaries(case: DisputeCase, srid: int) -> list[Boundary]:
    """The case's claims and reference versions, projected to `srid` by PostGIS."""
    query = template("disputes", "case_boundaries").format(srid=sql.Literal(srid))
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(cursor.connection), {"case_id": case.pk})
        rows = cursor.fetchall()
    return [
        Boundary(
            key=f"{kind}:{pk}",
            kind=kind,
            label=label,
            geometry=shapely.from_wkb(bytes(wkb)),
            surveyed_on=surveyed_on,
        )
        for kind, pk, label, surveyed_on, wkb in rows
    ]


def case_comparison(case: DisputeCase) -> dict:
    """Every pair of the case's boundaries compared, the strips as GeoJSON, and the timeline."""
    srid = case_zone_srid(case)
    boundaries = case_boundaries(case, srid)
    comparisons = compare_pairs(boundaries)
    strips = [strip for comparison in comparisons for strip in comparison.strips]
    with connection.cursor() as cursor:
        cursor.execute(
            template("disputes", "strips_to_storage").as_string(cursor.connection),
            {"srid": srid, "wkbs": [shapely.to_wkb(s.geometry) for s in strips]},
        )
        strip_geojson = iter(row[0] for row in cursor.fetchall())
    pairs = []
    for comparison in comparisons:
        row = {f.name: getattr(comparison, f.name) for f in fields(comparison)}
        row["largest_offset_m"] = comparison.largest_offset_m
        row["strips"] = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(next(strip_geojson)),
                    "properties": {"side": strip.side, "area_m2": strip.area_m2},
                }
                for strip in comparison.strips
            ],
        }
        pairs.append(row)
    labels = {b.key: b.label for b in boundaries}
    return {
        "case": case.pk,
        "srid": srid,
        "boundaries": [{"key": b.key, "kind": b.kind, "label": b.label} for b in boundaries],
        "labels": labels,
        "pairs": pairs,
        "timeline": [asdict(entry) for entry in reference_timeline(boundaries, comparisons)],
    }
