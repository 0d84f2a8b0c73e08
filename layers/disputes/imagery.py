"""Dated imagery: GeoTIFF uploads turned into Cloud-Optimized GeoTIFFs, tiles and case clips."""

import io
import json
import math
import uuid
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import connection, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw
from procrastinate.contrib.django import app
from rasterio.enums import Resampling
from rasterio.errors import RasterioError
from rasterio.transform import from_bounds
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform as transform_points

from layers.common.constants import STORAGE_SRID, WEB_MERCATOR_SRID
from layers.common.sql import template
from layers.disputes.choices import ImageryStatus
from layers.disputes.models import DisputeCase, Imagery
from layers.jobs.services import job_create, job_progress_reporter, job_running

IMAGERY_JOB_KIND = "imagery_cog"
IMAGERY_QUEUE = "imagery"
IMAGERY_DIR = "disputes/imagery"
TILE_SIZE = 256
WEB_MERCATOR_HALF = 20037508.342789244
CLIP_WIDTH = 800
# Claims in warm colours, reference versions in cool ones: a reader tells them apart at once.
CLAIM_COLOURS = ["#e41a1c", "#ff7f00", "#f781bf", "#a65628", "#ffff33"]
REFERENCE_COLOURS = ["#377eb8", "#4daf4a", "#984ea3", "#00bcd4", "#1a237e", "#66bb6a"]


class ImageryRefused(ValueError):
    """An upload that is not a georeferenced raster; the message says why."""


def imagery_upload(*, upload, title: str, captured_on, sensor: str = "", user=None) -> Imagery:
    """Stores the upload and queues its conversion to a COG; the Imagery row to follow it by."""
    directory = Path(settings.MEDIA_ROOT) / IMAGERY_DIR
    directory.mkdir(parents=True, exist_ok=True)
    original = directory / f"{uuid.uuid4().hex}.upload.tif"
    with original.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        with rasterio.open(original) as source:
            if source.crs is None or source.transform.is_identity:
                raise ImageryRefused(_("The image is not georeferenced (no CRS or transform)."))
            source_crs = source.crs.to_string()
    except RasterioError as exc:
        original.unlink(missing_ok=True)
        raise ImageryRefused(_("The file is not a GeoTIFF: %s") % exc) from exc
    except ImageryRefused:
        original.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = job_create(kind=IMAGERY_JOB_KIND, parameters={"original": str(original)}, user=user)
        image = Imagery.objects.create(
            title=title, captured_on=captured_on, sensor=sensor, source_crs=source_crs, job=job
        )
        imagery_cog_job.defer(job_id=job.pk, image_id=image.pk)
    return image


@app.task(queue=IMAGERY_QUEUE, retry=False)
def imagery_cog_job(job_id: int, image_id: int) -> None:
    """Converts an uploaded GeoTIFF to a COG and records its footprint and resolution."""
    image = Imagery.objects.get(pk=image_id)
    original = Path(image.job.parameters["original"])
    cog = original.with_name(f"{image.pk}-{original.name.split('.')[0]}.cog.tif")
    with job_running(job_id) as outcome, job_progress_reporter(job_id) as progress:
        try:
            progress(0, 3)
            with rasterio.open(original) as source:
                profile = {
                    "driver": "COG",
                    "compress": "DEFLATE",
                    "blocksize": TILE_SIZE,
                    "overview_resampling": "average",
                    "BIGTIFF": "IF_SAFER",
                }
                rasterio.shutil.copy(source, cog, **profile)
            progress(1, 3)
            footprint, resolution = _footprint_and_resolution(cog)
            progress(2, 3)
        except Exception:
            Imagery.objects.filter(pk=image_id).update(status=ImageryStatus.FAILED)
            cog.unlink(missing_ok=True)
            raise
        Imagery.objects.filter(pk=image_id).update(
            cog=str(cog.relative_to(settings.MEDIA_ROOT)),
            footprint=footprint,
            resolution_m=resolution,
            status=ImageryStatus.READY,
        )
        original.unlink(missing_ok=True)
        progress(3, 3)
        outcome["result"] = {"image": image_id, "cog": str(cog.name)}
        outcome["message"] = _("Image converted to a Cloud-Optimized GeoTIFF.")


def _footprint_and_resolution(path: Path) -> tuple[Polygon, float]:
    """The image's outline in EPSG:4326 (edges densified: a projected box bends in lon/lat)
    and its pixel size in metres."""
    with rasterio.open(path) as image:
        left, bottom, right, top = image.bounds
        steps = np.linspace(0, 1, 21)
        xs = np.concatenate(
            [
                left + (right - left) * steps,
                np.full(21, right),
                right - (right - left) * steps,
                np.full(21, left),
            ]
        )
        ys = np.concatenate(
            [
                np.full(21, bottom),
                bottom + (top - bottom) * steps,
                np.full(21, top),
                top - (top - bottom) * steps,
            ]
        )
        lons, lats = transform_points(image.crs, "EPSG:4326", xs, ys)
        pixel = abs(image.res[0])
        if image.crs.is_geographic:
            pixel *= 111_320 * math.cos(math.radians((bottom + top) / 2))
        else:
            pixel *= image.crs.linear_units_factor[1]
    ring = list(zip(lons, lats, strict=True))
    ring.append(ring[0])
    return Polygon(ring, srid=STORAGE_SRID), float(pixel)


def _cog_path(image: Imagery) -> Path:
    return Path(settings.MEDIA_ROOT) / image.cog


def _render(image: Imagery, bounds: tuple[float, float, float, float], width: int, height: int):
    """The image warped to Web Mercator over `bounds` at width × height, as an RGBA picture.

    The warped view reads only the blocks (or overview) the window needs.
    """
    with (
        rasterio.open(_cog_path(image)) as source,
        WarpedVRT(
            source,
            crs=f"EPSG:{WEB_MERCATOR_SRID}",
            transform=from_bounds(*bounds, width, height),
            width=width,
            height=height,
            resampling=Resampling.bilinear,
            add_alpha=True,  # the warper's own alpha: clear outside the image and at nodata
        ) as view,
    ):
        bands = [1, 1, 1] if view.count < 4 else [1, 2, 3]
        pixels = view.read(bands)
        alpha = view.read(view.count)
    if pixels.dtype != np.uint8:
        valid = pixels[:, alpha > 0]
        low, high = np.percentile(valid, (2, 98)) if valid.size else (0, 1)
        scaled = (pixels.astype("float64") - low) / max(high - low, 1e-9) * 255
        pixels = np.clip(scaled, 0, 255).astype(np.uint8)
    return Image.fromarray(np.dstack([*pixels, alpha]), "RGBA")


def imagery_tile(image: Imagery, z: int, x: int, y: int) -> bytes:
    """An XYZ tile (Web Mercator, 256 px) of the image as PNG; transparent outside it."""
    size = 2 * WEB_MERCATOR_HALF / 2**z
    left, top = -WEB_MERCATOR_HALF + x * size, WEB_MERCATOR_HALF - y * size
    picture = _render(image, (left, top - size, left + size, top), TILE_SIZE, TILE_SIZE)
    return _png(picture)


def case_extent(case: DisputeCase) -> Polygon:
    """The box around the case's boundaries (with a margin), EPSG:4326."""
    with connection.cursor() as cursor:
        cursor.execute(
            template("disputes", "case_extent").as_string(cursor.connection), {"case_id": case.pk}
        )
        return GEOSGeometry(memoryview(cursor.fetchone()[0]), srid=STORAGE_SRID)


def covering_images(case: DisputeCase):
    """The converted images that cover any of the case's extent, oldest first."""
    return Imagery.objects.filter(
        status=ImageryStatus.READY, footprint__intersects=case_extent(case)
    ).order_by("captured_on", "id")


def case_lines(case: DisputeCase, srid: int) -> list[dict]:
    """The case's boundaries as GeoJSON geometries in `srid`, with kind, id and label."""
    with connection.cursor() as cursor:
        cursor.execute(
            template("disputes", "case_lines").as_string(cursor.connection),
            {"case_id": case.pk, "srid": srid},
        )
        rows = cursor.fetchall()
    return [
        {"kind": kind, "id": pk, "label": label, "geometry": json.loads(geometry)}
        for kind, pk, label, geometry in rows
    ]


def case_clip(case: DisputeCase, image: Imagery, width: int = CLIP_WIDTH) -> bytes:
    """The image over the case's extent with every claim and reference outline drawn, PNG."""
    extent = case_extent(case).transform(WEB_MERCATOR_SRID, clone=True)
    left, bottom, right, top = extent.extent
    height = max(1, round(width * (top - bottom) / (right - left)))
    picture = _render(image, (left, bottom, right, top), width, height)
    draw = ImageDraw.Draw(picture)
    counters = {"claim": 0, "reference": 0}
    for line in case_lines(case, WEB_MERCATOR_SRID):
        palette = CLAIM_COLOURS if line["kind"] == "claim" else REFERENCE_COLOURS
        colour = palette[counters[line["kind"]] % len(palette)]
        counters[line["kind"]] += 1
        for polygon in line["geometry"]["coordinates"]:
            for ring in polygon:
                pixels = [
                    ((px - left) / (right - left) * width, (top - py) / (top - bottom) * height)
                    for px, py in ring
                ]
                draw.line(pixels, fill=colour, width=3 if line["kind"] == "claim" else 2)
    return _png(picture)


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=False)
    return out.getvalue()
