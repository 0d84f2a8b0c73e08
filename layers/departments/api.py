from layers.common.api import LayerViewSet
from layers.departments.filtersets import DepartmentFilterSet
from layers.departments.models import Department
from layers.departments.serializers import DepartmentSerializer


class DepartmentViewSet(LayerViewSet):
    layer = "departments"
    queryset = Department.objects.select_related("area")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    geometry_field = "area__geom"
    list_properties = {"name": "name", "kind": "kind", "area": "area__code", "phone": "phone"}
    ordering_fields = {"id": "id", "name": "name"}
