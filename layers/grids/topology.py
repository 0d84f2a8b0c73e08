"""Whether grids tile their villages, and villages their townships (四至清晰、无缝对接).

The reports are read here; the rule itself is enforced in the database (migration 0002): a
deferred constraint trigger refuses, at commit, any grid edit that creates an overlap, a gap or
a part outside the village above TILING_TOLERANCE_M2, whatever path wrote it.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.areas.models import AdminArea, AreaLevel
from layers.common.constants import TILING_TOLERANCE_M2
from layers.common.sql import template as app_template
from layers.grids.models import Grid

template = partial(app_template, "grids")

# Raised by gisgov_grids_check_topology(); class 23 makes it an IntegrityError.
TOPOLOGY_SQLSTATE = "23T01"
TOPOLOGY_CONSTRAINT = "grids_topology_check"

PROBLEM_KINDS = {
    "gap": gettext_lazy("gap"),
    "overlap": gettext_lazy("overlap"),
    "outside": gettext_lazy("outside its parent area"),
}


@dataclass(frozen=True)
class TopologyProblem:
    """A gap, overlap or part outside, as one polygon (GeoJSON, EPSG:4326) with its area."""

    kind: str  # gap | overlap | outside
    area_code: str  # the village (grid problems) or township (village problems) it lies in
    codes: list[str]  # the grids, or villages, involved; empty for a gap
    area_m2: float
    geometry: dict

    def describe(self) -> str:
        """One line for people: what, where, how large, between whom."""
        text = _("%(kind)s of %(area).1f m² in %(place)s") % {
            "kind": PROBLEM_KINDS.get(self.kind, self.kind),
            "area": self.area_m2,
            "place": self.area_code,
        }
        if self.codes:
            text += " (" + ", ".join(self.codes) + ")"
        return text

    def as_feature(self) -> dict:
        return {
            "type": "Feature",
            "geometry": self.geometry,
            "properties": {
                "kind": self.kind,
                "area": self.area_code,
                "codes": self.codes,
                "area_m2": round(self.area_m2, 1),
            },
        }


@dataclass
class TopologyReport:
    """Problems above the tolerance, and slivers under it (noise, reported apart)."""

    area_code: str
    problems: list[TopologyProblem] = field(default_factory=list)
    slivers: list[TopologyProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        counts = {kind: 0 for kind in PROBLEM_KINDS}
        for problem in self.problems:
            counts[problem.kind] += 1
        return {
            "area": self.area_code,
            "ok": self.ok,
            "problems": counts,
            "problem_area_m2": round(sum(p.area_m2 for p in self.problems), 1),
            "slivers": len(self.slivers),
            "tolerance_m2": TILING_TOLERANCE_M2,
        }

    def as_feature_collection(self) -> dict:
        return {
            "type": "FeatureCollection",
            "features": [problem.as_feature() for problem in self.problems],
            "summary": self.summary(),
        }


def _problems(query: str, params: dict, report: TopologyReport) -> None:
    with connection.cursor() as cursor:
        cursor.execute(template(query), params)
        for kind, area_code, codes, area_m2, geometry in cursor.fetchall():
            problem = TopologyProblem(kind, area_code, list(codes), area_m2, json.loads(geometry))
            if area_m2 < TILING_TOLERANCE_M2:
                report.slivers.append(problem)
            else:
                report.problems.append(problem)


def _report(area_code: str, village_ids: list[int], township_ids: list[int]) -> TopologyReport:
    report = TopologyReport(area_code)
    if township_ids:
        _problems("village_tiling", {"township_ids": township_ids}, report)
    if village_ids:
        _problems("grid_tiling", {"village_ids": village_ids}, report)
    return report


def village_topology(village: AdminArea) -> TopologyReport:
    """How the current grids of one village tile it."""
    return _report(village.code, [village.pk], [])


def township_topology(township: AdminArea) -> TopologyReport:
    """How its villages tile a township, and how their grids tile each village."""
    village_ids = list(township.children.values_list("pk", flat=True))
    return _report(township.code, village_ids, [township.pk])


def area_topology(area: AdminArea | None = None) -> TopologyReport:
    """The topology of every township and village at or under an area (everywhere if None)."""
    areas = AdminArea.objects.inside_code(area.code) if area else AdminArea.objects.all()
    village_ids = list(areas.filter(level=AreaLevel.VILLAGE).values_list("pk", flat=True))
    township_ids = list(areas.filter(level=AreaLevel.TOWNSHIP).values_list("pk", flat=True))
    return _report(area.code if area else "", village_ids, township_ids)


class TopologyViolation(Exception):
    """A grid edit refused because it breaks the tiling of a village."""

    def __init__(self, problems: list[TopologyProblem]):
        self.problems = problems
        super().__init__(
            _("Grids must tile their village without gap or overlap: %(problems)s")
            % {"problems": "; ".join(problem.describe() for problem in problems)}
        )

    @classmethod
    def from_database_error(cls, error: DatabaseError) -> "TopologyViolation | None":
        """The violation the topology trigger raised, or None for any other database error."""
        cause = error.__cause__
        if getattr(cause, "sqlstate", None) != TOPOLOGY_SQLSTATE:
            return None
        detail = json.loads(cause.diag.message_detail)
        return cls(
            [
                TopologyProblem(
                    item["kind"],
                    item["village"],
                    item["codes"],
                    float(item["area_m2"]),
                    item["geometry"],
                )
                for item in detail
            ]
        )


def grid_topology_enforce_now() -> None:
    """Run the deferred topology check on this transaction's grid edits now, not at commit."""
    with grid_edits_checked(), connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {TOPOLOGY_CONSTRAINT} IMMEDIATE")
        cursor.execute(f"SET CONSTRAINTS {TOPOLOGY_CONSTRAINT} DEFERRED")


@contextmanager
def grid_edits_checked():
    """A transaction for grid edits whose topology refusal becomes a TopologyViolation.

    Outermost, it is checked at its commit; inside a caller's transaction, at the caller's.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        violation = TopologyViolation.from_database_error(error)
        if violation is None:
            raise
        raise violation from error


class _TrialDone(Exception):
    """Rolls the trial save back once it has been checked."""


def grid_save_problems(grid: Grid) -> list[TopologyProblem]:
    """What saving this grid would break, found by saving it in a savepoint then rolling back."""
    adding, pk = grid._state.adding, grid.pk
    try:
        with transaction.atomic():
            grid.save()
            grid_topology_enforce_now()
            raise _TrialDone
    except TopologyViolation as violation:
        return violation.problems
    except _TrialDone:
        return []
    finally:
        grid._state.adding, grid.pk = adding, pk
