from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.common.api import StorageGeometryField
from layers.keysites.models import KeySite


class KeySiteSerializer(GeoFeatureModelSerializer):
    location = StorageGeometryField("Point")
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = KeySite
        geo_field = "location"
        fields = ["id", "name", "kind", "grid", "area"]
