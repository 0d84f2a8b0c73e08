"""Every layer can be browsed and edited in the admin, on a map that needs no internet."""

import json

import pytest
from django.urls import reverse

from layers.buildings.models import Building
from layers.cameras.models import CameraSite
from layers.grids.models import Grid
from layers.incidents.models import Incident
from tests import factories as f
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "areas_adminarea",
    "grids_grid",
    "buildings_building",
    "cameras_camerasite",
    "keysites_keysite",
    "incidents_incident",
    "departments_department",
    "jobs_jobrun",
]


@pytest.fixture
def features():
    *_, village = f.county_with_village()
    grid = f.grid(
        "419821101201001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1)
    )
    return grid, f.building(LON, LAT), f.incident(LON, LAT)


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_changelist_renders(admin_client, features, page):
    response = admin_client.get(reverse(f"admin:{page}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [Grid, Building, Incident])
def test_change_form_map_is_served_locally(admin_client, features, model):
    obj = model.objects.get()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    html = admin_client.get(url).content.decode()
    assert "/static/vendor/ol/ol.js" in html
    assert "cdn." not in html and "openstreetmap" not in html.lower()
    assert reverse("admin-basemap") in html


def test_camera_add_form_renders(admin_client):
    response = admin_client.get(reverse("admin:cameras_camerasite_add"))
    assert response.status_code == 200


def test_admin_saves_a_grid_drawn_on_the_map(admin_client):
    *_, village = f.county_with_village()
    house = f.building(LON + 0.05, LAT + 0.05)
    drawn = f.rectangle(LON, LAT, LON + 0.1, LAT + 0.1)
    drawn.srid = 4326
    drawn.transform(3857)  # the map widget posts what was drawn in web-mercator metres
    response = admin_client.post(
        reverse("admin:grids_grid_add"),
        {
            "code": "419821101201009",
            "name": "drawn grid",
            "village": village.pk,
            "kind": "basic",
            "exclusive_type": "",
            "geom": drawn.geojson,
            "valid_from": "2025-01-01",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    house.refresh_from_db()
    assert house.grid.code == "419821101201009"


def test_admin_refuses_an_invalid_grid_with_a_message(admin_client):
    *_, village = f.county_with_village()
    x, y, d = 12_757_000, 4_097_000, 1_000  # web-mercator metres, as the map widget posts
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]],
    }
    response = admin_client.post(
        reverse("admin:grids_grid_add"),
        {
            "code": "419821101201009",
            "name": "bad grid",
            "village": village.pk,
            "kind": "basic",
            "geom": json.dumps(bowtie),
            "valid_from": "2025-01-01",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not Grid.objects.exists()
    assert "self-intersection" in response.content.decode().lower()


def test_basemap_outlines_are_geojson_for_staff_only(admin_client, client):
    f.county_with_village()
    collection = json.loads(admin_client.get(reverse("admin-basemap")).content)
    assert {feature["properties"]["level"] for feature in collection["features"]} == {3, 4, 5}
    assert client.get(reverse("admin-basemap")).status_code == 302


def test_camera_sites_are_not_visible_without_login(client):
    CameraSite.objects.create(
        code="C1",
        name="gate",
        kind="sharp_eyes",
        azimuth=1,
        field_of_view=60,
        range_m=80,
        location=f.incident(LON, LAT).location,
    )
    response = client.get(reverse("admin:cameras_camerasite_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
