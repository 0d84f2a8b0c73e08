import django_filters

from layers.common.filters import AreaFilter, BBoxFilter, TextSearchFilter
from layers.keysites.models import KeySite


class KeySiteFilterSet(django_filters.FilterSet):
    bbox = BBoxFilter(field_name="location")
    area = AreaFilter(field_name="area__code")
    grid = django_filters.CharFilter(field_name="grid__code", label="grid code")
    q = TextSearchFilter(fields=["name"])

    class Meta:
        model = KeySite
        fields = ["kind"]
