import django_filters

from layers.common.filters import AreaFilter, BBoxFilter
from layers.disputes.models import DisputeCase


class DisputeCaseFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="location")
    area = AreaFilter(field_name="village__code")
    status = django_filters.MultipleChoiceFilter(
        choices=DisputeCase._meta.get_field("status").choices, distinct=False
    )
    mine = django_filters.BooleanFilter(method="assigned_to_me", label="assigned to me")

    class Meta:
        model = DisputeCase
        fields = ["kind", "code"]

    def assigned_to_me(self, queryset, _name, value):
        if not value:
            return queryset
        return queryset.filter(officers=self.request.user.pk)
