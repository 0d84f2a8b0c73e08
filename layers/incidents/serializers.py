from rest_framework import serializers

from layers.common.api import FeatureSerializer, StorageGeometryField
from layers.departments.models import Department
from layers.incidents.choices import SUBCATEGORIES, AttachmentKind, Priority, RejectionReason
from layers.incidents.models import Incident, IncidentAttachment, IncidentEvent


class IncidentSerializer(FeatureSerializer):
    location = StorageGeometryField("Point")
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

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
            "version",
            "level",
            "priority",
            "deadline",
            "lead_department",
            "co_departments",
            "rejection_reason",
            "duplicate_of",
            "feedback",
            "rating",
            "review",
            "tracking_code",
        ]
        # The workflow fields move only through the workflow actions (layers.incidents.services).
        read_only_fields = [
            "status",
            "updated_at",
            "version",
            "level",
            "priority",
            "deadline",
            "lead_department",
            "co_departments",
            "rejection_reason",
            "duplicate_of",
            "feedback",
            "rating",
            "review",
            "tracking_code",
        ]

    def validate(self, attrs):
        category = attrs.get("category", getattr(self.instance, "category", None))
        subcategory = attrs.get("subcategory", getattr(self.instance, "subcategory", None))
        if subcategory not in SUBCATEGORIES.get(category, []):
            raise serializers.ValidationError(
                {"subcategory": [f"{subcategory!r} is not a subcategory of {category!r}"]}
            )
        return attrs


class IncidentStepSerializer(serializers.Serializer):
    """What every workflow step sends: the version it saw and, if known, where the actor is."""

    version = serializers.IntegerField(min_value=0)
    position = StorageGeometryField("Point", required=False, allow_null=True, default=None)


class IncidentNoteSerializer(IncidentStepSerializer):
    """A step whose only words are an optional note (accept, start, close)."""

    note = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentRejectSerializer(IncidentNoteSerializer):
    reason = serializers.ChoiceField(choices=RejectionReason.choices)
    duplicate_of = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True, default=None
    )


class IncidentDispatchSerializer(IncidentNoteSerializer):
    # Left out: the department the routing rules propose.
    lead_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    co_departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False, default=list
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)


class IncidentResolveSerializer(IncidentStepSerializer):
    feedback = serializers.CharField()


class IncidentEvaluateSerializer(IncidentStepSerializer):
    satisfied = serializers.BooleanField()
    rating = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None
    )
    review = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentLevelSerializer(IncidentStepSerializer):
    reason = serializers.CharField()


class IncidentEventSerializer(serializers.ModelSerializer):
    """One line of an incident's timeline."""

    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    position = StorageGeometryField("Point", read_only=True)

    class Meta:
        model = IncidentEvent
        fields = [
            "id",
            "at",
            "action",
            "from_state",
            "to_state",
            "actor",
            "note",
            "position",
            "data",
        ]


class IncidentAttachmentUploadSerializer(serializers.Serializer):
    """A multipart upload: the file and what it is."""

    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)


class IncidentAttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    position = StorageGeometryField("Point", read_only=True)

    class Meta:
        model = IncidentAttachment
        fields = [
            "id",
            "kind",
            "file",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
            "taken_at",
            "position",
            "distance_m",
            "far_from_incident",
            "thumbnail",
        ]


class IncidentRouteSerializer(serializers.Serializer):
    """The department the routing rules propose for an incident, and the rule that decided."""

    department = serializers.IntegerField(source="department.pk", allow_null=True)
    department_name = serializers.CharField(source="department.name", allow_null=True)
    rule = serializers.IntegerField(source="rule.pk", allow_null=True)
    reason = serializers.CharField()


class IncidentCandidateSerializer(serializers.Serializer):
    """A report that may describe the same thing: same category, near in place and time."""

    id = serializers.IntegerField(source="incident.pk")
    title = serializers.CharField(source="incident.title")
    status = serializers.CharField(source="incident.status")
    source = serializers.CharField(source="incident.source")
    reported_at = serializers.DateTimeField(source="incident.reported_at")
    distance_m = serializers.FloatField()
