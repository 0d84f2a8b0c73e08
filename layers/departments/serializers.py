from rest_framework import serializers
from rest_framework_gis.fields import GeometrySerializerMethodField

from layers.areas.models import AdminArea
from layers.common.api import FeatureSerializer
from layers.departments.models import Department


class DepartmentSerializer(FeatureSerializer):
    """A department as a Feature whose geometry is its area of responsibility (read-only)."""

    area = serializers.SlugRelatedField(slug_field="code", queryset=AdminArea.objects.all())
    responsibility = GeometrySerializerMethodField()

    class Meta:
        model = Department
        geo_field = "responsibility"
        fields = ["id", "name", "kind", "area", "phone"]

    def get_responsibility(self, department):
        return department.area.geom
