"""Parsing the CRS a caller names, and moving coordinates into storage only when it is named."""

import functools
import re
from dataclasses import dataclass

import pyproj
import shapely

from layers.common import chinacrs
from layers.common.constants import CGCS2000_SRID, STORAGE_SRID

# WGS84 and CGCS2000 longitude/latitude agree at map precision (centimetres): no transform.
LONLAT_SRIDS = frozenset({STORAGE_SRID, CGCS2000_SRID})

_EPSG_CODE = re.compile(r"^(?:EPSG:)?(\d{4,6})$", re.IGNORECASE)
# An OGC URN or URI names the CRS as its authority defines it, axis order included.
_EPSG_IDENTIFIERS = [
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d{4,6})$", re.IGNORECASE),
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d{4,6})$", re.IGNORECASE),
]
_CRS84 = {
    "crs84",
    "ogc:crs84",
    "urn:ogc:def:crs:ogc:1.3:crs84",
    "http://www.opengis.net/def/crs/ogc/1.3/crs84",
}


class CRSError(ValueError):
    """A CRS name we cannot interpret; the message names the value."""


@dataclass(frozen=True)
class SourceCRS:
    """A coordinate reference system named by a caller: an EPSG code or a Chinese offset datum."""

    epsg: int
    offset_datum: str | None = None
    # Named by an OGC URI or URN, so in the EPSG axis order: latitude before longitude for
    # EPSG:4326 and 4490, northing before easting for the Gauss–Krüger zones (OGC API –
    # Features Part 2). A bare code such as EPSG:4326 keeps GeoJSON's x = east, y = north.
    authority_axis_order: bool = False

    @property
    def label(self) -> str:
        if self.northing_first:
            return f"EPSG:{self.epsg} (north, east)"
        return self.offset_datum or f"EPSG:{self.epsg}"

    @property
    def northing_first(self) -> bool:
        return self.authority_axis_order and _first_axis_points_north(self.epsg)

    def for_files(self) -> "SourceCRS":
        """This CRS for coordinates read from a file, which GDAL gives x = east whatever the
        CRS's own axis order."""
        return SourceCRS(self.epsg, self.offset_datum)

    @property
    def is_lonlat_storage_equivalent(self) -> bool:
        """WGS84 and CGCS2000 share coordinates at map precision: no transform is applied."""
        return self.offset_datum is None and self.epsg in LONLAT_SRIDS


STORAGE_CRS = SourceCRS(STORAGE_SRID)


def parse_crs(value: str) -> SourceCRS:
    text = value.strip()
    lowered = text.lower().replace("-", "")
    if lowered in chinacrs.TO_WGS84:
        return SourceCRS(STORAGE_SRID, lowered)
    if text.lower() in _CRS84:
        return STORAGE_CRS
    match = _EPSG_CODE.match(text)
    if match:
        return SourceCRS(int(match.group(1)))
    for pattern in _EPSG_IDENTIFIERS:
        match = pattern.match(text)
        if match:
            return SourceCRS(int(match.group(1)), authority_axis_order=True)
    raise CRSError(
        f"unknown CRS {value!r}: use an EPSG code such as EPSG:4490, CRS84, gcj02 or bd09"
    )


@functools.cache
def _first_axis_points_north(epsg: int) -> bool:
    try:
        axes = pyproj.CRS.from_epsg(epsg).axis_info
    except pyproj.exceptions.CRSError:
        return False  # an unknown code is refused when the geometry is transformed
    return bool(axes) and axes[0].direction in ("north", "south")


def x_east(geometry: shapely.Geometry, crs: SourceCRS) -> shapely.Geometry:
    """The geometry with x = east, y = north, as PostGIS and GDAL take it."""
    if not crs.northing_first:
        return geometry
    return shapely.transform(geometry, lambda coords: coords[:, ::-1])


def remove_offset(geometry: shapely.Geometry, crs: SourceCRS) -> shapely.Geometry:
    """Undo a GCJ-02/BD-09 offset, giving WGS84; any other CRS is returned untouched."""
    if crs.offset_datum is None:
        return geometry
    to_wgs84 = chinacrs.TO_WGS84[crs.offset_datum]

    def convert(coords):
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1])
        coords = coords.copy()
        coords[:, 0], coords[:, 1] = lon, lat
        return coords

    return shapely.transform(geometry, convert)
