"""GET /api/v1/audit/: the recorded changes, for supervisors, within their area."""

from datetime import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from layers.access.policy import role_of, sees_whole_deployment
from layers.areas.models import code_prefix
from layers.audit.models import Change
from layers.audit.triggers import audited_models

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
READER_ROLES = {"city_admin", "supervisor"}


class ChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Change
        fields = [
            "id",
            "at",
            "table_name",
            "row_id",
            "action",
            "actor_id",
            "actor",
            "ip",
            "user_agent",
            "area_code",
            "old_values",
            "new_values",
        ]


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class MayReadAudit(BasePermission):
    """Superusers, city administrators, supervisors; or an account with no role that holds
    audit.view_change. API tokens need the `read` scope."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        auth = request.auth
        if getattr(auth, "allows", None) and not auth.allows("read", "audit"):
            return False
        if user.is_superuser:
            return True
        role = role_of(user)
        if role is None:
            return user.has_perm("audit.view_change")
        return role.kind in READER_ROLES


def changes_visible(request, queryset):
    """A supervisor reads the changes of rows in their area; a token limited to an area, those
    in it."""
    area = getattr(request.auth, "area", None)
    if area is not None:
        queryset = queryset.filter(area_code__startswith=code_prefix(area.code))
    return changes_visible_to(request.user, queryset)


def changes_visible_to(user, queryset):
    """The changes a person reads by their role (the API and the admin): everything for
    superusers, city administrators and accounts without a role; a supervisor's area; no
    change for any other role."""
    if sees_whole_deployment(user):
        return queryset
    role = role_of(user)
    if role.kind == "supervisor":
        return queryset.filter(area_code__startswith=code_prefix(role.area.code))
    return queryset.none()


def table_names() -> dict[str, str]:
    """Accepted `table` values (layer names and table names) → table name."""
    from layers.audit.tables import LAYER_OF

    names = {}
    for model, _column in audited_models():
        table = model._meta.db_table
        names[table] = table
        names[LAYER_OF.get(model._meta.label, table)] = table
    return names


class ChangeList(generics.GenericAPIView):
    serializer_class = ChangeSerializer
    permission_classes = [MayReadAudit]
    queryset = Change.objects.all()

    @extend_schema(
        parameters=[
            OpenApiParameter("table", OpenApiTypes.STR, description="layer or table name"),
            OpenApiParameter("row", OpenApiTypes.INT, description="the row's id"),
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="changes from then"),
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1 to {MAX_LIMIT}"),
            OpenApiParameter("before", OpenApiTypes.INT, description="the next page's cursor"),
        ],
        responses=ChangePageSerializer,
    )
    def get(self, request):
        params = request.query_params
        queryset = changes_visible(request, self.get_queryset())
        if "table" in params:
            names = table_names()
            if params["table"] not in names:
                raise ValidationError(
                    {"table": [_("audited tables: %s") % ", ".join(sorted(names))]}
                )
            queryset = queryset.filter(table_name=names[params["table"]])
        row = _integer(params, "row")
        if row is not None:
            queryset = queryset.filter(row_id=row)
        if "since" in params:
            queryset = queryset.filter(at__gte=_datetime(params["since"]))
        before = _integer(params, "before")
        if before is not None:
            queryset = queryset.filter(id__lt=before)
        limit = _integer(params, "limit")
        limit = DEFAULT_LIMIT if limit is None else limit
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(
                {"limit": [_("limit must be an integer from 1 to %d") % MAX_LIMIT]}
            )
        changes = list(queryset.order_by("-id")[: limit + 1])
        next_link = None
        if len(changes) > limit:
            changes = changes[:limit]
            query = params.copy()
            query["before"] = changes[-1].id
            next_link = request.build_absolute_uri(f"?{query.urlencode()}")
        return Response({"results": ChangeSerializer(changes, many=True).data, "next": next_link})


def _integer(params, name: str) -> int | None:
    if name not in params:
        return None
    try:
        value = int(params[name])
    except ValueError:
        raise ValidationError({name: [_("Not an integer.")]}) from None
    if not -(2**63) <= value < 2**63:
        raise ValidationError({name: [_("Not an integer.")]})
    return value


def _datetime(text: str) -> datetime:
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({"since": [_("An ISO 8601 date and time, e.g. 2025-01-31T08:00Z.")]})
    return value
