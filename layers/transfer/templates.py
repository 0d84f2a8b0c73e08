"""The SQL files under sql/, and querysets turned into SQL to compose with them."""

from functools import cache
from pathlib import Path

from django.db.models import QuerySet
from psycopg import sql

SQL_DIR = Path(__file__).with_name("sql")


@cache
def template(name: str) -> sql.SQL:
    """sql/<name>.sql, ready for psycopg.sql composition (identifiers) and bound parameters."""
    return sql.SQL((SQL_DIR / f"{name}.sql").read_text())


def queryset_sql(queryset: QuerySet, *fields: str) -> tuple[sql.SQL, list]:
    """A SELECT of these fields, as the ORM compiles it (with %s parameters), unordered."""
    query, params = queryset.order_by().values_list(*fields).query.sql_with_params()
    return sql.SQL(query), list(params)
