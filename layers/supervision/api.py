"""HTTP for the supervision analytics: summary, ranking and overdue list, as JSON or CSV."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from layers.access import policy
from layers.access.permissions import LayerPermission
from layers.areas.models import AdminArea, division_prefix
from layers.common.parameters import integer_in_range
from layers.grids.models import Grid
from layers.incidents.choices import Category, Status
from layers.incidents.models import Incident
from layers.supervision.analytics import (
    GROUPINGS,
    PERIODS,
    RANKING_DESCENDING,
    UNIT_LEVELS,
    IncidentFilters,
    Scope,
    overdue_incidents,
    supervision_ranking,
    supervision_summary,
)
from layers.supervision.renderers import CSVRenderer

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 10**9
RANKING_LEVELS = ("county", "township", "village", "grid")
MAX_PERIOD_BUCKETS = 3660
PERIOD_DAYS = {"day": 1, "week": 7, "month": 28}


def _parameter(name: str, description: str, enum=None, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, str, description=description, enum=enum, **kwargs)


FILTER_PARAMETERS = [
    _parameter("from", "First day reported (YYYY-MM-DD, local time), included"),
    _parameter("to", "Last day reported (YYYY-MM-DD, local time), included"),
    _parameter("category", "Categories, comma-separated or repeated", enum=Category.values),
    _parameter("status", "Statuses, comma-separated or repeated", enum=Status.values),
    _parameter("area", "Division code at any level (12 digits, or its first 2, 4, 6 or 9)"),
    _parameter("format", "csv for a CSV download", enum=["json", "csv"]),
]


class ReadsOnly(LayerPermission):
    """Reads are the layer's to allow; any other method goes on to its 405."""

    def has_permission(self, request, view):
        return request.method not in SAFE_METHODS or super().has_permission(request, view)


class SupervisionView(APIView):
    """Reads of the incidents layer: the access policy decides who may, and what they see."""

    layer = "incidents"
    permission_classes = [ReadsOnly]
    renderer_classes = [JSONRenderer, CSVRenderer]
    csv_name = "supervision"

    def finalize_response(self, request, response, *args, **kwargs):
        # A refusal is read by a person or a script, not by Excel: it stays JSON.
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and renderer and renderer.format == "csv":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code < 400 and request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = f'attachment; filename="{self.csv_name}.csv"'
        return response

    def is_csv(self) -> bool:
        return self.request.accepted_renderer.format == "csv"

    def scope(self) -> Scope:
        return Scope(
            incidents=policy.visible(self.request, "incidents", Incident.objects.all()),
            areas=policy.visible(self.request, "areas", AdminArea.objects.all()),
            grids=policy.visible(self.request, "grids", Grid.objects.all()),
        )

    def filters(self) -> IncidentFilters:
        params = self.request.query_params
        first_day = _day(params, "from")
        last_day = _day(params, "to")
        if first_day and last_day and last_day < first_day:
            raise ValidationError({"to": [_("The last day comes before the first day.")]})
        area = params.get("area") or None
        if area is not None:
            try:
                division_prefix(area)
            except ValueError as exc:
                raise ValidationError({"area": [str(exc)]}) from exc
        return IncidentFilters(
            first_day=first_day,
            last_day=last_day,
            categories=_choices(params, "category", Category),
            statuses=_choices(params, "status", Status),
            area=area,
        )


class SummaryView(SupervisionView):
    """Counts, on-time completion, handling time, overdue and satisfaction by one grouping."""

    @extend_schema(
        parameters=[
            _parameter("group_by", "What a row is", enum=GROUPINGS, required=True),
            _parameter("level", "Unit of group_by=area", enum=tuple(UNIT_LEVELS)),
            _parameter("period", "Bucket of group_by=period", enum=PERIODS),
            *FILTER_PARAMETERS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        group_by = _one_of(request.query_params, "group_by", GROUPINGS, default=None)
        level = _one_of(request.query_params, "level", tuple(UNIT_LEVELS), default="township")
        period = _one_of(request.query_params, "period", PERIODS, default="month")
        filters = self.filters()
        if group_by == "period":
            _check_bucket_count(filters, period)
        rows = supervision_summary(
            group_by=group_by, level=level, period=period, filters=filters, scope=self.scope()
        )
        self.csv_name = f"supervision-{group_by}"
        return Response({"group_by": group_by, "results": rows})


class RankingView(SupervisionView):
    """Counties, townships or grids ranked on one metric."""

    @extend_schema(
        parameters=[
            _parameter("level", "Units ranked", enum=RANKING_LEVELS, required=True),
            _parameter("metric", "Ranked on", enum=tuple(RANKING_DESCENDING), required=True),
            *FILTER_PARAMETERS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        level = _one_of(request.query_params, "level", RANKING_LEVELS, default=None)
        metric = _one_of(request.query_params, "metric", tuple(RANKING_DESCENDING), default=None)
        rows = supervision_ranking(
            level=level, metric=metric, filters=self.filters(), scope=self.scope()
        )
        self.csv_name = f"supervision-ranking-{level}-{metric}"
        return Response({"level": level, "metric": metric, "results": rows})


class OverdueView(SupervisionView):
    """Open incidents past their deadline, longest overdue first, a page at a time (CSV: all)."""

    csv_name = "supervision-overdue"

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, description=f"Page size, at most {MAX_LIMIT}"),
            OpenApiParameter("offset", int, description="Rows skipped"),
            *FILTER_PARAMETERS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        filters = self.filters()
        limit = _count(request.query_params, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
        offset = _count(request.query_params, "offset", 0, minimum=0, maximum=MAX_OFFSET)
        if self.is_csv():  # an export is the whole list
            count, rows = overdue_incidents(filters=filters, scope=self.scope())
            return Response({"count": count, "results": rows})
        count, rows = overdue_incidents(
            filters=filters, scope=self.scope(), limit=limit, offset=offset
        )
        url = request.build_absolute_uri()
        following = replace_query_param(url, "offset", offset + limit)
        previous = None
        if offset > 0:
            previous = replace_query_param(url, "offset", max(offset - limit, 0))
            if offset - limit <= 0:
                previous = remove_query_param(previous, "offset")
        return Response(
            {
                "count": count,
                "next": following if offset + limit < count else None,
                "previous": previous,
                "results": rows,
            }
        )


def _check_bucket_count(filters: IncidentFilters, period: str) -> None:
    """Every bucket from the first day on is listed: refuse a range that would list too many."""
    if filters.first_day is None:
        return  # the buckets start at the first incident
    last_day = filters.last_day or timezone.localdate()
    buckets = (last_day - filters.first_day).days // PERIOD_DAYS[period]
    if buckets > MAX_PERIOD_BUCKETS:
        raise ValidationError(
            {
                "period": [
                    _("%(count)d buckets is too many (at most %(max)d): narrow from/to.")
                    % {"count": buckets, "max": MAX_PERIOD_BUCKETS}
                ]
            }
        )


def _day(params, name: str) -> date | None:
    text = params.get(name)
    if not text:
        return None
    try:
        if len(text) == 10:  # fromisoformat would also take 20261101 or week dates
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ValidationError({name: [_("Not a date (YYYY-MM-DD): %(text)r") % {"text": text}]})


def _choices(params, name: str, choices) -> tuple[str, ...]:
    """Values of a choice parameter, repeated or separated by commas."""
    values = [value for raw in params.getlist(name) for value in raw.split(",") if value]
    unknown = [value for value in values if value not in choices.values]
    if unknown:
        raise ValidationError(
            {
                name: [
                    _("Unknown value %(value)r; one of: %(choices)s")
                    % {"value": unknown[0], "choices": ", ".join(choices.values)}
                ]
            }
        )
    return tuple(dict.fromkeys(values))


def _one_of(params, name: str, allowed: tuple[str, ...], default: str | None) -> str:
    value = params.get(name) or default
    if value is None:
        raise ValidationError({name: [_("Required; one of: %s") % ", ".join(allowed)]})
    if value not in allowed:
        raise ValidationError(
            {
                name: [
                    _("Unknown value %(value)r; one of: %(choices)s")
                    % {"value": value, "choices": ", ".join(allowed)}
                ]
            }
        )
    return value


def _count(params, name: str, default: int, *, minimum: int, maximum: int) -> int:
    try:
        return integer_in_range(
            name, params.get(name), default=default, minimum=minimum, maximum=maximum
        )
    except ValueError as exc:
        raise ValidationError({name: [str(exc)]}) from None
