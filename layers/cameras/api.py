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
    list_properties = {
        "code": "code",
        "name": "name",
        "kind": "kind",
        "azimuth": "azimuth",
        "field_of_view": "field_of_view",
        "range_m": "range_m",
        "status": "status",
        "department": "department",
        "installed_on": "installed_on",
        "grid": "grid__code",
        "area": "area__code",
    }
    ordering_fields = {"id": "id", "code": "code"}
