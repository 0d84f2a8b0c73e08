from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from rest_framework.renderers import JSONRenderer, StaticHTMLRenderer
from rest_framework.response import Response

from layers.access import policy
from layers.areas.models import AdminArea
from layers.common.api import LayerViewSet
from layers.common.maps import map_page_response
from layers.grids.filtersets import GridFilterSet
from layers.grids.maps import topology_map_html, workload_map_html
from layers.grids.models import Grid
from layers.grids.serializers import GridSerializer
from layers.grids.topology import (
    TopologyViolation,
    area_topology,
    grid_edits_checked,
    grid_topology_enforce_now,
)
from layers.grids.workload import grid_workload


class GridViewSet(LayerViewSet):
    layer = "grids"
    queryset = Grid.objects.all()
    serializer_class = GridSerializer
    filterset_class = GridFilterSet
    geometry_field = "geom"
    list_properties = {
        "code": "code",
        "name": "name",
        "village": "village__code",
        "kind": "kind",
        "exclusive_type": "exclusive_type",
        "valid_from": "valid_from",
        "valid_to": "valid_to",
    }
    ordering_fields = {"id": "id", "code": "code", "name": "name"}
    default_ordering = "code"

    # A request edits one grid, so its edit is checked before the response is written, not
    # whenever an enclosing transaction (a test's, a batch's) happens to commit.
    def perform_create(self, serializer):
        with grid_edits_checked():
            super().perform_create(serializer)
            grid_topology_enforce_now()

    def perform_update(self, serializer):
        with grid_edits_checked():
            super().perform_update(serializer)
            grid_topology_enforce_now()

    def perform_destroy(self, instance):
        with grid_edits_checked():
            super().perform_destroy(instance)
            grid_topology_enforce_now()

    def handle_exception(self, exc):
        if isinstance(exc, TopologyViolation):
            return Response(
                {
                    "detail": str(exc),
                    "problems": {
                        "type": "FeatureCollection",
                        "features": [problem.as_feature() for problem in exc.problems],
                    },
                },
                status=status.HTTP_409_CONFLICT,
            )
        return super().handle_exception(exc)

    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, StaticHTMLRenderer])
    def topology(self, request):
        """Gaps, overlaps and parts outside, of grids in villages and villages in townships.

        `?format=html`: the same as an offline map with a table.
        """
        report = area_topology(self._area())
        if request.accepted_renderer.format == "html":
            return map_page_response(topology_map_html(report))
        return Response(report.as_feature_collection(), content_type="application/geo+json")

    @action(detail=False, methods=["get"], renderer_classes=[JSONRenderer, StaticHTMLRenderer])
    def workload(self, request):
        """Households, residents, weighted incidents, area and travel of each current grid.

        `?format=html`: a choropleth of the workload and the table, as an offline map.
        """
        # It counts incidents, which are never public: the reader must be allowed them.
        refusal = policy.read_refusal(request, "incidents")
        if refusal == 401:
            raise NotAuthenticated()
        if refusal is not None:
            raise PermissionDenied(_("Workload counts incidents, which you may not read."))
        area = self._area()
        rows = grid_workload(
            area.code, since=self._datetime("since"), until=self._datetime("until")
        )
        if request.accepted_renderer.format == "html":
            return map_page_response(workload_map_html(area.code, rows))
        return Response(
            {
                "type": "FeatureCollection",
                "table": [row.as_row() for row in rows],
                "features": [
                    {
                        "type": "Feature",
                        "id": row.id,
                        "geometry": row.geometry,
                        "properties": row.as_row(),
                    }
                    for row in rows
                ],
            },
            content_type="application/geo+json",
        )

    def _area(self) -> AdminArea:
        code = self.request.query_params.get("area")
        if not code:
            raise ValidationError({"area": [_("Give the division code of an area.")]})
        try:
            area = AdminArea.objects.get(code=code)
        except AdminArea.DoesNotExist:
            raise NotFound(
                _("No administrative area has code %(code)s.") % {"code": code}
            ) from None
        # Its statistics count incidents: only for an area inside the request's role scope.
        if not policy.area_in_scope(self.request, area):
            raise PermissionDenied(_("This area lies outside what you may see."))
        return area

    def _datetime(self, name: str):
        text = self.request.query_params.get(name)
        if not text:
            return None
        try:
            value = parse_datetime(text)
            if value is None:
                day = parse_date(text)
                value = day and datetime.combine(day, time.min)
        except ValueError:
            value = None
        if value is None:
            raise ValidationError({name: [_("Not an ISO 8601 date or date and time.")]})
        return value if timezone.is_aware(value) else timezone.make_aware(value)
