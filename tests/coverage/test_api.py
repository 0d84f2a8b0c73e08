"""The coverage endpoints: access, parameters, GeoJSON answers, the offline map, queued runs."""

import re

import pytest
from django.db import connection
from procrastinate.contrib.django import app
from rest_framework.test import APIClient

from layers.access.services import api_token_create
from layers.areas.models import AdminArea
from tests.coverage import geometry as g

ENDPOINTS = [
    ("get", "/api/v1/coverage/sectors/"),
    ("get", "/api/v1/coverage/areas/?area=419821101201"),
    ("get", "/api/v1/coverage/blind-spots/?area=419821101201"),
    ("get", "/api/v1/coverage/map/?area=419821101201"),
    ("post", "/api/v1/coverage/suggestions/"),
]


@pytest.fixture
def scene(village, camera_at, wall_at, key_site_at, incident_at):
    camera_at(0, 0, field_of_view=360, range_m=50, code="DOME")
    wall_at(-5, 35, 5, 36)
    key_site_at(0, 30, "seen gate")
    key_site_at(0, 45, "gate behind the wall")
    incident_at(10, 0)
    incident_at(0, 45)
    return village


def token_client(django_user_model, *scopes, area=None):
    user, _ = django_user_model.objects.get_or_create(
        username="system", defaults={"is_superuser": True}
    )
    _token, key = api_token_create(user=user, name="video platform", scopes=list(scopes), area=area)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def reader(django_user_model):
    return token_client(django_user_model, "read:cameras")


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_camera_coverage_is_never_public(scene, method, url):
    response = getattr(APIClient(), method)(url, {"area": "419821101201", "k": 1}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_a_token_without_the_cameras_scope_is_refused(scene, django_user_model, method, url):
    client = token_client(django_user_model, "read:incidents")
    response = getattr(client, method)(url, {"area": "419821101201", "k": 1}, format="json")
    assert response.status_code == 403


def test_a_token_limited_to_another_township_may_not_ask_about_this_village(
    scene, django_user_model
):
    elsewhere = AdminArea.objects.create(
        code="419821102000", name="east", level=4, parent=scene.parent.parent, geom=scene.geom
    )
    client = token_client(django_user_model, "read", area=elsewhere)
    assert client.get("/api/v1/coverage/areas/?area=419821101201").status_code == 403
    assert client.get("/api/v1/coverage/sectors/").json()["features"] == []


def test_sectors_are_geojson_with_their_camera(scene, reader):
    response = reader.get("/api/v1/coverage/sectors/?area=419821101201")
    assert response.status_code == 200
    (feature,) = response.json()["features"]
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["properties"]["code"] == "DOME"
    assert feature["properties"]["obstacles"] == 1
    assert reader.get("/api/v1/coverage/sectors/?status=faulty").json()["features"] == []


def test_area_coverage_table_and_features(scene, reader):
    body = reader.get("/api/v1/coverage/areas/?level=grid&area=419821101000").json()
    (row,) = body["table"]
    assert row["code"] == "419821101201001"
    assert (row["key_sites_seen"], row["incidents_seen"], row["incidents"]) == (1, 1, 2)
    assert body["features"][0]["geometry"]["type"] == "Polygon"


def test_blind_spots(scene, reader):
    body = reader.get("/api/v1/coverage/blind-spots/?area=419821101201&cell=10").json()
    assert (body["key_sites"], body["cells"], body["uncovered_weight"]) == (1, 1, 1.0)
    layers = sorted(feature["properties"]["layer"] for feature in body["features"])
    assert layers == ["cell", "key_site"]


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/api/v1/coverage/areas/?level=town&area=419821101201", {"level"}),
        ("/api/v1/coverage/areas/?area=12345", {"area"}),
        ("/api/v1/coverage/areas/", {"area"}),
        ("/api/v1/coverage/areas/?area=419821101201&from=yesterday", {"from"}),
        ("/api/v1/coverage/areas/?area=419821101201&from=x&to=y", {"from", "to"}),
        ("/api/v1/coverage/areas/?area=419821101201&from=2026-02-01&to=2026-01-01", {"from"}),
        ("/api/v1/coverage/blind-spots/?area=419821101201&cell=nan&kind=castle", {"cell", "kind"}),
        ("/api/v1/coverage/blind-spots/?area=999999999999&cell=1", {"area", "cell"}),
        ("/api/v1/coverage/sectors/?status=lost", {"status"}),
    ],
)
def test_bad_parameters_are_a_400_naming_each(scene, reader, url, named):
    response = reader.get(url)
    assert response.status_code == 400
    assert set(response.json()) == named


VILLAGE = {"area": "419821101201", "k": 1}
LINE = {"type": "LineString", "coordinates": [[114, 34.5], [114.1, 34.5]]}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({**VILLAGE, "k": 0}, {"k"}),
        ({**VILLAGE, "k": "3"}, {"k"}),
        ({**VILLAGE, "range_m": True}, {"range_m"}),
        ({**VILLAGE, "azimuths": [0, 360]}, {"azimuths"}),
        ({**VILLAGE, "range_m": -5, "field_of_view": 0}, {"range_m", "field_of_view"}),
        ({**VILLAGE, "candidates": LINE}, {"candidates"}),
        ({**VILLAGE, "candidates": {"type": "Point", "coordinates": [500, 34]}}, {"candidates"}),
        ({**VILLAGE, "background": "yes"}, {"background"}),
        ({"k": 1}, {"area"}),
    ],
)
def test_bad_suggestion_requests_are_a_400_naming_each(scene, reader, body, named):
    response = reader.post("/api/v1/coverage/suggestions/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == named


def test_a_small_suggestion_run_answers_at_once(scene, reader):
    site = g.point(0, 60)  # north of the wall, 15 m from the hidden incident
    response = reader.post(
        "/api/v1/coverage/suggestions/",
        {
            "area": "419821101201",
            "k": 1,
            "cell_side_m": 10,
            "candidates": {"type": "Point", "coordinates": [site.x, site.y]},
        },
        format="json",
    )
    assert response.status_code == 200
    (feature,) = response.json()["features"]
    assert feature["properties"]["azimuth"] == 180.0
    assert feature["properties"]["gained_weight"] == 1.0


def test_the_map_works_offline(scene, reader):
    response = reader.get("/api/v1/coverage/map/?area=419821101201&cell=10")
    assert response.status_code == 200
    html = response.content.decode()
    assert "L.map(" in html and "Leaflet" in html
    # Every script and stylesheet is inline: nothing is fetched from anywhere.
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", html)
    assert "cdn" not in html.lower().replace("cdna", "")
    assert not re.search(r"url\(['\"]?https?:", html)


@pytest.mark.django_db(transaction=True)
def test_a_large_run_goes_through_the_job_queue_with_progress(
    village, incident_at, django_user_model
):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")
    for _ in range(3):
        incident_at(-80, -80)
    reader = token_client(django_user_model, "read:cameras")
    site = g.point(-80, -50)
    response = reader.post(
        "/api/v1/coverage/suggestions/",
        {
            "area": "419821101201",
            "k": 2,
            "cell_side_m": 10,
            "background": True,
            "candidates": {"type": "MultiPoint", "coordinates": [[site.x, site.y]]},
        },
        format="json",
    )
    assert response.status_code == 202
    job = response.json()["job"]
    assert response.json()["status"] == "queued"

    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    body = reader.get(f"/api/v1/coverage/suggestions/{job}/").json()
    assert body["status"] == "succeeded"
    assert (body["done"], body["total"], body["percent"]) == (1, 1, 100.0)
    (feature,) = body["result"]["features"]
    assert feature["properties"]["gained_weight"] == 3.0
    assert reader.get("/api/v1/coverage/suggestions/999999/").status_code == 404
    # The chosen site on the map.
    html = reader.get(f"/api/v1/coverage/map/?area=419821101201&job={job}").content.decode()
    assert "Suggested camera 1" in html
    assert reader.get("/api/v1/coverage/map/?area=419821101201&job=999").status_code == 400
