"""The pieces every layer's API shares: the viewset, keyset pagination, CRS-aware geometry input."""

import base64
import json
from datetime import datetime

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.access import policy
from layers.common import crs as crs_module
from layers.common.geojson import feature_page
from layers.common.geometry import GeometryProblem, geojson_problem, geometry_to_storage
from layers.common.parameters import integer_in_range

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


@extend_schema_serializer(many=False)
class FeatureCollectionSerializer(serializers.Serializer):
    """What list() sends (serialized by PostGIS, not by the layer's serializer): declared so
    the OpenAPI document, and schemathesis checking responses against it, match the wire."""

    type = serializers.ChoiceField(["FeatureCollection"])
    features = serializers.ListField(child=serializers.DictField())
    numberReturned = serializers.IntegerField()
    links = serializers.ListField(child=serializers.DictField())


def exception_handler(exc, context):
    """DRF's handler, plus database refusals turned into a 409/400 that says why."""
    if isinstance(exc, IntegrityError):
        return Response({"detail": str(exc).split("\n")[0]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DataError):  # e.g. a NUL character, which PostgreSQL text cannot hold
        return Response({"detail": str(exc).split("\n")[0]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def request_crs(request) -> crs_module.SourceCRS:
    """The CRS a write names (`crs` parameter or `Content-Crs` header); storage CRS otherwise."""
    named = request.query_params.get("crs") or request.headers.get("Content-Crs", "").strip("<>")
    if not named:
        return crs_module.STORAGE_CRS
    try:
        return crs_module.parse_crs(named)
    except crs_module.CRSError as exc:
        raise ValidationError({"crs": [str(exc)]}) from exc


class StorageGeometryField(GeometryField):
    """A GeoJSON geometry in the request's CRS, checked and moved into storage coordinates."""

    def __init__(self, geometry_type: str, **kwargs):
        self.geometry_type = geometry_type
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        problem = geojson_problem(value)
        if problem:
            raise ValidationError(_("Not a GeoJSON geometry: %s") % problem)
        try:
            geometry = GEOSGeometry(json.dumps(value) if isinstance(value, dict) else value)
        except (GEOSException, GDALException, ValueError, TypeError) as exc:
            raise ValidationError(_("Not a GeoJSON geometry: %s") % exc) from exc
        source = self.context.get("source_crs", crs_module.STORAGE_CRS)
        # An SRID inside the geometry (EWKT/EWKB, a GeoJSON "crs" member) must agree with the
        # request's CRS: reading coordinates in the other one would store them misplaced.
        if _names_srid(value, geometry) and geometry.srid != source.epsg:
            raise ValidationError(
                _(
                    "The geometry names SRID %(srid)d but the request's CRS is %(crs)s: name"
                    " the CRS once, with the crs parameter or the Content-Crs header."
                )
                % {"srid": geometry.srid, "crs": source.label}
            )
        try:
            return geometry_to_storage(geometry, source, self.geometry_type)
        except GeometryProblem as exc:
            raise ValidationError(str(exc)) from exc


def _names_srid(value, geometry) -> bool:
    """Whether the client wrote an SRID into the geometry (GDAL gives GeoJSON EPSG:4326 by
    default, so there only a "crs" member counts)."""
    if isinstance(value, dict):
        return "crs" in value
    if isinstance(value, str) and value.lstrip().startswith("{"):
        return '"crs"' in value
    return bool(geometry.srid)


class FeatureSerializer(GeoFeatureModelSerializer):
    """A GeoJSON Feature in and out; a body that is not a Feature is a 400 saying what is wrong."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise ValidationError({"non_field_errors": [_("Send a GeoJSON Feature object.")]})
        for member, kinds in (("properties", (dict, type(None))), ("bbox", (list, type(None)))):
            if member in data and not isinstance(data[member], kinds):
                raise ValidationError({member: [_("Not a GeoJSON %s member.") % member]})
        # A Feature that only moves its geometry may leave properties out; without them the
        # GeoJSON parsing would silently skip the geometry too.
        if data.get("properties") is None and (data.get("type") == "Feature" or "geometry" in data):
            data = {**data, "properties": {}}
        return super().to_internal_value(data)


class Cursor:
    """An opaque keyset position: the ordering value and id of the last row of a page."""

    @staticmethod
    def encode(value, pk: int) -> str:
        if isinstance(value, datetime):
            value = value.isoformat()
        raw = json.dumps([value, pk]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def decode(text: str):
        try:
            padded = text + "=" * (-len(text) % 4)
            value, pk = json.loads(base64.urlsafe_b64decode(padded))
            return value, int(pk)
        except (ValueError, TypeError) as exc:
            raise ValidationError({"cursor": [_("Not a cursor this API gave out.")]}) from exc


class LayerViewSet(viewsets.ModelViewSet):
    """CRUD for one layer. Lists are FeatureCollections serialized by PostGIS, paged by keyset.

    Subclasses declare `layer`, `queryset`, `serializer_class`, `filterset_class`,
    `geometry_field`, `list_properties` (output name → lookup) and `ordering_fields`
    (name → model field).
    """

    layer: str
    geometry_field: str
    list_properties: dict[str, str]
    ordering_fields: dict[str, str] = {"id": "id"}
    default_ordering = "id"

    def get_queryset(self):
        return policy.visible(self.request, self.layer, super().get_queryset())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            context["source_crs"] = request_crs(self.request)
        return context

    def perform_create(self, serializer):
        self._save_inside_scope(serializer)

    def perform_update(self, serializer):
        self._save_inside_scope(serializer)

    @transaction.atomic
    def _save_inside_scope(self, serializer):
        """Saves, then shows what the database assigned; a feature put outside what the
        credential may see (a token limited to a township) is refused and rolled back."""
        serializer.save()
        instance = serializer.instance
        instance.refresh_from_db()
        model = type(instance)
        if not policy.visible(
            self.request, self.layer, model.objects.filter(pk=instance.pk)
        ).exists():
            raise PermissionDenied(_("This credential may not place features outside its area."))

    @extend_schema(
        responses={
            (200, "application/geo+json"): OpenApiResponse(
                FeatureCollectionSerializer, description="GeoJSON features, keyset-paged."
            )
        }
    )
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        limit = self._limit()
        descending, field = self._ordering()
        cursor = request.query_params.get("cursor")
        after = "lt" if descending else "gt"
        if cursor:
            value, pk = Cursor.decode(cursor)
            try:
                value = queryset.model._meta.get_field(field).to_python(value)
            except (DjangoValidationError, TypeError, ValueError) as exc:
                raise ValidationError({"cursor": [_("Not a cursor this API gave out.")]}) from exc
            if value is None:
                raise ValidationError({"cursor": [_("Not a cursor this API gave out.")]})
            queryset = queryset.filter(
                Q(**{f"{field}__{after}": value}) | Q(**{field: value, f"id__{after}": pk})
            )
        prefix = "-" if descending else ""
        page = feature_page(
            queryset.order_by(f"{prefix}{field}", f"{prefix}id"),
            geometry_field=self.geometry_field,
            properties=self.list_properties,
            key_field=field,
            limit=limit,
        )
        links = [{"rel": "self", "href": request.build_absolute_uri()}]
        if page.has_more:
            query = request.query_params.copy()
            query["cursor"] = Cursor.encode(page.last_key, page.last_id)
            links.append(
                {"rel": "next", "href": request.build_absolute_uri(f"?{query.urlencode()}")}
            )
        body = (
            '{"type": "FeatureCollection", "features": '
            f'{page.features_json}, "numberReturned": {page.returned}, '
            f'"links": {json.dumps(links)}}}'
        )
        return HttpResponse(body, content_type="application/geo+json")

    def _limit(self) -> int:
        try:
            return integer_in_range(
                "limit",
                self.request.query_params.get("limit"),
                default=DEFAULT_LIMIT,
                minimum=1,
                maximum=MAX_LIMIT,
            )
        except ValueError as exc:
            raise ValidationError({"limit": [str(exc)]}) from None

    def _ordering(self) -> tuple[bool, str]:
        name = self.request.query_params.get("ordering", self.default_ordering)
        descending = name.startswith("-")
        field = self.ordering_fields.get(name.lstrip("-"))
        if field is None:
            raise ValidationError(
                {"ordering": [_("order by one of: %s") % ", ".join(self.ordering_fields)]}
            )
        return descending, field
