"""The citizens' endpoints (民意快递): no login, a rate limit per client, a tracking code.

Rate limits are DRF throttles counting in the database cache (settings.CACHES["throttle"]):
every web process and worker shares the counts without another service to run, and DRF's
throttling is already a dependency; a Redis cache would be the change for very high traffic.
"""

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from layers.access.security import JSONParser
from layers.common.api import StorageGeometryField, request_crs
from layers.incidents import citizens
from layers.incidents.choices import Category, Subcategory
from layers.incidents.services import IncidentConflict


class CitizenThrottle(SimpleRateThrottle):
    """Requests per client address, the rate read from the settings named by `rate_setting`."""

    cache = caches["throttle"]
    rate_setting: str

    def get_rate(self):
        return getattr(settings, self.rate_setting)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ReportThrottle(CitizenThrottle):
    """Reports and ratings sent: each one writes."""

    scope = "citizen_report"
    rate_setting = "GISGOV_CITIZEN_REPORT_RATE"


class LookupThrottle(CitizenThrottle):
    """Tracking-code look-ups: generous for people, far too slow for guessing codes."""

    scope = "citizen_lookup"
    rate_setting = "GISGOV_CITIZEN_LOOKUP_RATE"


class CitizenReportSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    subcategory = serializers.ChoiceField(choices=Subcategory.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    location = StorageGeometryField("Point")
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class CitizenRatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CitizenView(APIView):
    """No login and no session: nothing a citizen's browser holds opens more than the code."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError) and hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, citizens.UnknownTrackingCode):
            return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
        if isinstance(exc, IncidentConflict):
            return Response(
                {"detail": exc.message, "status": exc.status}, status=status.HTTP_409_CONFLICT
            )
        return super().handle_exception(exc)


class CitizenReportCreateView(CitizenView):
    """POST a report (JSON, or multipart with up to N photos); answers with the tracking code."""

    throttle_classes = [ReportThrottle]
    parser_classes = [MultiPartParser, JSONParser]

    def post(self, request):
        serializer = CitizenReportSerializer(
            data=request.data, context={"source_crs": request_crs(request)}
        )
        serializer.is_valid(raise_exception=True)
        incident = citizens.incident_citizen_report(**serializer.validated_data)
        return Response(
            citizen_receipt(request, incident.tracking_code), status=status.HTTP_201_CREATED
        )


def citizen_receipt(request, code: str) -> dict:
    """What a citizen keeps after reporting: the code and where to follow it."""
    return {
        "tracking_code": code,
        "status_page": request.build_absolute_uri(reverse("citizen-report-page", args=[code])),
        "status_url": request.build_absolute_uri(reverse("citizen-report-status", args=[code])),
        "message": _("Keep this code to follow your report and rate the result."),
    }


class CitizenReportStatusView(CitizenView):
    """GET the report's progress as JSON."""

    throttle_classes = [LookupThrottle]

    def get(self, request, code):
        return Response(citizens.citizen_report_status(code))


class CitizenReportPageView(CitizenView):
    """The report's progress as a page (Chinese unless the browser asks for English)."""

    throttle_classes = [LookupThrottle]
    renderer_classes = [TemplateHTMLRenderer, JSONRenderer]
    template_name = "incidents/citizen_report.html"

    def get(self, request, code):
        try:
            report = citizens.citizen_report_status(code)
        except citizens.UnknownTrackingCode:
            return Response({"report": None, "code": code}, status=status.HTTP_404_NOT_FOUND)
        return Response({"report": report, "code": code})


class CitizenRatingView(CitizenView):
    """POST a rating 1–5 once the report is resolved."""

    throttle_classes = [ReportThrottle]
    parser_classes = [JSONParser, MultiPartParser]

    def post(self, request, code):
        serializer = CitizenRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        citizens.incident_citizen_rate(code=code, **serializer.validated_data)
        return Response(citizens.citizen_report_status(code))
