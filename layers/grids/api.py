from layers.common.api import LayerViewSet
from layers.grids.filtersets import GridFilterSet
from layers.grids.models import Grid
from layers.grids.serializers import GridSerializer


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
