from django.db import migrations

# The incidents app owns these tables, so the indexes are created here with plain SQL rather
# than declared on its models.
#
# Handling time and on-time completion read, for each resolved incident, the time of its last
# `resolve` event: this partial index answers that from the index alone (id breaks ties).
RESOLVE_EVENTS = """
CREATE INDEX IF NOT EXISTS supervision_resolve_event_idx
    ON incidents_incidentevent (incident_id, at, id) WHERE action = 'resolve'
"""
# The overdue list and counts look for open incidents past their deadline; nearly every past
# deadline belongs to a closed incident, which an index on the deadline alone would walk.
OPEN_DEADLINES = """
CREATE INDEX IF NOT EXISTS supervision_open_deadline_idx
    ON incidents_incident (deadline)
    WHERE status IN ('reported', 'accepted', 'dispatched', 'in_progress')
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_workflow")]

    operations = [
        migrations.RunSQL(
            RESOLVE_EVENTS, reverse_sql="DROP INDEX IF EXISTS supervision_resolve_event_idx"
        ),
        migrations.RunSQL(
            OPEN_DEADLINES, reverse_sql="DROP INDEX IF EXISTS supervision_open_deadline_idx"
        ),
    ]
