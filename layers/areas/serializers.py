from rest_framework import serializers

from layers.areas.models import AdminArea
from layers.common.api import FeatureSerializer, StorageGeometryField


class AdminAreaSerializer(FeatureSerializer):
    geom = StorageGeometryField("MultiPolygon")
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=AdminArea.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = AdminArea
        geo_field = "geom"
        fields = ["id", "code", "name", "level", "parent"]
