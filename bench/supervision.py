"""Times the supervision analytics (summary, ranking, overdue) on the demo county.

    .venv/bin/python bench/supervision.py --scale 5

Uses a database of its own (gisgov_bench_supervision_<scale>), loads the demo county into it
once, and gives its incidents a workflow history once, since the demo has statuses but no
events: deadlines from the category, a lead department, accept/dispatch/start/resolve/
evaluate/close events (about one resolution in seven late), ratings for evaluated and closed
ones. Then the median of several runs of each analysis, called as plain functions and through
HTTP, with the web connection's settings (no parallel workers), and once more without the
partial index on resolve events to show what it is worth. Prints `RESULT supervision ...` last.
"""

import argparse
import json
import statistics
import time

from demo import load_demo, prepare_database, setup_django

RUNS = 5

PLAN = """
SELECT setseed(0.42);
CREATE TEMP TABLE bench_plan AS
SELECT i.id, i.status, i.reported_at,
       i.reported_at + interval '2 hours' + make_interval(hours => h.hours) AS deadline,
       i.reported_at + interval '3 hours'
           + make_interval(hours => h.hours) * (0.05 + random() * 1.1) AS resolved_at
FROM incidents_incident i
JOIN (SELECT key AS category, value::int AS hours
      FROM jsonb_each_text(%(deadline_hours)s::jsonb)) h ON h.category = i.category
WHERE i.status <> 'reported'
"""
FILL_INCIDENTS = """
WITH departments AS (SELECT array_agg(id ORDER BY id) AS ids FROM departments_department)
UPDATE incidents_incident i
SET deadline = p.deadline,
    lead_department_id = d.ids[1 + (i.id % cardinality(d.ids))::int],
    rating = CASE WHEN i.status IN ('evaluated', 'closed')
                  THEN (ARRAY[1, 2, 3, 3, 4, 4, 4, 5, 5, 5])[1 + (i.id % 10)::int] END
FROM bench_plan p, departments d
WHERE p.id = i.id AND p.status NOT IN ('accepted', 'rejected')
"""
EVENTS = """
INSERT INTO incidents_incidentevent (incident_id, at, action, from_state, to_state, note, data)
SELECT id, at, action, from_state, to_state, '', '{}'::jsonb
FROM bench_plan p
CROSS JOIN LATERAL (VALUES
    (1, p.reported_at + interval '1 hour',
     CASE WHEN p.status = 'rejected' THEN 'reject' ELSE 'accept' END, 'reported',
     CASE WHEN p.status = 'rejected' THEN 'rejected' ELSE 'accepted' END),
    (2, p.reported_at + interval '2 hours', 'dispatch', 'accepted', 'dispatched'),
    (3, p.reported_at + interval '3 hours', 'start', 'dispatched', 'in_progress'),
    (4, p.resolved_at, 'resolve', 'in_progress', 'resolved'),
    (5, p.resolved_at + interval '1 day', 'evaluate', 'resolved', 'evaluated'),
    (6, p.resolved_at + interval '2 days', 'close', 'evaluated', 'closed')
) step(position, at, action, from_state, to_state)
WHERE step.position <= CASE p.status
    WHEN 'rejected' THEN 1 WHEN 'accepted' THEN 1 WHEN 'dispatched' THEN 2
    WHEN 'in_progress' THEN 3 WHEN 'resolved' THEN 4 WHEN 'evaluated' THEN 5 ELSE 6 END
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    prepare_database(f"gisgov_bench_supervision_{args.scale}")
    load_demo(scale=args.scale, seed=args.seed)
    setup_django()
    give_history()
    figures = measure()
    print(f"{'analysis':<44} {'median ms':>10}")
    for name, ms in figures.items():
        print(f"{name:<44} {ms:>10.1f}")
    summary = figures["summary group_by=area level=township"]
    ranking = figures["ranking level=grid metric=completion_rate"]
    print(
        f"RESULT supervision scale={args.scale} summary_township_ms={summary:.0f} "
        f"ranking_grid_ms={ranking:.0f} "
        f"summary_api_ms={figures['API summary group_by=category']:.0f} "
        f"ranking_grid_no_index_ms={figures['ranking grid completion_rate, no index']:.0f}"
    )


def give_history() -> None:
    from django.db import connection, transaction

    from layers.incidents.choices import DEADLINE_HOURS, Priority

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incidentevent")
        if cursor.fetchone()[0]:
            return
        started = time.monotonic()
        hours = {str(category): by[Priority.NORMAL] for category, by in DEADLINE_HOURS.items()}
        with transaction.atomic():
            cursor.execute(PLAN, {"deadline_hours": json.dumps(hours)})
            cursor.execute(FILL_INCIDENTS)
            cursor.execute(EVENTS)
            cursor.execute("DROP TABLE bench_plan")
        cursor.execute("ANALYZE incidents_incident")
        cursor.execute("ANALYZE incidents_incidentevent")
        cursor.execute("SELECT count(*) FROM incidents_incidentevent")
        print(
            f"workflow history: {cursor.fetchone()[0]:,} events "
            f"in {time.monotonic() - started:.0f} s"
        )


def measure() -> dict[str, float]:
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client

    from layers.supervision.analytics import (
        IncidentFilters,
        overdue_incidents,
        supervision_ranking,
        supervision_summary,
    )

    last_year = IncidentFilters(first_day=date(2025, 11, 1), last_day=date(2026, 10, 31))
    cases = {
        "summary group_by=category": lambda: supervision_summary(group_by="category"),
        "summary group_by=status": lambda: supervision_summary(group_by="status"),
        "summary group_by=area level=county": lambda: supervision_summary(
            group_by="area", level="county"
        ),
        "summary group_by=area level=township": lambda: supervision_summary(
            group_by="area", level="township"
        ),
        "summary group_by=area level=grid": lambda: supervision_summary(
            group_by="area", level="grid"
        ),
        "summary group_by=period month": lambda: supervision_summary(group_by="period"),
        "summary period=day, one year": lambda: supervision_summary(
            group_by="period", period="day", filters=last_year
        ),
        "summary one township, by category": lambda: supervision_summary(
            group_by="category", filters=IncidentFilters(area="419821101")
        ),
        "ranking level=county metric=completion_rate": lambda: supervision_ranking(
            level="county", metric="completion_rate"
        ),
        "ranking level=township metric=p90_handling_hours": lambda: supervision_ranking(
            level="township", metric="p90_handling_hours"
        ),
        "ranking level=grid metric=completion_rate": lambda: supervision_ranking(
            level="grid", metric="completion_rate"
        ),
        "overdue first page": lambda: overdue_incidents(limit=100),
    }
    figures = {name: median_ms(run) for name, run in cases.items()}

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX supervision_resolve_event_idx")
        figures["ranking grid completion_rate, no index"] = median_ms(
            cases["ranking level=grid metric=completion_rate"]
        )
        transaction.set_rollback(True)

    user, _ = get_user_model().objects.get_or_create(
        username="bench-supervisor", defaults={"is_staff": True}
    )
    client = Client()
    client.force_login(user)
    for name, url in (
        ("API summary group_by=category", "/api/v1/supervision/summary/?group_by=category"),
        (
            "API ranking level=township metric=completion_rate",
            "/api/v1/supervision/ranking/?level=township&metric=completion_rate",
        ),
        (
            "API summary area township, CSV",
            "/api/v1/supervision/summary/?group_by=area&level=township&format=csv",
        ),
    ):
        figures[name] = median_ms(lambda url=url: checked(client.get(url)))
    return figures


def checked(response):
    if response.status_code != 200:
        raise SystemExit(f"{response.status_code}: {response.content[:300]!r}")
    return response


def median_ms(run) -> float:
    run()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
