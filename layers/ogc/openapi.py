"""The OpenAPI 3.0 definition of the OGC API, generated from the collections it serves."""

from layers.ogc.parameters import DEFAULT_LIMIT, MAX_LIMIT, SUPPORTED_CRS

_JSON_OK = {
    "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
}
_GEOJSON_OK = {
    "200": {
        "description": "OK",
        "content": {"application/geo+json": {"schema": {"type": "object"}}},
    },
    "400": {"description": "A parameter has a bad value; the body names it."},
    "404": {"description": "No such collection or feature."},
}


def _query(name: str, schema: dict, description: str, style: str | None = None) -> dict:
    parameter = {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }
    if style:
        parameter.update(style=style, explode=False)
    return parameter


def _items_parameters(collection) -> list[dict]:
    crs_schema = {"type": "string", "format": "uri", "enum": list(SUPPORTED_CRS)}
    parameters = [
        _query(
            "bbox",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            "Features intersecting this box, in bbox-crs (CRS84 by default).",
            style="form",
        ),
        _query("bbox-crs", crs_schema, "The CRS of bbox."),
        _query("crs", crs_schema, "The CRS of the returned geometries."),
        _query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            "How many features a page holds.",
        ),
        _query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Features to skip."),
    ]
    if collection.temporal_field:
        parameters.append(
            _query(
                "datetime",
                {"type": "string"},
                "An RFC 3339 instant or interval (`a/b`, `../b`, `a/..`).",
            )
        )
    parameters += [
        _query(name, {"type": "string"}, f"Only features whose {name} is this.")
        for name in collection.queryables
    ]
    return parameters


def openapi_document(base_url: str, collections: dict) -> dict:
    paths = {
        "/": {"get": {"operationId": "landing", "summary": "Landing page", "responses": _JSON_OK}},
        "/conformance": {
            "get": {
                "operationId": "conformance",
                "summary": "Conformance classes",
                "responses": _JSON_OK,
            }
        },
        "/api": {"get": {"operationId": "api", "summary": "This document", "responses": _JSON_OK}},
        "/collections": {
            "get": {"operationId": "collections", "summary": "Collections", "responses": _JSON_OK}
        },
    }
    for collection in collections.values():
        prefix = f"/collections/{collection.id}"
        paths[prefix] = {
            "get": {
                "operationId": f"describe-{collection.id}",
                "summary": collection.title,
                "responses": _JSON_OK,
            }
        }
        paths[f"{prefix}/queryables"] = {
            "get": {
                "operationId": f"queryables-{collection.id}",
                "summary": "Queryables",
                "responses": _JSON_OK,
            }
        }
        paths[f"{prefix}/items"] = {
            "get": {
                "operationId": f"items-{collection.id}",
                "summary": f"{collection.title}: features",
                "parameters": _items_parameters(collection),
                "responses": _GEOJSON_OK,
            }
        }
        paths[f"{prefix}/items/{{featureId}}"] = {
            "get": {
                "operationId": f"item-{collection.id}",
                "summary": f"{collection.title}: one feature",
                "parameters": [
                    {
                        "name": "featureId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    _query("crs", {"type": "string", "format": "uri"}, "The CRS of the geometry."),
                ],
                "responses": _GEOJSON_OK,
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "gisgov OGC API – Features", "version": "1.0.0"},
        "servers": [{"url": base_url}],
        "paths": paths,
    }
