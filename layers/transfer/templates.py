"""The SQL files under sql/, and querysets turned into SQL to compose with them."""

from functools import partial

from django.db.models import QuerySet
from psycopg import sql

from layers.common.sql import template as app_template

template = partial(app_template, "transfer")


def queryset_sql(queryset: QuerySet, *fields: str) -> tuple[sql.SQL, list]:
    """A SELECT of these fields, as the ORM compiles it (with %s parameters), unordered."""
    query, params = queryset.order_by().values_list(*fields).query.sql_with_params()
    return sql.SQL(query), list(params)
