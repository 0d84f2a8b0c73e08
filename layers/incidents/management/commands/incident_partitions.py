from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from layers.incidents.partitions import (
    incidents_partition_detach,
    incidents_partitions,
    incidents_partitions_ensure,
)


def _month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError as error:
        raise CommandError(_("%(value)s is not a month (YYYY-MM).") % {"value": value}) from error


class Command(BaseCommand):
    help = (
        "Create the monthly partitions of incidents (what the job worker does daily), list them,"
        " or detach an old month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", type=_month, help="first month to create (YYYY-MM)")
        parser.add_argument("--until", type=_month, help="last month to create (YYYY-MM)")
        parser.add_argument("--detach", type=_month, help="detach this month (YYYY-MM)")
        parser.add_argument("--list", action="store_true", dest="show", help="list the partitions")

    def handle(self, *args, since=None, until=None, detach=None, show=False, **options):
        if detach:
            try:
                name = incidents_partition_detach(month=detach)
            except DatabaseError as error:
                raise CommandError(str(error).splitlines()[0]) from error
            self.stdout.write(_("detached %(name)s") % {"name": name})
            return
        if not show:
            created = incidents_partitions_ensure(since=since, until=until)
            self.stdout.write(_("%(count)d partitions created") % {"count": created})
            return
        for name, bounds, rows in incidents_partitions():
            self.stdout.write(f"{name}\t{bounds}\t~{rows}")
