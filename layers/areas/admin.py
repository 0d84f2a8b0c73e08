from django.contrib import admin

from layers.areas.models import AdminArea
from layers.common.admin import MapAdmin, ScopedAdmin


@admin.register(AdminArea)
class AdminAreaAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "areas"
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
