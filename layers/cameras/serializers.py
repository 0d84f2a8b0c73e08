from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.cameras.models import CameraSite
from layers.common.api import StorageGeometryField


class CameraSiteSerializer(GeoFeatureModelSerializer):
    location = StorageGeometryField("Point")
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

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
