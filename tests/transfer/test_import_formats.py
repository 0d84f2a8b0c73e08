"""Shapefile, GeoPackage and CSV input, and the CRS each is read in."""

import math
from pathlib import Path

import numpy as np
import pytest
from django.contrib.gis.gdal import CoordTransform, OGRGeometry, SpatialReference

from layers.buildings.models import Building
from layers.cameras.models import CameraSite
from layers.common import chinacrs
from layers.keysites.models import KeySite
from layers.transfer.errors import ImportRejected, TransferRefused
from layers.transfer.services import layer_import
from tests.transfer.factories import box, feature, ogr2ogr, point, write_csv, write_geojson

pytestmark = pytest.mark.django_db

# CGCS2000 ellipsoid, the datum of EPSG:4547.
CGCS2000_A = 6378137.0
CGCS2000_F = 1 / 298.257222101


def haversine_m(lon1, lat1, lon2, lat2) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (lon1, lat1, lon2, lat2))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def meridian_arc_m(lat: float) -> float:
    """Distance along the CGCS2000 meridian from the equator, by numerical integration."""
    e2 = CGCS2000_F * (2 - CGCS2000_F)
    phi = np.linspace(0.0, math.radians(lat), 200_001)
    radius_of_curvature = CGCS2000_A * (1 - e2) / (1 - e2 * np.sin(phi) ** 2) ** 1.5
    return float(np.trapezoid(radius_of_curvature, phi))


def shapefile(tmp_path, features, *srs_arguments, name="sites") -> Path:
    """A Shapefile made by ogr2ogr from GeoJSON (coordinates kept as written)."""
    source = write_geojson(tmp_path / "source.geojson", features)
    target = tmp_path / f"{name}.shp"
    ogr2ogr("-f", "ESRI Shapefile", str(target), str(source), *srs_arguments)
    return target


def test_shapefile_without_prj_is_refused_unless_the_crs_is_given(division, tmp_path):
    path = shapefile(tmp_path, [feature(point(114.29, 34.79), name="村口", kind="entrance")])
    path.with_suffix(".prj").unlink()

    with pytest.raises(
        TransferRefused, match=r"declares no coordinate reference system.*--source-crs"
    ):
        layer_import(path=path, layer="key-sites")
    assert not KeySite.objects.exists()

    report = layer_import(path=path, layer="key-sites", source_crs="EPSG:4490")
    assert (report.created, report.source_crs) == (1, "EPSG:4490")
    assert report.crs_origin == "given with --source-crs"


def test_shapefile_in_a_gauss_krueger_zone_is_reprojected(division, tmp_path):
    # On the zone's central meridian (114E) Gauss-Krueger has easting 500000 (the false easting)
    # and, with scale factor 1, northing equal to the meridian arc: the expected lon/lat follow
    # from the ellipsoid alone. A second point off the meridian is checked against GDAL's own
    # transformation, an independent code path from PostGIS's ST_Transform.
    on_meridian = (500_000.0, meridian_arc_m(34.8))
    off_meridian = (527_000.0, 3_853_000.0)
    path = shapefile(
        tmp_path,
        [
            feature(point(*on_meridian), name="on meridian", kind="other"),
            feature(point(*off_meridian), name="off meridian", kind="other"),
        ],
        "-a_srs",
        "EPSG:4547",
    )

    report = layer_import(path=path, layer="key-sites")

    assert (report.source_crs, report.crs_origin) == ("EPSG:4547", "declared by the file")
    stored = KeySite.objects.get(name="on meridian").location
    # 1e-8 degree is about a millimetre; the integration is good to far less.
    assert stored.x == pytest.approx(114.0, abs=1e-8)
    assert stored.y == pytest.approx(34.8, abs=1e-8)
    expected = OGRGeometry(f"POINT ({off_meridian[0]} {off_meridian[1]})", srs=4547)
    expected.transform(CoordTransform(SpatialReference(4547), SpatialReference(4326)))
    stored = KeySite.objects.get(name="off meridian").location
    assert (stored.x, stored.y) == pytest.approx(expected.tuple, abs=1e-8)


def test_source_crs_differing_from_the_file_is_refused_naming_both(division, tmp_path):
    path = shapefile(
        tmp_path,
        [feature(point(500_000, 3_850_000), name="x", kind="other")],
        "-a_srs",
        "EPSG:4547",
    )

    with pytest.raises(
        TransferRefused, match=r"--source-crs is EPSG:4326 but the file declares EPSG:4547"
    ):
        layer_import(path=path, layer="key-sites", source_crs="EPSG:4326")


@pytest.mark.parametrize(
    ("source_crs", "message"),
    [
        ("EPSG:99999", r"EPSG:99999 is not a CRS PostGIS knows"),
        ("mars", r"--source-crs: unknown CRS 'mars'"),
    ],
)
def test_unusable_source_crs_is_refused(division, tmp_path, source_crs, message):
    path = shapefile(tmp_path, [feature(point(114.29, 34.79), name="x", kind="other")])
    path.with_suffix(".prj").unlink()

    with pytest.raises(TransferRefused, match=message):
        layer_import(path=path, layer="key-sites", source_crs=source_crs)


def test_geopackage(division, tmp_path):
    source = write_geojson(
        tmp_path / "buildings.geojson",
        [
            feature(box(114.285, 34.785, 114.286, 34.786), address="1号", floors=2, use="mixed"),
            feature(box(114.287, 34.785, 114.288, 34.786), address="2号", floors=5, use="other"),
        ],
    )
    path = tmp_path / "buildings.gpkg"
    ogr2ogr("-f", "GPKG", str(path), str(source))

    report = layer_import(path=path, layer="buildings")

    assert (report.created, report.source_crs) == (2, "EPSG:4326")
    assert Building.objects.get(address="2号").floors == 5
    assert Building.objects.filter(grid=division.grid).count() == 2


def test_csv_with_longitude_and_latitude_columns_is_assumed_wgs84(division, tmp_path):
    path = write_csv(
        tmp_path / "cameras.csv",
        ["code", "name", "kind", "azimuth", "field_of_view", "range_m", "Longitude", "LAT"],
        ["C-001", "西村村口", "huiyan", 45, 90, 60, 114.29, 34.79],
        ["C-002", "东村路口", "other", 180, 90, 60, 114.33, 34.79],
    )

    report = layer_import(path=path, layer="cameras")

    assert report.created == 2
    assert (report.source_crs, report.crs_origin) == (
        "EPSG:4326",
        "assumed: the file format declares no CRS",
    )
    assert CameraSite.objects.get(code="C-002").location.tuple == (114.33, 34.79)


def test_csv_columns_named_otherwise_are_mapped(division, tmp_path):
    path = write_csv(
        tmp_path / "sites.csv",
        ["名称", "类型", "经度", "纬度"],
        ["西村小学", "school", 114.29, 34.79],
    )

    layer_import(
        path=path,
        layer="key-sites",
        mapping={"name": "名称", "kind": "类型", "lon": "经度", "lat": "纬度"},
    )

    assert KeySite.objects.get(name="西村小学").location.tuple == (114.29, 34.79)


def test_csv_without_coordinate_columns_is_refused(division, tmp_path):
    path = write_csv(tmp_path / "sites.csv", ["name", "kind", "east"], ["a", "other", 114.3])

    with pytest.raises(TransferRefused, match=r"no lon column .* --map lon=COLUMN"):
        layer_import(path=path, layer="key-sites")


def test_csv_of_a_polygon_layer_needs_a_wkt_column(division, tmp_path):
    path = write_csv(tmp_path / "buildings.csv", ["use", "lon", "lat"], ["other", 114.3, 34.8])

    with pytest.raises(TransferRefused, match=r"needs a WKT column .* --map wkt=COLUMN"):
        layer_import(path=path, layer="buildings")


def test_csv_geometries_may_be_wkt_and_a_bad_one_names_its_row(division, tmp_path):
    square = "POLYGON ((114.30 34.80, 114.301 34.80, 114.301 34.801, 114.30 34.801, 114.30 34.80))"
    good = write_csv(tmp_path / "buildings.csv", ["use", "shape"], ["residential", square])
    assert layer_import(path=good, layer="buildings", mapping={"wkt": "shape"}).created == 1

    bad = write_csv(tmp_path / "bad.csv", ["use", "WKT"], ["residential", "POLYGON ((114.3 34"])
    with pytest.raises(ImportRejected) as rejected:
        layer_import(path=bad, layer="buildings")
    [problem] = rejected.value.problems
    assert problem.row == 1 and "cannot be read" in problem.reason
    assert Building.objects.count() == 1


def test_gcj02_points_are_moved_back_by_the_offset(division, tmp_path):
    true_lon, true_lat = 114.29, 34.79
    gcj_lon, gcj_lat = (float(v) for v in chinacrs.wgs84_to_gcj02(true_lon, true_lat))
    # GeoJSON declares EPSG:4326, which GCJ-02 (lon/lat with an offset) agrees with.
    path = write_geojson(
        tmp_path / "sites.geojson", [feature(point(gcj_lon, gcj_lat), name="村口", kind="entrance")]
    )

    report = layer_import(path=path, layer="key-sites", source_crs="GCJ-02")

    assert report.source_crs == "gcj02"
    stored = KeySite.objects.get().location
    # Near Kaifeng the GCJ-02 offset is several hundred metres; the inverse undoes it to well
    # under the half metre asked of it.
    offset_m = haversine_m(gcj_lon, gcj_lat, true_lon, true_lat)
    assert offset_m > 100
    assert haversine_m(stored.x, stored.y, true_lon, true_lat) < 0.5
    assert haversine_m(stored.x, stored.y, gcj_lon, gcj_lat) == pytest.approx(offset_m, abs=0.5)


def test_bd09_csv_points_are_moved_back(division, tmp_path):
    true_lon, true_lat = 114.33, 34.79
    bd_lon, bd_lat = (float(v) for v in chinacrs.wgs84_to_bd09(true_lon, true_lat))
    path = write_csv(
        tmp_path / "sites.csv", ["name", "kind", "lng", "lat"], ["桥", "bridge", bd_lon, bd_lat]
    )

    layer_import(path=path, layer="key-sites", source_crs="bd09")

    stored = KeySite.objects.get().location
    assert haversine_m(stored.x, stored.y, true_lon, true_lat) < 0.5
    assert KeySite.objects.get().area == division.other_village


def test_a_required_field_without_a_column_is_refused_before_reading(division, tmp_path):
    path = write_geojson(tmp_path / "sites.geojson", [feature(point(114.29, 34.79), name="x")])

    with pytest.raises(TransferRefused, match=r"no column for the required field kind"):
        layer_import(path=path, layer="key-sites")


def test_map_naming_an_unknown_field_is_refused(division, tmp_path):
    path = write_geojson(
        tmp_path / "sites.geojson", [feature(point(114.29, 34.79), name="x", kind="other")]
    )

    with pytest.raises(TransferRefused, match=r"--map names no field of key-sites: colour"):
        layer_import(path=path, layer="key-sites", mapping={"colour": "name"})


def test_shapefile_column_names_cut_to_ten_characters_are_recognised(division, tmp_path):
    path = shapefile(
        tmp_path,
        [
            feature(
                point(114.29, 34.79),
                code="C-9",
                name="杆",
                kind="other",
                azimuth=10,
                field_of_view=30,
                range_m=100,
                installed_on="2022-02-02",
            )
        ],
        name="cameras",
    )

    layer_import(path=path, layer="cameras")

    camera = CameraSite.objects.get(code="C-9")
    assert (camera.field_of_view, str(camera.installed_on)) == (30, "2022-02-02")
