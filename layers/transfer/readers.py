"""Reading an import file into rows: GeoJSON, Shapefile and GeoPackage through GDAL, CSV as text.

Every attribute is read as text (stripped; empty means absent) so that typing and checking
happen in one place, the staging SQL, and a bad value can be quoted back as the file has it.
"""

import csv
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.contrib.gis.gdal import DataSource, GDALException
from django.utils.translation import gettext as _

from layers.common.crs import STORAGE_CRS, SourceCRS
from layers.transfer.errors import TransferRefused
from layers.transfer.specs import LayerSpec

# CSV coordinate columns, looked for in this order (case-insensitively).
LONGITUDE_COLUMNS = ("lon", "lng", "longitude", "x")
LATITUDE_COLUMNS = ("lat", "latitude", "y")
# A geometry as well-known text (export_layer writes polygons so; GDAL's CSV driver reads it).
WKT_COLUMNS = ("wkt", "geometry", "geom")
COORDINATE_KEYS = ("lon", "lat", "wkt")  # what --map may name besides the layer's fields

# dBase (Shapefile) column names are cut to 10 characters: field_of_view is field_of_v.
DBF_NAME_LENGTH = 10


@dataclass(frozen=True)
class SourceRow:
    number: int  # 1 is the file's first feature
    wkb: bytes | None
    attributes: dict[str, str]  # by field name; absent when empty
    read_error: str | None = None


@dataclass(frozen=True)
class DeclaredCRS:
    """The CRS a file declares: its EPSG code, or None when GDAL matches none to it."""

    epsg: int | None
    description: str


class SourceFile(ABC):
    """A readable import file: its columns, declared CRS and rows for the layer's fields."""

    # When the format cannot declare a CRS, the one assumed (and reported as assumed).
    assumed_crs: SourceCRS | None = None
    declared_crs: DeclaredCRS | None = None
    feature_count: int | None = None
    columns: list[str]
    field_columns: dict[str, str]  # field name -> the file's column holding it

    @abstractmethod
    def rows(self) -> Iterator[SourceRow]:
        """Every feature in file order, numbered from 1."""


class VectorFile(SourceFile):
    """Any file GDAL reads as vector data: GeoJSON, Shapefile, GeoPackage."""

    def __init__(self, path: Path, spec: LayerSpec, mapping: dict[str, str]):
        try:
            source = DataSource(str(path))
        except GDALException as error:
            raise TransferRefused(
                _("%(file)s cannot be read as vector data: %(error)s")
                % {"file": path, "error": error}
            ) from error
        self._layer = _pick_layer(source, spec, path)
        self.columns = list(self._layer.fields)
        self.feature_count = self._layer.num_feat
        self.declared_crs = _declared_crs(self._layer.srs)
        if set(mapping) & set(COORDINATE_KEYS):
            raise TransferRefused(_("--map lon=/lat= is only for CSV files"))
        self.field_columns = _field_columns(spec, self.columns, mapping)

    def rows(self) -> Iterator[SourceRow]:
        for number, feature in enumerate(self._layer, start=1):
            try:
                wkb = bytes(feature.geom.wkb)
            except GDALException:  # GDAL's answer for a feature without geometry
                wkb = None
            values = {column: feature[column].as_string() for column in self.field_columns.values()}
            yield SourceRow(number, wkb, _field_texts(self.field_columns, values))


class CsvFile(SourceFile):
    """A UTF-8 CSV with a WKT geometry column, or (points) longitude and latitude columns; it
    cannot declare a CRS.

    Read with the csv module rather than GDAL's CSV driver: that driver only makes points when
    given open options DataSource cannot pass, and a bad coordinate must be quoted per row.
    """

    assumed_crs = STORAGE_CRS

    def __init__(self, path: Path, spec: LayerSpec, mapping: dict[str, str]):
        self._path = path
        with self._open() as stream:
            try:
                self.columns = next(csv.reader(stream), [])
            except UnicodeDecodeError as error:
                raise _not_utf8(path) from error
        self._wkt = _wkt_column(self.columns, mapping.get("wkt"))
        if self._wkt is None and spec.geometry_type.is_polygonal:
            raise TransferRefused(
                _(
                    "a CSV of %(layer)s needs a WKT column with the polygons as well-known text"
                    " (as export_layer writes them; name another with --map wkt=COLUMN)"
                )
                % {"layer": spec.name}
            )
        if self._wkt is None:
            self._lon = _coordinate_column(
                self.columns, mapping.get("lon"), LONGITUDE_COLUMNS, "lon"
            )
            self._lat = _coordinate_column(
                self.columns, mapping.get("lat"), LATITUDE_COLUMNS, "lat"
            )
        fields_mapping = {k: v for k, v in mapping.items() if k not in COORDINATE_KEYS}
        self.field_columns = _field_columns(spec, self.columns, fields_mapping)

    def _open(self):
        # utf-8-sig: spreadsheet programs start UTF-8 CSV files with a byte-order mark.
        return self._path.open(encoding="utf-8-sig", newline="")

    def rows(self) -> Iterator[SourceRow]:
        with self._open() as stream:
            records = csv.DictReader(stream)
            try:
                for number, record in enumerate(records, start=1):
                    yield self._row(number, record, _field_texts(self.field_columns, record))
            except UnicodeDecodeError as error:
                raise _not_utf8(self._path) from error

    def _row(self, number: int, record: dict, attributes: dict[str, str]) -> SourceRow:
        if self._wkt is not None:
            return _wkt_row(number, (record.get(self._wkt) or "").strip(), attributes)
        lon_text = (record.get(self._lon) or "").strip()
        lat_text = (record.get(self._lat) or "").strip()
        if not lon_text and not lat_text:
            return SourceRow(number, None, attributes)
        coordinates = []
        for name, text in (("lon", lon_text), ("lat", lat_text)):
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                error = _("%(name)s %(value)r is not a number") % {"name": name, "value": text}
                return SourceRow(number, None, attributes, error)
            coordinates.append(value)
        return SourceRow(number, shapely.to_wkb(shapely.Point(coordinates)), attributes)


def open_source(path: Path, spec: LayerSpec, mapping: dict[str, str]) -> SourceFile:
    """The file as rows for this layer, its columns matched to the layer's fields."""
    if not path.is_file():
        raise TransferRefused(_("%(file)s does not exist") % {"file": path})
    reader = CsvFile if path.suffix.lower() == ".csv" else VectorFile
    return reader(path, spec, mapping)


def _field_texts(field_columns: dict[str, str], values: Mapping[str, str | None]) -> dict[str, str]:
    """Each field's stripped text (from its column's value) by field name; empty is left out."""
    texts = {}
    for field_name, column in field_columns.items():
        text = (values.get(column) or "").strip()
        if text:
            texts[field_name] = text
    return texts


def _pick_layer(source: DataSource, spec: LayerSpec, path: Path):
    """The file's only layer, or among several (a GeoPackage) the one named like ours."""
    if len(source) == 1:
        return source[0]
    for layer in source:
        if layer.name == spec.name:
            return layer
    raise TransferRefused(
        _("%(file)s has layers %(names)s but none named %(layer)s")
        % {"file": path, "names": ", ".join(layer.name for layer in source), "layer": spec.name}
    )


def _declared_crs(srs) -> DeclaredCRS | None:
    if srs is None:
        return None
    if srs.attr_value("AUTHORITY") != "EPSG":
        # A .prj written by ArcGIS carries no EPSG code; GDAL can often find the matching one.
        srs.identify_epsg()
    epsg = srs.srid if srs.attr_value("AUTHORITY") == "EPSG" else None
    return DeclaredCRS(epsg, srs.name)


def _field_columns(spec: LayerSpec, columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Each field's column: --map's, else the column named like it (or its dBase 10-char cut)."""
    field_names = [field.name for field in spec.fields]
    unknown = sorted(set(mapping) - set(field_names))
    if unknown:
        raise TransferRefused(
            _("--map names no field of %(layer)s: %(unknown)s (its fields: %(fields)s)")
            % {"layer": spec.name, "unknown": ", ".join(unknown), "fields": ", ".join(field_names)}
        )
    by_lowercase = {column.lower(): column for column in columns}
    resolved = {}
    for field in spec.fields:
        if field.name in mapping:
            column = mapping[field.name]
            if column not in columns:
                raise _no_column(column, columns)
        else:
            column = by_lowercase.get(field.name) or by_lowercase.get(field.name[:DBF_NAME_LENGTH])
        if column is not None:
            resolved[field.name] = column
        elif field.required:
            raise TransferRefused(
                _(
                    "the file has no column for the required field %(field)s"
                    " (columns: %(columns)s); name it with --map %(field)s=COLUMN"
                )
                % {"field": field.name, "columns": ", ".join(columns)}
            )
    return resolved


def _wkt_row(number: int, text: str, attributes: dict[str, str]) -> SourceRow:
    if not text:
        return SourceRow(number, None, attributes)
    try:
        geometry = shapely.from_wkt(text)
    except shapely.errors.ShapelyError as error:
        problem = _("WKT %(value).60r cannot be read: %(error)s") % {"value": text, "error": error}
        return SourceRow(number, None, attributes, problem)
    return SourceRow(number, shapely.to_wkb(geometry), attributes)


def _wkt_column(columns: list[str], mapped: str | None) -> str | None:
    if mapped is not None:
        if mapped not in columns:
            raise _no_column(mapped, columns)
        return mapped
    by_lowercase = {column.lower(): column for column in columns}
    return next((by_lowercase[name] for name in WKT_COLUMNS if name in by_lowercase), None)


def _coordinate_column(columns: list[str], mapped: str | None, names: tuple, key: str) -> str:
    if mapped is not None:
        if mapped not in columns:
            raise _no_column(mapped, columns)
        return mapped
    by_lowercase = {column.lower(): column for column in columns}
    for name in names:
        if name in by_lowercase:
            return by_lowercase[name]
    raise TransferRefused(
        _(
            "the CSV file has no %(key)s column (looked for %(names)s);"
            " name it with --map %(key)s=COLUMN"
        )
        % {"key": key, "names": ", ".join(names)}
    )


def _no_column(column: str, columns: list[str]) -> TransferRefused:
    return TransferRefused(
        _("the file has no column %(column)s (columns: %(columns)s)")
        % {"column": column, "columns": ", ".join(columns)}
    )


def _not_utf8(path: Path) -> TransferRefused:
    return TransferRefused(_("%(file)s is not UTF-8 text; save it as UTF-8 CSV") % {"file": path})
