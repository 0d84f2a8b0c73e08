from django.contrib import admin

from layers.audit.api import changes_visible_to
from layers.audit.models import Change
from layers.common.admin import ReadOnlyAdmin


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: changes are written by the database trigger and never edited."""

    list_display = ["at", "table_name", "row_id", "action", "actor", "ip", "area_code"]
    list_filter = ["table_name", "action"]
    search_fields = ["actor", "area_code", "=row_id"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        # The API's rule: a supervisor reads the changes in their area.
        return changes_visible_to(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Change._meta.fields]
