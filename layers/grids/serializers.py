from rest_framework import serializers

from layers.areas.models import AdminArea, AreaLevel
from layers.common.api import FeatureSerializer, StorageGeometryField
from layers.grids.models import Grid


class GridSerializer(FeatureSerializer):
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
