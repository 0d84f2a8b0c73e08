from rest_framework import serializers

from layers.cameras.models import CameraSite
from layers.common.api import FeatureSerializer, StorageGeometryField


class CameraSiteSerializer(FeatureSerializer):
    location = StorageGeometryField("Point")
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = CameraSite
        geo_field = "location"
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "azimuth",
            "field_of_view",
            "range_m",
            "status",
            "department",
            "installed_on",
            "grid",
            "area",
        ]
