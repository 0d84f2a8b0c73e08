from django.contrib import admin

from layers.areas.models import AdminArea
from layers.common.admin import MapAdmin


@admin.register(AdminArea)
class AdminAreaAdmin(MapAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
