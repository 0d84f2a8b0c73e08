"""Broken geometry through every REST write path (create and update of each geometry layer):
a 4xx naming the problem, and nothing stored. The same cases go through every other write
path in test_geometry_fuzz_paths.py; OGC API - Features is read-only here (no Part 4)."""

import json

import pytest
from rest_framework.test import APIClient

from layers.areas.models import AreaLevel
from layers.buildings.models import Building
from layers.cameras.models import CameraSite
from layers.grids.models import Grid
from layers.incidents.models import Incident
from layers.keysites.models import KeySite
from tests import factories as f
from tests.trust.geometry_cases import BROKEN, VILLAGE, X, Y, good, polygon_text

pytestmark = pytest.mark.django_db


def _properties(layer: str) -> dict:
    return {
        "grids": {
            "code": "419821101201099",
            "name": "fuzz",
            "village": VILLAGE,
            "kind": "basic",
            "valid_from": "2025-01-01",
        },
        "buildings": {"households": 1, "residents": 3, "use": "residential"},
        "cameras": {
            "code": "FUZZ-1",
            "name": "fuzz camera",
            "kind": "sharp_eyes",
            "azimuth": 90,
            "field_of_view": 60,
            "range_m": 80,
        },
        "key-sites": {"name": "fuzz gate", "kind": "entrance"},
        "incidents": {
            "category": "dispute",
            "subcategory": "land",
            "source": "patrol",
            "title": "fuzz",
            "reported_at": "2025-06-01T08:00:00+08:00",
        },
    }[layer]


LAYERS = {
    # layer → (model, geometry field, geometry kind)
    "grids": (Grid, "geom", "Polygon"),
    "buildings": (Building, "footprint", "Polygon"),
    "cameras": (CameraSite, "location", "Point"),
    "key-sites": (KeySite, "location", "Point"),
    "incidents": (Incident, "location", "Point"),
}


CASES = [
    (layer, name)
    for layer, (_model, _field, kind) in LAYERS.items()
    for name, (texts, _message) in BROKEN.items()
    if kind in texts
]


@pytest.fixture
def writer(county, django_user_model):
    user = django_user_model.objects.create_superuser("writer", email=None, password=None)
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def county(db):
    county = f.small_county()
    f.area(VILLAGE, AreaLevel.VILLAGE, f.rectangle(X, Y, X + 0.001, Y + 0.001), county["east"])
    return county


def _feature_body(layer: str, geometry_text: str) -> str:
    properties = json.dumps(_properties(layer))
    return f'{{"type": "Feature", "geometry": {geometry_text}, "properties": {properties}}}'


def _post(client, layer, geometry_text):
    return client.generic(
        "POST", f"/api/v1/{layer}/", _feature_body(layer, geometry_text), "application/json"
    )


@pytest.mark.parametrize("layer", list(LAYERS))
def test_a_good_geometry_is_stored(writer, layer):
    model = LAYERS[layer][0]
    before = model.objects.count()
    response = _post(writer, layer, good(LAYERS[layer][2]))
    assert response.status_code == 201, response.content
    assert model.objects.count() == before + 1


@pytest.mark.parametrize(("layer", "name"), CASES)
def test_a_broken_geometry_is_a_4xx_naming_it_and_stores_nothing(writer, layer, name):
    model, field, kind = LAYERS[layer]
    texts, message = BROKEN[name]
    text = texts[kind]
    before = model.objects.count()
    response = _post(writer, layer, text)
    assert 400 <= response.status_code < 500, (name, response.status_code, response.content)
    assert message in response.content.decode(), (name, response.content)
    assert model.objects.count() == before

    existing = model.objects.order_by("pk").first()
    original = getattr(existing, field)
    response = writer.generic(
        "PATCH",
        f"/api/v1/{layer}/{existing.pk}/",
        f'{{"type": "Feature", "geometry": {text}}}',
        "application/json",
    )
    assert 400 <= response.status_code < 500, (name, "update", response.status_code)
    existing.refresh_from_db()
    assert getattr(existing, field).equals_exact(original, 1e-12)


@pytest.mark.parametrize("layer", ["grids", "buildings"])
def test_more_vertices_than_allowed_is_a_400_naming_the_limit(writer, layer, settings):
    settings.GISGOV_MAX_VERTICES = 1000
    model = LAYERS[layer][0]
    before = model.objects.count()
    step = 0.001 / 400
    ring = (
        [[X + i * step, Y] for i in range(400)]
        + [[X + 0.001, Y + i * step] for i in range(400)]
        + [[X + 0.001 - i * step, Y + 0.001] for i in range(400)]
        + [[X, Y + 0.001 - i * step] for i in range(400)]
    )
    response = _post(writer, layer, polygon_text([*ring, ring[0]]))
    assert response.status_code == 400 and "at most 1000" in response.content.decode()
    assert model.objects.count() == before


def test_a_million_vertices_is_refused_before_it_is_parsed(writer):
    before = Grid.objects.count()
    ring = ",".join(f"[{X + i * 1e-9:.9f},{Y}]" for i in range(1_000_000))
    body = _feature_body("grids", f'{{"type": "Polygon", "coordinates": [[{ring}]]}}')
    response = writer.generic("POST", "/api/v1/grids/", body, "application/json")
    assert response.status_code == 413 and "limit" in response.json()["detail"]
    assert Grid.objects.count() == before
