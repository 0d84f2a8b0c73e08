"""Spatial reference systems and tolerances used across gisgov (see README, "Coordinates")."""

# Storage: WGS84 lon/lat. GeoJSON (RFC 7946), MVT and every web map speak it, and CGCS2000
# (EPSG:4490) coordinates equal it at map precision, so no transform sits on the hot paths.
STORAGE_SRID = 4326
CGCS2000_SRID = 4490
WEB_MERCATOR_SRID = 3857

# CGCS2000 3-degree Gauss-Krueger zones without a zone prefix in the false easting:
# EPSG:4534 has its central meridian at 75E, each next code 3 degrees further east, to 4554 (135E).
GK_FIRST_SRID = 4534
GK_FIRST_CENTRAL_MERIDIAN = 75
GK_LAST_SRID = 4554

# Grids tile their village: gaps or overlaps smaller than this (m²) are floating-point noise.
TILING_TOLERANCE_M2 = 1.0


def gauss_kruger_srid(longitude: float) -> int:
    """The CGCS2000 3-degree Gauss-Krueger zone (EPSG code) whose central meridian is nearest."""
    zone = round((longitude - GK_FIRST_CENTRAL_MERIDIAN) / 3)
    return min(max(GK_FIRST_SRID + zone, GK_FIRST_SRID), GK_LAST_SRID)
