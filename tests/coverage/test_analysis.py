"""Coverage of a hand-made village: area, key sites and incidents seen, blind spots."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from layers.coverage.analysis import Window, area_coverage, blind_cells, blind_key_sites

VILLAGE_M2 = 200 * 200
# A 360° camera of range 50 m: a disc drawn with 360 chords.
DISC_M2 = 360 * 50**2 / 2 * math.sin(math.radians(1))


def last_year() -> Window:
    now = timezone.now()
    return Window(now - timedelta(days=365), now + timedelta(seconds=1))


@pytest.fixture
def scene(village, camera_at, wall_at, key_site_at, incident_at):
    """A dome camera at the centre, a wall 35 m north of it, a faulty camera in the NE corner."""
    camera_at(0, 0, field_of_view=360, range_m=50, code="DOME")
    camera_at(80, 80, field_of_view=360, range_m=50, code="FAULTY", status="faulty")
    wall_at(-5, 35, 5, 36)
    key_site_at(0, 30, "seen gate")
    key_site_at(0, 45, "gate behind the wall")
    key_site_at(0, 80, "far gate")
    incident_at(10, 0)  # seen
    incident_at(0, 45)  # behind the wall
    incident_at(90, 90)  # only the faulty camera would see it
    incident_at(10, 0, reported_at=timezone.now() - timedelta(days=800))  # outside the window
    return village


def test_area_key_sites_and_incidents_seen(scene):
    (row,) = area_coverage(scene, "village", last_year())
    assert row.code == "419821101201"
    assert row.area_m2 == pytest.approx(VILLAGE_M2, rel=1e-6)
    # The disc less the wall (10 m × 1 m) and its shadow up to the range: the wall's near face
    # at 35 m subtends 2·atan(5/35); the shadow is that wedge of the disc beyond the face.
    alpha = math.atan(5 / 35)
    shadow_and_wall = 50**2 * alpha - 0.5 * 10 * 35
    assert row.covered_m2 == pytest.approx(DISC_M2 - shadow_and_wall, abs=0.5)
    assert row.area_pct == pytest.approx(100 * row.covered_m2 / row.area_m2, abs=0.01)
    assert row.cameras == 1  # the faulty camera does not count
    assert (row.key_sites, row.key_sites_seen) == (3, 1)
    assert (row.incidents, row.incidents_seen) == (3, 1)
    assert row.incidents_pct == pytest.approx(33.33)


def test_grid_level_gives_the_same_answer_for_a_village_of_one_grid(scene):
    (grid,) = area_coverage(scene, "grid", last_year())
    (village,) = area_coverage(scene, "village", last_year())
    assert grid.code == "419821101201001"
    assert grid.covered_m2 == pytest.approx(village.covered_m2)
    assert (grid.incidents_seen, grid.key_sites_seen) == (1, 1)


def test_an_inactive_camera_put_back_in_service_counts_again(scene):
    from layers.cameras.models import CameraSite

    CameraSite.objects.filter(code="FAULTY").update(status="active")
    (row,) = area_coverage(scene, "village", last_year())
    assert (row.incidents_seen, row.cameras) == (2, 2)


def test_blind_key_sites_are_those_no_active_camera_sees(scene):
    names = [site["properties"]["name"] for site in blind_key_sites(scene)]
    assert sorted(names) == ["far gate", "gate behind the wall"]
    assert blind_key_sites(scene, kinds=["school"]) == []


def test_incident_cells_outside_coverage_carry_their_weight(scene, incident_at):
    incident_at(0, 45)  # a second one behind the wall: same cell
    cells = blind_cells(scene, last_year(), cell_side=10)
    assert [cell["properties"]["weight"] for cell in cells] == [2.0, 1.0]
    assert sum(cell["properties"]["incidents"] for cell in cells) == 3
