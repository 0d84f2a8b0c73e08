from django.contrib import admin

from layers.common.admin import ScopedAdmin
from layers.departments.models import Department


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin, admin.ModelAdmin):
    scope_layer = "departments"
    list_display = ["name", "kind", "area", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "area__name"]
    autocomplete_fields = ["area"]
