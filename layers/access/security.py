"""Request-level defences: a Content-Security-Policy relaxed only where third-party pages need
it, body-size limits and a rate limit on anonymous reads shared by every web process."""

import sys
import time
from dataclasses import replace

import psycopg
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connections, router
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import parsers
from rest_framework.exceptions import ParseError

ANONYMOUS_READ_PREFIXES = ("/api/", "/ogc/", "/tiles/")
JSON_TYPES = ("application/json", "application/geo+json")


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the X-Real-IP a trusted front proxy (nginx, see
    docker/nginx.conf) sets; a header from anyone else is ignored, as it can be forged."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote in settings.GISGOV_TRUSTED_PROXIES:
        return request.META.get("HTTP_X_REAL_IP", remote).strip()[:64]
    return remote


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy from settings.CONTENT_SECURITY_POLICY; under the path prefixes of
    GISGOV_CSP_RELAXED (the admin's map widget and Swagger UI carry inline scripts) the
    directives listed there are added. A view may still relax itself with csp.decorators."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.update is not None:
            return parts
        for prefix, update in settings.GISGOV_CSP_RELAXED.items():
            if request.path_info.startswith(prefix):
                return replace(parts, update=update)
        return parts


class RequestLimitsMiddleware:
    """413 for a body over the limits before anything reads it; 429 for an address reading
    anonymously faster than GISGOV_ANONYMOUS_RATE (requests per minute, counted across every
    web process; 0: no limit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._too_large(request) or self._too_fast(request)
        return refusal or self.get_response(request)

    def _too_large(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": _("Content-Length is not a number.")}, status=400)
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type.startswith("multipart/"):
            limit = settings.GISGOV_MAX_UPLOAD_MB * 1024 * 1024
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            detail = _("The request body is %(size)d bytes; the limit is %(limit)d.") % {
                "size": length,
                "limit": limit,
            }
            return JsonResponse({"detail": detail}, status=413)
        return None

    def _too_fast(self, request):
        rate = settings.GISGOV_ANONYMOUS_RATE
        if (
            not rate
            or request.method not in ("GET", "HEAD")
            or not request.path_info.startswith(ANONYMOUS_READ_PREFIXES)
            or "HTTP_AUTHORIZATION" in request.META  # a bad token is refused anyway
            or request.user.is_authenticated
        ):
            return None
        count = anonymous_request_count(client_address(request))
        if count <= rate:
            return None
        detail = _("More than %(rate)d anonymous requests a minute: sign in or slow down.") % {
            "rate": rate
        }
        retry = 60 - int(time.time()) % 60
        return JsonResponse({"detail": detail}, status=429, headers={"Retry-After": str(retry)})


# One statement, one round trip, atomic across every web process: the count lives in the
# database cache DRF's throttles use (settings.CACHES["throttle"]), as plain text counted by
# SQL (never read through the cache API: its values are pickles). Keys are per minute; each
# client's key of the minute before is deleted on the way, and the key of a client that went
# quiet expires and is culled with the cache's other rows.
_COUNT_SQL = """
WITH previous AS (DELETE FROM {table} WHERE cache_key = %(previous)s)
INSERT INTO {table} AS counted (cache_key, value, expires)
VALUES (%(key)s, '1', now() + interval '120 seconds')
ON CONFLICT (cache_key) DO UPDATE SET value = (counted.value::bigint + 1)::text
RETURNING value::bigint
"""


def anonymous_request_count(address: str) -> int:
    """This minute's anonymous requests from an address, this one included, counted in the
    cache every web process shares."""
    cache = caches["throttle"]
    window = int(time.time() // 60)
    database = router.db_for_write(cache.cache_model_class)
    with connections[database].cursor() as cursor:
        table = connections[database].ops.quote_name(cache._table)
        cursor.execute(
            _COUNT_SQL.format(table=table),
            {
                "key": cache.make_and_validate_key(f"anon-rate:{address}:{window}"),
                "previous": cache.make_and_validate_key(f"anon-rate:{address}:{window - 1}"),
            },
        )
        return cursor.fetchone()[0]


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with nesting too deep for Python's decoder a 400 instead of a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error: the document nests too deeply.")) from None


def server_error(request):
    """handler500: while PostgreSQL is down or restarting, a clean 503 with Retry-After rather
    than a 500 page, wherever the error arose (a view, the session or auth middleware).
    Nothing is retried here: the client retries; CONN_HEALTH_CHECKS replaces the broken
    connection on the next request, so the server recovers by itself."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError | psycopg.OperationalError):
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        detail = _("The database is unavailable for a moment; retry shortly.")
        return JsonResponse({"detail": detail}, status=503, headers={"Retry-After": "5"})
    return defaults.server_error(request)


class GeoJSONParser(JSONParser):
    """Features sent as application/geo+json (RFC 7946's media type) read like JSON."""

    media_type = "application/geo+json"
