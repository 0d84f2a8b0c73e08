from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from layers.access.security import JSONParser
from layers.common.api import LayerViewSet, request_crs
from layers.common.geometry import GeometryProblem
from layers.disputes import imagery, services
from layers.disputes.apps import LAYER
from layers.disputes.choices import ClaimMethod, ImageryStatus
from layers.disputes.filtersets import DisputeCaseFilterSet
from layers.disputes.models import (
    Claim,
    DisputeCase,
    FieldVisit,
    HistoryEntry,
    Imagery,
    Party,
    ReferenceBoundary,
)
from layers.disputes.permissions import DisputePermission
from layers.disputes.selectors import case_comparison, comparison_json
from layers.disputes.serializers import (
    ClaimFromVisitSerializer,
    ClaimSerializer,
    ClaimUploadSerializer,
    DisputeCaseSerializer,
    FieldVisitInputSerializer,
    FieldVisitSerializer,
    HistoryEntrySerializer,
    ImagerySerializer,
    ImageryUploadSerializer,
    PartySerializer,
    ReferenceSerializer,
    ReferenceUploadSerializer,
)

# The record each case action writes, for the write permission it needs.
WRITTEN_MODELS = {
    "parties": Party,
    "claims": Claim,
    "references": ReferenceBoundary,
    "visits": FieldVisit,
}
MULTIPART = "multipart/form-data"


def _geometry_refused(exc: GeometryProblem):
    return ValidationError({"file": [str(exc)]})


class DisputeCaseViewSet(LayerViewSet):
    layer = LAYER
    queryset = DisputeCase.objects.select_related("village", "mediator")
    serializer_class = DisputeCaseSerializer
    filterset_class = DisputeCaseFilterSet
    permission_classes = [DisputePermission]
    geometry_field = "location"
    list_properties = {
        "code": "code",
        "title": "title",
        "kind": "kind",
        "status": "status",
        "village": "village__code",
        "opened_on": "opened_on",
        "version": "version",
    }
    ordering_fields = {"id": "id", "opened_on": "opened_on"}
    default_ordering = "-opened_on"

    def written_model(self):
        return WRITTEN_MODELS.get(self.action, DisputeCase)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.kwargs.get("pk") and self.action in WRITTEN_MODELS:
            context["case"] = self.get_object()
        return context

    def handle_exception(self, exc):
        if isinstance(exc, services.VisitKeyTaken):
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, imagery.ImageryRefused):
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)

    @action(detail=True, methods=["get", "post"], serializer_class=PartySerializer)
    def parties(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(PartySerializer(case.parties.all(), many=True).data)
        serializer = PartySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        party = services.party_add(case=case, actor=request.user, **serializer.validated_data)
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)

    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[JSONParser, MultiPartParser],
        serializer_class=ClaimSerializer,
    )
    def claims(self, request, pk=None):
        """A case's claims. POST a GeoJSON Feature; or a file (GeoJSON, zipped Shapefile, KML);
        or {"visit": <idempotency key>, "party": id} for a boundary walked on a field visit."""
        case = self.get_object()
        if request.method == "GET":
            return Response(ClaimSerializer(case.claims.all(), many=True).data)
        context = self.get_serializer_context()
        if request.content_type.startswith(MULTIPART):
            upload = ClaimUploadSerializer(data=request.data, context=context)
            upload.is_valid(raise_exception=True)
            boundary = self._boundary_from(upload.validated_data["file"])
            claim = services.claim_add(
                case=case,
                actor=request.user,
                party=upload.validated_data["party"],
                boundary=boundary,
                method=ClaimMethod.UPLOADED,
                source_file=upload.validated_data["file"],
                note=upload.validated_data["note"],
            )
        elif "visit" in request.data:
            walk = ClaimFromVisitSerializer(data=request.data, context=context)
            walk.is_valid(raise_exception=True)
            try:
                boundary = services.walked_boundary(walk.validated_data["visit"])
            except GeometryProblem as exc:
                raise ValidationError({"visit": [str(exc)]}) from exc
            claim = services.claim_add(
                case=case,
                actor=request.user,
                party=walk.validated_data["party"],
                boundary=boundary,
                method=ClaimMethod.WALKED,
                recorded_at=walk.validated_data["visit"].visited_at,
                note=walk.validated_data["note"],
            )
        else:
            serializer = ClaimSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            claim = services.claim_add(case=case, actor=request.user, **serializer.validated_data)
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[JSONParser, MultiPartParser],
        serializer_class=ReferenceSerializer,
    )
    def references(self, request, pk=None):
        """A case's reference versions; POST a GeoJSON Feature or a file with its document."""
        case = self.get_object()
        if request.method == "GET":
            return Response(ReferenceSerializer(case.references.all(), many=True).data)
        context = self.get_serializer_context()
        if request.content_type.startswith(MULTIPART):
            upload = ReferenceUploadSerializer(data=request.data, context=context)
            upload.is_valid(raise_exception=True)
            data = dict(upload.validated_data)
            data["boundary"] = self._boundary_from(data.pop("file"))
        else:
            serializer = ReferenceSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        reference = services.reference_add(case=case, actor=request.user, **data)
        return Response(ReferenceSerializer(reference).data, status=status.HTTP_201_CREATED)

    def _boundary_from(self, upload):
        try:
            return services.boundary_from_file(upload, request_crs(self.request))
        except GeometryProblem as exc:
            raise _geometry_refused(exc) from exc

    @action(detail=True, methods=["get"])
    def comparison(self, request, pk=None):
        """Every pair of claims and reference versions compared, in metres, with the strips."""
        body = comparison_json(case_comparison(self.get_object()))
        return HttpResponse(body, content_type="application/json")

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change to the case and its records, oldest first."""
        case = self.get_object()
        visits = list(case.visits.values_list("pk", flat=True))
        entries = HistoryEntry.objects.filter(
            Q(table="disputes_disputecase", row_id=case.pk)
            | Q(row__case_id=case.pk)
            | Q(row__disputecase_id=case.pk)
            | Q(table="disputes_visitphoto", row__visit_id__in=visits)
        )
        return Response(HistoryEntrySerializer(entries.order_by("id"), many=True).data)

    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[JSONParser],
        serializer_class=FieldVisitInputSerializer,
    )
    def visits(self, request, pk=None):
        """A case's field visits; POST one with its idempotency key (a repeat answers 200)."""
        case = self.get_object()
        if request.method == "GET":
            visits = case.visits.select_related("officer").prefetch_related("photos")
            return Response(FieldVisitSerializer(visits, many=True).data)
        serializer = FieldVisitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        photos = data.pop("photos")
        data["points"] = [(p["lon"], p["lat"], p["accuracy"]) for p in data["points"]]
        with transaction.atomic():
            visit, created = services.visit_record(case=case, officer=request.user, **data)
            if created:
                for photo in photos:
                    position = (
                        (photo["lon"], photo["lat"])
                        if photo.get("lon") is not None and photo.get("lat") is not None
                        else None
                    )
                    services.visit_photo_add(
                        visit=visit,
                        actor=request.user,
                        image=photo["data"],
                        taken_at=photo["taken_at"],
                        position=position,
                        accuracy_m=photo.get("accuracy"),
                    )
        return Response(
            FieldVisitSerializer(visit, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @action(detail=True, methods=["get"], url_path="imagery")
    def covering_imagery(self, request, pk=None):
        """The converted images covering the case, oldest first (a time slider's data)."""
        images = imagery.covering_images(self.get_object())
        return Response(ImagerySerializer(images, many=True).data)

    # Routed in urls.py: a file name ends the path, without the router's trailing slash.
    def clip(self, request, pk=None, image_id=None):
        """The image over the case's extent with the claims and references drawn, as PNG."""
        case = self.get_object()
        image = get_object_or_404(Imagery, pk=image_id, status=ImageryStatus.READY)
        return HttpResponse(imagery.case_clip(case, image), content_type="image/png")


class ImageryViewSet(viewsets.ReadOnlyModelViewSet):
    """Dated images; POST a GeoTIFF (multipart) to queue its conversion to a COG."""

    queryset = Imagery.objects.order_by("captured_on", "id")
    serializer_class = ImagerySerializer
    permission_classes = [DisputePermission]

    def written_model(self):
        return Imagery

    def create(self, request):
        upload = ImageryUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            data = dict(upload.validated_data)
            image = imagery.imagery_upload(upload=data.pop("file"), user=request.user, **data)
        except imagery.ImageryRefused as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        return Response(ImagerySerializer(image).data, status=status.HTTP_202_ACCEPTED)

    # Routed in urls.py, like DisputeCaseViewSet.clip.
    def tiles(self, request, pk=None, z=None, x=None, y=None):
        image = self.get_object()
        z, x, y = int(z), int(x), int(y)
        if image.status != ImageryStatus.READY:
            return Response({"detail": _("The image is not converted yet.")}, status=409)
        if z > 24 or not (0 <= x < 2**z and 0 <= y < 2**z):
            return Response({"detail": _("No such tile.")}, status=404)
        response = HttpResponse(imagery.imagery_tile(image, z, x, y), content_type="image/png")
        # A converted image never changes; disputes are private, so only the browser keeps it.
        response["Cache-Control"] = "private, max-age=86400"
        return response
