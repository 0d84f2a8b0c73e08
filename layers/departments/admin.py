from django.contrib import admin

from layers.departments.models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "area__name"]
    autocomplete_fields = ["area"]
