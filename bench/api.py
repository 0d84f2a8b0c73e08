"""The API's hot paths against tipg and against the database's own limit, on the same data.

    .venv/bin/python bench/api.py --scale 50

Builds the demo county at the given scale in a database of its own if it is missing, serves it
with gunicorn (ours) and uvicorn (tipg, installed in its own virtualenv under .data/), and times,
sequentially after a warm-up:
  (a) incidents items in the busiest township's bbox, limit=1000 (OGC API items);
  (b) the busiest z14 incidents tile and the busiest z16 buildings tile;
  (c) the same through tipg, and as raw SQL in one psycopg session.
Prints a table, then `RESULT api items_vs_tipg=<x> tiles_vs_tipg=<x> items_vs_sql=<x>` last.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
TIPG_VENV = ROOT / ".data" / "tipg-venv"
TIPG_VERSION = "1.6.1"
OUR_PORT, TIPG_PORT = 18000, 18001
ITEMS_LIMIT = 1000

BUSIEST_TOWNSHIP_SQL = """
SELECT t.code, ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)
FROM areas_adminarea t
JOIN areas_adminarea v ON v.parent_id = t.id
JOIN incidents_incident i ON i.area_id = v.id
WHERE t.level = 4 GROUP BY t.id ORDER BY count(*) DESC LIMIT 1
"""
# Tile column/row of every feature at zoom z (Web Mercator), the fullest first.
BUSIEST_TILE_SQL = """
SELECT x, y, count(*) FROM (
    SELECT floor((ST_X(p) + 180) / 360 * 2 ^ %(z)s)::int AS x,
           floor((1 - ln(tan(radians(ST_Y(p))) + 1 / cos(radians(ST_Y(p)))) / pi()) / 2
                 * 2 ^ %(z)s)::int AS y
    FROM (SELECT {point} AS p FROM {table}) points
) tiles GROUP BY x, y ORDER BY count(*) DESC LIMIT 1
"""
# The same answer our items page gives (properties with grid and village codes, numberMatched),
# written by hand: the database's own time for this request.
RAW_ITEMS_SQL = """
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', json_agg(json_build_object(
        'type', 'Feature', 'id', q.id, 'geometry', ST_AsGeoJSON(q.location, 7)::json,
        'properties', json_build_object(
            'category', q.category, 'subcategory', q.subcategory, 'source', q.source,
            'title', q.title, 'reported_at', q.reported_at, 'status', q.status,
            'level', q.level, 'priority', q.priority, 'deadline', q.deadline,
            'lead_department', q.lead_department_id, 'version', q.version,
            'grid', g.code, 'area', a.code))),
    'numberMatched', max(q.matched))
FROM (SELECT id, category, subcategory, source, title, reported_at, status, level, priority,
             deadline, lead_department_id, version, location, grid_id, area_id,
             count(*) OVER () AS matched
      FROM incidents_incident
      WHERE ST_Intersects(location, ST_MakeEnvelope(%s, %s, %s, %s, 4326))
      ORDER BY id LIMIT %s) q
LEFT JOIN grids_grid g ON g.id = q.grid_id
LEFT JOIN areas_adminarea a ON a.id = q.area_id
"""
RAW_TILE_SQL = """
SELECT ST_AsMVT(q, %(layer)s) FROM (
    SELECT id,
           ST_AsMVTGeom(ST_Transform({geometry}, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s))
               AS geom
    FROM {table}
    WHERE {geometry} && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4326)
) q
"""


def run(*args, env=None, capture=False):
    return subprocess.run(
        [str(a) for a in args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )


def ensure_county(scale: int, env: dict) -> None:
    if "DATABASE_URL" not in env:
        run(ROOT / "scripts" / "pg.sh", "start", env=env)
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    count = run(
        PYTHON,
        "manage.py",
        "shell",
        "-c",
        "from layers.buildings.models import Building; print(Building.objects.count())",
        env=env,
        capture=True,
    ).stdout.strip()
    # `shell -c` may print notices first; the count is the last line.
    if int(count.splitlines()[-1] if count else 0) < 15_000 * scale:
        print(f"building the scale-{scale} county (a few minutes at scale 50)…", flush=True)
        run(PYTHON, "manage.py", "demo_county", "--scale", scale, "--replace", env=env)


def bench_token(env: dict) -> str:
    run(
        PYTHON,
        "manage.py",
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.get_or_create(username='bench')",
        env=env,
    )
    return run(
        PYTHON,
        "manage.py",
        "create_api_token",
        "--user",
        "bench",
        "--name",
        "benchmark",
        "--scope",
        "read",
        env=env,
        capture=True,
    ).stdout.strip()


def ensure_tipg() -> Path:
    uvicorn = TIPG_VENV / "bin" / "uvicorn"
    if not uvicorn.exists():
        run(sys.executable, "-m", "venv", TIPG_VENV)
        run(TIPG_VENV / "bin" / "pip", "install", "-q", f"tipg=={TIPG_VERSION}", "uvicorn")
    return uvicorn


def wait_until_up(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _ = fetch(port, path)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server on port {port} did not come up")


@contextmanager
def serving(command: list, env: dict, port: int, ready_path: str):
    process = subprocess.Popen(
        [str(c) for c in command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, ready_path)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch(port: int, path: str, headers=None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def time_http(port: int, path: str, repeats: int, headers=None) -> tuple[float, bytes]:
    """Median seconds per request after two warm-up requests, and the last body."""
    for _ in range(2):
        status, body = fetch(port, path, headers)
        if status != 200:
            raise RuntimeError(f"GET :{port}{path} answered {status}: {body[:300]!r}")
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        _status, body = fetch(port, path, headers)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), body


def time_sql(connection, sql: str, params, repeats: int) -> float:
    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(sql, params)
            cursor.fetchall()
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    database = f"gisgov_bench_{args.scale}"
    env = {
        **os.environ,
        "GISGOV_DB_NAME": database,
        "GISGOV_DEBUG": "0",
        "GISGOV_ALLOWED_HOSTS": "127.0.0.1",
    }
    ensure_county(args.scale, env)
    token = bench_token(env)
    uvicorn = ensure_tipg()

    socket_dir = ROOT / ".data" / "run"
    port = env.get("GISGOV_PG_PORT", "55432")
    dsn = (
        env.get("DATABASE_URL") or f"postgresql://gisgov@/{database}?host={socket_dir}&port={port}"
    )
    tipg_env = {
        **os.environ,
        "DATABASE_URL": env.get(
            "DATABASE_URL", f"postgresql://gisgov@127.0.0.1:{port}/{database}"
        ).replace("postgis://", "postgresql://"),
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
    }

    # The session settings our web connections use (gisgov/env.py), so both do the same work.
    with psycopg.connect(dsn, options="-c max_parallel_workers_per_gather=0") as connection:
        township, *bbox = connection.execute(BUSIEST_TOWNSHIP_SQL).fetchone()
        incident_tile = connection.execute(
            BUSIEST_TILE_SQL.format(point="location", table="incidents_incident"), {"z": 14}
        ).fetchone()
        building_tile = connection.execute(
            BUSIEST_TILE_SQL.format(
                point="ST_PointOnSurface(footprint)", table="buildings_building"
            ),
            {"z": 16},
        ).fetchone()

        bbox_text = ",".join(f"{v:.6f}" for v in bbox)
        ours_items_path = f"/ogc/collections/incidents/items?bbox={bbox_text}&limit={ITEMS_LIMIT}"
        tipg_items_path = (
            f"/collections/public.incidents_incident/items?bbox={bbox_text}&limit={ITEMS_LIMIT}"
        )
        tiles = {
            "incidents z14": (
                "incidents",
                "incidents_incident",
                "location",
                14,
                *incident_tile[:2],
            ),
            "buildings z16": (
                "buildings",
                "buildings_building",
                "footprint",
                16,
                *building_tile[:2],
            ),
        }

        results = {}
        results["items", "sql"] = time_sql(
            connection, RAW_ITEMS_SQL, [*bbox, ITEMS_LIMIT], args.repeats
        )
        for name, (layer, table, geometry, z, x, y) in tiles.items():
            results[name, "sql"] = time_sql(
                connection,
                RAW_TILE_SQL.format(geometry=geometry, table=table),
                {"layer": layer, "z": z, "x": x, "y": y},
                args.repeats,
            )

    auth = {"Authorization": f"Bearer {token}"}
    gunicorn = [
        ROOT / ".venv" / "bin" / "gunicorn",
        "gisgov.wsgi",
        "--bind",
        f"127.0.0.1:{OUR_PORT}",
        "--workers",
        "2",
    ]
    with serving(gunicorn, env, OUR_PORT, "/ogc/"):
        results["items", "ours"], body = time_http(OUR_PORT, ours_items_path, args.repeats, auth)
        returned = json.loads(body)["numberReturned"]
        for name, (layer, _table, _geometry, z, x, y) in tiles.items():
            # Buildings are public: a web map reads them without a token, as it reads tipg.
            headers = auth if layer == "incidents" else None
            results[name, "ours"], _ = time_http(
                OUR_PORT, f"/tiles/{layer}/{z}/{x}/{y}.mvt", args.repeats, headers
            )

    tipg = [
        uvicorn,
        "tipg.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        TIPG_PORT,
        "--log-level",
        "warning",
    ]
    with serving(tipg, tipg_env, TIPG_PORT, "/collections"):
        results["items", "tipg"], body = time_http(TIPG_PORT, tipg_items_path, args.repeats)
        tipg_returned = json.loads(body)["numberReturned"]
        for name, (_layer, table, _geometry, z, x, y) in tiles.items():
            path = f"/collections/public.{table}/tiles/WebMercatorQuad/{z}/{x}/{y}"
            results[name, "tipg"], _ = time_http(TIPG_PORT, path, args.repeats)

    print(
        f"scale {args.scale}; township {township}; bbox {bbox_text}; {returned} features "
        f"(tipg {tipg_returned}); incidents tile 14/{incident_tile[0]}/{incident_tile[1]} "
        f"({incident_tile[2]} incidents); buildings tile 16/{building_tile[0]}/{building_tile[1]} "
        f"({building_tile[2]} buildings); median of {args.repeats} sequential requests"
    )
    print(
        f"{'request':<16} {'ours ms':>9} {'tipg ms':>9} {'raw SQL ms':>11} {'ours/sql':>9}"
        f" {'ours vs tipg':>13}"
    )
    for name in ["items", *tiles]:
        ours, tipg_time, sql = (results[name, who] for who in ("ours", "tipg", "sql"))
        print(
            f"{name:<16} {ours * 1e3:>9.1f} {tipg_time * 1e3:>9.1f} {sql * 1e3:>11.1f} "
            f"{ours / sql:>9.2f} {tipg_time / ours:>12.2f}x"
        )
    items_vs_tipg = (returned / results["items", "ours"]) / (
        tipg_returned / results["items", "tipg"]
    )
    tiles_vs_tipg = statistics.geometric_mean(
        [results[name, "tipg"] / results[name, "ours"] for name in tiles]
    )
    items_vs_sql = results["items", "ours"] / results["items", "sql"]
    print(
        f"features/s: ours {returned / results['items', 'ours']:,.0f}, "
        f"tipg {tipg_returned / results['items', 'tipg']:,.0f}"
    )
    print(
        f"RESULT api items_vs_tipg={items_vs_tipg:.2f} tiles_vs_tipg={tiles_vs_tipg:.2f} "
        f"items_vs_sql={items_vs_sql:.2f}"
    )


if __name__ == "__main__":
    main()
