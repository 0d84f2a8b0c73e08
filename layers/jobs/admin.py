from django.contrib import admin

from layers.access import policy
from layers.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "percent", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def get_queryset(self, request):
        runs = super().get_queryset(request)
        if policy.sees_whole_deployment(request.user):
            return runs
        # A job's result (rejected rows, a plan, an export) belongs to whoever started it.
        return runs.filter(created_by=request.user)

    def has_add_permission(self, request):
        return False
