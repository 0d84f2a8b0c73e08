from rest_framework import serializers

from layers.common.api import FeatureSerializer, StorageGeometryField
from layers.keysites.models import KeySite


class KeySiteSerializer(FeatureSerializer):
    location = StorageGeometryField("Point")
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = KeySite
        geo_field = "location"
        fields = ["id", "name", "kind", "grid", "area"]
