"""Where to put k new cameras: greedy maximum coverage of the weight no camera sees yet."""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import connection, transaction

from layers.areas.models import AdminArea, code_prefix
from layers.coverage.analysis import Window, area_srid, cell_weights, template, weight_params
from layers.coverage.constants import (
    DEFAULT_AZIMUTHS,
    DEFAULT_CELL_SIDE_M,
    DEFAULT_FIELD_OF_VIEW,
    DEFAULT_RANGE_M,
    DEFAULT_ROAD_SPACING_M,
)

# Candidate sites whose sectors are computed in one statement, between two progress reports.
CANDIDATE_BATCH = 25

CREATE_TARGETS = """
CREATE TEMP TABLE coverage_targets (
    id integer PRIMARY KEY, weight float8 NOT NULL, centre geometry(Point, 4326) NOT NULL
) ON COMMIT DROP
"""


@dataclass(frozen=True)
class Candidate:
    """A place a camera could be put: a key site, a road point or one the caller gave."""

    lon: float
    lat: float
    source: str
    label: str = ""


@dataclass(frozen=True)
class SuggestionQuery:
    """What to optimise: k cameras in an area, against the weight of a time window."""

    area_code: str
    k: int
    since: datetime
    until: datetime
    cell_side_m: float = DEFAULT_CELL_SIDE_M
    azimuths: tuple[float, ...] = DEFAULT_AZIMUTHS
    field_of_view: float = DEFAULT_FIELD_OF_VIEW
    range_m: float = DEFAULT_RANGE_M
    road_spacing_m: float = DEFAULT_ROAD_SPACING_M
    key_sites: bool = True
    candidates: tuple[Candidate, ...] | None = None  # None: key sites and road points
    weights: str = "incidents"

    def as_parameters(self) -> dict:
        """A JSON form for a queued job."""
        parameters = asdict(self)
        parameters["since"] = self.since.isoformat()
        parameters["until"] = self.until.isoformat()
        return parameters

    @classmethod
    def from_parameters(cls, parameters: dict) -> "SuggestionQuery":
        values = dict(parameters)
        values["since"] = datetime.fromisoformat(values["since"])
        values["until"] = datetime.fromisoformat(values["until"])
        values["azimuths"] = tuple(values["azimuths"])
        if values["candidates"] is not None:
            values["candidates"] = tuple(Candidate(**c) for c in values["candidates"])
        return cls(**values)


@dataclass
class Option:
    """One candidate site looking one way, and the target cells it would see."""

    site: int
    azimuth: float
    cells: frozenset[int] = field(default_factory=frozenset)


def candidate_points(
    area: AdminArea, *, road_spacing_m: float, key_sites: bool = True
) -> list[Candidate]:
    """The area's key sites and road points sampled along its grid boundaries."""
    params = {
        "code_prefix": code_prefix(area.code),
        "srid": area_srid(area),
        "spacing": road_spacing_m,
        "key_sites": key_sites,
    }
    with connection.cursor() as cursor:
        cursor.execute(template("candidate_points"), params)
        return [Candidate(lon, lat, source, label) for source, label, lon, lat in cursor]


def greedy_max_coverage(
    options: list[Option], weights: dict[int, float], k: int
) -> list[tuple[Option, float, set[int]]]:
    """Up to k options, one per site, each the one adding most uncovered weight (ties: the
    first); the classic greedy choice, within 1 − 1/e of the best possible."""
    covered: set[int] = set()
    used_sites: set[int] = set()
    chosen = []
    for _ in range(k):
        best, best_gain, best_cells = None, 0.0, set()
        for option in options:
            if option.site in used_sites:
                continue
            new_cells = option.cells - covered
            gain = sum(weights[cell] for cell in new_cells)
            if gain > best_gain:
                best, best_gain, best_cells = option, gain, new_cells
        if best is None:
            break
        covered |= best_cells
        used_sites.add(best.site)
        chosen.append((best, best_gain, best_cells))
    return chosen


def site_suggestions(
    query: SuggestionQuery, *, progress: Callable[[int, int], None] | None = None
) -> dict:
    """The k sites (and directions) that see the most weight no active camera sees yet,
    each with the weight and cells it gains; sectors include building shadows."""
    area = AdminArea.objects.get(code=query.area_code)
    window = Window(query.since, query.until)
    candidates = (
        list(query.candidates)
        if query.candidates is not None
        else candidate_points(area, road_spacing_m=query.road_spacing_m, key_sites=query.key_sites)
    )
    view = {"field_of_view": query.field_of_view, "range_m": query.range_m}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(CREATE_TARGETS)
        cursor.execute(
            template("uncovered_targets").format(cells=cell_weights(query.weights)),
            weight_params(area, window, query.cell_side_m, query.weights),
        )
        cursor.execute("CREATE INDEX ON coverage_targets USING gist (centre)")
        cursor.execute("ANALYZE coverage_targets")
        cursor.execute("SELECT id, weight FROM coverage_targets")
        weights = dict(cursor.fetchall())
        options: list[Option] = []
        for start in range(0, len(candidates), CANDIDATE_BATCH):
            batch = [
                {"id": start + n, "lon": c.lon, "lat": c.lat}
                for n, c in enumerate(candidates[start : start + CANDIDATE_BATCH])
            ]
            if weights:
                cursor.execute(
                    template("candidate_views"),
                    {"candidates": json.dumps(batch), "azimuths": list(query.azimuths), **view},
                )
                options += [
                    Option(site, azimuth, frozenset(cells))
                    for site, azimuth, cells in cursor.fetchall()
                    if cells
                ]
            if progress:
                progress(min(start + CANDIDATE_BATCH, len(candidates)), len(candidates))
        chosen = greedy_max_coverage(options, weights, query.k)
        uncovered = sum(weights.values())
        sites, gained_total = [], 0.0
        for rank, (option, gain, cells) in enumerate(chosen, start=1):
            candidate = candidates[option.site]
            cursor.execute(
                template("candidate_sector"),
                {"lon": candidate.lon, "lat": candidate.lat, "azimuth": option.azimuth, **view},
            )
            geometry, visible_area_m2 = cursor.fetchone()
            gained_total += gain
            sites.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(geometry),
                    "properties": {
                        "rank": rank,
                        "lon": candidate.lon,
                        "lat": candidate.lat,
                        "source": candidate.source,
                        "label": candidate.label,
                        "azimuth": option.azimuth,
                        "field_of_view": query.field_of_view,
                        "range_m": query.range_m,
                        "visible_area_m2": visible_area_m2,
                        "gained_weight": gain,
                        "gained_cells": len(cells),
                        "cumulative_weight": gained_total,
                        "cumulative_pct": round(100 * gained_total / uncovered, 2)
                        if uncovered
                        else None,
                    },
                }
            )
    return {
        "type": "FeatureCollection",
        "area": area.code,
        "k": query.k,
        "since": query.since.isoformat(),
        "until": query.until.isoformat(),
        "weights": query.weights,
        "cell_side_m": query.cell_side_m,
        "candidates": len(candidates),
        "options": len(options),
        "uncovered_weight": uncovered,
        "gained_weight": gained_total,
        "remaining_weight": uncovered - gained_total,
        "features": sites,
    }
