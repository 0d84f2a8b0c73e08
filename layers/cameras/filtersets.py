import django_filters

from layers.cameras.models import CameraSite
from layers.common.filters import AreaFilter, BBoxFilter, TextSearchFilter


class CameraSiteFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="location")
    area = AreaFilter(field_name="area__code")
    grid = django_filters.CharFilter(field_name="grid__code", label="grid code")
    q = TextSearchFilter(fields=["name", "code"])

    class Meta:
        model = CameraSite
        fields = ["kind", "status"]
