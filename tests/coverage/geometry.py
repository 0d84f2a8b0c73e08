"""A hand-made scene in the Gauss-Krueger zone of the demo (EPSG:4547): positions are given in
metres east and north of a camera standing on the zone's central meridian (114°E), where grid
north is true north, so hand geometry and the camera's azimuth share one frame."""

from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.db import connection

GK_SRID = 4547
ORIGIN_LON, ORIGIN_LAT = 114.0, 34.5


def origin_metres() -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p)"
            " FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s) p",
            [ORIGIN_LON, ORIGIN_LAT, GK_SRID],
        )
        return cursor.fetchone()


def lonlat(geometry: GEOSGeometry) -> GEOSGeometry:
    """A geometry given in metres relative to the origin, in storage lon/lat."""
    x0, y0 = origin_metres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsEWKT(ST_Transform(ST_Translate(ST_SetSRID(%s::geometry, %s), %s, %s),"
            " 4326), 12)",
            [geometry.wkt, GK_SRID, x0, y0],
        )
        return GEOSGeometry(cursor.fetchone()[0])


def point(x: float, y: float) -> Point:
    return lonlat(Point(x, y))


def rectangle(west: float, south: float, east: float, north: float) -> Polygon:
    return lonlat(Polygon.from_bbox((west, south, east, north)))
