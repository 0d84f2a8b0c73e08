"""Every metric against values worked out by hand from the incidents in conftest.py."""

from datetime import date, timedelta

import pytest

from layers.incidents.models import IncidentEvent
from layers.supervision.analytics import (
    IncidentFilters,
    overdue_incidents,
    supervision_ranking,
    supervision_summary,
)
from tests.factories import LAT, LON
from tests.supervision.conftest import EAST_GRID, NOW, WEST_GRID, handled, local, resolve

pytestmark = pytest.mark.django_db


def by_key(rows):
    return {row["key"]: row for row in rows}


def metrics(row):
    return {key: value for key, value in row.items() if key not in ("key", "label", "code", "name")}


WEST = {
    "total": 6,
    "due": 4,  # 1, 2, 3 resolved; 4 past its deadline; 5 not yet; 6 never
    "resolved_on_time": 2,
    "completion_rate": 0.5,
    "overdue": 1,
    "mean_handling_hours": 2.0,  # (1 + 2 + 3) / 3
    "p90_handling_hours": 2.8,  # position 0.9 × (3 − 1) = 1.8: 2 + 0.8 × (3 − 2)
    "satisfaction": 3.67,  # (5 + 4 + 2) / 3
    "satisfied_share": 0.6667,  # 5 and 4 of three ratings
}
EAST = {
    "total": 7,
    "due": 7,
    "resolved_on_time": 7,
    "completion_rate": 1.0,
    "overdue": 0,
    "mean_handling_hours": 7.0,  # 4 … 10
    "p90_handling_hours": 9.4,  # position 0.9 × 6 = 5.4: 9 + 0.4 × (10 − 9)
    "satisfaction": None,
    "satisfied_share": None,
}


def test_every_metric_by_township(incidents):
    rows = by_key(supervision_summary(group_by="area", level="township", now=NOW))
    assert metrics(rows["419821101000"]) == WEST
    assert metrics(rows["419821102000"]) == EAST
    quiet = metrics(rows["419821103000"])
    assert (quiet["total"], quiet["due"], quiet["completion_rate"]) == (0, 0, None)
    assert rows["419821101000"]["label"] == "area 419821101000"


def test_the_county_sums_both_townships(incidents):
    (county,) = supervision_summary(group_by="area", level="county", now=NOW)
    assert county["key"] == "419821000000"
    assert metrics(county) == {
        "total": 13,
        "due": 11,
        "resolved_on_time": 9,
        "completion_rate": round(9 / 11, 4),
        "overdue": 1,
        "mean_handling_hours": 5.5,  # 1 … 10
        "p90_handling_hours": 9.1,  # position 0.9 × 9 = 8.1: 9 + 0.1 × (10 − 9)
        "satisfaction": 3.67,
        "satisfied_share": 0.6667,
    }


def test_village_and_grid_levels(incidents):
    villages = by_key(supervision_summary(group_by="area", level="village", now=NOW))
    assert {code: row["total"] for code, row in villages.items()} == {
        "419821101201": 6,
        "419821102201": 7,
    }
    grids = by_key(supervision_summary(group_by="area", level="grid", now=NOW))
    assert metrics(grids[WEST_GRID]) == WEST and metrics(grids[EAST_GRID]) == EAST
    assert grids[WEST_GRID]["label"] == f"grid {WEST_GRID}"


def test_incidents_outside_every_village_form_their_own_row(incidents):
    handled(LON + 5, LAT + 5, reported_at=local(11, 7), status="reported")
    rows = supervision_summary(group_by="area", level="township", now=NOW)
    assert rows[-1]["key"] is None and rows[-1]["total"] == 1
    assert rows[-1]["label"] == "Outside every unit"
    ranked = supervision_ranking(level="township", metric="total", now=NOW)
    assert [row["code"] for row in ranked] == ["419821102000", "419821101000", "419821103000"]


def test_now_decides_what_is_due_and_overdue(incidents):
    """Before incident 4's deadline it is neither due nor overdue; after incident 5's, both."""
    before = by_key(supervision_summary(group_by="area", level="township", now=local(11, 9)))
    before = before["419821101000"]
    assert (before["due"], before["overdue"], before["completion_rate"]) == (3, 0, 0.6667)
    after = by_key(supervision_summary(group_by="area", level="township", now=local(11, 26)))
    after = after["419821101000"]
    assert (after["due"], after["overdue"], after["completion_rate"]) == (5, 2, 0.4)


def test_by_category_and_status(incidents):
    categories = by_key(supervision_summary(group_by="category", now=NOW))
    assert metrics(categories["dispute"]) == WEST
    assert metrics(categories["livelihood"]) == EAST
    assert categories["sudden_event"]["total"] == 0
    assert categories["dispute"]["label"] == "Dispute (矛盾纠纷)"
    statuses = by_key(supervision_summary(group_by="status", now=NOW))
    assert {key: row["total"] for key, row in statuses.items() if row["total"]} == {
        "closed": 8,
        "evaluated": 1,
        "resolved": 1,
        "in_progress": 1,
        "dispatched": 1,
        "rejected": 1,
    }
    assert statuses["in_progress"]["overdue"] == 1 and statuses["reported"]["total"] == 0


def test_filters(incidents):
    november = IncidentFilters(first_day=date(2026, 11, 1), last_day=date(2026, 11, 30))
    (county,) = supervision_summary(group_by="area", level="county", filters=november, now=NOW)
    assert metrics(county) == WEST
    # The last day is included whole: incident 1 was reported at 08:00 on 11-01.
    first_day = IncidentFilters(first_day=date(2026, 11, 1), last_day=date(2026, 11, 1))
    assert supervision_summary(group_by="category", filters=first_day, now=NOW)[0]["total"] == 1
    only = IncidentFilters(categories=("livelihood",), statuses=("closed",), area="419821102")
    rows = supervision_summary(group_by="category", filters=only, now=NOW)
    assert [(row["key"], row["total"]) for row in rows] == [("livelihood", 7)]
    west = IncidentFilters(area="419821101000")
    (county,) = supervision_summary(group_by="area", level="county", filters=west, now=NOW)
    assert county["total"] == 6


def test_months_weeks_and_days_in_local_time(incidents):
    # 23:30 on 31 October in Shanghai is 15:30 UTC: October, not November, and not 1 November.
    handled(LON, LAT, reported_at=local(10, 31, 23, 30), status="reported")
    months = supervision_summary(group_by="period", period="month", now=NOW)
    assert [(row["key"], row["label"], row["total"]) for row in months] == [
        ("2026-10-01", "2026-10", 8),
        ("2026-11-01", "2026-11", 6),
    ]
    weeks = by_key(supervision_summary(group_by="period", period="week", now=NOW))
    # 2026-11-01 is a Sunday: it closes the week that began on Monday 26 October (ISO week 44).
    assert weeks["2026-10-26"]["label"] == "2026-W44" and weeks["2026-10-26"]["total"] == 2
    assert weeks["2026-11-02"]["total"] == 5
    days = by_key(
        supervision_summary(
            group_by="period",
            period="day",
            filters=IncidentFilters(first_day=date(2026, 10, 30), last_day=date(2026, 11, 2)),
            now=NOW,
        )
    )
    assert {key: row["total"] for key, row in days.items()} == {
        "2026-10-30": 0,
        "2026-10-31": 1,
        "2026-11-01": 1,
        "2026-11-02": 1,
    }
    assert days["2026-10-30"]["completion_rate"] is None


def test_only_the_last_resolve_of_a_still_resolved_incident_counts(places):
    hour = timedelta(hours=1)
    # Resolved late at first, reopened by an unsatisfied reporter, resolved again in time for
    # the fresh deadline: handled in 30 hours, on time.
    twice = handled(
        LON, LAT, reported_at=local(11, 1), deadline=local(11, 3), status="closed", rating=4
    )
    resolve(twice, local(11, 1) + 2 * hour)
    resolve(twice, local(11, 1) + 30 * hour)
    # Resolved once, then reopened: open again, its old resolve does not count.
    reopened = handled(
        LON,
        LAT,
        reported_at=local(11, 2),
        deadline=local(11, 30),
        status="dispatched",
        resolved_after=5 * hour,
    )
    assert reopened.events.count() == 1
    (row,) = supervision_summary(group_by="area", level="county", now=NOW)
    assert (row["due"], row["resolved_on_time"], row["mean_handling_hours"]) == (1, 1, 30.0)
    assert IncidentEvent.objects.count() == 3


def test_ranking_best_first(incidents):
    ranked = supervision_ranking(level="township", metric="completion_rate", now=NOW)
    assert [(row["rank"], row["code"], row["completion_rate"]) for row in ranked] == [
        (1, "419821102000", 1.0),
        (2, "419821101000", 0.5),
        (3, "419821103000", None),  # nothing due: last
    ]
    assert metrics(ranked[0]) == {"rank": 1, **EAST}
    assert ranked[0]["name"] == "area 419821102000"
    fastest = supervision_ranking(level="grid", metric="mean_handling_hours", now=NOW)
    assert [(row["rank"], row["code"]) for row in fastest] == [(1, WEST_GRID), (2, EAST_GRID)]
    fewest_overdue = supervision_ranking(level="township", metric="overdue", now=NOW)
    # Ties share a rank and are listed by code.
    assert [(row["rank"], row["code"]) for row in fewest_overdue] == [
        (1, "419821102000"),
        (1, "419821103000"),
        (3, "419821101000"),
    ]
    busiest = supervision_ranking(level="county", metric="total", now=NOW)
    assert [(row["rank"], row["code"], row["total"]) for row in busiest] == [
        (1, "419821000000", 13)
    ]
    satisfied = supervision_ranking(level="township", metric="satisfaction", now=NOW)
    assert satisfied[0]["code"] == "419821101000" and satisfied[0]["satisfaction"] == 3.67


def test_ranking_inside_an_area(incidents):
    ranked = supervision_ranking(
        level="township", metric="total", filters=IncidentFilters(area="419821101000"), now=NOW
    )
    assert [(row["code"], row["total"]) for row in ranked] == [("419821101000", 6)]
    # The county containing the area is ranked on the area's incidents only.
    (county,) = supervision_ranking(
        level="county", metric="total", filters=IncidentFilters(area="419821101000"), now=NOW
    )
    assert county["total"] == 6


def test_overdue_list(incidents):
    count, rows = overdue_incidents(now=NOW)
    assert count == 1
    (row,) = rows
    assert row["id"] == incidents["west"][3].pk
    assert row["hours_overdue"] == 10 * 24 + 4  # 11-10 08:00 → 11-20 12:00
    assert (row["area_code"], row["grid_code"], row["status"]) == (
        "419821101201",
        WEST_GRID,
        "in_progress",
    )
    later = overdue_incidents(now=local(11, 26), limit=1)
    assert later[0] == 2 and [row["id"] for row in later[1]] == [incidents["west"][3].pk]
    second_page = overdue_incidents(now=local(11, 26), limit=1, offset=1)
    assert second_page[0] == 2 and [row["id"] for row in second_page[1]] == [
        incidents["west"][4].pk
    ]
    assert overdue_incidents(now=local(11, 26), limit=1, offset=5) == (2, [])
    assert overdue_incidents(now=NOW, filters=IncidentFilters(area="419821102")) == (0, [])


def test_two_resolve_events_at_the_same_moment_count_once(places):
    twice = handled(LON, LAT, reported_at=local(11, 1), deadline=local(11, 3), status="resolved")
    resolve(twice, local(11, 1, 12))
    resolve(twice, local(11, 1, 12))
    (row,) = supervision_summary(group_by="area", level="county", now=NOW)
    assert (row["total"], row["due"], row["mean_handling_hours"]) == (1, 1, 4.0)
