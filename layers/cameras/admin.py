from django.contrib import admin

from layers.cameras.models import CameraSite
from layers.common.admin import MapAdmin, ScopedAdmin


@admin.register(CameraSite)
class CameraSiteAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "cameras"
    list_display = ["code", "name", "kind", "status", "azimuth", "field_of_view", "range_m", "area"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "name"]
    readonly_fields = ["grid", "area"]
    autocomplete_fields = ["department"]
    list_select_related = ["area"]
