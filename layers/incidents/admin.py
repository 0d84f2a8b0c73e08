from django.contrib import admin

from layers.common.admin import MapAdmin, ScopedAdmin
from layers.incidents.models import (
    DepartmentMember,
    Incident,
    IncidentAttachment,
    IncidentEvent,
    RoutingRule,
)


class IncidentEventInline(admin.TabularInline):
    """The incident's timeline, read-only: events are appended by the workflow services only."""

    model = IncidentEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "note", "data"]
    readonly_fields = fields
    ordering = ["at", "id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IncidentAttachmentInline(admin.TabularInline):
    """Photos and evidence, read-only: they are uploaded through the API, which checks them."""

    model = IncidentAttachment
    fields = [
        "kind",
        "file",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "taken_at",
        "thumbnail",
        "distance_m",
        "far_from_incident",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "incidents"
    list_display = [
        "title",
        "category",
        "subcategory",
        "status",
        "level",
        "deadline",
        "source",
        "reported_at",
        "area",
    ]
    list_filter = ["category", "status", "level", "source"]
    search_fields = ["title", "description"]
    date_hierarchy = "reported_at"
    # The workflow fields change through the workflow services, which log every step.
    readonly_fields = [
        "grid",
        "area",
        "status",
        "version",
        "level",
        "priority",
        "deadline",
        "lead_department",
        "co_departments",
        "rejection_reason",
        "duplicate_of",
        "feedback",
        "rating",
        "review",
        "tracking_code",
    ]
    raw_id_fields = ["reporter"]
    list_select_related = ["area"]
    inlines = [IncidentEventInline, IncidentAttachmentInline]


@admin.register(DepartmentMember)
class DepartmentMemberAdmin(ScopedAdmin, admin.ModelAdmin):
    scope_layer = "departments"
    scope_through = "department"
    list_display = ["user", "department"]
    list_select_related = ["user", "department"]
    raw_id_fields = ["user"]
    search_fields = ["user__username", "department__name"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(ScopedAdmin, admin.ModelAdmin):
    """Where incidents go: the most specific rule wins (see layers/incidents/routing.py)."""

    scope_layer = "departments"
    scope_through = "department"

    list_display = ["area", "grid", "category", "department"]
    list_filter = ["category", "area__level"]
    list_select_related = ["area", "grid", "department"]
    autocomplete_fields = ["area", "department"]
    raw_id_fields = ["grid"]
    search_fields = ["area__name", "area__code", "grid__code", "department__name"]
