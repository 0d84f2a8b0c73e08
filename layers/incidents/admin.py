from django.contrib import admin

from layers.common.admin import MapAdmin
from layers.incidents.models import Incident


@admin.register(Incident)
class IncidentAdmin(MapAdmin):
    list_display = ["title", "category", "subcategory", "status", "source", "reported_at", "area"]
    list_filter = ["category", "status", "source"]
    search_fields = ["title", "description"]
    date_hierarchy = "reported_at"
    readonly_fields = ["grid", "area"]
    raw_id_fields = ["reporter"]
    list_select_related = ["area"]
