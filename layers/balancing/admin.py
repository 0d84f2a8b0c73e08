from django.contrib import admin

from layers.balancing.models import Plan
from layers.common.admin import ScopedAdmin


@admin.register(Plan)
class PlanAdmin(ScopedAdmin, admin.ModelAdmin):
    """Plans are made, applied and discarded through the API; the admin shows those of the
    areas the person's role covers, as the API does."""

    scope_layer = "areas"
    scope_through = "parent"

    list_display = [
        "id",
        "parent",
        "target_kind",
        "target_value",
        "status",
        "created_by",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "target_kind"]
    readonly_fields = [field.name for field in Plan._meta.fields]

    def get_queryset(self, request):
        # Areas are public, so reading them is not enough: the role must cover the area.
        return self.scoped(request, admin.ModelAdmin.get_queryset(self, request), change=True)

    def has_add_permission(self, request):
        return False
