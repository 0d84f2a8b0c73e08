"""The demo county keeps the rules of the domain: seamless grids, household bands, hot spots."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fixtures.demo import county, load
from layers.areas.models import AdminArea, AreaLevel
from layers.buildings.models import Building
from layers.cameras.models import CameraSite
from layers.grids.models import Grid
from layers.incidents.models import Incident
from layers.keysites.models import KeySite

SEED = 3


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo_county", seed=SEED, scale=1, stdout=StringIO())
        yield
        load.wipe()


def scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def rows(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


pytestmark = pytest.mark.django_db


def test_sizes_are_those_of_a_county(demo):
    assert AdminArea.objects.filter(level=AreaLevel.COUNTY).count() == 1
    assert 8 <= AdminArea.objects.filter(level=AreaLevel.TOWNSHIP).count() <= 12
    assert 80 <= AdminArea.objects.filter(level=AreaLevel.VILLAGE).count() <= 130
    assert 15_000 <= Building.objects.count() <= 25_000
    assert 250 <= CameraSite.objects.count() <= 400
    assert Incident.objects.count() == 50_000
    assert KeySite.objects.filter(kind="entrance").count() >= 90


def test_every_village_is_tiled_exactly_by_its_grids(demo):
    # Measured in the CGCS2000 Gauss-Krueger zone of the place (EPSG:4547): areas in m².
    worst_gap = scalar(
        """
        SELECT max(ST_Area(ST_SymDifference(ST_Transform(v.geom, 4547),
                                            ST_Transform(u.geom, 4547))))
        FROM areas_adminarea v
        JOIN (SELECT village_id, ST_Union(geom) AS geom FROM grids_grid
              WHERE valid_to IS NULL GROUP BY village_id) u ON u.village_id = v.id
        """
    )
    assert worst_gap < 1.0
    villages_without_grids = scalar(
        "SELECT count(*) FROM areas_adminarea v WHERE level = 5"
        " AND NOT EXISTS (SELECT 1 FROM grids_grid g WHERE g.village_id = v.id)"
    )
    assert villages_without_grids == 0


def test_no_two_grids_overlap(demo):
    worst_overlap = scalar(
        """
        SELECT coalesce(max(ST_Area(ST_Intersection(ST_Transform(a.geom, 4547),
                                                    ST_Transform(b.geom, 4547)))), 0)
        FROM grids_grid a JOIN grids_grid b
          ON a.id < b.id AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
        """
    )
    assert worst_overlap < 1.0


def test_basic_grids_hold_300_to_500_households(demo):
    households = rows(
        """
        SELECT g.code, coalesce(sum(b.households), 0) FROM grids_grid g
        LEFT JOIN buildings_building b ON b.grid_id = g.id
        WHERE g.kind = 'basic' GROUP BY g.code
        """
    )
    out_of_band = [(code, total) for code, total in households if not 300 <= total <= 500]
    assert out_of_band == []


def test_exclusive_grids_cover_schools_markets_and_parks(demo):
    kinds = set(Grid.objects.filter(kind="exclusive").values_list("exclusive_type", flat=True))
    assert {"school", "market"} <= kinds
    assert not Building.objects.filter(grid__kind="exclusive", households__gt=0).exists()


def test_every_feature_is_assigned_to_a_grid_and_a_village(demo):
    for model in (Building, Incident, CameraSite, KeySite):
        assert not model.objects.filter(grid__isnull=True).exists(), model.__name__
        assert set(model.objects.values_list("area__level", flat=True).distinct()) == {
            AreaLevel.VILLAGE
        }


def test_incidents_span_three_years_with_seasons_and_hot_spots(demo):
    first, last = rows("SELECT min(reported_at), max(reported_at) FROM incidents_incident")[0]
    assert (last - first).days > 3 * 365 - 10
    # Disputes peak around the Spring Festival (January-February) over early summer.
    festival, summer = rows(
        """
        SELECT count(*) FILTER (WHERE month IN (1, 2)), count(*) FILTER (WHERE month IN (5, 6))
        FROM (SELECT extract(month FROM reported_at AT TIME ZONE 'Asia/Shanghai') AS month
              FROM incidents_incident WHERE category = 'dispute') d
        """
    )[0]
    assert festival > 1.15 * summer
    # Hot spots: the busiest 2 % of occupied 500 m cells hold far more than 2 % of incidents.
    cell_counts = np.array(
        [
            count
            for (count,) in rows(
                "SELECT count(*) FROM incidents_incident GROUP BY"
                " ST_SnapToGrid(ST_Transform(location, 4547), 500)"
            )
        ]
    )
    busiest = np.sort(cell_counts)[::-1][: max(1, len(cell_counts) // 50)]
    assert busiest.sum() / cell_counts.sum() > 0.15


def test_category_mix_follows_the_work_reports(demo):
    shares = dict(rows("SELECT category, count(*) / 50000.0 FROM incidents_incident GROUP BY 1"))
    assert shares["livelihood"] > shares["dispute"] > shares["sudden_event"]
    assert 0.01 < shares["sudden_event"] < 0.06
    # Land disputes belong to farming villages (codes 200-399), not to town communities.
    land = dict(
        rows(
            "SELECT substr(a.code, 10, 1) < '2', count(*) FROM incidents_incident i"
            " JOIN areas_adminarea a ON a.id = i.area_id WHERE i.subcategory = 'land' GROUP BY 1"
        )
    )
    assert land.get(True, 0) < 0.2 * land[False]


def test_the_demo_admin_login_exists(demo):
    from django.contrib.auth import authenticate

    assert authenticate(username="admin", password=load.DEMO_PASSWORD).is_superuser


def test_loading_twice_is_refused_unless_asked(demo):
    call_command("demo_county", seed=SEED, if_empty=True, stdout=StringIO())
    with pytest.raises(CommandError, match="--replace"):
        call_command("demo_county", seed=SEED, stdout=StringIO())


def test_generation_is_deterministic_for_a_seed():
    centre = (554_700.0, 3_818_000.0)
    first = county.generate(11, 1, centre)
    again = county.generate(11, 1, centre)
    other = county.generate(12, 1, centre)
    assert first.areas == again.areas and first.buildings == again.buildings
    assert np.array_equal(first.incidents.x, again.incidents.x)
    assert first.incidents.reported_at == again.incidents.reported_at
    assert first.buildings != other.buildings
