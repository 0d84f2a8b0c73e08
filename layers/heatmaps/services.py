"""Heatmap analyses: plain functions of a Selection, for the API, tiles, commands and tests."""

import math
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from layers.common.parameters import finite_number
from layers.heatmaps import density, selection
from layers.heatmaps.selection import InvalidParameters, Selection

MAX_BANDWIDTH_M = 20_000.0


@dataclass(frozen=True)
class DensityOptions:
    kernel: str = "quartic"
    bandwidth: float = 1000.0
    cell: float = 200.0
    weighted: bool = True
    method: str = "binned"


@dataclass
class DensityMap:
    grid: density.Grid
    values: np.ndarray  # weighted incidents per km², north-up
    incidents: int
    options: DensityOptions


def parse_options(params, base_cell: int, default_cell: float = 200.0) -> DensityOptions:
    """Kernel, bandwidth (m), cell (m, a multiple of the base cell), weighting and method."""
    errors: dict[str, str] = {}
    kernel = params.get("kernel") or "quartic"
    if kernel not in density.KERNELS:
        errors["kernel"] = _("kernel is one of: %(kernels)s.") % {
            "kernels": ", ".join(density.KERNELS)
        }
    bandwidth = _number(params, "bandwidth", 1000.0, errors)
    if bandwidth is not None and not 0 < bandwidth <= MAX_BANDWIDTH_M:
        errors["bandwidth"] = _("bandwidth is in metres, above 0 and at most %(max)d.") % {
            "max": MAX_BANDWIDTH_M
        }
    cell = _number(params, "cell", default_cell, errors)
    if cell is not None and (
        cell <= 0 or not math.isclose(cell / base_cell, round(cell / base_cell))
    ):
        errors["cell"] = _("cell is in metres, a positive multiple of %(base)d.") % {
            "base": base_cell
        }
    weighted = (params.get("weighted") or "true").lower()
    if weighted not in ("true", "false", "1", "0"):
        errors["weighted"] = _("weighted is true or false.")
    method = params.get("method") or "binned"
    if method not in ("binned", "exact"):
        errors["method"] = _("method is binned or exact.")
    if errors:
        raise InvalidParameters(errors)
    return DensityOptions(kernel, bandwidth, cell, weighted in ("true", "1"), method)


def density_map(sel: Selection, options: DensityOptions, grid: density.Grid | None = None):
    """The kernel density of the selection on `grid` (default: around its villages)."""
    frame = selection.frame()
    if grid is None:
        box = selection.extent(sel)
        if box is None:
            raise InvalidParameters({"area": _("There is no area to draw a heatmap over.")})
        margin = density.support(options.kernel, options.bandwidth)
        grid = density.grid_around(box, options.cell, margin, frame.srid)
    if grid.width * grid.height > settings.GISGOV_HEATMAP_MAX_CELLS:
        raise InvalidParameters(
            {
                "cell": _(
                    "%(w)d × %(h)d cells is more than %(max)d; choose a larger cell or an area."
                )
                % {"w": grid.width, "h": grid.height, "max": settings.GISGOV_HEATMAP_MAX_CELLS}
            }
        )
    weights = selection.weights_by_category(options.weighted)
    if options.method == "exact":
        limit = settings.GISGOV_HEATMAP_EXACT_MAX_POINTS
        pts = selection.points(sel, weights, limit)
        if len(pts.x) > limit:
            raise InvalidParameters(
                {
                    "method": _(
                        "The exact method takes at most %(limit)d incidents; narrow the "
                        "selection or use method=binned."
                    )
                    % {"limit": limit}
                }
            )
        values = density.exact_density(
            grid, pts.x, pts.y, pts.weight, options.kernel, options.bandwidth
        )
        return DensityMap(grid, values, len(pts.x), options)
    cells = selection.binned(sel, weights)
    counts = density.cell_counts(grid, cells.cell_x, cells.cell_y, cells.weight, frame.cell_m)
    values = density.binned_density(counts, options.kernel, options.bandwidth, grid.cell)
    return DensityMap(grid, values, cells.count, options)


def _number(params, name: str, default: float, errors: dict) -> float | None:
    try:
        return finite_number(name, params.get(name), default=default)
    except ValueError as problem:
        errors[name] = str(problem)
        return None
