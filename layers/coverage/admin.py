from django.contrib import admin

from layers.common.admin import MapAdmin, ReadOnlyAdmin, ScopedAdmin
from layers.coverage.models import CameraSector


@admin.register(CameraSector)
class CameraSectorAdmin(ReadOnlyAdmin, ScopedAdmin, MapAdmin):
    """Sectors are the database's to compute: shown on the map, never edited by hand."""

    scope_layer = "cameras"
    scope_through = "camera"

    list_display = ["camera", "visible_area_m2", "sector_area_m2", "obstacles", "computed_at"]
    search_fields = ["camera__code", "camera__name"]
    list_select_related = ["camera"]
