"""Balancing plans over HTTP: create (inline, or queued for large parents), list, read, diff,
apply and discard. Thin: the work is in layers.balancing.services."""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import JSONRenderer, StaticHTMLRenderer
from rest_framework.response import Response

from layers.access import policy
from layers.areas.models import AdminArea, code_prefix
from layers.balancing.maps import plan_diff_map_html
from layers.balancing.models import Plan, TargetKind
from layers.balancing.services import (
    PlanRefused,
    grid_plan_apply,
    grid_plan_create,
    grid_plan_discard,
    plan_diff,
)
from layers.balancing.tasks import grid_plan_enqueue
from layers.buildings.models import Building
from layers.common.maps import map_page_response
from layers.grids.models import Grid
from layers.grids.topology import TopologyViolation

LAYER = "grids"


class PlanPermission(BasePermission):
    """Plans are drafts of grids: read by signed-in readers of grids, made by grid editors."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return policy.can_read(request, LAYER)
        return policy.can_write(request, LAYER, Grid, "PUT")


def _plan_json(plan: Plan, with_grids: bool = False) -> dict:
    data = {
        "id": plan.pk,
        "parent": plan.parent.code,
        "target_kind": plan.target_kind,
        "target_value": plan.target_value,
        "from_current": plan.from_current,
        "weights": plan.weights,
        "status": plan.status,
        "summary": plan.summary,
        "created_by": plan.created_by.get_username() if plan.created_by else None,
        "created_at": plan.created_at,
        "decided_by": plan.decided_by.get_username() if plan.decided_by else None,
        "decided_at": plan.decided_at,
    }
    if with_grids:
        data["grids"] = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": grid.pk,
                    "geometry": json.loads(grid.geom.geojson),
                    "properties": {
                        "code": grid.code,
                        "village": grid.village.code,
                        "households": grid.households,
                        "workload": round(grid.workload, 2),
                        "created_grid": grid.created_grid_id,
                    },
                }
                for grid in plan.grids.select_related("village")
            ],
        }
    return data


class PlanViewSet(viewsets.ViewSet):
    permission_classes = [PlanPermission]

    def _visible_plans(self):
        # A plan shows grid workloads (incident counts) and proposes grid changes: it is for
        # the areas the person's role and token cover, as grid workload is, although the
        # areas themselves are public.
        areas = policy.changeable(self.request, "areas", AdminArea.objects.all())
        return Plan.objects.filter(parent__in=areas).select_related(
            "parent", "created_by", "decided_by"
        )

    def _plan(self, pk) -> Plan:
        try:
            return self._visible_plans().get(pk=int(pk))
        except (Plan.DoesNotExist, ValueError):
            raise NotFound(_("No plan %(id)s.") % {"id": pk}) from None

    def list(self, request):
        plans = self._visible_plans()
        for name in ("status", "parent"):
            value = request.query_params.get(name)
            if value:
                plans = plans.filter(**{"parent__code" if name == "parent" else name: value})
        return Response([_plan_json(plan) for plan in plans[:500]])

    def retrieve(self, request, pk=None):
        return Response(_plan_json(self._plan(pk), with_grids=True))

    def create(self, request):
        parameters, parent = self._parameters(request.data)
        buildings = Building.objects.filter(area__code__startswith=code_prefix(parent.code))
        queued = request.data.get("queue")
        if queued is None:
            queued = buildings.count() > settings.GISGOV_BALANCING_INLINE_BUILDINGS
        if queued:
            job = grid_plan_enqueue(parent=parent, parameters=parameters, user=request.user)
            return Response(
                {"job": job.pk, "status": job.status, "kind": job.kind},
                status=status.HTTP_202_ACCEPTED,
            )
        try:
            plan = grid_plan_create(parent=parent, user=request.user, **parameters)
        except PlanRefused as refused:
            raise ValidationError({"detail": str(refused)}) from refused
        return Response(_plan_json(plan, with_grids=True), status=status.HTTP_201_CREATED)

    def _parameters(self, data) -> tuple[dict, AdminArea]:
        if not isinstance(data, dict):
            raise ValidationError({"detail": _("Send a JSON object.")})
        code = data.get("parent")
        parent = AdminArea.objects.filter(code=code).first() if isinstance(code, str) else None
        if parent is None:
            raise ValidationError({"parent": [_("Give the division code of a village or town.")]})
        if not policy.area_in_scope(self.request, parent):
            raise PermissionDenied(_("%(code)s is outside your area.") % {"code": parent.code})
        target_kind = data.get("target_kind", TargetKind.WORKLOAD)
        if target_kind not in TargetKind.values:
            raise ValidationError({"target_kind": [_("Either 'grids' or 'workload'.")]})
        try:
            target_value = float(data.get("target_value"))
        except (TypeError, ValueError):
            target_value = 0.0
        if not target_value > 0 or target_value != target_value or target_value == float("inf"):
            raise ValidationError({"target_value": [_("A positive number.")]})
        weights = data.get("weights") or {}
        if not isinstance(weights, dict):
            raise ValidationError({"weights": [_("An object of workload weights.")]})
        from_current = data.get("from_current", False)
        if not isinstance(from_current, bool):
            raise ValidationError({"from_current": [_("true or false.")]})
        return {
            "target_kind": target_kind,
            "target_value": target_value,
            "weights": weights,
            "from_current": from_current,
        }, parent

    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, StaticHTMLRenderer])
    def diff(self, request, pk=None):
        """Moved buildings and households per grid before and after; ?format=html as a map."""
        plan = self._plan(pk)
        diff = plan_diff(plan)
        if request.accepted_renderer.format == "html":
            return map_page_response(plan_diff_map_html(plan, diff))
        return Response(diff)

    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        plan = self._plan(pk)
        try:
            plan = grid_plan_apply(plan=plan, user=request.user)
        except PlanRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        except TopologyViolation as violation:
            return Response(
                {
                    "detail": str(violation),
                    "problems": {
                        "type": "FeatureCollection",
                        "features": [problem.as_feature() for problem in violation.problems],
                    },
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(_plan_json(plan))

    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        plan = self._plan(pk)
        try:
            plan = grid_plan_discard(plan=plan, user=request.user)
        except PlanRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        return Response(_plan_json(plan))
