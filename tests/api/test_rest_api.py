"""The GeoJSON REST API: every layer, its filters, keyset paging, access and CRS-aware writes."""

import json
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from layers.areas.models import AreaLevel
from layers.common import chinacrs
from layers.incidents.models import Incident
from tests import factories as f
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db

LAYERS = ["areas", "grids", "buildings", "cameras", "key-sites", "departments", "incidents"]
PUBLIC = {"areas", "grids", "buildings"}


def collection(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    return body


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_lists_geojson_features(superuser_client, county, layer):
    if layer == "departments":
        f.department("派出所", county["west"])
    body = collection(superuser_client.get(f"/api/v1/{layer}/"))
    assert body["features"], layer
    feature = body["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"]
    assert "id" in feature and "feature_geometry" not in feature["properties"]
    assert body["numberReturned"] == len(body["features"])


@pytest.mark.parametrize("layer", LAYERS)
def test_anonymous_reads_only_public_layers(anonymous, county, layer):
    response = anonymous.get(f"/api/v1/{layer}/")
    assert response.status_code == (200 if layer in PUBLIC else 401)


def test_a_feature_detail_is_a_feature(superuser_client, county):
    grid = county["grids"][0]
    feature = superuser_client.get(f"/api/v1/grids/{grid.pk}/").json()
    assert feature["type"] == "Feature" and feature["id"] == grid.pk
    assert feature["properties"]["village"] == "419821101201"


def test_keyset_paging_returns_every_feature_exactly_once(superuser_client, county):
    moment = timezone.now()
    for number in range(23):  # ties on reported_at must not lose or repeat rows
        f.incident(LON, LAT, reported_at=moment - timedelta(hours=number // 3))
    seen, url = [], "/api/v1/incidents/?limit=5"
    while url:
        body = collection(superuser_client.get(url))
        seen += [feature["id"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert sorted(seen) == sorted(Incident.objects.values_list("id", flat=True))
    assert len(seen) == len(set(seen)) == 25
    times = list(Incident.objects.filter(id__in=seen[:5]).values_list("reported_at", flat=True))
    assert max(times) == Incident.objects.latest("reported_at").reported_at  # newest first


def test_bbox_and_area_filters(superuser_client, county):
    west = collection(
        superuser_client.get(
            f"/api/v1/incidents/?bbox={LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"
        )
    )
    assert len(west["features"]) == 1
    east = collection(superuser_client.get("/api/v1/incidents/?area=419821102000"))
    assert [feat["properties"]["area"] for feat in east["features"]] == ["419821102201"]
    county_wide = collection(superuser_client.get("/api/v1/buildings/?area=419821"))
    assert len(county_wide["features"]) == 2


def test_grid_category_time_and_text_filters(superuser_client, county):
    f.incident(LON, LAT, category="safety_hazard", subcategory="fire", title="burning straw")
    f.incident(LON, LAT, reported_at=timezone.now() - timedelta(days=400))
    by_grid = collection(superuser_client.get("/api/v1/incidents/?grid=419821101201001"))
    assert len(by_grid["features"]) == 3
    fires = collection(superuser_client.get("/api/v1/incidents/?category=safety_hazard"))
    assert [feat["properties"]["title"] for feat in fires["features"]] == ["burning straw"]
    since = (timezone.now() - timedelta(days=30)).isoformat()
    recent = collection(superuser_client.get("/api/v1/incidents/", {"since": since}))
    assert len(recent["features"]) == 3
    assert len(collection(superuser_client.get("/api/v1/incidents/?q=STRAW"))["features"]) == 1


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=10,10,5,5", "bbox"),
        ("area=12x", "area"),
        ("area=4198211", "area"),
        ("limit=0", "limit"),
        ("limit=lots", "limit"),
        ("ordering=title", "ordering"),
        ("cursor=%%%", "cursor"),
        ("since=yesterday", "since"),
        ("category=nonsense", "category"),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(superuser_client, county, query, parameter):
    response = superuser_client.get(f"/api/v1/incidents/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()


def test_token_scopes_decide_what_a_system_reads(token_client, county):
    incidents_only = token_client("read:incidents")
    assert incidents_only.get("/api/v1/incidents/").status_code == 200
    assert incidents_only.get("/api/v1/cameras/").status_code == 403
    assert incidents_only.get("/api/v1/grids/").status_code == 200  # public layer


def test_a_token_limited_to_a_township_sees_only_inside_it(token_client, county):
    client = token_client("read", area=county["east"])
    body = collection(client.get("/api/v1/incidents/"))
    assert [feat["properties"]["area"] for feat in body["features"]] == ["419821102201"]
    west_incident = Incident.objects.get(area__code="419821101201")
    assert client.get(f"/api/v1/incidents/{west_incident.pk}/").status_code == 404


def test_unknown_or_expired_tokens_are_refused(anonymous, django_user_model):
    from layers.access.services import api_token_create

    anonymous.credentials(HTTP_AUTHORIZATION="Bearer not-a-key")
    assert anonymous.get("/api/v1/grids/").status_code == 401
    user = django_user_model.objects.create(username="old")
    _token, key = api_token_create(
        user=user, name="old", scopes=["read"], expires_at=timezone.now() - timedelta(days=1)
    )
    anonymous.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert anonymous.get("/api/v1/grids/").status_code == 401


def incident_payload(lon, lat, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "category": "dispute",
            "subcategory": "land",
            "source": "patrol",
            "title": "boundary stone moved",
            "reported_at": timezone.now().isoformat(),
            **properties,
        },
    }


def test_writes_need_a_write_scope(token_client, anonymous, county):
    assert (
        anonymous.post("/api/v1/incidents/", incident_payload(LON, LAT), format="json").status_code
        == 401
    )
    reader = token_client("read")
    assert (
        reader.post("/api/v1/incidents/", incident_payload(LON, LAT), format="json").status_code
        == 403
    )
    writer = token_client("write:incidents")
    response = writer.post("/api/v1/incidents/", incident_payload(LON, LAT), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["properties"]["grid"] == "419821101201001"  # assigned in the database


def test_a_gcj02_position_is_converted_only_because_the_request_says_so(superuser_client, county):
    gcj_lon, gcj_lat = (float(v) for v in chinacrs.wgs84_to_gcj02(LON, LAT))
    response = superuser_client.post(
        "/api/v1/incidents/?crs=gcj02", incident_payload(gcj_lon, gcj_lat), format="json"
    )
    assert response.status_code == 201, response.content
    stored = Incident.objects.get(pk=response.json()["id"]).location
    # Back within a millimetre (1e-8°) of the WGS84 point the phone stood on.
    assert abs(stored.x - LON) < 1e-8 and abs(stored.y - LAT) < 1e-8
    plain = superuser_client.post(
        "/api/v1/incidents/", incident_payload(gcj_lon, gcj_lat), format="json"
    )
    assert Incident.objects.get(pk=plain.json()["id"]).location.x == pytest.approx(gcj_lon)


@pytest.mark.parametrize(
    ("named", "northing_first"),
    [
        ("EPSG:4547", False),  # a bare code: GeoJSON's x = east
        ("<http://www.opengis.net/def/crs/EPSG/0/4547>", True),  # the URI: EPSG's north, east
    ],
)
def test_a_projected_crs_is_taken_from_the_content_crs_header(
    superuser_client, county, named, northing_first
):
    point = Point(LON, LAT, srid=4326)
    point.transform(4547)
    x, y = (point.y, point.x) if northing_first else (point.x, point.y)
    response = superuser_client.post(
        "/api/v1/incidents/",
        incident_payload(x, y),
        format="json",
        HTTP_CONTENT_CRS=named,
    )
    assert response.status_code == 201, response.content
    stored = Incident.objects.get(pk=response.json()["id"]).location
    assert stored.distance(Point(LON, LAT, srid=4326)) < 1e-7


@pytest.mark.parametrize(
    ("crs", "first", "second"),
    [
        ("EPSG:4326", LON, LAT),
        ("CRS84", LON, LAT),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", LON, LAT),
        ("http://www.opengis.net/def/crs/EPSG/0/4326", LAT, LON),
        ("urn:ogc:def:crs:EPSG::4326", LAT, LON),
        ("http://www.opengis.net/def/crs/EPSG/0/4490", LAT, LON),
    ],
)
def test_an_ogc_crs_identifier_is_read_in_its_authoritys_axis_order(
    superuser_client, county, crs, first, second
):
    """The same URIs the OGC API writes latitude first are read latitude first."""
    response = superuser_client.post(
        f"/api/v1/incidents/?crs={crs}", incident_payload(first, second), format="json"
    )
    assert response.status_code == 201, response.content
    stored = Incident.objects.get(pk=response.json()["id"]).location
    assert (stored.x, stored.y) == pytest.approx((LON, LAT), abs=1e-9)


@pytest.mark.parametrize(
    ("geometry", "crs", "message"),
    [
        ({"type": "Point", "coordinates": [LON, LAT]}, "EPSG:nope", "unknown CRS"),
        ({"type": "Point", "coordinates": [LAT, 200]}, None, "outside longitude"),
        (
            {"type": "LineString", "coordinates": [[LON, LAT], [LON, LAT + 1]]},
            None,
            "Expected a Point",
        ),
        ({"type": "Point", "coordinates": [LON, LAT, 12]}, None, "3-D"),
        ({"type": "Pointy", "coordinates": [1]}, None, "GeoJSON"),
        ({"type": "Point", "coordinates": []}, None, "GeoJSON"),
        ({"type": "Point", "coordinates": [LON, "north"]}, None, "GeoJSON"),
    ],
)
def test_bad_geometry_is_a_400_naming_the_problem_and_nothing_is_stored(
    superuser_client, county, geometry, crs, message
):
    payload = incident_payload(LON, LAT)
    payload["geometry"] = geometry
    url = "/api/v1/incidents/" + (f"?crs={crs}" if crs else "")
    response = superuser_client.post(url, payload, format="json")
    assert response.status_code == 400
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert Incident.objects.count() == 2


def test_a_self_intersecting_grid_is_refused_with_the_reason(superuser_client, county):
    bowtie = [
        [LON, LAT],
        [LON + 0.01, LAT + 0.01],
        [LON + 0.01, LAT],
        [LON, LAT + 0.01],
        [LON, LAT],
    ]
    response = superuser_client.post(
        "/api/v1/grids/",
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [bowtie]},
            "properties": {
                "code": "X1",
                "name": "x",
                "village": "419821101201",
                "kind": "basic",
                "valid_from": "2025-01-01",
            },
        },
        format="json",
    )
    assert response.status_code == 400
    assert "Self-intersection" in json.dumps(response.json())


def test_subcategory_must_match_the_category(superuser_client, county):
    response = superuser_client.post(
        "/api/v1/incidents/", incident_payload(LON, LAT, subcategory="fire"), format="json"
    )
    assert response.status_code == 400 and "subcategory" in response.json()


def test_a_grid_drawn_through_the_api_takes_its_buildings(superuser_client, county):
    new_village = f.area(
        "419821102202",
        AreaLevel.VILLAGE,
        f.rectangle(LON + 0.2, LAT + 0.1, LON + 0.3, LAT + 0.2),
        county["east"],
    )
    house = f.building(LON + 0.25, LAT + 0.15)
    ring = [
        [LON + 0.2, LAT + 0.1],
        [LON + 0.3, LAT + 0.1],
        [LON + 0.3, LAT + 0.2],
        [LON + 0.2, LAT + 0.2],
    ]
    response = superuser_client.post(
        "/api/v1/grids/",
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            "properties": {
                "code": "419821102202001",
                "name": "new grid",
                "village": new_village.code,
                "kind": "basic",
                "valid_from": "2025-01-01",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    house.refresh_from_db()
    assert house.grid.code == "419821102202001"


def test_shrinking_a_grid_through_the_api_is_refused_with_the_gap(superuser_client, county):
    west_grid, _ = county["grids"]
    ring = [
        [LON + 0.01, LAT - 0.1],
        [LON + 0.1, LAT - 0.1],
        [LON + 0.1, LAT + 0.1],
        [LON + 0.01, LAT + 0.1],
    ]
    response = superuser_client.patch(
        f"/api/v1/grids/{west_grid.pk}/",
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            "properties": {},
        },
        format="json",
    )
    assert response.status_code == 409
    assert "gap" in json.dumps(response.json())
    west_grid.refresh_from_db()
    assert west_grid.geom.area == pytest.approx(0.2 * 0.2)


def test_duplicate_grid_code_is_a_conflict_not_a_500(superuser_client, county):
    payload = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[LON, LAT], [LON + 0.01, LAT], [LON + 0.01, LAT + 0.01], [LON, LAT]]],
        },
        "properties": {
            "code": "419821101201001",
            "name": "x",
            "village": "419821101201",
            "kind": "basic",
            "valid_from": "2025-01-01",
        },
    }
    response = superuser_client.post("/api/v1/grids/", payload, format="json")
    assert response.status_code in (400, 409)


def test_departments_are_features_with_their_area_of_responsibility(superuser_client, county):
    f.department("司法所", county["east"])
    body = collection(superuser_client.get("/api/v1/departments/"))
    assert body["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert body["features"][0]["properties"]["area"] == "419821102000"


def test_schema_and_offline_docs(anonymous):
    assert anonymous.get("/api/schema/").status_code == 200
    html = anonymous.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in html and "cdn" not in html


def test_an_empty_polygon_is_refused_as_empty(superuser_client, county):
    response = superuser_client.post(
        "/api/v1/grids/",
        {
            "type": "Feature",
            "geometry": "POLYGON EMPTY",
            "properties": {
                "code": "X2",
                "name": "x",
                "village": "419821101201",
                "kind": "basic",
                "valid_from": "2025-01-01",
            },
        },
        format="json",
    )
    assert response.status_code == 400
    assert "empty" in json.dumps(response.json())


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        {"type": "Feature", "geometry": None, "properties": "not an object"},
        {"type": "Feature", "geometry": None, "properties": {}, "bbox": "1,2,3,4"},
    ],
)
def test_a_body_that_is_not_a_feature_is_a_400(superuser_client, county, body):
    response = superuser_client.post("/api/v1/key-sites/", body, format="json")
    assert response.status_code == 400, response.content


def test_a_nul_character_is_a_400_not_a_500(superuser_client, county):
    payload = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
        "properties": {"name": "gate\x00", "kind": "entrance"},
    }
    response = superuser_client.post("/api/v1/key-sites/", payload, format="json")
    assert response.status_code == 400


def test_a_nul_character_in_a_filter_is_a_400(superuser_client, county):
    assert superuser_client.get("/api/v1/areas/", {"q": "a\x00b"}).status_code == 400


def test_a_patch_with_only_a_geometry_moves_the_feature(superuser_client, county):
    site = f.keysite_at(LON, LAT)
    response = superuser_client.patch(
        f"/api/v1/key-sites/{site.pk}/",
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [LON + 0.25, LAT]}},
        format="json",
    )
    assert response.status_code == 200, response.content
    site.refresh_from_db()
    assert site.location.x == pytest.approx(LON + 0.25)
    assert response.json()["properties"]["grid"] == "419821102201001"
