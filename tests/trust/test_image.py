"""The production image without a Docker engine: the files docker/Dockerfile copies, laid out as
the image lays them out, served by gunicorn behind the real nginx with docker/nginx.conf (only
the addresses changed). It catches a file the image forgets to copy, a broken nginx
configuration, and a tile cache that keeps what it must not or loses what it should keep."""

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import requests
from django.db import connection

from layers.access.services import api_token_create
from tests import factories as f
from tests.servers import free_port, gunicorn, wait_until_answering
from tests.tiles.conftest import tile_url

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is installed by scripts/sysdeps.sh"),
]


def _copy_like_the_dockerfile(app: Path) -> None:
    """Every `COPY source destination` of the Dockerfile (its build context is the repository)."""
    copies = re.findall(r"^COPY (\S+) (\S+)$", (DOCKER / "Dockerfile").read_text(), re.MULTILINE)
    assert copies, "the Dockerfile copies nothing"
    for source, destination in copies:
        target = app / destination
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / source, target)


def _nginx_config(tmp: Path, web_url: str, port: int, static_root: Path) -> Path:
    site = (DOCKER / "nginx.conf").read_text()
    replacements = {
        "server web:8000;": f"server {web_url.removeprefix('http://')};",
        "listen 80;": f"listen 127.0.0.1:{port};",
        "/var/cache/nginx/tiles": str(tmp / "tiles"),
        "alias /static/;": f"alias {static_root}/;",
    }
    for old, new in replacements.items():
        assert old in site, f"docker/nginx.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    (tmp / "site.conf").write_text(site)
    main = tmp / "nginx.conf"
    main.write_text(
        textwrap.dedent(
            f"""\
            {"user root;" if os.geteuid() == 0 else ""}
            worker_processes 1;
            pid {tmp}/nginx.pid;
            error_log {tmp}/error.log;
            events {{ worker_connections 64; }}
            http {{
                include /etc/nginx/mime.types;
                access_log off;
                client_body_temp_path {tmp}/body;
                proxy_temp_path {tmp}/proxy;
                include {tmp}/site.conf;
            }}
            """
        )
    )
    return main


def test_the_image_layout_serves_behind_nginx_with_its_tile_cache(tmp_path, django_user_model):
    f.small_county()
    admin = django_user_model.objects.create_superuser("image-admin", password="x")
    _token, key = api_token_create(user=admin, name="image", scopes=["read"])
    app = tmp_path / "app"
    _copy_like_the_dockerfile(app)
    settings = connection.settings_dict
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GISGOV_", "DATABASE_URL"))
    }
    env.update(
        GISGOV_PG_PORT=str(settings["PORT"]),
        GISGOV_DB_NAME=settings["NAME"],
        GISGOV_SECRET_KEY="image-test-secret-key-that-is-long-enough-to-pass-checks",
        GISGOV_DEBUG="0",
        GISGOV_TRUSTED_PROXIES="127.0.0.1",
        GISGOV_ANONYMOUS_RATE="0",
        GISGOV_MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    # The same step as the Dockerfile's, run in the copied tree: it must find everything there.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=app,
        env=env,
        check=True,
    )
    where = subprocess.run(
        [sys.executable, "-c", "import gisgov, layers; print(gisgov.__file__, layers.__file__)"],
        cwd=app,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.count(str(app)) == 2, f"the copied tree is not what runs: {where}"
    static_root = app / ".data" / "staticfiles"
    assert (static_root / "console" / "common.js").exists()

    port = free_port()
    for folder in ("tiles", "body", "proxy"):
        (tmp_path / folder).mkdir()
    with gunicorn(env, cwd=app) as (web_url, web):
        config = _nginx_config(tmp_path, web_url, port, static_root)
        checked = subprocess.run(
            [NGINX, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(tmp_path), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answering(f"{base}/nginx-health", nginx)

            page = requests.get(f"{base}/login/", timeout=10)
            assert page.status_code == 200 and "Content-Security-Policy" in page.headers
            script = requests.get(f"{base}/static/console/common.js", timeout=10)
            assert script.status_code == 200 and "public" in script.headers["Cache-Control"]
            assert requests.get(f"{base}/media/anything.jpg", timeout=10).status_code == 404

            public = f"{base}{tile_url('areas', f.LON, f.LAT, 10)}"
            first, second = (requests.get(public, timeout=10) for _ in range(2))
            assert first.status_code == second.status_code == 200
            assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == (
                "MISS",
                "HIT",
            )
            assert first.content == second.content

            # Incidents are never public: nginx must ask the app every time, credential and all.
            private = f"{base}{tile_url('incidents', f.LON, f.LAT, 14)}"
            bearer = {"Authorization": f"Bearer {key}"}
            answers = [requests.get(private, headers=bearer, timeout=10) for _ in range(2)]
            assert [a.status_code for a in answers] == [200, 200]
            assert all(a.headers["X-Cache-Status"] != "HIT" for a in answers)
            assert requests.get(private, timeout=10).status_code == 401

            # With the web server gone, the cached public tile is still served; nothing else is.
            web.send_signal(signal.SIGTERM)
            web.wait(timeout=30)
            kept = requests.get(public, timeout=10)
            assert kept.status_code == 200 and kept.content == first.content
            assert requests.get(private, headers=bearer, timeout=10).status_code == 502
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)
