from layers.common.api import LayerViewSet
from layers.incidents.filtersets import IncidentFilterSet
from layers.incidents.models import Incident
from layers.incidents.serializers import IncidentSerializer


class IncidentViewSet(LayerViewSet):
    layer = "incidents"
    queryset = Incident.objects.select_related("grid", "area")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    geometry_field = "location"
    list_properties = {
        "category": "category",
        "subcategory": "subcategory",
        "source": "source",
        "title": "title",
        "reported_at": "reported_at",
        "status": "status",
        "grid": "grid__code",
        "area": "area__code",
    }
    ordering_fields = {"id": "id", "reported_at": "reported_at"}
    default_ordering = "-reported_at"
