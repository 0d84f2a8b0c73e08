"""The incident's admin page shows its timeline and attachments, read-only."""

import pytest

from layers.incidents.choices import Action
from tests.incidents.steps import attach_evidence, step

pytestmark = pytest.mark.django_db


def test_the_incident_page_shows_the_timeline_read_only(client, incident, django_user_model):
    root = django_user_model.objects.create_superuser("root", password=None)
    step(Action.ACCEPT, incident, root, note="genuine report")
    attach_evidence(incident)
    client.force_login(root)
    response = client.get(f"/admin/incidents/incident/{incident.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "genuine report" in page and "evidence.jpg" in page
    assert 'name="events-0-note"' not in page  # shown, not editable
