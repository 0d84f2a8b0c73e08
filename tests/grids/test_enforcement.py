"""Grid edits that break a village's tiling are refused on every path, at commit, with polygons.

Transactional tests: the enforcement trigger is deferred to COMMIT, which a test transaction
that rolls back never reaches.
"""

import json
from datetime import date
from io import StringIO

import pytest
from django.contrib.gis.geos import Polygon
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse

from layers.grids.models import Grid
from layers.grids.topology import TopologyViolation, grid_edits_checked, grid_save_problems
from tests import factories as f
from tests.factories import LAT, LON
from tests.grids.conftest import box_m2
from tests.transfer.factories import box, feature, write_geojson

pytestmark = pytest.mark.django_db(transaction=True)


def geometry(west, south, east, north) -> dict:
    return json.loads(f.rectangle(west, south, east, north).geojson)


def grid_payload(code: str, village_code: str, polygon: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": polygon,
        "properties": {
            "code": code,
            "name": "new grid",
            "village": village_code,
            "kind": "basic",
            "valid_from": "2025-01-01",
        },
    }


def bounds(grid: Grid) -> tuple:
    grid.refresh_from_db()
    return tuple(round(value, 6) for value in grid.geom.extent)


def test_api_create_overlapping_is_refused_with_the_overlap(superuser_client, tiled):
    village, west, _east = tiled
    response = superuser_client.post(
        "/api/v1/grids/",
        grid_payload("419821101201003", village.code, geometry(LON - 0.05, LAT, LON, LAT + 0.05)),
        format="json",
    )
    assert response.status_code == 409
    (problem,) = response.json()["problems"]["features"]
    assert problem["properties"]["kind"] == "overlap"
    assert problem["properties"]["codes"] == [west.code, "419821101201003"]
    assert problem["properties"]["area_m2"] == box_m2(0.05, 0.05)
    assert problem["geometry"]["type"] == "Polygon"
    assert "overlap" in response.json()["detail"]
    assert Grid.objects.count() == 2


def test_api_update_leaving_a_gap_is_refused(superuser_client, tiled):
    _village, west, _east = tiled
    response = superuser_client.patch(
        f"/api/v1/grids/{west.pk}/",
        {
            "type": "Feature",
            "geometry": geometry(LON - 0.1, LAT - 0.1, LON - 0.01, LAT + 0.1),
            "properties": {},
        },
        format="json",
    )
    assert response.status_code == 409
    (problem,) = response.json()["problems"]["features"]
    assert problem["properties"]["kind"] == "gap"
    assert problem["properties"]["area_m2"] == box_m2(0.01, 0.2)
    assert bounds(west) == (round(LON - 0.1, 6), LAT - 0.1, LON, LAT + 0.1)


def test_api_update_sticking_out_of_the_village_is_refused(superuser_client, tiled):
    _village, _west, east = tiled
    response = superuser_client.patch(
        f"/api/v1/grids/{east.pk}/",
        {
            "type": "Feature",
            "geometry": geometry(LON, LAT - 0.1, LON + 0.12, LAT + 0.1),
            "properties": {},
        },
        format="json",
    )
    assert response.status_code == 409
    (problem,) = response.json()["problems"]["features"]
    assert (problem["properties"]["kind"], problem["properties"]["codes"]) == (
        "outside",
        [east.code],
    )


def test_api_delete_uncovering_the_village_is_refused(superuser_client, tiled):
    _village, west, _east = tiled
    response = superuser_client.delete(f"/api/v1/grids/{west.pk}/")
    assert response.status_code == 409
    assert response.json()["problems"]["features"][0]["properties"]["area_m2"] == box_m2(0.1, 0.2)
    assert Grid.objects.filter(pk=west.pk).exists()


def test_a_village_being_gridded_may_keep_its_gaps(superuser_client, village):
    # The first grid covers a quarter of the village: no gap is created, only left.
    response = superuser_client.post(
        "/api/v1/grids/",
        grid_payload("419821101201001", village.code, geometry(LON, LAT, LON + 0.1, LAT + 0.1)),
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_a_rename_of_a_grid_in_a_broken_village_is_not_checked(superuser_client, village):
    first = f.grid("419821101201001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON, LAT))
    response = superuser_client.patch(
        f"/api/v1/grids/{first.pk}/",
        {"type": "Feature", "properties": {"name": "renamed"}},
        format="json",
    )
    assert response.status_code == 200


def test_moving_a_shared_boundary_in_one_transaction_is_accepted(tiled):
    _village, west, east = tiled
    with grid_edits_checked():
        west.geom = f.rectangle(LON - 0.1, LAT - 0.1, LON - 0.03, LAT + 0.1)
        west.save()
        east.geom = f.rectangle(LON - 0.03, LAT - 0.1, LON + 0.1, LAT + 0.1)
        east.save()
    assert bounds(west)[2] == round(LON - 0.03, 6)


def test_half_of_the_boundary_move_is_refused(tiled):
    _village, west, _east = tiled
    with pytest.raises(TopologyViolation) as refused, grid_edits_checked():
        west.geom = f.rectangle(LON - 0.1, LAT - 0.1, LON - 0.03, LAT + 0.1)
        west.save()
    (gap,) = refused.value.problems
    assert (gap.kind, gap.codes, gap.area_m2) == ("gap", [west.code], box_m2(0.03, 0.2))
    assert bounds(west)[2] == LON


def test_the_other_half_alone_is_refused_as_an_overlap(tiled):
    _village, west, east = tiled
    with pytest.raises(TopologyViolation, match="overlap"), grid_edits_checked():
        east.geom = f.rectangle(LON - 0.03, LAT - 0.1, LON + 0.1, LAT + 0.1)
        east.save()
    assert bounds(east)[0] == LON and bounds(west)[2] == LON


def test_a_redrawing_closes_the_old_grid_and_adds_its_successor(tiled):
    village, west, _east = tiled
    with grid_edits_checked():
        Grid.objects.filter(pk=west.pk).update(valid_to=date(2025, 6, 30))
        f.grid("419821101201003", village, west.geom, valid_from=date(2025, 7, 1))
    assert Grid.objects.current().count() == 2


def test_a_plain_transaction_is_checked_at_commit_too(tiled):
    _village, west, _east = tiled
    with pytest.raises(IntegrityError, match="gap"), transaction.atomic():
        Grid.objects.filter(pk=west.pk).update(valid_to=date(2025, 6, 30))
    assert Grid.objects.current().count() == 2


def test_admin_change_form_shows_the_gap_as_a_form_error(admin_client, tiled):
    village, west, _east = tiled
    shrunk = f.rectangle(LON - 0.1, LAT - 0.1, LON - 0.02, LAT + 0.1)
    shrunk.srid = 4326
    shrunk.transform(3857)  # the map widget posts web-mercator metres
    response = admin_client.post(
        reverse("admin:grids_grid_change", args=[west.pk]),
        {
            "code": west.code,
            "name": west.name,
            "village": village.pk,
            "kind": "basic",
            "exclusive_type": "",
            "geom": shrunk.geojson,
            "valid_from": "2024-01-01",
            "valid_to": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "gap of" in response.content.decode()
    assert bounds(west)[2] == LON


def test_admin_delete_is_refused_with_a_message(admin_client, tiled):
    _village, west, _east = tiled
    response = admin_client.post(
        reverse("admin:grids_grid_delete", args=[west.pk]), {"post": "yes"}, follow=True
    )
    assert "gap of" in response.content.decode()
    assert Grid.objects.filter(pk=west.pk).exists()


def test_admin_bulk_delete_is_refused_with_a_message(admin_client, tiled):
    _village, west, east = tiled
    response = admin_client.post(
        reverse("admin:grids_grid_changelist"),
        {"action": "delete_selected", "_selected_action": [west.pk, east.pk], "post": "yes"},
        follow=True,
    )
    assert "gap of" in response.content.decode()
    assert Grid.objects.count() == 2


def test_admin_trial_leaves_the_grid_unsaved(village):
    drawn = Grid(
        code="419821101201001",
        name="x",
        village=village,
        kind="basic",
        geom=Polygon.from_bbox((LON, LAT, LON + 0.2, LAT + 0.05)),
        valid_from=date(2025, 1, 1),
    )
    (outside,) = grid_save_problems(drawn)
    assert outside.kind == "outside" and outside.area_m2 == box_m2(0.1, 0.05)
    assert drawn.pk is None and not Grid.objects.exists()


def test_import_of_an_overlapping_grid_imports_nothing(tiled, tmp_path):
    village, *_ = tiled
    path = write_geojson(
        tmp_path / "grids.geojson",
        [
            feature(
                box(LON - 0.1, LAT - 0.1, LON, LAT),
                code="X-1",
                name="a",
                village_code=village.code,
                kind="basic",
            ),
            feature(
                box(LON - 0.05, LAT, LON + 0.05, LAT + 0.1),
                code="X-2",
                name="b",
                village_code=village.code,
                kind="basic",
            ),
        ],
    )
    with pytest.raises(CommandError, match=r"overlap.*nothing was imported"):
        call_command("import_layer", str(path), layer="grids", stdout=StringIO())
    assert Grid.objects.count() == 2


def test_import_completing_a_tiling_is_accepted(village, tmp_path):
    f.grid("419821101201001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON, LAT + 0.1))
    path = write_geojson(
        tmp_path / "grids.geojson",
        [
            feature(
                box(LON, LAT - 0.1, LON + 0.1, LAT),
                code="X-1",
                name="a",
                village_code=village.code,
                kind="basic",
            ),
            feature(
                box(LON, LAT, LON + 0.1, LAT + 0.1),
                code="X-2",
                name="b",
                village_code=village.code,
                kind="basic",
            ),
        ],
    )
    call_command("import_layer", str(path), layer="grids", stdout=StringIO())
    assert Grid.objects.count() == 3
