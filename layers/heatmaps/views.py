"""Heatmap, hexagon-bin and hot-spot endpoints and heat tiles: access, parameters, formats.

Incidents are not public: every endpoint asks the access policy (read_refusal on the incidents
layer, and the incidents it may see through selection.parse_selection).
"""

from functools import wraps

import numpy as np
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from rasterio.warp import transform as reproject_points
from rasterio.warp import transform_bounds
from rest_framework.exceptions import AuthenticationFailed

from layers.access import policy
from layers.access.requests import authenticate
from layers.common.constants import STORAGE_SRID, WEB_MERCATOR_SRID
from layers.common.maps import map_page_response
from layers.common.parameters import finite_number
from layers.heatmaps import density, hotspots, maps, render, selection, services, tasks
from layers.heatmaps.selection import InvalidParameters, TooFewIncidents
from layers.jobs.models import JobRun
from layers.jobs.services import job_state

DENSITY_FORMATS = ("json", "geotiff", "png")
HOTSPOT_FORMATS = ("geojson", "html")
RUN_MODES = ("now", "background")
MAX_TILE_ZOOM = 22
MIN_TILE_ZOOM = 5
TILE_DEFAULT_MAX = 1000.0
PEAKS = 10
WEB_MERCATOR_HALF = 20037508.342789244


def incidents_endpoint(view):
    """Token authentication, the access policy for incidents, and 4xx for bad requests."""

    @require_safe
    @wraps(view)
    def wrapper(request, **kwargs):
        try:
            authenticate(request)
        except AuthenticationFailed as exc:
            return JsonResponse(
                {"detail": str(exc.detail)}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
        refusal = policy.read_refusal(request, "incidents")
        if refusal == 401:
            detail = _("Incidents need an API token or a login.")
            return JsonResponse(
                {"detail": detail}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
        if refusal == 403:
            detail = _("This credential may not read incidents.")
            return JsonResponse({"detail": detail}, status=403)
        try:
            response = view(request, **kwargs)
        except InvalidParameters as exc:
            return JsonResponse(exc.errors, status=400)
        except TooFewIncidents as exc:
            return JsonResponse({"detail": str(exc)}, status=409)
        response["Cache-Control"] = "private, max-age=60"
        return response

    return wrapper


@incidents_endpoint
def density_view(request):
    """Kernel density as JSON (summary and peaks), GeoTIFF (metric frame) or PNG (lon/lat)."""
    output = _choice(request.GET, "format", DENSITY_FORMATS)
    sel = selection.parse_selection(request, request.GET)
    options = services.parse_options(request.GET, selection.frame().cell_m)
    result = services.density_map(sel, options)
    if output == "geotiff":
        response = HttpResponse(
            render.geotiff(result.grid, result.values), content_type="image/tiff"
        )
        response["Content-Disposition"] = 'attachment; filename="heatmap.tif"'
        return response
    maximum = _colour_max(request.GET, result.values)
    if output == "png":
        image, bounds = render.lonlat_png(result.grid, result.values, maximum)
        response = HttpResponse(image, content_type="image/png")
        response["X-Bounds"] = ",".join(f"{v:.7f}" for v in bounds)
        return response
    return JsonResponse(_density_summary(result, maximum))


@incidents_endpoint
def hexbins_view(request):
    """Incidents per hexagon (ST_HexagonGrid in the metric frame) as GeoJSON."""
    sel = selection.parse_selection(request, request.GET)
    size, _band, weighted = hotspots.parse_hex_options(request.GET)
    bins = hotspots.hexbins(sel, size, weighted)
    return JsonResponse(hotspots.feature_collection(bins), content_type="application/geo+json")


@incidents_endpoint
def hotspots_view(request):
    """Getis-Ord Gi* hot and cold spots on hexagon bins: GeoJSON or an offline folium map."""
    output = _choice(request.GET, "format", HOTSPOT_FORMATS)
    run = _choice(request.GET, "run", RUN_MODES)
    sel = selection.parse_selection(request, request.GET)
    size, band, weighted = hotspots.parse_hex_options(request.GET)
    if run == "background":
        user = request.user if request.user.is_authenticated else None
        job = tasks.hot_spots_enqueue(
            selection=sel, size=size, band=band, weighted=weighted, user=user
        )
        url = request.build_absolute_uri(reverse("heatmaps-job", kwargs={"job_id": job.pk}))
        return JsonResponse({"job": job.pk, "status": job.status, "url": url}, status=202)
    bins = hotspots.hexbins(sel, size, weighted)
    spots = hotspots.hot_spots(bins, band, weighted)
    collection = hotspots.feature_collection(bins, spots)
    collection["band_m"] = spots.band
    collection["hexagon_size_m"] = size
    if output == "html":
        bounds = _collection_bounds(collection)
        return map_page_response(maps.hot_spot_map(collection, bounds))
    return JsonResponse(collection, content_type="application/geo+json")


@incidents_endpoint
def job_view(request, job_id: int):
    """A background hot-spot run: status, progress and, once done, its GeoJSON."""
    job = JobRun.objects.filter(pk=job_id, kind=tasks.HOT_SPOTS_JOB_KIND).first()
    mine = job is not None and (
        request.user.is_superuser or (job.created_by_id and job.created_by_id == request.user.pk)
    )
    if not mine:
        return JsonResponse({"detail": _("No such hot-spot job of yours.")}, status=404)
    return JsonResponse(job_state(job, request.build_absolute_uri()))


@incidents_endpoint
def heat_tile_view(request, z: str, x: str, y: str):
    """One 256-pixel PNG heat tile (Web Mercator); 204 where there is nothing to draw."""
    zoom, column, row = _tile_coordinates(z, x, y)
    sel = selection.parse_selection(request, request.GET)
    frame = selection.frame()
    span = 2 * WEB_MERCATOR_HALF / 2**zoom
    bounds_3857 = (
        -WEB_MERCATOR_HALF + column * span,
        WEB_MERCATOR_HALF - (row + 1) * span,
        -WEB_MERCATOR_HALF + (column + 1) * span,
        WEB_MERCATOR_HALF - row * span,
    )
    tile_lonlat = transform_bounds(f"EPSG:{WEB_MERCATOR_SRID}", "EPSG:4326", *bounds_3857)
    box = selection.extent(sel)
    if box is None:
        return HttpResponse(status=204)
    data_lonlat = transform_bounds(f"EPSG:{frame.srid}", "EPSG:4326", *box)
    clipped = (
        max(tile_lonlat[0], data_lonlat[0]),
        max(tile_lonlat[1], data_lonlat[1]),
        min(tile_lonlat[2], data_lonlat[2]),
        min(tile_lonlat[3], data_lonlat[3]),
    )
    if clipped[0] >= clipped[2] or clipped[1] >= clipped[3]:
        return HttpResponse(status=204)
    tile_metric = transform_bounds("EPSG:4326", f"EPSG:{frame.srid}", *tile_lonlat)
    pixel = (tile_metric[2] - tile_metric[0]) / render.TILE_SIZE
    cell = max(1, round(pixel / frame.cell_m)) * frame.cell_m
    defaults = {"cell": str(cell), "bandwidth": str(max(4 * cell, 200))}
    options = services.parse_options({**defaults, **request.GET.dict()}, frame.cell_m)
    margin = density.support(options.kernel, options.bandwidth)
    box_metric = transform_bounds("EPSG:4326", f"EPSG:{frame.srid}", *clipped)
    grid = density.grid_around(box_metric, options.cell, margin, frame.srid)
    result = services.density_map(sel, options, grid)
    if not result.values.any():
        return HttpResponse(status=204)
    maximum = _colour_max(request.GET, None, default=TILE_DEFAULT_MAX)
    image = render.tile_png(result.grid, result.values, bounds_3857, maximum)
    return HttpResponse(image, content_type="image/png")


def _density_summary(result: services.DensityMap, maximum: float) -> dict:
    grid = result.grid
    values = result.values
    # Ten argmax passes: argpartition is slow on grids that are mostly zeros.
    remaining = values.ravel().copy()
    top = []
    for _peak in range(min(PEAKS, remaining.size)):
        top.append(int(np.argmax(remaining)))
        remaining[top[-1]] = -np.inf
    top = np.array(top)
    rows, cols = np.unravel_index(top, values.shape)
    xs, ys = grid.centres()
    lons, lats = reproject_points(
        f"EPSG:{grid.srid}", f"EPSG:{STORAGE_SRID}", xs[cols].tolist(), ys[rows].tolist()
    )
    peaks = [
        {"lon": round(lon, 7), "lat": round(lat, 7), "density": round(float(values[r, c]), 6)}
        for lon, lat, r, c in zip(lons, lats, rows, cols, strict=True)
        if values[r, c] > 0
    ]
    overlay = transform_bounds(
        f"EPSG:{grid.srid}", "EPSG:4326", grid.west, grid.south, grid.east, grid.north
    )
    return {
        "units": "weighted incidents per km²",
        "incidents": result.incidents,
        "kernel": result.options.kernel,
        "bandwidth_m": result.options.bandwidth,
        "cell_m": grid.cell,
        "method": result.options.method,
        "weighted": result.options.weighted,
        "crs": f"EPSG:{grid.srid}",
        "width": grid.width,
        "height": grid.height,
        "bounds": [grid.west, grid.south, grid.east, grid.north],
        "bounds_lonlat": [round(v, 7) for v in overlay],
        "max": float(values.max()) if values.size else 0.0,
        "mean": float(values.mean()) if values.size else 0.0,
        "colour_max": maximum,
        "peaks": peaks,
    }


def _colour_max(params, values, default: float | None = None) -> float:
    try:
        value = finite_number("max", params.get("max"), default=None, positive=True)
    except ValueError as problem:
        raise InvalidParameters({"max": str(problem)}) from None
    if value is not None:
        return value
    if default is not None:
        return default
    positive = values[values > 0]
    return float(np.percentile(positive, 99.5)) if positive.size else 1.0


def _choice(params, name: str, choices: tuple[str, ...]) -> str:
    value = params.get(name) or choices[0]
    if value not in choices:
        raise InvalidParameters(
            {
                name: _("%(name)s is one of: %(choices)s.")
                % {"name": name, "choices": ", ".join(choices)}
            }
        )
    return value


def _tile_coordinates(z: str, x: str, y: str) -> tuple[int, int, int]:
    errors = {}
    values = {}
    for name, text in (("z", z), ("x", x), ("y", y)):
        if not (text.isascii() and text.isdigit()):
            errors[name] = _("%(name)s is a whole number, not %(text)r.") % {
                "name": name,
                "text": text,
            }
        else:
            values[name] = int(text)
    if "z" in values and not MIN_TILE_ZOOM <= values["z"] <= MAX_TILE_ZOOM:
        errors["z"] = _("Heat tiles are drawn from zoom %(min)d to %(max)d.") % {
            "min": MIN_TILE_ZOOM,
            "max": MAX_TILE_ZOOM,
        }
    elif "z" in values:
        for name in ("x", "y"):
            if name in values and values[name] >= 2 ** values["z"]:
                errors[name] = _("%(name)s is outside zoom %(z)d.") % {
                    "name": name,
                    "z": values["z"],
                }
    if errors:
        raise InvalidParameters(errors)
    return values["z"], values["x"], values["y"]


def _collection_bounds(collection: dict) -> list[float]:
    coordinates = [
        point
        for feature in collection["features"]
        for ring in feature["geometry"]["coordinates"]
        for point in ring
    ]
    if not coordinates:
        return [-180.0, -85.0, 180.0, 85.0]
    lons, lats = zip(*coordinates, strict=True)
    return [min(lons), min(lats), max(lons), max(lats)]
