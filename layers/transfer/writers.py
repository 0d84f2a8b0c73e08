"""Writing a layer's features to GeoJSON (built by PostGIS), GeoPackage (by ogr2ogr) or CSV.

Features are streamed from a server-side cursor in chunks, so a large layer is never held in
memory. The columns are the layer spec's fields, which import_layer reads back.
"""

import csv
import json
import subprocess
import tempfile
from pathlib import Path

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from psycopg import sql

from layers.transfer.errors import TransferRefused
from layers.transfer.specs import GeometryType, LayerSpec
from layers.transfer.templates import queryset_sql, template

CHUNK_ROWS = 2000


def write_geojson(spec: LayerSpec, selected: QuerySet, path: Path) -> int:
    """A GeoJSON FeatureCollection (RFC 7946, so EPSG:4326 and no "crs" member)."""
    features, params = _features(spec, selected)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "features": [\n')
        for (feature,) in _stream(template("export_geojson").format(features=features), params):
            out.write(",\n" if written else "")
            out.write(feature)
            written += 1
        out.write("\n]}\n")
    return written


def write_geopackage(spec: LayerSpec, selected: QuerySet, path: Path) -> int:
    """A GeoPackage with one layer named like ours, converted from GeoJSON by ogr2ogr.

    Django's GDAL bindings only read, so writing goes through the ogr2ogr program (gdal-bin, a
    system dependency like libgdal itself).
    """
    with tempfile.TemporaryDirectory() as scratch:
        geojson = Path(scratch) / f"{spec.name}.geojson"
        written = write_geojson(spec, selected, geojson)
        # ogr2ogr would add a layer to an existing GeoPackage; the output replaces it instead.
        path.unlink(missing_ok=True)
        command = ["ogr2ogr", "-f", "GPKG", "-nln", spec.name, str(path), str(geojson)]
        try:
            subprocess.run(command, check=True, capture_output=True, text=True)
        except FileNotFoundError as error:
            raise TransferRefused(
                _("ogr2ogr was not found: GeoPackage export needs GDAL's gdal-bin package")
            ) from error
        except subprocess.CalledProcessError as error:
            raise TransferRefused(
                _("ogr2ogr failed: %(error)s") % {"error": error.stderr.strip()}
            ) from error
    return written


def write_csv(spec: LayerSpec, selected: QuerySet, path: Path) -> int:
    """A UTF-8 CSV: points as lon and lat columns (import_layer reads them), polygons as WKT."""
    features, params = _features(spec, selected)
    if spec.geometry_type is GeometryType.POINT:
        coordinates = ["lon", "lat"]
        geometry_columns = sql.SQL("ST_X(feature.geom), ST_Y(feature.geom)")
    else:
        # GDAL's CSV driver reads a column named WKT as the geometry.
        coordinates = ["WKT"]
        geometry_columns = sql.SQL("ST_AsText(feature.geom)")
    query = template("export_csv").format(features=features, geometry_columns=geometry_columns)
    names = [field.name for field in spec.fields]
    written = 0
    # utf-8-sig: spreadsheet programs need the byte-order mark to read UTF-8 (Chinese names).
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(names + coordinates)
        for properties_json, *geometry in _stream(query, params):
            properties = json.loads(properties_json)
            writer.writerow([_csv_value(properties.get(name)) for name in names] + geometry)
            written += 1
    return written


WRITERS = {"geojson": write_geojson, "gpkg": write_geopackage, "csv": write_csv}


def _features(spec: LayerSpec, selected: QuerySet) -> tuple[sql.Composed, list]:
    """sql/export_features.sql for this layer and these rows, with its parameters."""
    meta = spec.model._meta
    properties, joins = [], []
    for field_spec in spec.fields:
        model_field = spec.model_field(field_spec)
        name = sql.Identifier(field_spec.name)
        if field_spec.reference is None:
            properties.append(
                sql.SQL("t.{} AS {}").format(sql.Identifier(model_field.column), name)
            )
            continue
        target = model_field.related_model._meta
        alias = sql.Identifier(f"{field_spec.name}_target")
        joins.append(
            sql.SQL("LEFT JOIN {} AS {} ON {}.{} = t.{}").format(
                sql.Identifier(target.db_table),
                alias,
                alias,
                sql.Identifier(target.pk.column),
                sql.Identifier(model_field.column),
            )
        )
        key = sql.Identifier(target.get_field(field_spec.reference.key).column)
        properties.append(sql.SQL("{}.{} AS {}").format(alias, key, name))
    ids, params = queryset_sql(selected, "pk")
    query = template("export_features").format(
        properties=sql.SQL(", ").join(properties),
        geometry=sql.Identifier(meta.get_field(spec.geometry_field).column),
        table=sql.Identifier(meta.db_table),
        joins=sql.SQL("\n").join(joins),
        pk=sql.Identifier(meta.pk.column),
        selected=ids,
    )
    return query, params


def _stream(query: sql.Composable, params: list):
    """The query's rows, fetched CHUNK_ROWS at a time through a server-side cursor."""
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(query, params)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield from rows


def _csv_value(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)
