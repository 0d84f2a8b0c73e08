"""Time-window queries on the monthly-partitioned incidents table against an unpartitioned copy.

    .venv/bin/python bench/partitions.py --scale 1

Uses a database of its own (gisgov_bench_partitions_<scale>), loads the demo county into it once
(three years of incidents, one partition a month) and copies the incidents once into a plain
table with the same indexes (the peer: the table as it was before partitioning). For each
query: the partitions the plan reads (EXPLAIN, after plan-time pruning) and the median time of
several runs on both tables. Prints `RESULT partitions ...` last.
"""

import argparse
import json
import statistics
import time

from demo import load_demo, prepare_database, setup_django

RUNS = 7
PEER = "bench_incidents_unpartitioned"

PEER_TABLE = f"""
CREATE TABLE {PEER} AS SELECT * FROM incidents_incident;
CREATE INDEX ON {PEER} (id);
CREATE INDEX ON {PEER} USING gist (location);
CREATE INDEX ON {PEER} (category, reported_at);
CREATE INDEX ON {PEER} (reported_at);
CREATE INDEX ON {PEER} (area_id);
ANALYZE {PEER};
"""

# The demo's incidents end on 31 October 2026 (Beijing time): the windows end there. Bounds
# are constants, as the application sends them (values bound client-side), so the planner
# prunes; an expression such as now() - interval '30 days' prunes only at executor start,
# after every partition was planned.
END = "2026-11-01 00:00+08"
DAYS_30 = "2026-10-02 00:00+08"
DAYS_90 = "2026-08-03 00:00+08"
QUERIES = {
    "township, last 30 days, count by category": """
        SELECT i.category, count(*) FROM {table} i
        JOIN areas_adminarea v ON v.id = i.area_id
        WHERE i.reported_at >= timestamptz '{days_30}'
          AND i.reported_at < timestamptz '{end}' AND v.code LIKE '419821101%'
        GROUP BY i.category""",
    "heatmap style: points in a box, last 90 days": """
        SELECT i.category, ST_X(i.location), ST_Y(i.location) FROM {table} i
        WHERE i.location && ST_MakeEnvelope(114.45, 34.35, 114.75, 34.65, 4326)
          AND i.reported_at >= timestamptz '{days_90}'
          AND i.reported_at < timestamptz '{end}'""",
    "supervision style: one month by status and village": """
        SELECT i.status, v.code, count(*), avg(extract(epoch FROM i.updated_at - i.reported_at))
        FROM {table} i LEFT JOIN areas_adminarea v ON v.id = i.area_id
        WHERE i.reported_at >= timestamptz '2026-03-01 00:00+08'
          AND i.reported_at < timestamptz '2026-04-01 00:00+08'
        GROUP BY i.status, v.code""",
    "whole history, count by category": """
        SELECT category, count(*) FROM {table} GROUP BY category""",
    "one incident by id": """
        SELECT title FROM {table} WHERE id = 12345""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    prepare_database(f"gisgov_bench_partitions_{args.scale}")
    load_demo(scale=args.scale, seed=args.seed)
    setup_django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NULL", [PEER])
        if cursor.fetchone()[0]:
            cursor.execute(PEER_TABLE)
        cursor.execute("ANALYZE incidents_incident")
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'incidents_incident'::regclass"
        )
        (partitions,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM incidents_incident")
        (rows,) = cursor.fetchone()
        print(f"{rows:,} incidents in {partitions} partitions (default included)")
        print(f"{'query':<52} {'scanned':>8} {'partitioned ms':>15} {'plain ms':>9}")
        results = {}
        for name, query in QUERIES.items():
            bounds = {"end": END, "days_30": DAYS_30, "days_90": DAYS_90}
            partitioned = query.format(table="incidents_incident", **bounds)
            plain = query.format(table=PEER, **bounds)
            scanned = partitions_read(cursor, partitioned)
            results[name] = (scanned, median_ms(cursor, partitioned), median_ms(cursor, plain))
            print(f"{name:<52} {scanned:>8} {results[name][1]:>15.1f} {results[name][2]:>9.1f}")

    township = results["township, last 30 days, count by category"]
    heat = results["heatmap style: points in a box, last 90 days"]
    whole = results["whole history, count by category"]
    by_id = results["one incident by id"]
    print(
        f"RESULT partitions scale={args.scale} partitions={partitions} "
        f"township_30d_scanned={township[0]} township_30d_ms={township[1]:.1f} "
        f"plain_ms={township[2]:.1f} heatmap_90d_scanned={heat[0]} heatmap_90d_ms={heat[1]:.1f} "
        f"plain_ms={heat[2]:.1f} whole_history_ms={whole[1]:.1f} plain_ms={whole[2]:.1f} "
        f"by_id_ms={by_id[1]:.2f} plain_ms={by_id[2]:.2f}"
    )


def partitions_read(cursor, query: str) -> int:
    """How many partitions the plan reads once pruning at plan time has removed the others."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + query)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    names = set()

    def walk(node):
        relation = node.get("Relation Name", "")
        if relation.startswith("incidents_incident_"):
            names.add(relation)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return len(names)


def median_ms(cursor, query: str) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        cursor.execute(query)
        cursor.fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


if __name__ == "__main__":
    main()
