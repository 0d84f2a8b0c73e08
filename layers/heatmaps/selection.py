"""Which incidents a heatmap or hot-spot request covers: parameters, access and the data read.

The time window is half-open [from, to). Whole local days come from the daily cells
(heatmaps_daycells); the parts of days at either edge of the window are read from the incidents
themselves, so the window is exact to the second while a city-wide read stays one flat fetch.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from layers.access import policy
from layers.areas.models import AdminArea, AreaLevel, division_prefix
from layers.common.sql import template
from layers.incidents.choices import Category, Status

UNASSIGNED_AREA = 0  # incidents outside every village carry this in the cells


class InvalidParameters(Exception):
    """Bad request parameters: errors maps each parameter name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


class TooFewIncidents(Exception):
    """The selection holds too few incidents for the analysis to mean anything."""


@dataclass(frozen=True)
class Frame:
    """The metric frame of the pre-binned cells: Gauss-Krueger SRID, base cell and time zone."""

    srid: int
    cell_m: int
    time_zone: str


@dataclass(frozen=True)
class Selection:
    start: dt.datetime | None
    end: dt.datetime | None
    categories: tuple[str, ...]
    statuses: tuple[str, ...]
    area: AdminArea | None
    # None: every incident; else the villages whose incidents count (0 = outside any village).
    area_ids: np.ndarray | None


@dataclass
class Binned:
    """Incidents as base-cell indices (column, row in the frame) with their weights."""

    cell_x: np.ndarray
    cell_y: np.ndarray
    weight: np.ndarray
    count: int


@dataclass
class Points:
    """Incidents at their true metric coordinates with their weights."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray


def frame() -> Frame:
    with connection.cursor() as cursor:
        cursor.execute("SELECT srid, cell_m, time_zone FROM heatmaps_frame")
        return Frame(*cursor.fetchone())


def parse_selection(request, params) -> Selection:
    """The incidents a request asks for, within what it may see; InvalidParameters if malformed."""
    errors: dict[str, str] = {}
    start = _parse_time(params.get("from"), "from", errors)
    end = _parse_time(params.get("to"), "to", errors)
    if start and end and start >= end:
        errors["to"] = _("'to' must be later than 'from'.")
    categories = _parse_choices(params.get("category"), Category, "category", errors)
    statuses = _parse_choices(params.get("status"), Status, "status", errors)
    area = None
    code = params.get("area")
    if code:
        try:
            prefix = division_prefix(code)
        except ValueError as exc:
            errors["area"] = str(exc)
        else:
            area = AdminArea.objects.filter(code=code.ljust(12, "0")).first()
            if area is None:
                errors["area"] = _("No area has the division code %(code)s.") % {"code": code}
    if errors:
        raise InvalidParameters(errors)
    area_ids = None
    if area is not None:
        area_ids = _village_ids(AdminArea.objects.filter(code__startswith=prefix))
    visible = _visible_area_ids(request)
    if visible is not None:
        area_ids = visible if area_ids is None else np.intersect1d(area_ids, visible)
    return Selection(start, end, categories, statuses, area, area_ids)


def weights_by_category(weighted: bool) -> dict[str, float]:
    configured = settings.GISGOV_HEATMAP_CATEGORY_WEIGHTS
    return {c: (float(configured.get(c, 1.0)) if weighted else 1.0) for c in Category.values}


def binned(selection: Selection, weights: dict[str, float]) -> Binned:
    """Every selected incident's base cell: whole days from the day cells, edges from incidents."""
    tz = timezone.get_current_timezone()
    first_day = _local_day(selection.start, tz, round_up=True)
    end_day = _local_day(selection.end, tz, round_up=False)
    parts: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    base = {"categories": list(selection.categories), "statuses": list(selection.statuses)}
    if first_day is not None and end_day is not None and first_day >= end_day:
        parts += _edge_cells({**base, "start": selection.start, "end": selection.end})
    else:
        parts += _day_cells({**base, "first_day": first_day, "end_day": end_day})
        if first_day is not None and selection.start < _midnight(first_day, tz):
            edge = {"start": selection.start, "end": _midnight(first_day, tz)}
            parts += _edge_cells({**base, **edge})
        if end_day is not None and _midnight(end_day, tz) < selection.end:
            edge = {"start": _midnight(end_day, tz), "end": selection.end}
            parts += _edge_cells({**base, **edge})
    return _gather(parts, weights, selection.area_ids)


def _gather(parts, weights: dict[str, float], area_ids: np.ndarray | None) -> Binned:
    """One vector per column over all groups, sorted by category so that weights are runs."""
    parts = sorted(parts, key=lambda part: part[0])
    if not parts:
        empty = np.empty(0, np.int32)
        return Binned(empty, empty, np.empty(0), 0)
    cell_x = np.concatenate([p[1] for p in parts])
    cell_y = np.concatenate([p[2] for p in parts])
    lengths = np.fromiter((len(p[1]) for p in parts), dtype=np.int64, count=len(parts))
    weight = np.repeat(np.array([weights[p[0]] for p in parts]), lengths)
    if area_ids is not None:
        areas = np.concatenate([p[3] for p in parts])
        wanted = np.zeros(max(int(areas.max(initial=0)), int(area_ids.max(initial=0))) + 1, bool)
        wanted[area_ids] = True
        keep = wanted[areas]
        cell_x, cell_y, weight = cell_x[keep], cell_y[keep], weight[keep]
    return Binned(cell_x, cell_y, weight, len(cell_x))


def points(selection: Selection, weights: dict[str, float], limit: int) -> Points:
    """The selected incidents at their true position; at most `limit` + 1 (to detect excess)."""
    params = {
        "start": selection.start,
        "end": selection.end,
        "categories": list(selection.categories),
        "statuses": list(selection.statuses),
        "all_areas": selection.area_ids is None,
        "area_ids": [] if selection.area_ids is None else selection.area_ids.tolist(),
        "limit": limit + 1,
    }
    with connection.cursor() as cursor:
        cursor.execute(template("heatmaps", "points").as_string(), params)
        rows = cursor.fetchall()
    if not rows:
        return Points(np.empty(0), np.empty(0), np.empty(0))
    categories, xs, ys, _areas = zip(*rows, strict=True)
    return Points(
        np.array(xs, dtype=float),
        np.array(ys, dtype=float),
        np.array([weights[c] for c in categories], dtype=float),
    )


def extent(selection: Selection) -> tuple[float, float, float, float] | None:
    """The metric bounding box of the selection's villages (of every area when unrestricted)."""
    params = {
        "all_areas": selection.area_ids is None,
        "area_ids": [] if selection.area_ids is None else selection.area_ids.tolist(),
    }
    with connection.cursor() as cursor:
        cursor.execute(template("heatmaps", "extent").as_string(), params)
        box = cursor.fetchone()
    return None if box is None or box[0] is None else tuple(box)


# Day-cell groups this process has read, by version: a version is never reused, so an entry is
# valid as long as the table still holds that version; a warm city-wide read then moves only
# the versions, not the cells.
_GROUPS: dict[int, tuple[str, np.ndarray, np.ndarray, np.ndarray]] = {}


def _day_cells(params: dict) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """The groups of whole days, from this process's cache where it holds their version."""
    for _attempt in range(3):
        versions = [row[0] for row in _query("day_cells", params)]
        missing = [v for v in versions if v not in _GROUPS]
        rows = _query("day_cells_of", {"versions": missing}) if missing else []
        fetched = {version: (category, *_triples(cells)) for version, category, cells in rows}
        if len(fetched) == len(missing):
            break
        # A writer recomputed some group between the two reads: read the versions again.
    else:
        raise RuntimeError("the daily cells kept changing while being read")
    groups = [_GROUPS.get(v) or fetched[v] for v in versions]
    if settings.GISGOV_HEATMAP_CACHE:
        _GROUPS.update(fetched)
        if _covers_everything(params):
            for stale in set(_GROUPS) - set(versions):
                del _GROUPS[stale]
    return groups


def _edge_cells(params: dict) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    return [(category, *_triples(cells)) for category, cells in _query("edge_cells", params)]


def _covers_everything(params: dict) -> bool:
    return (
        params["first_day"] is None
        and params["end_day"] is None
        and set(params["categories"]) == set(Category.values)
        and set(params["statuses"]) == set(Status.values)
    )


def _query(name: str, params: dict) -> list[tuple]:
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(template("heatmaps", name).as_string(), params, binary=True)
        return cursor.fetchall()


def _triples(packed: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column, row and village vectors (native int32) from packed big-endian triples."""
    triples = np.frombuffer(packed, dtype=">i4").reshape(-1, 3).astype(np.int32)
    return triples[:, 0].copy(), triples[:, 1].copy(), triples[:, 2].copy()


def _village_ids(areas) -> np.ndarray:
    ids = areas.filter(level=AreaLevel.VILLAGE).values_list("id", flat=True)
    return np.fromiter(ids, dtype=np.int64)


def _visible_area_ids(request) -> np.ndarray | None:
    """None when the request counts every incident; else the villages whose incidents count
    (the access policy's `analysis_prefixes`: whole areas, never single rows)."""
    prefixes = policy.analysis_prefixes(request)
    if prefixes is None:
        return None
    inside = Q(pk__in=[])
    for prefix in prefixes:
        inside |= Q(code__startswith=prefix)
    villages = AdminArea.objects.filter(inside, level=AreaLevel.VILLAGE)
    return np.array(list(villages.values_list("id", flat=True)), dtype=np.int64)


def _parse_time(text: str | None, name: str, errors: dict) -> dt.datetime | None:
    if not text:
        return None
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        value = dt.datetime.combine(day, dt.time()) if day else None
    if value is None:
        errors[name] = _("%(name)s is not an ISO 8601 date or date-time: %(text)r") % {
            "name": name,
            "text": text,
        }
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _parse_choices(text: str | None, choices, name: str, errors: dict) -> tuple[str, ...]:
    if not text:
        return tuple(choices.values)
    values = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
    unknown = [v for v in values if v not in choices.values]
    if unknown or not values:
        errors[name] = _("Unknown %(name)s %(values)s; choose from: %(choices)s.") % {
            "name": name,
            "values": ", ".join(unknown),
            "choices": ", ".join(choices.values),
        }
    return values


def _local_day(moment: dt.datetime | None, tz, *, round_up: bool) -> dt.date | None:
    if moment is None:
        return None
    local = moment.astimezone(tz)
    day = local.date()
    if round_up and local != _midnight(day, tz):
        day += dt.timedelta(days=1)
    return day


def _midnight(day: dt.date, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)
