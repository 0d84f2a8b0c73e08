from django.contrib import admin

from layers.common.admin import MapAdmin, ScopedAdmin
from layers.keysites.models import KeySite


@admin.register(KeySite)
class KeySiteAdmin(ScopedAdmin, MapAdmin):
    scope_layer = "key-sites"
    list_display = ["name", "kind", "grid", "area"]
    list_filter = ["kind"]
    search_fields = ["name"]
    readonly_fields = ["grid", "area"]
    list_select_related = ["grid", "area"]
