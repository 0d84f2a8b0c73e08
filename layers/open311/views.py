"""Open311 GeoReport v2 at /open311/v2/: services, requests (GET with filters, POST), a request.

Listing and reading requests follow the incidents layer's access rules (a token or a session,
limited to the token's area); posting one is a citizen report: public and rate-limited, answered
with the request id and the citizen's tracking code as its `token`.
"""

from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from layers.access import policy
from layers.access.security import JSONParser
from layers.common.constants import STORAGE_SRID
from layers.common.crs import STORAGE_CRS
from layers.common.geometry import GeometryProblem, geometry_to_storage
from layers.incidents.choices import AttachmentKind, Subcategory
from layers.incidents.citizens import incident_citizen_report
from layers.incidents.models import Incident, IncidentAttachment
from layers.incidents.public import ReportThrottle, citizen_receipt
from layers.open311 import georeport
from layers.open311.renderers import Open311XMLRenderer

LAYER = "incidents"


class Open311View(APIView):
    """Answers in the format the path names; every error as Open311's list of code and
    description."""

    renderer_classes = [JSONRenderer, Open311XMLRenderer]
    permission_classes = [AllowAny]
    xml_root = xml_item = ""

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            )
        if isinstance(exc, Http404):
            exc = exceptions.NotFound(str(exc) or None)
        response = super().handle_exception(exc)
        response.data = [
            {"code": response.status_code, "description": message}
            for message in _messages(response.data)
        ]
        return response

    def refuse_unless_readable(self, request):
        refusal = policy.read_refusal(request, LAYER)
        if refusal == 401:
            raise exceptions.NotAuthenticated()
        if refusal == 403:
            raise exceptions.PermissionDenied()

    def incidents(self, request):
        return policy.visible(
            request,
            LAYER,
            Incident.objects.select_related("lead_department", "grid", "area").prefetch_related(
                Prefetch(
                    "attachments",
                    queryset=IncidentAttachment.objects.filter(kind=AttachmentKind.PHOTO),
                )
            ),
        )


class ServicesView(Open311View):
    xml_root, xml_item = "services", "service"

    def get(self, request, format=None):
        return Response(georeport.services())


class RequestsView(Open311View):
    xml_root, xml_item = "service_requests", "request"
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    def get_throttles(self):
        return [ReportThrottle()] if self.request.method == "POST" else []

    def get(self, request, format=None):
        self.refuse_unless_readable(request)
        incidents = self.incidents(request)
        params = request.query_params
        ids = params.get("service_request_id")
        if ids:
            # The spec: with ids given, every other filter is ignored.
            incidents = incidents.filter(pk__in=_integers(ids, "service_request_id"))
        else:
            incidents = _filtered(incidents, params)
        incidents = incidents.order_by("-reported_at", "-id")[: georeport.MAX_REQUESTS]
        return Response(
            [georeport.service_request(i, request.build_absolute_uri) for i in incidents]
        )

    def post(self, request, format=None):
        data = request.data
        service = georeport.service_from_code(data.get("service_code", ""))
        if service is None:
            raise exceptions.ValidationError(
                _("service_code: name one of the codes listed at services.json.")
            )
        try:
            location = Point(float(data["long"]), float(data["lat"]), srid=STORAGE_SRID)
        except (KeyError, TypeError, ValueError) as exc:
            raise exceptions.ValidationError(
                _("lat and long: the position is required, in WGS 84 degrees.")
            ) from exc
        try:
            location = geometry_to_storage(location, STORAGE_CRS, "Point")
        except GeometryProblem as exc:
            raise exceptions.ValidationError(
                _("lat and long: %(problem)s") % {"problem": exc}
            ) from exc
        description = str(data.get("description", "")).strip()
        category, subcategory = service
        contact = " ".join(
            str(data[key]).strip()
            for key in ("first_name", "last_name", "phone", "email")
            if data.get(key)
        )
        photos = request.FILES.getlist("media") if hasattr(request, "FILES") else []
        incident = incident_citizen_report(
            category=category,
            subcategory=subcategory,
            title=description.splitlines()[0][:200] if description else _service_name(service),
            description=description,
            location=location,
            contact=contact,
            photos=photos,
        )
        receipt = citizen_receipt(request, incident.tracking_code)
        return Response(
            [
                {
                    "service_request_id": incident.pk,
                    "token": incident.tracking_code,
                    "service_notice": receipt["status_page"],
                    "account_id": "",
                }
            ],
            status=status.HTTP_201_CREATED,
        )


class RequestView(Open311View):
    xml_root, xml_item = "service_requests", "request"

    def get(self, request, service_request_id, format=None):
        self.refuse_unless_readable(request)
        incident = self.incidents(request).filter(pk=service_request_id).first()
        if incident is None:
            raise exceptions.NotFound(_("No service request %(id)s.") % {"id": service_request_id})
        return Response([georeport.service_request(incident, request.build_absolute_uri)])


def _filtered(incidents, params):
    codes = [code for code in params.get("service_code", "").split(",") if code]
    if codes:
        services = [georeport.service_from_code(code) for code in codes]
        if None in services:
            raise exceptions.ValidationError(_("service_code: not a service of ours."))
        matches = Q(pk__in=[])
        for category, subcategory in services:
            matches |= Q(category=category, subcategory=subcategory)
        incidents = incidents.filter(matches)
    start = _datetime(params, "start_date")
    end = _datetime(params, "end_date")
    if start is None and end is None:
        start = timezone.now() - georeport.DEFAULT_SPAN
    if start is not None:
        incidents = incidents.filter(reported_at__gte=start)
    if end is not None:
        incidents = incidents.filter(reported_at__lte=end)
    wanted = [value for value in params.get("status", "").split(",") if value]
    if wanted:
        if not set(wanted) <= {georeport.OPEN, georeport.CLOSED}:
            raise exceptions.ValidationError(_("status: open or closed."))
        incidents = incidents.filter(status__in=georeport.statuses_for(wanted))
    return incidents


def _datetime(params, name: str):
    raw = params.get(name)
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        raise exceptions.ValidationError(
            _("%(name)s: an ISO 8601 date and time with its offset, e.g. %(example)s.")
            % {"name": name, "example": "2026-11-01T00:00:00+08:00"}
        )
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _integers(text: str, name: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise exceptions.ValidationError(
            _("%(name)s: comma-separated numbers.") % {"name": name}
        ) from exc


def _service_name(service: tuple[str, str]) -> str:
    return str(Subcategory(service[1]).label)


def _messages(data) -> list[str]:
    """Every message in a DRF error body, flattened, each prefixed with its field."""
    if isinstance(data, dict):
        messages = []
        for key, value in data.items():
            for message in _messages(value):
                messages.append(
                    message if key in ("detail", "non_field_errors") else f"{key}: {message}"
                )
        return messages
    if isinstance(data, list):
        return [message for item in data for message in _messages(item)]
    return [str(data)]
