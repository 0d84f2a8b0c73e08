"""Importing a file into a layer (all rows or none) and exporting a layer to a file."""

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

import shapely
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from layers.access.policy import visible_to
from layers.areas.models import AdminArea, division_prefix
from layers.common.crs import LONLAT_SRIDS, CRSError, SourceCRS, parse_crs, remove_offset
from layers.transfer import staging
from layers.transfer.errors import RowProblem, TransferRefused
from layers.transfer.readers import SourceFile, SourceRow, open_source
from layers.transfer.specs import LAYERS, LayerSpec
from layers.transfer.writers import WRITERS

OFFSET_BATCH_ROWS = 1000  # geometries moved off GCJ-02/BD-09 per vectorised call


@dataclass(frozen=True)
class ImportReport:
    layer: str
    created: int
    source_crs: str
    crs_origin: str  # why that CRS: declared by the file, given, or assumed
    repaired: list[RowProblem]


def layer_import(
    *,
    path: str | Path,
    layer: str,
    source_crs: str | None = None,
    mapping: dict[str, str] | None = None,
    fix_invalid: bool = False,
    progress: staging.Progress | None = None,
) -> ImportReport:
    """Import every feature of a file into a layer in one transaction, or none if any is bad."""
    spec = _layer_spec(layer)
    source = open_source(Path(path), spec, mapping or {})
    crs, crs_origin = _source_crs(source, source_crs)
    rows = _without_offset(source.rows(), crs)
    with transaction.atomic(), connection.cursor() as cursor:
        if not staging.srid_known(cursor, crs.epsg):
            raise TransferRefused(
                _("EPSG:%(code)s is not a CRS PostGIS knows (spatial_ref_sys)") % {"code": crs.epsg}
            )
        staging.create(cursor)
        staging.copy_rows(cursor, rows, total=source.feature_count, progress=progress)
        staging.stage(cursor, spec, crs, fix_invalid=fix_invalid)
        rejected = staging.problems(cursor, spec, crs)
        if rejected:
            raise rejected
        repaired = staging.repaired(cursor)
        created = staging.insert(cursor, spec)
        _check_deferred_constraints(cursor)
    return ImportReport(spec.name, created, crs.label, crs_origin, repaired)


def _check_deferred_constraints(cursor) -> None:
    """Run the checks the database defers to commit (grid topology, keys) while we can report."""
    try:
        with transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except IntegrityError as error:
        raise TransferRefused(
            _("the database refused these rows: %(reason)s; nothing was imported")
            % {"reason": str(error).splitlines()[0]}
        ) from error


def layer_export(
    *, layer: str, path: str | Path, format: str, area_code: str | None = None, user=None
) -> int:
    """Write a layer, or its part inside one division, to a file in EPSG:4326; the count.

    With a user, only the rows that user's role may see (layers.access.policy.visible_to)."""
    spec = _layer_spec(layer)
    if format not in WRITERS:
        raise TransferRefused(
            _("unknown format %(format)s: use %(formats)s")
            % {"format": format, "formats": ", ".join(WRITERS)}
        )
    selected = spec.existing()
    if area_code is not None:
        try:
            prefix = division_prefix(area_code)
        except ValueError as exc:
            raise TransferRefused(str(exc)) from exc
        if not AdminArea.objects.filter(code__startswith=prefix).exists():
            raise TransferRefused(
                _("no administrative area has code %(code)s") % {"code": area_code}
            )
        selected = selected.filter(**{f"{spec.area_code_lookup}__startswith": prefix})
    if user is not None:
        selected = visible_to(user, spec.name, selected)
    return _write_whole(WRITERS[format], spec, selected, Path(path))


def _write_whole(writer, spec: LayerSpec, selected, target: Path) -> int:
    """The writer's output replaces the target only once complete: a failure leaves the old file."""
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix, delete=False
    ) as scratch:
        partial = Path(scratch.name)
    try:
        written = writer(spec, selected, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return written


def _layer_spec(layer: str) -> LayerSpec:
    try:
        return LAYERS[layer]
    except KeyError:
        raise TransferRefused(
            _("unknown layer %(layer)s: use %(layers)s")
            % {"layer": layer, "layers": ", ".join(LAYERS)}
        ) from None


def _source_crs(source: SourceFile, given_text: str | None) -> tuple[SourceCRS, str]:
    """The CRS to read the file in, and why: declared by the file, given, or assumed."""
    given = None
    if given_text is not None:
        try:
            given = parse_crs(given_text).for_files()
        except CRSError as error:
            raise TransferRefused(_("--source-crs: %(error)s") % {"error": error}) from error
    declared = source.declared_crs
    if declared is None:
        if given is not None:
            return given, _("given with --source-crs")
        if source.assumed_crs is not None:
            return source.assumed_crs, _("assumed: the file format declares no CRS")
        raise TransferRefused(
            _(
                "the file declares no coordinate reference system (a Shapefile without its .prj?);"
                " name it with --source-crs, e.g. --source-crs EPSG:4547"
            )
        )
    if declared.epsg is None:
        if given is None:
            raise TransferRefused(
                _("the file's CRS (%(name)s) matches no EPSG code; name it with --source-crs")
                % {"name": declared.description}
            )
        return given, _("given with --source-crs (the file's %(name)s matches no EPSG code)") % {
            "name": declared.description
        }
    if given is None:
        return SourceCRS(declared.epsg), _("declared by the file")
    # GCJ-02/BD-09 data is lon/lat labelled as WGS84 or CGCS2000, so those labels agree with it.
    if given.epsg == declared.epsg or {given.epsg, declared.epsg} <= LONLAT_SRIDS:
        return given, _("given with --source-crs, agreeing with the file")
    raise TransferRefused(
        _("--source-crs is %(given)s but the file declares EPSG:%(declared)s (%(name)s)")
        % {"given": given.label, "declared": declared.epsg, "name": declared.description}
    )


def _without_offset(rows: Iterable[SourceRow], crs: SourceCRS) -> Iterator[SourceRow]:
    """The rows with GCJ-02/BD-09 offsets removed (a batch at a time, vectorised)."""
    rows = iter(rows)
    if crs.offset_datum is None:
        yield from rows
        return
    while batch := list(islice(rows, OFFSET_BATCH_ROWS)):
        # A geometry GEOS cannot read stays as it is, for the staging SQL to report.
        geometries = shapely.from_wkb([row.wkb for row in batch], on_invalid="ignore")
        moved = shapely.to_wkb(remove_offset(geometries, crs))
        for row, wkb in zip(batch, moved, strict=True):
            yield replace(row, wkb=wkb if wkb is not None else row.wkb)
