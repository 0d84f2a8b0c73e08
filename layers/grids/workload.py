"""How much work each grid holds: people, incidents, area and the distances walked."""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial

from django.db import connection
from django.utils import timezone

from layers.areas.models import code_prefix
from layers.common.sql import template as app_template
from layers.grids.constants import (
    DEFAULT_CATEGORY_WEIGHTS,
    DEFAULT_WINDOW,
    WEIGHT_PER_HOUSEHOLD,
    WEIGHT_PER_KM2,
    WEIGHT_PER_KM_TRAVEL,
    WEIGHT_PER_WEIGHTED_INCIDENT,
)

template = partial(app_template, "grids")


@dataclass(frozen=True)
class WorkloadWeights:
    """How each measure adds to a grid's score; the defaults make 1 household = 1 point."""

    per_household: float = WEIGHT_PER_HOUSEHOLD
    per_resident: float = 0.0
    per_weighted_incident: float = WEIGHT_PER_WEIGHTED_INCIDENT
    per_km2: float = WEIGHT_PER_KM2
    per_km_travel: float = WEIGHT_PER_KM_TRAVEL
    category_weights: dict[str, float] = field(
        default_factory=lambda: {str(k): v for k, v in DEFAULT_CATEGORY_WEIGHTS.items()}
    )
    default_category_weight: float = 1.0


@dataclass(frozen=True)
class GridWorkload:
    """One current grid's workload measures and score."""

    id: int
    code: str
    name: str
    village: str
    households: int
    residents: int
    incidents: int
    weighted_incidents: float
    area_km2: float
    perimeter_km: float
    mean_distance_m: float
    score: float
    geometry: dict

    def as_row(self) -> dict:
        row = asdict(self)
        del row["geometry"]
        return row


def grid_workload(
    area_code: str,
    since: datetime | None = None,
    until: datetime | None = None,
    weights: WorkloadWeights | None = None,
) -> list[GridWorkload]:
    """The workload of every current grid at or under a division code, in one SQL statement."""
    until = until or timezone.now()
    since = since or until - DEFAULT_WINDOW
    weights = weights or WorkloadWeights()
    params = {
        "code_prefix": code_prefix(area_code),
        "since": since,
        "until": until,
        "category_weights": json.dumps(weights.category_weights),
        "default_category_weight": weights.default_category_weight,
        "per_household": weights.per_household,
        "per_resident": weights.per_resident,
        "per_weighted_incident": weights.per_weighted_incident,
        "per_km2": weights.per_km2,
        "per_km_travel": weights.per_km_travel,
    }
    with connection.cursor() as cursor:
        cursor.execute(template("grid_workload"), params)
        return [GridWorkload(*row[:-1], geometry=json.loads(row[-1])) for row in cursor.fetchall()]
