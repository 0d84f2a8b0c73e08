"""The database router with a real streaming replica: a second cluster made by
`pg_basebackup -R` from the test cluster. Reads go to the replica; a writing request reads its
own writes from the primary, and so does the same client for a moment afterwards."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from layers.access.services import api_token_create
from layers.keysites.models import KeySite
from tests import factories as f
from tests.factories import LAT, LON
from tests.servers import free_port, gunicorn

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(*command) -> list[str]:
    command = [str(part) for part in command]
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def replica():
    """A hot standby of the test cluster on a port of its own; its port."""
    if not (PG_BIN / "pg_basebackup").exists():
        pytest.skip("PostgreSQL 15 server binaries are not installed")
    base = Path(tempfile.mkdtemp(prefix="gisgov-replica-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, port = base / "pg", free_port()
    primary_port = connection.settings_dict["PORT"]
    subprocess.run(
        _as_postgres(
            PG_BIN / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            primary_port,
            "-U",
            "gisgov",
            "-D",
            data,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_postgres(
            PG_BIN / "pg_ctl",
            "-D",
            data,
            "-l",
            base / "log",
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {base} -c shared_buffers=128MB",
            "start",
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield port
    finally:
        subprocess.run(
            _as_postgres(PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"),
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def _on_replica(port, sql, params=()):
    with psycopg.connect(
        host="127.0.0.1",
        port=port,
        user="gisgov",
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    ) as db:
        return db.execute(sql, params).fetchone()


def _wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail("timed out waiting for the replica")


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_and_a_writer_reads_its_writes(replica, django_user_model):
    f.small_county()
    user = django_user_model.objects.create_superuser("router", email=None, password=None)
    token, key = api_token_create(user=user, name="router", scopes=["read", "write"])
    assert _on_replica(replica, "SELECT pg_is_in_recovery()")[0]
    _wait_for(
        lambda: (
            _on_replica(replica, "SELECT count(*) FROM access_apitoken WHERE id = %s", [token.pk])[
                0
            ]
            == 1
        )
    )

    settings = connection.settings_dict
    env = {
        **os.environ,
        "GISGOV_PG_PORT": str(settings["PORT"]),
        "GISGOV_DB_NAME": settings["NAME"],
        "GISGOV_REPLICA_URL": f"postgis://gisgov@127.0.0.1:{replica}/{settings['NAME']}",
        "GISGOV_ANONYMOUS_RATE": "0",
    }
    auth = {"Authorization": f"Bearer {key}"}
    with gunicorn(env, workers=1) as (base_url, _server):
        try:
            # The token's first use records it (a write: that request then reads the primary).
            assert requests.get(f"{base_url}/api/v1/key-sites/", headers=auth).status_code == 200
            _on_replica(replica, "SELECT pg_wal_replay_pause()")
            hidden = KeySite.objects.create(
                name="written on the primary only",
                kind="school",
                location=f"SRID=4326;POINT({LON} {LAT})",
            )
            listed = requests.get(f"{base_url}/api/v1/key-sites/?limit=1000", headers=auth).json()
            assert hidden.pk not in {feature["id"] for feature in listed["features"]}, (
                "a plain read was not served by the (paused) replica"
            )

            payload = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
                "properties": {
                    "category": "dispute",
                    "subcategory": "land",
                    "source": "patrol",
                    "title": "written through the router",
                    "reported_at": "2025-06-01T08:00:00+08:00",
                },
            }
            writer = requests.Session()
            created = writer.post(f"{base_url}/api/v1/incidents/", json=payload, headers=auth)
            # 201 means the request re-read its new row (and checked its scope) on the primary.
            assert created.status_code == 201, created.text
            incident = created.json()["id"]
            assert "gisgov_primary" in writer.cookies
            assert (
                writer.get(f"{base_url}/api/v1/incidents/{incident}/", headers=auth).status_code
                == 200
            )
            stranger = requests.get(f"{base_url}/api/v1/incidents/{incident}/", headers=auth)
            assert stranger.status_code == 404  # another client reads the replica, still paused

            _on_replica(replica, "SELECT pg_wal_replay_resume()")
            _wait_for(
                lambda: (
                    requests.get(
                        f"{base_url}/api/v1/incidents/{incident}/", headers=auth
                    ).status_code
                    == 200
                )
            )
        finally:
            _on_replica(replica, "SELECT pg_wal_replay_resume()")
