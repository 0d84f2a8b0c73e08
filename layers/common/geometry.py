"""Checking one incoming geometry and moving it into storage coordinates, or saying why not."""

import json
import math

import shapely
from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils.translation import gettext as _

from layers.common.constants import STORAGE_SRID
from layers.common.crs import SourceCRS, remove_offset, x_east

# Metres in any projected CRS stay within ±2e7 (half the equator); degrees within ±180.
EARTH_COORDINATE_LIMIT = 1e8


class GeometryProblem(ValueError):
    """What is wrong with a geometry, in words a caller can act on."""


def geometry_to_storage(
    geometry: GEOSGeometry, source: SourceCRS, geometry_type: str
) -> GEOSGeometry:
    """The geometry in EPSG:4326, of the layer's type; refused with a reason if it cannot be."""
    if geometry.empty:
        raise GeometryProblem(_("The geometry is empty."))
    if geometry.hasz:
        raise GeometryProblem(
            _("3-D coordinates are not accepted; send longitude and latitude only.")
        )
    if geometry.num_coords > settings.GISGOV_MAX_VERTICES:
        raise GeometryProblem(
            _("The geometry has %(n)d vertices; at most %(max)d are accepted.")
            % {"n": geometry.num_coords, "max": settings.GISGOV_MAX_VERTICES}
        )
    geometry = _of_type(geometry, geometry_type)
    coordinates = _flat_coords(geometry)
    if not all(math.isfinite(value) for value in coordinates):
        raise GeometryProblem(_("A coordinate is not a finite number (NaN or Infinity)."))
    # PROJ may never return from transforming absurd values; no CRS we read needs them.
    if any(abs(value) > EARTH_COORDINATE_LIMIT for value in coordinates):
        raise GeometryProblem(
            _("A coordinate is larger than %(limit)g in absolute value: not on Earth in any CRS.")
            % {"limit": EARTH_COORDINATE_LIMIT}
        )
    geometry = _transform(geometry, source)
    xmin, ymin, xmax, ymax = geometry.extent
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise GeometryProblem(
            _(
                "Coordinates lie outside longitude ±180 / latitude ±90 after reading them as"
                " %(crs)s: are x and y swapped, or is the CRS wrong?"
            )
            % {"crs": source.label}
        )
    if not geometry.valid:
        raise GeometryProblem(_("Invalid geometry: %s") % geometry.valid_reason)
    return geometry


def _of_type(geometry: GEOSGeometry, geometry_type: str) -> GEOSGeometry:
    if geometry.geom_type == geometry_type:
        return geometry
    if geometry_type == "Polygon" and geometry.geom_type == "MultiPolygon" and len(geometry) == 1:
        return geometry[0]
    if geometry_type == "MultiPolygon" and geometry.geom_type == "Polygon":
        return MultiPolygon(geometry, srid=geometry.srid)
    raise GeometryProblem(
        _("Expected a %(expected)s geometry, got %(got)s.")
        % {"expected": geometry_type, "got": geometry.geom_type}
    )


def _flat_coords(geometry: GEOSGeometry):
    return shapely.get_coordinates(shapely.from_wkb(bytes(geometry.wkb))).ravel()


def _transform(geometry: GEOSGeometry, source: SourceCRS) -> GEOSGeometry:
    if source.northing_first:
        swapped = x_east(shapely.from_wkb(bytes(geometry.wkb)), source)
        geometry = GEOSGeometry(memoryview(shapely.to_wkb(swapped)), srid=geometry.srid)
    if source.offset_datum is not None:
        moved = remove_offset(shapely.from_wkb(bytes(geometry.wkb)), source)
        return GEOSGeometry(memoryview(shapely.to_wkb(moved)), srid=STORAGE_SRID)
    if source.is_lonlat_storage_equivalent:
        geometry.srid = STORAGE_SRID
        return geometry
    geometry.srid = source.epsg
    try:
        geometry.transform(STORAGE_SRID)
    except GDALException as exc:
        raise GeometryProblem(
            _("Cannot transform from %(crs)s: %(error)s") % {"crs": source.label, "error": exc}
        ) from exc
    return geometry


# GeoJSON geometry type → how deeply its coordinates nest above a position.
GEOJSON_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def geojson_problem(value) -> str | None:
    """What is structurally wrong with a GeoJSON geometry object, in words, before GDAL/GEOS
    read it (their errors name a C function, not the problem); None if nothing is."""
    if not isinstance(value, dict) or value.get("type") == "GeometryCollection":
        return None
    kind = value.get("type")
    if kind not in GEOJSON_DEPTH:
        return _("unknown GeoJSON geometry type %(type)r; use one of %(types)s.") % {
            "type": kind,
            "types": ", ".join(GEOJSON_DEPTH),
        }
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        return _("it is empty: it has no coordinates.")
    return _coordinates_problem(coordinates, GEOJSON_DEPTH[kind], kind)


def _coordinates_problem(coordinates, depth: int, kind: str) -> str | None:
    if depth == 0:
        if not (
            isinstance(coordinates, list)
            and 2 <= len(coordinates) <= 3
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in coordinates)
        ):
            return _("a position is two numbers (longitude, latitude), not %(value).40s.") % {
                "value": json.dumps(coordinates)
            }
        return None
    if not isinstance(coordinates, list) or not coordinates:
        return _("it is empty: a part has no coordinates.")
    is_ring = (kind == "Polygon" and depth == 1) or (kind == "MultiPolygon" and depth == 1)
    for item in coordinates:
        problem = _coordinates_problem(item, depth - 1, kind)
        if problem:
            return problem
    if is_ring:
        if len(coordinates) < 4:
            return _("a polygon ring needs at least 4 positions, the last repeating the first.")
        if coordinates[0] != coordinates[-1]:
            return _("a polygon ring is not closed: its last position must repeat the first.")
    return None
