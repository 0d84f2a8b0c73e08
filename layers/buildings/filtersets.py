import django_filters

from layers.buildings.models import Building
from layers.common.filters import AreaFilter, BBoxFilter, TextSearchFilter


class BuildingFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="footprint")
    area = AreaFilter(field_name="area__code")
    grid = django_filters.CharFilter(field_name="grid__code", label="grid code")
    q = TextSearchFilter(fields=["address"])
    min_households = django_filters.NumberFilter(field_name="households", lookup_expr="gte")

    class Meta:
        model = Building
        fields = ["use"]
