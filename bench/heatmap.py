"""Heatmap speed on the demo county, against geopandas + datashader reading the same database.

    GISGOV_PG_PORT=55432 .venv/bin/python bench/heatmap.py --scale 50

Uses the database gisgov_bench_<scale> on the running cluster of GISGOV_PG_PORT (creates it with
the demo county when missing; the cluster itself must be up: `make db-start`). Times, in-process
through the HTTP view (Django test client, staff login, JSON answer), cold (the case's first
request, on a fresh connection, after one small warm-up request) and warm (median of --repeats):
  city       the whole city, all incidents, quartic 1000 m, cell 200 m;
  category   the whole city, one category, one year;
  township   the busiest township, quartic 300 m, cell 50 m;
  week       the whole city, the last seven days of data.
The peer reads the same city-wide incidents with geopandas.read_postgis (points already in the
metric frame), bins them with datashader on the same grid (extent and cell) and convolves with
the same kernel; its best of two runs against our warm city time gives vs_datashader.
Prints `RESULT heatmap city_warm_ms=<n> vs_datashader=<x>` last.
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

from demo import load_demo, prepare_database, setup_django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CITY = {"bandwidth": "1000", "cell": "200", "kernel": "quartic"}
BUSIEST_TOWNSHIP_SQL = """
SELECT t.code FROM areas_adminarea t
JOIN areas_adminarea v ON v.parent_id = t.id
JOIN incidents_incident i ON i.area_id = v.id
WHERE t.level = 4 GROUP BY t.id ORDER BY count(*) DESC LIMIT 1
"""
PEER_SQL = """
SELECT ST_Transform(location, (SELECT srid FROM heatmaps_frame)) AS geom, category
FROM incidents_incident
"""


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    prepare_database(f"gisgov_bench_{args.scale}")
    load_demo(scale=args.scale)
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from layers.incidents.models import Incident

    user, _created = get_user_model().objects.get_or_create(username="bench-heatmap")
    client = Client()
    client.force_login(user)
    with connection.cursor() as cursor:
        cursor.execute(BUSIEST_TOWNSHIP_SQL)
        (township,) = cursor.fetchone()
    last = Incident.objects.latest("reported_at").reported_at
    week = {"from": (last - _days(7)).isoformat(), "to": (last + _days(1)).isoformat()}
    year = {"from": (last - _days(365)).isoformat(), "to": last.isoformat()}
    cases = {
        "city": CITY,
        "category": {**CITY, **year, "category": "dispute"},
        "township": {"area": township, "bandwidth": "300", "cell": "50"},
        "week": {**CITY, **week},
    }

    def request(query):
        response = client.get("/api/v1/heatmaps/density/", query)
        assert response.status_code == 200, response.content[:300]
        return response.json()

    # Imports and the first-request set-up are paid once here, not by the first case.
    request({"from": last.isoformat(), "to": (last + _days(1)).isoformat(), "cell": "1000"})
    rows = []
    answers = {}
    for name, query in cases.items():
        connection.close()  # cold: a fresh connection, nothing cached in this process for it
        cold, answers[name] = timed(lambda q=query: request(q))
        warm = statistics.median(timed(lambda q=query: request(q))[0] for _ in range(args.repeats))
        rows.append((name, answers[name]["incidents"], answers[name]["width"], cold, warm))

    peer_ms, agreement = peer(answers["city"], ours_city(user))
    print(f"scale {args.scale}; township {township}; warm = median of {args.repeats}")
    print(f"{'case':<10} {'incidents':>10} {'grid':>11} {'cold ms':>9} {'warm ms':>9}")
    for name, incidents, width, cold, warm in rows:
        height = answers[name]["height"]
        print(f"{name:<10} {incidents:>10,} {f'{width}x{height}':>11} {cold:>9.0f} {warm:>9.0f}")
    city_warm = rows[0][4]
    print(
        f"datashader peer (read_postgis + Canvas.points + same convolution): {peer_ms:.0f} ms; "
        f"max |difference| / max = {agreement:.2e}"
    )
    print(f"RESULT heatmap city_warm_ms={city_warm:.0f} vs_datashader={peer_ms / city_warm:.2f}")


def ours_city(user):
    """Our city-wide grid itself (the JSON answer carries only its summary)."""
    from django.test import RequestFactory

    from layers.heatmaps import selection, services

    request = RequestFactory().get("/")
    request.user, request.auth = user, None
    sel = selection.parse_selection(request, CITY)
    return services.density_map(sel, services.parse_options(CITY, selection.frame().cell_m))


def peer(city: dict, ours) -> tuple[float, float]:
    """The same city-wide density by geopandas + datashader; (best of two ms, disagreement)."""
    import datashader
    import geopandas
    import numpy as np
    import psycopg
    from django.conf import settings

    from layers.heatmaps import density
    from layers.heatmaps.selection import weights_by_category

    west, south, east, north = city["bounds"]
    cell = city["cell_m"]
    weights = weights_by_category(True)
    db = settings.DATABASES["default"]

    def run():
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
        ) as conn:
            frame = geopandas.read_postgis(PEER_SQL, conn, geom_col="geom")
        points = frame.assign(
            x=frame.geometry.x, y=frame.geometry.y, w=frame["category"].map(weights)
        )
        canvas = datashader.Canvas(
            plot_width=city["width"],
            plot_height=city["height"],
            x_range=(west, east),
            y_range=(south, north),
        )
        counts = canvas.points(points, "x", "y", agg=datashader.sum("w")).values
        counts = np.nan_to_num(np.flipud(counts))  # datashader rows run south to north
        return density.binned_density(counts, city["kernel"], city["bandwidth_m"], cell)

    # pandas warns that a psycopg connection is not SQLAlchemy; read_sql works with it.
    warnings.filterwarnings("ignore", category=UserWarning, module="geopandas")
    timings, result = [], None
    for _ in range(2):
        elapsed, result = timed(run)
        timings.append(elapsed)
    difference = np.abs(result - ours.values).max() / ours.values.max()
    return min(timings), float(difference)


def _days(n: int):
    import datetime as dt

    return dt.timedelta(days=n)


if __name__ == "__main__":
    main()
