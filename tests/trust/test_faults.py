"""Faults: PostgreSQL restarted under load (clean 503s, then recovery by itself), an import
and a balancing plan's application killed half-way (nothing written), and `make backup` /
`make restore` round-tripping the database and the uploaded files."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from layers.audit.models import Change
from layers.balancing.models import Plan, PlanStatus
from layers.balancing.services import grid_plan_create
from layers.grids.models import GridStaff
from layers.keysites.models import KeySite
from tests import factories as f
from tests.balancing.conftest import lattice, two_grids, village  # noqa: F401 (fixtures)
from tests.servers import ROOT, free_port, gunicorn

SERVED = {200, 204}  # 204: an empty tile
PG = ROOT / "scripts" / "pg.sh"


def _db_env(**extra) -> dict:
    settings = connection.settings_dict
    return {
        **os.environ,
        "GISGOV_PG_PORT": str(settings["PORT"]),
        "GISGOV_DB_NAME": settings["NAME"],
        **extra,
    }


def _admin_connection(port=None):
    port = port or connection.settings_dict["PORT"]
    return psycopg.connect(
        host="127.0.0.1", port=port, user="gisgov", dbname="postgres", autocommit=True
    )


def _fingerprint(dbname: str, port=None) -> dict:
    """Row counts and a digest of every geometry of the tables a restore must bring back."""
    port = port or connection.settings_dict["PORT"]
    tables = {
        "areas_adminarea": "geom",
        "grids_grid": "geom",
        "buildings_building": "footprint",
        "incidents_incident": "location",
        "cameras_camerasite": "location",
    }
    result = {}
    with psycopg.connect(host="127.0.0.1", port=port, user="gisgov", dbname=dbname) as db:
        for table, column in tables.items():
            result[table] = db.execute(
                f"SELECT count(*), md5(coalesce(string_agg(ST_AsEWKB({column})::text, ','"
                f" ORDER BY id), '')) FROM {table}"
            ).fetchone()
        result["audit_change"] = db.execute("SELECT count(*) FROM audit_change").fetchone()
    return result


@pytest.mark.django_db(transaction=True)
def test_make_backup_and_restore_round_trip_database_and_uploads(tmp_path):
    f.small_county()
    media = tmp_path / "media"
    (media / "evidence" / "2025").mkdir(parents=True)
    photo = media / "evidence" / "2025" / "photo.jpg"
    photo.write_bytes(os.urandom(4096))
    archive = tmp_path / "backup.tar"
    source = connection.settings_dict["NAME"]
    subprocess.run(
        ["make", "-s", "backup", f"BACKUP={archive}"],
        cwd=ROOT,
        env=_db_env(GISGOV_MEDIA_ROOT=str(media)),
        check=True,
        capture_output=True,
    )
    assert archive.stat().st_size > 0 and not Path(f"{archive}.partial").exists()

    target = f"{source}_restored"
    restored_media = tmp_path / "restored-media"
    restored_media.mkdir()
    (restored_media / "stale.txt").write_text("left from before")
    with _admin_connection() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {target}")
        admin.execute(f"CREATE DATABASE {target}")
    try:
        restore_env = _db_env(GISGOV_DB_NAME=target, GISGOV_MEDIA_ROOT=str(restored_media))
        for _ in range(2):  # into an empty database, then over the restored one (--clean)
            done = subprocess.run(
                ["make", "-s", "restore", f"BACKUP={archive}"],
                cwd=ROOT,
                env=restore_env,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            assert _fingerprint(target) == _fingerprint(source)
        assert (restored_media / "evidence" / "2025" / "photo.jpg").read_bytes() == (
            photo.read_bytes()
        )
        assert not (restored_media / "stale.txt").exists()
    finally:
        with _admin_connection() as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar"
    subprocess.run(["tar", "-cf", str(bogus), "-C", str(tmp_path), "."], check=True)
    done = subprocess.run(
        ["scripts/backup.sh", "restore", str(bogus)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode != 0 and "not a gisgov backup" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_writes_nothing(tmp_path):
    f.small_county()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [114.3 + i * 1e-6, 34.5]},
            "properties": {"name": f"site {i}", "kind": "entrance"},
        }
        for i in range(300_000)
    ]
    source = tmp_path / "sites.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    before = KeySite.objects.count()
    changes_before = Change.objects.count()
    marker = f"gisgov-import-{os.getpid()}"
    importer = subprocess.Popen(
        [sys.executable, "manage.py", "import_layer", str(source), "--layer", "key-sites"],
        cwd=ROOT,
        env=_db_env(PGAPPNAME=marker),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Killed once its transaction has begun writing (the staging copy is under way).
    _kill_once_writing(
        importer,
        marker,
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        " AND xact_start IS NOT NULL AND backend_xid IS NOT NULL",
        settle=0.3,
    )
    assert KeySite.objects.count() == before
    assert Change.objects.count() == changes_before


def _kill_once_writing(
    process, marker: str, writing_sql: str, *, settle: float = 0, after_kill=lambda: None
) -> None:
    """SIGKILLs `process` (connected as application_name `marker`) once `writing_sql` counts
    it as having written in its transaction, then (after `after_kill`, e.g. releasing a lock
    its server process waits on) waits until the server has rolled it back."""
    try:
        deadline = time.monotonic() + 120
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(writing_sql, [marker])
                if cursor.fetchone()[0]:
                    break
                assert process.poll() is None, "it ended before it could be killed"
                time.sleep(0.05)
            else:
                pytest.fail("it never started writing")
        time.sleep(settle)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        after_kill()
        with connection.cursor() as cursor:
            for _ in range(200):  # the server notices the dead client and rolls back
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [marker]
                )
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.1)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL


def _grids_state() -> dict:
    """Everything applying a plan changes: grid versions, staff, each building's grid, plans."""
    queries = {
        "grids": "SELECT id, code, valid_from, valid_to, md5(ST_AsEWKB(geom)::text)"
        " FROM grids_grid ORDER BY id",
        "staff": "SELECT grid_id, user_id, role FROM grids_gridstaff ORDER BY grid_id, user_id",
        "buildings": "SELECT id, grid_id FROM buildings_building ORDER BY id",
        "plans": "SELECT p.id, p.status, p.decided_at, array_agg(g.created_grid_id ORDER BY g.id)"
        " FROM balancing_plan p JOIN balancing_plangrid g ON g.plan_id = p.id GROUP BY p.id",
        "audit": "SELECT count(*) FROM audit_change",
    }
    with connection.cursor() as cursor:
        state = {}
        for name, query in queries.items():
            cursor.execute(query)
            state[name] = cursor.fetchall()
        return state


@pytest.mark.django_db(transaction=True)
def test_a_plan_application_killed_half_way_changes_no_grid(two_grids, django_user_model):  # noqa: F811
    west, _east = two_grids
    buildings = lattice(lambda i, j: 13 if i < 5 else 10)
    head = django_user_model.objects.create_user("head-west")
    GridStaff.objects.create(grid=west, user=head, role="head")
    plan = grid_plan_create(
        parent=west.village,
        target_kind="grids",
        target_value=2,
        weights={"per_weighted_incident": 0, "per_km2": 0, "per_km_travel": 0},
        from_current=True,
    )
    before = _grids_state()
    marker = f"gisgov-apply-{os.getpid()}"
    apply = [
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        "from layers.balancing.models import Plan;"
        "from layers.balancing.services import grid_plan_apply;"
        f"grid_plan_apply(plan=Plan.objects.get(pk={plan.pk}))",
    ]
    # A building row held by another transaction: the application stops on it once it has
    # closed the old grids (their relocation trigger moves the buildings), i.e. half-way.
    settings = connection.settings_dict
    blocker = psycopg.connect(
        host="127.0.0.1", port=settings["PORT"], user="gisgov", dbname=settings["NAME"]
    )
    blocker.execute("SELECT 1 FROM buildings_building WHERE id = %s FOR UPDATE", [buildings[0].pk])
    applier = subprocess.Popen(
        apply,
        cwd=ROOT,
        env=_db_env(PGAPPNAME=marker),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _kill_once_writing(
            applier,
            marker,
            "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l USING (pid)"
            " WHERE a.application_name = %s AND a.wait_event_type = 'Lock'"
            " AND l.relation = 'grids_grid'::regclass AND l.mode = 'RowExclusiveLock'"
            " AND l.granted",
            after_kill=blocker.rollback,
        )
    finally:
        blocker.close()
    assert _grids_state() == before
    assert Plan.objects.get().status == PlanStatus.DRAFT

    # The plan was left as it was: applied again, it works.
    done = subprocess.run(apply, cwd=ROOT, env=_db_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert Plan.objects.get().status == PlanStatus.APPLIED
    after = _grids_state()
    assert len(after["grids"]) == len(before["grids"]) + 2
    west_row = next(row for row in after["grids"] if row[0] == west.pk)
    assert west_row[3] is not None  # the old version closed
    assert after["buildings"] != before["buildings"]


class Load:
    """Clients reading through a live gunicorn: every outcome recorded, none retried."""

    PATHS = ("/api/v1/areas/", "/ogc/collections/grids/items", "/tiles/areas/10/837/407.mvt")

    def __init__(self, base_url: str, clients: int = 4):
        self.base_url = base_url
        self.stop = threading.Event()
        self.outcomes: list[tuple[float, str, int, str]] = []
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(clients)]

    def _run(self, number: int):
        session = requests.Session()
        turn = number
        while not self.stop.is_set():
            path = self.PATHS[turn % len(self.PATHS)]
            turn += 1
            try:
                response = session.get(self.base_url + path, timeout=10)
                body = response.text if response.status_code not in SERVED else ""
                self.outcomes.append((time.monotonic(), path, response.status_code, body))
            except requests.RequestException as exc:
                self.outcomes.append((time.monotonic(), path, -1, repr(exc)))
            time.sleep(0.01)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


@pytest.mark.django_db(transaction=True)
def test_postgres_restarted_under_load_gives_clean_503s_and_recovers(tmp_path):
    """A cluster of the test's own (a copy of the test database), a gunicorn serving it, and
    PostgreSQL stopped and started while clients read."""
    f.small_county()
    port = free_port()
    cluster_env = {
        **os.environ,
        "GISGOV_DATA_DIR": str(tmp_path / "cluster"),
        "GISGOV_PG_PORT": str(port),
        "GISGOV_DB_NAME": "gisgov_faults",
    }
    subprocess.run([str(PG), "start"], env=cluster_env, check=True, capture_output=True)
    cluster_dir = Path(
        subprocess.run(
            [str(PG), "socket-dir"], env=cluster_env, check=True, capture_output=True, text=True
        ).stdout.strip()
    ).parent
    try:
        dump = subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "-h",
                "127.0.0.1",
                "-p",
                str(connection.settings_dict["PORT"]),
                "-U",
                "gisgov",
                connection.settings_dict["NAME"],
            ],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "gisgov",
                "-d",
                "gisgov_faults",
            ],
            input=dump,
            check=True,
            capture_output=True,
        )
        env = {**cluster_env, "GISGOV_ANONYMOUS_RATE": "0", "GISGOV_LOG_LEVEL": "CRITICAL"}
        with gunicorn(env) as (base_url, _server), Load(base_url) as load:
            time.sleep(2)
            subprocess.run([str(PG), "stop"], env=cluster_env, check=True, capture_output=True)
            stopped_at = time.monotonic()
            time.sleep(3)
            restarting_at = time.monotonic()
            subprocess.run([str(PG), "start"], env=cluster_env, check=True, capture_output=True)
            started_at = time.monotonic()
            time.sleep(6)

        statuses = {status for _at, _path, status, _body in load.outcomes}
        assert statuses <= {200, 503}, sorted(
            {
                (status, body[:200])
                for _a, _p, status, body in load.outcomes
                if status not in (200, 503)
            }
        )
        down = [o for o in load.outcomes if stopped_at + 0.5 < o[0] < restarting_at]
        assert down and all(o[2] == 503 for o in down)
        assert all(json.loads(o[3])["detail"] for o in load.outcomes if o[2] == 503)
        recovered = [o for o in load.outcomes if o[0] > started_at + 3]
        late = [(round(o[0] - started_at, 1), o[1], o[2]) for o in recovered if o[2] not in SERVED]
        assert recovered and not late, f"did not recover by itself: {late[:10]}"
        assert {o[1] for o in recovered} == set(Load.PATHS)
    finally:
        subprocess.run([str(PG), "stop"], env=cluster_env, capture_output=True)
        subprocess.run(["rm", "-rf", str(cluster_dir)], check=False)
