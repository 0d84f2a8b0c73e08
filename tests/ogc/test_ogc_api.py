"""OGC API – Features Parts 1 and 2, checked by hand and through the standard clients."""

import json
import subprocess
from datetime import datetime, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from rest_framework.test import APIClient

from layers.access.services import api_token_create
from layers.buildings.models import Building
from tests import factories as f
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
JAN_1 = timezone.make_aware(datetime(2025, 1, 1, 12))


@pytest.fixture
def county(db):
    data = f.small_county()
    for number in range(25):  # enough buildings to page through
        f.building(LON - 0.05 + number * 0.001, LAT + 0.05)
    for days in (0, 10, 40):
        f.incident(LON, LAT, reported_at=JAN_1 + timedelta(days=days))
    return data


@pytest.fixture
def client():
    return APIClient()


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content[:400]
    return response


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create(username="video-platform")
    _token, key = api_token_create(user=user, name="video platform", scopes=["read"])
    return key


def test_landing_conformance_and_openapi(client):
    landing = get(client, "/ogc/").json()
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conformance = get(client, "/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    document = get(client, "/ogc/api").json()
    assert document["openapi"].startswith("3.0")
    assert "/collections/incidents/items" in document["paths"]


def test_collections_show_what_the_caller_may_read(client, county, reader):
    public = {c["id"] for c in get(client, "/ogc/collections").json()["collections"]}
    assert public == {"areas", "grids", "buildings"}
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {reader}")
    everything = {c["id"] for c in get(client, "/ogc/collections").json()["collections"]}
    assert {"cameras", "incidents", "key-sites"} <= everything


def test_collection_has_spatial_and_temporal_extent_and_crs(client, county, reader):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {reader}")
    incidents = get(client, "/ogc/collections/incidents").json()
    west, south, east, north = incidents["extent"]["spatial"]["bbox"][0]
    assert west <= LON <= east and south <= LAT <= north
    start, _end = incidents["extent"]["temporal"]["interval"][0]
    assert start.startswith("2025-01-01")
    assert incidents["storageCrs"] == CRS84
    assert EPSG.format(4490) in incidents["crs"]


def test_items_page_with_numbers_and_links(client, county):
    first = get(client, "/ogc/collections/buildings/items", limit=10).json()
    assert first["numberMatched"] == 27 and first["numberReturned"] == 10
    next_url = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = get(client, next_url).json()
    assert "prev" in {link["rel"] for link in second["links"]}
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}
    last = get(client, "/ogc/collections/buildings/items", limit=10, offset=20).json()
    assert last["numberReturned"] == 7 and "next" not in {link["rel"] for link in last["links"]}


def test_bbox_in_crs84_and_in_latitude_first_epsg_4326(client, county):
    crs84 = get(
        client,
        "/ogc/collections/buildings/items",
        bbox=f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}",
    )
    assert crs84.json()["numberMatched"] == 1
    latitude_first = get(
        client,
        "/ogc/collections/buildings/items",
        bbox=f"{LAT - 0.01},{LON - 0.01},{LAT + 0.01},{LON + 0.01}",
        **{"bbox-crs": EPSG.format(4326)},
    )
    assert latitude_first.json()["numberMatched"] == 1


def test_output_crs_moves_coordinates_and_says_so(client, county):
    building_id = Building.objects.get(footprint__intersects=Point(LON, LAT, srid=4326)).pk
    url = f"/ogc/collections/buildings/items/{building_id}"
    default = get(client, url)
    assert default["Content-Crs"] == f"<{CRS84}>"
    lon, lat = default.json()["geometry"]["coordinates"][0][0]
    flipped = get(client, url, crs=EPSG.format(4490))
    assert flipped["Content-Crs"] == f"<{EPSG.format(4490)}>"
    assert flipped.json()["geometry"]["coordinates"][0][0] == pytest.approx([lat, lon])
    mercator = get(client, url, crs=EPSG.format(3857)).json()["geometry"]["coordinates"][0][0]
    expected = Point(lon, lat, srid=4326).transform(3857, clone=True)
    assert mercator == pytest.approx([expected.x, expected.y], abs=0.01)


def test_datetime_instants_and_intervals(client, county, reader):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {reader}")
    url = "/ogc/collections/incidents/items"

    def matched(value):
        return get(client, url, datetime=value).json()["numberMatched"]

    assert matched("2025-01-01") == 1  # a date is the whole day
    assert matched(JAN_1.isoformat()) == 1
    assert matched("2025-01-01T00:00:00+08:00/2025-01-20T00:00:00+08:00") == 2
    assert matched("../2025-01-20") == 2
    assert matched("2025-01-05/..") == 4  # includes the two made 'now' by small_county


def test_property_filters_are_the_queryables(client, county, reader):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {reader}")
    f.incident(LON, LAT, category="safety_hazard", subcategory="fire")
    queryables = get(client, "/ogc/collections/incidents/queryables").json()
    assert "dispute" in queryables["properties"]["category"]["enum"]
    assert {"status", "area", "grid", "geometry"} <= set(queryables["properties"])
    fires = get(client, "/ogc/collections/incidents/items", category="safety_hazard").json()
    assert fires["numberMatched"] == 1


@pytest.mark.parametrize(
    ("path", "params", "status", "named"),
    [
        ("/ogc/collections/parks", {}, 404, "parks"),
        ("/ogc/collections/parks/items", {}, 404, "parks"),
        ("/ogc/collections/grids/items/999999", {}, 404, "999999"),
        ("/ogc/collections/grids/items/abc", {}, 404, "abc"),
        ("/ogc/collections/grids/items", {"limit": "0"}, 400, "limit"),
        ("/ogc/collections/grids/items", {"limit": "x"}, 400, "limit"),
        ("/ogc/collections/grids/items", {"offset": "-1"}, 400, "offset"),
        ("/ogc/collections/grids/items", {"bbox": "1,2,3"}, 400, "bbox"),
        ("/ogc/collections/grids/items", {"bbox": "5,5,1,1"}, 400, "bbox"),
        ("/ogc/collections/grids/items", {"bbox": "1,2,x,4"}, 400, "bbox"),
        ("/ogc/collections/grids/items", {"crs": "EPSG:9999"}, 400, "crs"),
        ("/ogc/collections/grids/items", {"bbox-crs": "nope", "bbox": "1,2,3,4"}, 400, "bbox-crs"),
        ("/ogc/collections/grids/items", {"datetime": "last week"}, 400, "datetime"),
        ("/ogc/collections/grids/items", {"datetime": "2025-02-01/2025-01-01"}, 400, "datetime"),
        ("/ogc/collections/buildings/items", {"datetime": "2025-01-01"}, 400, "datetime"),
        ("/ogc/collections/grids/items", {"colour": "red"}, 400, "colour"),
        ("/ogc/collections/grids/items", {"kind": "triangle"}, 400, "kind"),
    ],
)
def test_errors_follow_the_standard(client, county, path, params, status, named):
    response = get(client, path, status=status, **params)
    body = response.json()
    assert set(body) == {"code", "description"}
    assert named in body["description"]


def test_incidents_need_a_credential(client, county):
    assert (
        get(client, "/ogc/collections/incidents/items", status=401).json()["code"]
        == "NotAuthorized"
    )
    client.credentials(HTTP_AUTHORIZATION="Bearer wrong")
    assert get(client, "/ogc/collections/grids/items", status=401).json()["code"] == "NotAuthorized"


def test_a_token_limited_to_a_township_gets_only_its_features(client, county, django_user_model):
    user = django_user_model.objects.create(username="township-system")
    _token, key = api_token_create(user=user, name="east", scopes=["read"], area=county["east"])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = get(client, "/ogc/collections/incidents/items").json()
    assert body["numberMatched"] == 1
    assert body["features"][0]["properties"]["area"] == "419821102201"


def test_read_endpoints_allow_other_origins(client, county):
    response = client.get("/ogc/collections/grids/items", HTTP_ORIGIN="https://map.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"


# --- the standard clients, against a live server -----------------------------------------


@pytest.fixture
def live_county(live_server, transactional_db):
    f.small_county()
    for number in range(25):
        f.building(LON - 0.05 + number * 0.001, LAT + 0.05)
    return live_server.url + "/ogc"


def ogr(*args, token=None):
    config = ["--config", "GDAL_HTTP_HEADERS", f"Authorization: Bearer {token}"] if token else []
    run = subprocess.run([*args, *config], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_ogrinfo_lists_every_collection(live_county, django_user_model):
    user = django_user_model.objects.create(username="gis-desktop")
    _token, key = api_token_create(user=user, name="qgis", scopes=["read"])
    listing = ogr("ogrinfo", "-ro", "-q", f"OAPIF:{live_county}", token=key)
    for collection in ("areas", "grids", "buildings", "cameras", "key-sites", "incidents"):
        assert collection in listing


@pytest.mark.parametrize(
    "collection", ["areas", "grids", "buildings", "cameras", "key-sites", "incidents"]
)
def test_ogr2ogr_pages_through_next_links_and_gets_every_feature_once(
    live_county, tmp_path, django_user_model, collection
):
    user, _ = django_user_model.objects.get_or_create(username="gis-desktop")
    _token, key = api_token_create(user=user, name="qgis", scopes=["read"])
    output = tmp_path / "out.geojson"
    ogr(
        "ogr2ogr",
        "-f",
        "GeoJSON",
        "-preserve_fid",
        str(output),
        f"OAPIF:{live_county}",
        collection,
        "-oo",
        "PAGE_SIZE=4",
        token=key,
    )
    features = json.loads(output.read_text())["features"]
    model = {
        "areas": "areas.AdminArea",
        "grids": "grids.Grid",
        "buildings": "buildings.Building",
        "cameras": "cameras.CameraSite",
        "key-sites": "keysites.KeySite",
        "incidents": "incidents.Incident",
    }[collection]
    from django.apps import apps

    ids = [feature["id"] for feature in features]
    assert len(ids) == len(set(ids)) == apps.get_model(model).objects.count()


def test_owslib_features_client_reads_collections_and_items(live_county):
    from owslib.ogcapi.features import Features

    api = Features(live_county)
    assert {c["id"] for c in api.collections()["collections"]} >= {"grids", "buildings"}
    items = api.collection_items("buildings", limit=5)
    assert items["numberReturned"] == 5 and items["numberMatched"] == 27
    assert api.collection_queryables("grids")["properties"]


def test_geopandas_reads_an_items_url(live_county):
    import geopandas

    frame = geopandas.read_file(f"{live_county}/collections/grids/items?limit=100")
    assert len(frame) == 2 and set(frame["code"]) == {"419821101201001", "419821102201001"}
    assert frame.crs.to_epsg() == 4326


def test_a_township_token_sees_only_its_own_extent(client, county, django_user_model):
    user = django_user_model.objects.create(username="township-map")
    _token, key = api_token_create(user=user, name="east", scopes=["read"], area=county["east"])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    west, _south, _east, _north = get(client, "/ogc/collections/cameras").json()["extent"][
        "spatial"
    ]["bbox"][0]
    assert west > LON + 0.1  # the west township's camera stays out of the box
