"""Installing the audit triggers on every table of tables.AUDITED that exists."""

from django.apps import apps
from django.db import connections
from django.db.models.constants import LOOKUP_SEP
from psycopg import sql

from layers.audit.tables import AUDITED
from layers.common.sql import template


def audited_models():
    """The installed models of AUDITED with their lookup to an AdminArea ("" if none)."""
    for label, area_lookup in AUDITED.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        yield model, area_lookup or ""


def area_id_expression(model, area_lookup: str) -> sql.Composable:
    """SQL giving the AdminArea id of a changed row `data` (jsonb): the row's own column
    (`village`), or the last column reached through its parents (`case__village`: the
    village of the claim's case)."""
    if not area_lookup:
        return sql.SQL("")
    fields = []
    for name in area_lookup.split(LOOKUP_SEP):
        field = model._meta.get_field(name)
        fields.append(field)
        model = field.related_model
    first, *parents = fields
    expression = sql.SQL("(data ->> {})::bigint").format(sql.Literal(first.column))
    if not parents:
        return expression
    # Each parent table joined on the key the previous column points to.
    joins = []
    previous = first
    for index, field in enumerate(parents):
        alias = sql.Identifier(f"hop{index}")
        table = sql.Identifier(field.model._meta.db_table)
        key = sql.Identifier(previous.target_field.column)
        if index == 0:
            joins.append(sql.SQL("{} {}").format(table, alias))
            condition = sql.SQL("{}.{} = {}").format(alias, key, expression)
        else:
            joins.append(
                sql.SQL("JOIN {} {} ON {}.{} = {}.{}").format(
                    table,
                    alias,
                    alias,
                    key,
                    sql.Identifier(f"hop{index - 1}"),
                    sql.Identifier(previous.column),
                )
            )
        previous = field
    return sql.SQL("(SELECT {}.{} FROM {} WHERE {})").format(
        sql.Identifier(f"hop{len(parents) - 1}"),
        sql.Identifier(previous.column),
        sql.SQL(" ").join(joins),
        condition,
    )


def install_triggers(sender=None, using="default", **kwargs):
    if sender is not None and sender.label != "audit":
        return  # once per migrate: the audit app's signal comes after the tables exist
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if "audit_change" not in existing:
        return
    with connection.cursor() as cursor:
        # The function too: an upgraded function reaches existing databases with the next migrate.
        cursor.execute(template("audit", "audit_function"))
        for model, area_lookup in audited_models():
            if model._meta.db_table not in existing:
                continue
            area_id = area_id_expression(model, area_lookup).as_string(cursor.connection)
            statement = template("audit", "install_triggers").format(
                table=sql.Identifier(model._meta.db_table), area_id=sql.Literal(area_id)
            )
            cursor.execute(statement)
