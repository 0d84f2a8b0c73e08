"""OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) and Part 2 (CRS) over our layers."""

import json
from functools import wraps

from django.db import DataError
from django.http import HttpResponse, QueryDict
from django.urls import reverse
from rest_framework.exceptions import AuthenticationFailed

from layers.access import policy
from layers.access.requests import authenticate
from layers.common.geojson import feature_page
from layers.ogc import parameters as p
from layers.ogc.collections import COLLECTIONS, Collection, spatial_extent, temporal_extent
from layers.ogc.openapi import openapi_document

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
ITEMS_PARAMETERS = {"f", "bbox", "bbox-crs", "datetime", "limit", "offset", "crs"}
JSON = "application/json"
GEOJSON = "application/geo+json"


def respond(body, status: int = 200, content_type: str = JSON, headers=None) -> HttpResponse:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return HttpResponse(text, status=status, content_type=content_type, headers=headers)


def ogc_view(view):
    """Authenticates tokens and turns every OgcError into the standard's exception body."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            authenticate(request)
            return view(request, *args, **kwargs)
        except AuthenticationFailed as exc:
            return respond({"code": "NotAuthorized", "description": str(exc.detail)}, 401)
        except p.OgcError as exc:
            return respond({"code": exc.code, "description": exc.description}, exc.status)
        except DataError as exc:  # a value the database cannot hold, e.g. beyond bigint
            description = str(exc).splitlines()[0]
            return respond({"code": "InvalidParameterValue", "description": description}, 400)

    return wrapper


def _readable(request, collection_id: str) -> Collection:
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise p.OgcError(404, "NotFound", f"no collection {collection_id!r}")
    refusal = policy.read_refusal(request, collection.id)
    if refusal == 403:
        raise p.OgcError(403, "Forbidden", f"this credential may not read {collection.id}")
    if refusal == 401:
        raise p.OgcError(401, "NotAuthorized", f"{collection.id} needs a token or a login")
    return collection


def _url(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


@ogc_view
def landing(request):
    return respond(
        {
            "title": "gisgov OGC API – Features",
            "description": "Grids, buildings, cameras, key sites and incidents of grid governance.",
            "links": [
                {"rel": "self", "type": JSON, "href": _url(request, "ogc-landing")},
                {
                    "rel": "service-desc",
                    "type": "application/vnd.oai.openapi+json;version=3.0",
                    "href": _url(request, "ogc-api"),
                },
                {"rel": "conformance", "type": JSON, "href": _url(request, "ogc-conformance")},
                {"rel": "data", "type": JSON, "href": _url(request, "ogc-collections")},
            ],
        }
    )


@ogc_view
def conformance(request):
    return respond({"conformsTo": CONFORMANCE})


@ogc_view
def api(request):
    return respond(
        openapi_document(request.build_absolute_uri("/ogc"), COLLECTIONS),
        content_type="application/vnd.oai.openapi+json;version=3.0",
    )


def _collection_document(request, collection: Collection) -> dict:
    visible = policy.visible(request, collection.id, collection.viewset.queryset.all())
    limited = policy.is_area_limited(request)
    box = spatial_extent(collection, visible if limited else None) or [-180, -90, 180, 90]
    extent = {"spatial": {"bbox": [box], "crs": p.CRS84}}
    interval = temporal_extent(collection, visible)
    if interval:
        extent["temporal"] = {
            "interval": [interval],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    items = _url(request, "ogc-items", collection_id=collection.id)
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "extent": extent,
        "crs": list(p.SUPPORTED_CRS),
        "storageCrs": p.CRS84,
        "links": [
            {
                "rel": "self",
                "type": JSON,
                "href": _url(request, "ogc-collection", collection_id=collection.id),
            },
            {"rel": "items", "type": GEOJSON, "href": items},
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": "application/schema+json",
                "href": _url(request, "ogc-queryables", collection_id=collection.id),
            },
        ],
    }


@ogc_view
def collections(request):
    readable = [c for c in COLLECTIONS.values() if policy.can_read(request, c.id)]
    return respond(
        {
            "links": [{"rel": "self", "type": JSON, "href": _url(request, "ogc-collections")}],
            "collections": [_collection_document(request, c) for c in readable],
            "crs": list(p.SUPPORTED_CRS),
        }
    )


@ogc_view
def collection(request, collection_id):
    return respond(_collection_document(request, _readable(request, collection_id)))


@ogc_view
def queryables(request, collection_id):
    collection = _readable(request, collection_id)
    filterset = collection.viewset.filterset_class
    properties = {name: _schema_of(filterset.base_filters[name]) for name in collection.queryables}
    properties["geometry"] = {"$ref": "https://geojson.org/schema/Geometry.json"}
    return respond(
        {
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "$id": _url(request, "ogc-queryables", collection_id=collection.id),
            "type": "object",
            "title": collection.title,
            "properties": properties,
        },
        content_type="application/schema+json",
    )


def _schema_of(filter_) -> dict:
    choices = getattr(filter_, "extra", {}).get("choices")
    if choices:
        return {"type": "string", "enum": [value for value, _label in choices]}
    return {"type": "string"}


def _filtered(request, collection: Collection):
    """The collection's queryset with every items parameter applied, or an OgcError."""
    params = request.GET
    unknown = set(params) - ITEMS_PARAMETERS - set(collection.queryables)
    if unknown:
        raise p.bad(sorted(unknown)[0], "unknown parameter for this collection")
    bbox_crs = p.parse_crs("bbox-crs", params.get("bbox-crs"))
    box = p.parse_bbox(params.get("bbox"), bbox_crs)
    interval = p.parse_datetime_filter(params.get("datetime"))
    queryset = policy.visible(request, collection.id, collection.viewset.queryset.all())
    properties = QueryDict(mutable=True)
    for name in collection.queryables:
        if name in params:
            properties.setlist(name, params.getlist(name))
    filterset = collection.viewset.filterset_class(data=properties, queryset=queryset)
    if not filterset.is_valid():
        name, errors = next(iter(filterset.errors.items()))
        raise p.bad(name, " ".join(errors))
    queryset = filterset.qs
    if box is not None:
        queryset = queryset.filter(**{f"{collection.geometry_field}__intersects": box})
    if interval is not None:
        if collection.temporal_field is None:
            raise p.bad("datetime", f"{collection.id} has no time")
        start, end = interval
        if start is not None:
            queryset = queryset.filter(**{f"{collection.temporal_field}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{collection.temporal_field}__lte": end})
    return queryset


@ogc_view
def items(request, collection_id):
    collection = _readable(request, collection_id)
    crs = p.parse_crs("crs", request.GET.get("crs"))
    limit = p.parse_limit(request.GET.get("limit"))
    offset = p.parse_offset(request.GET.get("offset"))
    queryset = _filtered(request, collection)
    page = feature_page(
        queryset.order_by("id"),
        geometry_field=collection.geometry_field,
        properties=collection.properties,
        key_field="id",
        limit=limit,
        offset=offset,
        srid=None if crs.srid == 4326 else crs.srid,
        latitude_first=crs.latitude_first,
        count_matches=True,
    )
    # An empty page past the end cannot count the matches itself.
    matched = page.matched if page.matched is not None else queryset.count()
    links = [
        {"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()},
        {
            "rel": "collection",
            "type": JSON,
            "href": _url(request, "ogc-collection", collection_id=collection.id),
        },
    ]
    query = request.GET.copy()
    if page.has_more:
        query["offset"] = str(offset + limit)
        links.append(
            {
                "rel": "next",
                "type": GEOJSON,
                "href": request.build_absolute_uri(f"?{query.urlencode()}"),
            }
        )
    if offset > 0:
        query["offset"] = str(max(0, offset - limit))
        links.append(
            {
                "rel": "prev",
                "type": GEOJSON,
                "href": request.build_absolute_uri(f"?{query.urlencode()}"),
            }
        )
    body = (
        '{"type": "FeatureCollection", "features": '
        f"{page.features_json}, "
        f'"numberMatched": {matched}, "numberReturned": {page.returned}, '
        f'"links": {json.dumps(links)}}}'
    )
    return respond(body, content_type=GEOJSON, headers={"Content-Crs": f"<{crs.uri}>"})


@ogc_view
def item(request, collection_id, feature_id):
    collection = _readable(request, collection_id)
    crs = p.parse_crs("crs", request.GET.get("crs"))
    if not p.is_feature_id(str(feature_id)):
        raise p.OgcError(404, "NotFound", f"no feature {feature_id!r} in {collection.id}")
    queryset = policy.visible(request, collection.id, collection.viewset.queryset.all())
    page = feature_page(
        queryset.filter(id=int(feature_id)),
        geometry_field=collection.geometry_field,
        properties=collection.properties,
        key_field="id",
        limit=1,
        srid=None if crs.srid == 4326 else crs.srid,
        latitude_first=crs.latitude_first,
    )
    features = json.loads(page.features_json)
    if not features:
        raise p.OgcError(404, "NotFound", f"no feature {feature_id!r} in {collection.id}")
    feature = features[0]
    feature["links"] = [
        {"rel": "self", "type": GEOJSON, "href": request.build_absolute_uri()},
        {
            "rel": "collection",
            "type": JSON,
            "href": _url(request, "ogc-collection", collection_id=collection.id),
        },
    ]
    return respond(feature, content_type=GEOJSON, headers={"Content-Crs": f"<{crs.uri}>"})
