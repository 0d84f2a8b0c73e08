"""Inputs found by review that used to answer 500, hang a worker or cross an access limit."""

import base64
import json

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from layers.access.models import ApiToken
from layers.access.services import api_token_create
from layers.incidents.models import Incident
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db
MERCATOR = "http://www.opengis.net/def/crs/EPSG/0/3857"


def cursor_of(value) -> str:
    return base64.urlsafe_b64encode(json.dumps([value, 1]).encode()).decode().rstrip("=")


@pytest.mark.parametrize("bbox", ["-inf,-inf,inf,inf", "nan,nan,nan,nan", "0,0,1e400,1"])
def test_non_finite_bbox_is_a_400_in_any_crs(anonymous, county, bbox):
    response = anonymous.get("/ogc/collections/areas/items", {"bbox": bbox, "bbox-crs": MERCATOR})
    assert response.status_code == 400 and "bbox" in response.json()["description"]


def test_a_huge_mercator_bbox_is_clamped_to_the_world(anonymous, county):
    big = "-1e10,-1e10,1e10,1e10"
    body = anonymous.get("/ogc/collections/areas/items", {"bbox": big, "bbox-crs": MERCATOR}).json()
    assert body["numberMatched"] == 5


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/buildings/?min_households=2147483648",
        "/ogc/collections/buildings/items?min_households=2147483648",
    ],
)
def test_an_integer_beyond_the_column_matches_nothing(anonymous, county, url):
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.json()["features"] == []


def test_a_tile_filtered_beyond_the_column_is_empty(anonymous, county):
    response = anonymous.get("/tiles/buildings/14/13407/6503.mvt?min_households=2147483648")
    assert response.status_code == 204


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/ogc/collections/areas/items/99999999999999999999", 404),
        ("/ogc/collections/areas/items/²", 404),
        ("/ogc/collections/areas/items?offset=²", 400),
        ("/ogc/collections/areas/items?offset=99999999999999999999", 400),
    ],
)
def test_odd_numbers_in_ogc_paths_and_offsets_are_4xx(anonymous, county, path, status):
    assert anonymous.get(path).status_code == status


@pytest.mark.parametrize("value", ["x", None, [1], 1e30])
def test_a_forged_cursor_is_a_400(superuser_client, county, value):
    response = superuser_client.get("/api/v1/incidents/", {"cursor": cursor_of(value)})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "cursor" in response.json()


def test_a_township_token_cannot_place_a_feature_in_another_township(token_client, county):
    client = token_client("read", "write", area=county["east"])
    payload = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [LON, LAT]},  # the west township
        "properties": {
            "category": "dispute",
            "subcategory": "land",
            "source": "patrol",
            "title": "outside",
            "reported_at": "2026-01-01T00:00:00Z",
        },
    }
    before = Incident.objects.count()
    response = client.post("/api/v1/incidents/", payload, format="json")
    assert response.status_code == 403
    assert Incident.objects.count() == before


def test_a_token_never_exceeds_its_users_permissions(county, django_user_model):
    clerk = django_user_model.objects.create(username="clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="view_incident"))
    _token, key = api_token_create(user=clerk, name="clerk", scopes=["read", "write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post("/api/v1/key-sites/", {"type": "Feature"}, format="json")
    assert response.status_code == 403


def test_scopes_stored_as_a_string_allow_nothing(django_user_model):
    token = ApiToken(user=django_user_model(username="x"), name="x", scopes="read:cameras")
    assert not token.allows("read", "incidents")
    assert not token.allows("read", "cameras")
