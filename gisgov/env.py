"""The one place settings are read from the environment; a bad value stops start-up, named."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def replica_config() -> dict | None:
    """DATABASES["replica"] from GISGOV_REPLICA_URL (a streaming replica), or None."""
    import dj_database_url

    url = os.environ.get("GISGOV_REPLICA_URL")
    if not url:
        return None
    if not url.startswith(("postgis://", "postgres://", "postgresql://")):
        raise ImproperlyConfigured("GISGOV_REPLICA_URL must be a postgis:// or postgres:// URL")
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    config["OPTIONS"] = {"options": "-c max_parallel_workers_per_gather=0"}
    # Tests run against the default database only: the replica alias mirrors it there.
    config["TEST"] = {"MIRROR": "default"}
    return config


def database_config() -> dict:
    """DATABASE_URL when set, else the project-local cluster started by scripts/pg.sh.

    The local cluster is reached over loopback TCP rather than its socket, whose folder may
    have been moved out of the checkout (see scripts/pg.sh).
    """
    import dj_database_url

    url = os.environ.get("DATABASE_URL")
    if url:
        if not url.startswith(("postgis://", "postgres://", "postgresql://")):
            raise ImproperlyConfigured("DATABASE_URL must be a postgis:// or postgres:// URL")
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {
            "NAME": env_str("GISGOV_DB_NAME", "gisgov"),
            "USER": "gisgov",
            "HOST": "127.0.0.1",
            "PORT": env_str("GISGOV_PG_PORT", "55432"),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    # Web requests are short: starting parallel workers costs more than it saves (measured in
    # bench/api.py); analyses that want parallelism set it for their own transaction.
    config.setdefault("OPTIONS", {})["options"] = "-c max_parallel_workers_per_gather=0"
    return config
