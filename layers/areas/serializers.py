from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.areas.models import AdminArea
from layers.common.api import StorageGeometryField


class AdminAreaSerializer(GeoFeatureModelSerializer):
    geom = StorageGeometryField("MultiPolygon")
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=AdminArea.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = AdminArea
        geo_field = "geom"
        fields = ["id", "code", "name", "level", "parent"]
