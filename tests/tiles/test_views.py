"""Tiles and TileJSON over HTTP: access, parameters, errors, caching."""

import pytest
from django.core.cache import cache

from tests import factories as f
from tests.factories import LAT, LON
from tests.tiles.conftest import tile_of, tile_url
from tests.tiles.mvt import read_tile

pytestmark = pytest.mark.django_db
MVT = "application/vnd.mapbox-vector-tile"
EAST = LON + 0.25  # the eastern village's features


@pytest.fixture(autouse=True)
def fresh_bounds():
    """TileJSON bounds are cached by query; each test has its own data."""
    cache.clear()


def count(response) -> int:
    if response.status_code == 204:
        return 0
    assert response.status_code == 200, response.content[:300]
    (layer,) = read_tile(response.content).values()
    return len(layer.features)


def test_a_tile_is_mvt_with_one_layer_named_after_the_layer(client, county):
    response = client.get(tile_url("buildings", LON, LAT, 16))
    assert response.status_code == 200
    assert response["Content-Type"] == MVT
    assert list(read_tile(response.content)) == ["buildings"]


def test_an_empty_tile_is_204(client, county):
    response = client.get(tile_url("buildings", LON + 5, LAT, 16))
    assert (response.status_code, response.content) == (204, b"")
    assert response["Content-Type"] == MVT


@pytest.mark.parametrize("layer", ["cameras", "incidents", "key-sites"])
def test_sensitive_layers_need_a_login_or_a_token(client, staff_client, county, layer):
    response = client.get(tile_url(layer, LON, LAT, 15))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert layer in response.json()["detail"]
    assert client.get(f"/tiles/{layer}.json").status_code == 401
    assert count(staff_client.get(tile_url(layer, LON, LAT, 15))) == 1


def test_a_token_reads_only_its_scopes(token_client, county):
    areas_only = token_client("read:areas")
    assert count(areas_only.get(tile_url("areas", LON, LAT, 14))) == 3
    response = areas_only.get(tile_url("cameras", LON, LAT, 15))
    assert response.status_code == 403
    assert "cameras" in response.json()["detail"]


def test_an_unknown_token_is_401(client, county):
    response = client.get(tile_url("areas", LON, LAT, 14), headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("layer", ["incidents", "cameras", "buildings", "areas"])
def test_a_token_limited_to_an_area_sees_nothing_outside_it(token_client, county, layer):
    east = token_client("read", area=county["east"])
    assert count(east.get(tile_url(layer, LON, LAT, 15))) == 0
    assert count(east.get(tile_url(layer, EAST, LAT, 15))) >= 1


def test_filters_are_those_of_the_rest_api(staff_client, county):
    f.incident(LON, LAT, category="public_safety", subcategory="theft", status="closed")
    url = tile_url("incidents", LON, LAT, 15)
    assert count(staff_client.get(url)) == 2
    assert count(staff_client.get(url, {"category": "public_safety"})) == 1
    assert count(staff_client.get(url, {"category": ["public_safety", "dispute"]})) == 2
    assert count(staff_client.get(url, {"status": "closed"})) == 1
    assert count(staff_client.get(url, {"since": "2000-01-01T00:00:00Z"})) == 2
    assert count(staff_client.get(url, {"until": "2000-01-01T00:00:00Z"})) == 0
    assert count(staff_client.get(url, {"area": "419821102"})) == 0
    assert count(staff_client.get(tile_url("incidents", EAST, LAT, 15), {"area": "419821102"})) == 1
    low_zoom = tile_url("incidents", LON, LAT, 9)
    (bins,) = read_tile(staff_client.get(low_zoom, {"status": "closed"}).content).values()
    assert [b.properties["count"] for b in bins.features] == [1]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"category": "gossip"}, "category"),
        ({"since": "last week"}, "since"),
        ({"area": "4x"}, "area"),
    ],
)
def test_a_bad_filter_is_400_naming_it(staff_client, county, query, parameter):
    response = staff_client.get(tile_url("incidents", LON, LAT, 15), query)
    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    assert staff_client.get("/tiles/incidents.json", query).status_code == 400


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("23/0/0", "z"),
        ("-1/0/0", "z"),
        ("one/0/0", "z"),
        ("2/4/0", "x"),
        ("2/0x1/0", "x"),
        ("2/0/4", "y"),
        ("2/0/-1", "y"),
        ("22/4194304/0", "x"),
    ],
)
def test_a_tile_outside_the_tile_matrix_is_400_naming_the_coordinate(client, path, parameter):
    response = client.get(f"/tiles/areas/{path}.mvt")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_the_deepest_tile_is_served(client, county):
    assert count(client.get(tile_url("buildings", LON, LAT, 22))) == 1


@pytest.mark.parametrize("layer", ["roads", "departments"])
def test_an_unknown_layer_is_404_json(client, layer):
    for url in (f"/tiles/{layer}/0/0/0.mvt", f"/tiles/{layer}.json"):
        response = client.get(url)
        assert response.status_code == 404
        assert "areas" in response.json()["detail"]


def test_etag_and_if_none_match(client, county):
    url = tile_url("areas", LON, LAT, 12)
    response = client.get(url)
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert response["Cache-Control"] == "public, max-age=300"
    again = client.get(url, headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert again["Cache-Control"] == "public, max-age=300"
    f.area("419821101202", 5, f.rectangle(LON - 0.01, LAT - 0.01, LON, LAT), county["west"])
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_private_data_is_not_for_shared_caches(staff_client, token_client, county):
    response = staff_client.get(tile_url("incidents", LON, LAT, 15))
    assert response["Cache-Control"] == "private, max-age=60"
    limited = token_client("read", area=county["east"])
    response = limited.get(tile_url("buildings", EAST, LAT, 15))
    assert response["Cache-Control"] == "private, max-age=60"
    assert "Authorization" in response["Vary"]


def test_tilejson_describes_the_layer_and_its_extent(client, county):
    document = client.get("/tiles/areas.json").json()
    assert document["tilejson"] == "3.0.0"
    assert document["tiles"] == ["http://testserver/tiles/areas/{z}/{x}/{y}.mvt"]
    west, south, east, north = document["bounds"]
    assert (west, south, east, north) == pytest.approx((LON - 0.3, LAT - 0.3, LON + 0.3, LAT + 0.3))
    lon, lat, zoom = document["center"]
    assert (lon, lat) == pytest.approx((LON, LAT))
    assert 0 <= zoom <= document["maxzoom"]
    (layer,) = document["vector_layers"]
    assert layer["id"] == "areas"
    assert set(layer["fields"]) == {"code", "name", "level", "parent_code"}
    assert client.get("/tiles/buildings.json").json()["minzoom"] == 14


def test_tilejson_keeps_the_filters_and_the_callers_area(staff_client, token_client, county):
    document = staff_client.get("/tiles/incidents.json", {"category": "dispute"}).json()
    assert document["tiles"] == [
        "http://testserver/tiles/incidents/{z}/{x}/{y}.mvt?category=dispute"
    ]
    fields = document["vector_layers"][0]["fields"]
    assert {"category", "reported_at", "count", "count_dispute"} <= set(fields)
    east = token_client("read", area=county["east"]).get("/tiles/incidents.json").json()
    assert east["bounds"] == pytest.approx([EAST, LAT, EAST, LAT])
    assert east["center"][2] == east["maxzoom"]


def test_a_tile_url_from_tilejson_is_served(client, county):
    template = client.get("/tiles/grids.json").json()["tiles"][0]
    z, x, y = tile_of(LON, LAT, 13)
    url = template.replace("http://testserver", "").format(z=z, x=x, y=y)
    assert count(client.get(url)) == 1
