from layers.areas.filtersets import AdminAreaFilterSet
from layers.areas.models import AdminArea
from layers.areas.serializers import AdminAreaSerializer
from layers.common.api import LayerViewSet


class AdminAreaViewSet(LayerViewSet):
    layer = "areas"
    queryset = AdminArea.objects.all()
    serializer_class = AdminAreaSerializer
    filterset_class = AdminAreaFilterSet
    geometry_field = "geom"
    list_properties = {"code": "code", "name": "name", "level": "level", "parent": "parent__code"}
    ordering_fields = {"id": "id", "code": "code", "name": "name"}
    default_ordering = "code"
