"""Named SQL files: each app keeps its heavy queries in its own sql/ folder, loaded here."""

from functools import cache
from pathlib import Path

from psycopg import sql

LAYERS_DIR = Path(__file__).resolve().parent.parent


@cache
def template(app: str, name: str) -> sql.SQL:
    """layers/<app>/sql/<name>.sql, ready for psycopg.sql composition and bound parameters."""
    return sql.SQL((LAYERS_DIR / app / "sql" / f"{name}.sql").read_text())
