"""GCJ-02 and BD-09 against published reference points, round trips, and CRS name parsing."""

import math

import numpy as np
import pytest
import shapely

from layers.common import chinacrs
from layers.common.crs import CRSError, SourceCRS, parse_crs, remove_offset

# Mean Earth radius (IUGG): the haversine distance is good to about 0.5 %, far finer than the
# half-metre tolerances below need.
EARTH_RADIUS_M = 6_371_008.8

# WGS84 -> GCJ-02 pairs (lon, lat) from the test suite of googollee/eviltransform
# (python/test.py): Shanghai, Shenzhen and Beijing near Tiananmen.
EVILTRANSFORM_WGS84_GCJ02 = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
]
# wandergis/coordtransform's documented example (test/app.js), Beijing (116.404, 39.915).
COORDTRANSFORM_POINT = (116.404, 39.915)
COORDTRANSFORM_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
# coordtransform's inverses are one-step approximations (its gcj02towgs84 subtracts the forward
# offset once, its bd09togcj02 is the closed form): a few centimetres from an exact inverse.
COORDTRANSFORM_GCJ02_TO_WGS84 = (116.39775550083061, 39.91359571849836)
COORDTRANSFORM_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)


def haversine_m(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(h))


def china_grid():
    """Points every ~2 degrees over mainland China's bounding box, Xinjiang to Heilongjiang."""
    lon, lat = np.meshgrid(np.arange(74.0, 135.0, 2.0), np.arange(18.5, 53.5, 2.0))
    return lon.ravel(), lat.ravel()


@pytest.mark.parametrize(("wgs84", "gcj02"), EVILTRANSFORM_WGS84_GCJ02)
def test_wgs84_to_gcj02_matches_eviltransform(wgs84, gcj02):
    # The same published formula in double precision: agreement to rounding, ~1e-7 m.
    assert chinacrs.wgs84_to_gcj02(*wgs84) == pytest.approx(gcj02, abs=1e-12)


@pytest.mark.parametrize(("wgs84", "gcj02"), EVILTRANSFORM_WGS84_GCJ02)
def test_gcj02_to_wgs84_recovers_eviltransform_points_within_half_a_metre(wgs84, gcj02):
    lon, lat = chinacrs.gcj02_to_wgs84(*gcj02)

    assert haversine_m(lon, lat, *wgs84) < 0.5


def test_coordtransform_reference_point():
    assert chinacrs.wgs84_to_gcj02(*COORDTRANSFORM_POINT) == pytest.approx(
        COORDTRANSFORM_WGS84_TO_GCJ02, abs=1e-12
    )
    assert chinacrs.gcj02_to_bd09(*COORDTRANSFORM_POINT) == pytest.approx(
        COORDTRANSFORM_GCJ02_TO_BD09, abs=1e-12
    )
    assert (
        haversine_m(*chinacrs.gcj02_to_wgs84(*COORDTRANSFORM_POINT), *COORDTRANSFORM_GCJ02_TO_WGS84)
        < 0.5
    )
    assert (
        haversine_m(*chinacrs.bd09_to_gcj02(*COORDTRANSFORM_POINT), *COORDTRANSFORM_BD09_TO_GCJ02)
        < 0.5
    )


@pytest.mark.parametrize(
    ("forward", "inverse"),
    [
        (chinacrs.wgs84_to_gcj02, chinacrs.gcj02_to_wgs84),
        (chinacrs.wgs84_to_bd09, chinacrs.bd09_to_wgs84),
        (chinacrs.gcj02_to_bd09, chinacrs.bd09_to_gcj02),
    ],
)
def test_round_trips_over_china_stay_under_half_a_metre(forward, inverse):
    lon, lat = china_grid()

    back_lon, back_lat = inverse(*forward(lon, lat))

    assert lon.size > 400
    assert haversine_m(back_lon, back_lat, lon, lat).max() < 0.5


def test_the_offset_is_real_everywhere_in_china():
    # Guards the round-trip test against an identity transform passing it trivially.
    lon, lat = china_grid()

    assert haversine_m(*chinacrs.wgs84_to_gcj02(lon, lat), lon, lat).min() > 1.0


@pytest.mark.parametrize(
    "place",
    [(139.6917, 35.6895), (2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688)],
    ids=["Tokyo", "Paris", "New York", "Sydney"],
)
def test_points_outside_china_are_unchanged_by_gcj02(place):
    assert chinacrs.wgs84_to_gcj02(*place) == place
    assert chinacrs.gcj02_to_wgs84(*place) == place
    assert remove_offset(shapely.Point(place), parse_crs("gcj02")).equals(shapely.Point(place))


def test_remove_offset_moves_every_vertex_of_a_geometry():
    ring = [(116.39, 39.90), (116.41, 39.90), (116.41, 39.92), (116.39, 39.92), (116.39, 39.90)]
    gcj_ring = [tuple(float(v) for v in chinacrs.wgs84_to_gcj02(*xy)) for xy in ring]

    restored = remove_offset(shapely.Polygon(gcj_ring), parse_crs("gcj02"))

    lon, lat = np.array(restored.exterior.coords).T
    expected_lon, expected_lat = np.array(ring).T
    assert haversine_m(lon, lat, expected_lon, expected_lat).max() < 0.5


def test_remove_offset_leaves_epsg_coordinates_alone():
    geometry = shapely.Point(500_000, 3_850_000)

    assert remove_offset(geometry, parse_crs("EPSG:4547")) is geometry


@pytest.mark.parametrize(
    ("name", "northing_first"),
    [
        ("EPSG:4490", False),
        ("epsg:4490", False),
        ("4490", False),
        (" 4490 ", False),
        ("urn:ogc:def:crs:EPSG::4490", True),
        ("urn:ogc:def:crs:EPSG:9.8.1:4490", True),
        ("http://www.opengis.net/def/crs/EPSG/0/4490", True),
        ("http://www.opengis.net/def/crs/EPSG/0/3857", False),  # easting first by definition
    ],
)
def test_parse_crs_reads_epsg_codes_however_written(name, northing_first):
    crs = parse_crs(name)
    assert crs.epsg == int(name.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    assert crs.offset_datum is None
    assert crs.northing_first is northing_first
    assert crs.for_files() == SourceCRS(crs.epsg)


@pytest.mark.parametrize(
    "name",
    [
        "CRS84",
        "OGC:CRS84",
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    ],
)
def test_parse_crs_reads_crs84_as_storage_lonlat(name):
    crs = parse_crs(name)

    assert (crs.epsg, crs.offset_datum, crs.is_lonlat_storage_equivalent) == (4326, None, True)


@pytest.mark.parametrize(
    ("name", "datum"),
    [
        ("gcj02", "gcj02"),
        ("GCJ-02", "gcj02"),
        ("GCJ02", "gcj02"),
        ("bd09", "bd09"),
        ("BD-09", "bd09"),
    ],
)
def test_parse_crs_reads_the_offset_datums(name, datum):
    crs = parse_crs(name)

    assert (crs.offset_datum, crs.label, crs.epsg) == (datum, datum, 4326)
    # Offset coordinates are not storage coordinates until the offset is removed.
    assert not crs.is_lonlat_storage_equivalent


@pytest.mark.parametrize("junk", ["", "EPSG:", "EPSG:43", "EPSG:abcd", "wgs84", "gcj03", "bd-09-x"])
def test_parse_crs_rejects_junk_naming_it(junk):
    with pytest.raises(CRSError, match=rf"unknown CRS {junk!r}: use an EPSG code"):
        parse_crs(junk)


def test_haversine_helper_against_a_known_distance():
    # One degree of latitude along a meridian on the mean sphere is 2πR/360, about 111.2 km.
    assert haversine_m(0, 0, 0, 1) == pytest.approx(2 * math.pi * EARTH_RADIUS_M / 360)
