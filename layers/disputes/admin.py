from django.contrib import admin

from layers.common.admin import MapAdmin, ReadOnlyAdmin, ScopedAdmin
from layers.disputes.models import (
    Claim,
    DisputeCase,
    FieldVisit,
    HistoryEntry,
    Imagery,
    Party,
    ReferenceBoundary,
)


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


@admin.register(DisputeCase)
class DisputeCaseAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "disputes"
    list_display = ["code", "title", "kind", "village", "status", "opened_on", "version"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "title"]
    readonly_fields = ["version", "updated_at"]
    filter_horizontal = ["officers"]
    inlines = [PartyInline]


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "disputes"
    scope_through = "case"
    list_display = ["id", "case", "party", "method", "recorded_at", "recorded_by"]
    list_filter = ["method"]


@admin.register(ReferenceBoundary)
class ReferenceBoundaryAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "disputes"
    scope_through = "case"
    list_display = ["id", "case", "kind", "version", "surveyed_on", "source"]
    list_filter = ["kind"]
    readonly_fields = ["version"]


@admin.register(Imagery)
class ImageryAdmin(MapAdmin):
    """Images arrive through the API upload, which converts them; here they are only read."""

    list_display = ["title", "captured_on", "sensor", "resolution_m", "status"]
    readonly_fields = ["cog", "status", "job", "source_crs", "resolution_m"]


@admin.register(FieldVisit)
class FieldVisitAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "disputes"
    scope_through = "case"
    list_display = ["id", "case", "officer", "purpose", "visited_at", "conflict"]
    list_filter = ["purpose", "conflict"]
    readonly_fields = ["idempotency_key", "case_version", "conflict", "received_at"]


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin, ScopedAdmin, admin.ModelAdmin):
    """The trigger-written history, read-only; a case's own history is its API's `history`."""

    scope_layer = None

    list_display = ["at", "table", "row_id", "operation", "actor"]
    list_filter = ["table", "operation"]
