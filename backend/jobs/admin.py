from django.contrib import admin

from backend.jobs.models import Job, WorkerHeartbeat


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "state", "progress", "attempts", "project", "created_at", "finished_at"]
    list_filter = ["state", "kind", "queue"]
    search_fields = ["message"]
    readonly_fields = ["created_at", "started_at", "finished_at", "updated_at"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "queues", "pid", "started_at", "last_seen"]
