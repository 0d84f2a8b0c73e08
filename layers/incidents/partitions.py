"""Monthly partitions of the incidents table (the SQL functions are in sql/partitions.sql).

Month boundaries are local midnights (settings.TIME_ZONE when the table was partitioned); a row
outside every partition lands in the default partition and is moved into its month when that
month's partition is created.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone


def _month_after(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@transaction.atomic
def incidents_partitions_ensure(*, since: date | None = None, until: date | None = None) -> int:
    """Creates the missing monthly partitions from `since` (this month by default) through
    `until` (settings.GISGOV_PARTITION_MONTHS_AHEAD months ahead); how many were created."""
    this_month = timezone.localdate().replace(day=1)
    since = since or this_month
    until = until or _month_after(this_month, settings.GISGOV_PARTITION_MONTHS_AHEAD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT incidents_ensure_partitions(%s, %s)", [since, until])
        return cursor.fetchone()[0]


def incidents_partitions_ensure_for(first: datetime, last: datetime) -> int:
    """For a bulk loader: the partitions of every month from `first` to `last` (local time),
    so its rows go to their months rather than piling up in the default partition."""
    return incidents_partitions_ensure(
        since=timezone.localtime(first).date(), until=timezone.localtime(last).date()
    )


@transaction.atomic
def incidents_partition_detach(*, month: date) -> str:
    """Detaches a month's partition (it stays as a plain table of the same name); its name.
    Events, attachments and co-departments of its incidents must have been archived first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT incidents_detach_month(%s)", [month])
        return cursor.fetchone()[0]


def incidents_partitions() -> list[tuple[str, str, int]]:
    """(name, bounds, estimated rows) of every partition, in order, the default last."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), greatest(c.reltuples, 0)::bigint
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'incidents_incident'::regclass
            ORDER BY c.relname = 'incidents_incident_default', c.relname
            """
        )
        return cursor.fetchall()
