import json

from django.contrib.gis.admin import GISModelAdmin
from django.contrib.gis.db import models as gis_models
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from layers.access import policy
from layers.common.crs import SourceCRS
from layers.common.geometry import GeometryProblem, geojson_problem, geometry_to_storage
from layers.common.widgets import OfflineMapWidget

# The form fields' OGC type names → GEOS's.
_GEOS_TYPES = {
    name.upper(): name
    for name in (
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    )
}


class CheckedGeometryField:
    """A map widget's geometry checked like every other write path's (layers.common.geometry)
    before Django transforms it: empty, 3-D, NaN or huge coordinates, too many vertices and
    invalid rings are form errors naming the problem, not a 500 or a hung process."""

    def to_python(self, value):
        if isinstance(value, str):
            problem = _geojson_text_problem(value)
            if problem:
                raise ValidationError(problem, code="invalid_geom")
        geometry = super().to_python(value)
        if geometry is None:
            return None
        wanted = _GEOS_TYPES.get(self.geom_type, geometry.geom_type)
        try:
            return geometry_to_storage(geometry.clone(), SourceCRS(geometry.srid), wanted)
        except GeometryProblem as problem:
            raise ValidationError(str(problem), code="invalid_geom") from problem


def _geojson_text_problem(text: str) -> str | None:
    """What is wrong with widget text that is GeoJSON (WKT and the like are left to GEOS)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return _("Not a GeoJSON geometry: it is not valid JSON.")
    problem = geojson_problem(value)
    return _("Not a GeoJSON geometry: %s") % problem if problem else None


class MapAdmin(GISModelAdmin):
    """Every geometry in the admin is edited on the offline map and checked like the API's."""

    gis_widget = OfflineMapWidget
    gis_widget_kwargs = {"attrs": {"default_zoom": 14}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, gis_models.GeometryField):
            base = db_field.form_class
            kwargs["form_class"] = type(f"Checked{base.__name__}", (CheckedGeometryField, base), {})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ReadOnlyAdmin:
    """Rows the database writes (audit, computed sectors, histories): shown, never edited by
    hand. Put it first in the bases."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdmin:
    """An admin that shows what the access policy lets the person read and changes only what
    their role covers (layers.access.policy), as the API does: a township supervisor's admin
    lists their township's incidents, answers 404 for another's, and shows another
    township's (public) grids read-only. Superusers, city administrators and accounts without
    a role see everything their model permissions allow.

    `scope_layer` names the policy's layer; `scope_through` the lookup from this model to that
    layer's rows when they are another model's (a claim's `case`). `scope_layer = None`: only
    those who see the whole deployment see any row (roles, tokens, the disputes' history).
    Put it before ModelAdmin in the bases.
    """

    scope_layer: str | None
    scope_through: str = ""

    def scoped(self, request, queryset, *, change: bool = False):
        """The rows of `queryset` the request's person may read (or, with change, change)."""
        user = request.user
        if self.scope_layer is None:
            return queryset if policy.sees_whole_deployment(user) else queryset.none()
        rows_of = policy.scoped_to if change else policy.visible_to
        if not self.scope_through:
            return rows_of(user, self.scope_layer, queryset)
        layer_model = queryset.model
        for name in self.scope_through.split("__"):
            layer_model = layer_model._meta.get_field(name).related_model
        rows = rows_of(user, self.scope_layer, layer_model._default_manager.all())
        return queryset.filter(**{f"{self.scope_through}__in": rows.values("pk")})

    def get_queryset(self, request):
        return self.scoped(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        # Out of scope answers as not there: a 404, never which rows exist elsewhere.
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404
        return found

    def may_change(self, request, obj) -> bool:
        model = type(obj)
        return self.scoped(request, model._default_manager.filter(pk=obj.pk), change=True).exists()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.may_change(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.may_change(request, obj))

    def save_model(self, request, obj, form, change):
        """A row saved outside the role's scope (moved or created in another township) is
        refused; the admin's transaction rolls it back."""
        super().save_model(request, obj, form, change)
        if not self.may_change(request, obj):
            raise PermissionDenied

    def delete_queryset(self, request, queryset):
        changeable = self.scoped(request, queryset, change=True)
        if queryset.exclude(pk__in=changeable.values("pk")).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Choices of a scoped layer (a grid's village, a camera's department) are the rows
        the role covers."""
        related = self.admin_site._registry.get(db_field.related_model)
        if "queryset" not in kwargs and isinstance(related, ScopedAdmin):
            kwargs["queryset"] = related.scoped(
                request, db_field.related_model._default_manager.all(), change=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete offers choices for another admin's form: the rows one may assign.
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            queryset = self.scoped(request, queryset, change=True)
        return super().get_search_results(request, queryset, search_term)
