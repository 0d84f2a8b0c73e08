from django.contrib import admin

from layers.buildings.models import Building
from layers.common.admin import MapAdmin, ScopedAdmin


@admin.register(Building)
class BuildingAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "buildings"
    list_display = ["id", "address", "use", "floors", "households", "residents", "grid", "area"]
    list_filter = ["use"]
    search_fields = ["address"]
    readonly_fields = ["grid", "area"]
    list_select_related = ["grid", "area"]
