"""The import's database side: features COPYed into temporary staging tables, typed and checked
there in SQL, then inserted in one statement. The SQL is in sql/*.sql; this module composes it
for a layer (identifiers quoted by psycopg.sql, values always bound as parameters).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg import sql
from psycopg.types.json import Jsonb

from layers.common.constants import STORAGE_SRID
from layers.common.crs import LONLAT_SRIDS, SourceCRS
from layers.incidents.models import Incident
from layers.incidents.partitions import incidents_partitions_ensure_for
from layers.transfer.errors import ImportRejected, RowProblem
from layers.transfer.readers import SourceRow
from layers.transfer.specs import FieldKind, FieldSpec, LayerSpec
from layers.transfer.templates import queryset_sql, template

COPY_RAW = "COPY transfer_raw (row_number, geometry_wkb, read_error, attributes) FROM STDIN"
REPAIRED_ROWS = """
SELECT row_number, repaired FROM transfer_rows WHERE repaired IS NOT NULL ORDER BY row_number
"""
KNOWN_SRID = "SELECT 1 FROM spatial_ref_sys WHERE srid = %s"
# Autovacuum never analyses temporary tables: without statistics the checks' plans are guesses.
ANALYZE_ROWS = "ANALYZE transfer_rows"
# Rules look rows of the file up by their pre-allocated id (an area's parent's level).
INDEX_NEW_IDS = "CREATE INDEX ON transfer_rows (new_id)"
PROGRESS_EVERY = 1000  # rows between two progress reports
Progress = Callable[[int, int | None], None]  # (rows done, rows in all when known)

# The SQL function reading a field's text as its type; NULL when the text is not of that type.
CASTS = {
    FieldKind.INT: "pg_temp.transfer_int",
    FieldKind.FLOAT: "pg_temp.transfer_float",
    FieldKind.DATE: "pg_temp.transfer_date",
    FieldKind.DATETIME: "pg_temp.transfer_datetime",
}

# Every problem a check can find, by the name the SQL reports it under. Placeholders: the row's
# value, its field, and what the field or layer expects (see `_message_context`).
MESSAGES = {
    "read_error": "%(value)s",
    "missing_geometry": gettext_lazy("the feature has no geometry"),
    "unreadable_geometry": gettext_lazy("the geometry cannot be read: %(value)s"),
    "empty_geometry": gettext_lazy("the geometry is empty"),
    "not_2d": gettext_lazy(
        "the geometry has %(value)s values; only longitude and latitude (or x and y) are accepted"
    ),
    "too_many_vertices": gettext_lazy(
        "the geometry has %(value)s vertices; at most %(max_vertices)s are accepted"
    ),
    "not_finite": gettext_lazy("a coordinate is not a finite number (NaN or Infinity)"),
    "transform_failed": gettext_lazy("the geometry cannot be transformed from %(crs)s: %(value)s"),
    "out_of_range": gettext_lazy(
        "coordinates outside longitude ±180 / latitude ±90 after reading them as %(crs)s"
        " (extent %(value)s)"
    ),
    "wrong_geometry_type": gettext_lazy("a %(value)s geometry; this layer takes %(expected)s"),
    "multipart_geometry": gettext_lazy(
        "a multi-part geometry of %(value)s parts; this layer takes a single %(expected)s"
    ),
    "invalid_geometry": gettext_lazy("invalid geometry: %(value)s"),
    "unrepairable_geometry": gettext_lazy(
        "invalid geometry (%(value)s) that ST_MakeValid cannot turn into one %(expected)s"
    ),
    "missing_value": gettext_lazy("%(field)s is required"),
    "not_int": gettext_lazy('%(field)s: "%(value)s" is not a whole number'),
    "not_float": gettext_lazy('%(field)s: "%(value)s" is not a number'),
    "not_date": gettext_lazy('%(field)s: "%(value)s" is not a date (YYYY-MM-DD)'),
    "not_datetime": gettext_lazy(
        '%(field)s: "%(value)s" is not a date and time (YYYY-MM-DD HH:MM[:SS][+HH:MM])'
    ),
    "unknown_choice": gettext_lazy('%(field)s: "%(value)s" is not one of %(allowed)s'),
    "out_of_bounds": gettext_lazy("%(field)s: %(value)s is outside %(bounds)s"),
    "too_long": gettext_lazy("%(field)s is longer than %(max_length)s characters"),
    "unknown_reference": gettext_lazy('%(field)s: no %(target)s has %(key)s "%(value)s"'),
    "ambiguous_reference": gettext_lazy(
        '%(field)s: more than one %(target)s has %(key)s "%(value)s"'
    ),
    "duplicate_in_file": gettext_lazy(
        '%(field)s "%(value)s" appears on more than one row of the file'
    ),
    "already_exists": gettext_lazy('%(field)s "%(value)s" already exists in the database'),
}


@dataclass(frozen=True)
class Check:
    """Rows of transfer_rows `r` where `condition` holds have `problem`, showing `shown`."""

    problem: sql.Composable
    field_name: str | None
    condition: sql.Composable
    shown: sql.Composable
    params: list = field(default_factory=list)


def create(cursor) -> None:
    """The helper functions and the empty raw staging table."""
    cursor.execute(template("functions"))
    cursor.execute(template("create_raw"))


def srid_known(cursor, srid: int) -> bool:
    cursor.execute(KNOWN_SRID, [srid])
    return cursor.fetchone() is not None


def copy_rows(
    cursor, rows: Iterable[SourceRow], *, total: int | None, progress: Progress | None
) -> None:
    """COPY every row into transfer_raw, reporting progress every PROGRESS_EVERY rows."""
    copied = 0
    with cursor.copy(COPY_RAW) as copy:
        for row in rows:
            copy.write_row((row.number, row.wkb, row.read_error, Jsonb(row.attributes)))
            copied += 1
            if progress and copied % PROGRESS_EVERY == 0:
                progress(copied, total)
    if progress:
        progress(copied, total)


def stage(cursor, spec: LayerSpec, crs: SourceCRS, *, fix_invalid: bool) -> None:
    """transfer_rows: each raw row's storage geometry (or problem), typed fields, references."""
    typed_columns = [_typed_column(spec, field_spec) for field_spec in spec.fields]
    if _has_within_file_reference(spec):
        # Ids are taken before insertion so that rows can name each other (see resolve_within_file).
        typed_columns.append(
            sql.SQL("nextval(pg_get_serial_sequence(%(table)s, %(pk)s)) AS new_id")
        )
    cursor.execute(
        template("create_rows").format(typed_columns=sql.SQL(", ").join(typed_columns)),
        {
            "source_srid": crs.epsg,
            "storage_srid": STORAGE_SRID,
            # GCJ-02/BD-09 offsets were removed in Python, leaving lon/lat in storage CRS.
            "reproject": crs.epsg not in LONLAT_SRIDS,
            "layer_type": spec.geometry_type.value,
            "fix_invalid": fix_invalid,
            "max_vertices": settings.GISGOV_MAX_VERTICES,
            "time_zone": settings.TIME_ZONE,
            "table": spec.model._meta.db_table,
            "pk": spec.model._meta.pk.column,
        },
    )
    if _has_within_file_reference(spec):
        cursor.execute(INDEX_NEW_IDS)
    for field_spec in spec.fields:
        if field_spec.reference:
            _resolve_reference(cursor, spec, field_spec)
    cursor.execute(ANALYZE_ROWS)


def problems(cursor, spec: LayerSpec, crs: SourceCRS) -> ImportRejected | None:
    """The staged rows' problems, by row then in the order the checks are listed: the first
    GISGOV_IMPORT_LISTED_PROBLEMS of them, and how many there are in all; None if none."""
    checks = _checks(spec)
    selects, params = [], []
    for ordinal, check in enumerate(checks):
        selects.append(
            sql.SQL(
                "SELECT r.row_number, {ordinal} AS ordinal, {problem} AS problem,"
                " {field} AS field, ({shown})::text AS value FROM transfer_rows r WHERE {condition}"
            ).format(
                ordinal=sql.Literal(ordinal),
                problem=check.problem,
                field=sql.Literal(check.field_name),
                shown=check.shown,
                condition=check.condition,
            )
        )
        params.extend(check.params)
    cursor.execute(
        sql.SQL(
            "WITH found AS ({}) SELECT row_number, problem, field, value,"
            " (SELECT count(*) FROM found), (SELECT count(DISTINCT row_number) FROM found)"
            " FROM found ORDER BY row_number, ordinal LIMIT %s"
        ).format(sql.SQL(" UNION ALL ").join(selects)),
        [*params, settings.GISGOV_IMPORT_LISTED_PROBLEMS],
    )
    found = cursor.fetchall()
    if not found:
        return None
    messages = MESSAGES | {rule.name: rule.message for rule in spec.rules}
    listed = [
        RowProblem(row, str(messages[problem]) % _message_context(spec, crs, field_name, value))
        for row, problem, field_name, value, _total, _rows in found
    ]
    _row, _problem, _field, _value, total, bad_rows = found[0]
    return ImportRejected(listed, bad_rows=bad_rows, total_problems=total)


def repaired(cursor) -> list[RowProblem]:
    """The rows whose invalid geometry ST_MakeValid repaired, with the PostGIS reason."""
    cursor.execute(REPAIRED_ROWS)
    return [
        RowProblem(row, _("repaired invalid geometry: %(reason)s") % {"reason": reason})
        for row, reason in cursor.fetchall()
    ]


def insert(cursor, spec: LayerSpec) -> int:
    """Every staged row into the layer's table; the number inserted."""
    if spec.model is Incident:
        # Historical incidents go to their months' partitions, not to the default one.
        cursor.execute("SELECT min(reported_at), max(reported_at) FROM transfer_rows")
        first, last = cursor.fetchone()
        if first is not None:
            incidents_partitions_ensure_for(first, last)
    columns, values, params = [], [], []
    if _has_within_file_reference(spec):
        columns.append(sql.Identifier(spec.model._meta.pk.column))
        values.append(sql.SQL("r.new_id"))
    for field_spec in spec.fields:
        columns.append(sql.Identifier(spec.model_field(field_spec).column))
        if field_spec.reference:
            values.append(sql.Identifier("r", _resolved_column(field_spec)))
            continue
        value = sql.Identifier("r", field_spec.name)
        default = spec.default(field_spec)
        if default is not None:
            value = sql.SQL("coalesce({}, %s)").format(value)
            params.append(default)
        values.append(value)
    columns.append(sql.Identifier(spec.model._meta.get_field(spec.geometry_field).column))
    values.append(sql.SQL("r.geom"))
    for model_field in spec.model._meta.concrete_fields:
        # auto_now/auto_now_add are filled by Django's save(), which this INSERT bypasses.
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            columns.append(sql.Identifier(model_field.column))
            values.append(sql.SQL("now()"))
    cursor.execute(
        template("insert").format(
            table=sql.Identifier(spec.model._meta.db_table),
            columns=sql.SQL(", ").join(columns),
            values=sql.SQL(", ").join(values),
        ),
        params,
    )
    return cursor.rowcount


def _has_within_file_reference(spec: LayerSpec) -> bool:
    return any(f.reference and f.reference.within_file for f in spec.fields)


def _value_kind(spec: LayerSpec, field_spec: FieldSpec) -> FieldKind:
    """The type a field's text is read as: a choice takes the type of its model field."""
    if field_spec.kind is FieldKind.CHOICE:
        internal_type = spec.model_field(field_spec).get_internal_type()
        return FieldKind.INT if "IntegerField" in internal_type else FieldKind.TEXT
    return field_spec.kind


def _file_text(table: str, field_spec: FieldSpec) -> sql.Composable:
    """The field's text as read from the file (NULL when absent), in a staging table's row."""
    return sql.SQL("{}.attributes ->> {}").format(
        sql.Identifier(table), sql.Literal(field_spec.name)
    )


def _typed_column(spec: LayerSpec, field_spec: FieldSpec) -> sql.Composable:
    text = _file_text("raw", field_spec)
    kind = _value_kind(spec, field_spec)
    if kind is FieldKind.DATETIME:
        value = sql.SQL("{}({}, %(time_zone)s)").format(sql.SQL(CASTS[kind]), text)
    elif kind in CASTS:
        value = sql.SQL("{}({})").format(sql.SQL(CASTS[kind]), text)
    else:
        value = text
    column = sql.SQL("{} AS {}").format(value, sql.Identifier(field_spec.name))
    if field_spec.reference:
        return sql.SQL("{}, NULL::bigint AS {}, 0 AS {}").format(
            column,
            sql.Identifier(_resolved_column(field_spec)),
            sql.Identifier(_matches_column(field_spec)),
        )
    return column


def _resolved_column(field_spec: FieldSpec) -> str:
    return f"{field_spec.name}_id"


def _matches_column(field_spec: FieldSpec) -> str:
    return f"{field_spec.name}_matches"


def _resolve_reference(cursor, spec: LayerSpec, field_spec: FieldSpec) -> None:
    reference = field_spec.reference
    names = {
        "resolved": sql.Identifier(_resolved_column(field_spec)),
        "matches": sql.Identifier(_matches_column(field_spec)),
        "column": sql.Identifier(field_spec.name),
    }
    candidates, params = queryset_sql(reference.candidates(), "pk", reference.key)
    cursor.execute(template("resolve_reference").format(candidates=candidates, **names), params)
    if reference.within_file:
        key = sql.Identifier(reference.key)
        cursor.execute(template("resolve_within_file").format(key=key, **names))


def _checks(spec: LayerSpec) -> list[Check]:
    """Read errors and geometry first, then each field's checks, uniqueness, then the rules."""
    checks = [
        Check(
            sql.Literal("read_error"),
            None,
            sql.SQL("r.read_error IS NOT NULL"),
            sql.SQL("r.read_error"),
        ),
        Check(
            sql.SQL("r.problem"),
            None,
            # A row unreadable as a whole has no geometry either: one message is enough.
            sql.SQL("r.problem IS NOT NULL AND r.read_error IS NULL"),
            sql.SQL("r.detail"),
        ),
    ]
    for field_spec in spec.fields:
        checks.extend(_field_checks(spec, field_spec))
    for name in spec.unique:
        checks.extend(_uniqueness_checks(spec, spec.field(name)))
    for rule in spec.rules:
        table = sql.Identifier(spec.model._meta.db_table)
        checks.append(
            Check(
                sql.Literal(rule.name),
                rule.field,
                sql.SQL(rule.violated).format(table=table),
                sql.SQL(rule.shown),
                list(rule.params),
            )
        )
    return checks


def _field_checks(spec: LayerSpec, field_spec: FieldSpec) -> list[Check]:
    raw = _file_text("r", field_spec)
    typed = sql.Identifier("r", field_spec.name)
    name = field_spec.name
    kind = _value_kind(spec, field_spec)
    checks = []
    if field_spec.required:
        checks.append(
            Check(sql.Literal("missing_value"), name, sql.SQL("{} IS NULL").format(raw), raw)
        )
    if kind in CASTS:
        checks.append(
            Check(
                sql.Literal(f"not_{kind.value}"),
                name,
                sql.SQL("{} IS NOT NULL AND {} IS NULL").format(raw, typed),
                raw,
            )
        )
    if field_spec.kind is FieldKind.CHOICE:
        checks.append(
            Check(
                sql.Literal("unknown_choice"),
                name,
                sql.SQL("{} <> ALL(%s)").format(typed),
                raw,
                [spec.choices(field_spec)],
            )
        )
    bounds = spec.bounds(field_spec)
    if bounds:
        outside, params = [], []
        if bounds.low is not None:
            operator = sql.SQL("<" if bounds.low_inclusive else "<=")
            outside.append(sql.SQL("{} {} %s").format(typed, operator))
            params.append(bounds.low)
        if bounds.high is not None:
            operator = sql.SQL(">" if bounds.high_inclusive else ">=")
            outside.append(sql.SQL("{} {} %s").format(typed, operator))
            params.append(bounds.high)
        checks.append(
            Check(sql.Literal("out_of_bounds"), name, sql.SQL(" OR ").join(outside), typed, params)
        )
    max_length = getattr(spec.model_field(field_spec), "max_length", None)
    if kind is FieldKind.TEXT and max_length and not field_spec.reference:
        checks.append(
            Check(
                sql.Literal("too_long"),
                name,
                sql.SQL("char_length({}) > %s").format(typed),
                raw,
                [max_length],
            )
        )
    if field_spec.reference:
        resolved = sql.Identifier("r", _resolved_column(field_spec))
        matches = sql.Identifier("r", _matches_column(field_spec))
        checks.append(
            Check(
                sql.Literal("unknown_reference"),
                name,
                sql.SQL("{} IS NOT NULL AND {} IS NULL AND {} <= 1").format(
                    typed, resolved, matches
                ),
                typed,
            )
        )
        checks.append(
            Check(
                sql.Literal("ambiguous_reference"), name, sql.SQL("{} > 1").format(matches), typed
            )
        )
    return checks


def _uniqueness_checks(spec: LayerSpec, field_spec: FieldSpec) -> list[Check]:
    typed = sql.Identifier("r", field_spec.name)
    column = sql.Identifier(field_spec.name)
    existing, params = queryset_sql(spec.existing(), field_spec.model_field_name)
    return [
        Check(
            sql.Literal("duplicate_in_file"),
            field_spec.name,
            sql.SQL(
                "{} IN (SELECT d.{} FROM transfer_rows d GROUP BY d.{} HAVING count(*) > 1)"
            ).format(typed, column, column),
            typed,
        ),
        Check(
            sql.Literal("already_exists"),
            field_spec.name,
            sql.SQL("{} IN (SELECT present.key FROM ({}) AS present (key))").format(
                typed, existing
            ),
            typed,
            params,
        ),
    ]


def _message_context(spec: LayerSpec, crs: SourceCRS, field_name: str | None, value) -> dict:
    """What a message may show: the value, and what its field or the layer expects."""
    context = {
        "value": value,
        "field": field_name,
        "crs": crs.label,
        "expected": spec.geometry_type.value,
        "max_vertices": settings.GISGOV_MAX_VERTICES,
    }
    if field_name is None:
        return context
    field_spec = spec.field(field_name)
    if field_spec.kind is FieldKind.CHOICE:
        context["allowed"] = ", ".join(str(choice) for choice in spec.choices(field_spec))
    context["bounds"] = spec.bounds(field_spec)
    context["max_length"] = getattr(spec.model_field(field_spec), "max_length", None)
    if field_spec.reference:
        context["target"] = field_spec.reference.target
        context["key"] = field_spec.reference.key
    return context
