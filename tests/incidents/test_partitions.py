"""incidents_incident partitioned by month: placement, pruning, references, codes, upkeep."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from layers.audit.models import Change
from layers.incidents.citizens import incident_by_tracking_code
from layers.incidents.models import Incident, IncidentAttachment, IncidentEvent
from layers.incidents.partitions import (
    incidents_partition_detach,
    incidents_partitions,
    incidents_partitions_ensure,
)
from layers.transfer.services import layer_import
from tests import factories as f
from tests.factories import LAT, LON
from tests.transfer.factories import feature, point, write_geojson

BEIJING = ZoneInfo("Asia/Shanghai")


def at(year, month, day=15, hour=10):
    return datetime(year, month, day, hour, tzinfo=BEIJING)


def partition_of(incident) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM incidents_incident WHERE id = %s", [incident.pk]
        )
        return cursor.fetchone()[0]


def check_constraints_now():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def event_for(incident, action="accept"):
    return IncidentEvent.objects.create(
        incident=incident,
        at=incident.reported_at,
        action=action,
        from_state="reported",
        to_state="accepted",
    )


@pytest.fixture
def months(db):
    """Partitions for January to June 2026."""
    incidents_partitions_ensure(since=date(2026, 1, 1), until=date(2026, 6, 1))


def test_rows_land_in_their_local_month(months):
    march = f.incident(LON, LAT, reported_at=at(2026, 3, 15))
    # 1 April 03:00 in Beijing is still 31 March in UTC: the month is the local one.
    april = f.incident(LON, LAT, reported_at=at(2026, 4, 1, 3))
    assert partition_of(march) == "incidents_incident_y2026m03"
    assert partition_of(april) == "incidents_incident_y2026m04"
    names = [name for name, _bounds, _rows in incidents_partitions()]
    assert names[-1] == "incidents_incident_default"
    assert {"incidents_incident_y2026m01", "incidents_incident_y2026m06"} <= set(names)


def test_a_time_window_reads_only_its_partitions(months):
    window = Incident.objects.filter(
        reported_at__gte=at(2026, 3, 1, 0), reported_at__lt=at(2026, 4, 1, 0)
    )
    plan = window.values("category").order_by().explain()
    assert "incidents_incident_y2026m03" in plan
    for other in ("y2026m02", "y2026m04", "y2026m05", "default"):
        assert f"incidents_incident_{other}" not in plan


def test_an_event_of_a_missing_incident_is_refused(months):
    incident = f.incident(LON, LAT, reported_at=at(2026, 2, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO incidents_incidentevent
                   (incident_id, at, action, from_state, to_state, note, data)
                   VALUES (%s, now(), 'accept', 'reported', 'accepted', '', '{}')""",
                [incident.pk + 1000],
            )
        check_constraints_now()
    # A wrong reported_at beside a real id is refused as well.
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO incidents_incidentevent
                   (incident_id, incident_reported_at, at, action, from_state, to_state, note,
                    data) VALUES (%s, %s, now(), 'accept', 'reported', 'accepted', '', '{}')""",
                [incident.pk, at(2026, 5, 1)],
            )
        check_constraints_now()


def test_a_corrected_reported_at_moves_the_incident_and_its_references(months):
    _county, township, _village = f.county_with_village()
    department = f.department("派出所", township)
    incident = f.incident(LON, LAT, reported_at=at(2026, 2, 10), tracking_code="MOVEME12")
    duplicate = f.incident(LON, LAT, reported_at=at(2026, 5, 3), duplicate_of=incident)
    event = event_for(incident)
    IncidentAttachment.objects.create(
        incident=incident,
        kind="photo",
        file="x.jpg",
        content_type="image/jpeg",
        size=1,
        uploaded_at=incident.reported_at,
    )
    incident.co_departments.add(department)
    check_constraints_now()

    incident.reported_at = at(2026, 4, 20)
    incident.save()
    check_constraints_now()

    assert partition_of(incident) == "incidents_incident_y2026m04"
    assert list(incident.events.all()) == [event]
    assert incident.attachments.count() == 1
    assert list(incident.co_departments.all()) == [department]
    assert list(Incident.objects.get(pk=incident.pk).duplicates.all()) == [duplicate]
    assert Incident.objects.get(pk=duplicate.pk).primary() == incident
    assert incident_by_tracking_code("moveme12") == incident
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT incident_reported_at FROM incidents_incidentevent WHERE id = %s),
                      (SELECT duplicate_of_reported_at FROM incidents_incident WHERE id = %s),
                      (SELECT incident_reported_at FROM incidents_tracking_code
                       WHERE code = 'MOVEME12')""",
            [event.pk, duplicate.pk],
        )
        assert cursor.fetchone() == (at(2026, 4, 20),) * 3
    # The statement trigger of the parent recorded the move as one update.
    change = Change.objects.filter(table_name="incidents_incident", row_id=incident.pk)
    assert change.order_by("id").last().action == "update"
    assert "reported_at" in change.order_by("id").last().new_values


def test_tracking_codes_are_unique_across_partitions(months):
    f.incident(LON, LAT, reported_at=at(2026, 1, 5), tracking_code="SAMECODE")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.incident(LON, LAT, reported_at=at(2026, 6, 5), tracking_code="SAMECODE")
    other = f.incident(LON, LAT, reported_at=at(2026, 6, 5), tracking_code="OTHERONE")
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=other.pk).update(tracking_code="SAMECODE")
    assert incident_by_tracking_code("OTHERONE") == other


def test_ensuring_is_idempotent_and_empties_the_default_partition(db):
    # May 2020 has no partition: the row waits in the default partition.
    stray = f.incident(LON, LAT, reported_at=at(2020, 5, 20), tracking_code="STRAY001")
    event = event_for(stray)
    assert partition_of(stray) == "incidents_incident_default"

    assert incidents_partitions_ensure(since=date(2020, 4, 1), until=date(2020, 6, 1)) == 3
    assert incidents_partitions_ensure(since=date(2020, 4, 1), until=date(2020, 6, 1)) == 0
    check_constraints_now()

    assert partition_of(stray) == "incidents_incident_y2020m05"
    assert list(Incident.objects.get(pk=stray.pk).events.all()) == [event]
    assert incident_by_tracking_code("STRAY001") == stray
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_constraint
               WHERE confrelid = 'incidents_incident'::regclass AND conparentid = 0"""
        )
        assert cursor.fetchone()[0] == 4  # events, attachments, co-departments, duplicate_of


def test_the_command_creates_months_and_detaches_one(db):
    call_command("incident_partitions", "--since", "2019-01", "--until", "2019-02")
    old = f.incident(LON, LAT, reported_at=at(2019, 1, 9))
    assert partition_of(old) == "incidents_incident_y2019m01"
    assert incidents_partition_detach(month=date(2019, 1, 1)) == "incidents_incident_y2019m01"
    assert not Incident.objects.filter(pk=old.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incident_y2019m01")
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_the_conversion_keeps_rows_ids_references_and_the_sequence():
    executor = MigrationExecutor(connection)
    executor.migrate([("incidents", "0003_routing_citizens")])
    try:
        _county, township, _village = f.county_with_village()
        department = f.department("派出所", township)
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO incidents_incident
                   (location, category, subcategory, source, title, description, reported_at,
                    status, updated_at, tracking_code)
                   SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326), 'dispute', 'neighbour',
                          'patrol', 'old ' || n, '', %s - n * interval '20 days', 'reported',
                          now(), CASE WHEN n = 3 THEN 'OLDCODE3' END
                   FROM generate_series(1, 40) n RETURNING id""",
                [LON, LAT, at(2026, 10, 1)],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
            cursor.execute(
                "UPDATE incidents_incident SET duplicate_of_id = %s WHERE id = %s", [ids[0], ids[1]]
            )
            cursor.execute(
                """INSERT INTO incidents_incidentevent
                   (incident_id, at, action, from_state, to_state, note, data)
                   SELECT id, reported_at, 'accept', 'reported', 'accepted', '', '{}'
                   FROM incidents_incident""",
            )
            cursor.execute(
                """INSERT INTO incidents_incident_co_departments (incident_id, department_id)
                   VALUES (%s, %s)""",
                [ids[2], department.pk],
            )
            cursor.execute("SELECT nextval(pg_get_serial_sequence('incidents_incident', 'id'))")
            skipped = cursor.fetchone()[0]

        executor = MigrationExecutor(connection)
        executor.migrate([("incidents", "0004_partition_by_month")])

        assert sorted(Incident.objects.values_list("pk", flat=True)) == ids
        assert Incident.objects.get(pk=ids[1]).duplicate_of_id == ids[0]
        assert IncidentEvent.objects.filter(incident_id__in=ids).count() == 40
        assert list(Incident.objects.get(pk=ids[2]).co_departments.all()) == [department]
        assert incident_by_tracking_code("OLDCODE3").title == "old 3"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM incidents_incident_default")
            assert cursor.fetchone()[0] == 0
        # The sequence goes on after the last number it gave, even one given to no row.
        assert f.incident(LON, LAT).pk == skipped + 1
        assert partition_of(Incident.objects.get(pk=ids[0])) != "incidents_incident_default"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_an_import_of_old_incidents_creates_their_months(db, tmp_path):
    f.county_with_village()
    path = write_geojson(
        tmp_path / "old.geojson",
        [
            feature(
                point(LON, LAT),
                category="dispute",
                subcategory="neighbour",
                source="patrol",
                title=f"旧事件 {month}",
                reported_at=f"2018-{month:02d}-10 09:00",
            )
            for month in (3, 7)
        ],
    )
    assert layer_import(path=path, layer="incidents").created == 2
    placed = {partition_of(i) for i in Incident.objects.filter(title__startswith="旧事件")}
    assert placed == {"incidents_incident_y2018m03", "incidents_incident_y2018m07"}
