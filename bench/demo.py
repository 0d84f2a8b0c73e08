"""What most benchmarks start from: a database of their own in the project's PostGIS cluster
(or DATABASE_URL's), migrated, holding the demo county at a scale, and Django set up on it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def prepare_database(name: str) -> None:
    """GISGOV_DB_NAME=name, created (with PostGIS) and migrated."""
    os.environ["GISGOV_DB_NAME"] = name
    if "DATABASE_URL" not in os.environ:
        subprocess.run([str(ROOT / "scripts" / "pg.sh"), "start"], check=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)


def load_demo(*, scale: int, seed: int = 1) -> subprocess.CompletedProcess:
    """The demo county at this scale, unless the database holds it already (the output says
    "loaded in" only when it loaded)."""
    return subprocess.run(
        [PYTHON, "manage.py", "demo_county", "--if-empty", f"--seed={seed}", f"--scale={scale}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisgov.settings")
    import django

    django.setup()
