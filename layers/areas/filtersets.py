import django_filters

from layers.areas.models import AdminArea
from layers.common.filters import AreaFilter, BBoxFilter, TextSearchFilter


class AdminAreaFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="geom")
    area = AreaFilter(field_name="code")
    q = TextSearchFilter(fields=["name", "code"])
    parent = django_filters.CharFilter(field_name="parent__code", label="parent code")

    class Meta:
        model = AdminArea
        fields = ["level"]
