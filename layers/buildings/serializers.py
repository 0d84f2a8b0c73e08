from rest_framework import serializers

from layers.buildings.models import Building
from layers.common.api import FeatureSerializer, StorageGeometryField


class BuildingSerializer(FeatureSerializer):
    footprint = StorageGeometryField("Polygon")
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Building
        geo_field = "footprint"
        fields = ["id", "address", "floors", "households", "residents", "use", "grid", "area"]
