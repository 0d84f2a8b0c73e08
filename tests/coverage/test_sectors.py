"""View sectors, their shadows and their refresh, checked against geometry worked out by hand."""

import math

import pytest
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core.management import call_command
from django.db import connection

from layers.coverage.models import CameraSector
from tests.coverage import geometry as g

RANGE = 100.0
# The wall: 20 m wide, 1 m thick, its near face 50 m north of a camera looking north (fov 90°).
WALL = (-10.0, 50.0, 10.0, 51.0)
# Half the angle the wall's near face subtends: the shadow is the wedge between the rays
# through its near corners (the far corners at ±10 m, 51 m lie inside that wedge).
ALPHA = math.atan(10 / 50)
SECTOR_M2 = math.pi * RANGE**2 / 4
# The wall and the ground behind it inside the range: the circular sector of angle 2α, less the
# triangle camera–near corners in front of the wall.
HIDDEN_M2 = RANGE**2 * ALPHA - 0.5 * 20 * 50
# Arc vertices every degree lose r²/2·(θ − sin θ) a degree against the true circle: at most
# 90 of them (0.40 m²) for this sector, fewer behind the wall; the round trip of the wall
# through lon/lat moves its corners by well under a millimetre.
CHORD_LOSS_M2 = 90 * RANGE**2 / 2 * (math.radians(1) - math.sin(math.radians(1)))


def hand_visible_polygon() -> Polygon:
    """The visible ground drawn by hand: the fan less the wedge behind the wall's near face,
    arcs sampled finely."""

    def arc(start_deg, end_deg, steps=2000):
        return [
            (
                RANGE * math.sin(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
                RANGE * math.cos(math.radians(start_deg + (end_deg - start_deg) * i / steps)),
            )
            for i in range(steps + 1)
        ]

    alpha = math.degrees(ALPHA)
    return Polygon(
        [(0.0, 0.0), *arc(-45, -alpha), (-10.0, 50.0), (10.0, 50.0), *arc(alpha, 45), (0.0, 0.0)]
    )


def sector_in_metres(camera_id: int):
    """The stored visible ground, back in metres relative to the origin."""
    x0, y0 = g.origin_metres()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsText(ST_Translate(ST_Transform(visible, %s), %s, %s))"
            " FROM coverage_camerasector WHERE camera_id = %s",
            [g.GK_SRID, -x0, -y0, camera_id],
        )
        return GEOSGeometry(cursor.fetchone()[0])


def test_one_camera_one_wall_matches_the_hand_geometry(camera_at, wall_at):
    wall_at(*WALL)
    camera = camera_at(azimuth=0, field_of_view=90, range_m=RANGE)
    sector = CameraSector.objects.get(camera=camera)
    expected = SECTOR_M2 - HIDDEN_M2  # 6379.98 m²

    assert sector.srid == g.GK_SRID
    assert sector.obstacles == 1
    assert sector.host_building_id is None
    assert expected - CHORD_LOSS_M2 - 0.01 <= sector.visible_area_m2 <= expected + 0.01
    assert SECTOR_M2 - CHORD_LOSS_M2 - 0.01 <= sector.sector_area_m2 <= SECTOR_M2 + 0.01
    # Not only the area: the shape itself, against the hand-drawn polygon.
    visible = sector_in_metres(camera.pk)
    assert visible.sym_difference(hand_visible_polygon()).area < CHORD_LOSS_M2 + 0.01


@pytest.mark.parametrize(
    ("x", "y", "seen"),
    [
        (0, 49.5, True),  # in front of the wall
        (0, 50.5, False),  # inside the wall
        (0, 52, False),  # right behind it
        (0, 99, False),  # far behind it, still in range
        (8, 60, False),  # inside the wedge (8/60 < 10/50)
        (14, 60, True),  # outside the wedge (14/60 > 10/50)
        (-14, 60, True),
        (0, 101, False),  # beyond the range
        (60, 30, False),  # beyond the field of view (63° east of north)
    ],
)
def test_points_seen_or_hidden_by_the_wall(camera_at, wall_at, x, y, seen):
    wall_at(*WALL)
    camera = camera_at(azimuth=0, field_of_view=90, range_m=RANGE)
    sector = CameraSector.objects.get(camera=camera)
    assert sector.visible.intersects(g.point(x, y)) is seen


def test_an_azimuth_turns_the_sector_clockwise_from_north(camera_at, wall_at):
    wall_at(*WALL)
    east_looking = camera_at(azimuth=90, field_of_view=90, range_m=RANGE)
    sector = CameraSector.objects.get(camera=east_looking)
    assert sector.obstacles == 0
    assert sector.visible.intersects(g.point(60, 0))
    assert not sector.visible.intersects(g.point(0, 60))


def test_moving_the_camera_refreshes_its_sector(camera_at, wall_at):
    wall_at(*WALL)
    camera = camera_at(azimuth=0, field_of_view=90, range_m=RANGE)
    camera.location = g.point(500, 0)  # the wall is now far outside its range
    camera.save()
    sector = CameraSector.objects.get(camera=camera)
    assert sector.obstacles == 0
    assert sector.visible_area_m2 == pytest.approx(sector.sector_area_m2)
    assert sector.visible_area_m2 > SECTOR_M2 - CHORD_LOSS_M2 - 0.01


def test_a_building_drawn_moved_or_removed_refreshes_the_sectors_it_touches(camera_at, wall_at):
    camera = camera_at(azimuth=0, field_of_view=90, range_m=RANGE)
    unblocked = CameraSector.objects.get(camera=camera).visible_area_m2

    wall = wall_at(*WALL)
    assert CameraSector.objects.get(camera=camera).visible_area_m2 == pytest.approx(
        SECTOR_M2 - HIDDEN_M2, abs=CHORD_LOSS_M2
    )

    wall.footprint = g.rectangle(-10, 200, 10, 201)
    wall.save()
    assert CameraSector.objects.get(camera=camera).visible_area_m2 == pytest.approx(unblocked)

    wall.footprint = g.rectangle(*WALL)
    wall.save()
    wall.delete()
    assert CameraSector.objects.get(camera=camera).visible_area_m2 == pytest.approx(unblocked)


def test_a_new_status_keeps_the_sector_and_a_removed_camera_takes_it_along(camera_at):
    camera = camera_at()
    computed_at = CameraSector.objects.get(camera=camera).computed_at
    camera.status = "faulty"
    camera.save()
    assert CameraSector.objects.get(camera=camera).computed_at == computed_at
    camera.delete()
    assert not CameraSector.objects.exists()


def test_a_camera_inside_a_building_is_mounted_on_it(camera_at, wall_at):
    """Its host casts no shadow; the host's footprint is still not ground it sees."""
    host = wall_at(-5, -5, 5, 5)
    camera = camera_at(azimuth=0, field_of_view=90, range_m=RANGE)
    sector = CameraSector.objects.get(camera=camera)
    assert sector.host_building_id == host.pk
    assert sector.obstacles == 0
    # The host hides only its own part of the fan: the triangle up to its north face (25 m²).
    assert sector.visible_area_m2 == pytest.approx(sector.sector_area_m2 - 25, abs=0.01)
    assert sector.visible.intersects(g.point(0, 50))


def test_rebuild_command_recomputes_every_sector(camera_at, wall_at):
    camera = camera_at()
    CameraSector.objects.all().delete()
    wall_at(*WALL)  # drawn while the sector was missing: only a rebuild takes it into account
    call_command("rebuild_camera_sectors", verbosity=0)
    assert CameraSector.objects.get(camera=camera).obstacles == 1
