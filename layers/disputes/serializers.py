import base64
import binascii
import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from rest_framework import serializers

from layers.areas.models import AdminArea, AreaLevel
from layers.common.api import FeatureSerializer, StorageGeometryField
from layers.disputes import services
from layers.disputes.choices import ReferenceKind, VisitPurpose
from layers.disputes.models import (
    Claim,
    DisputeCase,
    FieldVisit,
    HistoryEntry,
    Imagery,
    Party,
    ReferenceBoundary,
    VisitPhoto,
)

PHOTO_MAX_BYTES = 8 * 1024 * 1024


class DisputeCaseSerializer(FeatureSerializer):
    location = StorageGeometryField("Point")
    village = serializers.SlugRelatedField(
        slug_field="code", queryset=AdminArea.objects.filter(level=AreaLevel.VILLAGE)
    )
    mediator = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
    )
    officers = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), many=True, required=False
    )

    class Meta:
        model = DisputeCase
        geo_field = "location"
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "village",
            "status",
            "mediator",
            "officers",
            "description",
            "outcome",
            "opened_on",
            "updated_at",
            "version",
        ]
        read_only_fields = ["updated_at", "version"]

    def create(self, validated_data):
        return services.case_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return services.case_update(
            case=instance, actor=self.context["request"].user, **validated_data
        )


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "name", "role", "contact"]


class ClaimSerializer(FeatureSerializer):
    boundary = StorageGeometryField("MultiPolygon")
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Claim
        geo_field = "boundary"
        fields = ["id", "party", "method", "recorded_at", "recorded_by", "note", "source_file"]
        read_only_fields = ["recorded_by", "source_file"]
        extra_kwargs = {"recorded_at": {"required": False}}

    def validate_party(self, party):
        if party.case_id != self.context["case"].pk:
            raise serializers.ValidationError(_("The party does not belong to this case."))
        return party


class ClaimUploadSerializer(serializers.Serializer):
    """A multipart upload of a claimed boundary as GeoJSON, zipped Shapefile or KML."""

    file = serializers.FileField()
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_party(self, party):
        return ClaimSerializer.validate_party(self, party)


class ClaimFromVisitSerializer(serializers.Serializer):
    """A claim made from a visit whose points walk the boundary (named by its key)."""

    visit = serializers.SlugRelatedField(
        slug_field="idempotency_key", queryset=FieldVisit.objects.all()
    )
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_party(self, party):
        return ClaimSerializer.validate_party(self, party)

    def validate_visit(self, visit):
        if visit.case_id != self.context["case"].pk:
            raise serializers.ValidationError(_("The visit belongs to another case."))
        return visit


class ReferenceSerializer(FeatureSerializer):
    boundary = StorageGeometryField("MultiPolygon")

    class Meta:
        model = ReferenceBoundary
        geo_field = "boundary"
        fields = ["id", "kind", "version", "surveyed_on", "source", "document", "recorded_at"]
        read_only_fields = ["version", "document", "recorded_at"]


class ReferenceUploadSerializer(serializers.Serializer):
    """A multipart upload: the boundary file, its kind, date and source, and the document."""

    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=ReferenceKind.choices)
    surveyed_on = serializers.DateField()
    source = serializers.CharField(max_length=200)
    document = serializers.FileField(required=False, allow_null=True, default=None)


class VisitPointSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    accuracy = serializers.FloatField(min_value=0, required=False, allow_null=True, default=None)


class VisitPhotoInputSerializer(serializers.Serializer):
    """A photo sent inside the visit: a base64 JPEG or PNG, with where and when it was taken."""

    data = serializers.CharField()
    taken_at = serializers.DateTimeField()
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    accuracy = serializers.FloatField(min_value=0, required=False, allow_null=True)

    def validate_data(self, value):
        payload = value.split(",", 1)[1] if value.startswith("data:") else value
        try:
            raw = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError(_("The photo is not base64 data.")) from exc
        if len(raw) > PHOTO_MAX_BYTES:
            raise serializers.ValidationError(_("The photo is larger than 8 MB."))
        try:
            with Image.open(io.BytesIO(raw)) as image:
                image.verify()
                kind = image.format
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
            raise serializers.ValidationError(_("The photo is not a JPEG or PNG image.")) from exc
        if kind not in ("JPEG", "PNG"):
            raise serializers.ValidationError(_("The photo is not a JPEG or PNG image."))
        return ContentFile(raw, name=f"photo.{'jpg' if kind == 'JPEG' else 'png'}")


class FieldVisitInputSerializer(serializers.Serializer):
    idempotency_key = serializers.UUIDField()
    purpose = serializers.ChoiceField(choices=VisitPurpose.choices)
    visited_at = serializers.DateTimeField()
    points = VisitPointSerializer(many=True, allow_empty=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    case_version = serializers.IntegerField(min_value=0)
    photos = VisitPhotoInputSerializer(many=True, required=False, default=list)


class VisitPhotoSerializer(serializers.ModelSerializer):
    position = StorageGeometryField("Point", read_only=True)

    class Meta:
        model = VisitPhoto
        fields = ["id", "image", "position", "accuracy_m", "taken_at"]


class FieldVisitSerializer(serializers.ModelSerializer):
    officer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    points = StorageGeometryField("MultiPoint", read_only=True)
    photos = VisitPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = FieldVisit
        fields = [
            "id",
            "idempotency_key",
            "purpose",
            "visited_at",
            "officer",
            "points",
            "accuracies_m",
            "notes",
            "case_version",
            "conflict",
            "received_at",
            "photos",
        ]


class ImagerySerializer(FeatureSerializer):
    footprint = StorageGeometryField("Polygon", read_only=True)

    class Meta:
        model = Imagery
        geo_field = "footprint"
        fields = [
            "id",
            "title",
            "captured_on",
            "sensor",
            "resolution_m",
            "source_crs",
            "status",
            "job",
            "uploaded_at",
        ]


class ImageryUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=200)
    captured_on = serializers.DateField()
    sensor = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class HistoryEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = HistoryEntry
        fields = ["id", "table", "row_id", "operation", "at", "actor", "row"]
