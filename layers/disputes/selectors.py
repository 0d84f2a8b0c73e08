"""Reads for dispute cases: their boundaries in metres and every pair of them compared."""

import json
from dataclasses import asdict, fields
from functools import cache

import numpy as np
import pyproj
import shapely
from django.db import connection
from psycopg import sql

from layers.common.constants import STORAGE_SRID, gauss_kruger_srid
from layers.common.geojson import GEOJSON_PRECISION
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
    """Every pair of the case's boundaries compared (strips in the zone's metres), the
    reference timeline, and the zone."""
    srid = case_zone_srid(case)
    boundaries = case_boundaries(case, srid)
    comparisons = compare_pairs(boundaries)
    return {
        "case": case.pk,
        "srid": srid,
        "boundaries": [{"key": b.key, "kind": b.kind, "label": b.label} for b in boundaries],
        "labels": {b.key: b.label for b in boundaries},
        "comparisons": comparisons,
        "timeline": [asdict(entry) for entry in reference_timeline(boundaries, comparisons)],
    }


@cache
def _to_storage(srid: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(srid, STORAGE_SRID, always_xy=True)


def strips_to_storage(geometries: np.ndarray, srid: int) -> np.ndarray:
    """Strips computed in metres, back in longitude/latitude (rounded to ~1 cm)."""
    transformer = _to_storage(srid)

    def move(coordinates):
        lon, lat = transformer.transform(coordinates[:, 0], coordinates[:, 1])
        return np.round(np.column_stack([lon, lat]), GEOJSON_PRECISION)

    return shapely.transform(geometries, move)


def comparison_json(result: dict) -> str:
    """The comparison as JSON, each pair's strips a GeoJSON FeatureCollection in EPSG:4326.

    Written as text around shapely's GeoJSON: the strips of a case run to 100,000 vertices,
    which json.dumps of nested lists would take far longer to write.
    """
    comparisons = result["comparisons"]
    strips = [strip for comparison in comparisons for strip in comparison.strips]
    geometries = strips_to_storage(
        np.array([s.geometry for s in strips], dtype=object), result["srid"]
    )
    texts = iter(shapely.to_geojson(geometries).tolist())
    pairs = []
    for comparison in comparisons:
        row = {
            f.name: getattr(comparison, f.name) for f in fields(comparison) if f.name != "strips"
        }
        row["largest_offset_m"] = comparison.largest_offset_m
        features = ",".join(
            '{"type":"Feature","geometry":'
            + next(texts)
            + ',"properties":'
            + json.dumps({"side": strip.side, "area_m2": strip.area_m2})
            + "}"
            for strip in comparison.strips
        )
        strips = '"strips":{"type":"FeatureCollection","features":[' + features + "]}"
        pairs.append(json.dumps(row)[:-1] + "," + strips + "}")
    head = {key: value for key, value in result.items() if key != "comparisons"}
    return json.dumps(head, default=str)[:-1] + ',"pairs":[' + ",".join(pairs) + "]}"
