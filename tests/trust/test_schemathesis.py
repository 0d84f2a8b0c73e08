"""schemathesis over our own OpenAPI document (/api/schema/), through the WSGI app: whatever it
generates, no 5xx, and every documented response matches the schema. The number of cases is
bounded (GISGOV_SCHEMATHESIS_EXAMPLES per operation) so `make test` stays quick.

schemathesis' pytest plugin does not run under pytest 9, so each operation's hypothesis
strategy is driven directly, all inside one test (one database transaction, rolled back).
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from layers.access.services import api_token_create
from tests import factories as f

EXAMPLES = int(os.environ.get("GISGOV_SCHEMATHESIS_EXAMPLES", "10"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def wsgi_app(db):
    from gisgov.wsgi import application

    # As Django's test client does: the WSGI handler would otherwise close the connection
    # holding the test's transaction at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_never_fails_and_keeps_to_its_schema(wsgi_app, django_user_model, settings):
    settings.GISGOV_ANONYMOUS_RATE = 0
    f.small_county()
    user = django_user_model.objects.create_superuser("fuzzer", email=None, password=None)
    _token, key = api_token_create(user=user, name="schemathesis", scopes=["read", "write"])
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # every layer's list, detail, writes, audit, workflow steps
    for operation in operations:
        _exercise(operation, headers)


def _exercise(operation, headers):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
