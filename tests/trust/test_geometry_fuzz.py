"""Broken geometry through every REST write path (create and update of each geometry layer):
a 4xx naming the problem, and nothing stored. The import path's rejections are covered in
tests/transfer/test_import_rejections.py; OGC API - Features is read-only here (no Part 4)."""

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
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db

# A new village of its own (grids must tile their village exactly), inside the east township.
X, Y = LON + 0.25, LAT + 0.15
VILLAGE = "419821102209"
SQUARE = [[X, Y], [X + 0.001, Y], [X + 0.001, Y + 0.001], [X, Y + 0.001], [X, Y]]


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


def _ring(points: list) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [points]})


def _good(kind: str) -> str:
    if kind == "Point":
        return json.dumps({"type": "Point", "coordinates": [X, Y]})
    return json.dumps({"type": "Polygon", "coordinates": [SQUARE]})


def _both(point: list, polygon_corner: list | None = None) -> dict:
    """The same defect as a Point and as a Polygon (one corner replaced)."""
    corner = polygon_corner or point
    ring = json.dumps([[X, Y], corner, [X + 0.001, Y + 0.001], [X, Y + 0.001], [X, Y]])
    return {
        "Point": f'{{"type": "Point", "coordinates": {json.dumps(point)}}}'.replace('"NaN"', "NaN"),
        "Polygon": f'{{"type": "Polygon", "coordinates": [{ring}]}}',
    }


def _raw(text: str) -> dict:
    return {"Point": text, "Polygon": text}


# name → (raw GeoJSON geometry text per geometry kind, words the 4xx must contain)
BROKEN = {
    "self-intersection": (
        {
            "Polygon": _ring(
                [[X, Y], [X + 0.001, Y + 0.001], [X + 0.001, Y], [X, Y + 0.001], [X, Y]]
            )
        },
        "Self-intersection",
    ),
    "unclosed ring": ({"Polygon": _ring(SQUARE[:-1])}, "not closed"),
    "too short ring": ({"Polygon": _ring([SQUARE[0], SQUARE[1], SQUARE[0]])}, "at least 4"),
    "NaN": (
        {
            "Point": '{"type": "Point", "coordinates": [NaN, 34.5]}',
            "Polygon": _ring(SQUARE).replace(str(X + 0.001), "NaN", 1),
        },
        "JSON",
    ),
    "Infinity": (
        {
            "Point": '{"type": "Point", "coordinates": [Infinity, 34.5]}',
            "Polygon": _ring(SQUARE).replace(str(X + 0.001), "-Infinity", 1),
        },
        "JSON",
    ),
    "overflowing number": (
        {
            "Point": '{"type": "Point", "coordinates": [1e400, 34.5]}',
            "Polygon": _ring(SQUARE).replace(str(X + 0.001), "1e999", 1),
        },
        "finite",
    ),
    "longitude out of range": (_both([X + 200, Y], [X + 200, Y]), "±180"),
    "latitude out of range": (_both([X, Y + 80], [X + 0.001, Y + 80]), "±90"),
    "empty": (
        {
            "Point": '{"type": "Point", "coordinates": []}',
            "Polygon": '{"type": "Polygon", "coordinates": []}',
        },
        "empty",
    ),
    "empty ring": (_raw('{"type": "Polygon", "coordinates": [[]]}'), "empty"),
    "geometry collection": (
        _raw(
            json.dumps(
                {
                    "type": "GeometryCollection",
                    "geometries": [{"type": "Point", "coordinates": [X, Y]}],
                }
            )
        ),
        "GeometryCollection",
    ),
    "Z value": (
        {
            "Point": json.dumps({"type": "Point", "coordinates": [X, Y, 12.5]}),
            "Polygon": json.dumps(
                {"type": "Polygon", "coordinates": [[[*p, 3.0] for p in SQUARE]]}
            ),
        },
        "3-D",
    ),
    "Z and M values": (
        _raw(json.dumps({"type": "Point", "coordinates": [X, Y, 1, 2]})),
        "two numbers",
    ),
    "M in WKT": (
        {
            "Point": json.dumps(f"POINT M ({X} {Y} 7)"),
            "Polygon": json.dumps(
                f"POLYGON M (({X} {Y} 1, {X + 1} {Y} 1, {X} {Y + 1} 1, {X} {Y} 1))"
            ),
        },
        "",
    ),
    "mixed SRID in EWKT": (
        {
            "Point": json.dumps(f"SRID=3857;POINT({X * 1000} {Y * 1000})"),
            "Polygon": json.dumps(
                f"SRID=3857;POLYGON(({X} {Y}, {X + 1} {Y}, {X} {Y + 1}, {X} {Y}))"
            ),
        },
        "",
    ),
    "wrong type": (
        _raw(json.dumps({"type": "LineString", "coordinates": [[X, Y], [X + 1, Y]]})),
        "Expected a",
    ),
    "unknown type": (_raw('{"type": "Circle", "coordinates": [114.6, 34.5]}'), "unknown"),
    "not a geometry": (_raw('"hello"'), "Not a GeoJSON geometry"),
    "null coordinates": (_raw('{"type": "Point", "coordinates": null}'), "empty"),
    "string coordinates": (_raw('{"type": "Point", "coordinates": ["114.6", "x"]}'), "position"),
    "nested too deep": (_raw("[" * 100_000 + "]" * 100_000), "nests too deeply"),
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
    response = _post(writer, layer, _good(LAYERS[layer][2]))
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
    response = _post(writer, layer, _ring([*ring, ring[0]]))
    assert response.status_code == 400 and "at most 1000" in response.content.decode()
    assert model.objects.count() == before


def test_a_million_vertices_is_refused_before_it_is_parsed(writer):
    before = Grid.objects.count()
    ring = ",".join(f"[{X + i * 1e-9:.9f},{Y}]" for i in range(1_000_000))
    body = _feature_body("grids", f'{{"type": "Polygon", "coordinates": [[{ring}]]}}')
    response = writer.generic("POST", "/api/v1/grids/", body, "application/json")
    assert response.status_code == 413 and "limit" in response.json()["detail"]
    assert Grid.objects.count() == before
