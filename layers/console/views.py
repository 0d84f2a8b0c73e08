"""The web console: the map and the incidents, the dashboard, the disputes, grid balancing.

The pages are shells; everything they show comes from the public APIs (REST, tiles), so the
console sees exactly what the access policy lets the logged-in user see.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.gis.db.models import Extent
from django.shortcuts import render

from layers.access import policy
from layers.areas.models import AdminArea, AreaLevel
from layers.balancing.models import PlanStatus
from layers.disputes.choices import CaseKind, CaseStatus
from layers.grids.models import Grid
from layers.incidents.choices import (
    ALLOWED_FROM,
    AttachmentKind,
    Category,
    Level,
    Priority,
    RejectionReason,
    Status,
)
from layers.incidents.models import DepartmentMember
from layers.incidents.services import CHANGE_PERMISSION
from layers.tiles.specs import LAYERS as TILE_LAYERS

# The areas offered in the area filter: counties and townships (villages are found on the map).
FILTER_AREA_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP)


def console_config(request) -> dict:
    """What the page scripts need to know that the APIs do not say: choices, role, settings."""
    user = request.user
    areas = list(
        AdminArea.objects.filter(level__in=FILTER_AREA_LEVELS)
        .order_by("code")
        .values("code", "name", "level", "parent__code")
    )
    top_level = min((area["level"] for area in areas), default=None)
    top_codes = [area["code"] for area in areas if area["level"] == top_level]
    extent = AdminArea.objects.filter(code__in=top_codes).aggregate(extent=Extent("geom"))["extent"]
    return {
        "basemapUrl": settings.GISGOV_BASEMAP_URL,
        "center": list(settings.GISGOV_MAP_CENTER),
        "extent": list(extent) if extent else None,
        "clusterBelowZoom": settings.GISGOV_TILES_CLUSTER_BELOW_ZOOM,
        "tileLayers": {
            name: {"minzoom": spec.minzoom, "maxzoom": spec.maxzoom}
            for name, spec in TILE_LAYERS.items()
            if policy.can_read(request, name)
        },
        "areas": [
            {"code": a["code"], "name": a["name"], "level": a["level"], "parent": a["parent__code"]}
            for a in areas
        ],
        "topAreas": top_codes,
        "categories": dict(Category.choices),
        "statuses": dict(Status.choices),
        "priorities": dict(Priority.choices),
        "levels": {str(value): label for value, label in Level.choices},
        "rejectionReasons": dict(RejectionReason.choices),
        "attachmentKinds": dict(AttachmentKind.choices),
        "allowedFrom": {str(action): sorted(ALLOWED_FROM[action]) for action in ALLOWED_FROM},
        "user": {
            "id": user.pk,
            "username": user.get_username(),
            "supervisor": user.has_perm(CHANGE_PERMISSION),
            "departments": list(
                DepartmentMember.objects.filter(user=user).values_list("department_id", flat=True)
            ),
        },
    }


@login_required
def console(request):
    return render(
        request,
        "console/console.html",
        {"config": console_config(request), "view_name": "map"},
    )


@login_required
def dashboard(request):
    return render(
        request,
        "console/dashboard.html",
        {"config": console_config(request), "view_name": "dashboard"},
    )


@login_required
def disputes(request):
    return render(
        request,
        "console/disputes.html",
        {
            "config": {
                **console_config(request),
                "caseKinds": dict(CaseKind.choices),
                "caseStatuses": dict(CaseStatus.choices),
            },
            "view_name": "disputes",
        },
    )


@login_required
def balancing(request):
    villages = (
        policy.visible(request, "areas", AdminArea.objects.filter(level=AreaLevel.VILLAGE))
        .order_by("code")
        .values("code", "name", "parent__name")
    )
    return render(
        request,
        "console/balancing.html",
        {
            "config": {
                **console_config(request),
                "villages": [
                    {"code": v["code"], "name": v["name"], "township": v["parent__name"]}
                    for v in villages
                ],
                # Making, applying and discarding plans is changing grids (the API's rule).
                "planStatuses": dict(PlanStatus.choices),
                "canChangeGrids": policy.can_write(request, "grids", Grid, "PUT"),
            },
            "view_name": "balancing",
        },
    )
