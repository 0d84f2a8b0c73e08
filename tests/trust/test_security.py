"""Security headers and the Content-Security-Policy, CSRF on session writes, body-size limits
and the anonymous read rate limit."""

import json
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from layers.incidents.models import Incident
from tests import factories as f
from tests.api.test_rest_api import incident_payload
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(db):
    return f.small_county()


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_api_responses_carry_the_security_headers_and_a_strict_policy(county):
    response = Client().get("/api/v1/areas/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_a_page_using_the_nonce_gets_it_in_its_policy(rf, settings):
    from django.http import HttpResponse

    from layers.access.security import ContentSecurityPolicyMiddleware

    def page(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    request = rf.get("/console/")
    response = ContentSecurityPolicyMiddleware(page)(request)
    nonce = response.content.decode().split('nonce="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in _directives(response["Content-Security-Policy"])["script-src"]


def test_only_the_admin_and_api_docs_allow_inline_scripts(county, django_user_model):
    root = django_user_model.objects.create_superuser("root", email=None, password=None)
    client = Client()
    client.force_login(root)
    admin = _directives(client.get("/admin/")["Content-Security-Policy"])
    assert "'unsafe-inline'" in admin["script-src"]
    assert admin["frame-ancestors"] == ["'none'"]
    tiles = client.get("/tiles/areas.json")
    assert "'unsafe-inline'" not in _directives(tiles["Content-Security-Policy"])["script-src"]


def test_a_session_write_needs_the_csrf_token(county, django_user_model):
    user = django_user_model.objects.create_superuser("clerk", email=None, password=None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    body = json.dumps(incident_payload(LON, LAT))
    refused = client.post("/api/v1/incidents/", body, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert Incident.objects.count() == 2
    client.get("/admin/")  # sets the csrftoken cookie, as the console's first page load does
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/incidents/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.content


def test_a_token_write_needs_no_csrf_token(county, token_client):
    client = token_client("read", "write")
    client.handler.enforce_csrf_checks = True
    response = client.post("/api/v1/incidents/", incident_payload(LON, LAT), format="json")
    assert response.status_code == 201


@pytest.fixture
def token_client(django_user_model):
    from layers.access.services import api_token_create

    def make(*scopes):
        user = django_user_model.objects.create_superuser("system", email=None, password=None)
        _token, key = api_token_create(user=user, name="system", scopes=list(scopes))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


def test_a_body_over_the_limit_is_a_413_before_it_is_read(county, token_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = token_client("read", "write")
    payload = incident_payload(LON, LAT, description="x" * 2000)
    response = client.post("/api/v1/incidents/", payload, format="json")
    assert response.status_code == 413 and "limit is 1000" in response.json()["detail"]
    assert Incident.objects.count() == 2


def test_an_upload_over_the_upload_limit_is_a_413(county, token_client, settings):
    settings.GISGOV_MAX_UPLOAD_MB = 0
    client = token_client("read", "write")
    incident = Incident.objects.first()
    response = client.post(
        f"/api/v1/incidents/{incident.pk}/attachments/",
        {"file": ("photo.jpg", b"x" * 100)},
        format="multipart",
    )
    assert response.status_code == 413


def test_anonymous_reads_beyond_the_rate_are_a_429(county, settings):
    settings.GISGOV_ANONYMOUS_RATE = 3
    anonymous = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [anonymous.get("/api/v1/areas/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = anonymous.get("/ogc/collections/areas/items")
    assert limited.status_code == 429 and int(limited["Retry-After"]) <= 60
    # Another address, and signed-in users, are not held back by it.
    assert Client(REMOTE_ADDR="203.0.113.10").get("/api/v1/areas/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_every_web_process_counts_into_one_anonymous_rate(settings):
    """Another process (another gunicorn worker) counting for the same address uses up the
    same minute's allowance: the count is in the database cache, not in process memory."""
    from layers.access.security import anonymous_request_count
    from tests.trust.test_faults import ROOT, _db_env

    f.small_county()
    settings.GISGOV_ANONYMOUS_RATE = 3
    # The cache table is no model: a transactional test's flush leaves its rows.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM gisgov_throttle_cache WHERE cache_key LIKE '%%anon-rate%%'")
    anonymous = Client(REMOTE_ADDR="203.0.113.20")
    assert [anonymous.get("/api/v1/areas/").status_code for _ in range(2)] == [200, 200]
    other_worker = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from layers.access.security import anonymous_request_count as count;"
            "print(count('203.0.113.20'))",
        ],
        cwd=ROOT,
        env=_db_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert other_worker.stdout.split()[-1] == "3"
    assert anonymous.get("/api/v1/areas/").status_code == 429
    assert anonymous_request_count("203.0.113.21") == 1


def test_the_client_address_comes_from_a_trusted_proxy_only(rf, settings):
    from layers.access.security import client_address

    settings.GISGOV_TRUSTED_PROXIES = ["10.0.0.2"]
    via_proxy = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="198.51.100.7")
    forged = rf.get("/", REMOTE_ADDR="198.51.100.8", HTTP_X_REAL_IP="10.9.9.9")
    assert client_address(via_proxy) == "198.51.100.7"
    assert client_address(forged) == "198.51.100.8"


def test_a_feature_may_be_sent_as_geojson_media_type(county, token_client):
    client = token_client("read", "write")
    body = json.dumps(incident_payload(LON, LAT))
    response = client.post("/api/v1/incidents/", body, content_type="application/geo+json")
    assert response.status_code == 201, response.content
