"""Reads to a PostgreSQL streaming replica, writes and everything after them to the primary.

Active when GISGOV_REPLICA_URL names a replica (DATABASES["replica"]), for the reads of web
requests only. Read-your-writes:
  * a request that may write (POST, PUT, PATCH, DELETE) uses the primary throughout: its
    reads after a write see the write, and raw SQL on the default connection is no exception;
  * a read inside a transaction, or after a write in the same request, uses the primary;
  * for GISGOV_REPLICA_STICKY_SECONDS after a write, the same client's reads use the primary
    too (a cookie), so a page reloaded after saving shows what was saved despite replica lag.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
STICKY_COOKIE = "gisgov_primary"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Outside a web request (commands, the job worker) everything uses the primary: a job reading
# a row the web just committed must not miss it on a lagging replica.
_use_primary: ContextVar[bool] = ContextVar("gisgov_use_primary", default=True)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA not in settings.DATABASES or _use_primary.get():
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        _use_primary.set(True)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaRoutingMiddleware:
    """Chooses the primary for writing requests and for clients that wrote a moment ago."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        primary = request.method in UNSAFE_METHODS or STICKY_COOKIE in request.COOKIES
        token = _use_primary.set(primary)
        try:
            response = self.get_response(request)
        finally:
            wrote = _use_primary.get()
            _use_primary.reset(token)
        if REPLICA in settings.DATABASES and wrote and request.method in UNSAFE_METHODS:
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.GISGOV_REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
            )
        return response
