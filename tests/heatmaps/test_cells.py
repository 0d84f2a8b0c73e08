"""The daily cells follow every write to incidents, and a window is exact to the second."""

import datetime as dt

import numpy as np
import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.db import connection

from layers.heatmaps import selection
from layers.incidents.models import Incident
from tests import factories as f
from tests.factories import LAT, LON
from tests.heatmaps.conftest import NOON, local
from tests.heatmaps.test_density import administrator

pytestmark = pytest.mark.django_db


def cells_table() -> list[tuple]:
    """Each incident as (day, category, status, cell x, cell y, village), sorted."""
    rows = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT day, category, status, cells FROM heatmaps_daycells")
        for day, category, status, cells in cursor.fetchall():
            triples = np.frombuffer(bytes(cells), ">i4").reshape(-1, 3).tolist()
            rows += [(day, category, status, *cell) for cell in triples]
    return sorted(rows)


def rebuilt() -> list[tuple]:
    before = cells_table()
    call_command("rebuild_heatmap_cells", verbosity=0)
    after = cells_table()
    assert after == before
    return after


def test_inserts_updates_and_deletes_keep_the_cells_equal_to_a_rebuild(cluster):
    assert len(rebuilt()) == 60 + 2  # and the county's own two
    first, second, third = cluster[:3]
    Incident.objects.filter(pk=first.pk).update(status="closed")
    second.location = Point(LON + 0.05, LAT, srid=4326)
    second.save()
    Incident.objects.filter(pk=third.pk).update(reported_at=NOON - dt.timedelta(days=30))
    Incident.objects.filter(pk=cluster[4].pk).delete()
    cells = rebuilt()
    assert len(cells) == 61
    assert any(row[2] == "closed" for row in cells)


def test_a_bulk_insert_is_binned_in_one_statement(county):
    Incident.objects.bulk_create(
        [
            Incident(
                location=Point(LON + k * 0.001, LAT, srid=4326),
                category="dispute",
                subcategory="land",
                source="patrol",
                title="bulk",
                reported_at=NOON,
            )
            for k in range(100)
        ]
    )
    assert len(rebuilt()) == 100 + 2  # and the county's own two


def test_truncate_empties_the_cells(cluster):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's deferred checks first
        cursor.execute("TRUNCATE incidents_incident CASCADE")
    assert cells_table() == []


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-11T07:30:00", "2026-03-16T21:15:00"),  # partial days at both ends
        ("2026-03-12T00:00:00", "2026-03-15T00:00:00"),  # whole days only
        ("2026-03-13T03:00:00", "2026-03-13T17:00:00"),  # inside one day
        ("2026-03-13T03:00:00", None),
        (None, "2026-03-13T03:00:00"),
    ],
)
def test_a_window_counts_exactly_the_incidents_inside_it(cluster, start, end):
    query = {k: v for k, v in (("from", start), ("to", end)) if v}
    sel = selection.parse_selection(administrator(), query)
    cells = selection.binned(sel, selection.weights_by_category(False))
    expected = Incident.objects.all()
    if start:
        expected = expected.filter(reported_at__gte=local(start))
    if end:
        expected = expected.filter(reported_at__lt=local(end))
    assert cells.count == expected.count() > 0


def test_an_area_keeps_only_its_villages(county):
    f.incident(LON, LAT)
    f.incident(LON + 0.25, LAT)
    west = selection.parse_selection(administrator(), {"area": county["west"].code})
    everywhere = selection.parse_selection(administrator(), {})
    weights = selection.weights_by_category(False)
    assert selection.binned(west, weights).count == 2
    assert selection.binned(everywhere, weights).count == 4
