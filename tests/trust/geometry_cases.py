"""Broken geometries, one list shared by every write path's fuzz test (REST layers, imports,
citizen reports, disputes, coverage candidates): name → (raw GeoJSON geometry text per geometry
kind, words the REST API's 4xx must contain)."""

import json

from tests.factories import LAT, LON

# A new village of its own (grids must tile their village exactly), inside the east township.
X, Y = LON + 0.25, LAT + 0.15
VILLAGE = "419821102209"
SQUARE = [[X, Y], [X + 0.001, Y], [X + 0.001, Y + 0.001], [X, Y + 0.001], [X, Y]]


def polygon_text(points: list) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [points]})


def good(kind: str) -> str:
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
            "Polygon": polygon_text(
                [[X, Y], [X + 0.001, Y + 0.001], [X + 0.001, Y], [X, Y + 0.001], [X, Y]]
            )
        },
        "Self-intersection",
    ),
    "unclosed ring": ({"Polygon": polygon_text(SQUARE[:-1])}, "not closed"),
    "too short ring": ({"Polygon": polygon_text([SQUARE[0], SQUARE[1], SQUARE[0]])}, "at least 4"),
    "NaN": (
        {
            "Point": '{"type": "Point", "coordinates": [NaN, 34.5]}',
            "Polygon": polygon_text(SQUARE).replace(str(X + 0.001), "NaN", 1),
        },
        "JSON",
    ),
    "Infinity": (
        {
            "Point": '{"type": "Point", "coordinates": [Infinity, 34.5]}',
            "Polygon": polygon_text(SQUARE).replace(str(X + 0.001), "-Infinity", 1),
        },
        "JSON",
    ),
    "overflowing number": (
        {
            "Point": '{"type": "Point", "coordinates": [1e400, 34.5]}',
            "Polygon": polygon_text(SQUARE).replace(str(X + 0.001), "1e999", 1),
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
