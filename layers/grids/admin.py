import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from layers.common.admin import MapAdmin, ScopedAdmin
from layers.grids.models import Grid, GridStaff
from layers.grids.topology import (
    TopologyViolation,
    grid_edits_checked,
    grid_save_problems,
    grid_topology_enforce_now,
)


class GridStaffInline(admin.TabularInline):
    model = GridStaff
    autocomplete_fields = ["user"]
    extra = 0


class GridAdminForm(forms.ModelForm):
    """Refuses, with the offending polygons, a grid that would break its village's tiling."""

    class Meta:
        model = Grid
        fields = [
            "code",
            "name",
            "village",
            "kind",
            "exclusive_type",
            "geom",
            "valid_from",
            "valid_to",
        ]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        # The database decides (at commit); a rolled-back trial save asks it before the admin's
        # transaction commits, where a refusal could only become a server error.
        for problem in grid_save_problems(self.instance):
            self.add_error("geom", f"{problem.describe()}: {json.dumps(problem.geometry)}")


@admin.register(Grid)
class GridAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "grids"
    form = GridAdminForm
    list_display = ["code", "name", "village", "kind", "exclusive_type", "valid_from", "valid_to"]
    list_filter = ["kind", "exclusive_type"]
    search_fields = ["code", "name", "village__name"]
    autocomplete_fields = ["village"]
    inlines = [GridStaffInline]

    # A deletion leaves a gap unless the village was not covered there: checked before the
    # admin's transaction commits, so the refusal is a message and not a server error.
    def delete_model(self, request, obj):
        with grid_edits_checked():
            super().delete_model(request, obj)
            grid_topology_enforce_now()

    def delete_queryset(self, request, queryset):
        with grid_edits_checked():
            super().delete_queryset(request, queryset)
            grid_topology_enforce_now()

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusal_as_message(super().delete_view, request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self._refusal_as_message(super().changelist_view, request, extra_context)

    def _refusal_as_message(self, view, request, *args):
        try:
            return view(request, *args)
        except TopologyViolation as violation:
            self.message_user(request, str(violation), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
