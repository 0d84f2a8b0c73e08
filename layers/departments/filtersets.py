import django_filters

from layers.common.filters import AreaFilter, TextSearchFilter
from layers.departments.models import Department


class DepartmentFilterSet(django_filters.FilterSet):
    area = AreaFilter(field_name="area__code")
    q = TextSearchFilter(fields=["name"])

    class Meta:
        model = Department
        fields = ["kind"]
