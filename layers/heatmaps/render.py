"""Pictures of a density grid: GeoTIFF in the metric frame, coloured PNG in lon/lat or a tile."""

import io

import numpy as np
import rasterio
from PIL import Image
from rasterio.transform import from_bounds, from_origin
from rasterio.warp import Resampling, calculate_default_transform, reproject

from layers.common.constants import STORAGE_SRID, WEB_MERCATOR_SRID
from layers.heatmaps.density import Grid

TILE_SIZE = 256
# Transparent where nothing happens, then blue → cyan → yellow → red as density rises.
_STOPS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
_COLOURS = np.array(
    [
        [0, 0, 255, 0],
        [0, 90, 255, 150],
        [0, 220, 220, 190],
        [255, 230, 0, 215],
        [230, 0, 0, 240],
    ],
    dtype=float,
)


def geotiff(grid: Grid, values: np.ndarray) -> bytes:
    """One float32 band, north-up, in the Gauss-Krueger frame, incidents per km²."""
    buffer = io.BytesIO()
    profile = {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": 1,
        "dtype": "float32",
        "crs": f"EPSG:{grid.srid}",
        "transform": from_origin(grid.west, grid.north, grid.cell, grid.cell),
        "compress": "deflate",
        "nodata": None,
    }
    with rasterio.MemoryFile() as memory:
        with memory.open(**profile) as dataset:
            dataset.write(values.astype("float32"), 1)
            dataset.update_tags(1, units="weighted incidents per km²")
        buffer.write(memory.read())
    return buffer.getvalue()


def lonlat_png(grid: Grid, values: np.ndarray, maximum: float) -> tuple[bytes, list[float]]:
    """The grid warped to lon/lat, coloured; and its [west, south, east, north] for an overlay."""
    src_crs = f"EPSG:{grid.srid}"
    transform, width, height = calculate_default_transform(
        src_crs,
        f"EPSG:{STORAGE_SRID}",
        grid.width,
        grid.height,
        left=grid.west,
        bottom=grid.south,
        right=grid.east,
        top=grid.north,
    )
    warped = np.zeros((height, width), dtype="float64")
    reproject(
        values,
        warped,
        src_transform=from_origin(grid.west, grid.north, grid.cell, grid.cell),
        src_crs=src_crs,
        dst_transform=transform,
        dst_crs=f"EPSG:{STORAGE_SRID}",
        resampling=Resampling.bilinear,
    )
    west, north = transform @ (0, 0)
    east, south = transform @ (width, height)
    return png(warped, maximum), [west, south, east, north]


def tile_png(grid: Grid, values: np.ndarray, bounds_3857, maximum: float) -> bytes:
    """The density warped onto one 256-pixel Web Mercator tile."""
    tile = np.zeros((TILE_SIZE, TILE_SIZE), dtype="float64")
    reproject(
        values,
        tile,
        src_transform=from_origin(grid.west, grid.north, grid.cell, grid.cell),
        src_crs=f"EPSG:{grid.srid}",
        dst_transform=from_bounds(*bounds_3857, TILE_SIZE, TILE_SIZE),
        dst_crs=f"EPSG:{WEB_MERCATOR_SRID}",
        resampling=Resampling.bilinear,
    )
    return png(tile, maximum)


def png(values: np.ndarray, maximum: float) -> bytes:
    """Colours on a log scale from 0 to `maximum` (everything above is the top colour)."""
    scaled = np.log1p(np.clip(values, 0, None)) / np.log1p(maximum)
    scaled = np.clip(scaled, 0, 1)
    rgba = np.stack([np.interp(scaled, _STOPS, _COLOURS[:, k]) for k in range(4)], axis=-1)
    rgba[values <= 0] = 0
    buffer = io.BytesIO()
    Image.fromarray(rgba.astype("uint8"), "RGBA").save(buffer, "PNG", optimize=False)
    return buffer.getvalue()
