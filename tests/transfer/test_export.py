"""export_layer files: readable by GDAL, and imported again they give back the same features."""

import json

import pytest
from django.contrib.gis.gdal import DataSource

from layers.areas.models import AdminArea
from layers.cameras.models import CameraSite
from layers.departments.models import Department
from layers.grids.models import Grid
from layers.incidents.models import Incident
from layers.transfer import writers
from layers.transfer.errors import TransferRefused
from layers.transfer.services import layer_export, layer_import
from tests.transfer.factories import OTHER_VILLAGE, feature, point, write_geojson

pytestmark = pytest.mark.django_db

CAMERA_COLUMNS = [
    "code",
    "name",
    "kind",
    "azimuth",
    "field_of_view",
    "range_m",
    "status",
    "department",
    "installed_on",
]


@pytest.fixture
def cameras(division, tmp_path):
    path = write_geojson(
        tmp_path / "cameras-in.geojson",
        [
            feature(
                point(114.29, 34.79),
                code="C-001",
                name="西村村口",
                kind="sharp_eyes",
                azimuth=90,
                field_of_view=60,
                range_m=80,
                department="北书店派出所",
                installed_on="2023-06-01",
            ),
            feature(
                point(114.33, 34.79),
                code="C-002",
                name="东村路口",
                kind="skynet",
                azimuth=12.5,
                field_of_view=360,
                range_m=50,
                status="faulty",
            ),
        ],
    )
    layer_import(path=path, layer="cameras")


def camera_rows():
    return list(
        CameraSite.objects.order_by("code").values_list(
            "code",
            "name",
            "kind",
            "azimuth",
            "field_of_view",
            "range_m",
            "status",
            "department__name",
            "installed_on",
            "location",
            "grid",
            "area",
        )
    )


def test_geojson_export_imports_again_into_a_fresh_state(cameras, tmp_path):
    before = camera_rows()
    output = tmp_path / "cameras.geojson"

    assert layer_export(layer="cameras", path=output, format="geojson") == 2
    CameraSite.objects.all().delete()
    report = layer_import(path=output, layer="cameras")

    assert report.created == 2
    assert camera_rows() == before
    first = json.loads(output.read_text())["features"][0]
    assert list(first["properties"]) == CAMERA_COLUMNS
    assert first["geometry"] == {"type": "Point", "coordinates": [114.29, 34.79]}


def area_rows():
    return list(AdminArea.objects.values_list("code", "name", "level", "parent__code", "geom"))


def delete_areas():
    Grid.objects.all().delete()
    Department.objects.all().delete()
    # Children first: the parent link protects an area from deletion.
    for level in (5, 4, 3):
        AdminArea.objects.filter(level=level).delete()


def assert_same_areas(after, before):
    assert [row[:4] for row in after] == [row[:4] for row in before]
    assert all(a[4].equals_exact(b[4], 1e-9) for a, b in zip(after, before, strict=True))


def test_areas_round_trip_with_their_parents(division, tmp_path):
    before = area_rows()
    output = tmp_path / "areas.geojson"

    layer_export(layer="areas", path=output, format="geojson")
    delete_areas()
    layer_import(path=output, layer="areas")

    assert_same_areas(area_rows(), before)


def test_area_option_keeps_only_features_inside_the_division(cameras, tmp_path):
    output = tmp_path / "cameras.geojson"

    assert (
        layer_export(layer="cameras", path=output, format="geojson", area_code=OTHER_VILLAGE) == 1
    )

    features = json.loads(output.read_text())["features"]
    assert [f["properties"]["code"] for f in features] == ["C-002"]


@pytest.mark.parametrize("area_code", ["1", "41982", "4198211"])
def test_a_partial_division_code_is_refused_not_read_as_a_prefix(cameras, tmp_path, area_code):
    output = tmp_path / "cameras.geojson"
    with pytest.raises(TransferRefused, match="division code"):
        layer_export(layer="cameras", path=output, format="geojson", area_code=area_code)
    assert not output.exists()


def test_grids_export_only_the_current_grids(division, tmp_path):
    Grid.objects.filter(code="G-001").update(valid_to="2024-06-01")
    Grid.objects.create(
        code="G-001",
        name="重划",
        village=division.village,
        kind="basic",
        geom=division.grid.geom,
        valid_from="2024-06-01",
    )
    output = tmp_path / "grids.geojson"

    layer_export(layer="grids", path=output, format="geojson")

    properties = json.loads(output.read_text())["features"][0]["properties"]
    assert properties == {
        "code": "G-001",
        "name": "重划",
        "village_code": "410102001001",
        "kind": "basic",
        "exclusive_type": "",
        "valid_from": "2024-06-01",
    }


def test_geopackage_is_readable_by_gdal_and_imports_again(cameras, tmp_path):
    output = tmp_path / "cameras.gpkg"

    assert layer_export(layer="cameras", path=output, format="gpkg") == 2

    layer = DataSource(str(output))[0]
    assert (layer.name, layer.num_feat, layer.srs.srid) == ("cameras", 2, 4326)
    assert layer.fields == CAMERA_COLUMNS
    CameraSite.objects.all().delete()
    assert layer_import(path=output, layer="cameras").created == 2


def test_csv_of_points_has_lon_lat_and_imports_again(cameras, tmp_path):
    before = camera_rows()
    output = tmp_path / "cameras.csv"

    assert layer_export(layer="cameras", path=output, format="csv") == 2

    layer = DataSource(str(output))[0]
    assert layer.num_feat == 2
    assert layer.fields == [*CAMERA_COLUMNS, "lon", "lat"]
    CameraSite.objects.all().delete()
    layer_import(path=output, layer="cameras")
    assert camera_rows() == before


def test_csv_of_polygons_has_wkt_gdal_reads_and_imports_again(division, tmp_path):
    before = area_rows()
    output = tmp_path / "areas.csv"

    layer_export(layer="areas", path=output, format="csv")

    layer = DataSource(str(output))[0]
    assert layer.num_feat == 4
    geometries = [feature.geom for feature in layer]
    assert {geometry.geom_type.name for geometry in geometries} == {"MultiPolygon"}
    delete_areas()
    layer_import(path=output, layer="areas")
    assert_same_areas(area_rows(), before)


def test_incident_times_survive_the_round_trip(division, tmp_path):
    source = write_geojson(
        tmp_path / "incidents-in.geojson",
        [
            feature(
                point(114.29, 34.79),
                category="dispute",
                subcategory="land",
                source="citizen",
                title="地界",
                reported_at="2024-05-01 10:30",
            )
        ],
    )
    layer_import(path=source, layer="incidents")
    before = Incident.objects.get().reported_at
    output = tmp_path / "incidents.gpkg"

    layer_export(layer="incidents", path=output, format="gpkg")
    Incident.objects.all().delete()
    layer_import(path=output, layer="incidents")

    assert Incident.objects.get().reported_at == before


def test_unknown_format_is_refused(division, tmp_path):
    with pytest.raises(TransferRefused, match=r"unknown format shp: use geojson, gpkg, csv"):
        layer_export(layer="areas", path=tmp_path / "a.shp", format="shp")


def test_empty_layer_exports_an_empty_collection(division, tmp_path):
    output = tmp_path / "buildings.geojson"

    assert layer_export(layer="buildings", path=output, format="geojson") == 0
    assert json.loads(output.read_text()) == {"type": "FeatureCollection", "features": []}


def test_a_failed_export_leaves_the_previous_file_whole(cameras, tmp_path, monkeypatch):
    target = tmp_path / "cameras.geojson"
    layer_export(layer="cameras", path=target, format="geojson")
    previous = target.read_text(encoding="utf-8")

    def write_then_fail(spec, selected, path):
        writers.write_geojson(spec, selected, path)
        raise OSError("disk full")

    monkeypatch.setitem(writers.WRITERS, "geojson", write_then_fail)
    with pytest.raises(OSError):
        layer_export(layer="cameras", path=target, format="geojson")
    assert target.read_text(encoding="utf-8") == previous
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


@pytest.mark.parametrize("format", ["geojson", "csv", "gpkg"])
def test_an_export_failing_mid_stream_leaves_no_file(cameras, tmp_path, monkeypatch, format):
    streamed = writers._stream

    def stream_then_fail(query, params):
        rows = streamed(query, params)
        yield next(rows)
        raise OSError("connection lost")

    monkeypatch.setattr(writers, "_stream", stream_then_fail)
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(OSError):
        layer_export(layer="cameras", path=folder / f"cameras.{format}", format=format)
    assert list(folder.iterdir()) == []
