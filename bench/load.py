"""Concurrent clients against a gunicorn server for a fixed time, mixing what a city's users do.

    GISGOV_PG_PORT=55432 .venv/bin/python bench/load.py --scale 50 --duration 60

Migrates the database (building the demo county at --scale if it is missing), starts gunicorn,
and runs --clients threads for --duration seconds, each drawing at random:
  tiles  (45%)  a vector tile of incidents (z14) or buildings (z16) where features are;
  items  (30%)  an OGC API items page of incidents in a township's box (limit 100);
  stats  (10%)  grid workload statistics of a township (households, incidents per grid);
  writes (15%)  a new incident through the REST API (POST, a token with write scope).
Prints p50/p95/p99 and throughput per kind, then checks that every acknowledged write (201 with
an id) is in the database, and removes those rows. Errors are any answer other than the kind's
success status, or a connection failure. Prints last:
  RESULT load rps=<n> p99_ms=<n> errors=<n> lost=<n>
"""

import argparse
import http.client
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
MIX = (("tiles", 45), ("items", 30), ("stats", 10), ("writes", 15))

# Places where features are: the centres of incidents' and buildings' densest z14/z16 tiles.
TILES_SQL = """
SELECT x, y FROM (
    SELECT floor((ST_X(p) + 180) / 360 * 2 ^ %(z)s)::int AS x,
           floor((1 - ln(tan(radians(ST_Y(p))) + 1 / cos(radians(ST_Y(p)))) / pi()) / 2
                 * 2 ^ %(z)s)::int AS y
    FROM (SELECT {point} AS p FROM {table} TABLESAMPLE SYSTEM (10)) points
) tiles GROUP BY x, y ORDER BY count(*) DESC LIMIT 200
"""
TOWNSHIPS_SQL = """
SELECT code, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
FROM areas_adminarea WHERE level = 4 ORDER BY code
"""


def run(*args, env, capture=False):
    return subprocess.run(
        [str(a) for a in args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )


def prepare(scale: int, env: dict) -> str:
    """Migrates (and fills, if empty) the database; a token that may read and write."""
    run(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0", env=env)
    run(PYTHON, "manage.py", "demo_county", "--scale", scale, "--if-empty", env=env)
    run(
        PYTHON,
        "manage.py",
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.update_or_create(username='bench-load', "
        "defaults={'is_superuser': True, 'is_staff': True})",
        env=env,
    )
    output = run(
        PYTHON,
        "manage.py",
        "create_api_token",
        "--user",
        "bench-load",
        "--name",
        f"load {datetime.now(UTC):%Y-%m-%dT%H:%M:%S}",
        "--scope",
        "read",
        "--scope",
        "write",
        env=env,
        capture=True,
    )
    return output.stdout.strip().splitlines()[-1]


def database(env: dict):
    url = env.get("DATABASE_URL")
    if url:
        return psycopg.connect(url.replace("postgis://", "postgresql://", 1))
    return psycopg.connect(
        host="127.0.0.1",
        port=env.get("GISGOV_PG_PORT", "55432"),
        user="gisgov",
        dbname=env.get("GISGOV_DB_NAME", "gisgov"),
    )


class Workload:
    """What the clients ask for, drawn from the data."""

    def __init__(self, env: dict, token: str):
        with database(env) as db:
            self.incident_tiles = db.execute(
                TILES_SQL.format(point="location", table="incidents_incident"), {"z": 14}
            ).fetchall()
            self.building_tiles = db.execute(
                TILES_SQL.format(point="ST_PointOnSurface(footprint)", table="buildings_building"),
                {"z": 16},
            ).fetchall()
            self.townships = db.execute(TOWNSHIPS_SQL).fetchall()
        if not (self.incident_tiles and self.building_tiles and self.townships):
            raise SystemExit("the database has no incidents, buildings or townships to ask for")
        self.auth = {"Authorization": f"Bearer {token}"}

    def request(self, kind: str, rng: random.Random):
        """(method, path, body, the success status)."""
        if kind == "tiles":
            if rng.random() < 0.5:
                x, y = rng.choice(self.incident_tiles)
                return "GET", f"/tiles/incidents/14/{x}/{y}.mvt", None, (200, 204)
            x, y = rng.choice(self.building_tiles)
            return "GET", f"/tiles/buildings/16/{x}/{y}.mvt", None, (200, 204)
        code, west, south, east, north = rng.choice(self.townships)
        if kind == "items":
            width, height = (east - west) / 4, (north - south) / 4
            x, y = rng.uniform(west, east - width), rng.uniform(south, north - height)
            box = f"{x:.5f},{y:.5f},{x + width:.5f},{y + height:.5f}"
            return "GET", f"/ogc/collections/incidents/items?bbox={box}&limit=100", None, (200,)
        if kind == "stats":
            return "GET", f"/api/v1/grids/workload/?area={code}", None, (200,)
        lon = rng.uniform(west + (east - west) * 0.3, east - (east - west) * 0.3)
        lat = rng.uniform(south + (north - south) * 0.3, north - (north - south) * 0.3)
        body = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "category": "dispute",
                "subcategory": "neighbour",
                "source": "patrol",
                "title": "load test",
                "reported_at": datetime.now(UTC).isoformat(),
            },
        }
        return "POST", "/api/v1/incidents/", json.dumps(body), (201,)


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.error_samples = []
        self.written_ids = []

    def record(self, kind, seconds, ok, detail=None, written_id=None):
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(f"{kind}: {detail}")
            if written_id is not None:
                self.written_ids.append(written_id)


def client(port, workload, results, deadline, seed):
    rng = random.Random(seed)
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        method, path, body, success = workload.request(kind, rng)
        headers = dict(workload.auth)
        if body is not None:
            headers["Content-Type"] = "application/geo+json"
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            connection.close()
        except OSError as exc:
            results.record(kind, time.perf_counter() - started, False, repr(exc))
            continue
        elapsed = time.perf_counter() - started
        ok = response.status in success
        written = json.loads(content)["id"] if ok and kind == "writes" else None
        detail = None if ok else f"{response.status} {path} {content[:200]!r}"
        results.record(kind, elapsed, ok, detail, written)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


@contextmanager
def gunicorn(env: dict, port: int, workers: int):
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "gisgov.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/ogc/")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.3)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=18100)
    args = parser.parse_args()

    env = {
        **os.environ,
        "GISGOV_DB_NAME": os.environ.get("GISGOV_DB_NAME", f"gisgov_bench_demo_{args.scale}"),
        "GISGOV_ANONYMOUS_RATE": "0",
        "GISGOV_LOG_LEVEL": "WARNING",
    }
    token = prepare(args.scale, env)
    workload = Workload(env, token)
    results = Results()
    print(
        f"load: {args.clients} clients, {args.duration:.0f} s, gunicorn {args.workers} workers,"
        f" database {env['GISGOV_DB_NAME']}",
        flush=True,
    )
    with gunicorn(env, args.port, args.workers):
        deadline = time.monotonic() + args.duration
        started = time.monotonic()
        threads = [
            threading.Thread(target=client, args=(args.port, workload, results, deadline, n))
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

    with database(env) as db:
        found = db.execute(
            "SELECT count(*) FROM incidents_incident WHERE id = ANY(%s)", [results.written_ids]
        ).fetchone()[0]
        lost = len(results.written_ids) - found
        db.execute("DELETE FROM incidents_incident WHERE id = ANY(%s)", [results.written_ids])

    print(
        f"{'kind':<8}{'requests':>10}{'rps':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    )
    every = []
    for kind, _weight in MIX:
        values = results.latencies[kind]
        every += values
        if not values:
            continue
        print(
            f"{kind:<8}{len(values):>10}{len(values) / elapsed:>9.1f}"
            f"{percentile(values, 0.5) * 1000:>9.1f}{percentile(values, 0.95) * 1000:>9.1f}"
            f"{percentile(values, 0.99) * 1000:>9.1f}{results.errors[kind]:>8}"
        )
    errors = sum(results.errors.values())
    for sample in results.error_samples:
        print("error:", sample)
    print(f"acknowledged writes: {len(results.written_ids)}, found afterwards: {found}")
    p99 = percentile(every, 0.99) * 1000 if every else 0
    print(
        f"RESULT load rps={len(every) / elapsed:.1f} p99_ms={p99:.0f} errors={errors} lost={lost}"
    )
    return 0 if errors == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
