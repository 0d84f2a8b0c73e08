"""The heatmap, hexagon-bin, hot-spot and heat-tile endpoints over HTTP."""

import io
import re

import numpy as np
import pytest
import rasterio
from PIL import Image

from tests.factories import LAT, LON
from tests.tiles.conftest import tile_of

pytestmark = pytest.mark.django_db
DENSITY = "/api/v1/heatmaps/density/"
HEXBINS = "/api/v1/heatmaps/hexbins/"
HOTSPOTS = "/api/v1/heatmaps/hotspots/"


def test_incidents_are_not_public(client, cluster):
    for url in (DENSITY, HEXBINS, HOTSPOTS, "/tiles/heat/14/0/0.png"):
        assert client.get(url).status_code == 401


def test_a_token_without_the_incidents_scope_is_403(token_client, cluster):
    assert token_client("read:areas").get(DENSITY).status_code == 403


def test_density_json_names_its_frame_and_peaks(staff_client, cluster):
    response = staff_client.get(DENSITY, {"bandwidth": 500, "cell": 100, "kernel": "gaussian"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["crs"] == "EPSG:4547" and body["incidents"] == 62
    assert body["kernel"] == "gaussian" and body["cell_m"] == 100
    west, south, east, north = body["bounds_lonlat"]
    peak = body["peaks"][0]
    assert west < peak["lon"] < east and south < peak["lat"] < north
    assert abs(peak["lon"] - LON) < 0.03 and abs(peak["lat"] - LAT) < 0.03


def test_geotiff_has_the_metric_crs_and_transform(staff_client, cluster):
    response = staff_client.get(DENSITY, {"format": "geotiff", "cell": 100, "bandwidth": 400})
    assert response["Content-Type"] == "image/tiff"
    summary = staff_client.get(DENSITY, {"cell": 100, "bandwidth": 400}).json()
    with rasterio.MemoryFile(response.content) as memory, memory.open() as dataset:
        assert dataset.crs.to_epsg() == 4547
        assert dataset.transform.a == 100 and dataset.transform.e == -100
        assert tuple(dataset.bounds) == pytest.approx(tuple(summary["bounds"]))
        band = dataset.read(1)
    assert band.max() == pytest.approx(summary["max"], rel=1e-6)


def test_png_comes_with_its_lonlat_bounds(staff_client, cluster):
    response = staff_client.get(DENSITY, {"format": "png", "area": "419821101"})
    assert response["Content-Type"] == "image/png"
    west, south, east, north = map(float, response["X-Bounds"].split(","))
    assert west < LON < east and south < LAT < north
    image = np.asarray(Image.open(io.BytesIO(response.content)))
    assert image.shape[2] == 4 and image[..., 3].max() > 0


def test_a_township_limited_token_sees_only_its_incidents(token_client, county, cluster):
    east = token_client("read", area=county["east"])
    body = east.get(DENSITY).json()
    assert body["incidents"] == 1  # the eastern village's own incident only


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"format": "shp"}, "format"),
        ({"bandwidth": "wide"}, "bandwidth"),
        ({"cell": "30"}, "cell"),
        ({"kernel": "box"}, "kernel"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to"),
        ({"category": "theft"}, "category"),
        ({"status": "lost"}, "status"),
        ({"area": "4198"}, "area"),
        ({"area": "12345"}, "area"),
        ({"cell": "50"}, "cell"),  # the whole county at 50 m is too many cells
    ],
)
def test_bad_parameters_are_400_naming_them(staff_client, cluster, settings, query, parameter):
    settings.GISGOV_HEATMAP_MAX_CELLS = 200_000
    response = staff_client.get(DENSITY, query)
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_hexbins_are_geojson_with_counts(staff_client, cluster, county):
    response = staff_client.get(HEXBINS, {"area": county["west"].code, "size": 400})
    assert response.status_code == 200
    body = response.json()
    assert sum(f["properties"]["incidents"] for f in body["features"]) == 61
    assert body["features"][0]["geometry"]["type"] == "Polygon"


def test_hot_spots_geojson_and_an_offline_map(staff_client, cluster, county):
    query = {"area": county["west"].code, "size": 300}
    body = staff_client.get(HOTSPOTS, query).json()
    classes = {f["properties"]["class"] for f in body["features"]}
    assert "hot_99" in classes
    html = staff_client.get(HOTSPOTS, {**query, "format": "html"}).content.decode()
    assert "L.map(" in html and "hot_99" in html
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html)
    assert not re.search(r"url\([\"']?(https?:)?//", html)


def test_too_few_incidents_for_hot_spots_is_409(staff_client, county):
    response = staff_client.get(HOTSPOTS)
    assert response.status_code == 409
    assert "at least 30" in response.json()["detail"]


def test_heat_tiles_are_png_and_empty_far_away(staff_client, cluster):
    z, x, y = tile_of(LON, LAT, 13)
    response = staff_client.get(f"/tiles/heat/{z}/{x}/{y}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = np.asarray(Image.open(io.BytesIO(response.content)))
    assert image.shape == (256, 256, 4) and image[..., 3].max() > 0
    z, x, y = tile_of(LON + 20, LAT, 13)
    assert staff_client.get(f"/tiles/heat/{z}/{x}/{y}.png").status_code == 204
    assert staff_client.get("/tiles/heat/13/abc/1.png").status_code == 400
    assert "z" in staff_client.get("/tiles/heat/2/0/0.png").json()


@pytest.mark.django_db(transaction=True)
def test_a_background_run_reports_progress_and_the_same_answer(
    staff_client, cluster, county, run_worker
):
    query = {"area": county["west"].code, "size": 300}
    queued = staff_client.get(HOTSPOTS, {**query, "run": "background"})
    assert queued.status_code == 202
    url = queued.json()["url"]
    assert staff_client.get(url).json()["status"] == "queued"
    run_worker()
    job = staff_client.get(url).json()
    assert job["status"] == "succeeded" and job["percent"] == 100
    direct = staff_client.get(HOTSPOTS, query).json()
    assert job["result"]["features"] == direct["features"]


def test_too_many_hexagons_is_400_before_any_work(staff_client, cluster):
    response = staff_client.get(HEXBINS, {"size": "20"})
    assert response.status_code == 400 and "size" in response.json()
