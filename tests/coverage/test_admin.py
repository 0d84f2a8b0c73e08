"""Sectors in the admin: listed and shown on the map, never edited by hand."""

from django.urls import reverse

from layers.coverage.models import CameraSector


def test_sectors_are_listed_and_shown_read_only(admin_client, camera_at):
    camera_at()
    sector = CameraSector.objects.get()
    assert admin_client.get(reverse("admin:coverage_camerasector_changelist")).status_code == 200
    url = reverse("admin:coverage_camerasector_change", args=[sector.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert admin_client.post(url, {}).status_code == 403
