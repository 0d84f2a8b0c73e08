from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.areas.models import AdminArea, AreaLevel
from layers.common.api import StorageGeometryField
from layers.grids.models import Grid


class GridSerializer(GeoFeatureModelSerializer):
    geom = StorageGeometryField("Polygon")
    village = serializers.SlugRelatedField(
        slug_field="code", queryset=AdminArea.objects.filter(level=AreaLevel.VILLAGE)
    )

    class Meta:
        model = Grid
        geo_field = "geom"
        fields = [
            "id",
            "code",
            "name",
            "village",
            "kind",
            "exclusive_type",
            "valid_from",
            "valid_to",
        ]
