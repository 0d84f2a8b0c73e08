from layers.common.api import LayerViewSet
from layers.keysites.filtersets import KeySiteFilterSet
from layers.keysites.models import KeySite
from layers.keysites.serializers import KeySiteSerializer


class KeySiteViewSet(LayerViewSet):
    layer = "key-sites"
    queryset = KeySite.objects.select_related("grid", "area")
    serializer_class = KeySiteSerializer
    filterset_class = KeySiteFilterSet
    geometry_field = "location"
    list_properties = {"name": "name", "kind": "kind", "grid": "grid__code", "area": "area__code"}
    ordering_fields = {"id": "id", "name": "name"}
