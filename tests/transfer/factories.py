"""Small fixture files for import tests, written at test time into pytest's tmp_path."""

import csv
import json
import subprocess
from pathlib import Path

# The test division lies near Kaifeng, Henan: in CGCS2000 Gauss-Krueger zone EPSG:4547 (114E).
COUNTY = "410102000000"
TOWNSHIP = "410102001000"
VILLAGE = "410102001001"
OTHER_VILLAGE = "410102001002"

BOWTIE = {
    "type": "Polygon",
    "coordinates": [
        [
            [114.285, 34.785],
            [114.286, 34.786],
            [114.286, 34.785],
            [114.285, 34.786],
            [114.285, 34.785],
        ]
    ],
}
# A square with a spike going out and back along its east edge: ST_MakeValid keeps the square.
SPIKE = {
    "type": "Polygon",
    "coordinates": [
        [
            [114.285, 34.785],
            [114.286, 34.785],
            [114.286, 34.786],
            [114.286, 34.787],
            [114.286, 34.786],
            [114.285, 34.786],
            [114.285, 34.785],
        ]
    ],
}


def box(west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def feature(geometry: dict | None, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def ogr2ogr(*arguments: str) -> None:
    """GDAL's converter, used only to make Shapefile and GeoPackage fixtures."""
    subprocess.run(["ogr2ogr", *arguments], check=True, capture_output=True)


def write_csv(path: Path, header: list[str], *rows: list) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path
