from django.db import migrations

# Handling time and on-time completion read, for each resolved incident, the time of its last
# `resolve` event; this partial index answers that from the index alone (id breaks ties). The
# incidents app owns the table, so the index is created here with plain SQL, not on its model.
CREATE = """
CREATE INDEX IF NOT EXISTS supervision_resolve_event_idx
    ON incidents_incidentevent (incident_id, at, id) WHERE action = 'resolve'
"""
DROP = "DROP INDEX IF EXISTS supervision_resolve_event_idx"


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_workflow")]

    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
