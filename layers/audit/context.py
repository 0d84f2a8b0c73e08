"""Who writes, from where: handed to the audit trigger through session settings.

Django runs in autocommit, and an API token's user is only known once DRF has authenticated
the request, so the settings are not set at request start: a query wrapper sets them just
before the first write statement of a request (and again if the user changes, e.g. after a
login), and the middleware clears them when the request ends, before the connection serves
another request.
"""

import psycopg
from django.db import connections

from layers.access.security import client_address

WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE", "WITH")
SETTINGS = ("gisgov.actor_id", "gisgov.actor", "gisgov.ip", "gisgov.user_agent")
MAX_USER_AGENT = 500


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(request)
        connection = connections["default"]
        with connection.execute_wrapper(context):
            try:
                return self.get_response(request)
            finally:
                context.clear(connection)


class RequestContext:
    def __init__(self, request):
        self.request = request
        self.applied = None

    def current(self) -> tuple:
        request = self.request
        user = getattr(request, "user", None)
        authenticated = user is not None and user.is_authenticated
        return (
            str(user.pk) if authenticated else "",
            user.get_username() if authenticated else "anonymous",
            client_address(request),
            request.META.get("HTTP_USER_AGENT", "")[:MAX_USER_AGENT],
        )

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        text = sql if isinstance(sql, str) else sql.as_string(connection.connection)
        if text.lstrip()[:6].upper().startswith(WRITES):
            values = self.current()
            if values != self.applied:
                self.applied = values
                # Errors as Django's (a lost connection is an OperationalError, a clean 503).
                with connection.wrap_database_errors, connection.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config(%s, %s, false), set_config(%s, %s, false),"
                        " set_config(%s, %s, false), set_config(%s, %s, false)",
                        [item for pair in zip(SETTINGS, values, strict=True) for item in pair],
                    )
        return execute(sql, params, many, context)

    def clear(self, connection) -> None:
        if self.applied is None or connection.connection is None:
            return
        try:
            with connection.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT " + ", ".join(f"set_config('{name}', '', false)" for name in SETTINGS)
                )
        except psycopg.Error:
            pass  # a broken connection is closed and replaced; its settings go with it
