from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from layers.incidents.services import incidents_escalate_overdue


class Command(BaseCommand):
    help = "Escalate every open incident past its deadline one level (grid → township → county)."

    def handle(self, *args, **options):
        escalated = incidents_escalate_overdue()
        for incident in escalated:
            self.stdout.write(
                _("incident %(id)d escalated to %(level)s")
                % {"id": incident.pk, "level": incident.get_level_display()}
            )
        self.stdout.write(_("%(count)d incidents escalated") % {"count": len(escalated)})
