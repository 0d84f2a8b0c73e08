import django_filters

from layers.common.filters import AreaFilter, BBoxFilter, TextSearchFilter
from layers.incidents.models import Incident


class IncidentFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="location")
    area = AreaFilter(field_name="area__code")
    grid = django_filters.CharFilter(field_name="grid__code", label="grid code")
    since = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="lt")
    q = TextSearchFilter(fields=["title", "description"])
    category = django_filters.MultipleChoiceFilter(
        choices=Incident._meta.get_field("category").choices, distinct=False
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Incident._meta.get_field("status").choices, distinct=False
    )

    class Meta:
        model = Incident
        fields = ["subcategory", "source", "tracking_code"]
