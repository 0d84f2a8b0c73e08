import django_filters

from layers.common.filters import AreaFilter, BBoxFilter, TextSearchFilter
from layers.grids.models import Grid


class GridFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="geom")
    area = AreaFilter(field_name="village__code")
    q = TextSearchFilter(fields=["name", "code"])
    current = django_filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull")

    class Meta:
        model = Grid
        fields = ["kind", "exclusive_type", "code"]
