from django.contrib import admin

from layers.access.models import ApiToken, Role
from layers.common.admin import ScopedAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin, admin.ModelAdmin):
    """Tokens are issued with `manage.py create_api_token` (the key is shown once); here they
    can be reviewed, limited or revoked."""

    scope_layer = None  # granting reads is for those who see everything

    list_display = ["name", "prefix", "user", "scopes", "area", "expires_at", "last_used_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    autocomplete_fields = ["user", "area"]

    def has_add_permission(self, request):
        return False


@admin.register(Role)
class RoleAdmin(ScopedAdmin, admin.ModelAdmin):
    """Who does what, over which area: the scope of everything they read."""

    scope_layer = None  # granting reads is for those who see everything

    list_display = ["user", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["user__username", "area__code", "area__name"]
    autocomplete_fields = ["user", "area"]
