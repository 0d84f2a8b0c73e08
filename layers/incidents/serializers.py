from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from layers.common.api import StorageGeometryField
from layers.incidents.choices import SUBCATEGORIES
from layers.incidents.models import Incident


class IncidentSerializer(GeoFeatureModelSerializer):
    location = StorageGeometryField("Point")
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Incident
        geo_field = "location"
        fields = [
            "id",
            "category",
            "subcategory",
            "source",
            "title",
            "description",
            "reported_at",
            "status",
            "grid",
            "area",
            "updated_at",
        ]
        read_only_fields = ["status", "updated_at"]

    def validate(self, attrs):
        category = attrs.get("category", getattr(self.instance, "category", None))
        subcategory = attrs.get("subcategory", getattr(self.instance, "subcategory", None))
        if subcategory not in SUBCATEGORIES.get(category, []):
            raise serializers.ValidationError(
                {"subcategory": [f"{subcategory!r} is not a subcategory of {category!r}"]}
            )
        return attrs
