"""Supervision analytics (督导评价): how many incidents, how fast and how well they were handled.

Every figure is computed in SQL (layers/supervision/sql/) over the incidents inside the filters
and the caller's scope. The definitions, shared by every grouping:

- total: incidents reported in the period (the filters' first to last day, local time);
- resolved_at: the last `resolve` event of an incident now resolved, evaluated or closed;
- due: it has a deadline and was resolved, or its deadline passed by `now`;
- resolved_on_time: due, resolved, and resolved at or before the deadline;
- completion_rate: resolved_on_time / due (None when nothing is due);
- overdue: still open (reported, accepted, dispatched, in progress) and past its deadline at `now`;
- mean / p90 handling hours: reported_at → resolved_at, over resolved incidents (p90 by linear
  interpolation, PostgreSQL's percentile_cont);
- satisfaction: the mean reporter rating (1–5) of rated incidents; satisfied_share: the share of
  them rated 4 or 5.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from layers.areas.models import CODE_PREFIX_LENGTH, AreaLevel, division_prefix
from layers.common.sql import template as app_template
from layers.incidents.choices import OPEN_STATUSES, Category, Status

template = partial(app_template, "supervision")

RESOLVED_STATUSES = (Status.RESOLVED, Status.EVALUATED, Status.CLOSED)
METRICS = (
    "total",
    "due",
    "resolved_on_time",
    "completion_rate",
    "overdue",
    "mean_handling_hours",
    "p90_handling_hours",
    "satisfaction",
    "satisfied_share",
)
# Which way is better for each metric a ranking may be asked for: rank 1 is the best unit
# (for `total`, the busiest).
RANKING_DESCENDING = {
    "completion_rate": True,
    "satisfaction": True,
    "total": True,
    "overdue": False,
    "mean_handling_hours": False,
    "p90_handling_hours": False,
}
GROUPINGS = ("category", "status", "area", "period")
PERIODS = ("day", "week", "month")
UNIT_LEVELS = {
    "county": AreaLevel.COUNTY,
    "township": AreaLevel.TOWNSHIP,
    "village": AreaLevel.VILLAGE,
    "grid": None,
}


@dataclass(frozen=True)
class IncidentFilters:
    """Which incidents count: reported on first_day … last_day (local dates, both included),
    of these categories and statuses (empty: all), inside this division (any level)."""

    first_day: date | None = None
    last_day: date | None = None
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    area: str | None = None

    def params(self) -> dict:
        zone = timezone.get_default_timezone()
        return {
            "since": self.first_day and datetime.combine(self.first_day, time.min, tzinfo=zone),
            "until": self.last_day
            and datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=zone),
            "categories": list(self.categories) or None,
            "statuses": list(self.statuses) or None,
            "area_prefix": division_prefix(self.area) if self.area else None,
        }


@dataclass(frozen=True)
class Scope:
    """What the caller may see, as querysets of visible rows (None: everything), usually from
    the access policy (`layers.access.policy.visible`)."""

    incidents: QuerySet | None = None
    areas: QuerySet | None = None
    grids: QuerySet | None = None


EVERYTHING = Scope()


@dataclass(frozen=True)
class _Query:
    filters: IncidentFilters = field(default_factory=IncidentFilters)
    scope: Scope = EVERYTHING
    now: datetime | None = None

    def params(self, **extra) -> dict:
        return {
            **self.filters.params(),
            "now": self.now or timezone.now(),
            "open_statuses": sorted(OPEN_STATUSES),
            "resolved_statuses": list(RESOLVED_STATUSES),
            **extra,
        }

    def facts(self) -> sql.Composed:
        return template("facts").format(scope=_visible("i.id", self.scope.incidents))

    def run(self, query: sql.Composable, params: dict) -> list[dict]:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def supervision_summary(
    *,
    group_by: str,
    level: str = "township",
    period: str = "month",
    filters: IncidentFilters | None = None,
    scope: Scope = EVERYTHING,
    now: datetime | None = None,
) -> list[dict]:
    """The metrics for each category, status, unit at `level`, or `period` bucket.

    Rows: {"key", "label", <METRICS>}; labels of categories and statuses in the active
    language. Area rows are every unit in the filters and scope (zeros when empty) plus one
    row with key None for incidents outside every unit, if any.
    """
    query = _Query(filters=filters or IncidentFilters(), scope=scope, now=now)
    if group_by in ("category", "status"):
        return _by_choice(query, group_by)
    if group_by == "period":
        return _by_period(query, period)
    if group_by == "area":
        rows = _by_unit(query, level, metric="total", units_only=False, ranked=False)
        outside = _("Outside every unit")
        return [
            {"key": code, "label": outside if code is None else name, **row}
            for code, name, row in ((row.pop("code"), row.pop("name"), row) for row in rows)
        ]
    raise ValueError(f"unknown grouping {group_by!r}")


def supervision_ranking(
    *,
    level: str,
    metric: str,
    filters: IncidentFilters | None = None,
    scope: Scope = EVERYTHING,
    now: datetime | None = None,
) -> list[dict]:
    """Counties, townships, villages or grids ranked on one metric, best first.

    Rows: {"rank", "code", "name", <METRICS>}; ties share a rank (1, 1, 3), then by code;
    units without a value for the metric (nothing due, nothing resolved, nothing rated) last.
    """
    if metric not in RANKING_DESCENDING:
        raise ValueError(f"unknown ranking metric {metric!r}")
    query = _Query(filters=filters or IncidentFilters(), scope=scope, now=now)
    return _by_unit(query, level, metric=metric, units_only=True, ranked=True)


def overdue_incidents(
    *,
    filters: IncidentFilters | None = None,
    scope: Scope = EVERYTHING,
    now: datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[int, list[dict]]:
    """The open incidents past their deadline, longest overdue first: (how many, one page)."""
    query = _Query(filters=filters or IncidentFilters(), scope=scope, now=now)
    statement = template("overdue").format(facts=query.facts())
    rows = query.run(statement, query.params(limit=limit, offset=offset))
    if not rows and offset:
        counted = query.run(statement, query.params(limit=1, offset=0))
        return (counted[0]["full_count"] if counted else 0), []
    count = rows[0]["full_count"] if rows else 0
    for row in rows:
        del row["full_count"]
        row["category_label"] = str(Category(row["category"]).label)
        row["status_label"] = str(Status(row["status"]).label)
    return count, rows


def _by_choice(query: _Query, name: str) -> list[dict]:
    choices = {"category": Category, "status": Status}[name]
    chosen = query.filters.categories if name == "category" else query.filters.statuses
    keys = list(chosen) or list(choices.values)
    statement = template("by_choice").format(
        facts=query.facts(),
        key=sql.SQL('{} COLLATE "C"').format(sql.Identifier(name)),
        metrics=template("metrics"),
        metric_columns=template("metric_columns"),
    )
    rows = query.run(statement, query.params(keys=keys))
    return [{"key": row["key"], "label": str(choices(row["key"]).label), **row} for row in rows]


def _by_period(query: _Query, period: str) -> list[dict]:
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    statement = template("by_period").format(
        facts=query.facts(),
        metrics=template("metrics"),
        metric_columns=template("metric_columns"),
    )
    params = query.params(
        period=period,
        time_zone=settings.TIME_ZONE,
        first_day=query.filters.first_day,
        last_day=query.filters.last_day,
    )
    rows = query.run(statement, params)
    return [
        {"key": start.isoformat(), "label": period_label(start, period), **row}
        for start, row in ((row.pop("key"), row) for row in rows)
    ]


def period_label(start: date, period: str) -> str:
    """2026-11-02 (day), 2026-W45 (ISO week), 2026-11 (month)."""
    if period == "week":
        year, week, _weekday = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return start.strftime("%Y-%m")
    return start.isoformat()


def _by_unit(query: _Query, level: str, *, metric: str, units_only: bool, ranked: bool):
    if level not in UNIT_LEVELS:
        raise ValueError(f"unknown level {level!r}")
    area_level = UNIT_LEVELS[level]
    units = template("area_units" if area_level else "grid_units")
    visible = _visible("u.id", query.scope.areas if area_level else query.scope.grids)
    direction = sql.SQL("DESC" if RANKING_DESCENDING[metric] else "ASC")
    ranked_on = sql.SQL("{} {}").format(sql.Identifier(metric), direction)
    order = sql.SQL("rank, code") if ranked else sql.SQL("code NULLS LAST")
    statement = template("by_unit").format(
        facts=query.facts(),
        units=units,
        member_column=sql.Identifier("area_id" if area_level else "grid_id"),
        metrics=template("metrics"),
        metric_columns=template("metric_columns"),
        ranked_on=ranked_on,
        order=order,
        visible=visible,
    )
    params = query.params(
        unit_level=area_level,
        unit_prefix_length=CODE_PREFIX_LENGTH[area_level] if area_level else None,
        units_only=units_only,
    )
    rows = query.run(statement, params)
    if not ranked:
        for row in rows:
            del row["rank"]
    return rows


def _visible(column: str, visible: QuerySet | None) -> sql.Composable:
    """`column IN (the visible rows)`, or `true` when the scope leaves everything visible.

    The policy's queryset is compiled by Django and inlined as literals, so whatever rule the
    policy applies (token areas today, hierarchy roles tomorrow) reaches this SQL unchanged.
    """
    if visible is None or not visible.query.has_filters():
        return sql.SQL("true")
    try:
        subquery, params = visible.values("pk").query.sql_with_params()
    except EmptyResultSet:
        return sql.SQL("false")
    literal = connection.ops.compose_sql(subquery, params)
    # The statement runs with named parameters, so a literal % (LIKE patterns) is doubled.
    return sql.SQL("{} IN ({})").format(sql.SQL(column), sql.SQL(literal.replace("%", "%%")))
