"""docker/: the compose file has what a deployment needs (PostGIS, gunicorn web, procrastinate
worker, nginx with a tile cache, healthchecks, volumes); `docker compose config` validates it
where Docker Compose is installed (the v2 plugin or the standalone docker-compose; no engine
is needed)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yml").read_text())


def test_compose_has_the_services_a_deployment_needs(compose):
    services = compose["services"]
    assert {"db", "migrate", "web", "worker", "nginx"} <= set(services)
    assert services["db"]["image"].startswith("postgis/postgis:15")
    assert "gunicorn gisgov.wsgi" in services["web"]["command"]
    assert "procrastinate worker" in services["worker"]["command"]
    assert services["nginx"]["image"].startswith("nginx:")
    for name in ("db", "web", "worker", "nginx"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    # Web waits for a healthy database and for the migrations; nginx for a healthy web.
    web_needs = services["web"]["depends_on"]
    assert web_needs["db"]["condition"] == "service_healthy"
    assert web_needs["migrate"]["condition"] == "service_completed_successfully"
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_every_named_volume_is_declared_and_state_lives_only_in_volumes(compose):
    declared = set(compose["volumes"])
    used = set()
    for service in compose["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                used.add(source)
    assert used <= declared and {"pgdata", "media", "tilecache", "static"} <= used
    assert "media:/media" in compose["services"]["worker"]["volumes"]  # jobs write uploads


def test_the_app_is_configured_from_the_environment_with_a_required_secret(compose):
    env = compose["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgis://") and "@db:5432/" in env["DATABASE_URL"]
    assert ":?" in env["GISGOV_SECRET_KEY"]  # compose refuses to start without one
    assert env["GISGOV_DEBUG"] == "0"
    nginx_address = compose["services"]["nginx"]["networks"]["default"]["ipv4_address"]
    assert nginx_address in env["GISGOV_TRUSTED_PROXIES"]


def test_nginx_caches_tiles_passes_the_client_address_and_hides_uploads():
    conf = (DOCKER / "nginx.conf").read_text()
    assert re.search(r"proxy_cache_path \S+ .*keys_zone=tiles:", conf)
    tiles = conf[conf.index("location /tiles/") :]
    tiles = tiles[: tiles.index("}")]
    assert "proxy_cache tiles;" in tiles and "proxy_cache_use_stale" in tiles
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf
    media = conf[conf.index("location /media/") :]
    assert "return 404;" in media[: media.index("}")]
    assert "server web:8000;" in conf


def test_the_image_runs_gunicorn_as_an_unprivileged_user():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert re.search(r"^USER gisgov$", dockerfile, re.MULTILINE)
    assert "gunicorn" in dockerfile and "libgdal" in dockerfile


def _compose_command() -> list[str] | None:
    """`docker compose` (the v2 plugin), else the standalone `docker-compose`, else None."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def test_docker_compose_config_accepts_the_file():
    command = _compose_command()
    if command is None:
        pytest.skip("no docker compose on this machine; the YAML checks above still ran")
    result = subprocess.run(
        [*command, "-f", str(DOCKER / "compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, "GISGOV_SECRET_KEY": "validation-only"},
    )
    assert result.returncode == 0, result.stderr
