from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from layers.common.api import LayerViewSet
from layers.incidents import services
from layers.incidents.choices import RejectionReason
from layers.incidents.filtersets import IncidentFilterSet
from layers.incidents.models import Incident
from layers.incidents.routing import incident_duplicate_candidates, incident_route
from layers.incidents.serializers import (
    IncidentAttachmentSerializer,
    IncidentAttachmentUploadSerializer,
    IncidentCandidateSerializer,
    IncidentDispatchSerializer,
    IncidentEvaluateSerializer,
    IncidentEventSerializer,
    IncidentLevelSerializer,
    IncidentNoteSerializer,
    IncidentRejectSerializer,
    IncidentResolveSerializer,
    IncidentRouteSerializer,
    IncidentSerializer,
)


class IncidentViewSet(LayerViewSet):
    layer = "incidents"
    queryset = Incident.objects.select_related("grid", "area")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    geometry_field = "location"
    list_properties = {
        "category": "category",
        "subcategory": "subcategory",
        "source": "source",
        "title": "title",
        "reported_at": "reported_at",
        "status": "status",
        "level": "level",
        "priority": "priority",
        "deadline": "deadline",
        "lead_department": "lead_department_id",
        "version": "version",
        "grid": "grid__code",
        "area": "area__code",
    }
    ordering_fields = {"id": "id", "reported_at": "reported_at"}
    default_ordering = "-reported_at"

    def handle_exception(self, exc):
        if isinstance(exc, services.IncidentConflict):
            return Response(
                {"detail": exc.message, "status": exc.status}, status=status.HTTP_409_CONFLICT
            )
        return super().handle_exception(exc)

    @action(detail=True, methods=["post"], serializer_class=IncidentNoteSerializer)
    def accept(self, request, pk=None):
        return self._step(services.incident_accept)

    @action(detail=True, methods=["post"], serializer_class=IncidentRejectSerializer)
    def reject(self, request, pk=None):
        """Rejects as invalid, or as a duplicate of `duplicate_of` (a merge); a duplicate
        rejection without one is a 400 that lists the candidates to choose from."""
        data = request.data if isinstance(request.data, dict) else {}
        if data.get("reason") == RejectionReason.DUPLICATE and not data.get("duplicate_of"):
            return Response(
                {
                    "duplicate_of": [_("Name the incident this one duplicates.")],
                    "candidates": self._candidates(self.get_object()),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self._step(services.incident_reject)

    # Not named `dispatch`: that is the method every Django view answers requests with.
    @action(
        detail=True,
        methods=["post"],
        url_path="dispatch",
        url_name="dispatch",
        serializer_class=IncidentDispatchSerializer,
    )
    def dispatch_to_department(self, request, pk=None):
        return self._step(services.incident_dispatch)

    @action(detail=True, methods=["post"], serializer_class=IncidentNoteSerializer)
    def start(self, request, pk=None):
        return self._step(services.incident_start)

    @action(detail=True, methods=["post"], serializer_class=IncidentResolveSerializer)
    def resolve(self, request, pk=None):
        return self._step(services.incident_resolve)

    @action(detail=True, methods=["post"], serializer_class=IncidentEvaluateSerializer)
    def evaluate(self, request, pk=None):
        return self._step(services.incident_evaluate)

    @action(detail=True, methods=["post"], serializer_class=IncidentNoteSerializer)
    def close(self, request, pk=None):
        return self._step(services.incident_close)

    @action(detail=True, methods=["post"], serializer_class=IncidentLevelSerializer)
    def escalate(self, request, pk=None):
        return self._step(services.incident_escalate)

    @action(detail=True, methods=["post"], serializer_class=IncidentLevelSerializer)
    def deescalate(self, request, pk=None):
        return self._step(services.incident_deescalate)

    @action(detail=True, methods=["get"], serializer_class=IncidentRouteSerializer)
    def route(self, request, pk=None):
        """The department a dispatch without one would go to, and why."""
        return Response(IncidentRouteSerializer(incident_route(self.get_object())).data)

    @action(detail=True, methods=["get"], serializer_class=IncidentCandidateSerializer)
    def duplicates(self, request, pk=None):
        """Reports that may be the same thing: merge one by rejecting it as a duplicate."""
        return Response(self._candidates(self.get_object()))

    @action(detail=True, methods=["get"], serializer_class=IncidentEventSerializer)
    def events(self, request, pk=None):
        incident = self.get_object()
        events = incident.events.select_related("actor").order_by("at", "id")
        return Response(IncidentEventSerializer(events, many=True).data)

    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        serializer_class=IncidentAttachmentUploadSerializer,
    )
    def attachments(self, request, pk=None):
        incident = self.get_object()
        if request.method == "GET":
            attachments = incident.attachments.select_related("uploaded_by")
            return Response(
                IncidentAttachmentSerializer(
                    attachments, many=True, context=self.get_serializer_context()
                ).data
            )
        upload = self.get_serializer(data=request.data)
        upload.is_valid(raise_exception=True)
        attachment = services.incident_attachment_add(
            incident=incident,
            actor=request.user,
            upload=upload.validated_data["file"],
            kind=upload.validated_data["kind"],
        )
        return Response(
            IncidentAttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def _candidates(self, incident) -> list[dict]:
        """The duplicate candidates this request may see."""
        candidates = incident_duplicate_candidates(incident)
        visible = set(
            self.get_queryset()
            .filter(pk__in=[candidate.pk for candidate, _distance in candidates])
            .values_list("pk", flat=True)
        )
        return IncidentCandidateSerializer(
            [
                {"incident": candidate, "distance_m": distance}
                for candidate, distance in candidates
                if candidate.pk in visible
            ],
            many=True,
        ).data

    def _step(self, service):
        """Parses the step's input, runs the service, answers with the incident as it is now."""
        incident = self.get_object()
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        arguments = dict(serializer.validated_data)
        arguments["expected_version"] = arguments.pop("version")
        incident = service(incident=incident, actor=self.request.user, **arguments)
        return Response(IncidentSerializer(incident, context=self.get_serializer_context()).data)
