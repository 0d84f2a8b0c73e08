from django.contrib import admin

from layers.common.admin import MapAdmin
from layers.grids.models import Grid, GridStaff


class GridStaffInline(admin.TabularInline):
    model = GridStaff
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Grid)
class GridAdmin(MapAdmin):
    list_display = ["code", "name", "village", "kind", "exclusive_type", "valid_from", "valid_to"]
    list_filter = ["kind", "exclusive_type"]
    search_fields = ["code", "name", "village__name"]
    autocomplete_fields = ["village"]
    inlines = [GridStaffInline]
