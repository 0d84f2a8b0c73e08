from django.contrib import admin

from layers.balancing.models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Plans are made, applied and discarded through the API; the admin shows them."""

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

    def has_add_permission(self, request):
        return False
