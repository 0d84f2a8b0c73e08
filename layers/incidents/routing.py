"""Which department an incident goes to (分流), and which reports may describe the same thing.

Routing precedence, decided: the deeper place wins first — a grid's rule over a village's over a
township's over a county's — and only at the same place does a rule for the incident's category
beat a rule for every category. So a village-wide rule outranks a township's rule for the
category: the people closest to the incident know it best ("小事不出网格"). With no rule, the
incident goes to the township of its grid: its governance centre (综治中心), or else its first
department.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from layers.areas.models import AdminArea, AreaLevel
from layers.common.sql import template
from layers.departments.models import Department, DepartmentKind
from layers.incidents.choices import Status
from layers.incidents.models import Incident, RoutingRule

# How deep each kind of place lies; a grid is inside a village.
GRID_DEPTH = AreaLevel.VILLAGE + 1
METRES_PER_DEGREE = 111_320


@dataclass(frozen=True)
class Route:
    """The department proposed for an incident and why: the rule that matched, or the default."""

    department: Department | None
    rule: RoutingRule | None

    @property
    def reason(self) -> str:
        if self.rule is not None:
            return _("routing rule: %(rule)s") % {"rule": self.rule}
        if self.department is not None:
            return _("default: the township of the incident's grid")
        return _("no rule and no township department for this place")


def incident_route(incident: Incident) -> Route:
    """The department an incident should be dispatched to (a proposal: dispatch may override)."""
    # Read afresh: the grid and village are assigned by the database.
    incident = Incident.objects.select_related("grid__village", "area").get(pk=incident.pk)
    areas = _areas_around(incident)
    rules = (
        RoutingRule.objects.filter(category__in=[incident.category, ""])
        .filter(_rule_places(incident, areas))
        .select_related("area", "grid", "department")
    )
    best = max(rules, key=_specificity, default=None)
    if best is not None:
        return Route(department=best.department, rule=best)
    township = next((area for area in areas if area.level == AreaLevel.TOWNSHIP), None)
    if township is None:
        return Route(department=None, rule=None)
    departments = Department.objects.filter(area=township).order_by("id")
    # The governance centre first: it is the township's dispatcher.
    department = (
        departments.filter(kind=DepartmentKind.GOVERNANCE_CENTRE).first() or departments.first()
    )
    return Route(department=department, rule=None)


def incident_duplicate_candidates(incident: Incident) -> list[tuple[Incident, float]]:
    """Reports of the same category near the incident in place and time, nearest first.

    "Near" is settings.GISGOV_DUPLICATE_DISTANCE_M metres (on the ellipsoid) and
    GISGOV_DUPLICATE_WINDOW_HOURS hours either side. Rejected reports are left out; merged ones
    too (their primary is the candidate). Returns (incident, distance in metres) pairs.
    """
    distance_m = settings.GISGOV_DUPLICATE_DISTANCE_M
    window = timedelta(hours=settings.GISGOV_DUPLICATE_WINDOW_HOURS)
    with connection.cursor() as cursor:
        cursor.execute(
            template("incidents", "duplicate_candidates"),
            {
                "id": incident.pk,
                "distance_m": distance_m,
                "degrees": _degrees_covering(distance_m, incident.location.y),
                "window": window,
                "rejected": Status.REJECTED,
            },
        )
        found = dict(cursor.fetchall())
    incidents = Incident.objects.in_bulk(list(found))
    return [(incidents[pk], distance) for pk, distance in found.items()]


def _degrees_covering(distance_m: float, latitude: float) -> float:
    """A box half-width in degrees that surely holds every point within distance_m: the
    bounding-box test uses the geometry index, the exact test on the ellipsoid follows."""
    shrink = max(math.cos(math.radians(min(abs(latitude), 89.0))), 0.01)
    return distance_m / (METRES_PER_DEGREE * shrink) * 1.01


def _areas_around(incident: Incident) -> list[AdminArea]:
    """The village of the incident's grid (or the incident's own village) and every area above."""
    if incident.grid_id is not None:
        start = incident.grid.village
    elif incident.area_id is not None:
        start = incident.area
    else:
        return []
    areas = [start]
    while areas[-1].parent_id is not None and len(areas) < len(AreaLevel.values):
        areas.append(areas[-1].parent)
    return areas


def _rule_places(incident: Incident, areas: list[AdminArea]) -> Q:
    places = Q(area__in=[area.pk for area in areas])
    if incident.grid_id is not None:
        places |= Q(grid_id=incident.grid_id)
    return places


def _specificity(rule: RoutingRule) -> tuple[int, bool]:
    depth = GRID_DEPTH if rule.grid_id is not None else rule.area.level
    return depth, bool(rule.category)
