"""Coverage of areas by the active cameras, and what they miss: plain functions over SQL."""

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial

import numpy as np
from django.db import connection
from psycopg import sql

from layers.areas.models import AdminArea, AreaLevel, code_prefix
from layers.common.constants import gauss_kruger_srid
from layers.common.sql import template as app_template
from layers.heatmaps import hotspots
from layers.heatmaps.selection import Selection
from layers.incidents.choices import Category, Status

template = partial(app_template, "coverage")

LEVELS = ("grid", "village")

# Where cell weights come from: each is a query of hexagons (i, j, geom in the metric frame,
# weight, incidents) taking the parameters of weight_params. "hotspots" weighs the hexagons a
# Getis-Ord Gi* analysis classes hot by their incidents; every other hexagon weighs nothing.
WEIGHT_SOURCES = {"incidents": "cells_incidents", "hotspots": "cells_hotspots"}

# Gi* classes that make a hexagon a hot spot (90, 95 or 99 % confidence).
HOT_CLASSES = ("hot_99", "hot_95", "hot_90")


def cell_weights(source: str = "incidents") -> sql.SQL:
    """The SQL of a weight source: weighted hexagon cells of an area in a time window."""
    return template(WEIGHT_SOURCES[source])


@dataclass(frozen=True)
class Window:
    """Incidents reported in [since, until)."""

    since: datetime
    until: datetime


@dataclass(frozen=True)
class AreaCoverage:
    """How much of one grid or village the active cameras see."""

    code: str
    name: str
    village: str
    area_m2: float
    covered_m2: float
    area_pct: float | None
    cameras: int
    key_sites: int
    key_sites_seen: int
    key_sites_pct: float | None
    incidents: int
    incidents_seen: int
    incidents_pct: float | None
    geometry: dict

    def as_row(self) -> dict:
        row = asdict(self)
        del row["geometry"]
        return row


def area_coverage(area: AdminArea, level: str, window: Window) -> list[AreaCoverage]:
    """Coverage of every current grid (level "grid") or village at or under an area."""
    params = {
        "code_prefix": code_prefix(area.code),
        "level": level,
        "since": window.since,
        "until": window.until,
    }
    with connection.cursor() as cursor:
        cursor.execute(template("area_coverage"), params)
        return [AreaCoverage(*row[:-1], geometry=json.loads(row[-1])) for row in cursor.fetchall()]


def area_srid(area: AdminArea) -> int:
    """The Gauss-Krueger zone an area's cells are laid out in."""
    return gauss_kruger_srid(area.geom.centroid.x)


def cell_params(area: AdminArea, window: Window, cell_side: float) -> dict:
    return {
        "code_prefix": code_prefix(area.code),
        "srid": area_srid(area),
        "cell_side": cell_side,
        "since": window.since,
        "until": window.until,
    }


def weight_params(area: AdminArea, window: Window, cell_side: float, weights: str) -> dict:
    """The parameters of a weight source's query; "hotspots" runs the hot-spot analysis of
    every incident of the area (TooFewIncidents below its minimum)."""
    params = cell_params(area, window, cell_side)
    if weights == "hotspots":
        params |= hot_spot_params(area_selection(area, window), cell_side)
    return params


def area_selection(area: AdminArea, window: Window) -> Selection:
    """Every incident of the area's villages in the window, as heatmaps reads them: for callers
    without a request (a queued job), once the area was found to be one they may see."""
    villages = AdminArea.objects.filter(
        code__startswith=code_prefix(area.code), level=AreaLevel.VILLAGE
    ).values_list("id", flat=True)
    return Selection(
        start=window.since,
        end=window.until,
        categories=tuple(Category.values),
        statuses=tuple(Status.values),
        area=area,
        area_ids=np.fromiter(villages, dtype=np.int64),
    )


def hot_spot_params(selection: Selection, size: float, band: float | None = None) -> dict:
    """The hexagons (edge `size` m) the heatmaps' Gi* analysis classes hot, as bound arrays
    (GeoJSON geometry, z, class, incidents); TooFewIncidents or InvalidParameters from it."""
    bins = hotspots.hexbins(selection, size)
    features = hotspots.feature_collection(bins, hotspots.hot_spots(bins, band))["features"]
    hot = [f for f in features if f["properties"]["class"] in HOT_CLASSES]
    return {
        "hot_i": [f["properties"]["i"] for f in hot],
        "hot_j": [f["properties"]["j"] for f in hot],
        "hot_geometry": [json.dumps(f["geometry"]) for f in hot],
        "hot_z": [f["properties"]["z"] for f in hot],
        "hot_class": [f["properties"]["class"] for f in hot],
        "hot_incidents": [f["properties"]["incidents"] for f in hot],
    }


def blind_hot_spots(
    area: AdminArea, selection: Selection, size: float, band: float | None = None
) -> list[dict]:
    """Hot-spot hexagons (Gi* hot at 90/95/99 %) of the selection whose centre no active
    camera sees, strongest first, with z, class, incidents and the share of each one seen."""
    params = {"srid": area_srid(area), **hot_spot_params(selection, size, band)}
    with connection.cursor() as cursor:
        cursor.execute(template("blind_hot_spots"), params)
        return [
            {
                "type": "Feature",
                "geometry": json.loads(geometry),
                "properties": {
                    "layer": "hot_spot",
                    "i": i,
                    "j": j,
                    "z": z,
                    "class": hot_class,
                    "incidents": incidents,
                    "weight": float(incidents),
                    "seen_pct": seen_pct,
                },
            }
            for i, j, z, hot_class, incidents, seen_pct, geometry in cursor.fetchall()
        ]


def blind_key_sites(area: AdminArea, kinds: list[str] | None = None) -> list[dict]:
    """Key sites (village entrances first among equals) that no active camera sees."""
    params = {"code_prefix": code_prefix(area.code), "kinds": kinds}
    with connection.cursor() as cursor:
        cursor.execute(template("blind_key_sites"), params)
        return [
            {
                "type": "Feature",
                "geometry": json.loads(geometry),
                "properties": {
                    "layer": "key_site",
                    "id": site_id,
                    "name": name,
                    "kind": kind,
                    "village": village,
                    "grid": grid,
                },
            }
            for site_id, name, kind, village, grid, geometry in cursor.fetchall()
        ]


def blind_cells(
    area: AdminArea, window: Window, cell_side: float, weights: str = "incidents"
) -> list[dict]:
    """Weighted hexagon cells whose centre no active camera sees, heaviest first."""
    query = template("blind_cells").format(cells=cell_weights(weights))
    with connection.cursor() as cursor:
        cursor.execute(query, weight_params(area, window, cell_side, weights))
        return [
            {
                "type": "Feature",
                "geometry": json.loads(geometry),
                "properties": {
                    "layer": "cell",
                    "i": i,
                    "j": j,
                    "weight": weight,
                    "incidents": incidents,
                },
            }
            for i, j, weight, incidents, geometry in cursor.fetchall()
        ]
