from layers.buildings.filtersets import BuildingFilterSet
from layers.buildings.models import Building
from layers.buildings.serializers import BuildingSerializer
from layers.common.api import LayerViewSet


class BuildingViewSet(LayerViewSet):
    layer = "buildings"
    queryset = Building.objects.select_related("grid", "area")
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet
    geometry_field = "footprint"
    list_properties = {
        "address": "address",
        "floors": "floors",
        "households": "households",
        "residents": "residents",
        "use": "use",
        "grid": "grid__code",
        "area": "area__code",
    }
    ordering_fields = {"id": "id", "households": "households"}
