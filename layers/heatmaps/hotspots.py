"""Hexagon bins of incidents and Getis-Ord Gi* hot spots on them.

Gi* (Getis & Ord 1992, Ord & Getis 1995) with binary distance-band weights that include each
hexagon itself: for hexagon i with neighbours j (centroid distance <= band, i included),

    z_i = (sum_j x_j - xbar W_i) / (s sqrt((n W_i - W_i²) / (n - 1)))

with W_i the neighbour count, xbar and s the mean and (population) standard deviation of all n
hexagons. p-values are two-sided normal; the Benjamini-Hochberg false-discovery-rate correction
turns them into q-values, and a hexagon is hot (z > 0) or cold (z < 0) at the highest of 99, 95
and 90 % confidence its q-value reaches (q < 0.01, 0.05, 0.10) — as ArcGIS's optimized analysis.
"""

import json
import math
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from scipy import sparse, stats
from scipy.spatial import cKDTree

from layers.areas.models import AdminArea
from layers.common.parameters import finite_number
from layers.common.sql import template
from layers.heatmaps.selection import (
    UNASSIGNED_AREA,
    InvalidParameters,
    Selection,
    TooFewIncidents,
    extent,
    weights_by_category,
)

CONFIDENCE_LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))
MIN_HEX_SIZE_M = 20.0
MAX_HEXAGONS = 300_000


@dataclass
class Hexbins:
    i: np.ndarray
    j: np.ndarray
    x: np.ndarray  # centroid in the metric frame
    y: np.ndarray
    geometry: list[str]  # GeoJSON (lon/lat)
    incidents: np.ndarray
    weight: np.ndarray
    size: float


@dataclass
class HotSpots:
    z: np.ndarray
    p: np.ndarray
    q: np.ndarray
    classes: list[str]
    band: float


def parse_hex_options(params) -> tuple[float, float | None, bool]:
    """Hexagon edge length (m), distance band (m; default twice the edge: the six neighbours)."""
    errors: dict[str, str] = {}
    size = _metres(params, "size", 250.0, errors)
    band = _metres(params, "band", None, errors)
    if size is not None and size < MIN_HEX_SIZE_M:
        errors["size"] = _("size (hexagon edge) is at least %(min)d m.") % {"min": MIN_HEX_SIZE_M}
    if band is not None and size is not None and band < math.sqrt(3) * size:
        errors["band"] = _(
            "band must reach the neighbouring hexagons: at least %(min).0f m (√3 × size)."
        ) % {"min": math.sqrt(3) * size}
    weighted = (params.get("weighted") or "false").lower()
    if weighted not in ("true", "false", "1", "0"):
        errors["weighted"] = _("weighted is true or false.")
    if errors:
        raise InvalidParameters(errors)
    return size, band, weighted in ("true", "1")


def hexbins(sel: Selection, size: float, weighted: bool = False) -> Hexbins:
    """Incident counts (and category-weighted sums) per hexagon over the selection's region."""
    weights = weights_by_category(weighted)
    region = _region_ids(sel)
    box = extent(sel)
    if box is not None:
        hexagon_area = 1.5 * math.sqrt(3) * size * size
        estimate = (box[2] - box[0]) * (box[3] - box[1]) / hexagon_area
        if estimate > 2 * MAX_HEXAGONS:  # the box overstates a region by up to about 2x
            raise InvalidParameters(
                {
                    "size": _("More than %(max)d hexagons; choose a larger size.")
                    % {"max": MAX_HEXAGONS}
                }
            )
    params = {
        "size": size,
        "region_ids": region,
        "categories": list(sel.categories),
        "weights": [weights[c] for c in sel.categories],
        "start": sel.start,
        "end": sel.end,
        "statuses": list(sel.statuses),
        "all_areas": sel.area_ids is None,
        "area_ids": [] if sel.area_ids is None else sel.area_ids.tolist(),
    }
    with connection.cursor() as cursor:
        cursor.execute(template("heatmaps", "hexbins").as_string(), params)
        rows = cursor.fetchall()
    if len(rows) > MAX_HEXAGONS:
        raise InvalidParameters(
            {"size": _("More than %(max)d hexagons; choose a larger size.") % {"max": MAX_HEXAGONS}}
        )
    if not rows:
        empty = np.empty(0)
        return Hexbins(empty, empty, empty, empty, [], empty, empty, size)
    i, j, x, y, geometry, incidents, weight = zip(*rows, strict=True)
    return Hexbins(
        np.array(i),
        np.array(j),
        np.array(x, dtype=float),
        np.array(y, dtype=float),
        list(geometry),
        np.array(incidents, dtype=np.int64),
        np.array(weight, dtype=float),
        size,
    )


def distance_band_weights(x: np.ndarray, y: np.ndarray, band: float) -> sparse.csr_array:
    """Binary weights: 1 between centroids at most `band` apart, and 1 on the diagonal."""
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(band, output_type="ndarray")
    n = len(x)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    return sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def getis_ord_star(values: np.ndarray, weights: sparse.csr_array) -> np.ndarray:
    """Gi* z-scores (see the module docstring); 0 where the values do not vary."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = values.mean()
    spread = math.sqrt(max((values**2).mean() - mean**2, 0.0))
    if spread == 0.0 or n < 2:
        return np.zeros(n)
    lag = weights @ values
    w_sum = np.asarray(weights.sum(axis=1)).ravel()
    w_sq = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    denominator = spread * np.sqrt((n * w_sq - w_sum**2) / (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (lag - mean * w_sum) / denominator
    return np.where(denominator > 0, z, 0.0)


def hot_spots(bins: Hexbins, band: float | None, weighted: bool = False) -> HotSpots:
    """Gi* on the hexagon bins, FDR-corrected and classed; TooFewIncidents under the minimum."""
    minimum = settings.GISGOV_HOTSPOT_MIN_INCIDENTS
    total = int(bins.incidents.sum())
    if total < minimum:
        raise TooFewIncidents(
            _(
                "Only %(count)d incidents match; hot-spot analysis needs at least %(min)d, or "
                "it maps noise. Widen the time window, the categories or the area."
            )
            % {"count": total, "min": minimum}
        )
    band = band if band is not None else 2.0 * bins.size
    values = bins.weight if weighted else bins.incidents.astype(float)
    z = getis_ord_star(values, distance_band_weights(bins.x, bins.y, band))
    p = 2.0 * stats.norm.sf(np.abs(z))
    q = stats.false_discovery_control(p, method="bh")
    return HotSpots(z, p, q, [_classify(zi, qi) for zi, qi in zip(z, q, strict=True)], band)


def feature_collection(bins: Hexbins, spots: HotSpots | None = None) -> dict:
    features = []
    for k, geometry in enumerate(bins.geometry):
        properties = {
            "i": int(bins.i[k]),
            "j": int(bins.j[k]),
            "incidents": int(bins.incidents[k]),
            "weight": round(float(bins.weight[k]), 6),
        }
        if spots is not None:
            properties |= {
                "z": round(float(spots.z[k]), 6),
                "p": float(spots.p[k]),
                "q": float(spots.q[k]),
                "class": spots.classes[k],
            }
        features.append(
            {"type": "Feature", "geometry": json.loads(geometry), "properties": properties}
        )
    return {"type": "FeatureCollection", "features": features}


def _classify(z: float, q: float) -> str:
    for confidence, alpha in CONFIDENCE_LEVELS:
        if q < alpha:
            return f"{'hot' if z > 0 else 'cold'}_{confidence}"
    return "not_significant"


def _region_ids(sel: Selection) -> list[int]:
    """The areas whose union is the region: the asked one, the visible villages, or the top."""
    if sel.area is not None:
        return [sel.area.id]
    if sel.area_ids is not None:
        return [int(a) for a in sel.area_ids if a != UNASSIGNED_AREA]
    return list(AdminArea.objects.filter(parent__isnull=True).values_list("id", flat=True))


def _metres(params, name: str, default, errors: dict):
    try:
        return finite_number(name, params.get(name), default=default, positive=True)
    except ValueError as problem:
        errors[name] = str(problem)
        return None
