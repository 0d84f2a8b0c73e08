"""Imagery: a GeoTIFF in any CRS becomes a COG through the job queue; tiles and case clips."""

import io

import numpy as np
import pytest
import rasterio
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image
from procrastinate.contrib.django import app
from rasterio.transform import from_origin
from rasterio.warp import transform as transform_points

from layers.disputes.models import Imagery
from layers.jobs.models import JobStatus
from tests.disputes.conftest import LAT, LON

pytestmark = pytest.mark.django_db(transaction=True)

GREY = 120


@pytest.fixture(autouse=True)
def empty_queue():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")


@pytest.fixture
def run_worker():
    def run() -> None:
        with app.replace_connector(app.connector.get_worker_connector()):
            app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    return run


def geotiff(epsg: int, pixel_m: float = 0.5, size: int = 600) -> bytes:
    """A grey 3-band image centred on the case, `size` pixels of `pixel_m` m, in EPSG:epsg."""
    [x], [y] = transform_points("EPSG:4326", f"EPSG:{epsg}", [LON + 0.0005], [LAT + 0.0005])
    half = size * pixel_m / 2
    memory = io.BytesIO()
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": 3,
        "dtype": "uint8",
        "crs": f"EPSG:{epsg}",
        "transform": from_origin(x - half, y + half, pixel_m, pixel_m),
    }
    with rasterio.MemoryFile() as memfile:
        with memfile.open(**profile) as image:
            image.write(np.full((3, size, size), GREY, dtype=np.uint8))
        memory.write(memfile.read())
    return memory.getvalue()


def upload(client, epsg: int, captured_on: str):
    return client.post(
        "/api/v1/disputes/imagery/",
        {
            "file": SimpleUploadedFile(f"image-{epsg}.tif", geotiff(epsg)),
            "title": f"aerial {epsg}",
            "captured_on": captured_on,
            "sensor": "UAV",
        },
        format="multipart",
    )


def test_geotiffs_in_two_crs_become_cogs_covering_the_case(
    client_for, clerk, case, run_worker, media_root
):
    client = client_for(clerk)
    later = upload(client, 32650, "2021-04-01")  # UTM 50N
    earlier = upload(client, 4547, "2012-10-01")  # CGCS2000 GK zone 38 (114E)
    assert (later.status_code, earlier.status_code) == (202, 202), later.data
    assert later.data["properties"]["status"] == "processing"

    run_worker()

    for response in (later, earlier):
        image = Imagery.objects.get(pk=response.data["id"])
        assert image.status == "ready"
        assert image.job.status == JobStatus.SUCCEEDED
        assert (image.job.done, image.job.total) == (3, 3)
        assert image.resolution_m == pytest.approx(0.5)
        with rasterio.open(media_root / image.cog) as cog:
            assert cog.profile["tiled"] and cog.profile["blockxsize"] == 256
            assert cog.compression.name == "deflate"
            assert cog.overviews(1)  # reduced levels for zoomed-out tiles
        # The footprint, in lon/lat, holds the case's field (300 m of image around it).
        assert image.footprint.contains(case.claims.first().boundary)
    assert not list((media_root / "disputes/imagery").glob("*.upload.tif"))

    listed = client.get(f"/api/v1/disputes/cases/{case.pk}/imagery/").data
    assert [image["properties"]["captured_on"] for image in listed["features"]] == [
        "2012-10-01",
        "2021-04-01",
    ]

    clip = client.get(f"/api/v1/disputes/cases/{case.pk}/imagery/{earlier.data['id']}/clip.png")
    assert clip.status_code == 200
    assert clip["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(clip.content)).convert("RGBA")
    assert picture.width == 800
    colours = {colour for _count, colour in picture.getcolors(1_000_000)}
    assert (GREY, GREY, GREY, 255) in colours  # the image itself
    assert (0xE4, 0x1A, 0x1C, 255) in colours  # the first claim's red outline
    assert (0x37, 0x7E, 0xB8, 255) in colours  # the first reference's blue outline

    # The printed report carries one clip per image date, embedded in the page.
    browser = Client()
    browser.force_login(clerk)
    report = browser.get(f"/disputes/cases/{case.pk}/report/").content.decode()
    assert report.count('src="data:image/png;base64,') == 2
    assert report.index("2012-10-01") < report.index("2021-04-01")


def test_xyz_tiles_of_an_image(client_for, clerk, case, run_worker):
    client = client_for(clerk)
    image_id = upload(client, 32650, "2021-04-01").data["id"]
    run_worker()
    z = 17
    n = 2**z
    x = int((LON + 0.0005 + 180) / 360 * n)
    lat = np.radians(LAT + 0.0005)
    y = int((1 - np.log(np.tan(lat) + 1 / np.cos(lat)) / np.pi) / 2 * n)

    inside = client.get(f"/api/v1/disputes/imagery/{image_id}/tiles/{z}/{x}/{y}.png")
    outside = client.get(f"/api/v1/disputes/imagery/{image_id}/tiles/{z}/{x + 50}/{y}.png")
    beyond = client.get(f"/api/v1/disputes/imagery/{image_id}/tiles/{z}/{n}/{y}.png")

    assert inside.status_code == 200
    tile = Image.open(io.BytesIO(inside.content))
    assert tile.size == (256, 256)
    assert tile.getpixel((128, 128)) == (GREY, GREY, GREY, 255)
    assert Image.open(io.BytesIO(outside.content)).getpixel((128, 128))[3] == 0
    assert beyond.status_code == 404


def test_a_file_that_is_not_a_geotiff_is_refused(client_for, clerk, db):
    response = client_for(clerk).post(
        "/api/v1/disputes/imagery/",
        {
            "file": SimpleUploadedFile("x.tif", b"not a tiff"),
            "title": "x",
            "captured_on": "2020-01-01",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "GeoTIFF" in str(response.data)
    assert not Imagery.objects.exists()
