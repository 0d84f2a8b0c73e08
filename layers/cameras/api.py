from layers.cameras.filtersets import CameraSiteFilterSet
from layers.cameras.models import CameraSite
from layers.cameras.serializers import CameraSiteSerializer
from layers.common.api import LayerViewSet


class CameraSiteViewSet(LayerViewSet):
    layer = "cameras"
    queryset = CameraSite.objects.select_related("grid", "area")
    serializer_class = CameraSiteSerializer
    filterset_class = CameraSiteFilterSet
    geometry_field = "location"
    list_properties = [
        "code",
        "name",
        "kind",
        "azimuth",
        "field_of_view",
        "range_m",
        "status",
        "department",
        "installed_on",
        "grid__code",
        "area__code",
    ]
    ordering_fields = {"id": "id", "code": "code"}
