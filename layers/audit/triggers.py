"""Installing the audit triggers on every table of tables.AUDITED that exists."""

from django.apps import apps
from django.db import connections
from psycopg import sql

from layers.audit.tables import AUDITED
from layers.common.sql import template


def audited_models():
    """The installed models of AUDITED with the column naming their AdminArea ("" if none)."""
    for label, area_field in AUDITED.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        yield model, model._meta.get_field(area_field).column if area_field else ""


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
        for model, area_column in audited_models():
            if model._meta.db_table not in existing:
                continue
            statement = template("audit", "install_triggers").format(
                table=sql.Identifier(model._meta.db_table), area_column=sql.Literal(area_column)
            )
            cursor.execute(statement)
