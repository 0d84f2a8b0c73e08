"""Camera coverage over HTTP: sectors, area coverage, blind spots, site suggestions, a map.

Camera sites are never public: every endpoint asks the access policy whether the request may
read the cameras layer (401 without a credential, 403 without the right), and an area-limited
credential may only ask about areas it sees.
"""

import json
import math
from datetime import datetime, time, timedelta

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPoint
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from layers.access import policy
from layers.areas.models import AdminArea, division_prefix
from layers.cameras.models import CameraSite, CameraStatus
from layers.common.api import request_crs
from layers.common.geometry import GeometryProblem, geojson_problem, geometry_to_storage
from layers.common.maps import map_page_response
from layers.coverage import analysis, constants
from layers.coverage.maps import coverage_map_html
from layers.coverage.selectors import sector_collection
from layers.coverage.suggestions import (
    Candidate,
    SuggestionQuery,
    candidate_points,
    site_suggestions,
)
from layers.coverage.tasks import SUGGESTIONS_JOB_KIND, site_suggestions_enqueue
from layers.heatmaps.hotspots import MIN_HEX_SIZE_M
from layers.heatmaps.selection import InvalidParameters, TooFewIncidents, parse_selection
from layers.jobs.models import JobRun
from layers.jobs.services import job_state
from layers.keysites.models import KeySiteKind

DEFAULT_WINDOW = timedelta(days=365)
CAMERAS = "cameras"


class CameraCoveragePermission(BasePermission):
    """Coverage shows where cameras are and what they see: the cameras layer's read right."""

    def has_permission(self, request, view):
        return policy.read_refusal(request, CAMERAS) is None


class CoverageView(APIView):
    permission_classes = [CameraCoveragePermission]
    cell_parameter = "cell"

    def params(self):
        return self.request.query_params

    def handle_exception(self, exc):
        """The hot-spot analysis refuses too few incidents (409: the data, not the request, is
        short) and too many hexagons (400 on the cell size)."""
        if isinstance(exc, TooFewIncidents):
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, InvalidParameters):
            errors = {
                (self.cell_parameter if name == "size" else name): [message]
                for name, message in exc.errors.items()
            }
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)

    def weights(self) -> str:
        weights = self.params().get("weights", "incidents")
        if not isinstance(weights, str) or weights not in analysis.WEIGHT_SOURCES:
            raise ValidationError(
                {"weights": [_("weights is one of: %s.") % ", ".join(analysis.WEIGHT_SOURCES)]}
            )
        return weights

    def check_hot_spot_cell(self, weights: str, cell: float) -> None:
        if weights == "hotspots" and cell < MIN_HEX_SIZE_M:
            raise ValidationError(
                {
                    self.cell_parameter: [
                        _("Hot-spot hexagons have an edge of at least %(min)g m.")
                        % {"min": MIN_HEX_SIZE_M}
                    ]
                }
            )

    def hot_spots_outside(self, area: AdminArea, window: analysis.Window, cell: float):
        """Hot spots of the incidents this request may count that no active camera sees."""
        selection = parse_selection(
            self.request,
            {"area": area.code, "from": window.since.isoformat(), "to": window.until.isoformat()},
        )
        return analysis.blind_hot_spots(area, selection, cell)

    def parsed(self, **parsers) -> dict:
        """Each parameter parsed by its parser; a 400 naming every bad one, not just the first."""
        values, errors = {}, {}
        for name, parse in parsers.items():
            try:
                values[name] = parse()
            except ValidationError as exc:
                errors.update(exc.detail)
        if errors:
            raise ValidationError(errors)
        return values

    def area(self, required: bool = True) -> AdminArea | None:
        code = self.params().get("area")
        if not code:
            if required:
                raise ValidationError({"area": [_("Give the division code of an area.")]})
            return None
        try:
            division_prefix(str(code))
            area = AdminArea.objects.get(code=str(code).ljust(12, "0"))
        except (ValueError, AdminArea.DoesNotExist):
            raise ValidationError(
                {"area": [_("No administrative area has code %(code)s.") % {"code": code}]}
            ) from None
        if not policy.visible(self.request, "areas", AdminArea.objects.filter(pk=area.pk)).exists():
            raise PermissionDenied(_("This credential may not see area %(code)s.") % {"code": code})
        return area

    def window(self) -> analysis.Window:
        given = self.parsed(
            since=lambda: self._datetime("from"), until=lambda: self._datetime("to")
        )
        until = given["until"] or timezone.now()
        since = given["since"] or until - DEFAULT_WINDOW
        if since >= until:
            raise ValidationError({"from": [_("from must be earlier than to.")]})
        return analysis.Window(since, until)

    def number(self, name: str, default: float, low: float, high: float) -> float:
        raw = self.params().get(name, default)
        try:
            if isinstance(raw, bool):
                raise TypeError(name)
            value = float(raw)
        except (TypeError, ValueError):
            value = math.nan
        if not low <= value <= high:  # NaN fails too
            raise ValidationError(
                {
                    name: [
                        _("%(name)s must be a number from %(low)g to %(high)g.")
                        % {"name": name, "low": low, "high": high}
                    ]
                }
            )
        return value

    def cell_side(self) -> float:
        return self.number(
            "cell",
            constants.DEFAULT_CELL_SIDE_M,
            constants.MIN_CELL_SIDE_M,
            constants.MAX_CELL_SIDE_M,
        )

    def _datetime(self, name: str) -> datetime | None:
        text = self.params().get(name)
        if not text:
            return None
        try:
            value = parse_datetime(str(text))
            if value is None:
                day = parse_date(str(text))
                value = day and datetime.combine(day, time.min)
        except (ValueError, TypeError):
            value = None
        if value is None:
            raise ValidationError({name: [_("Not an ISO 8601 date or date and time.")]})
        return value if timezone.is_aware(value) else timezone.make_aware(value)

    def cameras(self, area: AdminArea | None):
        cameras = policy.visible(self.request, CAMERAS, CameraSite.objects.all())
        if area is not None:
            cameras = cameras.filter(area__code__startswith=area.code_prefix)
        return cameras


class SectorsView(CoverageView):
    """GET: the view sector of each camera (visible ground, shadows removed) as GeoJSON."""

    def get(self, request):
        cameras = self.cameras(self.area(required=False))
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in CameraStatus.values:
                raise ValidationError({"status": [_("Not a camera status: %s") % wanted]})
            cameras = cameras.filter(status=wanted)
        return Response(sector_collection(cameras), content_type="application/geo+json")


class AreaCoverageView(CoverageView):
    """GET: coverage of each grid or village under an area: area, key sites, incidents."""

    def level(self) -> str:
        level = self.params().get("level", "village")
        if level not in analysis.LEVELS:
            raise ValidationError({"level": [_("level is grid or village.")]})
        return level

    def get(self, request):
        given = self.parsed(level=self.level, area=self.area, window=self.window)
        level, area, window = given["level"], given["area"], given["window"]
        rows = analysis.area_coverage(area, level, window)
        return Response(
            {
                "type": "FeatureCollection",
                "area": area.code,
                "level": level,
                "from": window.since.isoformat(),
                "to": window.until.isoformat(),
                "table": [row.as_row() for row in rows],
                "features": [
                    {"type": "Feature", "geometry": row.geometry, "properties": row.as_row()}
                    for row in rows
                ],
            },
            content_type="application/geo+json",
        )


class BlindSpotsView(CoverageView):
    """GET: key sites no camera sees and incident cells outside coverage, with their weight;
    with `weights=hotspots`, the cells are the hot spots (Gi*) outside coverage instead."""

    def kinds(self) -> list[str] | None:
        if not self.params().get("kind"):
            return None
        kinds = self.params()["kind"].split(",")
        unknown = sorted(set(kinds) - set(KeySiteKind.values))
        if unknown:
            raise ValidationError({"kind": [_("Not a key site kind: %s") % ", ".join(unknown)]})
        return kinds

    def get(self, request):
        given = self.parsed(
            area=self.area,
            window=self.window,
            cell=self.cell_side,
            kinds=self.kinds,
            weights=self.weights,
        )
        area, window, kinds, weights = (given[k] for k in ("area", "window", "kinds", "weights"))
        self.check_hot_spot_cell(weights, given["cell"])
        sites = analysis.blind_key_sites(area, kinds)
        if weights == "hotspots":
            cells = self.hot_spots_outside(area, window, given["cell"])
        else:
            cells = analysis.blind_cells(area, window, given["cell"])
        return Response(
            {
                "type": "FeatureCollection",
                "area": area.code,
                "from": window.since.isoformat(),
                "to": window.until.isoformat(),
                "weights": weights,
                "key_sites": len(sites),
                "cells": len(cells),
                "uncovered_weight": sum(c["properties"]["weight"] for c in cells),
                "features": sites + cells,
            },
            content_type="application/geo+json",
        )


class CoverageMapView(CoverageView):
    """GET: the coverage picture of an area, a folium map (HTML) that works offline; with
    `job=<id>`, the sites a finished suggestion job chose are drawn on it too; with
    `weights=hotspots`, the hot spots outside coverage."""

    def suggested(self) -> list[dict]:
        job_id = self.params().get("job")
        if not job_id:
            return []
        job = JobRun.objects.filter(
            pk=int(job_id) if str(job_id).isdigit() else 0, kind=SUGGESTIONS_JOB_KIND
        ).first()
        if job is None or not job.result:
            raise ValidationError({"job": [_("No finished site-suggestion job %s.") % job_id]})
        return job.result["features"]

    def get(self, request):
        given = self.parsed(
            area=self.area,
            window=self.window,
            cell=self.cell_side,
            suggested=self.suggested,
            weights=self.weights,
        )
        area, window = given["area"], given["window"]
        self.check_hot_spot_cell(given["weights"], given["cell"])
        hot_spots = (
            self.hot_spots_outside(area, window, given["cell"])
            if given["weights"] == "hotspots"
            else None
        )
        rows = analysis.area_coverage(area, "village", window)
        west, south, east, north = area.geom.extent
        html = coverage_map_html(
            bounds=(west, south, east, north),
            areas={
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": r.geometry, "properties": r.as_row()}
                    for r in rows
                ],
            },
            sectors=sector_collection(self.cameras(area)),
            blind_key_sites=analysis.blind_key_sites(area),
            blind_cells=[]
            if hot_spots is not None
            else analysis.blind_cells(area, window, given["cell"]),
            blind_hot_spots=hot_spots,
            suggested=given["suggested"],
        )
        return map_page_response(html)


class SuggestionsView(CoverageView):
    """POST: k new camera sites by greedy maximum coverage of uncovered weight: incidents, or
    with `"weights": "hotspots"` the incidents of hot-spot hexagons only.

    Small runs answer at once (200); larger ones, or `"background": true`, go to the job
    worker (202 with the job to follow at /api/v1/coverage/suggestions/<job>/).
    """

    cell_parameter = "cell_side_m"

    def params(self):
        if not isinstance(self.request.data, dict):
            raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        return self.request.data

    def cell_side(self) -> float:
        return self.number(
            "cell_side_m",
            constants.DEFAULT_CELL_SIDE_M,
            constants.MIN_CELL_SIDE_M,
            constants.MAX_CELL_SIDE_M,
        )

    def k(self) -> int:
        k = self.params().get("k")
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= constants.MAX_K:
            raise ValidationError(
                {"k": [_("k must be an integer from 1 to %d.") % constants.MAX_K]}
            )
        return k

    def azimuths(self) -> tuple[float, ...]:
        azimuths = self.params().get("azimuths", list(constants.DEFAULT_AZIMUTHS))
        if (
            not isinstance(azimuths, list)
            or not 1 <= len(azimuths) <= 36
            or not all(
                isinstance(a, int | float) and not isinstance(a, bool) and 0 <= a < 360
                for a in azimuths
            )
        ):
            raise ValidationError(
                {"azimuths": [_("azimuths is a list of 1 to 36 angles in [0, 360).")]}
            )
        return tuple(float(a) for a in azimuths)

    def flag(self, name: str, default: bool):
        def parse() -> bool:
            value = self.params().get(name, default)
            if not isinstance(value, bool):
                raise ValidationError({name: [_("%s is true or false.") % name]})
            return value

        return parse

    def post(self, request):
        given = self.parsed(
            area=self.area,
            window=self.window,
            k=self.k,
            azimuths=self.azimuths,
            cell=self.cell_side,
            field_of_view=lambda: self.number(
                "field_of_view", constants.DEFAULT_FIELD_OF_VIEW, 1, 360
            ),
            range_m=lambda: self.number("range_m", constants.DEFAULT_RANGE_M, 1, 5000),
            road_spacing_m=lambda: self.number(
                "road_spacing_m",
                constants.DEFAULT_ROAD_SPACING_M,
                constants.MIN_ROAD_SPACING_M,
                100_000,
            ),
            key_sites=self.flag("key_sites", True),
            background=self.flag("background", False),
            candidates=self._candidates,
            weights=self.weights,
        )
        area, window, background = given["area"], given["window"], given["background"]
        self.check_hot_spot_cell(given["weights"], given["cell"])
        query = SuggestionQuery(
            area_code=area.code,
            k=given["k"],
            since=window.since,
            until=window.until,
            cell_side_m=given["cell"],
            azimuths=given["azimuths"],
            field_of_view=given["field_of_view"],
            range_m=given["range_m"],
            road_spacing_m=given["road_spacing_m"],
            key_sites=given["key_sites"],
            candidates=given["candidates"],
            weights=given["weights"],
        )
        if not background:
            count = (
                len(query.candidates)
                if query.candidates is not None
                else len(
                    candidate_points(
                        area, road_spacing_m=query.road_spacing_m, key_sites=query.key_sites
                    )
                )
            )
            background = count * len(query.azimuths) > constants.MAX_SYNC_OPTIONS
        if background:
            job = site_suggestions_enqueue(
                query=query, user=request.user if request.user.is_authenticated else None
            )
            return Response(job_body(request, job), status=status.HTTP_202_ACCEPTED)
        return Response(site_suggestions(query), content_type="application/geo+json")

    def _candidates(self) -> tuple[Candidate, ...] | None:
        given = self.params().get("candidates")
        if given is None:
            return None
        if isinstance(given, dict) and given.get("type") == "FeatureCollection":
            geometries = [
                f.get("geometry") for f in given.get("features") or [] if isinstance(f, dict)
            ]
        elif isinstance(given, dict) and given.get("type") == "Feature":
            geometries = [given.get("geometry")]
        else:
            geometries = [given]
        points = []
        try:
            for geometry in geometries:
                problem = geojson_problem(geometry)
                if problem:
                    raise GeometryProblem(_("Not a GeoJSON geometry: %s") % problem)
                parsed = GEOSGeometry(json.dumps(geometry))
                if parsed.geom_type == "Point":
                    points.append(parsed)
                elif parsed.geom_type == "MultiPoint":
                    points.extend(parsed)
                else:
                    raise GeometryProblem(_("Candidates are points, not %s.") % parsed.geom_type)
            if not points or len(points) > constants.MAX_CANDIDATES:
                raise GeometryProblem(
                    _("Give 1 to %d candidate points.") % constants.MAX_CANDIDATES
                )
            stored = geometry_to_storage(
                MultiPoint(points, srid=points[0].srid), request_crs(self.request), "MultiPoint"
            )
        except (GEOSException, GDALException, GeometryProblem, ValueError, TypeError) as exc:
            raise ValidationError({"candidates": [str(exc)]}) from exc
        return tuple(Candidate(p.x, p.y, "given", str(n)) for n, p in enumerate(stored, 1))


class SuggestionJobView(CoverageView):
    """GET: a queued suggestion run: its status, progress and, once done, the chosen sites."""

    def get(self, request, job_id: int):
        try:
            job = JobRun.objects.get(pk=job_id, kind=SUGGESTIONS_JOB_KIND)
        except JobRun.DoesNotExist:
            raise NotFound(_("No site-suggestion job %(id)s.") % {"id": job_id}) from None
        if not policy.visible(
            request, "areas", AdminArea.objects.filter(code=job.parameters.get("area_code"))
        ).exists():
            raise PermissionDenied(_("This credential may not see that job's area."))
        return Response(job_body(request, job))


def job_body(request, job: JobRun) -> dict:
    return job_state(job, request.build_absolute_uri(f"/api/v1/coverage/suggestions/{job.pk}/"))
