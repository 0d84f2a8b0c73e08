"""Coverage of areas by the active cameras, and what they miss: plain functions over SQL."""

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial

from django.db import connection
from psycopg import sql

from layers.areas.models import AdminArea, code_prefix
from layers.common.constants import gauss_kruger_srid
from layers.common.sql import template as app_template

template = partial(app_template, "coverage")

LEVELS = ("grid", "village")

# Where cell weights come from: each is a query of hexagons (i, j, geom in the metric frame,
# weight, incidents) taking code_prefix, srid, cell_side, since and until. Hot-spot weights
# (Gi* z-scores of the same hexagons) plug in here under a name of their own.
WEIGHT_SOURCES = {"incidents": "cells_incidents"}


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
        cursor.execute(query, cell_params(area, window, cell_side))
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
